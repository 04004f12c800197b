#include "covet/schema/field_kind.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/schema/model_info.hpp"

namespace covet {

namespace {

[[noreturn]] void bad_value(const ModelInfo& m, const FieldInfo& f, std::string_view what, const Value& v) {
  throw_wrong_value(m, f, what, v);
}

bool parse_int(std::string_view s, int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && !s.empty();
}

int64_t to_int(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  int64_t x = 0;
  if (v.is<int64_t>()) x = v.as_int();
  else if (!v.is<std::string>() || !parse_int(v.as_string(), x)) bad_value(m, f, "an integer", v);
  return x;
}

// ---- convert: one function per kind ----
Value convert_integer(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  int64_t x = to_int(m, f, v);
  if (x < INT32_MIN || x > INT32_MAX)
    throw FieldError(fmt::format("{}.{} is a 32-bit Integer; {} is out of range", m.name, f.name, x));
  return x;
}
Value convert_big_integer(const ModelInfo& m, const FieldInfo& f, const Value& v) { return to_int(m, f, v); }
Value convert_float(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<double>() || v.is<int64_t>()) {
    double d = v.as_double();
    if (std::isnan(d)) bad_value(m, f, "a number (not NaN)", v);
    return d;
  }
  if (v.is<std::string>()) {
    const std::string& s = v.as_string();
    double d = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (ec != std::errc() || p != s.data() + s.size() || std::isnan(d)) bad_value(m, f, "a number", v);
    return d;
  }
  bad_value(m, f, "a number", v);
}
Value convert_decimal(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<Decimal>() || v.is<int64_t>() || v.is<std::string>()) return v.as_decimal();
  if (v.is<double>() && std::isfinite(v.as_double()))
    return Decimal::from_double(v.as_double(), f.decimal_places > 0 ? f.decimal_places : 6);
  bad_value(m, f, "a decimal", v);
}
// Text values are valid UTF-8 without NUL on every backend: a NUL would cut
// SQLite's LIKE/GLOB pattern short (and PostgreSQL refuses it).
Value convert_text(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (!v.is<std::string>()) bad_value(m, f, "a string", v);
  if (auto problem = text_problem(v.as_string()))
    throw FieldError(fmt::format("{}.{}: the value {}", m.name, f.name, *problem));
  return v;
}
Value convert_boolean(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<bool>()) return v;
  if (v.is<int64_t>() && (v.as_int() == 0 || v.as_int() == 1)) return v.as_int() == 1;
  if (v.is<std::string>()) {
    const std::string& s = v.as_string();
    if (s == "true" || s == "True" || s == "1") return true;
    if (s == "false" || s == "False" || s == "0") return false;
  }
  bad_value(m, f, "a boolean", v);
}
Value convert_date(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<Date>() || v.is<std::string>()) return v.as_date();
  bad_value(m, f, "a date", v);
}
Value convert_datetime(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<DateTime>() || v.is<Date>() || v.is<std::string>()) return v.as_datetime();
  bad_value(m, f, "a datetime", v);
}
Value convert_uuid(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<Uuid>() || v.is<std::string>()) return v.as_uuid();
  bad_value(m, f, "a UUID", v);
}
Value convert_json(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<Json>()) return v;
  if (v.is<std::string>()) return Json::parse(v.as_string());
  bad_value(m, f, "JSON", v);
}
Value convert_array(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (!v.is<Array>()) bad_value(m, f, "an array", v);
  Array out;
  out.reserve(v.as_array().size());
  for (const Value& e : v.as_array()) out.push_back(convert_to_kind(f.codec->element_kind, m, f, e));
  return out;
}
Value convert_binary(const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is<Bytes>()) return v;
  bad_value(m, f, "bytes", v);
}

// ---- read: one function per kind ----
Value read_int(const FieldInfo&, const Row& row, int col) { return row.get_int(col); }
Value read_float(const FieldInfo&, const Row& row, int col) { return row.get_double(col); }
Value read_decimal(const FieldInfo& f, const Row& row, int col) { return row.get_decimal(col, f.decimal_places); }
Value read_text(const FieldInfo&, const Row& row, int col) { return std::string(row.get_text(col)); }
Value read_boolean(const FieldInfo&, const Row& row, int col) { return row.get_bool(col); }
Value read_date(const FieldInfo&, const Row& row, int col) { return row.get_date(col); }
Value read_datetime(const FieldInfo&, const Row& row, int col) { return row.get_datetime(col); }
Value read_uuid(const FieldInfo&, const Row& row, int col) { return row.get_uuid(col); }
Value read_json(const FieldInfo&, const Row& row, int col) { return row.get_json(col); }
Value read_array(const FieldInfo&, const Row& row, int col) { return row.get_array(col); }
Value read_binary(const FieldInfo&, const Row& row, int col) { return Bytes::from(row.get_blob(col)); }

// ---- check: one function per kind ----
void check_nothing(const FieldInfo&, const Value&, std::vector<std::string>&) {}
void check_text(const FieldInfo& f, const Value& v, std::vector<std::string>& problems) {
  check_text_value(f, v.as_string(), problems);
}
}  // namespace

void throw_wrong_value(const ModelInfo& m, const FieldInfo& f, std::string_view what, const Value& v) {
  throw FieldError(fmt::format("{}.{} ({}) cannot be compared with the {} value {}: expected {}", m.name, f.name,
                               to_string(f.kind), Value::type_name(v.type()), v.to_string(), what));
}

void check_text_value(const FieldInfo& f, std::string_view s, std::vector<std::string>& problems) {
  if (text_fits(s, f.max_length)) return;
  if (auto problem = text_problem(s)) {
    problems.push_back("The value " + *problem + ".");
    return;
  }
  if (f.max_length > 0 && s.size() > static_cast<std::size_t>(f.max_length)) {
    std::size_t n = utf8_length(s);
    if (n > static_cast<std::size_t>(f.max_length))
      problems.push_back(fmt::format("Ensure this value has at most {} characters (it has {}).", f.max_length, n));
  }
}

namespace {
void check_decimal(const FieldInfo& f, const Value& v, std::vector<std::string>& problems) {
  if (auto problem = decimal_problem(f, v.as_decimal())) problems.push_back(*problem);
}
void check_array(const FieldInfo& f, const Value& v, std::vector<std::string>& problems) {
  if (f.codec->element_kind != FieldKind::Text) return;
  const Array& a = v.as_array();
  for (std::size_t k = 0; k < a.size(); ++k)
    if (const std::string* s = a[k].get_if<std::string>())
      if (auto problem = text_problem(*s)) problems.push_back(fmt::format("Item {}: the value {}.", k, *problem));
}

constexpr KindOps kTable[] = {
    {FieldKind::Integer, "Integer", convert_integer, read_int, check_nothing},
    {FieldKind::BigInteger, "BigInteger", convert_big_integer, read_int, check_nothing},
    {FieldKind::Float, "Float", convert_float, read_float, check_nothing},
    {FieldKind::Decimal, "Decimal", convert_decimal, read_decimal, check_decimal},
    {FieldKind::String, "String", convert_text, read_text, check_text},
    {FieldKind::Text, "Text", convert_text, read_text, check_text},
    {FieldKind::Boolean, "Boolean", convert_boolean, read_boolean, check_nothing},
    {FieldKind::Date, "Date", convert_date, read_date, check_nothing},
    {FieldKind::DateTime, "DateTime", convert_datetime, read_datetime, check_nothing},
    {FieldKind::Uuid, "UUID", convert_uuid, read_uuid, check_nothing},
    {FieldKind::Json, "JSON", convert_json, read_json, check_nothing},
    {FieldKind::Array, "Array", convert_array, read_array, check_array},
    {FieldKind::Binary, "Binary", convert_binary, read_binary, check_nothing},
};
static_assert(std::size(kTable) == static_cast<std::size_t>(FieldKind::Binary) + 1);

}  // namespace

const KindOps& kind_ops(FieldKind k) { return kTable[static_cast<std::size_t>(k)]; }

Value convert_to_kind(FieldKind kind, const ModelInfo& m, const FieldInfo& f, const Value& v) {
  if (v.is_null()) return v;
  try {
    return kind_ops(kind).convert(m, f, v);
  } catch (const InvalidArgument& e) {  // a string that does not parse ("2024-13-01")
    throw FieldError(fmt::format("{}.{}: {}", m.name, f.name, e.what()));
  }
}

std::optional<std::string> decimal_problem(const FieldInfo& f, const Decimal& d) {
  if (f.max_digits == 0) return std::nullopt;
  int whole = d.integer_digits(), places = d.fraction_digits();
  if (whole + places > f.max_digits) return fmt::format("Ensure that there are no more than {} digits in total.", f.max_digits);
  if (places > f.decimal_places) return fmt::format("Ensure that there are no more than {} decimal places.", f.decimal_places);
  if (whole > f.max_digits - f.decimal_places)
    return fmt::format("Ensure that there are no more than {} digits before the decimal point.", f.max_digits - f.decimal_places);
  return std::nullopt;
}

std::vector<std::string> write_problems(const FieldInfo& f, const Value& v) {
  std::vector<std::string> problems;
  if (v.is_null()) return problems;
  kind_ops(f.kind).check(f, v, problems);
  if (!f.choices.empty()) {
    bool ok = false;
    for (const auto& [cv, label] : f.choices) ok = ok || cv == v;
    if (!ok) problems.push_back(fmt::format("Value {} is not a valid choice.", v.to_string()));
  }
  return problems;
}

}  // namespace covet
