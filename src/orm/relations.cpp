// prefetch_related and fetch(): each relation on a path loaded for a list
// of objects with one query per relation (per chunk of keys), then the
// related objects handed to their owners' members through RelationOps.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "covet/core/error.hpp"
#include "covet/orm/executor.hpp"

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

// Loads relation `step` of every object in `objs` (objects of `from`).
void load_level(const Executor& ex, const ModelInfo& from, const std::vector<void*>& objs, const RelationStep& step) {
  const RelationInfo& r = *step.member;
  const ModelInfo& t = *step.target;
  const FieldInfo& pf = from.field(step.parent_field);
  const FieldInfo& cf = t.field(step.child_field);
  std::map<Value, std::vector<void*>, ValueLess> owners;  // key → the objects it belongs to
  for (void* o : objs) {
    Value k = pf.get(o);
    if (r.forward() && k.is_null()) r.ops.set_none(member_of(o, r));
    if (!r.forward()) r.ops.clear(member_of(o, r));
    if (!k.is_null()) owners[std::move(k)].push_back(o);
  }
  std::vector<Value> keys;
  keys.reserve(owners.size());
  for (const auto& kv : owners) keys.push_back(kv.first);
  std::set<Value, ValueLess> found;
  fetch_in(ex, t, step.child_field, keys, r, [&](const std::shared_ptr<void>& obj) {
    Value k = cf.get(obj.get());
    auto it = owners.find(k);
    if (it == owners.end()) return;
    std::vector<void*>& list = it->second;
    if (r.forward()) {
      for (void* o : list) r.ops.adopt(member_of(o, r), obj);  // one object, shared
      found.insert(std::move(k));
    } else {
      for (std::size_t i = 0; i < list.size(); ++i) r.ops.push(member_of(list[i], r), obj.get(), i + 1 == list.size());
    }
  });
  if (r.forward())  // a key with no row (no foreign key constraint): loaded as none
    for (const auto& [k, list] : owners)
      if (!found.count(k))
        for (void* o : list) r.ops.set_none(member_of(o, r));
}

}  // namespace

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
