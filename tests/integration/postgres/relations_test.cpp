// The relations and aggregates suites (tests/support/relations_suite.inc,
// aggregates_suite.inc) on PostgreSQL,
// each fixture in a schema (or a Chinook copy) of its own.
#include <covet/covet.hpp>

#include "support/models.hpp"
#include "support/services.hpp"

namespace {
covet::Database backend_database(covet::DatabaseOptions options) {
  return test_support::postgres_schema_database(std::move(options));
}
covet::Database chinook_database() { return test_support::postgres_chinook_database(); }
std::string chinook_sql(std::string_view sql) { return std::string(sql); }
constexpr auto kChinookNames = testing_models::ChinookNames::Snake;
}  // namespace

#include "support/relations_suite.inc"
#include "support/aggregates_suite.inc"
