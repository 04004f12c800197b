// The bulk suite (tests/support/bulk_suite.inc) on PostgreSQL, each fixture
// in a schema of its own.
#include <covet/covet.hpp>

#include "support/services.hpp"

namespace {
covet::Database backend_database() { return test_support::postgres_schema_database(); }
}  // namespace

#include "support/bulk_suite.inc"

namespace bulk {

// libpq 15 cannot describe a statement of more than 7,499 parameters (it
// drops the connection): such a statement is a ProgrammingError before
// anything is sent, and the connection stays usable.
TEST_F(Bulk, TooManyParametersForLibpqIsAClearErrorNotALostConnection) {
  std::vector<covet::Value> ids;
  for (int64_t i = 0; i < 8000; ++i) ids.emplace_back(i);
  try {
    (void)Item::objects(db).filter("id__in", covet::Value(covet::Array(ids.begin(), ids.end()))).count();
    ADD_FAILURE() << "no error";
  } catch (const covet::ProgrammingError& e) {
    EXPECT_NE(std::string(e.what()).find("8000 parameters"), std::string::npos) << e.what();
  }
  auto objs = items(3);
  Item::objects(db).bulk_create(objs);
  EXPECT_EQ(Item::objects(db).count(), 3);
  // A '$9999' inside a string literal is text, not a parameter.
  EXPECT_EQ(db.execute("SELECT '$9999' AS t").rows.at(0)["t"].as_string(), "$9999");
}

}  // namespace bulk
