#pragma once
// QuerySet<T>: Django's chainable query for model T. Immutable: every
// chaining call returns a new QuerySet and leaves the original usable, so a
// base query can be shared and extended (cheap: the state is shared until
// changed). Nothing runs until a terminal (all, get, count, iteration, ...).
//
//   auto recent = User::objects(db)
//                     .filter(Q("email__contains", "@gmail.com") | Q("username__startswith", "admin"))
//                     .filter("is_active", true)
//                     .order_by("-created_at")
//                     .limit(10)
//                     .all();
//
// String names are checked against the model when they are given (FieldError
// names the model, the bad name and the closest real ones); the typed form
// (col(&User::age) > 18) is checked by the compiler.
#include <algorithm>
#include <initializer_list>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "covet/orm/executor.hpp"
#include "covet/orm/partial.hpp"
#include "covet/query/column.hpp"
#include "covet/query/expr.hpp"
#include "covet/schema/meta.hpp"

namespace covet {

template <class R>
struct Page {
  std::vector<R> items;
  int64_t total = 0;     // rows matched by the query
  int64_t pages = 0;     // at least 1
  int64_t page = 1;      // 1-based
  int64_t per_page = 0;
  bool has_next = false;
  bool has_previous = false;
};

// A model object with its annotations (annotate() on a model query):
// row->name, row["post_count"].
template <class T>
struct Annotated {
  T object;
  Record annotations;
  T* operator->() { return &object; }
  const T* operator->() const { return &object; }
  const Value& operator[](std::string_view name) const { return annotations[name]; }
};

template <class T, class R = T>
class QuerySet {
 public:
  // Without an executor, a QuerySet can be built and compiled (sql()) but not run.
  QuerySet() : s_(initial()) {}
  // Runs on a Database (a pooled connection per terminal), a Session or a
  // Transaction (their connection), and keeps it alive.
  explicit QuerySet(const Executor& ex) : s_(detail::new_query_state(ex, model_info<T>())) {}

  // ---- chaining ----
  // Each call returns a new QuerySet. On a temporary (a chain of calls) the
  // state nobody else shares is changed in place instead of copied.
  QuerySet filter(const Q& q) const& { return where(*this, q, false); }
  QuerySet filter(const Q& q) && { return where(std::move(*this), q, false); }
  QuerySet filter(std::string_view lookup, const Value& v) const& { return where(*this, lookup, v, false); }
  QuerySet filter(std::string_view lookup, const Value& v) && { return where(std::move(*this), lookup, v, false); }
  QuerySet filter(Kwargs kwargs) const& { return where(*this, Q(kwargs), false); }
  QuerySet filter(Kwargs kwargs) && { return where(std::move(*this), Q(kwargs), false); }
  QuerySet filter(KwargsView kwargs) const& { return where(*this, Q(kwargs), false); }
  QuerySet filter(KwargsView kwargs) && { return where(std::move(*this), Q(kwargs), false); }
  QuerySet filter(const Where<T>& w) const& { return where(*this, w.q(), false); }
  QuerySet filter(const Where<T>& w) && { return where(std::move(*this), w.q(), false); }
  QuerySet exclude(const Q& q) const& { return where(*this, q, true); }
  QuerySet exclude(const Q& q) && { return where(std::move(*this), q, true); }
  QuerySet exclude(std::string_view lookup, const Value& v) const& { return where(*this, lookup, v, true); }
  QuerySet exclude(std::string_view lookup, const Value& v) && { return where(std::move(*this), lookup, v, true); }
  QuerySet exclude(Kwargs kwargs) const& { return where(*this, Q(kwargs), true); }
  QuerySet exclude(Kwargs kwargs) && { return where(std::move(*this), Q(kwargs), true); }
  QuerySet exclude(KwargsView kwargs) const& { return where(*this, Q(kwargs), true); }
  QuerySet exclude(KwargsView kwargs) && { return where(std::move(*this), Q(kwargs), true); }
  QuerySet exclude(const Where<T>& w) const& { return where(*this, w.q(), true); }
  QuerySet exclude(const Where<T>& w) && { return where(std::move(*this), w.q(), true); }
  // Membership in another query's rows: filter("author__in",
  // User::objects(db).filter(...)) compares with its primary keys,
  // filter("id__in", Post::objects(db).values("author")) with its one
  // values() column; one statement (a subquery), as Django.
  template <class U, class RU>
  QuerySet filter(std::string_view path, const QuerySet<U, RU>& sub) const {
    return in_query(*this, path, sub.data(), false);
  }
  template <class U, class RU>
  QuerySet exclude(std::string_view path, const QuerySet<U, RU>& sub) const {
    return in_query(*this, path, sub.data(), true);
  }
  // A field compared with an expression: filter("view_count__gt",
  // F("likes") * 2), filter("author", OuterRef("id")) inside a subquery.
  template <class E>
    requires std::same_as<E, Expr>
  QuerySet filter(std::string_view lookup, const E& e) const {
    return where(*this, Q(lookup, e), false);
  }
  template <class E>
    requires std::same_as<E, Expr>
  QuerySet exclude(std::string_view lookup, const E& e) const {
    return where(*this, Q(lookup, e), true);
  }
  // A condition that is an expression: filter(Exists(posts)), exclude(Exists(posts)).
  template <class E>
    requires std::same_as<E, Expr>
  QuerySet filter(const E& condition) const {
    return where(*this, Q(condition), false);
  }
  template <class E>
    requires std::same_as<E, Expr>
  QuerySet exclude(const E& condition) const {
    return where(*this, Q(condition), true);
  }
  // A condition on another model's columns: one readable error.
  template <class U>
    requires(!std::same_as<U, T>)
  QuerySet filter(const Where<U>&) const& {
    static_assert(std::same_as<U, T>, "covet: this condition is on another model's columns; a QuerySet<T> takes col(&T::member) conditions");
    return *this;
  }
  template <class U>
    requires(!std::same_as<U, T>)
  QuerySet exclude(const Where<U>&) const& {
    static_assert(std::same_as<U, T>, "covet: this condition is on another model's columns; a QuerySet<T> takes col(&T::member) conditions");
    return *this;
  }

  // "-field" sorts descending. Replaces any earlier ordering. Refused
  // (InvalidArgument) once a slice has been taken, as in Django.
  template <class... S>
    requires(std::convertible_to<S, std::string_view> && ...)
  QuerySet order_by(const S&... terms) const& {
    std::string_view names[] = {std::string_view(terms)..., {}};
    return ordered(*this, names, sizeof...(S));
  }
  template <class... S>
    requires(std::convertible_to<S, std::string_view> && ...)
  QuerySet order_by(const S&... terms) && {
    std::string_view names[] = {std::string_view(terms)..., {}};
    return ordered(std::move(*this), names, sizeof...(S));
  }
  // The same with names chosen at run time (from a request's ?ordering=).
  template <detail::name_range N>
  QuerySet order_by(const N& terms) const& {
    std::vector<std::string_view> names(std::begin(terms), std::end(terms));
    return ordered(*this, names.data(), names.size());
  }
  template <detail::name_range N>
  QuerySet order_by(const N& terms) && {
    std::vector<std::string_view> names(std::begin(terms), std::end(terms));
    return ordered(std::move(*this), names.data(), names.size());
  }
  template <class... O>
    requires(std::same_as<O, OrderBy<T>> && ...)
  QuerySet order_by(const OrderBy<T>& first, const O&... rest) const& {
    return order_by(std::string_view(first.term), std::string_view(rest.term)...);
  }
  template <class... O>
    requires(std::same_as<O, OrderBy<T>> && ...)
  QuerySet order_by(const OrderBy<T>& first, const O&... rest) && {
    return std::move(*this).order_by(std::string_view(first.term), std::string_view(rest.term)...);
  }
  template <class U, class... O>
    requires(!std::same_as<U, T>)
  QuerySet order_by(const OrderBy<U>&, const O&...) const& {
    static_assert(std::same_as<U, T>, "covet: this ordering is on another model's column; a QuerySet<T> orders by asc/desc(&T::member)");
    return *this;
  }
  QuerySet limit(int64_t n) const& { return change(*this, [n](QueryData& d) { set_limit(d, n); }); }
  QuerySet limit(int64_t n) && { return change(std::move(*this), [n](QueryData& d) { set_limit(d, n); }); }
  QuerySet offset(int64_t n) const& { return change(*this, [n](QueryData& d) { set_offset(d, n); }); }
  QuerySet offset(int64_t n) && { return change(std::move(*this), [n](QueryData& d) { set_offset(d, n); }); }
  // Row locks until the transaction ends (SELECT ... FOR UPDATE), as
  // Django's select_for_update(nowait=, skip_locked=, of=("self",)): only on
  // a Transaction executor (a UsageError otherwise), and a
  // NotSupportedError on SQLite, which locks the whole file instead.
  QuerySet select_for_update(ForUpdate o = {}) const& { return change(*this, [o](QueryData& d) { set_lock(d, o); }); }
  QuerySet select_for_update(ForUpdate o = {}) && { return change(std::move(*this), [o](QueryData& d) { set_lock(d, o); }); }
  // Loads the related objects of ForeignKey/OneToOne members in the same
  // query (a JOIN; LEFT for nullable ones), at any depth: "author",
  // "album__artist". Each row gets its own related objects.
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet select_related(const S&... paths) const& {
    return change(*this, [&](QueryData& d) { all_or_none(d, [&] { (add_select_related(d, std::string_view(paths)), ...); }); });
  }
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet select_related(const S&... paths) && {
    return change(std::move(*this),
                  [&](QueryData& d) { all_or_none(d, [&] { (add_select_related(d, std::string_view(paths)), ...); }); });
  }
  // Loads relations of any kind ("posts", "author", "posts__comments")
  // after the query, with one query per relation (keys batched under the
  // backend's parameter limit) instead of one per object. Objects that
  // point at the same row share one loaded object.
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet prefetch_related(const S&... paths) const& {
    return change(*this, [&](QueryData& d) { all_or_none(d, [&] { (add_prefetch(d, std::string_view(paths)), ...); }); });
  }
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet prefetch_related(const S&... paths) && {
    return change(std::move(*this),
                  [&](QueryData& d) { all_or_none(d, [&] { (add_prefetch(d, std::string_view(paths)), ...); }); });
  }
  // Asks the database to use index `name` (the seed's hint): SQLite's
  // INDEXED BY (an error there if no such index), a pg_hint_plan comment
  // on PostgreSQL (harmless without the extension). The name must be a
  // plain identifier (letters, digits, _): InvalidArgument otherwise.
  QuerySet hint(std::string_view index) const& { return change(*this, [&](QueryData& d) { set_hint(d, index); }); }
  QuerySet hint(std::string_view index) && { return change(std::move(*this), [&](QueryData& d) { set_hint(d, index); }); }
  // Keeps this query's results (all(), get(), first(), count(), exists(),
  // aggregate()) in the query cache for `ttl` (db/cache.hpp): a repeat
  // with the same SQL and parameters on the same database is served from
  // it until then, or until covet writes to a table it read. Not inside a
  // transaction.
  QuerySet cache(std::chrono::milliseconds ttl) const& { return change(*this, [ttl](QueryData& d) { d.cache_ttl = ttl; }); }
  QuerySet cache(std::chrono::milliseconds ttl) && { return change(std::move(*this), [ttl](QueryData& d) { d.cache_ttl = ttl; }); }
  QuerySet distinct(bool on = true) const& { return change(*this, [on](QueryData& d) { d.distinct = on; }); }
  QuerySet distinct(bool on = true) && { return change(std::move(*this), [on](QueryData& d) { d.distinct = on; }); }
  // Partial loading: only the named fields (the primary key always).
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet<T, Partial<T>> only(const S&... names) const {
    return only(std::vector<std::string_view>{std::string_view(names)...});
  }
  template <detail::name_range N>
  QuerySet<T, Partial<T>> only(const N& names) const {
    auto st = copy();
    QueryData* d = &st->data;
    std::vector<int> cols = d->model->primary_key;
    for (const auto& n : names) add_unique(cols, d->model->require(std::string_view(n)));
    d->columns = std::move(cols);
    return QuerySet<T, Partial<T>>(std::move(st));
  }
  // For a caller that reads only some members (a serializer writing its
  // fields): the same rows with only these fields and the key loaded into
  // T, the other members left as constructed. Unchanged when the query
  // already picks its columns or loads related objects.
  QuerySet loading_only(const std::vector<int>& fields) const {
    if (!s_->data.columns.empty() || !s_->data.related.empty() || !s_->data.prefetch.empty()) return *this;
    std::vector<int> cols = s_->data.model->primary_key;
    for (int f : fields) add_unique(cols, f);
    // Every field: the whole object, which loads in one driver call.
    if (cols.size() == s_->data.model->fields.size()) return *this;
    auto st = copy();
    QueryData* d = &st->data;
    d->columns = std::move(cols);
    return QuerySet(std::move(st));
  }
  // Partial loading: every field but the named ones.
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet<T, Partial<T>> defer(const S&... names) const {
    return defer(std::vector<std::string_view>{std::string_view(names)...});
  }
  template <detail::name_range N>
  QuerySet<T, Partial<T>> defer(const N& names) const {
    auto st = copy();
    QueryData* d = &st->data;
    std::vector<int> skip;
    for (const auto& n : names) skip.push_back(d->model->require(std::string_view(n)));
    d->columns.clear();
    for (std::size_t i = 0; i < d->model->fields.size(); ++i) {
      int f = static_cast<int>(i);
      bool deferred = false;
      for (int s : skip) deferred = deferred || s == f;
      if (d->model->field(f).primary_key && deferred)
        throw FieldError(d->model->name + ": the primary key cannot be deferred");
      if (!deferred) d->columns.push_back(f);
    }
    return QuerySet<T, Partial<T>>(std::move(st));
  }

  // ---- terminals ----
  std::vector<R> all() const {
    if (s_->data.cache_ttl.count() > 0) [[unlikely]]
      return through_cache<std::vector<R>>(QueryKind::Select, "all", [&] { return fetch_all(); },
                                           [](const std::vector<R>& v) { return v.size() * sizeof(R) + 64; });
    return fetch_all();
  }
  std::vector<R> fetch_all() const {
    std::vector<R> out;
    if (s_->data.limit) out.reserve(static_cast<std::size_t>(std::min<int64_t>(*s_->data.limit, 1024)));
    if constexpr (std::is_same_v<R, T>) {  // whole objects: the driver loads the result in one call
      // Per row: an object made in room already there (no registers to
      // save, no call); growing is the rare case, out of line.
      ObjectSink sink{[](void* state, const Row& row) -> void* {
                        auto& v = *static_cast<std::vector<R>*>(state);
                        if (v.size() != v.capacity()) [[likely]]
                          return &v.emplace_back();
                        return grow_and_add(v, row);
                      },
                      &out};
      orm::fetch_objects(ex(), s_->data, sink);
    } else if constexpr (std::is_same_v<R, Record> || std::is_same_v<R, std::vector<Value>>) {
      auto names = orm::value_names(s_->data);
      orm::fetch_values(ex(), s_->data, [&](std::vector<Value>&& vals) {
        if constexpr (std::is_same_v<R, Record>) out.emplace_back(names, std::move(vals));
        else out.push_back(std::move(vals));
      });
    } else {  // partial objects also record which fields they hold; annotated ones their annotations
      const std::vector<int>* cols = nullptr;
      orm::fetch(ex(), s_->data, cols, [&](const Row& row) {
        if (out.empty()) [[unlikely]]
          if (int64_t n = row.result_size(); n > 0) out.reserve(static_cast<std::size_t>(n));
        load_row(s_->data, out.emplace_back(), row, *cols);
      });
    }
    if constexpr (holds_objects) {
      if (!s_->data.prefetch.empty() && !out.empty()) {
      std::vector<void*> objs;
      objs.reserve(out.size());
        for (R& o : out) objs.push_back(&object_of_mut(o));
        orm::prefetch(ex(), *s_->data.model, objs, s_->data.prefetch);
      }
    }
    return out;
  }
  // Exactly one row: DoesNotExist / MultipleObjectsReturned otherwise.
  R get() const {
    // LIMIT 21, as Django: enough to tell "more than one" without reading all.
    std::vector<R> rows = (s_->data.limit ? *this : limit(21)).all();
    if (rows.empty()) orm::throw_does_not_exist(*s_->data.model, s_->data);
    if (rows.size() > 1) orm::throw_multiple(*s_->data.model, static_cast<int64_t>(rows.size()));
    return std::move(rows.front());
  }
  R get(const Q& q) const { return filter(q).get(); }
  R get(std::string_view lookup, Value v) const { return filter(lookup, std::move(v)).get(); }
  R get(Kwargs kwargs) const { return filter(kwargs).get(); }
  R get(KwargsView kwargs) const { return filter(kwargs).get(); }
  R get(const Where<T>& w) const { return filter(w).get(); }
  // The first row by the query's order (by primary key when unordered).
  // On a sliced query (limit/offset) both stay inside the slice.
  std::optional<R> first() const {
    auto rows = ordered_or_pk(false).subslice(0, 1).all();
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
  std::optional<R> last() const {
    // Reversing a sliced query would pick from outside the slice: count it instead.
    bool sliced = s_->data.limit || s_->data.offset;
    auto rows = sliced ? ordered_or_pk(false).subslice(std::max<int64_t>(0, count() - 1), 1).all()
                       : ordered_or_pk(true).limit(1).all();
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
  bool exists() const {
    if (s_->data.cache_ttl.count() > 0) [[unlikely]]
      return through_cache<bool>(QueryKind::Exists, "exists", [&] { return orm::exists(ex(), s_->data); });
    return orm::exists(ex(), s_->data);
  }
  int64_t count() const {
    if (s_->data.cache_ttl.count() > 0) [[unlikely]]
      return through_cache<int64_t>(QueryKind::Count, "count", [&] { return orm::count(ex(), s_->data); });
    return orm::count(ex(), s_->data);
  }
  // Django's values(): a query whose rows are name → Value records of the
  // named fields and annotations (every field and annotation when none are
  // named), relation spans included ("genre__name"). Chainable: filter,
  // order_by, distinct (distinct values), annotate (grouped by these
  // fields), count, paginate, iteration.
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet<T, Record> values(const S&... names) const {
    return as_values<Record>({std::string_view(names)...});
  }
  template <detail::name_range N>
  QuerySet<T, Record> values(const N& names) const {
    return as_values<Record>(std::vector<std::string_view>(std::begin(names), std::end(names)));
  }
  // The same with rows as lists of values, in the order named.
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet<T, std::vector<Value>> values_list(const S&... names) const {
    return as_values<std::vector<Value>>({std::string_view(names)...});
  }
  template <detail::name_range N>
  QuerySet<T, std::vector<Value>> values_list(const N& names) const {
    return as_values<std::vector<Value>>(std::vector<std::string_view>(std::begin(names), std::end(names)));
  }
  // Django's annotate(): each row (or, after values(), each group) gets the
  // named expressions, usable in filter (HAVING when they aggregate),
  // order_by and values. On a model query the rows become Annotated<T>
  // (the object, and its annotations by name); aggregates group by the
  // model's columns, joining LEFT so that rows without related rows count 0.
  auto annotate(NamedExprs exprs) const {
    static_assert(!std::is_same_v<R, Partial<T>>, "covet: annotate() after only()/defer() is not supported");
    using Out = std::conditional_t<std::is_same_v<R, T>, Annotated<T>, R>;
    auto st = copy();
    QueryData* d = &st->data;
    add_annotations(*d, named(exprs));
    return QuerySet<T, Out>(std::move(st));
  }
  // After values(...): the rows group by these names (the seed's
  // values("author_id").annotate(...).group_by("author_id")); every
  // selected name that does not aggregate must be among them (FieldError).
  template <class... S>
    requires(std::convertible_to<const S&, std::string_view> && ...)
  QuerySet group_by(const S&... names) const {
    std::vector<std::string_view> v{std::string_view(names)...};
    return change(*this, [&](QueryData& d) { set_group_by(d, v); });
  }
  // Django's aggregate(): the named aggregates over the matched rows, as
  // one record ({"total": 3, "views": 120}).
  Record aggregate(NamedExprs exprs) const {
    auto run = [&] { return orm::aggregate(ex(), s_->data, named(exprs)); };
    if (s_->data.cache_ttl.count() <= 0) return run();
    orm::AggregateCacheInfo info = orm::aggregate_cache_info(ex(), s_->data, named(exprs));
    return through_cache<Record>(QueryKind::Select, info.what, run, nullptr, &info.tables);
  }
  // UPDATE the matched rows; returns how many matched. Values are converted
  // to the fields' kinds and checked (unknown field → FieldError, a field
  // named twice → InvalidArgument).
  // Values, or expressions of the row's own columns, set in one statement:
  // update({{"view_count", F("view_count") + 1}}) increments atomically.
  int64_t update(Assignments sets) const {
    std::vector<std::pair<std::string_view, Value>> values;
    std::vector<std::pair<std::string_view, const Expr*>> exprs;
    for (const auto& [name, a] : sets) {
      if (a.expr) exprs.emplace_back(name, a.expr.get());
      else values.emplace_back(name, a.value);
    }
    return orm::update(ex(), s_->data, KwargsView(values), exprs);
  }
  int64_t update(KwargsView sets) const { return orm::update(ex(), s_->data, sets); }
  // DELETE the matched rows; returns how many.
  int64_t remove() const { return orm::remove(ex(), s_->data); }

  // One page (1-based). per_page < 1 or page < 1 → InvalidArgument; a page
  // past the end has no items (has_next false).
  Page<R> paginate(int64_t page, int64_t per_page) const {
    if (per_page < 1) throw InvalidArgument("paginate(): per_page must be at least 1");
    if (page < 1) throw InvalidArgument("paginate(): page numbers start at 1");
    Page<R> p;
    p.page = page;
    p.per_page = per_page;
    p.total = count();
    p.pages = std::max<int64_t>(1, p.total / per_page + (p.total % per_page != 0));
    p.has_previous = page > 1;
    p.has_next = page < p.pages;
    if (page <= p.pages) p.items = ordered_or_pk(false).subslice((page - 1) * per_page, per_page).all();
    return p;
  }

  // Objects by primary key: {key: object} for the keys that exist.
  template <class K>
  std::unordered_map<K, R> in_bulk(const std::vector<K>& ids) const {
    const ModelInfo& m = *s_->data.model;
    if (m.primary_key.size() != 1) throw InvalidArgument(m.name + ": in_bulk() needs a single-column primary key");
    const FieldInfo& pk = m.field(m.primary_key[0]);
    if (detail::codec_for<K>() != pk.codec)
      throw InvalidArgument(m.name + ": in_bulk() key type must be the primary key's member type");
    std::unordered_map<K, R> out;
    if (ids.empty()) return out;
    for (auto& obj : filter(pk.name + "__in", Value(ids)).all()) {
      const K& key = *static_cast<const K*>(pk.member(&object_of(obj)));
      out.emplace(key, std::move(obj));
    }
    return out;
  }

  // Iterates over the rows as they come from the database, one object at a
  // time; holds the connection until the loop ends.
  class Cursor {
   public:
    class iterator {
     public:
      using value_type = R;
      using difference_type = std::ptrdiff_t;
      iterator() = default;
      explicit iterator(Cursor* c) : c_(c) { ++*this; }
      R& operator*() const { return c_->current_; }
      R* operator->() const { return &c_->current_; }
      iterator& operator++() {
        if (c_->rows_.next()) c_->load_current();
        else c_ = nullptr;
        return *this;
      }
      void operator++(int) { ++*this; }
      bool operator==(const iterator& o) const { return c_ == o.c_; }

     private:
      Cursor* c_ = nullptr;
    };
    Cursor(orm::RowCursor rows, std::shared_ptr<const QueryData> data) : rows_(std::move(rows)), data_(std::move(data)) {}
    iterator begin() { return iterator(this); }
    iterator end() { return iterator(); }

    // For a writer that reads the rows itself (a serializer writing cells
    // straight out): the next row (null after the last), the fields the
    // query selects (in column order), and the current row loaded into the
    // cursor's object.
    const Row* next_row() { return rows_.next() ? &rows_.row() : nullptr; }
    const std::vector<int>& columns() const { return rows_.columns(); }
    bool loads_related() const { return rows_.loads_related(); }  // select_related: more columns per row
    R& load_current() {
      // A T is refilled row after row (every selected member is
      // overwritten; strings keep their buffers). A Partial starts afresh:
      // its loaded/assigned marks belong to one row.
      if constexpr (!std::is_same_v<R, T>) current_ = R{};
      load_row(*data_, current_, rows_.row(), rows_.columns());
      if constexpr (std::is_same_v<R, T>) rows_.load_related(&current_);
      return current_;
    }

   private:
    orm::RowCursor rows_;
    std::shared_ptr<const QueryData> data_;
    R current_{};
  };
  Cursor iterate() const {
    return Cursor(orm::RowCursor(ex(), s_->data), std::shared_ptr<const QueryData>(s_, &s_->data));
  }

  // ---- creation helpers (Django's manager methods) ----
  T create(T obj) const {
    orm::insert(ex(), *s_->data.model, &obj);
    return obj;
  }
  // Django's bulk_create: inserts `objs` with multi-row INSERTs of
  // `options.batch_size` rows (always under the backend's parameter
  // limit), all or none: in one transaction, or a savepoint inside the
  // caller's. Each new object's auto key is filled from RETURNING, in the
  // order of the VALUES rows (as Django relies on); objects whose key is
  // set keep it. default_factory, auto_now and the write checks apply as in
  // save(), to every object before anything is written. On failure nothing
  // is written and the new objects' keys are unset again.
  void bulk_create(std::span<T> objs, const BulkOptions& options = {}) const {
    unfiltered("bulk_create");
    orm::bulk_create(ex(), *s_->data.model, objs.data(), objs.size(), sizeof(T), options);
  }
  // Inserts `objs`, and where a row with the same `conflict_target`
  // (fields under a UNIQUE constraint or the key) exists, sets its
  // `update_fields` instead: INSERT ... ON CONFLICT ... DO UPDATE, batched
  // and all or none as bulk_create. Every object gets the key of its row
  // (new or updated).
  void bulk_upsert(std::span<T> objs, const std::vector<std::string>& conflict_target,
                   const std::vector<std::string>& update_fields, const BulkOptions& options = {}) const {
    unfiltered("bulk_upsert");
    orm::bulk_upsert(ex(), *s_->data.model, objs.data(), objs.size(), sizeof(T), conflict_target, update_fields, options);
  }
  // Django's bulk_update: sets `fields` of each object's row (by primary
  // key), one UPDATE per batch (CASE on the key), all or none. auto_now
  // fields among `fields` are set and the fields checked as in save().
  // Returns the rows matched.
  int64_t bulk_update(std::span<T> objs, const std::vector<std::string>& fields, const BulkOptions& options = {}) const {
    unfiltered("bulk_update");
    return orm::bulk_update(ex(), *s_->data.model, objs.data(), objs.size(), sizeof(T), fields, options);
  }
  // The bulk operations work on the model's rows by key: a filter or slice
  // on the QuerySet would not restrict them, so it is refused rather than
  // ignored.
  void unfiltered(const char* what) const {
    if (!s_->data.where.empty() || s_->data.limit || s_->data.offset)
      throw UsageError(std::string(what) + "() works on rows by primary key: call it on objects(db), not on a "
                                           "filtered or sliced QuerySet");
  }
  T create(Kwargs kwargs) const { return create(KwargsView(kwargs)); }
  T create(KwargsView kwargs) const {
    T obj{};
    orm::assign(*s_->data.model, &obj, kwargs, true);
    return create(std::move(obj));
  }
  // The object matching `lookup` (exact field values), or a new one made
  // from lookup + defaults. Returns {object, created}.
  // Two matches raise MultipleObjectsReturned. A concurrent insert of the
  // same unique key is caught (IntegrityError) and the winner's row returned.
  std::pair<T, bool> get_or_create(Kwargs lookup, Kwargs defaults = {}) const {
    return get_or_create(KwargsView(lookup), KwargsView(defaults));
  }
  std::pair<T, bool> get_or_create(KwargsView lookup, KwargsView defaults = {}) const {
    Transaction tx = ex().transaction();
    auto full = on(tx).filter(lookup).template as<T>();
    if (auto found = full.the_match()) {
      tx.commit();
      return {std::move(*found), false};
    }
    std::optional<T> created;
    try {
      Transaction sp = tx.transaction();  // a savepoint: a failed insert leaves the outer transaction usable
      created = on(tx).insert_from(lookup, defaults);
      sp.commit();
    } catch (const IntegrityError&) {
      auto found = full.the_match();
      if (!found) throw;
      tx.commit();
      return {std::move(*found), false};
    }
    tx.commit();
    return {std::move(*created), true};
  }
  // Updates the object matching `lookup` with `defaults`, or creates it.
  std::pair<T, bool> update_or_create(Kwargs lookup, Kwargs defaults = {}) const {
    return update_or_create(KwargsView(lookup), KwargsView(defaults));
  }
  std::pair<T, bool> update_or_create(KwargsView lookup, KwargsView defaults = {}) const {
    Transaction tx = ex().transaction();
    if (auto found = on(tx).filter(lookup).template as<T>().the_match()) {
      orm::assign(*s_->data.model, &*found, defaults, false);
      orm::save(tx, *s_->data.model, &*found);
      tx.commit();
      return {std::move(*found), false};
    }
    T obj = on(tx).insert_from(lookup, defaults);
    tx.commit();
    return {std::move(obj), true};
  }

  // ---- inspection ----
  const QueryData& data() const { return s_->data; }
  // The SELECT this QuerySet runs, for a dialect (the database's by default).
  std::string sql() const { return *compile_query(ex().dialect(), s_->data, QueryKind::Select).sql; }
  std::string sql(const Dialect& d) const { return *compile_query(d, s_->data, QueryKind::Select).sql; }
  CompiledQuery compiled(const Dialect& d, QueryKind kind = QueryKind::Select) const { return compile_query(d, s_->data, kind); }

 private:
  template <class, class>
  friend class QuerySet;

  explicit QuerySet(std::shared_ptr<const detail::QueryState> s) : s_(std::move(s)) {}

  // all()'s sink when the vector is full: room for the whole result when
  // the driver knows its size (on the first row), else the vector's growth.
  // Flattened: the growth moves every object made so far, and each member's
  // move (a std::string's) as an out-of-line call costs twice its inline
  // code (sqlite.hydrate_100k reads 100k rows with no size known ahead).
  [[gnu::noinline, gnu::flatten]] static void* grow_and_add(std::vector<R>& v, const Row& row) {
    if (v.empty())
      if (int64_t n = row.result_size(); n > 0) v.reserve(static_cast<std::size_t>(n));
    return &v.emplace_back();
  }
  // The unchanged query of a QuerySet without an executor (query<T>()):
  // one for the program (never destroyed, so a QuerySet in a static object
  // may outlive main), held without a control block (no reference count to
  // change; its use_count() of 0 makes the first chained call copy it).
  static std::shared_ptr<const detail::QueryState> initial() {
    static const detail::QueryState* const base = [] {
      auto* s = new detail::QueryState();
      s->data.model = &model_info<T>();
      return s;
    }();
    return std::shared_ptr<const detail::QueryState>(std::shared_ptr<const detail::QueryState>(), base);
  }
  std::shared_ptr<detail::QueryState> copy() const {
    return detail::copy_query_state(*s_);  // room for a chain of filters (see QueryData's copy)
  }
  const Executor& ex() const {
    if (!s_->ex) orm::throw_unbound();
    return s_->ex->get();
  }
  // The same query on another executor (get_or_create's transaction).
  QuerySet on(const Executor& ex) const { return QuerySet(detail::copy_query_state(ex, s_->data)); }
  // The state for a chained call: the QuerySet's own when it is a temporary
  // whose state nobody else shares, otherwise a copy; `f` changes it.
  template <class Self, class F>
  static QuerySet change(Self&& self, F&& f) {
    if constexpr (std::is_rvalue_reference_v<Self&&> && !std::is_const_v<std::remove_reference_t<Self>>) {
      if (self.s_.use_count() == 1) {
        auto st = std::const_pointer_cast<detail::QueryState>(std::move(self.s_));
        try {
          f(st->data);
        } catch (...) {
          self.s_ = std::move(st);
          throw;
        }
        return QuerySet(std::move(st));
      }
    }
    auto st = self.copy();
    f(st->data);
    return QuerySet(std::move(st));
  }
  template <class Self>
  static QuerySet where(Self&& self, const Q& q, bool negate) {
    if (q.empty()) return QuerySet(std::forward<Self>(self));
    if (self.s_->data.limit || self.s_->data.offset) orm::throw_sliced(negate ? "exclude" : "filter");
    return change(std::forward<Self>(self), [&](QueryData& d) {
      WhereNode w = resolve(d, q, negate);
      if (negate) w.negated = !w.negated;
      d.where.push_back(std::move(w));
    });
  }
  // One condition: resolved straight into the tree, no Q built.
  template <class Self>
  static QuerySet where(Self&& self, std::string_view path, const Value& v, bool negate) {
    if (self.s_->data.limit || self.s_->data.offset) orm::throw_sliced(negate ? "exclude" : "filter");
    return change(std::forward<Self>(self), [&](QueryData& d) {
      WhereNode& w = d.where.emplace_back();
      try {
        resolve_into(d, w, path, v, negate);
      } catch (...) {
        d.where.pop_back();
        throw;
      }
      w.negated = negate;
    });
  }
  static QuerySet in_query(const QuerySet& self, std::string_view path, const QueryData& sub, bool negate) {
    if (self.s_->data.limit || self.s_->data.offset) orm::throw_sliced(negate ? "exclude" : "filter");
    return change(self, [&](QueryData& d) {
      WhereNode w;
      resolve_in_subquery(d, w, path, sub, negate);
      w.negated = negate;
      d.where.push_back(std::move(w));
    });
  }
  template <class Self>
  static QuerySet ordered(Self&& self, const std::string_view* names, std::size_t n) {
    if (self.s_->data.limit || self.s_->data.offset) orm::throw_sliced("order_by");
    return change(std::forward<Self>(self), [&](QueryData& d) {
      OrderTerm few[8];  // order_by() names a few fields; more go to the heap
      std::vector<OrderTerm> many;
      OrderTerm* terms = few;
      if (n > std::size(few)) many.resize(n), terms = many.data();
      all_or_none(d, [&] {
        for (std::size_t i = 0; i < n; ++i) terms[i] = resolve_order(d, names[i]);
      });
      assign_order(d, terms, n);
    });
  }
  static void set_lock(QueryData& d, ForUpdate o) {
    if (o.nowait && o.skip_locked) throw InvalidArgument("select_for_update(): nowait and skip_locked cannot both be set");
    d.lock = o.nowait ? RowLock::UpdateNowait : o.skip_locked ? RowLock::UpdateSkipLocked : RowLock::Update;
    d.lock_of_self = o.of_self;
  }
  // Runs `f` on `d`; when it throws, the joins, loads and prefetches it
  // added are taken back (a call naming several paths changes all or none).
  template <class F>
  static void all_or_none(QueryData& d, F&& f) {
    if (d.joins.empty() && d.related.empty() && d.prefetch.empty()) {  // nothing to copy
      try {
        f();
      } catch (...) {
        d.joins.clear();
        d.related.clear();
        d.prefetch.clear();
        throw;
      }
      return;
    }
    QueryCheckpoint saved(d);
    try {
      f();
    } catch (...) {
      saved.restore();
      throw;
    }
  }
  static void set_hint(QueryData& d, std::string_view index) {
    bool ok = !index.empty() && index.size() <= 63 && !(index[0] >= '0' && index[0] <= '9');
    for (char c : index) ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
    if (!ok) throw InvalidArgument("hint(): '" + std::string(index) + "' is not a plain index name (letters, digits, _)");
    d.index_hint = std::string(index);
  }
  static void set_limit(QueryData& d, int64_t n) {
    if (n < 0) throw InvalidArgument("limit() must not be negative");
    d.limit = n;
  }
  static void set_offset(QueryData& d, int64_t n) {
    if (n < 0) throw InvalidArgument("offset() must not be negative");
    d.offset = n;
  }
  // A new object from a lookup's exact fields plus defaults, inserted.
  T insert_from(KwargsView lookup, KwargsView defaults) const {
    T obj{};
    orm::assign(*s_->data.model, &obj, defaults, true);
    orm::assign_from_lookup(*s_->data.model, &obj, lookup, defaults);
    orm::insert(ex(), *s_->data.model, &obj);
    return obj;
  }
  template <class Other>
  QuerySet<T, Other> as() const {
    auto st = copy();
    QueryData* d = &st->data;
    d->columns.clear();  // whole objects: a partial one would save its defaults over the row
    return QuerySet<T, Other>(std::move(st));
  }
  // The one matching row, none, or MultipleObjectsReturned.
  std::optional<T> the_match() const {
    auto rows = limit(2).all();
    if (rows.size() > 1) orm::throw_multiple(*s_->data.model, static_cast<int64_t>(rows.size()));
    if (rows.empty()) return std::nullopt;
    return std::move(rows.front());
  }
  // Rows [start, start + n) of what this query selects (Django's slice of a slice).
  QuerySet subslice(int64_t start, int64_t n) const {
    auto st = copy();
    QueryData* d = &st->data;
    if (d->limit) n = std::max<int64_t>(0, std::min(n, *d->limit - start));
    d->offset += start;
    d->limit = n;
    return QuerySet(std::move(st));
  }
  QuerySet ordered_or_pk(bool reverse) const {
    auto st = copy();
    QueryData* d = &st->data;
    if (d->order.empty())
      for (int f : d->model->primary_key) d->order.push_back({f, false});
    if (reverse)
      for (auto& o : d->order) o.descending = !o.descending;
    return QuerySet(std::move(st));
  }
  static std::vector<std::vector<Value>> rows_of(std::vector<Record> records) {
    std::vector<std::vector<Value>> out;
    out.reserve(records.size());
    for (auto& r : records) out.push_back(r.values());
    return out;
  }
  static void add_unique(std::vector<int>& v, int i) {
    for (int x : v)
      if (x == i) return;
    v.push_back(i);
  }
  // One row into whatever this query's rows are.
  static void load_row(const QueryData& q, R& obj, const Row& row, const std::vector<int>& cols) {
    if constexpr (std::is_same_v<R, Record>) {
      obj = Record(orm::value_names(q), orm::read_values(q, row));
    } else if constexpr (std::is_same_v<R, std::vector<Value>>) {
      obj = orm::read_values(q, row);
    } else if constexpr (std::is_same_v<R, Annotated<T>>) {
      orm::hydrate(*q.model, cols, row, &obj.object);
      if (!q.related.empty()) orm::load_related(orm::related_segments(q, cols.size()), row, &obj.object);
      auto fresh = std::make_shared<std::vector<std::string>>();
      for (const Annotation& a : q.annotations) fresh->push_back(a.name);
      obj.annotations = Record(std::move(fresh), orm::read_annotations(q, row, orm::annotation_column(q, cols.size())));
    } else {
      hydrate_into(*q.model, obj, row, cols);
    }
  }
  // The result of `run` through the query cache (see cache()).
  template <class V, class Run, class Size = std::nullptr_t>
  V through_cache(QueryKind kind, std::string_view what, Run&& run, Size size = nullptr,
                  const std::vector<std::string>* tables = nullptr) const {
    std::string key = orm::cache_key(ex(), s_->data, kind, what);
    if (key.empty()) return run();  // inside a transaction
    auto backend = query_cache();
    if (auto hit = backend->get(key, typeid(V))) return *static_cast<const V*>(hit.get());
    detail::note_query_cache_used();
    auto value = std::make_shared<const V>(run());
    std::size_t bytes = sizeof(V);
    if constexpr (!std::is_same_v<Size, std::nullptr_t>) bytes = size(*value);
    backend->put(key, value, typeid(V), bytes, s_->data.cache_ttl, tables ? *tables : orm::tables_read(s_->data));
    return *value;
  }
  template <class Out>
  QuerySet<T, Out> as_values(const std::vector<std::string_view>& names) const {
    auto st = copy();
    QueryData* d = &st->data;
    set_values(*d, names);
    return QuerySet<T, Out>(std::move(st));
  }
  static std::vector<std::pair<std::string, Expr>> named(NamedExprs exprs) {
    std::vector<std::pair<std::string, Expr>> out;
    for (const auto& [n, e] : exprs) out.emplace_back(std::string(n), e);
    return out;
  }
  static void hydrate_into(const ModelInfo& m, R& obj, const Row& row, const std::vector<int>& cols) {
    if constexpr (std::is_same_v<R, T>) {
      orm::hydrate(m, cols, row, &obj);
    } else {
      orm::hydrate(m, cols, row, &obj.raw());
      for (int c : cols) obj.mark(c);
    }
  }
  static constexpr bool holds_objects = !std::is_same_v<R, Record> && !std::is_same_v<R, std::vector<Value>>;
  static T& object_of_mut(R& obj) {
    if constexpr (std::is_same_v<R, T>) return obj;
    else if constexpr (std::is_same_v<R, Annotated<T>>) return obj.object;
    else return obj.raw();
  }
  static const T& object_of(const R& obj) { return object_of_mut(const_cast<R&>(obj)); }

  // The executor and the query, shared until a chained call changes them.
  std::shared_ptr<const detail::QueryState> s_;
};

// A QuerySet with no database, for compiling SQL (tests, sql()).
template <class T>
QuerySet<T> query() {
  return QuerySet<T>();
}

// Whether the query has rows, as an expression of an outer query (its
// OuterRef("...") conditions name the outer query's columns):
//   User::objects(db).filter(Exists(Post::objects(db).filter("author", OuterRef("id"))))
template <class T, class R>
Expr Exists(const QuerySet<T, R>& q) {
  return detail::subquery_expr(q.data(), true);
}
// The query's one value (values("...") of one name; NULL without rows), as
// an expression of an outer query, usually sliced to one row:
//   Subquery(Post::objects(db).filter("author", OuterRef("id")).order_by("-id").values("title").limit(1))
template <class T, class R>
Expr Subquery(const QuerySet<T, R>& q) {
  return detail::subquery_expr(q.data(), false);
}

}  // namespace covet
