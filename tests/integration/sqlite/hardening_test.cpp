// The hardening suite (tests/support/hardening_suite.inc) on SQLite, and
// what only SQLite needs: stored values of any type, the PascalCase Chinook
// file, its URLs.
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#include "support/hardening_suite.inc"

namespace {

TEST_F(Hardening, StoredDatetimesOutOfRangeReadAsDataErrorNotGarbage) {
  Everything::create(db, {{"name", "x"}});
  db.execute("UPDATE everything SET at = $1", {Value(int64_t{9'000'000'000'000'000})});  // seconds: would overflow micros
  EXPECT_THROW(Everything::objects(db).all(), covet::DataError);
  db.execute("UPDATE everything SET at = '10000-01-01 00:00:00'");
  EXPECT_THROW(Everything::objects(db).all(), covet::DataError);
}

// Datetimes are read inline from covet's own text forms; every other
// stored form still reads as before (through the general path).
TEST_F(Hardening, StoredDatetimesOfEveryFormRead) {
  auto e = Everything::create(db, {{"name", "x"}});
  auto at = [&] { return Everything::objects(db).get("id", e.id).at; };
  auto seen = [&] { return Everything::objects(db).get("id", e.id).seen_at; };
  db.execute("UPDATE everything SET at = $1, seen_at = $1", {Value(int64_t{1'700'000'000})});  // unix seconds
  EXPECT_EQ(at(), covet::DateTime::from_unix_micros(1'700'000'000'000'000));
  EXPECT_EQ(seen(), covet::DateTime::from_unix_micros(1'700'000'000'000'000));
  db.execute("UPDATE everything SET at = '2024-01-15 09:30:00.000001', seen_at = '2024-01-15T09:30:00+02:00'");
  EXPECT_EQ(at(), covet::DateTime(2024, 1, 15, 9, 30, 0, 1));
  EXPECT_EQ(seen(), covet::DateTime(2024, 1, 15, 7, 30, 0));
  db.execute("UPDATE everything SET at = '2024-01-15', seen_at = NULL");
  EXPECT_EQ(at(), covet::DateTime(2024, 1, 15));
  EXPECT_EQ(seen(), std::nullopt);
  db.execute("UPDATE everything SET seen_at = '2024-02-30 00:00:00.000000'");  // the inline form, an invalid day
  EXPECT_THROW(seen(), covet::DataError);
}

TEST(HardeningChinook, ColumnNamesAreNotFieldNames) {
  covet::Database db(testing_models::chinook_copy("hardening_columns"));
  using testing_models::Track;
  std::string msg = message_of<covet::FieldError>([&] { Track::objects(db).filter("Milliseconds__gt", 1).count(); });
  EXPECT_TRUE(has(msg, "'Milliseconds' is the database column of field 'milliseconds'")) << msg;
  EXPECT_THROW(Track::objects(db).values("Name").all(), covet::FieldError);
  EXPECT_THROW(Track::objects(db).order_by("-Milliseconds"), covet::FieldError);
  auto rows = Track::objects(db).filter("milliseconds__gt", 1'000'000).order_by("id").values("name", "milliseconds").all();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].names(), (std::vector<std::string>{"name", "milliseconds"}));
}

TEST(HardeningUrls, UnknownOptionsAreRefusedNamingTheKnownOnes) {
  std::string msg = message_of<covet::ConfigurationError>([] { covet::Database db("sqlite://:memory:?unknown=1"); });
  EXPECT_TRUE(has(msg, "unknown option 'unknown'")) << msg;
  EXPECT_TRUE(has(msg, "mode, pool_size, pool_timeout, pre_ping, readonly, timeout, transaction_mode")) << msg;
  EXPECT_THROW(covet::Database("sqlite://:memory:?timout=5"), covet::ConfigurationError);
  EXPECT_THROW(covet::Database("sqlite:///never_created.db?mode=readonly"), covet::ConfigurationError);
  EXPECT_FALSE(std::filesystem::exists("never_created.db"));
  covet::Database ok("sqlite://:memory:?timeout=100&transaction_mode=deferred");
  EXPECT_EQ(ok.execute("SELECT 2 AS two").rows[0]["two"], Value(2));
}

TEST(HardeningUrls, SchemeIsCaseInsensitiveAndNulIsRefused) {
  covet::Database db("SQLITE://:memory:");
  EXPECT_EQ(db.execute("SELECT 1 AS one").rows[0]["one"], Value(1));
  EXPECT_THROW(covet::Database("sqlite:///x%00.db"), covet::ConfigurationError);
}

TEST(HardeningUrls, AFileNamedLikeAnSqliteUriStaysAFile) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(COVET_TEST_TMP) / "uri_path";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path old = fs::current_path();
  fs::current_path(dir);
  {
    covet::Database db("sqlite:///file:x.db%3Fmode%3Dmemory");
    db.execute("CREATE TABLE t (x integer)");
    db.execute("INSERT INTO t VALUES (1)");
  }
  bool exists = fs::exists(dir / "file:x.db?mode=memory");
  {
    covet::Database again("sqlite:///file:x.db%3Fmode%3Dmemory");  // the data persisted: a file, not memory
    EXPECT_EQ(again.execute("SELECT count(*) AS n FROM t").rows[0]["n"], Value(1));
  }
  fs::current_path(old);
  EXPECT_TRUE(exists);
}

}  // namespace
