#include "covet/core/row.hpp"

#include "covet/core/error.hpp"

namespace covet {

bool Row::datetime_text(int, char*) const { return false; }

void Row::load(const MemberLoad* loads, std::size_t n, void* obj, const void* context) const {
  for (std::size_t i = 0; i < n; ++i)
    loads[i].generic(static_cast<char*>(obj) + loads[i].offset, *this, static_cast<int>(i), context, loads[i].field);
}

void Row::load_at(const MemberLoad* loads, std::size_t n, int first, void* obj, const void* context) const {
  for (std::size_t i = 0; i < n; ++i)
    loads[i].generic(static_cast<char*>(obj) + loads[i].offset, *this, first + static_cast<int>(i), context,
                     loads[i].field);
}

void Binder::bind_members(const MemberBind* binds, std::size_t n, const void* obj, int first, const void* context) {
  for (std::size_t i = 0; i < n; ++i)
    binds[i].generic(static_cast<const char*>(obj) + binds[i].offset, *this, first + static_cast<int>(i), context,
                     binds[i].field);
}

void Binder::bind_values(const Value* values, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) bind(static_cast<int>(i) + 1, values[i]);
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
