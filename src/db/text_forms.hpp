#pragma once
// Text storage forms for drivers whose engine has no native date, UUID,
// decimal, JSON or array types (SQLite): ISO dates, "YYYY-MM-DD HH:MM:SS"
// datetimes, canonical UUIDs, decimal text, JSON text. A driver's Row and
// Binder call these; the core interfaces assume none of them.
#include <string_view>

#include "covet/core/row.hpp"

namespace covet::text_forms {

Date date(const Row& row, int col);
DateTime datetime(std::string_view text);
Uuid uuid(const Row& row, int col);
Decimal decimal(const Row& row, int col);
Json json(const Row& row, int col);
Array array(const Row& row, int col);

void bind_date(Binder& b, int idx, const Date& v);
void bind_datetime(Binder& b, int idx, const DateTime& v);
void bind_uuid(Binder& b, int idx, const Uuid& v);
void bind_array(Binder& b, int idx, const Array& v);

}  // namespace covet::text_forms
