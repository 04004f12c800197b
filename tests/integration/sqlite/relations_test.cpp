// The relations and aggregates suites (tests/support/relations_suite.inc,
// aggregates_suite.inc) on SQLite.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include "support/chinook_sql.hpp"
#include "support/models.hpp"

namespace {
covet::Database backend_database(covet::DatabaseOptions options) {
  return covet::Database("sqlite://:memory:", std::move(options));
}
covet::Database chinook_database() {
  return covet::Database(testing_models::chinook_copy(::testing::UnitTest::GetInstance()->current_test_info()->name()));
}
std::string chinook_sql(std::string_view sql) { return testing_models::sqlite_chinook_sql(sql); }
constexpr auto kChinookNames = testing_models::ChinookNames::Pascal;
}  // namespace

#include "support/relations_suite.inc"
#include "support/aggregates_suite.inc"
