#include "covet/core/row.hpp"

#include "covet/core/error.hpp"

namespace covet {

void Row::load(const MemberLoad* loads, std::size_t n, void* obj, const void* context) const {
  for (std::size_t i = 0; i < n; ++i)
    loads[i].generic(static_cast<char*>(obj) + loads[i].offset, *this, static_cast<int>(i), context, loads[i].field);
}

Date Row::get_date(int col) const { return Date::parse(get_text(col)); }
DateTime Row::get_datetime(int col) const { return DateTime::parse(get_text(col)); }
Uuid Row::get_uuid(int col) const { return Uuid::parse(get_text(col)); }
Decimal Row::get_decimal(int col, int) const { return Decimal(get_text(col)); }
Json Row::get_json(int col) const { return Json::parse(get_text(col)); }
Array Row::get_array(int col) const {
  Value v = json_to_value(get_text(col));
  if (!v.is<Array>()) throw DataError("column " + std::string(column_name(col)) + " does not hold a JSON array");
  return v.as_array();
}

void Binder::bind_date(int idx, const Date& v) { bind_text_copy(idx, v.to_string()); }
void Binder::bind_datetime(int idx, const DateTime& v) {
  char buf[26];
  bind_text_copy(idx, std::string_view(buf, v.format(buf)));
}
void Binder::bind_uuid(int idx, const Uuid& v) { bind_text_copy(idx, v.to_string()); }
void Binder::bind_decimal(int idx, const Decimal& v) { bind_text(idx, v.to_string()); }
void Binder::bind_array(int idx, const Array& v) { bind_text_copy(idx, Value(v).to_json()); }

void Binder::bind_members(const MemberBind* binds, std::size_t n, const void* obj, int first, const void* context) {
  for (std::size_t i = 0; i < n; ++i)
    binds[i].generic(static_cast<const char*>(obj) + binds[i].offset, *this, first + static_cast<int>(i), context,
                     binds[i].field);
}

void Binder::bind(int idx, const Value& v) {
  switch (v.type()) {
    case Value::Type::Null: return bind_null(idx);
    case Value::Type::Bool: return bind_bool(idx, v.as_bool());
    case Value::Type::Int: return bind_int(idx, v.as_int());
    case Value::Type::Double: return bind_double(idx, v.as_double());
    case Value::Type::String: return bind_text(idx, v.as_string());
    case Value::Type::Bytes: return bind_blob(idx, v.as_bytes().view());
    case Value::Type::Decimal: return bind_decimal(idx, *v.get_if<Decimal>());
    case Value::Type::Date: return bind_date(idx, v.as_date());
    case Value::Type::DateTime: return bind_datetime(idx, v.as_datetime());
    case Value::Type::Uuid: return bind_uuid(idx, v.as_uuid());
    case Value::Type::Json: return bind_json(idx, v.as_json());
    case Value::Type::Array: return bind_array(idx, v.as_array());
  }
}

}  // namespace covet
