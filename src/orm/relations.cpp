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

// How many keys one IN list takes: under the backend's parameter limit.
std::size_t keys_per_query(Lease& lease) {
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::max(1, lease.connection().max_parameters() - 1)), 1, 10'000);
}
// A query of `t` whose (alias, field) is one of keys[from, to).
QueryData rows_with_keys(const ModelInfo& t, int alias, int field, const std::vector<Value>& keys, std::size_t from,
                         std::size_t to) {
  QueryData q;
  q.model = &t;
  WhereNode& w = q.where.emplace_back();
  w.kind = QNode::Kind::Leaf;
  w.filter.alias = static_cast<uint16_t>(alias);
  w.filter.field = field;
  w.filter.lookup = Lookup::In;
  w.filter.value = Value(Array(keys.begin() + static_cast<std::ptrdiff_t>(from), keys.begin() + static_cast<std::ptrdiff_t>(to)));
  return q;
}

// The rows of `t` whose `field` is one of `keys`, ordered by t's key, each
// in a new object (made by `r`'s ops) handed to `on_object`. Keys go in
// chunks under the backend's parameter limit, on one connection.
void fetch_in(const Executor& ex, const ModelInfo& t, int field, const std::vector<Value>& keys, const RelationInfo& r,
              FunctionRef<void(const std::shared_ptr<void>&)> on_object) {
  if (keys.empty()) return;
  Lease lease = ex.lease(Access::Read);
  const std::size_t chunk = keys_per_query(lease);
  for (std::size_t from = 0; from < keys.size(); from += chunk) {
    QueryData q = rows_with_keys(t, 0, field, keys, from, std::min(keys.size(), from + chunk));
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

// A ManyToMany: the targets joined to the join table, each row with its
// owner's key as an extra column; a target paired with several owners is
// copied to each.
void load_many_to_many(const Executor& ex, const ModelInfo& from, const std::vector<void*>& objs, const RelationStep& step) {
  const RelationInfo& r = *step.member;
  const ModelInfo& t = *step.target;
  const FieldInfo& pf = from.field(step.parent_field);
  std::map<Value, Owners, ValueLess> owners;
  std::vector<Value> keys;
  for (void* o : objs) {
    r.ops.clear(member_of(o, r));
    Value k = pf.get(o);
    auto [it, fresh] = owners.try_emplace(k);
    if (fresh) {
      it->second.first = o;
      keys.push_back(std::move(k));
    } else {
      it->second.more.push_back(o);
    }
  }
  if (keys.empty()) return;
  const FieldInfo& owner_key = step.through->field(step.through_source);
  Lease lease = ex.lease(Access::Read);
  const std::size_t chunk = keys_per_query(lease);
  for (std::size_t from = 0; from < keys.size(); from += chunk) {
    // Alias 1: the join table, joined to the targets.
    QueryData q = rows_with_keys(t, 1, step.through_source, keys, from, std::min(keys.size(), from + chunk));
    q.joins.push_back(Join{0, step.through, step.child_field, step.through_target, false, true, 0});
    q.order.push_back({step.child_field, false});
    q.extra.emplace_back(1, step.through_source);
    CompiledQuery c = compile_query(ex.dialect(), q, QueryKind::Select);
    const int key_col = static_cast<int>(c.columns->size());
    lease.run(*c.sql, c.params, [&](const Row& row) {
      auto it = owners.find(read_value(owner_key, row, key_col));
      if (it == owners.end()) return;
      std::shared_ptr<void> obj = r.ops.make();
      hydrate(t, *c.columns, row, obj.get());
      it->second.each([&](void* o, bool last) { r.ops.push(member_of(o, r), obj.get(), last); });
    });
  }
}

void load_level(const Executor& ex, const ModelInfo& from, const std::vector<void*>& objs, const RelationStep& step) {
  if (step.through) return load_many_to_many(ex, from, objs, step);
  if (int_keyed(from.field(step.parent_field)) && int_keyed(step.target->field(step.child_field)))
    load_level_as<int64_t, std::unordered_map<int64_t, Owners>>(ex, from, objs, step);
  else
    load_level_as<Value, std::map<Value, Owners, ValueLess>>(ex, from, objs, step);
}

}  // namespace

namespace {
// The join table rows of `owner` (paired with `targets` when given).
QueryData pairs_of(const ThroughInfo& t, const Value& owner, const std::vector<Value>* targets) {
  QueryData q;
  q.model = t.model;
  WhereNode& w = q.where.emplace_back();
  w.kind = QNode::Kind::Leaf;
  w.filter.field = t.source_field;
  w.filter.value = owner;
  if (targets) {
    WhereNode& in = q.where.emplace_back();
    in.kind = QNode::Kind::Leaf;
    in.filter.field = t.target_field;
    in.filter.lookup = Lookup::In;
    in.filter.value = Value(Array(targets->begin(), targets->end()));
  }
  return q;
}

const ThroughInfo& many_to_many(const ModelInfo& m, const RelationInfo& r) {
  if (r.kind != RelationInfo::Kind::ManyToMany)
    throw InvalidArgument(fmt::format("{}.{} is not a ManyToMany relation", m.name, r.name));
  return through_of(m, r);
}

void check_key(const ModelInfo& m, const Value& owner) {
  if (owner.is_null() || (owner.type() == Value::Type::Int && owner.as_int() == 0))
    throw UsageError(fmt::format("{}: save the object before changing its many-to-many pairs (it has no key yet)", m.name));
}

// The keys not yet paired with `owner`, each once, in the order given.
std::vector<Value> unpaired(const Executor& ex, const ThroughInfo& t, const Value& owner, const std::vector<Value>& targets) {
  std::set<Value, ValueLess> have;
  if (!targets.empty()) {
    QueryData q = pairs_of(t, owner, &targets);
    q.columns = {t.target_field};
    const std::vector<int>* cols = nullptr;
    const FieldInfo& tf = t.model->field(t.target_field);
    fetch(ex, q, cols, [&](const Row& row) { have.insert(read_value(tf, row, 0)); });
  }
  std::vector<Value> out;
  for (const Value& v : targets)
    if (have.insert(v).second) out.push_back(v);
  return out;
}

void insert_pairs(const Executor& ex, const ThroughInfo& t, const Value& owner, const std::vector<Value>& targets) {
  const Dialect& d = ex.dialect();
  Lease lease = ex.lease();
  const std::size_t per = std::max<std::size_t>(1, std::min<std::size_t>(500, static_cast<std::size_t>(lease.connection().max_parameters()) / 2));
  for (std::size_t from = 0; from < targets.size(); from += per) {
    const std::size_t n = std::min(per, targets.size() - from);
    std::string sql = "INSERT INTO ";
    d.quote_identifier(sql, t.model->table);
    sql += " (";
    d.quote_identifier(sql, t.model->field(t.source_field).column);
    sql += ", ";
    d.quote_identifier(sql, t.model->field(t.target_field).column);
    sql += ") VALUES ";
    for (std::size_t i = 0; i < n; ++i) {
      sql += i ? ", (" : "(";
      d.placeholder(sql, 2 * i + 1);
      sql += ", ";
      d.placeholder(sql, 2 * i + 2);
      sql += ")";
    }
    run(lease, Plan{sql,
                    [&](Binder& b) {
                      for (std::size_t i = 0; i < n; ++i) {
                        b.bind(static_cast<int>(2 * i + 1), owner);
                        b.bind(static_cast<int>(2 * i + 2), targets[from + i]);
                      }
                    },
                    no_rows});
  }
}
}  // namespace

void m2m_add(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner,
             const std::vector<Value>& targets) {
  const ThroughInfo& t = many_to_many(m, r);
  check_key(m, owner);
  Transaction tx = ex.transaction();
  insert_pairs(tx, t, owner, unpaired(tx, t, owner, targets));
  tx.commit();
  invalidate_after_write(*t.model);
}

int64_t m2m_remove(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner,
                   const std::vector<Value>& targets) {
  const ThroughInfo& t = many_to_many(m, r);
  if (targets.empty()) return 0;
  return remove(ex, pairs_of(t, owner, &targets));
}

int64_t m2m_clear(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner) {
  return remove(ex, pairs_of(many_to_many(m, r), owner, nullptr));
}

void m2m_set(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner,
             const std::vector<Value>& targets) {
  const ThroughInfo& t = many_to_many(m, r);
  check_key(m, owner);
  Transaction tx = ex.transaction();
  // Pairs not in `targets` go; the missing ones come.
  QueryData stale = pairs_of(t, owner, nullptr);
  if (!targets.empty()) {
    WhereNode& out = stale.where.emplace_back();
    out.kind = QNode::Kind::Leaf;
    out.negated = true;
    out.filter.field = t.target_field;
    out.filter.lookup = Lookup::In;
    out.filter.value = Value(Array(targets.begin(), targets.end()));
  }
  remove(tx, stale);
  insert_pairs(tx, t, owner, unpaired(tx, t, owner, targets));
  tx.commit();
  invalidate_after_write(*t.model);
}

namespace {
// Whether deleting rows of `m` can reach a Protect relation: directly, or
// through rows the delete cascades to.
bool protect_reachable(const ModelInfo& m, std::vector<const ModelInfo*>& seen) {
  if (std::find(seen.begin(), seen.end(), &m) != seen.end()) return false;
  seen.push_back(&m);
  for (const auto& [other, r] : relations_to(m)) {
    if (!r->forward()) continue;
    if (r->on_delete == OnDelete::Protect) return true;
    if (r->on_delete == OnDelete::Cascade && protect_reachable(*other, seen)) return true;
  }
  return false;
}

// The keys of the rows `q` matches.
std::vector<Value> keys_in(const Executor& ex, const QueryData& q) {
  const FieldInfo& pk = q.model->field(q.model->primary_key[0]);
  QueryData k = keys_of(q);
  std::vector<Value> out;
  const std::vector<int>* cols = nullptr;
  fetch(ex, k, cols, [&](const Row& row) { out.push_back(read_value(pk, row, 0)); });
  return out;
}
}  // namespace

// Django's collector: rows a Protect relation names refuse the delete, also
// when the delete would reach them by cascading. Level by level, with the
// keys each level's delete would take (each row once), until a level is
// empty; no query at all when no Protect is reachable.
void check_protected(const Executor& ex, const QueryData& doomed) {
  const ModelInfo& root = *doomed.model;
  std::vector<const ModelInfo*> reach;
  if (root.primary_key.size() != 1 || !protect_reachable(root, reach)) return;
  struct Level {
    const ModelInfo* model;
    std::vector<Value> keys;
    std::string chain;  // how the delete reaches it: "Post.author, then Comment.post"
  };
  std::map<const ModelInfo*, std::set<Value, ValueLess>> seen;
  std::vector<Level> levels;
  levels.push_back({&root, keys_in(ex, doomed), {}});
  seen[&root].insert(levels[0].keys.begin(), levels[0].keys.end());
  constexpr std::size_t kChunk = 500;
  for (std::size_t li = 0; li < levels.size(); ++li) {
    const ModelInfo& m = *levels[li].model;
    const std::vector<Value> keys = levels[li].keys;  // copied: levels grows below
    const std::string chain = levels[li].chain;
    for (const auto& [other, r] : relations_to(m)) {
      if (!r->forward()) continue;
      const bool protect = r->on_delete == OnDelete::Protect;
      if (!protect) {
        std::vector<const ModelInfo*> visited;
        if (r->on_delete != OnDelete::Cascade || other->primary_key.size() != 1 || !protect_reachable(*other, visited)) continue;
      }
      std::vector<Value> next;
      int64_t refusing = 0;
      for (std::size_t from = 0; from < keys.size(); from += kChunk) {
        QueryData referring;
        referring.model = other;
        WhereNode& w = referring.where.emplace_back();
        w.kind = QNode::Kind::Leaf;
        w.filter.field = r->field;
        w.filter.lookup = Lookup::In;
        w.filter.value = Value(Array(keys.begin() + static_cast<std::ptrdiff_t>(from),
                                     keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), from + kChunk))));
        if (protect) {
          refusing += count(ex, referring);
        } else {
          for (Value& k : keys_in(ex, referring))
            if (seen[other].insert(k).second) next.push_back(std::move(k));
        }
      }
      if (refusing > 0)
        throw ProtectedError(fmt::format("cannot delete {}: {} {} row{} refer to {} through {}.{}, declared "
                                         "on_delete(Protect); delete or reassign them first",
                                         root.name, refusing, other->name, refusing == 1 ? "" : "s",
                                         chain.empty() ? std::string("it") : fmt::format("the {} rows the delete cascades to ({})", m.name, chain),
                                         other->name, r->name),
                             "protect", {}, other->name + "." + r->name, "23503");
      if (!next.empty())
        levels.push_back({other, std::move(next), chain + (chain.empty() ? "" : ", then ") + other->name + "." + r->name});
    }
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
