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

// A serializer writes a query's rows straight from PostgreSQL's binary
// cells, with the same text (and the same errors) as from loaded objects.
using testing_models::Cells;

TEST_F(Hardening, QueryRowsWrittenFromBinaryCellsAsFromObjects) {
  db.create_all<Cells>();
  Cells a;
  a.small = -7, a.flag = true, a.name = "Ann", a.at = DateTime(2024, 1, 15, 10, 30, 0, 250000), a.ratio = 0.5;
  a.o64 = 0, a.o32 = 0, a.oflag = false, a.oname = "", a.oat = DateTime(1, 1, 1, 0, 0, 0, 0), a.oratio = 0.0;
  a.save(db);
  Cells b;  // zeros, empty text and NULLs
  b.name = "quote \" and \\ back\nslash \xC3\xA9t\xC3\xA9";
  b.at = DateTime(9999, 12, 31, 23, 59, 59, 999999);
  b.save(db);
  auto s = covet::ModelSerializer<Cells>();
  ASSERT_TRUE(s.plan().rows_direct);
  auto qs = Cells::objects(db).order_by("id");
  const std::string json = s.to_json(qs);
  EXPECT_EQ(json, s.to_json(qs.all()));
  EXPECT_TRUE(has(json, R"("o64":null,"o32":null,"oflag":null,"oname":null,"oat":null,"oratio":null)")) << json;
  EXPECT_TRUE(has(json, R"("at":"9999-12-31T23:59:59.999999Z")")) << json;
  // A time DateTime cannot hold: the DataError loading the row gives.
  db.execute("UPDATE cells SET oat = 'infinity' WHERE id = " + std::to_string(b.id));
  std::string direct = message_of<covet::DataError>([&] { s.to_json(qs); });
  EXPECT_TRUE(has(direct, "oat")) << direct;
  EXPECT_EQ(direct, message_of<covet::DataError>([&] { s.to_json(qs.all()); }));
}
}  // namespace
