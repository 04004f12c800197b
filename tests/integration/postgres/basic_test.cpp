// PostgreSQL through the same engine as SQLite: every field kind round
// trips through the binary protocol, lookups mean what they mean on SQLite,
// keys come back with RETURNING, errors carry their SQLSTATE, transactions
// and savepoints, raw SQL, a killed connection, the replica, Chinook.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "blog/models.hpp"
#include "support/helpers.hpp"
#include "support/models.hpp"
#include "support/services.hpp"

using namespace covet;
using blog::Post;
using blog::User;
using test_support::has;
using test_support::message_of;
using testing_models::Everything;

namespace pg_models {
// Routed by MultiDB: Account to "accounts", CacheEntry to "cache".
struct Account : covet::Model<Account> {
  int64_t id = 0;
  std::string login;
  static void meta(covet::Meta<Account>& m) { m.table("multi_accounts").database("accounts"); }
};
struct CacheEntry : covet::Model<CacheEntry> {
  int64_t id = 0;
  std::string key;
  static void meta(covet::Meta<CacheEntry>& m) { m.table("multi_cache").database("cache"); }
};
struct Person : covet::Model<Person> {
  int64_t id = 0;
  std::string name;
  std::optional<std::string> nickname;
  int32_t age = 0;
  std::optional<DateTime> joined;
  static void meta(covet::Meta<Person>& m) {
    m.table("pg_people").field(&Person::name, covet::max_length(40), covet::unique());
  }
};
}  // namespace pg_models
using pg_models::Account;
using pg_models::CacheEntry;
using pg_models::Person;

namespace {

class Pg : public ::testing::Test {
 protected:
  // Each test in its own schema: ctest runs them in parallel on one server.
  void SetUp() override {
    base_url = test_support::require_service("COVET_TEST_POSTGRES_URL");
    ASSERT_FALSE(base_url.empty());
    schema = test_support::unique_schema();
    Database(base_url).execute("CREATE SCHEMA " + schema);
    url = base_url + "?search_path=" + schema;
    db = Database(url);
    db.create_all<User, Post, Everything, Person>();
  }
  void TearDown() override {
    db = Database("sqlite://:memory:");
    if (!schema.empty()) Database(base_url).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
  Person person(const std::string& name, int32_t age, std::optional<std::string> nick = std::nullopt) {
    Person p;
    p.name = name;
    p.age = age;
    p.nickname = std::move(nick);
    p.save(db);
    return p;
  }
  std::string base_url, schema, url;
  Database db{"sqlite://:memory:"};
};

TEST_F(Pg, EveryFieldKindRoundTripsThroughTheBinaryProtocol) {
  Everything e;
  e.small = -123456;
  e.big = 9'000'000'000'123LL;
  e.real = 2.5e-7;
  e.price = Decimal("-1234567890.25");
  e.name = "Żółw ünïcode";
  e.body = std::string(3000, 'x');
  e.flag = true;
  e.day = Date(1999, 12, 31);
  e.at = DateTime(2024, 2, 29, 23, 59, 58, 123456);
  e.uid = Uuid::parse("550e8400-e29b-41d4-a716-446655440000");
  e.doc = Json::parse(R"({"a": [1, 2, {"b": null}], "c": "ü"})");
  e.tags = {"red", "", "with \"quotes\", commas {}"};
  e.numbers = {1, -2, 9'000'000'000'000LL};
  e.blob = Bytes{0, 1, 2, 255, 0};
  e.nickname = "nick";
  e.score = std::nullopt;
  e.seen_at = DateTime(1970, 1, 1);
  e.ratio = -0.0;
  e.save(db);
  ASSERT_GT(e.id, 0);

  Everything got = Everything::objects(db).get("id", e.id);
  EXPECT_EQ(got.small, e.small);
  EXPECT_EQ(got.big, e.big);
  EXPECT_DOUBLE_EQ(got.real, e.real);
  EXPECT_EQ(got.price.to_string(), "-1234567890.25");
  EXPECT_EQ(got.name, e.name);
  EXPECT_EQ(got.body, e.body);
  EXPECT_TRUE(got.flag);
  EXPECT_EQ(got.day, e.day);
  EXPECT_EQ(got.at, e.at);
  EXPECT_EQ(got.uid, e.uid);
  EXPECT_EQ(Json::parse(got.doc.text()).text(), e.doc.text());
  EXPECT_EQ(got.tags, e.tags);
  EXPECT_EQ(got.numbers, e.numbers);
  EXPECT_EQ(got.blob.view(), e.blob.view());
  EXPECT_EQ(got.nickname, e.nickname);
  EXPECT_FALSE(got.score.has_value());
  EXPECT_EQ(got.seen_at, e.seen_at);
  ASSERT_TRUE(got.ratio.has_value());

  // The column types are PostgreSQL's own, not text.
  auto types = db.execute(
                     "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'everything' "
                     "AND table_schema = current_schema() "
                     "ORDER BY ordinal_position")
                   .rows;
  std::map<std::string, std::string> type_of;
  for (const auto& r : types) type_of[r["column_name"].as_string()] = r["data_type"].as_string();
  EXPECT_EQ(type_of["at"], "timestamp with time zone");  // (this test's schema only)
  EXPECT_EQ(type_of["uid"], "uuid");
  EXPECT_EQ(type_of["doc"], "jsonb");
  EXPECT_EQ(type_of["price"], "numeric");
  EXPECT_EQ(type_of["tags"], "ARRAY");
  EXPECT_EQ(type_of["blob"], "bytea");
  EXPECT_EQ(type_of["flag"], "boolean");
  EXPECT_EQ(type_of["small"], "integer");
}

TEST_F(Pg, ATimestampIsStoredAsTheInstantInUtc) {
  Everything e;
  e.at = DateTime::parse("2024-06-01T12:00:00+02:00");
  e.save(db);
  auto r = db.execute("SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS utc FROM everything").rows;
  EXPECT_EQ(r.at(0)["utc"].as_string(), "2024-06-01 10:00:00");
  EXPECT_EQ(Everything::objects(db).filter("at__year", 2024).filter("at__month", 6).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("at__gte", DateTime(2024, 6, 1, 10)).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("at__gt", DateTime(2024, 6, 1, 10)).count(), 0);
}

TEST_F(Pg, LookupsMeanWhatTheyMeanOnSqlite) {
  person("Ünïcode Ärger", 30, "ÉCOLE");
  person("100% pure_thing", 41);
  person("plain", 18, "x");
  auto names = [&](QuerySet<Person> q) {
    std::vector<std::string> out;
    for (auto& p : q.order_by("name").all()) out.push_back(p.name);
    return out;
  };
  EXPECT_EQ(names(Person::objects(db).filter("name__icontains", "ärger")), std::vector<std::string>{"Ünïcode Ärger"});
  EXPECT_EQ(names(Person::objects(db).filter("nickname__iexact", "école")), std::vector<std::string>{"Ünïcode Ärger"});
  EXPECT_EQ(names(Person::objects(db).filter("name__contains", "%")), std::vector<std::string>{"100% pure_thing"});
  EXPECT_TRUE(Person::objects(db).filter("name__contains", "_t").exists());
  EXPECT_FALSE(Person::objects(db).filter("name__contains", "r_e").exists());  // _ matches itself only
  EXPECT_FALSE(Person::objects(db).filter("name__startswith", "ünï").exists());  // case-sensitive
  EXPECT_EQ(Person::objects(db).filter("name__in", Array{}).count(), 0);
  EXPECT_EQ(Person::objects(db).filter("age__in", Array{18, 41}).count(), 2);
  EXPECT_EQ(Person::objects(db).filter("age__range", Array{18, 30}).count(), 2);
  EXPECT_EQ(Person::objects(db).filter("nickname__isnull", true).count(), 1);
  // exclude() keeps the rows whose column is NULL, as Django does.
  EXPECT_EQ(Person::objects(db).exclude("nickname", "x").count(), 2);
  // Ordering puts NULLs last ascending and first descending.
  auto by_nick = Person::objects(db).order_by("nickname").all();
  EXPECT_FALSE(by_nick.back().nickname.has_value());
  auto by_nick_desc = Person::objects(db).order_by("-nickname").all();
  EXPECT_FALSE(by_nick_desc.front().nickname.has_value());
  EXPECT_EQ(Person::objects(db).order_by("-age").limit(1).offset(1).all().at(0).age, 30);
}

TEST_F(Pg, IntegrityErrorsNameTheirSqlstateAndConstraint) {
  person("dup", 1);
  Person again;
  again.name = "dup";
  try {
    again.save(db);
    FAIL() << "no error";
  } catch (const IntegrityError& e) {
    EXPECT_EQ(e.sqlstate(), "23505");
    EXPECT_EQ(e.constraint(), "pg_people_name_key");
  }
  auto msg = message_of<ProgrammingError>([&] { db.execute("SELECT nope FROM pg_people"); });
  EXPECT_TRUE(has(msg, "42703")) << msg;
  msg = message_of<ProgrammingError>([&] { db.execute("SELECT 1; SELECT 2"); });
  EXPECT_TRUE(has(msg, "one statement at a time")) << msg;
  auto e = message_of<DataError>([&] { db.execute("SELECT $1::int4 AS n", {int64_t{1} << 40}); });
  EXPECT_TRUE(has(e, "out of range")) << e;
}

TEST_F(Pg, TransactionsSavepointsAndAnAbortedTransaction) {
  {
    auto tx = db.transaction();
    Person p;
    p.name = "inside";
    p.save(tx);
    EXPECT_EQ(Person::objects(tx).count(), 1);
    EXPECT_EQ(Person::objects(db).count(), 0);  // another connection sees nothing yet
    {
      auto inner = tx.transaction();
      Person q;
      q.name = "rolled back";
      q.save(inner);
      inner.rollback();
    }
    tx.commit();
  }
  EXPECT_EQ(Person::objects(db).count(), 1);

  // An error aborts a PostgreSQL transaction; a savepoint around the
  // statement keeps the transaction usable.
  auto tx = db.transaction();
  try {
    auto sp = tx.transaction();
    Person dup;
    dup.name = "inside";
    dup.save(sp);
    sp.commit();
    FAIL() << "no error";
  } catch (const IntegrityError&) {
  }
  EXPECT_EQ(Person::objects(tx).count(), 1);
  try {
    Person dup;
    dup.name = "inside";
    dup.save(tx);
  } catch (const IntegrityError&) {
  }
  auto msg = message_of<OperationalError>([&] { Person::objects(tx).count(); });
  EXPECT_TRUE(has(msg, "25P02")) << msg;
  EXPECT_TRUE(has(msg, "savepoint")) << msg;
  // COMMIT of the failed transaction rolls it back: an error, never a silent loss.
  auto c = message_of<TransactionRollback>([&] { tx.commit(); });
  EXPECT_TRUE(has(c, "nothing was committed")) << c;
  EXPECT_EQ(Person::objects(db).count(), 1);

  auto [obj, created] = Person::get_or_create(db, {{"name", "inside"}});
  EXPECT_FALSE(created);
  auto ro = db.transaction({.isolation = Isolation::Serializable, .read_only = true});
  auto w = message_of<OperationalError>([&] { Person::objects(ro).filter("name", "x").update({{"age", 2}}); });
  EXPECT_TRUE(has(w, "read-only")) << w;
}

TEST_F(Pg, RawSqlBindsParametersAndReadsEveryType) {
  auto r = db.execute("SELECT $1::int8 + 1 AS n, $2::text AS s, now() AS t, 1.50::numeric AS d, "
                      "ARRAY[1,2]::int4[] AS a, NULL::text AS z, true AS b, interval '1 day' AS i",
                      {41, "x"})
               .rows;
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["n"].as_int(), 42);
  EXPECT_EQ(r[0]["s"].as_string(), "x");
  EXPECT_EQ(r[0]["t"].type(), Value::Type::DateTime);
  EXPECT_EQ(r[0]["d"].as_decimal().to_string(), "1.50");
  EXPECT_TRUE(r[0]["z"].is_null());
  EXPECT_TRUE(r[0]["b"].as_bool());
  EXPECT_EQ(r[0]["i"].as_string(), "1 day");  // a type covet does not map: its text
  auto b = db.execute("SELECT ARRAY[1,2]::int4[] AS a, 123456.789::numeric AS d, -0.001::numeric AS e").rows;
  EXPECT_EQ(b[0]["a"].as_array(), (Array{1, 2}));
  EXPECT_EQ(b[0]["d"].as_decimal().to_string(), "123456.789");
  EXPECT_EQ(b[0]["e"].as_decimal().to_string(), "-0.001");
}

TEST_F(Pg, PasswordsNeverAppearInErrors) {
  auto msg = message_of<OperationalError>([&] {
    Database bad("postgresql://postgres:s3cret-pw@127.0.0.1:1/covet_test?connect_timeout=2");
    bad.execute("SELECT 1");
  });
  EXPECT_FALSE(has(msg, "s3cret-pw")) << msg;
  EXPECT_TRUE(has(msg, "cannot connect")) << msg;
  // Nor in echo output: the log shows statements and parameters, and the
  // URL only with its password masked.
  std::vector<std::string> lines;
  std::string with_password = "postgresql://postgres:s3cret-pw@" + url.substr(url.find('@') + 1);
  Database echoed(with_password + "&echo=true", {.logger = [&](std::string_view l) { lines.emplace_back(l); }});
  echoed.execute("SELECT $1::text AS x", {"visible"});
  ASSERT_FALSE(lines.empty());
  for (const auto& l : lines) EXPECT_FALSE(has(l, "s3cret-pw")) << l;
  EXPECT_TRUE(has(lines.back(), "visible"));
  EXPECT_FALSE(has(echoed.url().redacted(), "s3cret-pw"));
  auto cfg = message_of<ConfigurationError>([&] { Database("postgresql://u:s3cret-pw@h/db?bogus=1"); });
  EXPECT_FALSE(has(cfg, "s3cret-pw")) << cfg;
  EXPECT_TRUE(has(cfg, "sslmode")) << cfg;  // the known options are listed
}

TEST_F(Pg, AConnectionKilledWhileIdleIsDroppedAndTheNextCheckoutWorks) {
  Database one(url + "&pool_size=1&max_overflow=0");
  EXPECT_EQ(one.execute("SELECT 1 AS x").rows.at(0)["x"].as_int(), 1);
  auto pid = one.execute("SELECT pg_backend_pid() AS p").rows.at(0)["p"].as_int();
  db.execute("SELECT pg_terminate_backend($1::int4)", {pid});
  for (int i = 0; i < 50 && db.execute("SELECT count(*) AS n FROM pg_stat_activity WHERE pid = $1::int4", {pid}).rows.at(0)["n"].as_int() > 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  auto msg = message_of<OperationalError>([&] { one.execute("SELECT 1"); });
  EXPECT_TRUE(has(msg, "will not be reused")) << msg;
  EXPECT_EQ(one.execute("SELECT 2 AS x").rows.at(0)["x"].as_int(), 2);
  EXPECT_GE(one.pool_stats().closed, 1u);

  // With pre_ping the dead connection never reaches the caller.
  Database pinged(url + "&pool_size=1&max_overflow=0&pre_ping=true");
  pid = pinged.execute("SELECT pg_backend_pid() AS p").rows.at(0)["p"].as_int();
  db.execute("SELECT pg_terminate_backend($1::int4)", {pid});
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(pinged.execute("SELECT 3 AS x").rows.at(0)["x"].as_int(), 3);
}

TEST_F(Pg, TheReplicaServesReadsOfWhatThePrimaryWrote) {
  std::string replica_url = test_support::require_service("COVET_TEST_POSTGRES_REPLICA_URL");
  ASSERT_FALSE(replica_url.empty());
  person("replicated", 7);
  Database replica(replica_url + "?search_path=" + schema);
  int64_t n = 0;
  for (int i = 0; i < 200 && n == 0; ++i) {
    try {
      n = Person::objects(replica).filter("name", "replicated").count();
    } catch (const ProgrammingError&) {  // the table has not reached the standby yet
    }
    if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(n, 1);
  auto msg = message_of<OperationalError>([&] { Person::objects(replica).filter("name", "replicated").update({{"age", 8}}); });
  EXPECT_TRUE(has(msg, "read-only")) << msg;
}

TEST_F(Pg, ACursorStreamsRowsAndMayStopEarly) {
  {
    auto tx = db.transaction();
    for (int i = 0; i < 3000; ++i) {
      Person p;
      p.name = "p" + std::to_string(i);
      p.age = i;
      p.save(tx);
    }
    tx.commit();
  }
  int64_t n = 0, sum = 0;
  for (const Person& p : Person::objects(db).order_by("age").iterate()) ++n, sum += p.age;
  EXPECT_EQ(n, 3000);
  EXPECT_EQ(sum, 2999 * 3000 / 2);

  // Inside a transaction: stop early, then the same connection runs on.
  auto tx = db.transaction();
  n = 0;
  for (const Person& p : Person::objects(tx).order_by("age").iterate()) {
    EXPECT_EQ(p.age, n);
    // One result at a time per connection: a statement meanwhile is refused.
    if (n == 0) {
      EXPECT_THROW(Person::objects(tx).count(), UsageError);
    }
    if (++n == 10) break;
  }
  EXPECT_EQ(Person::objects(tx).filter("age__lt", 100).count(), 100);
  tx.commit();
  EXPECT_EQ(Person::objects(db).count(), 3000);
}

TEST_F(Pg, SelectForUpdateLocksRowsUntilTheTransactionEnds) {
  person("locked", 1);
  person("free", 2);
  EXPECT_EQ(Person::objects(db).select_for_update().sql(),
            "SELECT \"pg_people\".\"id\", \"pg_people\".\"name\", \"pg_people\".\"nickname\", \"pg_people\".\"age\", "
            "\"pg_people\".\"joined\" FROM \"pg_people\" FOR UPDATE");
  auto outside = message_of<UsageError>([&] { Person::objects(db).select_for_update().all(); });
  EXPECT_TRUE(has(outside, "inside a transaction")) << outside;
  EXPECT_THROW(Person::objects(db).select_for_update({.nowait = true, .skip_locked = true}), InvalidArgument);

  auto holder = db.transaction();
  auto mine = Person::objects(holder).filter("name", "locked").select_for_update({.of_self = true}).all();
  ASSERT_EQ(mine.size(), 1u);
  {
    auto other = db.transaction();
    // NOWAIT: the locked row is an immediate error, not a wait.
    auto msg = message_of<OperationalError>(
        [&] { Person::objects(other).filter("name", "locked").select_for_update({.nowait = true}).all(); });
    EXPECT_TRUE(has(msg, "55P03")) << msg;
  }
  {
    auto other = db.transaction();
    // SKIP LOCKED: the locked row is left out (a job queue's pattern).
    auto rest = Person::objects(other).order_by("age").select_for_update({.skip_locked = true}).all();
    ASSERT_EQ(rest.size(), 1u);
    EXPECT_EQ(rest[0].name, "free");
    EXPECT_EQ(Person::objects(other).select_for_update().count(), 2);  // count() takes no locks
  }
  holder.commit();
  auto after = db.transaction();
  EXPECT_EQ(Person::objects(after).select_for_update({.nowait = true}).all().size(), 2u);
  after.commit();

  // SQLite has no row locks: a clear error rather than a silent no-op.
  Database lite("sqlite://:memory:");
  lite.create_all<Person>();
  auto ltx = lite.transaction();
  auto msg = message_of<NotSupportedError>([&] { Person::objects(ltx).select_for_update().all(); });
  EXPECT_TRUE(has(msg, "no row locks")) << msg;
}

TEST_F(Pg, AReadOnlyDatabaseRefusesWritesBeforeSendingThem) {
  person("kept", 1);
  Database ro(url + "&readonly=true");
  EXPECT_EQ(Person::objects(ro).count(), 1);
  EXPECT_EQ(ro.execute("SELECT count(*) AS n FROM pg_people").rows.at(0)["n"].as_int(), 1);
  Person p;
  p.name = "refused";
  auto msg = message_of<ReadOnlyError>([&] { p.save(ro); });
  EXPECT_TRUE(has(msg, "read-only")) << msg;
  EXPECT_FALSE(has(msg, "@127.0.0.1:") && has(msg, "password")) << msg;
  EXPECT_THROW(Person::objects(ro).filter("name", "kept").update({{"age", 2}}), ReadOnlyError);
  EXPECT_THROW(Person::objects(ro).remove(), ReadOnlyError);
  EXPECT_THROW(ro.execute("DELETE FROM pg_people"), ReadOnlyError);
  EXPECT_THROW(ro.execute("WITH x AS (DELETE FROM pg_people RETURNING 1) SELECT 1"), ReadOnlyError);
  EXPECT_THROW(ro.create_all<Person>(), ReadOnlyError);
  auto tx = ro.transaction();
  EXPECT_EQ(Person::objects(tx).count(), 1);
  EXPECT_THROW(p.save(tx), ReadOnlyError);
  tx.rollback();
  EXPECT_EQ(Person::objects(db).count(), 1);
  EXPECT_EQ(Person::objects(db).get("name", "kept").age, 1);
  // The same on SQLite.
  Database lite("sqlite://:memory:?readonly=true");
  EXPECT_THROW(lite.create_all<Person>(), ReadOnlyError);
}

TEST_F(Pg, ReadsGoToTheReplicaWritesAndTransactionsToThePrimary) {
  std::string replica_url = test_support::require_service("COVET_TEST_POSTGRES_REPLICA_URL");
  ASSERT_FALSE(replica_url.empty());
  Database both(url, {.replicas = {replica_url + "?search_path=" + schema}});
  Person p;
  p.name = "written";
  uint64_t primary_before = both.pool_stats().checkouts;
  p.save(both);  // the primary
  EXPECT_EQ(both.pool_stats().checkouts, primary_before + 1);
  EXPECT_EQ(both.replica_pool_stats().at(0).checkouts, 0u);
  // Replication is asynchronous: the replica catches up shortly (until
  // then it may not even have the table).
  int64_t seen = 0;
  for (int i = 0; i < 200 && seen == 0; ++i) {
    try {
      seen = Person::objects(both).filter("name", "written").count();
    } catch (const ProgrammingError&) {
    }
    if (seen == 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  EXPECT_EQ(seen, 1);
  EXPECT_GE(both.replica_pool_stats().at(0).checkouts, 1u);  // the reads went to the replica
  EXPECT_EQ(both.pool_stats().checkouts, primary_before + 1);  // and not to the primary
  // Inside a transaction everything runs on the primary: a read right after
  // a write sees it, and row locks work.
  auto tx = both.transaction();
  Person q;
  q.name = "in tx";
  q.save(tx);
  EXPECT_EQ(Person::objects(tx).filter("name", "in tx").count(), 1);
  EXPECT_EQ(Person::objects(tx).filter("name", "in tx").select_for_update().all().size(), 1u);
  tx.commit();
  EXPECT_THROW(Database(url, {.replicas = {"sqlite://:memory:"}}), ConfigurationError);
}

TEST_F(Pg, CachedStatementsSurviveTableChangesAndDiscardAll) {
  Database one(url + "&pool_size=1&max_overflow=0");
  auto rows = [&] { return one.execute("SELECT * FROM pg_people ORDER BY id").rows; };
  person("a", 1);
  EXPECT_EQ(rows().size(), 1u);
  db.execute("ALTER TABLE pg_people ADD COLUMN extra int DEFAULT 7");
  auto r = rows();  // the cached plan's result type changed: prepared again, run again
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["extra"].as_int(), 7);
  one.execute("DISCARD ALL");  // the server forgets every prepared statement
  EXPECT_EQ(rows().size(), 1u);
  EXPECT_EQ(Person::objects(one).count(), 1);
}

TEST_F(Pg, SerializableConflictsRaiseSerializationFailure) {
  person("x", 1);
  person("y", 2);
  auto a = db.transaction({.isolation = Isolation::Serializable});
  auto b = db.transaction({.isolation = Isolation::Serializable});
  // Each reads what the other writes (write skew): one must fail.
  EXPECT_EQ(Person::objects(a).filter("name", "x").count(), 1);
  EXPECT_EQ(Person::objects(b).filter("name", "y").count(), 1);
  Person::objects(a).filter("name", "y").update({{"age", 10}});
  Person::objects(b).filter("name", "x").update({{"age", 20}});
  a.commit();
  try {
    b.commit();
    FAIL() << "no serialization failure";
  } catch (const SerializationFailure& e) {
    EXPECT_EQ(e.sqlstate(), "40001");
  }
  auto rc = db.transaction({.isolation = Isolation::RepeatableRead, .read_only = true});
  EXPECT_EQ(rc.execute("SHOW transaction_isolation").rows.at(0)["transaction_isolation"].as_string(), "repeatable read");
  EXPECT_EQ(rc.execute("SHOW transaction_read_only").rows.at(0)["transaction_read_only"].as_string(), "on");
}

// Two transactions each wait for a row the other holds: PostgreSQL ends one
// with 40P01 (after deadlock_timeout, 1 s), which covet raises as
// DeadlockDetected (a TransactionRollback: retrying the whole transaction
// may succeed); the other then goes on and commits.
TEST_F(Pg, ADeadlockEndsOneTransactionWithDeadlockDetected) {
  Person x = person("x", 1);
  Person y = person("y", 2);
  std::atomic<int> locked{0};
  std::atomic<int> deadlocks{0}, commits{0};
  auto worker = [&](int64_t first, int64_t second) {
    try {
      auto tx = db.transaction();
      Person::objects(tx).filter("id", first).update({{"age", 100}});
      ++locked;
      while (locked.load() < 2) std::this_thread::yield();
      Person::objects(tx).filter("id", second).update({{"age", 200}});
      tx.commit();
      ++commits;
    } catch (const DeadlockDetected& e) {
      EXPECT_EQ(e.sqlstate(), "40P01");
      ++deadlocks;
    }
  };
  std::thread a(worker, x.id, y.id);
  worker(y.id, x.id);
  a.join();
  EXPECT_EQ(deadlocks.load(), 1);
  EXPECT_EQ(commits.load(), 1);
  EXPECT_EQ(Person::objects(db).filter("age", 200).count(), 1);  // the survivor's second update
  EXPECT_EQ(Person::objects(db).filter("age", 100).count(), 1);
}

TEST_F(Pg, MultiDbRoutesEachModelToItsOwnDatabase) {
  std::string cache_file = std::string(COVET_TEST_TMP) + "/multi_cache_" + schema + ".db";
  std::remove(cache_file.c_str());
  MultiDB dbs({{"default", url}, {"accounts", "sqlite://:memory:"}, {"cache", "sqlite:///" + cache_file}});
  EXPECT_EQ(dbs.aliases(), (std::vector<std::string>{"accounts", "cache", "default"}));
  dbs.create_all<Person, Account, CacheEntry>();
  // Each table exists in its own database only.
  EXPECT_EQ(db.execute("SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() "
                       "AND table_name IN ('multi_accounts', 'multi_cache')")
                .rows.at(0)["n"].as_int(),
            0);
  EXPECT_THROW(dbs.bind("accounts").execute("SELECT * FROM multi_cache"), ProgrammingError);
  Account a;
  a.login = "ann";
  a.save(dbs);
  CacheEntry c;
  c.key = "k";
  c.save(dbs);
  person("routed", 3);
  EXPECT_EQ(Account::objects(dbs).count(), 1);
  EXPECT_EQ(CacheEntry::objects(dbs).get("key", "k").id, c.id);
  EXPECT_EQ(Person::objects(dbs).filter("name", "routed").count(), 1);
  EXPECT_EQ(dbs.bind("accounts").execute("SELECT login FROM multi_accounts").rows.at(0)["login"].as_string(), "ann");
  EXPECT_EQ(dbs.for_model<Account>().dialect().name(), "sqlite");
  EXPECT_EQ(dbs.for_model<Person>().dialect().name(), "postgresql");
  a.refresh(dbs);
  a.remove(dbs);
  EXPECT_EQ(Account::objects(dbs).count(), 0);
  auto msg = message_of<ConfigurationError>([&] { dbs.bind("nope"); });
  EXPECT_TRUE(has(msg, "accounts, cache, default")) << msg;
  MultiDB partial({{"default", url}});
  EXPECT_THROW(Account::objects(partial), ConfigurationError);
  EXPECT_THROW(partial.create_all<Account>(), ConfigurationError);
  EXPECT_THROW(MultiDB({{"default", url}, {"default", url}}), ConfigurationError);
  std::remove(cache_file.c_str());
}

TEST_F(Pg, StatementsDroppedFromTheCacheAreDeallocatedOnTheServer) {
  Database one(url + "&pool_size=1&max_overflow=0");
  for (int k = 0; k < 600; ++k) one.execute("SELECT $1::int8 + " + std::to_string(k) + " AS x", {1});
  // The connection's cache holds at most 512; what it dropped is gone from
  // the server too (deallocated together, with the next statement prepared).
  auto n = one.execute("SELECT count(*) AS n FROM pg_prepared_statements").rows.at(0)["n"].as_int();
  EXPECT_LE(n, 200) << n;
  EXPECT_GE(n, 1);
}

}  // namespace
