// The engine's shape on SQLite: Database as a shared handle, Sessions and
// Transactions owning pooled connections, executors, one active result per
// connection, INSERT ... RETURNING, normalised SQLSTATEs.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <thread>

#include "blog/models.hpp"
#include "support/helpers.hpp"
#include "covet/schema/field_kind.hpp"

namespace engine_models {
struct Parent {
  int64_t id = 0;
  std::string name;
  static void meta(covet::Meta<Parent>& m) { m.table("parents").field(&Parent::name, covet::unique()); }
};
struct Child {
  int64_t id = 0;
  int64_t parent_id = 0;
  int32_t age = 0;
  static void meta(covet::Meta<Child>& m) { m.table("children").check("age_positive", "age >= 0"); }
};
// A user field type: money in cents, stored as a BigInteger.
struct Cents {
  int64_t value = 0;
  bool operator==(const Cents&) const = default;
};
// A user field type stored as text, normalised on the way in.
struct Email {
  std::string address;
};
struct Invoice {
  int64_t id = 0;
  Cents total;
  Email contact;
  std::optional<Cents> discount;
  std::string status = "draft";
  static void meta(covet::Meta<Invoice>& m) {
    m.table("invoices").field(&Invoice::status, covet::max_length(10), covet::choices({"draft", "sent", "paid"}));
  }
};
}  // namespace engine_models

template <>
struct covet::FieldType<engine_models::Cents> {
  using storage = int64_t;
  static int64_t to_db(const engine_models::Cents& c) { return c.value; }
  static engine_models::Cents from_db(int64_t v) { return {v}; }
};
template <>
struct covet::FieldType<engine_models::Email> {
  using storage = std::string;
  static std::string to_db(const engine_models::Email& e) {
    std::string out = e.address;
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  }
  static engine_models::Email from_db(std::string s) {
    if (s.find('@') == std::string::npos) throw covet::InvalidArgument("not an email address: " + s);
    return {std::move(s)};
  }
};

namespace {

using test_support::has;
using test_support::message_of;

namespace fs = std::filesystem;
using blog::User;
using covet::Database;
using covet::Value;

std::string temp_path(const std::string& tag) {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path p = fs::path(COVET_TEST_TMP) / ("engine_" + std::string(info->name()) + tag + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return p.string();
}

using test_support::make_user;


// ------------------------------------------------------------ executors
TEST(Executors, WorkThroughATransactionRunsOnItsConnection) {
  Database db("sqlite:///" + temp_path(""));
  db.create_all<User>();
  {
    auto tx = db.transaction();
    User u = make_user("alice");
    u.save(tx);
    EXPECT_GT(u.id, 0);
    EXPECT_EQ(User::objects(tx).count(), 1);                   // visible inside
    EXPECT_EQ(User::objects(db).count(), 0);                   // another pooled connection: not yet
    EXPECT_EQ(tx.execute("SELECT count(*) AS n FROM users").rows[0]["n"], Value(1));
    User::objects(tx).filter("username", "alice").update({{"email", "a@example.org"}});
    EXPECT_EQ(User::objects(tx).get("username", "alice").email, "a@example.org");
    tx.commit();
  }
  EXPECT_EQ(User::objects(db).get("username", "alice").email, "a@example.org");
}

TEST(Executors, RolledBackWorkThroughATransactionLeavesNothing) {
  Database db("sqlite:///" + temp_path(""));
  db.create_all<User>();
  {
    auto tx = db.transaction();
    make_user("alice").save(tx);
    auto [bob, created] = User::get_or_create(tx, {{"username", "bob"}}, {{"email", "b@example.com"}});
    EXPECT_TRUE(created);
    User::create(tx, {{"username", "carol"}, {"email", "c@example.com"}});
    EXPECT_EQ(User::objects(tx).count(), 3);
  }
  EXPECT_EQ(User::objects(db).count(), 0);
  EXPECT_EQ(db.pool_stats().in_use, 0);
}

TEST(Executors, ATransactionEndedBehindCovetsBackIsNotContinuedInAutocommit) {
  Database db("sqlite://:memory:");
  db.create_all<User>();
  auto tx = db.transaction();
  make_user("alice").save(tx);
  tx.execute("ROLLBACK");  // raw SQL ends the transaction
  std::string msg = message_of<covet::OperationalError>([&] { make_user("bob").save(tx); });
  EXPECT_NE(msg.find("rolled back the open transaction"), std::string::npos) << msg;
  EXPECT_THROW(tx.commit(), covet::OperationalError);
  EXPECT_EQ(User::objects(db).count(), 0);  // nothing was written in autocommit
}

TEST(Executors, ASessionKeepsOneConnectionAcrossStatements) {
  Database db("sqlite:///" + temp_path(""));
  auto s = db.session();
  s.execute("CREATE TEMP TABLE scratch (x integer)");
  s.execute("INSERT INTO scratch VALUES (1), (2)");
  EXPECT_EQ(s.execute("SELECT count(*) AS n FROM scratch").rows[0]["n"], Value(2));
  EXPECT_THROW(db.execute("SELECT count(*) FROM scratch"), covet::ProgrammingError);  // another connection
  auto tx = s.transaction();
  s.execute("INSERT INTO scratch VALUES (3)");
  tx.rollback();
  EXPECT_EQ(s.execute("SELECT count(*) AS n FROM scratch").rows[0]["n"], Value(2));
  s.close();
  EXPECT_THROW(s.execute("SELECT 1"), covet::UsageError);
}

TEST(Executors, AnEndedTransactionsQuerySetsAreAUsageError) {
  Database db("sqlite://:memory:");
  db.create_all<User>();
  std::optional<covet::QuerySet<User>> q;
  {
    auto tx = db.transaction();
    q = User::objects(tx).filter("username__startswith", "a");
    EXPECT_EQ(q->count(), 0);
    tx.commit();
  }
  std::string msg = message_of<covet::UsageError>([&] { q->count(); });
  EXPECT_NE(msg.find("has ended"), std::string::npos) << msg;
  User u = make_user("zed");
  auto tx = db.transaction();
  tx.commit();
  EXPECT_THROW(u.save(tx), covet::UsageError);  // a finished transaction is no executor
}

TEST(Executors, ASavepointsExecutorEndsWithTheSavepoint) {
  Database db("sqlite://:memory:");
  db.create_all<User>();
  auto tx = db.transaction();
  std::optional<covet::QuerySet<User>> inner_q;
  {
    auto sp = tx.transaction();
    inner_q = User::objects(sp);
    make_user("alice").save(sp);
    sp.commit();
  }
  EXPECT_THROW(inner_q->count(), covet::UsageError);
  EXPECT_EQ(User::objects(tx).count(), 1);
  tx.commit();
}

// ------------------------------------------------------------- handles
TEST(Handles, QuerySetsCursorsAndTransactionsKeepTheDatabaseAlive) {
  std::optional<covet::QuerySet<User>> q;
  std::optional<covet::QuerySet<User>::Cursor> cursor;
  std::optional<covet::Transaction> tx;
  {
    Database db("sqlite://:memory:?pool_timeout=1");
    db.create_all<User>();
    make_user("alice").save(db);
    q = User::objects(db).filter("username", "alice");
    cursor.emplace(User::objects(db).iterate());
  }  // the handle is gone; the state lives on
  std::vector<std::string> seen;
  for (const User& u : *cursor) seen.push_back(u.username);
  EXPECT_EQ(seen, std::vector<std::string>{"alice"});
  cursor.reset();  // returns the only connection
  EXPECT_EQ(q->count(), 1);
  {
    Database db("sqlite://:memory:");
    db.create_all<User>();
    tx.emplace(db.transaction());
  }
  make_user("bob").save(*tx);
  EXPECT_EQ(User::objects(*tx).count(), 1);
  tx->commit();
  tx.reset();
}

TEST(Handles, AMovedFromDatabaseIsAUsageErrorNotACrash) {
  Database a("sqlite://:memory:");
  a.create_all<User>();
  make_user("alice").save(a);
  auto q = User::objects(a);
  Database b = std::move(a);
  std::string msg = message_of<covet::UsageError>([&] { a.execute("SELECT 1"); });
  EXPECT_NE(msg.find("moved from"), std::string::npos) << msg;
  EXPECT_THROW(User::objects(a), covet::UsageError);
  EXPECT_THROW(make_user("x").save(a), covet::UsageError);
  EXPECT_THROW(a.transaction(), covet::UsageError);
  EXPECT_THROW(a.pool_stats(), covet::UsageError);
  EXPECT_EQ(q.count(), 1);  // made before the move: it shares the state
  EXPECT_EQ(User::objects(b).count(), 1);
  a = b;  // assigning makes it usable again
  EXPECT_EQ(User::objects(a).count(), 1);
}

TEST(Handles, CopiesShareOnePool) {
  Database a("sqlite:///" + temp_path(""), {.pool_size = 3});
  Database b = a;
  a.create_all<User>();
  make_user("alice").save(b);
  EXPECT_EQ(User::objects(a).count(), 1);
  auto s1 = a.session();
  auto s2 = b.session();
  EXPECT_EQ(a.pool_stats().in_use, 2);
  EXPECT_EQ(b.pool_stats().in_use, 2);
}

// ------------------------------------------------------- driver contract
TEST(DriverContract, InsertFillsTheGeneratedKeyAndRawSqlCanUseReturning) {
  Database db("sqlite://:memory:");
  db.create_all<User>();
  User a = make_user("alice"), b = make_user("bob");
  a.save(db);
  b.save(db);
  EXPECT_EQ(b.id, a.id + 1);
  auto r = db.execute("INSERT INTO users (username, email, password_hash, is_active, created_at, updated_at) "
                      "VALUES ('carol', 'c@x', 'h', 1, '2026-01-01', '2026-01-01') RETURNING id, username");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0]["id"], Value(b.id + 1));
  EXPECT_EQ(r.rows_affected, 1);
}

TEST(DriverContract, SqlstateIsTheSameForEveryConstraintKind) {
  using engine_models::Child;
  using engine_models::Parent;
  Database db("sqlite://:memory:");
  db.create_all<Parent, Child>();
  db.execute("CREATE TABLE fk_child (id integer PRIMARY KEY, parent integer NOT NULL REFERENCES parents(id))");
  Parent p;
  p.name = "p";
  covet::save(db, p);
  auto state_of = [&](auto&& f) {
    try {
      f();
    } catch (const covet::DatabaseError& e) {
      return std::string(e.sqlstate());
    }
    return std::string("none");
  };
  EXPECT_EQ(state_of([&] { Parent q; q.name = "p"; covet::save(db, q); }), "23505");  // UNIQUE
  EXPECT_EQ(state_of([&] { db.execute("INSERT INTO fk_child (parent) VALUES (999)"); }), "23503");
  EXPECT_EQ(state_of([&] { db.execute("INSERT INTO fk_child (parent) VALUES (NULL)"); }), "23502");
  EXPECT_EQ(state_of([&] { Child c; c.age = -1; covet::save(db, c); }), "23514");  // CHECK
  EXPECT_EQ(state_of([&] { db.execute("SELEC 1"); }), "42601");
  EXPECT_EQ(state_of([&] { db.execute("SELECT * FROM nowhere"); }), "42P01");
  EXPECT_EQ(state_of([&] { db.execute("SELECT nope FROM parents"); }), "42703");
  try {
    Parent q;
    q.name = "p";
    covet::save(db, q);
  } catch (const covet::IntegrityError& e) {
    EXPECT_EQ(e.code(), "2067");  // SQLite's own extended code is kept
    EXPECT_NE(std::string(e.what()).find("SQLSTATE 23505"), std::string::npos) << e.what();
  }
}

TEST(DriverContract, ALockHeldTooLongIsARetryableSerializationFailure) {
  std::string url = "sqlite:///" + temp_path("");
  Database a(url);
  Database b(url + "?timeout=50");
  a.create_all<User>();
  auto tx = a.transaction();  // BEGIN IMMEDIATE: holds the write lock
  make_user("alice").save(tx);
  try {
    make_user("bob").save(b);
    FAIL() << "the write went through while another connection held the lock";
  } catch (const covet::SerializationFailure& e) {
    EXPECT_EQ(e.sqlstate(), "40001");
    EXPECT_NE(std::string(e.what()).find("retry"), std::string::npos) << e.what();
    const covet::TransactionRollback& base = e;  // the retryable family
    (void)base;
  }
  tx.commit();
  make_user("bob").save(b);  // the retry succeeds
  EXPECT_EQ(User::objects(b).count(), 2);
}

TEST(DriverContract, GenericErrorsHaveTheirClassSqlstate) {
  EXPECT_EQ(covet::IntegrityError("x", "", "").sqlstate(), "23000");
  EXPECT_EQ(covet::ProgrammingError("x").sqlstate(), "42000");
  EXPECT_EQ(covet::DataError("x").sqlstate(), "22000");
  EXPECT_EQ(covet::SerializationFailure("x").sqlstate(), "40001");
  EXPECT_EQ(covet::DeadlockDetected("x").sqlstate(), "40P01");
  EXPECT_EQ(covet::InDoubtError("x").sqlstate(), "08007");
  EXPECT_EQ(covet::OperationalError("x", "", "", false, "57P01").sqlstate(), "57P01");
}

TEST(DriverContract, TransactionOptionsAreAccepted) {
  std::vector<std::string> lines;
  Database db("sqlite://:memory:", {.echo = true, .logger = [&](std::string_view l) { lines.emplace_back(l); }});
  db.transaction({.isolation = covet::Isolation::Serializable}).commit();
  db.transaction({.read_only = true}).commit();
  ASSERT_GE(lines.size(), 4u);
  EXPECT_NE(lines[0].find("BEGIN IMMEDIATE"), std::string::npos);
  EXPECT_NE(lines[2].find("BEGIN DEFERRED"), std::string::npos) << lines[2];
}

// ----------------------------------------------------------- field kinds
TEST(FieldKinds, AUserTypeIsStoredThroughItsFieldType) {
  using engine_models::Cents;
  using engine_models::Invoice;
  Database db("sqlite://:memory:");
  db.create_all<Invoice>();
  const covet::ModelInfo& m = covet::model_info<Invoice>();
  EXPECT_EQ(m.field(m.require("total")).kind, covet::FieldKind::BigInteger);
  EXPECT_EQ(m.field(m.require("contact")).kind, covet::FieldKind::Text);
  Invoice a{.total = {1250}, .contact = {"Ann@Example.COM"}};
  covet::save(db, a);
  Invoice b{.total = {99}, .contact = {"bob@example.com"}, .discount = Cents{10}};
  covet::save(db, b);
  Invoice back = covet::objects<Invoice>(db).get("id", a.id);
  EXPECT_EQ(back.total, Cents{1250});
  EXPECT_EQ(back.contact.address, "ann@example.com");  // to_db normalised it
  EXPECT_FALSE(back.discount.has_value());
  EXPECT_EQ(covet::objects<Invoice>(db).filter("total__gt", 100).count(), 1);
  EXPECT_EQ(covet::objects<Invoice>(db).filter(covet::col(&Invoice::total) == Cents{99}).count(), 1);
  EXPECT_EQ(covet::objects<Invoice>(db).filter("discount__isnull", false).get().id, b.id);
  auto rows = covet::objects<Invoice>(db).order_by("id").values("total", "contact").all();
  EXPECT_EQ(rows[1]["total"], Value(99));
  EXPECT_EQ(covet::objects<Invoice>(db).filter("id", b.id).update({{"total", 120}}), 1);
  EXPECT_EQ(covet::objects<Invoice>(db).get("id", b.id).total, Cents{120});
  // from_db refusing stored data is a DataError naming the field.
  db.execute("UPDATE invoices SET contact = 'nobody' WHERE id = ?", {a.id});
  try {
    covet::objects<Invoice>(db).get("id", a.id);
    FAIL();
  } catch (const covet::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("Invoice.contact"), std::string::npos) << e.what();
  }
}

TEST(FieldKinds, UpdateRunsTheSameWriteCheckAsSaveAndReportsEveryProblem) {
  using engine_models::Invoice;
  Database db("sqlite://:memory:");
  db.create_all<Invoice>();
  Invoice a{.contact = {"a@x.io"}};
  covet::save(db, a);
  Invoice bad = a;
  bad.status = "archived";  // not a choice
  EXPECT_THROW(covet::save(db, bad), covet::ValidationError);
  try {
    covet::objects<Invoice>(db).update({{"status", "archived-long"}});
    FAIL();
  } catch (const covet::ValidationError& e) {
    const auto& errors = e.errors().at("status");
    ASSERT_EQ(errors.size(), 2u);  // too long and not a choice, both at once
    EXPECT_NE(errors[0].find("at most 10 characters"), std::string::npos) << errors[0];
    EXPECT_NE(errors[1].find("not a valid choice"), std::string::npos) << errors[1];
  }
  EXPECT_EQ(covet::objects<Invoice>(db).update({{"status", "paid"}}), 1);
  EXPECT_EQ(covet::objects<Invoice>(db).get("id", a.id).status, "paid");
}

TEST(FieldKinds, EveryKindHasOneTableEntry) {
  for (int k = 0; k <= static_cast<int>(covet::FieldKind::Binary); ++k) {
    const covet::KindOps& ops = covet::kind_ops(static_cast<covet::FieldKind>(k));
    EXPECT_EQ(static_cast<int>(ops.kind), k);
    EXPECT_EQ(ops.name, covet::to_string(ops.kind));
    EXPECT_NE(ops.convert, nullptr);
    EXPECT_NE(ops.read, nullptr);
    EXPECT_NE(ops.check, nullptr);
  }
}

// ----------------------------------------------------------- URL options
TEST(PoolOptions, ComeFromTheUrlAndTheOptionsStruct) {
  std::string path = temp_path("");
  Database a("sqlite:///" + path + "?pool_size=3&max_overflow=0&pool_timeout=0.1&min_size=2&pre_ping=true");
  EXPECT_EQ(a.pool_stats().size, 2);  // min_size opened up front
  auto s1 = a.session(), s2 = a.session(), s3 = a.session();
  EXPECT_THROW(a.session(), covet::PoolTimeout);
  Database b("sqlite:///" + path, {.pool_size = 1, .max_overflow = 0, .pool_timeout = std::chrono::milliseconds(50)});
  auto t1 = b.session();
  EXPECT_THROW(b.session(), covet::PoolTimeout);
  for (const char* bad : {"pool_size=x", "pool_timeout=-1", "pre_ping=maybe", "max_overflow=1.5", "pool_size=0",
                          "min_size=9"})
    EXPECT_THROW(Database("sqlite:///" + path + "?" + bad), covet::ConfigurationError) << bad;
}

}  // namespace
