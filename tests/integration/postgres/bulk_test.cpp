// The bulk suite (tests/support/bulk_suite.inc) on PostgreSQL, each fixture
// in a schema of its own.
#include <covet/covet.hpp>

#include <fmt/format.h>

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
  std::string sql = "SELECT 1 WHERE 0 IN (";
  for (int64_t i = 0; i < 8000; ++i) {
    ids.emplace_back(i);
    sql += fmt::format("{}${}", i ? ", " : "", i + 1);
  }
  sql += ")";
  // An IN list of keys goes as one array parameter (= ANY($1)), however long.
  EXPECT_EQ(Item::objects(db).filter("id__in", covet::Value(covet::Array(ids.begin(), ids.end()))).count(), 0);
  try {
    (void)db.execute(sql, ids);
    ADD_FAILURE() << "no error";
  } catch (const covet::ProgrammingError& e) {
    EXPECT_NE(std::string(e.what()).find("8000 parameters"), std::string::npos) << e.what();
  }
  auto objs = items(3);
  Item::objects(db).bulk_create(objs);
  EXPECT_EQ(Item::objects(db).count(), 3);
  // A '$9999' inside a string literal is text, not a parameter, and so is
  // the $9999 of an identifier.
  EXPECT_EQ(db.execute("SELECT '$9999' AS t").rows.at(0)["t"].as_string(), "$9999");
  EXPECT_EQ(db.execute("SELECT 1 AS a$9999").rows.at(0)["a$9999"].as_int(), 1);
}

}  // namespace bulk

namespace bulk {

// From 200 objects bulk_create loads with COPY, keys drawn from the key's
// sequence first: the keys are the rows' keys, later inserts do not
// collide with them, and the echo log shows the COPY.
TEST_F(Bulk, LargeCallsLoadWithCopyAndKeysFromTheSequence) {
  std::vector<std::string> log;
  const std::string schema = db.execute("SELECT current_schema() AS s").rows.at(0)["s"].as_string();
  covet::Database echo(test_support::require_service("COVET_TEST_POSTGRES_URL") + "?search_path=" + schema,
                       covet::DatabaseOptions{.echo = true, .logger = [&](std::string_view line) { log.emplace_back(line); }});
  auto objs = items(500);
  Item::objects(echo).bulk_create(objs);
  expect_stored(objs);
  auto logged = [&](const char* what) {
    return std::any_of(log.begin(), log.end(), [&](const std::string& l) { return l.find(what) != std::string::npos; });
  };
  EXPECT_TRUE(logged("COPY"));
  // The COPY drew the keys itself (the sequence's position read before, its last value after):
  // a fresh table's keys start at 1, as the INSERTs' would.
  EXPECT_TRUE(logged("currval"));
  EXPECT_EQ(objs.front().id, 1);
  EXPECT_EQ(objs.back().id, 500);
  EXPECT_FALSE(logged("-- 500 keys"));
  Item later;
  later.code = "later";
  later.save(db);
  EXPECT_GT(later.id, objs.back().id);
  // Decimal, dates, UUIDs, JSON, arrays, bytes and NULLs go through COPY's binary forms.
  std::vector<testing_models::Everything> every(300);
  for (std::size_t i = 0; i < every.size(); ++i) {
    auto& e = every[i];
    e.small = static_cast<int32_t>(i);
    e.big = -static_cast<int64_t>(i) * 1'000'000'007;
    e.real = 0.25 * static_cast<double>(i);
    e.price = covet::Decimal(i % 2 ? "-1234.5" : "0.07");
    e.name = "n" + std::to_string(i);
    e.body = "b\tody\n" + std::to_string(i);
    e.flag = i % 2;
    e.day = covet::Date(2024, 2, 29);
    e.at = covet::DateTime(2024, 3, 5, 10, 11, 12, 123456);
    e.uid = covet::Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
    e.doc = covet::Json::parse(R"({"k":[1,2]})");
    e.tags = {"a", "b,c", "\"q\""};
    e.numbers = {1, -2, 3};
    e.blob = covet::Bytes{0, 1, 255};
    if (i % 3 == 0) e.nickname = "nick";
    if (i % 4 == 0) e.ratio = 0.5;
  }
  db.create_all<testing_models::Everything>();
  testing_models::Everything::objects(db).bulk_create(every);
  auto stored = testing_models::Everything::objects(db).order_by("id").all();
  ASSERT_EQ(stored.size(), every.size());
  for (std::size_t i = 0; i < every.size(); ++i) {
    SCOPED_TRACE(i);
    const auto &a = every[i], &b = stored[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.small, b.small);
    EXPECT_EQ(a.big, b.big);
    EXPECT_EQ(a.real, b.real);
    EXPECT_EQ(b.price.to_string(), i % 2 ? "-1234.50" : "0.07");
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.body, b.body);
    EXPECT_EQ(a.flag, b.flag);
    EXPECT_EQ(a.day, b.day);
    EXPECT_EQ(a.at, b.at);
    EXPECT_EQ(a.uid, b.uid);
    EXPECT_EQ(a.doc.text(), b.doc.text());
    EXPECT_EQ(a.tags, b.tags);
    EXPECT_EQ(a.numbers, b.numbers);
    EXPECT_EQ(a.blob, b.blob);
    EXPECT_EQ(a.nickname, b.nickname);
    EXPECT_EQ(a.ratio, b.ratio);
    EXPECT_FALSE(b.score.has_value());
  }
}

}  // namespace bulk

namespace bulk {

// An __in list goes as one array parameter; columns whose type is not the
// member's usual one (char(n), numeric, a date held as text) get the
// array's text form, which the server parses.
struct OddTypes : covet::Model<OddTypes> {
  int64_t id = 0;
  std::string code;
  double amount = 0;
  std::string day;
  static void meta(covet::Meta<OddTypes>& m) { m.table("odd_types"); }
};

TEST_F(Bulk, InListsReachColumnsOfOtherTypes) {
  db.execute("CREATE TABLE odd_types (id bigserial PRIMARY KEY, code char(4) NOT NULL, amount numeric(10,2) NOT NULL, day date NOT NULL)");
  db.execute("INSERT INTO odd_types (code, amount, day) VALUES ('ab', 1.50, '2024-01-02'), ('c\"d', 2.25, '2024-03-04')");
  EXPECT_EQ(OddTypes::objects(db).filter("code__in", std::vector<std::string>{"ab", "zz"}).count(), 1);
  EXPECT_EQ(OddTypes::objects(db).filter("code__in", std::vector<std::string>{"c\"d"}).count(), 1);  // quoted in the text form
  EXPECT_EQ(OddTypes::objects(db).filter("amount__in", std::vector<double>{1.5, 2.25}).count(), 2);
  EXPECT_EQ(OddTypes::objects(db).filter("day__in", std::vector<std::string>{"2024-03-04"}).count(), 1);
  EXPECT_EQ(OddTypes::objects(db).filter("id__in", std::vector<int64_t>{1, 2, 3}).count(), 2);
}

// Another session drawing from the sequence while the COPY draws its rows'
// keys makes them unknowable: the rows go back (a savepoint) and go in
// again with keys drawn first. Every object still gets its own row's key.
TEST_F(Bulk, KeysDrawnElsewhereDuringTheCopyFallBackToKeysDrawnFirst) {
  std::vector<std::string> log;
  const std::string schema = db.execute("SELECT current_schema() AS s").rows.at(0)["s"].as_string();
  covet::Database echo(test_support::require_service("COVET_TEST_POSTGRES_URL") + "?search_path=" + schema,
                       covet::DatabaseOptions{.echo = true, .logger = [&](std::string_view line) { log.emplace_back(line); }});
  Item first;
  first.code = "first";
  first.save(db);
  auto objs = items(500);
  bool drew = false;
  covet::BulkOptions o;
  o.batch_size = 100;
  o.progress = [&](std::size_t done, std::size_t) {
    if (!drew && done >= 100) {  // mid-COPY, on another connection
      drew = true;
      (void)db.execute("SELECT nextval(pg_get_serial_sequence('bulk_items', 'id'))");
    }
  };
  Item::objects(echo).bulk_create(objs, o);
  EXPECT_TRUE(drew);
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const std::string& l) { return l.find("-- 500 keys") != std::string::npos; }));
  objs.insert(objs.begin(), first);
  expect_stored(objs);
}

// A member bound as text into a column of another type (a std::string
// into uuid) has no binary COPY form: the COPY is abandoned in its
// savepoint and the rows go in with INSERTs, where the server parses the
// text; keys come from RETURNING.
struct TextIntoUuid : covet::Model<TextIntoUuid> {
  int64_t id = 0;
  std::string u;
  static void meta(covet::Meta<TextIntoUuid>& m) { m.table("text_into_uuid"); }
};

TEST_F(Bulk, ATextMemberIntoAnotherTypeFallsBackToInsert) {
  db.execute("CREATE TABLE text_into_uuid (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, u uuid NOT NULL)");
  std::vector<TextIntoUuid> objs(300);
  for (std::size_t i = 0; i < objs.size(); ++i) objs[i].u = fmt::format("00000000-0000-0000-0000-{:012}", i);
  std::vector<std::size_t> reports;
  TextIntoUuid::objects(db).bulk_create(objs, {.progress = [&](std::size_t done, std::size_t) { reports.push_back(done); }});
  EXPECT_EQ(reports.back(), 300u);
  std::set<int64_t> ids;
  for (const auto& o : objs) ids.insert(o.id);
  EXPECT_EQ(ids.size(), 300u);
  EXPECT_FALSE(ids.count(0));
  EXPECT_EQ(TextIntoUuid::objects(db).get("id", objs[7].id).u, "00000000-0000-0000-0000-000000000007");
  EXPECT_EQ(TextIntoUuid::objects(db).count(), 300);
}

}  // namespace bulk
