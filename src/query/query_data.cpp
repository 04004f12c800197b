#include "covet/query/query_data.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <memory>
#include <utility>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/schema/field_kind.hpp"
#include "covet/schema/registry.hpp"
#include "core/same_name.hpp"
#include "core/thread_spare.hpp"

namespace covet {

namespace {
struct LookupName {
  std::string_view name;
  Lookup lookup;
};
constexpr LookupName kLookups[] = {
    {"exact", Lookup::Exact},           {"iexact", Lookup::IExact},         {"contains", Lookup::Contains},
    {"icontains", Lookup::IContains},   {"startswith", Lookup::StartsWith}, {"istartswith", Lookup::IStartsWith},
    {"endswith", Lookup::EndsWith},     {"iendswith", Lookup::IEndsWith},   {"gt", Lookup::Gt},
    {"gte", Lookup::Gte},               {"lt", Lookup::Lt},                 {"lte", Lookup::Lte},
    {"in", Lookup::In},                 {"isnull", Lookup::IsNull},         {"range", Lookup::Range},
};
struct TransformName {
  std::string_view name;
  Transform transform;
};
constexpr TransformName kTransforms[] = {{"year", Transform::Year}, {"month", Transform::Month}, {"day", Transform::Day}};

bool is_text(FieldKind k) { return k == FieldKind::String || k == FieldKind::Text; }
bool is_date(FieldKind k) { return k == FieldKind::Date || k == FieldKind::DateTime; }

// Paths resolved before, per thread: a handler filters by the same few
// names again and again, and the parse and the field search are most of
// resolving one. Keyed by the model and the path's text (never its address).
struct ParsedPath {
  const ModelInfo* model = nullptr;
  const FieldInfo* fields = nullptr;  // a model at a reused address has other fields
  std::string path;
  int field = -1;
  Transform transform = Transform::None;
  Lookup lookup = Lookup::Exact;
};
thread_local std::array<ParsedPath, 32> parsed_paths;

ParsedPath& parsed_slot(const ModelInfo& m, std::string_view path) {
  std::size_t h = reinterpret_cast<std::uintptr_t>(&m) >> 4;
  h = h * 31 + path.size();
  if (!path.empty()) h = h * 31 + static_cast<unsigned char>(path.front()), h = h * 31 + static_cast<unsigned char>(path.back());
  return parsed_paths[h % parsed_paths.size()];
}

// A path this thread resolved before on this model: its field, transform
// and lookup copied into flt, without the parse.
inline bool take_parsed_path(const ModelInfo& m, std::string_view path, Filter& flt) {
  const ParsedPath& slot = parsed_slot(m, path);
  if (slot.model != &m || slot.fields != m.fields.data() || !detail::same_name(slot.path, path)) return false;
  flt.field = slot.field;
  flt.transform = slot.transform;
  flt.lookup = slot.lookup;
  return true;
}

int require_name(const ModelInfo& m, std::string_view name);
void convert_leaf_value(Filter& flt, const ModelInfo& m, const Value& value);

bool is_lookup_or_transform(std::string_view part) {
  for (const auto& l : kLookups)
    if (part == l.name) return true;
  for (const auto& t : kTransforms)
    if (part == t.name) return true;
  return false;
}

// The transform and lookup after a field ("year__gte"), checked against it.
void parse_suffix(Filter& flt, const ModelInfo& m, std::string_view path, std::string_view suffix) {
  const FieldInfo& f = m.field(flt.field);
  std::array<std::string_view, 3> parts;
  std::size_t nparts = 0;
  for (std::size_t start = 0; !suffix.empty();) {
    std::size_t sep = suffix.find("__", start);
    std::string_view part = suffix.substr(start, sep == std::string_view::npos ? sep : sep - start);
    if (nparts == parts.size())
      throw FieldError(fmt::format("{}: cannot resolve '{}': too many '__' parts after field '{}'", m.name, path, f.name));
    parts[nparts++] = part;
    if (sep == std::string_view::npos) break;
    start = sep + 2;
  }
  std::size_t i = 0;
  if (i < nparts) {
    for (const auto& t : kTransforms)
      if (parts[i] == t.name) {
        flt.transform = t.transform;
        ++i;
        break;
      }
    if (flt.transform != Transform::None && !is_date(f.kind))
      throw FieldError(fmt::format("{}.{}: '{}' applies to Date and DateTime fields, not {}", m.name, f.name,
                                   to_string(flt.transform), to_string(f.kind)));
  }
  if (i < nparts) {
    bool found = false;
    for (const auto& l : kLookups)
      if (parts[i] == l.name) {
        flt.lookup = l.lookup, found = true;
        break;
      }
    if (!found) {
      std::vector<std::string> names;
      for (const auto& l : kLookups) names.emplace_back(l.name);
      if (flt.transform == Transform::None && is_date(f.kind))
        for (const auto& t : kTransforms) names.emplace_back(t.name);
      std::string msg = fmt::format("{}.{}: unknown lookup '{}'", m.name, f.name, parts[i]);
      auto close = closest_names(parts[i], names);
      if (!close.empty()) msg += fmt::format("; did you mean '{}'?", fmt::join(close, "', '"));
      if (!f.relation) msg += fmt::format(" ({} is not a relation, so nothing can follow it but a lookup)", f.name);
      throw FieldError(msg);
    }
    ++i;
  }
  if (i < nparts)
    throw FieldError(fmt::format("{}: cannot resolve '{}': nothing may follow lookup '{}'", m.name, path, parts[i - 1]));
}

bool comparison(Lookup l) {
  return l == Lookup::Exact || l == Lookup::Gt || l == Lookup::Gte || l == Lookup::Lt || l == Lookup::Lte;
}

// The value a lookup compares with, converted to the field's kind (or the
// lookup's: booleans for isnull, lists for in and range).
void convert_leaf_value(Filter& flt, const ModelInfo& m, const Value& value) {
  const FieldInfo& f = m.field(flt.field);
  Lookup lk = flt.lookup;
  FieldKind kind = flt.transform == Transform::None ? f.kind : FieldKind::BigInteger;
  // The commonest leaves, a comparison of an integer column with an
  // integer (in range) or an equality of a boolean one with a bool, take
  // the value as it is: what the general path below would make of them.
  if (comparison(lk)) {
    if (const int64_t* i = value.get_if<int64_t>();
        i && (kind == FieldKind::BigInteger || (kind == FieldKind::Integer && *i >= INT32_MIN && *i <= INT32_MAX))) {
      flt.value = *i;
      return;
    }
    if (const bool* b = value.get_if<bool>(); b && kind == FieldKind::Boolean && lk == Lookup::Exact) {
      flt.value = *b;
      return;
    }
  }
  switch (lk) {
    case Lookup::IsNull:
      if (value.is_null()) throw FieldError(fmt::format("{}.{}__isnull takes true or false, not NULL", m.name, f.name));
      if (value.is<bool>()) flt.value = value;
      else flt.value = convert_to_kind(FieldKind::Boolean, m, f, value);
      if (flt.transform != Transform::None) throw FieldError(fmt::format("{}.{}: isnull takes no date part", m.name, f.name));
      break;
    case Lookup::In: {
      if (!value.is<Array>()) throw_wrong_value(m, f, "a list of values for 'in'", value);
      Array vals;
      for (const Value& e : value.as_array()) {
        if (e.is_null()) throw FieldError(fmt::format("{}.{}__in: NULL is never in a list; use isnull", m.name, f.name));
        vals.push_back(convert_to_kind(kind, m, f, e));
      }
      flt.value = std::move(vals);
      break;
    }
    case Lookup::Range: {
      if (!value.is<Array>() || value.as_array().size() != 2) throw_wrong_value(m, f, "a [low, high] pair for 'range'", value);
      const Array& a = value.as_array();
      if (a[0].is_null() || a[1].is_null()) throw FieldError(fmt::format("{}.{}__range: bounds may not be NULL", m.name, f.name));
      flt.value = Array{convert_to_kind(kind, m, f, a[0]), convert_to_kind(kind, m, f, a[1])};
      break;
    }
    case Lookup::IExact:
    case Lookup::Contains:
    case Lookup::IContains:
    case Lookup::StartsWith:
    case Lookup::IStartsWith:
    case Lookup::EndsWith:
    case Lookup::IEndsWith:
      if (!is_text(f.kind) || flt.transform != Transform::None)
        throw FieldError(fmt::format("{}.{}: lookup '{}' applies to text fields, not {}", m.name, f.name, to_string(lk),
                                     to_string(f.kind)));
      flt.value = convert_to_kind(FieldKind::Text, m, f, value);
      break;
    case Lookup::Exact:
      flt.value = convert_to_kind(kind, m, f, value);
      break;
    default:  // comparisons
      if (value.is_null()) throw FieldError(fmt::format("{}.{}__{}: cannot compare with NULL", m.name, f.name, to_string(lk)));
      if (f.kind == FieldKind::Json || f.kind == FieldKind::Array || f.kind == FieldKind::Binary ||
          (f.kind == FieldKind::Boolean && flt.transform == Transform::None))
        throw FieldError(fmt::format("{}.{}: lookup '{}' does not apply to {} fields", m.name, f.name, to_string(lk),
                                     to_string(f.kind)));
      flt.value = convert_to_kind(kind, m, f, value);
  }
}

int require_name(const ModelInfo& m, std::string_view name) {
  int i = m.find(name);
  if (i >= 0) return i;
  std::vector<std::string> names;
  for (const auto& f : m.fields) names.push_back(f.name);
  for (const auto& r : m.relations)
    if (!r->forward()) names.push_back(r->name);
  std::string msg = fmt::format("{} has no field or relation named '{}'", m.name, name);
  for (const auto& f : m.fields)  // Django's rule: queries name fields, never their db_column
    if (f.column == name)
      throw FieldError(fmt::format("{}; '{}' is the database column of field '{}': use the field name", msg, name, f.name));
  auto close = closest_names(name, names);
  if (!close.empty()) {
    msg += fmt::format("; did you mean '{}'? (choices: {})", fmt::join(close, "', '"), fmt::join(names, ", "));
  } else {
    msg += fmt::format(" (choices: {}; the reverse side of another model's relation is found by its related_name "
                       "once that model is registered: use it first, or covet::register_models<...>())",
                       fmt::join(names, ", "));
  }
  throw FieldError(msg);
}

std::pair<std::string_view, std::string_view> split_first(std::string_view path) {
  std::size_t sep = path.find("__");
  if (sep == std::string_view::npos) return {path, {}};
  return {path.substr(0, sep), path.substr(sep + 2)};
}

bool alias_outer(const QueryData& q, int alias) { return alias > 0 && q.joins[static_cast<std::size_t>(alias - 1)].outer; }

// Marks join `alias` outer, and every join hanging from it (a LEFT join's
// children must be LEFT too, or they would drop its NULL rows).
void promote(QueryData& q, int alias) {
  q.joins[static_cast<std::size_t>(alias - 1)].outer = true;
  for (std::size_t i = 0; i < q.joins.size(); ++i)
    if (q.joins[i].parent == alias && !q.joins[i].outer) promote(q, static_cast<int>(i + 1));
}

// The alias of the join for `step` from `parent`: an existing one where
// Django reuses it (single-valued always; multi-valued within one filter()
// call, or any for order_by/select_related when `any_scope`), else a new
// one. A filter that needs it outer (OR, NOT, isnull) promotes an existing
// inner join; ordering and select_related (`any_scope`) keep it as the
// filters made it (an inner join's rows all have the related row).
int ensure_join(QueryData& q, int parent, const RelationStep& step, uint32_t scope, bool outer, bool any_scope) {
  outer = outer || alias_outer(q, parent);
  for (std::size_t i = 0; i < q.joins.size(); ++i) {
    Join& j = q.joins[i];
    if (j.parent == parent && j.model == step.target && j.parent_field == step.parent_field &&
        j.child_field == step.child_field && j.multi == step.multi && (!j.multi || any_scope || j.scope == scope)) {
      if (outer && !j.outer && !any_scope) promote(q, static_cast<int>(i + 1));
      return static_cast<int>(i + 1);
    }
  }
  if (q.joins.size() >= 64) throw FieldError(fmt::format("{}: a query may join at most 64 tables", q.model->name));
  q.joins.push_back(Join{parent, step.target, step.parent_field, step.child_field, outer, step.multi, scope});
  return static_cast<int>(q.joins.size());
}

// The alias a relation step ends on: one join, or two through a
// ManyToMany's join table.
int join_step(QueryData& q, int parent, const RelationStep& step, uint32_t scope, bool outer, bool any_scope) {
  if (!step.through) return ensure_join(q, parent, step, scope, outer, any_scope);
  RelationStep to_table;
  to_table.target = step.through;
  to_table.parent_field = step.parent_field;
  to_table.child_field = step.through_source;
  to_table.multi = true;
  to_table.nullable = true;
  int table = ensure_join(q, parent, to_table, scope, outer, any_scope);
  RelationStep across;
  across.target = step.target;
  across.parent_field = step.through_target;
  across.child_field = step.child_field;
  return ensure_join(q, table, across, scope, outer, any_scope);
}

// A path's relation steps and the field they end on, with the rest of
// the path (transform and lookup) after it.
struct Walk {
  std::vector<RelationStep> steps;
  const ModelInfo* model = nullptr;  // the last step's target (or the query's model)
  int field = -1;
  std::string_view suffix;
};

Walk walk_path(const ModelInfo& start, std::string_view path, bool allow_suffix) {
  Walk w;
  const ModelInfo* m = &start;
  std::string_view rest = path;
  for (;;) {
    auto [head, tail] = split_first(rest);
    auto next_is_lookup = [&] { return tail.empty() || (allow_suffix && is_lookup_or_transform(split_first(tail).first)); };
    int fi = m->find(head);
    std::optional<RelationStep> step;
    if (fi >= 0) {
      const FieldInfo& f = m->field(fi);
      if (!f.relation || next_is_lookup()) {  // a column ("author" and "author__in" compare the key)
        w.field = fi;
        w.suffix = tail;
        break;
      }
      step = relation_step(*m, f.name);
      // "author__id": the key is here already; no join (as Django).
      const ModelInfo& t = *step->target;
      auto [nhead, ntail] = split_first(tail);
      if ((nhead == "pk" || nhead == t.field(t.primary_key[0]).name) &&
          (ntail.empty() || (allow_suffix && is_lookup_or_transform(split_first(ntail).first)))) {
        w.field = fi;
        w.suffix = ntail;
        break;
      }
    } else {
      step = relation_step(*m, head);
      if (!step) require_name(*m, head);  // throws, naming the choices
      if (next_is_lookup()) {  // "posts", "posts__isnull": the related row's key
        w.steps.push_back(*step);
        m = step->target;
        w.field = m->primary_key[0];
        w.suffix = tail;
        break;
      }
    }
    if (w.steps.size() >= 16) throw FieldError(fmt::format("{}: '{}' follows too many relations", start.name, path));
    w.steps.push_back(*step);
    m = step->target;
    rest = tail;
  }
  w.model = m;
  if (!allow_suffix && !w.suffix.empty())
    throw FieldError(fmt::format("{}: cannot resolve '{}': '{}' is a field, nothing may follow it here", start.name, path,
                                 m->field(w.field).name));
  return w;
}

bool starts_with_span(const ModelInfo& m, std::string_view path) {
  auto [head, tail] = split_first(path);
  int fi = m.find(head);
  if (fi >= 0) return m.field(fi).relation && !tail.empty() && !is_lookup_or_transform(split_first(tail).first);
  return !m.find_relation(head) ? relation_step(m, head).has_value() : true;
}

struct Ctx {
  QueryData& q;
  uint32_t scope;
  // An aggregate's filter= or a Case condition: reuse the annotation's
  // joins whatever call made them, and join LEFT (every row counts).
  bool in_expression = false;
  // The leaf compares with an expression (QNode::expr), resolved after the
  // path: no value to convert, and not a NULL test.
  bool rhs_expression = false;
};

// The leaf's value converted, unless an expression takes its place.
void convert_value(const Ctx& c, Filter& flt, const ModelInfo& m, const Value& value) {
  if (!c.rhs_expression) convert_leaf_value(flt, m, value);
}
RExpr resolve_expr(QueryData& q, const Expr& e, bool in_aggregate, uint32_t scope = 0);

void resolve_leaf_in(Ctx& c, Filter& flt, std::string_view path, const Value& value, bool negated, bool in_or);

// An exclude() across a multi-valued relation: steps[k] onwards go into a
// subquery, so "not any related row matches" (Django's rule), and the leaf
// becomes parent_field IN (SELECT child_field FROM ... WHERE ...).
void resolve_through_subquery(Ctx& c, Filter& flt, const Walk& w, std::size_t k, int parent_alias) {
  const RelationStep& mv = w.steps[k];
  auto sub = std::make_shared<QueryData>();
  sub->model = mv.target;
  sub->columns = {mv.child_field};
  sub->scopes = 1;
  int alias = 0;
  if (mv.through) {  // a ManyToMany: the subquery reads the join table, joined to the target
    sub->model = mv.through;
    sub->columns = {mv.through_source};
    RelationStep across;
    across.target = mv.target;
    across.parent_field = mv.through_target;
    across.child_field = mv.child_field;
    alias = ensure_join(*sub, 0, across, 1, false, false);
  }
  for (std::size_t i = k + 1; i < w.steps.size(); ++i) alias = join_step(*sub, alias, w.steps[i], 1, false, false);
  bool null_test = (flt.lookup == Lookup::IsNull && !flt.value.is_null() && flt.value.as_bool()) || (flt.lookup == Lookup::Exact && flt.value.is_null());
  if (null_test && alias > 0) promote(*sub, alias);
  WhereNode& leaf = sub->where.emplace_back();
  leaf.kind = QNode::Kind::Leaf;
  leaf.filter = std::move(flt);
  leaf.filter.alias = static_cast<uint16_t>(alias);
  WhereNode& not_null = sub->where.emplace_back();  // NOT IN over a NULL would match nothing
  not_null.kind = QNode::Kind::Leaf;
  not_null.filter.field = mv.through ? mv.through_source : mv.child_field;
  not_null.filter.lookup = Lookup::IsNull;
  not_null.filter.value = false;
  flt = Filter{};
  flt.alias = static_cast<uint16_t>(parent_alias);
  flt.field = mv.parent_field;
  flt.lookup = Lookup::In;
  flt.subquery = std::move(sub);
  (void)c;
}

int annotation_index(const QueryData& q, std::string_view name) {
  for (std::size_t i = 0; i < q.annotations.size(); ++i)
    if (q.annotations[i].name == name) return static_cast<int>(i);
  return -1;
}

void resolve_leaf_in(Ctx& c, Filter& flt, std::string_view path, const Value& value, bool negated, bool in_or) {
  const ModelInfo& m = *c.q.model;
  if (!c.q.annotations.empty()) {  // "n__gt": a condition on an annotation
    auto [head, tail] = split_first(path);
    if (int a = annotation_index(c.q, head); a >= 0) {
      const ModelInfo& am = *c.q.annotation_fields;
      flt.field = a;
      flt.alias = kAnnotationAlias;
      parse_suffix(flt, am, path, tail);
      convert_value(c, flt, am, value);
      return;
    }
  }
  if (take_parsed_path(m, path, flt)) {
    convert_value(c, flt, m, value);
    return;
  }
  if (!starts_with_span(m, path)) {
    ParsedPath& slot = parsed_slot(m, path);
    Walk w = walk_path(m, path, true);  // "author" or "author__id": a column here
    flt.field = w.field;
    parse_suffix(flt, m, path, w.suffix);  // throws FieldError for a bad path: nothing is remembered
    slot.model = &m;
    slot.fields = m.fields.data();
    slot.path.assign(path);
    slot.field = flt.field;
    slot.transform = flt.transform;
    slot.lookup = flt.lookup;
    convert_value(c, flt, m, value);
    return;
  }
  Walk w = walk_path(m, path, true);
  flt.field = w.field;
  parse_suffix(flt, *w.model, path, w.suffix);
  convert_value(c, flt, *w.model, value);
  bool null_test = !c.rhs_expression && ((flt.lookup == Lookup::IsNull && flt.value.as_bool()) || (flt.lookup == Lookup::Exact && flt.value.is_null()));
  int alias = 0;
  for (std::size_t i = 0; i < w.steps.size(); ++i) {
    const RelationStep& st = w.steps[i];
    // Not any related row matching: a subquery. "Has no related row"
    // negated is "has one": a LEFT join tested for NULL, then NOT.
    if (st.multi && negated && !null_test && !c.in_expression) return resolve_through_subquery(c, flt, w, i, alias);
    // Django's join promotion: a relation that may have no row is joined
    // LEFT where the condition can hold without one (OR, NOT, isnull).
    bool outer = st.nullable && (in_or || negated || null_test || c.in_expression);
    alias = join_step(c.q, alias, st, c.scope, outer, c.in_expression);
  }
  flt.alias = static_cast<uint16_t>(alias);
}

bool is_number_kind(FieldKind k) {
  return k == FieldKind::Integer || k == FieldKind::BigInteger || k == FieldKind::Float || k == FieldKind::Decimal;
}

// A leaf compared with an expression (filter("views__gt", F("likes"))), or
// an expression that is the condition itself (filter(Exists(...))).
void resolve_expr_leaf(Ctx& c, Filter& flt, const QNode& node, bool negated, bool in_or) {
  const ModelInfo& m = *c.q.model;
  const Expr& e = *node.expr;
  if (node.path.empty()) {
    RExpr r = resolve_expr(c.q, e, false);
    if (r.out.kind != FieldKind::Boolean)
      throw FieldError(fmt::format("{}: a condition of its own must be true or false (Exists(...)), and {} is {}", m.name,
                                   e.to_string(), to_string(r.out.kind)));
    if (r.aggregate) throw FieldError(fmt::format("{}: {} aggregates; annotate() it and filter on its name", m.name, e.to_string()));
    flt.field = -1;
    flt.rhs = std::make_shared<const RExpr>(std::move(r));
    return;
  }
  c.rhs_expression = true;
  resolve_leaf_in(c, flt, node.path, Value(), negated, in_or);
  c.rhs_expression = false;
  if (flt.subquery)
    throw NotSupportedError(fmt::format("{}: exclude(\"{}\", {}) across a multi-valued relation compares inside a "
                                        "subquery, where the expression's columns are not; annotate() the value first",
                                        m.name, node.path, e.to_string()));
  if (flt.transform != Transform::None || !comparison(flt.lookup))
    throw FieldError(fmt::format("{}: '{}': an expression is compared with exact, gt, gte, lt or lte, on the field "
                                 "itself (no lookup '{}', no date part)",
                                 m.name, node.path, flt.transform != Transform::None ? to_string(flt.transform) : to_string(flt.lookup)));
  const FieldInfo& f = alias_model(c.q, flt.alias).field(flt.field);
  // Spans on the right join as the left's do: reused within this filter() call only.
  RExpr r = resolve_expr(c.q, e, false, c.in_expression ? 0 : c.scope);
  const bool unresolved = r.kind == Expr::Kind::OuterRef && r.field < 0 && r.annotation < 0;
  if (!unresolved && !(r.kind == Expr::Kind::Literal && r.value.is_null()) && is_number_kind(f.kind) != is_number_kind(r.out.kind))
    throw FieldError(fmt::format("{}: '{}' is {}, and {} is {}", m.name, node.path, to_string(f.kind), e.to_string(),
                                 to_string(r.out.kind)));
  if (r.aggregate && c.q.grouping == QueryData::Grouping::None)
    throw FieldError(fmt::format("{}: '{}' compares with an aggregate ({}); annotate() it and filter on its name", m.name,
                                 node.path, e.to_string()));
  flt.rhs = std::make_shared<const RExpr>(std::move(r));
}

void resolve_node(Ctx& c, WhereNode& w, const QNode& node, bool negated, bool in_or) {
  w.kind = node.kind;
  w.negated = node.negated;
  bool neg = negated != node.negated;
  if (node.kind == QNode::Kind::Leaf) {
    if (node.expr) return resolve_expr_leaf(c, w.filter, node, neg, in_or);
    resolve_leaf_in(c, w.filter, node.path, node.value, neg, in_or);
    return;
  }
  bool or_here = in_or || (node.kind == QNode::Kind::Or && node.children.size() > 1);
  w.children.resize(node.children.size());
  for (std::size_t i = 0; i < node.children.size(); ++i) resolve_node(c, w.children[i], *node.children[i], neg, or_here);
}

// Runs `f`; on an exception, the joins `q` had before are restored.
template <class F>
auto keeping_joins_on_error(QueryData& q, F&& f) {
  const std::size_t n = q.joins.size();
  const uint32_t scopes = q.scopes;
  if (n == 0) {  // the common case: nothing to remember but the count
    try {
      return f();
    } catch (...) {
      q.joins.clear();
      q.scopes = scopes;
      throw;
    }
  }
  std::vector<bool> outer;
  for (const Join& j : q.joins) outer.push_back(j.outer);
  try {
    return f();
  } catch (...) {
    q.joins.resize(n);
    for (std::size_t i = 0; i < n; ++i) q.joins[i].outer = outer[i];
    q.scopes = scopes;
    throw;
  }
}
}  // namespace

std::optional<RelationStep> relation_step(const ModelInfo& from, std::string_view name) {
  auto single_pk = [](const ModelInfo& m, std::string_view why) {
    if (m.primary_key.size() != 1)
      throw FieldError(fmt::format("{}: a relation {} needs a single-column primary key", m.name, why));
    return m.primary_key[0];
  };
  if (const RelationInfo* r = from.find_relation(name)) {
    RelationStep s;
    s.member = r;
    s.target = &r->target();
    if (r->forward()) {
      s.parent_field = r->field;
      s.child_field = single_pk(*s.target, "to it");
      s.nullable = from.field(r->field).null;
    } else if (r->kind == RelationInfo::Kind::ManyToMany) {
      const ThroughInfo& t = through_of(from, *r);
      s.parent_field = single_pk(from, "from it");
      s.child_field = single_pk(*s.target, "to it");
      s.through = t.model;
      s.through_source = t.source_field;
      s.through_target = t.target_field;
      s.multi = true;
      s.nullable = true;
    } else {
      const RelationInfo& fk = from.reverse_key(*r);
      s.parent_field = single_pk(from, "from it");
      s.child_field = fk.field;
      s.multi = r->kind != RelationInfo::Kind::OneToOneReverse;  // a OneToOne's reverse: at most one row
      s.nullable = true;
    }
    return s;
  }
  std::optional<RelationStep> found;
  for (const auto& [other, fk] : relations_to(from)) {
    {
      if (fk->related_name != name) continue;
      if (fk->kind == RelationInfo::Kind::ManyToMany) {  // the reverse side: through the same join table
        if (found)
          throw ConfigurationError(fmt::format("{}: '{}' is the related_name of two relations to it", from.name, name));
        const ThroughInfo& t = through_of(*other, *fk);
        RelationStep s;
        s.target = other;
        s.parent_field = single_pk(from, "from it");
        s.child_field = single_pk(*other, "to it");
        s.through = t.model;
        s.through_source = t.target_field;
        s.through_target = t.source_field;
        s.multi = true;
        s.nullable = true;
        found = s;
        continue;
      }
      if (found)
        throw ConfigurationError(fmt::format("{}: '{}' is the related_name of two relations to it ({} and {}); give "
                                             "them distinct related_name()s",
                                             from.name, name, found->target->name, other->name));
      RelationStep s;
      s.target = other;
      s.parent_field = single_pk(from, "from it");
      s.child_field = fk->field;
      s.multi = fk->kind != RelationInfo::Kind::OneToOne;
      s.nullable = true;
      found = s;
    }
  }
  return found;
}

void add_select_related(QueryData& q, std::string_view path) {
  keeping_joins_on_error(q, [&] {
    const ModelInfo* m = q.model;
    int alias = 0, parent = -1;
    std::size_t related = q.related.size();
    try {
      for (std::string_view rest = path; !rest.empty();) {
        auto [head, tail] = split_first(rest);
        auto step = relation_step(*m, head);
        if (!step) require_name(*m, head);
        if (!step->member || !(step->member->forward() || step->member->kind == RelationInfo::Kind::OneToOneReverse))
          throw FieldError(fmt::format("{}: select_related() follows ForeignKey, OneToOne and ReverseOneToOne members; '{}' is {} (use "
                                       "prefetch_related(\"{}\"))",
                                       m->name, head, step->member ? "a to-many relation" : "a reverse relation", path));
        alias = ensure_join(q, alias, *step, 0, step->nullable, true);
        int found = -1;
        for (std::size_t i = 0; i < q.related.size(); ++i)
          if (q.related[i].alias == alias) found = static_cast<int>(i);
        if (found < 0) {
          q.related.push_back(RelatedLoad{alias, parent, step->member});
          found = static_cast<int>(q.related.size() - 1);
        }
        parent = found;
        m = step->target;
        rest = tail;
      }
    } catch (...) {
      q.related.resize(related);
      throw;
    }
  });
}

void add_prefetch(QueryData& q, std::string_view path) {
  const ModelInfo* m = q.model;
  for (std::string_view rest = path; !rest.empty();) {
    auto [head, tail] = split_first(rest);
    auto step = relation_step(*m, head);
    if (!step) require_name(*m, head);
    if (!step->member)
      throw FieldError(fmt::format("{}: prefetch_related(\"{}\"): '{}' has no member on {} to hold what it loads; "
                                   "declare a covet::OneToMany member",
                                   q.model->name, path, head, m->name));
    m = step->target;
    rest = tail;
  }
  if (path.empty()) throw FieldError(q.model->name + ": prefetch_related() needs a relation name");
  for (const auto& p : q.prefetch)
    if (p == path) return;
  q.prefetch.emplace_back(path);
}

namespace {
template <class V>
using Spare = detail::ThreadSpare<V>;
thread_local Spare<std::vector<WhereNode>> spare_where;
thread_local Spare<std::vector<OrderTerm>> spare_order;

template <class V>
void take_spare(V& out, Spare<V>& spare, const V& from) {
  if (spare.v.capacity() >= from.size()) out = std::move(spare.v);  // spare is left empty
  else out.reserve(std::max<std::size_t>(from.size(), 4));
  out.assign(from.begin(), from.end());
}
template <class V>
void leave_spare(V& v, Spare<V>& spare) {
  if (v.capacity() > spare.v.capacity() && v.capacity() <= 16 && !spare.gone) {
    v.clear();
    spare.v = std::move(v);
  }
}
}  // namespace

WhereChildren::WhereChildren(const WhereChildren& o) : v_(o.v_ ? new std::vector<WhereNode>(*o.v_) : nullptr) {}
WhereChildren& WhereChildren::operator=(const WhereChildren& o) {
  if (this != &o) *this = WhereChildren(o);
  return *this;
}
WhereChildren& WhereChildren::operator=(WhereChildren&& o) noexcept {
  if (this != &o) {
    if (v_) release();
    v_ = std::exchange(o.v_, nullptr);
  }
  return *this;
}
void WhereChildren::release() noexcept {
  delete v_;
  v_ = nullptr;
}
void WhereChildren::resize(std::size_t n) {
  if (n == 0) {
    if (v_) release();
    return;
  }
  if (!v_) v_ = new std::vector<WhereNode>();
  v_->resize(n);
}

QueryData::QueryData(const ModelInfo& m) : model(&m) {
  if (spare_where.v.capacity() >= 4) where = std::move(spare_where.v);
  else where.reserve(4);
}

QueryData::QueryData(const QueryData& o)
    : model(o.model), limit(o.limit), offset(o.offset), distinct(o.distinct), lock(o.lock), lock_of_self(o.lock_of_self),
      scopes(o.scopes), values_mode(o.values_mode), grouping(o.grouping), cache_ttl(o.cache_ttl), correlated(o.correlated) {
  take_spare(where, spare_where, o.where);
  if (where.capacity() < 4) where.reserve(4);  // a chain of filters grows in place
  if (!o.order.empty()) take_spare(order, spare_order, o.order);
  // The parts most queries leave empty: copied only when they are not
  // (the copy of a chained filter() on objects(db) is on the hot path).
  if (!o.columns.empty()) columns = o.columns;
  if (!o.joins.empty()) joins = o.joins;
  if (!o.related.empty()) related = o.related;
  if (!o.prefetch.empty()) prefetch = o.prefetch;
  if (!o.extra.empty()) extra = o.extra;
  if (!o.annotations.empty()) {
    annotations = o.annotations;
    annotation_fields = o.annotation_fields;
  }
  if (!o.values.empty()) values = o.values;
  if (!o.group_exprs.empty()) group_exprs = o.group_exprs;
  if (!o.index_hint.empty()) index_hint = o.index_hint;
}

void assign_order(QueryData& q, const OrderTerm* terms, std::size_t n) {
  if (q.order.capacity() < n && spare_order.v.capacity() >= n) q.order = std::move(spare_order.v);
  if (q.order.capacity() >= n) {  // the room is there (usually): no call into vector::assign
    q.order.clear();
    for (std::size_t i = 0; i < n; ++i) q.order.push_back(terms[i]);
    return;
  }
  q.order.assign(terms, terms + n);
}

QueryData::~QueryData() {
  leave_spare(where, spare_where);
  leave_spare(order, spare_order);
}


std::string_view to_string(Lookup l) {
  for (const auto& x : kLookups)
    if (x.lookup == l) return x.name;
  return "?";
}
std::string_view to_string(Transform t) {
  for (const auto& x : kTransforms)
    if (x.transform == t) return x.name;
  return "";
}

WhereNode resolve(QueryData& q, const Q& cond, bool negated) {
  return keeping_joins_on_error(q, [&] {
    Ctx c{q, ++q.scopes};
    WhereNode w;
    resolve_node(c, w, cond.node(), negated, false);
    return w;
  });
}

WhereNode resolve(const ModelInfo& m, const Q& cond) {
  QueryData q;
  q.model = &m;
  WhereNode w = resolve(q, cond);
  if (!q.joins.empty())
    throw InvalidArgument(fmt::format("{}: '{}' follows relations; resolve it into a QueryData", m.name, cond.to_string()));
  return w;
}

void resolve_into(QueryData& q, WhereNode& out, std::string_view path, const Value& value, bool negated) {
  out.kind = QNode::Kind::Leaf;
  // filter("age__gt", 18) again (a handler's query, built per request): a
  // path this thread resolved before on this model is a column here (no
  // joins to add), so only its value is converted. resolve_leaf_in's
  // general walk (and its frame) is for everything else.
  if (q.annotations.empty()) {
    const ModelInfo& m = *q.model;
    if (Filter& flt = out.filter; take_parsed_path(m, path, flt)) {
      convert_leaf_value(flt, m, value);  // may throw: q is unchanged until it returns
      ++q.scopes;                         // a filter() call, as the general path counts it
      return;
    }
  }
  keeping_joins_on_error(q, [&] {
    Ctx c{q, ++q.scopes};
    resolve_leaf_in(c, out.filter, path, value, negated, false);
  });
}

// ------------------------------------------------------------ expressions
namespace {
FieldInfo out_field(FieldKind kind, int places = 0, bool null = true) {
  FieldInfo f;
  f.name = "expression";
  f.column = f.name;
  f.kind = kind;
  f.decimal_places = places;
  f.null = null;
  return f;
}
bool is_int(FieldKind k) { return k == FieldKind::Integer || k == FieldKind::BigInteger; }
bool is_number(FieldKind k) { return is_int(k) || k == FieldKind::Float || k == FieldKind::Decimal; }
std::string_view agg_name(AggFunc a) {
  switch (a) {
    case AggFunc::Count: return "Count";
    case AggFunc::Sum: return "Sum";
    case AggFunc::Avg: return "Avg";
    case AggFunc::Max: return "Max";
    case AggFunc::Min: return "Min";
  }
  return "?";
}

FieldKind literal_kind(const Value& v) {
  switch (v.type()) {
    case Value::Type::Int: return FieldKind::BigInteger;
    case Value::Type::Double: return FieldKind::Float;
    case Value::Type::Bool: return FieldKind::Boolean;
    case Value::Type::Decimal: return FieldKind::Decimal;
    case Value::Type::Date: return FieldKind::Date;
    case Value::Type::DateTime: return FieldKind::DateTime;
    case Value::Type::Uuid: return FieldKind::Uuid;
    case Value::Type::Json: return FieldKind::Json;
    case Value::Type::Bytes: return FieldKind::Binary;
    default: return FieldKind::Text;
  }
}

// A condition inside an expression (an aggregate's filter=, a Case's When).
WhereNode resolve_condition(QueryData& q, const Q& cond) {
  Ctx c{q, ++q.scopes, true};
  WhereNode w;
  resolve_node(c, w, cond.node(), false, false);
  return w;
}

// An OuterRef not yet bound to an outer query: its kind is unknown.
bool unbound(const RExpr& r) { return r.kind == Expr::Kind::OuterRef && r.field < 0 && r.annotation < 0; }
FieldKind arithmetic_kind(FieldKind a, FieldKind b) {
  return a == FieldKind::Float || b == FieldKind::Float       ? FieldKind::Float
         : a == FieldKind::Decimal || b == FieldKind::Decimal ? FieldKind::Decimal
                                                              : FieldKind::BigInteger;
}

// `scope`: a filter() call's (its multi-valued joins reused within it
// only); 0: an annotation's (any join of the path reused).
RExpr field_ref(QueryData& q, std::string_view path, uint32_t scope = 0) {
  RExpr r;
  r.kind = Expr::Kind::Field;
  if (int a = annotation_index(q, path); a >= 0) {
    r.annotation = a;
    r.aggregate = q.annotations[static_cast<std::size_t>(a)].expr.aggregate;
    r.out = q.annotations[static_cast<std::size_t>(a)].expr.out;
    return r;
  }
  Walk w = walk_path(*q.model, path, false);
  int alias = 0;
  // Rows without a related row stay (a Count of 0), as Django's annotate.
  for (const RelationStep& st : w.steps) alias = join_step(q, alias, st, scope, st.nullable, scope == 0);
  r.alias = static_cast<uint16_t>(alias);
  r.field = w.field;
  r.out = w.model->field(w.field);
  r.out.null = r.out.null || alias_outer(q, alias);
  return r;
}

void rebuild_annotation_fields(QueryData& q);
// What a subquery's OuterRefs turned out to be, once bound.
enum class OuterRefs : uint8_t { None, Some, Aggregate };
OuterRefs bind_outer_refs(QueryData& sub, QueryData& outer);

// Set while aggregate() resolves over a grouped query (see resolve_aggregates).
thread_local bool aggregating_groups = false;

RExpr resolve_expr(QueryData& q, const Expr& e, bool in_aggregate, uint32_t scope) {
  const ExprNode& n = e.node();
  RExpr r;
  r.kind = n.kind;
  auto arg = [&](std::size_t i, bool in_agg) { return resolve_expr(q, n.args.at(i), in_agg, scope); };
  switch (n.kind) {
    case Expr::Kind::Field:
      return field_ref(q, n.path, scope);
    case Expr::Kind::Literal:
      r.value = n.value;
      r.out = out_field(literal_kind(n.value));
      return r;
    case Expr::Kind::Aggregate: {
      if (in_aggregate) throw FieldError(fmt::format("{}: aggregates cannot be nested ({})", q.model->name, e.to_string()));
      r.agg = n.agg;
      r.distinct = n.distinct;
      RExpr a;
      if (n.path == "*") {
        if (n.agg != AggFunc::Count) throw FieldError(fmt::format("{}(\"*\"): only Count counts rows", agg_name(n.agg)));
        r.star = true;
      } else {
        a = n.path.empty() ? arg(0, true) : field_ref(q, n.path);
        // aggregate() over groups may aggregate the groups' annotations
        // (Avg of a Count): the groups are a subquery then.
        const bool over_groups = aggregating_groups && a.kind == Expr::Kind::Field && a.annotation >= 0;
        if (a.aggregate && !over_groups)
          throw FieldError(fmt::format("{}: aggregates cannot be nested ({})", q.model->name, e.to_string()));
      }
      FieldKind k = a.out.kind;
      switch (n.agg) {
        case AggFunc::Count: r.out = out_field(FieldKind::BigInteger, 0, false); break;
        case AggFunc::Sum:
          if (!is_number(k))
            throw FieldError(fmt::format("{}: Sum needs a number, and {} is {}", q.model->name, e.to_string(), to_string(k)));
          r.out = out_field(is_int(k) ? FieldKind::BigInteger : k, a.out.decimal_places);
          break;
        case AggFunc::Avg:
          if (!is_number(k))
            throw FieldError(fmt::format("{}: Avg needs a number, and {} is {}", q.model->name, e.to_string(), to_string(k)));
          r.out = out_field(k == FieldKind::Decimal ? FieldKind::Decimal : FieldKind::Float);
          break;
        case AggFunc::Max:
        case AggFunc::Min:
          r.out = a.out;
          r.out.null = true;
          break;
      }
      if (!r.star) r.args.push_back(std::move(a));
      if (!n.filter.empty()) r.filter = std::make_shared<WhereNode>(resolve_condition(q, n.filter));
      r.aggregate = true;
      return r;
    }
    case Expr::Kind::Binary: {
      r.op = n.op;
      r.args.push_back(arg(0, in_aggregate));
      r.args.push_back(arg(1, in_aggregate));
      // An OuterRef's kind is known once it is bound (bind_outer_refs checks then).
      FieldKind a = unbound(r.args[0]) ? FieldKind::BigInteger : r.args[0].out.kind;
      FieldKind b = unbound(r.args[1]) ? FieldKind::BigInteger : r.args[1].out.kind;
      if (!is_number(a) || !is_number(b))
        throw FieldError(fmt::format("{}: arithmetic needs numbers ({})", q.model->name, e.to_string()));
      r.out = out_field(arithmetic_kind(a, b));
      r.aggregate = r.args[0].aggregate || r.args[1].aggregate;
      return r;
    }
    case Expr::Kind::Func: {
      r.func = n.func;
      for (std::size_t i = 0; i < n.args.size(); ++i) r.args.push_back(arg(i, in_aggregate));
      for (const RExpr& a : r.args) r.aggregate = r.aggregate || a.aggregate;
      switch (n.func) {
        case ExprFunc::Coalesce: {
          if (r.args.size() < 2) throw FieldError("Coalesce needs at least two expressions");
          r.out = r.args[0].out;
          for (const RExpr& a : r.args)
            if (!(a.kind == Expr::Kind::Literal && a.value.is_null())) {
              r.out = a.out;
              break;
            }
          r.out.null = true;
          for (const RExpr& a : r.args) r.out.null = r.out.null && a.out.null;
          break;
        }
        case ExprFunc::Lower:
        case ExprFunc::Upper:
          if (!unbound(r.args[0]) && r.args[0].out.kind != FieldKind::String && r.args[0].out.kind != FieldKind::Text)
            throw FieldError(fmt::format("{}: {} needs text", q.model->name, e.to_string()));
          r.out = out_field(FieldKind::Text);
          break;
        case ExprFunc::Length: r.out = out_field(FieldKind::BigInteger); break;
        case ExprFunc::Abs: r.out = out_field(r.args[0].out.kind, r.args[0].out.decimal_places); break;
        case ExprFunc::Now:
          r.kind = Expr::Kind::Literal;  // bound as a parameter: the same instant on every backend
          r.value = DateTime::now();
          r.out = out_field(FieldKind::DateTime);
          break;
      }
      return r;
    }
    case Expr::Kind::OuterRef:  // resolved when the query reaches an outer one (bind_outer_refs)
      r.value = Value(n.path);
      r.out = out_field(FieldKind::Text);
      return r;
    case Expr::Kind::Subquery:
    case Expr::Kind::Exists: {
      auto sub = std::make_shared<QueryData>(*n.query);
      sub->prefetch.clear();
      sub->related.clear();
      sub->cache_ttl = {};
      sub->lock = RowLock::None;  // a subquery takes no row locks
      sub->lock_of_self = false;
      if (!sub->limit && !sub->offset) sub->order.clear();  // an order matters only to a slice
      if (n.kind == Expr::Kind::Exists) {
        // SELECT 1 where the rows are plain; a grouped query keeps its
        // groups (HAVING decides), selecting its keys.
        if (sub->grouping != QueryData::Grouping::None && !sub->values_mode) *sub = keys_of(*sub);
      } else if (!sub->values_mode || sub->values.size() != 1) {
        throw FieldError(fmt::format("{}: Subquery({}) must select one column: values(\"...\") of one name", q.model->name,
                                     sub->model->name));
      }
      // An OuterRef to an aggregating annotation makes the condition HAVING's.
      r.aggregate = bind_outer_refs(*sub, q) == OuterRefs::Aggregate;
      if (n.kind == Expr::Kind::Exists) {
        r.out = out_field(FieldKind::Boolean, 0, false);
      } else {
        r.out = sub->values[0].expr.out;
        r.out.null = true;  // no row: NULL
      }
      r.query = std::move(sub);
      return r;
    }
    case Expr::Kind::Case: {
      for (const When& w : n.whens) {
        auto cond = std::make_shared<WhereNode>(resolve_condition(q, w.condition));
        r.whens.emplace_back(std::move(cond), resolve_expr(q, w.then, in_aggregate));
      }
      r.args.push_back(arg(0, in_aggregate));  // ELSE
      r.out = out_field(FieldKind::Text);
      for (const auto& [c, v] : r.whens)
        if (!(v.kind == Expr::Kind::Literal && v.value.is_null())) {
          r.out = v.out;
          break;
        }
      r.out.null = true;
      for (const auto& [c, v] : r.whens) r.aggregate = r.aggregate || v.aggregate;
      r.aggregate = r.aggregate || r.args[0].aggregate;
      return r;
    }
  }
  return r;
}

// Binds OuterRef("x") inside a subquery to the outer query's column or
// annotation x; remembers whether there was one, and whether one aggregates.
struct OuterBinder {
  QueryData& outer;
  bool any = false;
  bool aggregate = false;

  bool expr(RExpr& e) {  // true: `e` changed
    bool changed = false;
    if (unbound(e)) {
      std::string path = e.value.as_string();
      RExpr ref = field_ref(outer, path);
      e.alias = ref.alias;
      e.field = ref.field;
      e.annotation = ref.annotation;
      e.out = ref.out;
      e.value = Value();
      any = changed = true;
      aggregate = aggregate || ref.aggregate;  // a constant inside the subquery, an aggregate outside
    }
    for (RExpr& a : e.args) changed = expr(a) || changed;
    for (auto& [cond, then] : e.whens) {
      changed = expr(then) || changed;
      if (cond) changed = shared_node(cond) || changed;
    }
    if (e.filter) changed = shared_node(e.filter) || changed;
    if (changed && e.kind == Expr::Kind::Binary) {  // its kind, now that both sides have one
      FieldKind a = e.args[0].out.kind, b = e.args[1].out.kind;
      if (!is_number(a) || !is_number(b))
        throw FieldError(fmt::format("{}: arithmetic needs numbers, and an OuterRef in it is {}", outer.model->name,
                                     to_string(is_number(a) ? b : a)));
      e.out = out_field(arithmetic_kind(a, b));
    }
    return changed;
  }
  bool shared_node(std::shared_ptr<const WhereNode>& n) {
    auto copy = std::make_shared<WhereNode>(*n);
    if (!node(*copy)) return false;
    n = std::move(copy);
    return true;
  }
  bool node(WhereNode& w) {
    bool changed = false;
    if (w.filter.rhs) {
      auto copy = std::make_shared<RExpr>(*w.filter.rhs);
      if (expr(*copy)) w.filter.rhs = std::move(copy), changed = true;
    }
    for (WhereNode& c : w.children) changed = node(c) || changed;
    return changed;
  }
};

OuterRefs bind_outer_refs(QueryData& sub, QueryData& outer) {
  OuterBinder b{outer};
  for (WhereNode& w : sub.where) b.node(w);
  for (Annotation& a : sub.annotations) b.expr(a.expr);
  for (Annotation& a : sub.values) b.expr(a.expr);
  for (RExpr& e : sub.group_exprs) b.expr(e);
  if (b.any) {
    sub.correlated = true;
    if (sub.annotation_fields) rebuild_annotation_fields(sub);  // kinds may have changed
  }
  return b.aggregate ? OuterRefs::Aggregate : b.any ? OuterRefs::Some : OuterRefs::None;
}

// Whether `e` (a field or an annotation) is among the grouping expressions.
bool grouped_by(const std::vector<RExpr>& group, const RExpr& e) {
  if (e.kind != Expr::Kind::Field) return false;
  for (const RExpr& g : group)
    if (g.kind == Expr::Kind::Field && g.annotation == e.annotation &&
        (e.annotation >= 0 || (g.alias == e.alias && g.field == e.field)))
      return true;
  return false;
}

void rebuild_annotation_fields(QueryData& q) {
  auto m = std::make_shared<ModelInfo>();
  m->name = q.model->name;
  m->table = q.model->table;
  for (const Annotation& a : q.annotations) {
    FieldInfo f = a.expr.out;
    f.name = a.name;
    f.column = a.name;
    m->fields.push_back(std::move(f));
  }
  q.annotation_fields = std::move(m);
}

void check_new_name(const QueryData& q, std::string_view name, std::string_view what) {
  if (name.empty() || name.find("__") != std::string_view::npos)
    throw FieldError(fmt::format("{}: '{}' cannot name an {} (empty, or with '__')", q.model->name, name, what));
  if (q.model->find(name) >= 0 || q.model->find_relation(name))
    throw FieldError(fmt::format("{}: the {} '{}' conflicts with a field of the model", q.model->name, what, name));
  if (annotation_index(q, name) >= 0)
    throw FieldError(fmt::format("{}: '{}' names two annotations", q.model->name, name));
}
}  // namespace

void add_annotations(QueryData& q, const std::vector<std::pair<std::string, Expr>>& exprs) {
  keeping_joins_on_error(q, [&] {
    const std::size_t before = q.annotations.size(), values_before = q.values.size();
    try {
      for (const auto& [name, e] : exprs) {
        check_new_name(q, name, "annotation");
        RExpr r = resolve_expr(q, e, false);
        if (r.aggregate && q.grouping == QueryData::Grouping::None) {  // Django: grouped by what values() named, or per row
          if (q.values_mode) {
            q.grouping = QueryData::Grouping::Values;
            q.group_exprs.clear();
            for (const Annotation& v : q.values)
              if (!v.expr.aggregate) q.group_exprs.push_back(v.expr);
          } else {
            q.grouping = QueryData::Grouping::Model;
          }
        }
        q.annotations.push_back(Annotation{name, std::move(r)});
        rebuild_annotation_fields(q);
        if (q.values_mode) {  // values(...).annotate(...): selected too
          RExpr ref;
          ref.kind = Expr::Kind::Field;
          ref.annotation = static_cast<int>(q.annotations.size() - 1);
          ref.aggregate = q.annotations.back().expr.aggregate;
          ref.out = q.annotations.back().expr.out;
          q.values.push_back(Annotation{name, std::move(ref)});
        }
      }
    } catch (...) {
      q.annotations.resize(before);
      q.values.resize(values_before);
      bool aggregates = false;
      for (const Annotation& a : q.annotations) aggregates = aggregates || a.expr.aggregate;
      if (!aggregates) q.grouping = QueryData::Grouping::None, q.group_exprs.clear();
      rebuild_annotation_fields(q);
      throw;
    }
  });
}

void set_values(QueryData& q, const std::vector<std::string_view>& names) {
  keeping_joins_on_error(q, [&] {
    std::vector<Annotation> values;
    if (names.empty()) {
      for (const FieldInfo& f : q.model->fields) values.push_back(Annotation{f.name, field_ref(q, f.name)});
      for (const Annotation& a : q.annotations) values.push_back(Annotation{a.name, field_ref(q, a.name)});
    } else {
      for (std::string_view n : names) {
        for (const Annotation& v : values)
          if (v.name == n) throw InvalidArgument(fmt::format("{}: values() names '{}' twice", q.model->name, n));
        values.push_back(Annotation{std::string(n), field_ref(q, n)});
      }
    }
    if (q.grouping == QueryData::Grouping::Values)  // grouped by what was named before: nothing else may come
      for (const Annotation& v : values)
        if (!v.expr.aggregate && !grouped_by(q.group_exprs, v.expr))
          throw FieldError(fmt::format("{}: values() names '{}', which the rows are not grouped by; name it before "
                                       "annotate(), or in group_by()",
                                       q.model->name, v.name));
    q.values = std::move(values);
    q.values_mode = true;
  });
}

RExpr resolve_update_expr(QueryData& q, int field, const Expr& e) {
  const std::size_t joins = q.joins.size();
  RExpr r = resolve_expr(q, e, false);
  const FieldInfo& f = q.model->field(field);
  auto joined = [](auto& self, const RExpr& x) -> bool {
    if (x.kind == Expr::Kind::Field && (x.alias != 0 || x.annotation >= 0)) return true;
    for (const RExpr& a : x.args)
      if (self(self, a)) return true;
    for (const auto& [c, v] : x.whens)
      if (self(self, v)) return true;
    return false;
  };
  if (q.joins.size() != joins || joined(joined, r)) {
    q.joins.resize(joins);
    throw FieldError(fmt::format("{}.{}: update() expressions refer to the model's own columns, not across relations ({})",
                                 q.model->name, f.name, e.to_string()));
  }
  if (r.aggregate)
    throw FieldError(fmt::format("{}.{}: update() cannot set an aggregate ({})", q.model->name, f.name, e.to_string()));
  if (is_number(f.kind) != is_number(r.out.kind) && !(r.kind == Expr::Kind::Literal && r.value.is_null()))
    throw FieldError(fmt::format("{}.{}: {} is {}, the field is {}", q.model->name, f.name, e.to_string(),
                                 to_string(r.out.kind), to_string(f.kind)));
  return r;
}

std::vector<Annotation> resolve_aggregates(QueryData& q, const std::vector<std::pair<std::string, Expr>>& exprs) {
  return keeping_joins_on_error(q, [&] {
    std::vector<Annotation> out;
    struct Flag {
      bool before = aggregating_groups;
      explicit Flag(bool on) { aggregating_groups = on; }
      ~Flag() { aggregating_groups = before; }
    } flag(q.grouping != QueryData::Grouping::None);
    for (const auto& [name, e] : exprs) {
      for (const Annotation& a : out)
        if (a.name == name) throw InvalidArgument(fmt::format("{}: aggregate() names '{}' twice", q.model->name, name));
      RExpr r = resolve_expr(q, e, false);
      if (!r.aggregate)
        throw FieldError(fmt::format("{}: aggregate() takes aggregates (Count, Sum, ...); '{}' is {}", q.model->name,
                                     name, e.to_string()));
      out.push_back(Annotation{name, std::move(r)});
    }
    return out;
  });
}

bool refers_to_aggregate(const QueryData& q, const WhereNode& w) {
  if (w.kind == QNode::Kind::Leaf)
    return (w.filter.alias == kAnnotationAlias && q.annotations[static_cast<std::size_t>(w.filter.field)].expr.aggregate) ||
           (w.filter.rhs && w.filter.rhs->aggregate);
  for (const WhereNode& c : w.children)
    if (refers_to_aggregate(q, c)) return true;
  return false;
}

QueryData keys_of(const QueryData& q) {
  if (q.model->primary_key.size() != 1)
    throw NotSupportedError(fmt::format("{}: a query of its keys needs a single-column primary key", q.model->name));
  QueryData rows = q;
  const int pk = q.model->primary_key[0];
  rows.columns = {pk};
  rows.related.clear();
  rows.prefetch.clear();
  rows.extra.clear();
  if (!rows.limit && !rows.offset) rows.order.clear();  // an order matters only to a slice
  // values() mode selecting the key alone: annotations stay for the
  // conditions that name them, and the grouping decided when they came.
  RExpr key;
  key.kind = Expr::Kind::Field;
  key.field = pk;
  key.out = q.model->field(pk);
  rows.values_mode = true;
  rows.values = {Annotation{q.model->field(pk).name, std::move(key)}};
  return rows;
}

QueryCheckpoint::QueryCheckpoint(QueryData& q)
    : q_(q), joins_(q.joins), scopes_(q.scopes), related_(q.related.size()), prefetch_(q.prefetch.size()) {}
void QueryCheckpoint::restore() {
  q_.joins = joins_;
  q_.scopes = scopes_;
  q_.related.resize(related_);
  q_.prefetch.resize(prefetch_);
}

void resolve_in_subquery(QueryData& q, WhereNode& out, std::string_view path, const QueryData& sub, bool negated) {
  if (!path.ends_with("__in"))
    throw FieldError(fmt::format("{}: a query is compared with 'in' only (\"{}__in\"), not '{}'", q.model->name,
                                 path.substr(0, path.rfind("__")), path));
  std::shared_ptr<QueryData> rows;
  if (sub.values_mode) {
    if (sub.values.size() != 1)
      throw FieldError(fmt::format("{}: the query after '{}' must select one column (values(\"...\") of one name), not {}",
                                   q.model->name, path, sub.values.size()));
    rows = std::make_shared<QueryData>(sub);
    rows->prefetch.clear();
    if (!rows->limit && !rows->offset) rows->order.clear();  // an order matters only to a slice
  } else {
    if (sub.model->primary_key.size() != 1)
      throw FieldError(fmt::format("{}: '{}' compares with {}'s key, which has several columns", q.model->name, path, sub.model->name));
    rows = std::make_shared<QueryData>(keys_of(sub));
  }
  out.kind = QNode::Kind::Leaf;
  keeping_joins_on_error(q, [&] {
    (void)bind_outer_refs(*rows, q);  // inside an Exists(): OuterRef names this query's columns
    Ctx c{q, ++q.scopes};
    resolve_leaf_in(c, out.filter, path, Value(Array{}), negated, false);
  });
  // The value was a stand-in: the subquery's rows are the list.
  Filter* leaf = &out.filter;
  if (leaf->subquery) {  // across a multi-valued relation under exclude(): inside that subquery
    auto inner = std::const_pointer_cast<QueryData>(leaf->subquery);
    leaf = &inner->where.front().filter;
  }
  leaf->value = Value();
  leaf->subquery = std::move(rows);
}

namespace {
struct SubqueryWalk {
  FunctionRef<void(const QueryData&)> f;
  void expr(const RExpr& e) {
    if (e.query) f(*e.query);
    for (const RExpr& a : e.args) expr(a);
    for (const auto& [cond, then] : e.whens) {
      if (cond) node(*cond);
      expr(then);
    }
    if (e.filter) node(*e.filter);
  }
  void node(const WhereNode& w) {
    if (w.filter.subquery) f(*w.filter.subquery);
    if (w.filter.rhs) expr(*w.filter.rhs);
    for (const WhereNode& c : w.children) node(c);
  }
};
}  // namespace

void for_each_subquery(const QueryData& q, FunctionRef<void(const QueryData&)> f) {
  SubqueryWalk walk{f};
  for (const WhereNode& w : q.where) walk.node(w);
  for (const Annotation& a : q.annotations) walk.expr(a.expr);
}

void set_group_by(QueryData& q, const std::vector<std::string_view>& names) {
  if (!q.values_mode)
    throw UsageError(fmt::format("{}: group_by() follows values(...): the rows it groups are the values it names "
                                 "(on a model query every column is selected, so groups would be single rows)",
                                 q.model->name));
  if (names.empty()) throw InvalidArgument(fmt::format("{}: group_by() needs at least one name", q.model->name));
  keeping_joins_on_error(q, [&] {
    std::vector<RExpr> exprs;
    for (std::string_view n : names) {
      RExpr e = field_ref(q, n);
      if (e.aggregate) throw FieldError(fmt::format("{}: group_by(\"{}\") names an aggregate", q.model->name, n));
      exprs.push_back(std::move(e));
    }
    // What is selected and not aggregated must be grouped (PostgreSQL says so).
    for (const Annotation& v : q.values) {
      if (v.expr.aggregate) continue;
      if (!grouped_by(exprs, v.expr))
        throw FieldError(fmt::format("{}: values() selects '{}', which group_by({}) leaves out: group by it too, or "
                                     "leave it out of values()",
                                     q.model->name, v.name, fmt::join(names, ", ")));
    }
    q.grouping = QueryData::Grouping::Values;
    q.group_exprs = std::move(exprs);
  });
}

Value coerce_value(const ModelInfo& model, const FieldInfo& f, const Value& v) {
  if (v.is_null()) {
    if (!f.null) throw FieldError(fmt::format("{}.{} is not nullable", model.name, f.name));
    return v;
  }
  // A value written to a text field that is not text is invalid input for
  // that field (ValidationError), not a query mistake.
  if (const std::string* s = v.get_if<std::string>(); s && (f.kind == FieldKind::String || f.kind == FieldKind::Text)) {
    if (auto problem = text_problem(*s)) throw ValidationError(f.name, "The value " + *problem + ".");
  }
  if (const Array* a = v.get_if<Array>(); a && f.kind == FieldKind::Array && f.codec->element_kind == FieldKind::Text) {
    for (std::size_t k = 0; k < a->size(); ++k)
      if (const std::string* s = (*a)[k].get_if<std::string>())
        if (auto problem = text_problem(*s))
          throw ValidationError(f.name, fmt::format("Item {}: the value {}.", k, *problem));
  }
  return convert_to_kind(f.kind, model, f, v);
}

OrderTerm resolve_order(QueryData& q, std::string_view term) {
  bool desc = !term.empty() && term[0] == '-';
  if (desc || (!term.empty() && term[0] == '+')) term.remove_prefix(1);
  if (int f = q.model->find(term); f >= 0) return {f, desc, 0};  // a field of the model ("id", "author")
  if (int a = annotation_index(q, term); a >= 0) return OrderTerm{a, desc, kAnnotationAlias};
  if (!starts_with_span(*q.model, term)) return {walk_path(*q.model, term, false).field, desc, 0};
  return keeping_joins_on_error(q, [&] {
    Walk w = walk_path(*q.model, term, false);
    int alias = 0;
    // Ordering keeps the rows without a related row: nullable relations join LEFT.
    for (const RelationStep& st : w.steps) alias = join_step(q, alias, st, 0, st.nullable, true);
    return OrderTerm{w.field, desc, static_cast<uint16_t>(alias)};
  });
}

}  // namespace covet
