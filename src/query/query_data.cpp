#include "covet/query/query_data.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/schema/field_kind.hpp"

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

void parse_path(Filter& flt, const ModelInfo& m, std::string_view path);
void convert_leaf_value(Filter& flt, const ModelInfo& m, const Value& value);

// Resolves into `flt` (a default-constructed Filter) in place.
void resolve_leaf(Filter& flt, const ModelInfo& m, std::string_view path, const Value& value) {
  ParsedPath& slot = parsed_slot(m, path);
  if (slot.model == &m && slot.fields == m.fields.data() && slot.path == path) {
    flt.field = slot.field;
    flt.transform = slot.transform;
    flt.lookup = slot.lookup;
  } else {
    parse_path(flt, m, path);  // throws FieldError for a bad path: nothing is remembered
    slot.model = &m;
    slot.fields = m.fields.data();
    slot.path.assign(path);
    slot.field = flt.field;
    slot.transform = flt.transform;
    slot.lookup = flt.lookup;
  }
  convert_leaf_value(flt, m, value);
}

// The field, transform and lookup a path names, checked against the model.
void parse_path(Filter& flt, const ModelInfo& m, std::string_view path) {
  // field[__transform][__lookup]: at most 3 parts are meaningful; a 4th is an error.
  std::array<std::string_view, 4> parts;
  std::size_t nparts = 0;
  for (std::size_t start = 0;;) {
    std::size_t sep = path.find("__", start);
    std::string_view part = path.substr(start, sep == std::string_view::npos ? sep : sep - start);
    if (nparts == parts.size())
      throw FieldError(fmt::format("{}: cannot resolve '{}': too many '__' parts (relations are not supported yet)", m.name, path));
    parts[nparts++] = part;
    if (sep == std::string_view::npos) break;
    start = sep + 2;
  }
  flt.field = m.require(parts[0]);
  const FieldInfo& f = m.field(flt.field);
  std::size_t i = 1;
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
      throw FieldError(msg + " (relations across models are not supported yet)");
    }
    ++i;
  }
  if (i < nparts)
    throw FieldError(fmt::format("{}: cannot resolve '{}': nothing may follow lookup '{}'", m.name, path, parts[i - 1]));
}

// The value a lookup compares with, converted to the field's kind (or the
// lookup's: booleans for isnull, lists for in and range).
void convert_leaf_value(Filter& flt, const ModelInfo& m, const Value& value) {
  const FieldInfo& f = m.field(flt.field);
  Lookup lk = flt.lookup;
  FieldKind kind = flt.transform == Transform::None ? f.kind : FieldKind::BigInteger;
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

WhereNode resolve_node(const ModelInfo& m, const QNode& q) {
  WhereNode w;
  w.kind = q.kind;
  w.negated = q.negated;
  if (q.kind == QNode::Kind::Leaf) {
    resolve_leaf(w.filter, m, q.path, q.value);
    return w;
  }
  w.children.reserve(q.children.size());
  for (const auto& c : q.children) w.children.push_back(resolve_node(m, *c));
  return w;
}
}  // namespace

namespace {
thread_local std::vector<WhereNode> spare_where;
thread_local std::vector<OrderTerm> spare_order;

template <class V>
void take_spare(V& out, V& spare, const V& from) {
  if (spare.capacity() >= from.size()) out = std::move(spare);  // spare is left empty
  else out.reserve(std::max<std::size_t>(from.size(), 4));
  out.assign(from.begin(), from.end());
}
template <class V>
void leave_spare(V& v, V& spare) {
  if (v.capacity() > spare.capacity() && v.capacity() <= 16) {
    v.clear();
    spare = std::move(v);
  }
}
}  // namespace

QueryData::QueryData(const QueryData& o)
    : model(o.model), limit(o.limit), offset(o.offset), distinct(o.distinct), lock(o.lock), lock_of_self(o.lock_of_self),
      columns(o.columns) {
  take_spare(where, spare_where, o.where);
  if (where.capacity() < 4) where.reserve(4);  // a chain of filters grows in place
  if (!o.order.empty()) take_spare(order, spare_order, o.order);
}

void assign_order(QueryData& q, const OrderTerm* terms, std::size_t n) {
  if (q.order.capacity() < n && spare_order.capacity() >= n) q.order = std::move(spare_order);
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

WhereNode resolve(const ModelInfo& model, const Q& q) { return resolve_node(model, q.node()); }

void resolve_into(WhereNode& out, const ModelInfo& model, std::string_view path, const Value& value) {
  out.kind = QNode::Kind::Leaf;
  resolve_leaf(out.filter, model, path, value);
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

OrderTerm resolve_order(const ModelInfo& model, std::string_view term) {
  bool desc = !term.empty() && term[0] == '-';
  if (desc || (!term.empty() && term[0] == '+')) term.remove_prefix(1);
  return {model.require(term), desc};
}

}  // namespace covet
