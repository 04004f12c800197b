// The hardening suite (tests/support/hardening_suite.inc) on PostgreSQL:
// each fixture in a schema of its own, dropped when the test process exits.
#include <covet/covet.hpp>

#include "support/services.hpp"

namespace {
covet::Database backend_database() { return test_support::postgres_schema_database(); }
}  // namespace

#include "support/hardening_suite.inc"

namespace {
// timestamptz holds years past 9999 and ±infinity; DateTime holds years 1 to
// 9999: such a stored value reads as a DataError naming the field, never as
// a wrapped-around date.
TEST_F(Hardening, StoredTimestampsDateTimeCannotHoldAreDataErrors) {
  Everything::create(db, {{"name", "x"}});
  for (const char* stored : {"10000-01-01 00:00:00+00", "infinity", "-infinity", "0044-03-15 00:00:00+00 BC"}) {
    SCOPED_TRACE(stored);
    db.execute(std::string("UPDATE everything SET at = '") + stored + "'");
    std::string msg = message_of<covet::DataError>([&] { Everything::objects(db).all(); });
    EXPECT_TRUE(has(msg, "at")) << msg;
    EXPECT_THROW(Everything::objects(db).values("at").all(), covet::DataError);
    msg = message_of<covet::DataError>([&] { db.execute("SELECT at FROM everything"); });
    EXPECT_TRUE(has(msg, "column 'at'")) << msg;
  }
  db.execute("UPDATE everything SET at = '9999-12-31 23:59:59.999999+00'");
  EXPECT_EQ(Everything::objects(db).get("name", "x").at.to_string(), "9999-12-31 23:59:59.999999");
}
}  // namespace
