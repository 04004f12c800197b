#include "covet/schema/field_codec.hpp"

#include <fmt/format.h>

namespace covet {

std::string_view to_string(FieldKind k) {
  static constexpr std::string_view names[] = {"Integer", "BigInteger", "Float", "Decimal", "String", "Text",  "Boolean",
                                               "Date",    "DateTime",   "UUID",  "JSON",    "Array",  "Binary"};
  return names[static_cast<size_t>(k)];
}

namespace detail {

void throw_null_into_required(const FieldInfo& f) {
  throw DataError(fmt::format("field '{}' (column '{}') is NULL, but its member is not std::optional", f.name, f.column));
}

void throw_bad_value(const FieldInfo& f, const Value& v, std::string_view want) {
  throw FieldError(fmt::format("field '{}' is {} and cannot take the {} value {}", f.name, want,
                               Value::type_name(v.type()), v.to_string()));
}

int64_t checked_int32(const FieldInfo& f, int64_t v) {
  if (v < INT32_MIN || v > INT32_MAX)
    throw DataError(fmt::format("field '{}' is a 32-bit Integer; {} is out of range", f.name, v), "22003");
  return v;
}

}  // namespace detail
}  // namespace covet
