// prefetch_related and fetch(): each relation on a path loaded for a list
// of objects with one query per relation (per chunk of keys), then the
// related objects handed to their owners' members through RelationOps.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "covet/core/error.hpp"
#include "covet/orm/executor.hpp"
#include "covet/schema/registry.hpp"

namespace covet::orm {

namespace {

struct ValueLess {
  bool operator()(const Value& a, const Value& b) const { return (a <=> b) < 0; }
};

std::pair<std::string_view, std::string_view> split_first(std::string_view path) {
  std::size_t sep = path.find("__");
  if (sep == std::string_view::npos) return {path, {}};
  return {path.substr(0, sep), path.substr(sep + 2)};
}

// The rows of `t` whose `field` is one of `keys`, ordered by t's key, each
// in a new object (made by `r`'s ops) handed to `on_object`. Keys go in
// chunks under the backend's parameter limit, on one connection.
void fetch_in(const Executor& ex, const ModelInfo& t, int field, const std::vector<Value>& keys, const RelationInfo& r,
              FunctionRef<void(const std::shared_ptr<void>&)> on_object) {
  if (keys.empty()) return;
  Lease lease = ex.lease(Access::Read);
  const std::size_t chunk =
      std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, lease.connection().max_parameters() - 1)), 1, 10'000);
  for (std::size_t from = 0; from < keys.size(); from += chunk) {
    QueryData q;
    q.model = &t;
    WhereNode& w = q.where.emplace_back();
    w.kind = QNode::Kind::Leaf;
    w.filter.field = field;
    w.filter.lookup = Lookup::In;
    const std::size_t to = std::min(keys.size(), from + chunk);
    w.filter.value = Value(Array(keys.begin() + static_cast<std::ptrdiff_t>(from), keys.begin() + static_cast<std::ptrdiff_t>(to)));
    for (int k : t.primary_key) q.order.push_back({k, false});
    CompiledQuery c = compile_query(ex.dialect(), q, QueryKind::Select);
    lease.run(*c.sql, c.params, [&](const Row& row) {
      std::shared_ptr<void> obj = r.ops.make();
      hydrate(t, *c.columns, row, obj.get());
      on_object(obj);
    });
  }
}

void* member_of(void* obj, const RelationInfo& r) { return static_cast<char*>(obj) + r.offset; }

// Keys of integer fields are read straight from the member (no Value):
// the common case, and most of prefetch's own work.
bool int_keyed(const FieldInfo& f) {
  using Op = MemberLoad::Op;
  Op op = f.codec->load_op;
  return op == Op::Int64 || op == Op::Int32 || op == Op::OptInt64 || op == Op::OptInt32;
}
// The key of `obj` in field `f`; false when NULL.
bool key_of(const FieldInfo& f, const void* obj, int64_t& out) {
  using Op = MemberLoad::Op;
  const void* m = f.member(obj);
  switch (f.codec->load_op) {
    case Op::Int64: out = *static_cast<const int64_t*>(m); return true;
    case Op::Int32: out = *static_cast<const int32_t*>(m); return true;
    case Op::OptInt64: {
      const auto& o = *static_cast<const std::optional<int64_t>*>(m);
      if (o) out = *o;
      return o.has_value();
    }
    case Op::OptInt32: {
      const auto& o = *static_cast<const std::optional<int32_t>*>(m);
      if (o) out = *o;
      return o.has_value();
    }
    default: return false;
  }
}
bool key_of(const FieldInfo& f, const void* obj, Value& out) {
  out = f.get(obj);
  return !out.is_null();
}
Value key_value(int64_t k) { return Value(k); }
const Value& key_value(const Value& k) { return k; }

// The objects one key belongs to: usually one.
struct Owners {
  void* first = nullptr;
  std::vector<void*> more;
  bool found = false;
  template <class F>
  void each(F&& f) const {
    f(first, more.empty());
    for (std::size_t i = 0; i < more.size(); ++i) f(more[i], i + 1 == more.size());
  }
};

// Loads relation `step` of every object in `objs` (objects of `from`),
// with keys of type Key (int64_t, or Value for any other kind).
template <class Key, class Index>
void load_level_as(const Executor& ex, const ModelInfo& from, const std::vector<void*>& objs, const RelationStep& step) {
  const RelationInfo& r = *step.member;
  const ModelInfo& t = *step.target;
  const FieldInfo& pf = from.field(step.parent_field);
  const FieldInfo& cf = t.field(step.child_field);
  Index owners;
  std::vector<Value> keys;
  keys.reserve(objs.size());
  Key k{};
  for (void* o : objs) {
    if (!r.forward()) r.ops.clear(member_of(o, r));
    if (!key_of(pf, o, k)) {
      if (r.forward()) r.ops.set_none(member_of(o, r));
      continue;
    }
    auto [it, fresh] = owners.try_emplace(k);
    if (fresh) {
      it->second.first = o;
      keys.push_back(key_value(k));
    } else {
      it->second.more.push_back(o);
    }
  }
  fetch_in(ex, t, step.child_field, keys, r, [&](const std::shared_ptr<void>& obj) {
    Key ck{};
    if (!key_of(cf, obj.get(), ck)) return;
    auto it = owners.find(ck);
    if (it == owners.end()) return;
    Owners& list = it->second;
    if (r.forward()) {
      list.each([&](void* o, bool) { r.ops.adopt(member_of(o, r), obj); });  // one object, shared
      list.found = true;
    } else {
      list.each([&](void* o, bool last) { r.ops.push(member_of(o, r), obj.get(), last); });
    }
  });
  if (r.forward())  // a key with no row (no foreign key constraint): loaded as none
    for (auto& [key, list] : owners)
      if (!list.found) list.each([&](void* o, bool) { r.ops.set_none(member_of(o, r)); });
}

void load_level(const Executor& ex, const ModelInfo& from, const std::vector<void*>& objs, const RelationStep& step) {
  if (int_keyed(from.field(step.parent_field)) && int_keyed(step.target->field(step.child_field)))
    load_level_as<int64_t, std::unordered_map<int64_t, Owners>>(ex, from, objs, step);
  else
    load_level_as<Value, std::map<Value, Owners, ValueLess>>(ex, from, objs, step);
}

}  // namespace

void check_protected(const Executor& ex, const QueryData& doomed) {
  const ModelInfo& m = *doomed.model;
  if (m.primary_key.size() != 1) return;
  std::shared_ptr<QueryData> keys;
  for (const auto& [other, r] : relations_to(m)) {
    if (r->on_delete != OnDelete::Protect) continue;
    if (!keys) {
      keys = std::make_shared<QueryData>(doomed);
      keys->columns = {m.primary_key[0]};
      keys->order.clear();
      keys->related.clear();
      keys->prefetch.clear();
    }
    QueryData referring;
    referring.model = other;
    WhereNode& w = referring.where.emplace_back();
    w.kind = QNode::Kind::Leaf;
    w.filter.field = r->field;
    w.filter.lookup = Lookup::In;
    w.filter.subquery = keys;
    if (int64_t n = count(ex, referring); n > 0)
      throw ProtectedError(fmt::format("cannot delete {}: {} {} row{} refer to it through {}.{}, declared "
                                       "on_delete(Protect); delete or reassign them first",
                                       m.name, n, other->name, n == 1 ? "" : "s", other->name, r->name),
                           "protect", {}, other->name + "." + r->name, "23503");
  }
}

void prefetch(const Executor& ex, const ModelInfo& m, const std::vector<void*>& objs,
              const std::vector<std::string>& paths) {
  std::set<std::string, std::less<>> done;  // prefixes an earlier path loaded ("posts" of "posts__comments")
  for (const std::string& path : paths) {
    if (path.empty()) throw FieldError(m.name + ": prefetch_related() needs a relation name");
    const ModelInfo* cur = &m;
    std::vector<void*> level = objs;
    std::string_view rest = path;
    while (!rest.empty() && !level.empty()) {
      auto [head, tail] = split_first(rest);
      std::optional<RelationStep> step = relation_step(*cur, head);
      if (!step) {
        (void)cur->require(head);  // FieldError naming the choices
        throw FieldError(fmt::format("{}.{} is a field, not a relation: prefetch_related(\"{}\")", cur->name, head, path));
      }
      if (!step->member)
        throw FieldError(fmt::format("prefetch_related(\"{}\"): '{}' has no member on {} to hold what it loads; declare "
                                     "a covet::OneToMany member",
                                     path, head, cur->name));
      std::string_view prefix(path.data(), static_cast<std::size_t>(head.data() + head.size() - path.data()));
      if (!done.count(prefix)) {
        load_level(ex, *cur, level, *step);
        done.emplace(prefix);
      }
      if (tail.empty()) break;  // the path's last relation: nothing below to load
      std::vector<void*> next;
      const RelationInfo& r = *step->member;
      for (void* o : level)
        r.ops.each(member_of(o, r), [](void* ctx, void* obj) { static_cast<std::vector<void*>*>(ctx)->push_back(obj); },
                   &next);
      std::sort(next.begin(), next.end());  // shared related objects appear once
      next.erase(std::unique(next.begin(), next.end()), next.end());
      level = std::move(next);
      cur = step->target;
      rest = tail;
    }
  }
}

}  // namespace covet::orm
