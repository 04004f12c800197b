// Database on SQLite: URL forms and connection pragmas, echo logging, raw
// execute, transactions and savepoints, create_all/drop_all DDL, and the
// error hierarchy with SQLite's extended result codes.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "blog/models.hpp"
#include "support/helpers.hpp"
#include "support/models.hpp"

using namespace covet;
using blog::Post;
using blog::User;

namespace {

namespace fs = std::filesystem;

// A fresh file path under COVET_TEST_TMP, unique per test.
std::string temp_db_path(const std::string& tag = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path p = fs::path(COVET_TEST_TMP) / (std::string("database_") + info->name() + tag + ".db");
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(p.string() + suffix);
  return p.string();
}

int64_t scalar(Database& db, const std::string& sql, const std::vector<Value>& params = {}) {
  auto rows = db.execute(sql, params).rows;
  EXPECT_EQ(rows.size(), 1u) << sql;
  return rows.at(0)[0].as_int();
}

std::set<std::string> schema_names(Database& db, const std::string& type) {
  std::set<std::string> out;
  for (const auto& r : db.execute("SELECT name FROM sqlite_master WHERE type = ?", {type}).rows)
    out.insert(r["name"].as_string());
  return out;
}

using test_support::make_user;

// ------------------------------------------------------------------- URLs
TEST(DatabaseUrl, InMemoryDatabase) {
  Database db("sqlite://:memory:");
  EXPECT_EQ(db.url().scheme, "sqlite");
  EXPECT_EQ(db.url().database, ":memory:");
  EXPECT_EQ(db.dialect().name(), "sqlite");
  EXPECT_EQ(db.execute("PRAGMA journal_mode").rows.at(0)[0].as_string(), "memory");
  EXPECT_EQ(scalar(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(db, "SELECT 1 + 1"), 2);
}

TEST(DatabaseUrl, EachInMemoryDatabaseIsSeparate) {
  Database a("sqlite://:memory:");
  Database b("sqlite://:memory:");
  a.execute("CREATE TABLE t (x integer)");
  EXPECT_EQ(schema_names(a, "table").count("t"), 1u);
  EXPECT_EQ(schema_names(b, "table").count("t"), 0u);
}

TEST(DatabaseUrl, FileDatabaseUsesWalAndForeignKeys) {
  std::string path = temp_db_path();
  ASSERT_TRUE(fs::path(path).is_absolute());
  Database db("sqlite:///" + path);
  EXPECT_EQ(db.url().database, path);
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(db.execute("PRAGMA journal_mode").rows.at(0)[0].as_string(), "wal");
  EXPECT_EQ(scalar(db, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(scalar(db, "PRAGMA synchronous"), 1);  // NORMAL
}

TEST(DatabaseUrl, FileDatabasePersistsAcrossConnections) {
  std::string url = "sqlite:///" + temp_db_path();
  {
    Database db(url);
    db.create_all<User>();
    make_user("alice").save(db);
    make_user("bobby").save(db);
  }
  Database again(url);
  EXPECT_EQ(User::objects(again).count(), 2);
  EXPECT_EQ(User::objects(again).order_by("id").first()->username, "alice");
}

TEST(DatabaseUrl, ThreeSlashesIsRelativeToTheWorkingDirectory) {
  std::string path = temp_db_path();
  std::string rel = fs::relative(path, fs::current_path()).string();
  ASSERT_FALSE(rel.empty());
  ASSERT_NE(rel[0], '/');
  {
    Database db("sqlite:///" + rel);
    // Resolved once against the working directory of the moment, so that
    // connections the pool opens later reach the same file.
    EXPECT_EQ(db.url().database, fs::absolute(rel).lexically_normal().string());
    db.execute("CREATE TABLE marker (x integer)");
  }
  EXPECT_TRUE(fs::exists(path));
  Database abs("sqlite:///" + path);  // "sqlite:////abs/path": the same file
  EXPECT_EQ(schema_names(abs, "table").count("marker"), 1u);
}

TEST(DatabaseUrl, TwoConnectionsToOneFileSeeCommittedWrites) {
  std::string url = "sqlite:///" + temp_db_path();
  Database writer(url);
  Database reader(url);
  writer.create_all<User>();
  make_user("alice").save(writer);
  EXPECT_EQ(User::objects(reader).count(), 1);
  {
    auto tx = writer.transaction();
    make_user("bobby").save(tx);
    EXPECT_EQ(User::objects(reader).count(), 1);  // not yet committed
    tx.commit();
  }
  EXPECT_EQ(User::objects(reader).count(), 2);
}

TEST(DatabaseUrl, ReadOnlyModeRejectsWrites) {
  std::string path = temp_db_path();
  {
    Database db("sqlite:///" + path);
    db.execute("CREATE TABLE t (x integer)");
    db.execute("INSERT INTO t VALUES (1)");
  }
  Database ro("sqlite:///" + path + "?mode=ro");
  EXPECT_EQ(scalar(ro, "SELECT x FROM t"), 1);
  EXPECT_THROW(ro.execute("INSERT INTO t VALUES (2)"), DatabaseError);
  EXPECT_EQ(scalar(ro, "SELECT COUNT(*) FROM t"), 1);
}

TEST(DatabaseUrl, MalformedUrlsRaiseConfigurationError) {
  EXPECT_THROW(Database("memory"), ConfigurationError);
  EXPECT_THROW(Database("sqlite://"), ConfigurationError);
  EXPECT_THROW(Database("sqlite:relative.db"), ConfigurationError);
  try {
    Database db("mysql://user:secret@localhost/app");
    FAIL() << "expected ConfigurationError";
  } catch (const ConfigurationError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("mysql"), std::string::npos) << msg;
    EXPECT_EQ(msg.find("secret"), std::string::npos) << msg;  // never the password
  }
}

TEST(DatabaseUrl, UnopenableFileRaisesOperationalError) {
  std::string path = (fs::path(COVET_TEST_TMP) / "no_such_dir" / "sub" / "x.db").string();
  EXPECT_THROW(Database("sqlite:///" + path), OperationalError);
}

// -------------------------------------------------------------------- echo
TEST(DatabaseEcho, LogsEachStatementWithParamsAndDuration) {
  std::vector<std::string> lines;
  DatabaseOptions opts;
  opts.echo = true;
  opts.logger = [&](std::string_view line) { lines.emplace_back(line); };
  Database db("sqlite://:memory:", opts);
  EXPECT_TRUE(db.echo());
  db.execute("CREATE TABLE t (x integer, s text)");
  lines.clear();

  db.execute("INSERT INTO t VALUES (?, ?)", {42, "it's"});
  ASSERT_EQ(lines.size(), 1u);
  // Parameters are shown as Value::to_string() renders them (for people, not for pasting).
  std::regex shape(R"(^\[covet\] [0-9]+\.[0-9]{3} ms  INSERT INTO t VALUES \(\?, \?\)  -- params: \[42, 'it's'\]$)");
  EXPECT_TRUE(std::regex_match(lines[0], shape)) << lines[0];

  db.execute("SELECT x FROM t WHERE x > ?", {1});
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_NE(lines[1].find("SELECT x FROM t WHERE x > ?"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("-- params: [1]"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find(" ms "), std::string::npos) << lines[1];

  db.execute("SELECT COUNT(*) FROM t");  // no parameters: no params suffix
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[2].find("params"), std::string::npos) << lines[2];
}

TEST(DatabaseEcho, LogsOrmStatementsAndTransactions) {
  std::vector<std::string> lines;
  DatabaseOptions opts;
  opts.echo = true;
  opts.logger = [&](std::string_view line) { lines.emplace_back(line); };
  Database db("sqlite://:memory:", opts);
  db.create_all<User>();
  bool logged_ddl = false;
  for (const auto& l : lines) logged_ddl = logged_ddl || l.find("CREATE TABLE IF NOT EXISTS \"users\"") != std::string::npos;
  EXPECT_TRUE(logged_ddl);
  lines.clear();

  (void)User::objects(db).filter("username", "alice").count();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("SELECT COUNT(*) FROM \"users\" WHERE"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("-- params: ['alice']"), std::string::npos) << lines[0];

  lines.clear();
  {
    auto tx = db.transaction();
    make_user("alice").save(tx);
    tx.commit();
  }
  ASSERT_GE(lines.size(), 3u);
  EXPECT_NE(lines.front().find("BEGIN"), std::string::npos) << lines.front();
  EXPECT_NE(lines.back().find("COMMIT"), std::string::npos) << lines.back();
  bool insert = false;
  for (const auto& l : lines) insert = insert || (l.find("INSERT INTO \"users\"") != std::string::npos && l.find("'alice'") != std::string::npos);
  EXPECT_TRUE(insert);
}

TEST(DatabaseEcho, LogsCursorQueries) {
  std::vector<std::string> lines;
  DatabaseOptions opts;
  opts.echo = true;
  opts.logger = [&](std::string_view line) { lines.emplace_back(line); };
  Database db("sqlite://:memory:", opts);
  db.create_all<User>();
  make_user("alice").save(db);
  lines.clear();
  int n = 0;
  for (const User& u : User::objects(db).filter("username__startswith", "ali").iterate()) n += u.username == "alice";
  EXPECT_EQ(n, 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("SELECT"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("'ali*'"), std::string::npos) << lines[0];
}

TEST(DatabaseEcho, FailedStatementIsLoggedAsFailed) {
  std::vector<std::string> lines;
  DatabaseOptions opts;
  opts.echo = true;
  opts.logger = [&](std::string_view line) { lines.emplace_back(line); };
  Database db("sqlite://:memory:", opts);
  db.execute("CREATE TABLE t (x integer UNIQUE)");
  db.execute("INSERT INTO t VALUES (1)");
  lines.clear();
  EXPECT_THROW(db.execute("INSERT INTO t VALUES (?)", {1}), IntegrityError);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("failed"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("[1]"), std::string::npos) << lines[0];
}

TEST(DatabaseEcho, SilentWithoutEcho) {
  std::vector<std::string> lines;
  DatabaseOptions opts;
  opts.logger = [&](std::string_view line) { lines.emplace_back(line); };
  Database db("sqlite://:memory:", opts);
  EXPECT_FALSE(db.echo());
  db.execute("CREATE TABLE t (x integer)");
  db.execute("INSERT INTO t VALUES (?)", {1});
  EXPECT_TRUE(lines.empty());
}

// ------------------------------------------------------------- raw execute
class RawSql : public ::testing::Test {
 protected:
  void SetUp() override {
    db.execute("CREATE TABLE t (id integer PRIMARY KEY, name text, score real, data blob)");
  }
  Database db{"sqlite://:memory:"};
};

TEST_F(RawSql, InsertReportsRowsAffectedAndReturnsKeysWithReturning) {
  auto r1 = db.execute("INSERT INTO t (name, score) VALUES (?, ?)", {"a", 1.5});
  EXPECT_EQ(r1.rows_affected, 1);
  EXPECT_TRUE(r1.rows.empty());
  auto r2 = db.execute("INSERT INTO t (id, name) VALUES (?, ?) RETURNING id", {10, "b"});
  ASSERT_EQ(r2.rows.size(), 1u);
  EXPECT_EQ(r2.rows[0]["id"], Value(10));
  EXPECT_EQ(r2.rows_affected, 1);
  auto r3 = db.execute("INSERT INTO t (name) VALUES ('c'), ('d'), ('e') RETURNING id, name");
  EXPECT_EQ(r3.rows_affected, 3);
  ASSERT_EQ(r3.rows.size(), 3u);
  EXPECT_EQ(r3.rows[2]["id"], Value(13));
  EXPECT_EQ(r3.rows[2]["name"], Value("e"));
}

TEST_F(RawSql, UpdateAndDeleteReportRowsAffected) {
  db.execute("INSERT INTO t (name, score) VALUES ('a', 1), ('b', 2), ('c', 3)");
  EXPECT_EQ(db.execute("UPDATE t SET score = score * 10 WHERE score >= ?", {2}).rows_affected, 2);
  EXPECT_EQ(db.execute("UPDATE t SET score = 0 WHERE name = ?", {"zzz"}).rows_affected, 0);
  EXPECT_EQ(db.execute("DELETE FROM t WHERE name <> ?", {"a"}).rows_affected, 2);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM t"), 1);
}

TEST_F(RawSql, SelectReturnsRecordsByColumnName) {
  db.execute("INSERT INTO t (name, score, data) VALUES (?, ?, ?)", {"a", 2.5, Bytes{0x00, 0xff}});
  db.execute("INSERT INTO t (name, score) VALUES (?, ?)", {"b", nullptr});
  auto res = db.execute("SELECT id, name, score, data, name || '!' AS shout FROM t ORDER BY id");
  ASSERT_EQ(res.rows.size(), 2u);
  EXPECT_EQ(res.rows[0].names(), (std::vector<std::string>{"id", "name", "score", "data", "shout"}));
  EXPECT_EQ(res.rows[0]["id"].as_int(), 1);
  EXPECT_EQ(res.rows[0]["name"].as_string(), "a");
  EXPECT_DOUBLE_EQ(res.rows[0]["score"].as_double(), 2.5);
  EXPECT_EQ(res.rows[0]["data"].as_bytes(), (Bytes{0x00, 0xff}));
  EXPECT_EQ(res.rows[0]["shout"].as_string(), "a!");
  EXPECT_TRUE(res.rows[1]["score"].is_null());
  EXPECT_TRUE(res.rows[1]["data"].is_null());
  EXPECT_EQ(res.rows[1][1].as_string(), "b");
  EXPECT_THROW(res.rows[0]["missing"], FieldError);
}

TEST_F(RawSql, SelectReportsNoRowsAffectedEvenAfterAWrite) {
  db.execute("INSERT INTO t (name) VALUES ('a'), ('b'), ('c')");
  EXPECT_EQ(db.execute("UPDATE t SET score = 1").rows_affected, 3);
  auto empty = db.execute("SELECT * FROM t WHERE name = ?", {"none"});
  EXPECT_TRUE(empty.rows.empty());
  EXPECT_EQ(empty.rows_affected, 0);
  auto some = db.execute("SELECT * FROM t");
  EXPECT_EQ(some.rows.size(), 3u);
  EXPECT_EQ(some.rows_affected, 0);
  EXPECT_EQ(db.execute("DELETE FROM t WHERE name = 'a'").rows_affected, 1);
  EXPECT_EQ(db.execute("CREATE TABLE other (x integer)").rows_affected, 0);
  EXPECT_EQ(db.execute("PRAGMA user_version = 3").rows_affected, 0);
}

TEST_F(RawSql, ParametersAreBoundNeverPasted) {
  std::string evil = "x'); DROP TABLE t; --";
  db.execute("INSERT INTO t (name) VALUES (?)", {evil});
  EXPECT_EQ(db.execute("SELECT name FROM t").rows.at(0)[0].as_string(), evil);
  EXPECT_EQ(schema_names(db, "table").count("t"), 1u);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM t WHERE name = ?", {evil}), 1);
}

TEST_F(RawSql, TypedParameters) {
  db.execute("CREATE TABLE typed (d text, dt text, u text, dec text, b integer)");
  Uuid u = Uuid::parse("12345678-1234-4234-8234-123456789abc");
  db.execute("INSERT INTO typed VALUES (?, ?, ?, ?, ?)",
             {Date(2024, 2, 29), DateTime(2024, 2, 29, 13, 45, 10), u, Decimal("12.50"), true});
  auto r = db.execute("SELECT * FROM typed").rows.at(0);
  EXPECT_EQ(r["d"].as_string(), "2024-02-29");
  EXPECT_EQ(r["dt"].as_string(), "2024-02-29 13:45:10");
  EXPECT_EQ(r["u"].as_string(), "12345678-1234-4234-8234-123456789abc");
  EXPECT_EQ(r["dec"].as_string(), "12.50");
  EXPECT_EQ(r["b"].as_int(), 1);
}

TEST_F(RawSql, MoreThanOneStatementIsRejected) {
  EXPECT_THROW(db.execute("INSERT INTO t (name) VALUES ('a'); INSERT INTO t (name) VALUES ('b')"), ProgrammingError);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM t"), 0);
  // A trailing semicolon is fine.
  EXPECT_EQ(db.execute("INSERT INTO t (name) VALUES ('a');").rows_affected, 1);
}

TEST_F(RawSql, SyntaxErrorAndMissingTableAreProgrammingErrors) {
  try {
    db.execute("SELEC 1");
    FAIL() << "expected ProgrammingError";
  } catch (const ProgrammingError& e) {
    EXPECT_EQ(e.sql(), "SELEC 1");
    EXPECT_EQ(e.code(), "1");
  }
  try {
    db.execute("SELECT * FROM nowhere");
    FAIL() << "expected ProgrammingError";
  } catch (const ProgrammingError& e) {
    EXPECT_NE(std::string(e.what()).find("nowhere"), std::string::npos) << e.what();
  }
}

TEST_F(RawSql, StatementsArePreparedOnceAndReused) {
  db.execute("INSERT INTO t (name) VALUES (?)", {"a"});
  ConnectionStats before = db.connection_stats();
  for (int i = 0; i < 5; ++i) db.execute("INSERT INTO t (name) VALUES (?)", {"b"});
  ConnectionStats after = db.connection_stats();
  EXPECT_EQ(after.prepares, before.prepares);
  EXPECT_EQ(after.cache_hits, before.cache_hits + 5);
  EXPECT_EQ(scalar(db, "SELECT COUNT(*) FROM t"), 6);
}

// ------------------------------------------------------------ transactions
// Statements inside a transaction run through it (save(tx), objects(tx),
// tx.execute): the transaction owns one pooled connection. On :memory:
// that connection is the only one, so the Database itself is used only
// before and after.
class Transactions : public ::testing::Test {
 protected:
  void SetUp() override { db.create_all<User>(); }
  int64_t users(const covet::Executor& ex) { return User::objects(ex).count(); }
  int64_t users() { return users(db); }
  Database db{"sqlite://:memory:"};
};

TEST_F(Transactions, CommitPersists) {
  {
    auto tx = db.transaction();
    make_user("alice").save(tx);
    make_user("bobby").save(tx);
    tx.commit();
  }
  EXPECT_EQ(users(), 2);
}

TEST_F(Transactions, ScopeExitWithoutCommitRollsBack) {
  make_user("keeper").save(db);
  {
    auto tx = db.transaction();
    make_user("alice").save(tx);
    EXPECT_EQ(tx.execute("UPDATE users SET password_hash = 'changed'").rows_affected, 2);
    EXPECT_EQ(users(tx), 2);  // visible inside the transaction
  }
  EXPECT_EQ(users(), 1);
  EXPECT_EQ(User::objects(db).get("username", "keeper").password_hash, "h");
}

TEST_F(Transactions, ExplicitRollback) {
  auto tx = db.transaction();
  make_user("alice").save(tx);
  tx.rollback();
  EXPECT_EQ(users(), 0);
  tx.rollback();  // a second rollback does nothing
  EXPECT_THROW(tx.commit(), covet::UsageError);
}

TEST_F(Transactions, ExceptionRollsBack) {
  try {
    auto tx = db.transaction();
    make_user("alice").save(tx);
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(users(), 0);
  // The connection is usable afterwards, with no transaction left open.
  make_user("bobby").save(db);
  EXPECT_EQ(users(), 1);
}

TEST_F(Transactions, CommitTwiceIsAnError) {
  auto tx = db.transaction();
  make_user("alice").save(tx);
  tx.commit();
  EXPECT_THROW(tx.commit(), covet::UsageError);
  EXPECT_EQ(users(), 1);
}

TEST_F(Transactions, NestedTransactionIsASavepointRolledBackIndependently) {
  {
    auto outer = db.transaction();
    make_user("alice").save(outer);
    {
      auto inner = outer.transaction();
      make_user("bobby").save(inner);
      EXPECT_EQ(users(inner), 2);
    }  // inner rolled back
    EXPECT_EQ(users(outer), 1);
    {
      auto inner = outer.transaction();
      make_user("carol").save(inner);
      inner.commit();
    }
    EXPECT_EQ(users(outer), 2);
    outer.commit();
  }
  EXPECT_EQ(users(), 2);
  EXPECT_TRUE(User::objects(db).filter("username", "alice").exists());
  EXPECT_FALSE(User::objects(db).filter("username", "bobby").exists());
  EXPECT_TRUE(User::objects(db).filter("username", "carol").exists());
}

TEST_F(Transactions, OuterRollbackDiscardsCommittedSavepoint) {
  {
    auto outer = db.transaction();
    {
      auto inner = outer.transaction();
      make_user("alice").save(inner);
      inner.commit();
    }
    EXPECT_EQ(users(outer), 1);
  }
  EXPECT_EQ(users(), 0);
}

TEST_F(Transactions, ThreeLevelsDeep) {
  auto t1 = db.transaction();
  make_user("alice").save(t1);
  {
    auto t2 = t1.transaction();
    make_user("bobby").save(t2);
    {
      auto t3 = t2.transaction();
      make_user("carol").save(t3);
    }
    EXPECT_EQ(users(t2), 2);
    t2.commit();
  }
  t1.commit();
  EXPECT_EQ(users(), 2);
  // A new transaction starts at the top level again.
  {
    auto t = db.transaction();
    make_user("dave_").save(t);
  }
  EXPECT_EQ(users(), 2);
}

TEST_F(Transactions, IntegrityErrorInsideSavepointKeepsOuterWork) {
  auto outer = db.transaction();
  make_user("alice").save(outer);
  try {
    auto inner = outer.transaction();
    make_user("bobby").save(inner);
    make_user("alice").save(inner);  // duplicate username
    inner.commit();
    FAIL() << "expected IntegrityError";
  } catch (const IntegrityError&) {
  }
  outer.commit();
  EXPECT_EQ(users(), 1);
  EXPECT_TRUE(User::objects(db).filter("username", "alice").exists());
}

TEST_F(Transactions, MovedTransactionStillCommits) {
  auto make = [&] {
    auto tx = db.transaction();
    make_user("alice").save(tx);
    return tx;
  };
  auto tx = make();
  tx.commit();
  EXPECT_EQ(users(), 1);
}

TEST(DatabaseThreads, ConcurrentSavesAndQueriesFromSeveralThreads) {
  Database db("sqlite:///" + temp_db_path());
  db.create_all<User>();
  constexpr int kThreads = 4, kEach = 25;
  std::vector<std::thread> threads;
  std::vector<int64_t> seen(kThreads, 0);
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        make_user("t" + std::to_string(t) + "_u" + std::to_string(i)).save(db);
        seen[static_cast<std::size_t>(t)] = User::objects(db).filter("username__startswith", "t" + std::to_string(t) + "_").count();
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(User::objects(db).count(), kThreads * kEach);
  for (int64_t n : seen) EXPECT_EQ(n, kEach);
}

TEST(DatabaseThreads, TransactionKeepsOtherThreadsOut) {
  Database db("sqlite://:memory:");
  db.create_all<User>();
  std::atomic<int64_t> other_saw{-1};
  std::thread other;
  {
    auto tx = db.transaction();
    make_user("alice").save(tx);
    other = std::thread([&] { other_saw = User::objects(db).count(); });  // waits for the only connection
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(other_saw.load(), -1);
  }  // rolled back; the connection is free again
  other.join();
  EXPECT_EQ(other_saw.load(), 0);  // it never saw the uncommitted row
}

// --------------------------------------------------------------------- DDL
TEST(DatabaseDdl, CreateAllMakesTablesAndIndexes) {
  Database db("sqlite://:memory:");
  db.create_all<User, Post>();
  auto tables = schema_names(db, "table");
  EXPECT_EQ(tables.count("users"), 1u);
  EXPECT_EQ(tables.count("posts"), 1u);
  auto indexes = schema_names(db, "index");
  EXPECT_EQ(indexes.count("idx_email_username"), 1u);
  EXPECT_EQ(indexes.count("idx_created_at"), 1u);
  EXPECT_EQ(indexes.count("posts_author_id_idx"), 1u);
  // The columns of idx_email_username, in order, and idx_created_at descending.
  auto cols = db.execute("SELECT name FROM pragma_index_info('idx_email_username') ORDER BY seqno").rows;
  ASSERT_EQ(cols.size(), 2u);
  EXPECT_EQ(cols[0][0].as_string(), "email");
  EXPECT_EQ(cols[1][0].as_string(), "username");
  EXPECT_EQ(scalar(db, "SELECT \"desc\" FROM pragma_index_xinfo('idx_created_at') WHERE name = 'created_at'"), 1);
  // users' columns.
  std::vector<std::string> names;
  for (const auto& r : db.execute("SELECT name FROM pragma_table_info('users') ORDER BY cid").rows)
    names.push_back(r[0].as_string());
  EXPECT_EQ(names, (std::vector<std::string>{"id", "username", "email", "password_hash", "is_active", "created_at",
                                             "updated_at"}));
}

TEST(DatabaseDdl, CreateAllIsIdempotentAndKeepsData) {
  Database db("sqlite://:memory:");
  db.create_all<User, Post>();
  make_user("alice").save(db);
  EXPECT_NO_THROW((db.create_all<User, Post>()));
  EXPECT_EQ(User::objects(db).count(), 1);
}

TEST(DatabaseDdl, DropAllRemovesTablesAndIndexes) {
  Database db("sqlite://:memory:");
  db.create_all<User, Post>();
  make_user("alice").save(db);
  db.drop_all<User, Post>();
  auto tables = schema_names(db, "table");
  EXPECT_EQ(tables.count("users"), 0u);
  EXPECT_EQ(tables.count("posts"), 0u);
  EXPECT_EQ(schema_names(db, "index").count("idx_email_username"), 0u);
  EXPECT_THROW((void)User::objects(db).count(), ProgrammingError);
  EXPECT_NO_THROW((db.drop_all<User, Post>()));  // IF EXISTS
  // Recreated tables are empty and usable (cached statements were dropped).
  db.create_all<User, Post>();
  EXPECT_EQ(User::objects(db).count(), 0);
  make_user("bobby").save(db);
  EXPECT_EQ(User::objects(db).get("username", "bobby").email, "bobby@example.com");
}

TEST(DatabaseDdl, DefaultsAndChecksAreInTheSchema) {
  Database db("sqlite://:memory:");
  db.create_all<User>();
  // is_active has DEFAULT 1 in the table itself.
  db.execute("INSERT INTO users (username, email, password_hash, created_at, updated_at) VALUES ('raw', 'r@x', 'h', '', '')");
  EXPECT_EQ(scalar(db, "SELECT is_active FROM users WHERE username = 'raw'"), 1);
  // CHECK (length(username) >= 3) is enforced by the database.
  try {
    db.execute("INSERT INTO users (username, email, password_hash, created_at, updated_at) VALUES ('ab', 'a@x', 'h', '', '')");
    FAIL() << "expected IntegrityError";
  } catch (const IntegrityError& e) {
    EXPECT_EQ(e.code(), "275");  // SQLITE_CONSTRAINT_CHECK
  }
}

// ------------------------------------------------------------------ errors
class Errors : public ::testing::Test {
 protected:
  void SetUp() override { db.create_all<User, Post>(); }
  Database db{"sqlite://:memory:"};
};

TEST_F(Errors, UniqueViolationHasExtendedCode2067) {
  make_user("alice").save(db);
  User dup = make_user("alice");
  dup.email = "other@example.com";
  try {
    dup.save(db);
    FAIL() << "expected IntegrityError";
  } catch (const IntegrityError& e) {
    EXPECT_EQ(e.code(), "2067");  // SQLITE_CONSTRAINT_UNIQUE
    EXPECT_NE(e.constraint().find("users.username"), std::string::npos) << e.constraint();
    EXPECT_NE(e.sql().find("INSERT INTO \"users\""), std::string::npos) << e.sql();
    EXPECT_EQ(e.sql().find("alice"), std::string::npos) << e.sql();  // values are not in the SQL
    EXPECT_FALSE(e.poisons_connection());
    const DatabaseError& base = e;
    EXPECT_EQ(base.code(), "2067");
  }
  EXPECT_EQ(dup.id, 0);  // nothing was filled in
  EXPECT_EQ(User::objects(db).count(), 1);
  // The connection is still usable.
  make_user("bobby").save(db);
  EXPECT_EQ(User::objects(db).count(), 2);
}

TEST_F(Errors, PrimaryKeyNotNullAndForeignKeyCodes) {
  db.execute("CREATE TABLE parent (id integer PRIMARY KEY)");
  db.execute("CREATE TABLE child (id integer PRIMARY KEY, parent_id integer NOT NULL REFERENCES parent(id))");
  db.execute("INSERT INTO parent VALUES (1)");
  auto code_of = [&](const std::string& sql) -> std::string {
    try {
      db.execute(sql);
    } catch (const IntegrityError& e) {
      return e.code();
    }
    return "no error";
  };
  EXPECT_EQ(code_of("INSERT INTO parent VALUES (1)"), "1555");          // SQLITE_CONSTRAINT_PRIMARYKEY
  EXPECT_EQ(code_of("INSERT INTO child (id) VALUES (1)"), "1299");      // SQLITE_CONSTRAINT_NOTNULL
  EXPECT_EQ(code_of("INSERT INTO child VALUES (1, 99)"), "787");        // SQLITE_CONSTRAINT_FOREIGNKEY
  EXPECT_EQ(code_of("INSERT INTO child VALUES (1, 1)"), "no error");
  EXPECT_EQ(code_of("DELETE FROM parent WHERE id = 1"), "787");
}

TEST_F(Errors, ErrorHierarchy) {
  make_user("alice").save(db);
  try {
    make_user("alice").save(db);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(dynamic_cast<const IntegrityError*>(&e), nullptr);
    EXPECT_NE(dynamic_cast<const DatabaseError*>(&e), nullptr);
    EXPECT_NE(dynamic_cast<const std::runtime_error*>(&e), nullptr);
  }
  EXPECT_THROW(User::objects(db).get("username", "nobody"), Error);
  EXPECT_THROW(User::objects(db).filter("nosuchfield", 1), Error);
}

TEST_F(Errors, FailedSaveInsideTransactionLeavesItUsable) {
  auto tx = db.transaction();
  make_user("alice").save(tx);
  EXPECT_THROW(make_user("alice").save(tx), IntegrityError);
  make_user("bobby").save(tx);
  tx.commit();
  EXPECT_EQ(User::objects(db).count(), 2);
}

}  // namespace
