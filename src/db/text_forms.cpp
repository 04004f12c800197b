#include "db/text_forms.hpp"

#include "covet/core/error.hpp"

namespace covet::text_forms {

Date date(const Row& row, int col) { return Date::parse(row.get_text(col)); }
DateTime datetime(std::string_view text) { return DateTime::parse(text); }
Uuid uuid(const Row& row, int col) { return Uuid::parse(row.get_text(col)); }
Decimal decimal(const Row& row, int col) { return Decimal(row.get_text(col)); }
Json json(const Row& row, int col) { return Json::parse(row.get_text(col)); }
Array array(const Row& row, int col) {
  Value v = json_to_value(row.get_text(col));
  if (!v.is<Array>()) throw DataError("column " + std::string(row.column_name(col)) + " does not hold a JSON array");
  return v.as_array();
}

void bind_date(Binder& b, int idx, const Date& v) { b.bind_text_copy(idx, v.to_string()); }
void bind_datetime(Binder& b, int idx, const DateTime& v) {
  char buf[26];
  b.bind_text_copy(idx, std::string_view(buf, v.format(buf)));
}
void bind_uuid(Binder& b, int idx, const Uuid& v) { b.bind_text_copy(idx, v.to_string()); }
void bind_array(Binder& b, int idx, const Array& v) { b.bind_text_copy(idx, Value(v).to_json()); }

}  // namespace covet::text_forms
