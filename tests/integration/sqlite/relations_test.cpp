// The relations and aggregates suites (tests/support/relations_suite.inc,
// aggregates_suite.inc) on SQLite.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include "support/models.hpp"

namespace {
covet::Database backend_database(covet::DatabaseOptions options) {
  return covet::Database("sqlite://:memory:", std::move(options));
}
covet::Database chinook_database() {
  return covet::Database(testing_models::chinook_copy(::testing::UnitTest::GetInstance()->current_test_info()->name()));
}
// The SQLite file names tables and columns in PascalCase (track_id is
// TrackId): identifiers are case-insensitive, so dropping the underscores
// outside quotes is enough.
std::string chinook_sql(std::string_view sql) {
  std::string out;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '_') {
      continue;
    }
    out += c;
  }
  return out;
}
constexpr auto kChinookNames = testing_models::ChinookNames::Pascal;
}  // namespace

#include "support/relations_suite.inc"
#include "support/aggregates_suite.inc"
