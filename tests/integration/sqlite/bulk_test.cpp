// The bulk suite (tests/support/bulk_suite.inc) on SQLite.
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#include "support/bulk_suite.inc"

namespace bulk {

// SQLite has no COPY: 60,000 rows of 5 columns go in INSERTs split under
// its 250,000-parameter limit.
TEST_F(Bulk, AnInsertOverTheParameterLimitIsSplit) {
  EXPECT_GT(create_sixty_thousand(db).size(), 1u);
  EXPECT_EQ(Item::objects(db).count(), 60'000);
}

}  // namespace bulk
