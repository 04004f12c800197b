#include "covet/orm/executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "covet/core/error.hpp"
#include "covet/schema/field_kind.hpp"
#include "covet/schema/registry.hpp"

namespace covet::detail {

namespace {
// One freed block of a QueryState's size, kept per thread (a block freed on
// another thread than it was made on simply stays there). Once the thread's
// copy is destroyed (a query built in a static destructor), blocks come
// from the heap and go back to it. Under AddressSanitizer nothing is kept,
// so a use of a freed QueryState is still reported.
struct SpareBlock {
  void* p = nullptr;
  std::size_t bytes = 0;
  bool gone = false;
  ~SpareBlock() {
    ::operator delete(p);
    p = nullptr;
    gone = true;
  }
};
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kRecycle = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kRecycle = false;
#else
constexpr bool kRecycle = true;
#endif
#else
constexpr bool kRecycle = true;
#endif
thread_local SpareBlock spare_block;

template <class T>
struct RecyclingAlloc {
  using value_type = T;
  RecyclingAlloc() = default;
  template <class U>
  RecyclingAlloc(const RecyclingAlloc<U>&) noexcept {}
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (spare_block.p && spare_block.bytes == bytes) return static_cast<T*>(std::exchange(spare_block.p, nullptr));
    return static_cast<T*>(::operator new(bytes));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (kRecycle && !spare_block.p && !spare_block.gone) {
      spare_block.p = p;
      spare_block.bytes = n * sizeof(T);
      return;
    }
    ::operator delete(p);
  }
  template <class U>
  bool operator==(const RecyclingAlloc<U>&) const noexcept {
    return true;
  }
};
}  // namespace

std::shared_ptr<QueryState> new_query_state(const Executor& ex, const ModelInfo& m) {
  return std::allocate_shared<QueryState>(RecyclingAlloc<QueryState>(), HeldExecutor(ex), m);
}
std::shared_ptr<QueryState> copy_query_state(const QueryState& s) {
  return std::allocate_shared<QueryState>(RecyclingAlloc<QueryState>(), s);
}
std::shared_ptr<QueryState> copy_query_state(const Executor& ex, const QueryData& q) {
  return std::allocate_shared<QueryState>(RecyclingAlloc<QueryState>(), std::optional<HeldExecutor>(HeldExecutor(ex)), q);
}

}  // namespace covet::detail

namespace covet::orm {

namespace {
// The loads of `columns` in column order: the model's own for every field,
// else built into `partial`.
const MemberLoad* loads_of(const ModelInfo& m, const std::vector<int>& columns, std::vector<MemberLoad>& partial) {
  if (&columns == m.all_columns.get()) return m.loads.data();
  partial.clear();
  for (int c : columns) partial.push_back(m.loads[static_cast<std::size_t>(c)]);
  return partial.data();
}
}  // namespace

void hydrate_columns(const ModelInfo& m, const std::vector<int>& columns, const Row& row, void* obj) {
  // A cursor or partial objects come here once per row: the partial loads
  // are built on the first and kept while the model and columns are the
  // same (compared as the column numbers and the model's own loads).
  const MemberLoad* loads;
  if (&columns == m.all_columns.get()) {
    loads = m.loads.data();
  } else {
    thread_local struct {
      const MemberLoad* model_loads = nullptr;
      std::vector<int> columns;
      std::vector<MemberLoad> loads;
    } cache;
    if (cache.model_loads != m.loads.data() || cache.columns != columns) {
      loads_of(m, columns, cache.loads);
      cache.model_loads = m.loads.data();
      cache.columns = columns;
    }
    loads = cache.loads.data();
  }
  try {
    row.load(loads, columns.size(), obj, &m);
  } catch (const InvalidArgument& e) {  // text the codec cannot read ("invalid datetime 'x'")
    // Find the column that failed by loading one at a time (the error path only).
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const FieldInfo& f = m.field(columns[i]);
      try {
        f.codec->load(f.member(obj), row, static_cast<int>(i), f);
      } catch (const InvalidArgument&) {
        throw DataError(
            fmt::format("{}.{} (column '{}'): the stored value cannot be read: {}", m.name, f.name, f.column, e.what()));
      }
    }
    throw DataError(fmt::format("{}: a stored value cannot be read: {}", m.name, e.what()));
  }
}

Value read_value(const FieldInfo& f, const Row& row, int col) {
  if (row.is_null(col)) return Value();
  try {
    return kind_ops(f.kind).read(f, row, col);
  } catch (const InvalidArgument& e) {  // as hydrate_columns: a stored value covet cannot represent
    throw DataError(fmt::format("{} (column '{}'): the stored value cannot be read: {}", f.name, f.column, e.what()));
  }
}

namespace {
// Runs `attempt` on a lease for a read. A read that a replica failed before
// `started()` (any row arrived) runs again elsewhere (another replica or
// the primary); reads are safe to repeat.
template <class Attempt, class Started>
auto on_read_lease(const Executor& ex, Attempt&& attempt, Started&& started) {
  for (int tries = 0;; ++tries) {
    Lease lease = ex.lease(Access::Read);
    try {
      return attempt(lease);
    } catch (const OperationalError& e) {
      if (!e.poisons_connection() || started() || tries >= 2 || !ex.replica_failed(lease)) throw;
    }
  }
}

// The plan of a compiled query: its text and its collected parameters.
int64_t run_compiled(const Executor& ex, const CompiledQuery& c, FunctionRef<void(const Row&)> sink,
                     Access access = Access::Write) {
  if (access != Access::Read) {
    Lease lease = ex.lease(access);
    return lease.run(*c.sql, c.params, sink);
  }
  bool any_row = false;
  return on_read_lease(
      ex,
      [&](Lease& lease) {
        any_row = false;
        return lease.run(*c.sql, c.params, [&](const Row& row) {
          any_row = true;
          sink(row);
        });
      },
      [&] { return any_row; });
}
}  // namespace

namespace {
void check_lock(const Executor& ex, const QueryData& q) {
  if (q.lock != RowLock::None && !ex.in_transaction())
    throw UsageError("select_for_update() runs only inside a transaction (objects(tx)): its row locks last until the "
                     "transaction ends, and outside one they would end with the statement");
}
}  // namespace

void fetch(const Executor& ex, const QueryData& q, const std::vector<int>*& columns, FunctionRef<void(const Row&)> on_row) {
  check_lock(ex, q);
  CompiledQuery c = compile_query(ex.dialect(), q, QueryKind::Select);
  columns = c.columns.get();
  run_compiled(ex, c, on_row, Access::Read);
}

void fetch_objects(const Executor& ex, const QueryData& q, ObjectSink& sink) {
  check_lock(ex, q);
  // Run at once, with no other compile on this thread until it is done
  // (the sink only makes objects): the text may be borrowed.
  CompiledQuery c = compile_select_transient(ex.dialect(), q);
  const ModelInfo& m = *q.model;
  const std::vector<int>& columns = *c.columns;
  std::vector<MemberLoad> partial;
  const MemberLoad* loads = loads_of(m, columns, partial);
  std::vector<RelatedSegment> related;
  if (!q.related.empty()) related = related_segments(q, columns.size());
  // The SQL's LIMIT (not 0: that statement still runs, for its errors).
  if (q.limit && *q.limit > 0) sink.max_rows = std::min(sink.max_rows, *q.limit);
  auto consume = [&](Statement& st) {
    try {
      if (related.empty()) {
        st.load_rows(loads, columns.size(), &m, sink);
        return;
      }
      // select_related: the row's own columns, then each related object's
      for (int64_t left = sink.max_rows; left > 0 && st.step(); --left) {
        const Row& row = st.row();
        sink.last = sink.next(sink.state, row);
        row.load(loads, columns.size(), sink.last, &m);
        load_related(related, row, sink.last);
      }
    } catch (const InvalidArgument& e) {
      if (!sink.last) throw;
      hydrate_columns(m, columns, st.row(), sink.last);  // the DataError that names the column
      throw DataError(fmt::format("{}: a stored value cannot be read: {}", m.name, e.what()));
    }
  };
  on_read_lease(ex, [&](Lease& lease) { lease.run_consuming(*c.sql, c.params, consume); },
                [&] { return sink.last != nullptr; });
}

std::shared_ptr<const std::vector<std::string>> value_names(const QueryData& q) {
  auto names = std::make_shared<std::vector<std::string>>();
  for (const Annotation& v : q.values) names->push_back(v.name);
  return names;
}

std::vector<Value> read_values(const QueryData& q, const Row& row) {
  std::vector<Value> vals;
  vals.reserve(q.values.size());
  for (std::size_t i = 0; i < q.values.size(); ++i) vals.push_back(read_value(q.values[i].expr.out, row, static_cast<int>(i)));
  return vals;
}

void fetch_values(const Executor& ex, const QueryData& q, FunctionRef<void(std::vector<Value>&&)> on_row) {
  check_lock(ex, q);
  CompiledQuery c = compile_query(ex.dialect(), q, QueryKind::Select);
  bool any = false;
  on_read_lease(
      ex,
      [&](Lease& lease) {
        any = false;
        lease.run(*c.sql, c.params, [&](const Row& row) {
          any = true;
          on_row(read_values(q, row));
        });
      },
      [&] { return any; });
}

int annotation_column(const QueryData& q, std::size_t base_columns) {
  std::size_t col = base_columns;
  for (const RelatedLoad& r : q.related) col += alias_model(q, r.alias).fields.size();
  return static_cast<int>(col + q.extra.size());
}

std::vector<Value> read_annotations(const QueryData& q, const Row& row, int first) {
  std::vector<Value> vals;
  vals.reserve(q.annotations.size());
  for (std::size_t i = 0; i < q.annotations.size(); ++i)
    vals.push_back(read_value(q.annotations[i].expr.out, row, first + static_cast<int>(i)));
  return vals;
}

namespace {
// The query aggregate() resolves its aggregates on: ordering matters only
// to a slice (then the query becomes a subquery, ordered).
QueryData aggregate_base(const QueryData& q) {
  QueryData q1 = q;
  if (!q1.limit && !q1.offset) q1.order.clear();
  return q1;
}
}  // namespace

AggregateCacheInfo aggregate_cache_info(const Executor& ex, const QueryData& q,
                                        const std::vector<std::pair<std::string, Expr>>& exprs) {
  QueryData q1 = aggregate_base(q);
  std::vector<Annotation> aggs = resolve_aggregates(q1, exprs);
  CompiledQuery c = compile_aggregate(ex.dialect(), q1, aggs);
  AggregateCacheInfo out;
  out.what = "aggregate\x1f" + *c.sql;
  for (const Annotation& a : aggs) out.what += "\x1f" + a.name;
  for (const Value& v : c.params) out.what += fmt::format("\x1f{}:{}", static_cast<int>(v.type()), v.to_string());
  q1.annotations.insert(q1.annotations.end(), aggs.begin(), aggs.end());  // their subqueries' tables too
  out.tables = tables_read(q1);
  return out;
}

Record aggregate(const Executor& ex, const QueryData& q, const std::vector<std::pair<std::string, Expr>>& exprs) {
  QueryData q1 = aggregate_base(q);  // the aggregates' joins go on a copy
  std::vector<Annotation> aggs = resolve_aggregates(q1, exprs);
  CompiledQuery c = compile_aggregate(ex.dialect(), q1, aggs);
  auto names = std::make_shared<std::vector<std::string>>();
  for (const Annotation& a : aggs) names->push_back(a.name);
  std::vector<Value> vals;
  run_compiled(
      ex, c,
      [&](const Row& row) {
        for (std::size_t i = 0; i < aggs.size(); ++i) vals.push_back(read_value(aggs[i].expr.out, row, static_cast<int>(i)));
      },
      Access::Read);
  return Record(std::move(names), std::move(vals));
}

void raw(const Executor& ex, const ModelInfo& m, const std::string& sql, const std::vector<Value>& params,
         FunctionRef<void*()> next) {
  auto same = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
  };
  std::vector<std::pair<int, int>> columns;  // result column, field
  bool mapped = false;
  Lease lease = ex.lease();
  lease.run(sql, params, [&](const Row& row) {
    if (!mapped) {
      for (int c = 0; c < row.column_count(); ++c) {
        std::string_view name = row.column_name(c);
        for (std::size_t f = 0; f < m.fields.size(); ++f)
          if (same(m.fields[f].column, name) || same(m.fields[f].name, name)) {
            bool taken = false;
            for (const auto& [_, g] : columns) taken = taken || g == static_cast<int>(f);
            if (!taken) columns.emplace_back(c, static_cast<int>(f));
            break;
          }
      }
      mapped = true;
    }
    void* obj = next();
    for (const auto& [c, fi] : columns) {
      const FieldInfo& f = m.field(fi);
      try {
        f.codec->load(f.member(obj), row, c, f);
      } catch (const InvalidArgument& e) {
        throw DataError(fmt::format("{}.{} (column '{}'): the value cannot be read: {}", m.name, f.name, row.column_name(c), e.what()));
      }
    }
  });
}

std::string cache_key(const Executor& ex, const QueryData& q, QueryKind kind, std::string_view what) {
  if (q.cache_ttl.count() <= 0 || ex.in_transaction()) return {};
  CompiledQuery c = compile_query(ex.dialect(), q, kind);
  std::string key = fmt::format("{}\x1f{}\x1f{}", ex.database_id(), what, *c.sql);
  for (const Value& v : c.params) {
    key += '\x1f';
    key += std::to_string(static_cast<int>(v.type()));
    key += ':';
    key += v.to_string();
  }
  return key;
}

namespace {
void add_tables(const QueryData& q, std::vector<std::string>& out) {
  auto add = [&](const std::string& t) {
    for (const std::string& x : out)
      if (x == t) return;
    out.push_back(t);
  };
  add(q.model->table);
  for (const Join& j : q.joins) add(j.model->table);
  for_each_subquery(q, [&](const QueryData& sub) { add_tables(sub, out); });
  for (const std::string& path : q.prefetch) {  // the tables prefetch reads too
    const ModelInfo* m = q.model;
    for (std::string_view rest = path; !rest.empty() && m;) {
      std::size_t sep = rest.find("__");
      auto step = relation_step(*m, rest.substr(0, sep));
      if (!step) break;
      if (step->through) add(step->through->table);
      add(step->target->table);
      m = step->target;
      rest = sep == std::string_view::npos ? std::string_view() : rest.substr(sep + 2);
    }
  }
}
}  // namespace

std::vector<std::string> tables_read(const QueryData& q) {
  std::vector<std::string> out;
  add_tables(q, out);
  return out;
}

void invalidate_after_write(const ModelInfo& m, bool deleting) {
  if (!detail::query_cache_used()) return;
  detail::invalidate_table(m.table);
  if (!deleting) return;
  std::vector<const ModelInfo*> seen{&m};
  for (std::size_t i = 0; i < seen.size(); ++i)  // rows that cascade (or are set NULL), transitively
    for (const auto& [other, r] : relations_to(*seen[i]))
      if (std::find(seen.begin(), seen.end(), other) == seen.end()) {
        seen.push_back(other);
        detail::invalidate_table(other->table);
      }
}

int64_t count(const Executor& ex, const QueryData& q) {
  CompiledQuery c = compile_query(ex.dialect(), q, QueryKind::Count);
  int64_t n = 0;
  run_compiled(ex, c, [&](const Row& row) { n = row.get_int(0); }, Access::Read);
  return n;
}

bool exists(const Executor& ex, const QueryData& q) {
  if (q.limit && *q.limit == 0) return false;  // an empty slice (the SQL below takes one row)
  CompiledQuery c = compile_query(ex.dialect(), q, QueryKind::Exists);
  bool found = false;
  run_compiled(ex, c, [&](const Row&) { found = true; }, Access::Read);
  return found;
}

int64_t update(const Executor& ex, const QueryData& q, KwargsView sets) { return update(ex, q, sets, {}); }

int64_t update(const Executor& ex, const QueryData& q, KwargsView sets,
               const std::vector<std::pair<std::string_view, const Expr*>>& exprs) {
  std::vector<std::pair<int, Value>> resolved = resolve_assignments(*q.model, sets, "update()");
  QueryData q1 = q;
  std::vector<std::pair<int, RExpr>> computed;
  for (const auto& [name, e] : exprs) {
    int i = q.model->require(name);
    for (const auto& [j, _] : resolved)
      if (j == i) throw InvalidArgument(fmt::format("{}: update() names field '{}' more than once", q.model->name, name));
    for (const auto& [j, _] : computed)
      if (j == i) throw InvalidArgument(fmt::format("{}: update() names field '{}' more than once", q.model->name, name));
    if (q.model->field(i).primary_key && q.model->has_auto_pk())
      throw FieldError(fmt::format("{}.{}: update() does not change an auto-increment primary key", q.model->name, name));
    computed.emplace_back(i, resolve_update_expr(q1, i, *e));
  }
  ValidationError::Errors errors;
  for (const auto& [i, cv] : resolved) {
    const FieldInfo& f = q.model->field(i);
    if (f.primary_key && q.model->primary_key.size() == 1 && f.auto_increment)
      throw FieldError(fmt::format("{}.{}: update() does not change an auto-increment primary key", q.model->name, f.name));
    // The same write check as save(): length, precision, choices, text validity.
    for (std::string& problem : write_problems(f, cv)) errors[f.name].push_back(std::move(problem));
  }
  if (!errors.empty()) throw ValidationError(std::move(errors));
  CompiledQuery c = compile_update(ex.dialect(), q1, resolved, computed);
  int64_t n = run_compiled(ex, c, no_rows);
  invalidate_after_write(*q.model);
  return n;
}

int64_t remove(const Executor& ex, const QueryData& q) {
  check_protected(ex, q);
  CompiledQuery c = compile_query(ex.dialect(), q, QueryKind::Delete);
  int64_t n = run_compiled(ex, c, no_rows);
  invalidate_after_write(*q.model, true);
  return n;
}

std::vector<int> field_indexes(const ModelInfo& m, std::initializer_list<std::string_view> names) {
  std::vector<int> out;
  for (std::string_view n : names) out.push_back(m.require(n));
  return out;
}

RowCursor::RowCursor(const Executor& ex, const QueryData& q)
    : ex_((check_lock(ex, q), ex)),
      lease_(ex_.get().lease(Access::Read)),
      compiled_(compile_query(ex_.get().dialect(), q, QueryKind::Select)),
      st_(lease_.open(*compiled_.sql, compiled_.params)),
      related_(related_segments(q, compiled_.columns->size())) {
  if (!q.prefetch.empty())
    throw NotSupportedError("prefetch_related() needs the whole result: use all(), not iterate()");
}

std::vector<RelatedSegment> related_segments(const QueryData& q, std::size_t base_columns) {
  std::vector<RelatedSegment> out;
  if (q.related.empty()) return out;
  if (base_columns != q.model->fields.size())
    throw NotSupportedError(q.model->name + ": select_related() loads whole objects; it cannot follow only()/defer()");
  int col = static_cast<int>(base_columns);
  for (const RelatedLoad& r : q.related) {
    const ModelInfo& t = alias_model(q, r.alias);
    out.push_back(RelatedSegment{&t, r.relation, r.parent, col, col + t.primary_key[0]});
    col += static_cast<int>(t.fields.size());
  }
  return out;
}

void load_related(const std::vector<RelatedSegment>& segments, const Row& row, void* obj) {
  void* objs[64];
  for (std::size_t i = 0; i < segments.size() && i < 64; ++i) {
    const RelatedSegment& s = segments[i];
    void* parent = s.parent < 0 ? obj : objs[s.parent];
    objs[i] = nullptr;
    if (!parent) continue;  // its parent relation had no row
    void* member = static_cast<char*>(parent) + s.relation->offset;
    if (row.is_null(s.key_column)) {
      s.relation->ops.set_none(member);
      continue;
    }
    void* related = s.relation->ops.emplace(member);
    try {
      row.load_at(s.model->loads.data(), s.model->fields.size(), s.first_column, related, s.model);
    } catch (const InvalidArgument& e) {
      throw DataError(fmt::format("{} (select_related '{}'): a stored value cannot be read: {}", s.model->name,
                                  s.relation->name, e.what()));
    }
    objs[i] = related;
  }
}

bool RowCursor::next() {
  try {
    return st_->step();
  } catch (const DatabaseError&) {
    lease_.connection().note_failure();
    throw;
  }
}

void throw_unbound() {
  throw UsageError("this QuerySet has no Database: build it with Model::objects(db) or QuerySet<T>(db)");
}

void throw_sliced(std::string_view what) {
  throw InvalidArgument(fmt::format("cannot {} a query once a slice has been taken (limit()/offset()); call {}() "
                                    "before limit() and offset()",
                                    what == "order_by" ? "reorder" : what, what));
}

void throw_does_not_exist(const ModelInfo& m, const QueryData&) {
  throw DoesNotExist(fmt::format("{} matching query does not exist", m.name));
}

void throw_multiple(const ModelInfo& m, int64_t n) {
  throw MultipleObjectsReturned(fmt::format("get() returned more than one {} -- it returned {}", m.name,
                                            n > 20 ? std::string("more than 20") : std::to_string(n)));
}

}  // namespace covet::orm
