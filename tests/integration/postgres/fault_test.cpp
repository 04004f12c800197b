// Faults against the real server on loopback: connections killed while
// idle in a transaction or while a query runs, the server restarted, many
// threads sharing a small pool. Each test is bounded in count and time.
// These run one at a time (RUN_SERIAL): a restart would fail other tests.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "support/helpers.hpp"
#include "support/services.hpp"

using namespace covet;
using test_support::has;
using test_support::message_of;

namespace fault_models {
struct Entry : covet::Model<Entry> {
  int64_t id = 0;
  int32_t n = 0;
  std::string label;
  static void meta(covet::Meta<Entry>& m) { m.table("fault_entries"); }
};
}  // namespace fault_models
using fault_models::Entry;

namespace {

class PgFault : public ::testing::Test {
 protected:
  void SetUp() override {
    base_url = test_support::require_service("COVET_TEST_POSTGRES_URL");
    ASSERT_FALSE(base_url.empty());
    schema = test_support::unique_schema();
    admin().execute("CREATE SCHEMA " + schema);
    url = base_url + "?search_path=" + schema;
    Database(url).create_all<Entry>();
  }
  void TearDown() override {
    if (!schema.empty()) admin().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
  Database admin() { return Database(base_url + "?pre_ping=true"); }
  // Terminates every backend running SQL that starts with `prefix`; waits until they are gone.
  void terminate_where(const std::string& condition) {
    Database a = admin();
    for (int i = 0; i < 200; ++i) {
      auto r = a.execute("SELECT count(pg_terminate_backend(pid)) AS n FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND " +
                         condition)
                   .rows;
      if (r.at(0)["n"].as_int() > 0) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "no backend matched " << condition;
  }
  int64_t count() { return Database(url).execute("SELECT count(*) AS n FROM fault_entries").rows.at(0)["n"].as_int(); }

  std::string base_url, schema, url;
};

TEST_F(PgFault, AConnectionKilledWhileAQueryRunsFailsThatCallOnly) {
  Database db(url + "&pool_size=2&max_overflow=0");
  std::string error;
  std::thread victim([&] {
    try {
      db.execute("SELECT pg_sleep(10) AS covet_victim");
    } catch (const OperationalError& e) {
      error = e.what();
    }
  });
  terminate_where("query LIKE 'SELECT pg_sleep(10) AS covet_victim%'");
  victim.join();
  EXPECT_TRUE(has(error, "will not be reused")) << error;
  EXPECT_EQ(db.execute("SELECT 1 AS x").rows.at(0)["x"].as_int(), 1);
  EXPECT_GE(db.pool_stats().closed, 1u);
  EXPECT_EQ(db.pool_stats().in_use, 0u);
}

TEST_F(PgFault, AKilledTransactionLeavesNoPartialRows) {
  Database db(url);
  {
    auto tx = db.transaction();
    for (int i = 0; i < 50; ++i) {
      Entry e;
      e.n = i;
      e.save(tx);
    }
    auto pid = tx.execute("SELECT pg_backend_pid() AS p").rows.at(0)["p"].as_int();
    terminate_where("pid = " + std::to_string(pid));
    Entry more;
    EXPECT_THROW(more.save(tx), OperationalError);
    EXPECT_THROW(tx.commit(), Error);
  }
  EXPECT_EQ(count(), 0);
  // An exception thrown through the transaction rolls it back too.
  try {
    auto tx = db.transaction();
    for (int i = 0; i < 10; ++i) {
      Entry e;
      e.n = i;
      e.save(tx);
    }
    throw std::runtime_error("the caller fails half-way");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(count(), 0);
  EXPECT_EQ(db.pool_stats().in_use, 0u);
}

TEST_F(PgFault, ACommitWhoseAnswerNeverCameIsInDoubt) {
  Database db(url + "&pool_size=1&max_overflow=0");
  {  // COMMIT is prepared on the connection once
    auto tx = db.transaction();
    tx.commit();
  }
  auto tx = db.transaction();
  Entry e;
  e.n = 1;
  e.save(tx);
  auto pid = tx.execute("SELECT pg_backend_pid() AS p").rows.at(0)["p"].as_int();
  terminate_where("pid = " + std::to_string(pid));
  auto msg = message_of<InDoubtError>([&] { tx.commit(); });
  EXPECT_TRUE(has(msg, "outcome is unknown")) << msg;
  // Here the server had ended the session first: nothing was committed.
  EXPECT_EQ(count(), 0);
  EXPECT_EQ(db.execute("SELECT 1 AS x").rows.at(0)["x"].as_int(), 1);  // a fresh connection
}

TEST_F(PgFault, ThePoolRecoversFromAServerRestart) {
  std::string data = test_support::service_setting("COVET_TEST_POSTGRES_DATA");
  ASSERT_FALSE(data.empty());
  Database db(url + "&pool_size=3&max_overflow=0");
  Database pinged(url + "&pool_size=3&max_overflow=0&pre_ping=true");
  for (Database* d : {&db, &pinged}) {
    // Three connections open and idle in each pool.
    auto a = d->session(), b = d->session(), c = d->session();
    (void)a, (void)b, (void)c;
  }
  EXPECT_EQ(db.execute("SELECT 1 AS x").rows.at(0)["x"].as_int(), 1);
  std::string ctl = "/usr/lib/postgresql/15/bin/pg_ctl -D '" + data + "' -m fast -w -t 60 restart >/dev/null 2>&1";
  if (::geteuid() == 0) ctl = "runuser -u postgres -- " + ctl;
  ASSERT_EQ(std::system(ctl.c_str()), 0);
  // Without pre_ping a call may meet a dead connection once: an
  // OperationalError, and that connection is dropped. Within a few calls
  // every dead one is gone and queries succeed again.
  int failures = 0, ok = 0;
  for (int i = 0; i < 10 && ok < 3; ++i) {
    try {
      if (db.execute("SELECT 2 AS x").rows.at(0)["x"].as_int() == 2) ++ok;
    } catch (const OperationalError& e) {
      ++failures;
      EXPECT_TRUE(has(e.what(), "will not be reused")) << e.what();
    }
  }
  EXPECT_EQ(ok, 3);
  EXPECT_LE(failures, 3);
  // With pre_ping the caller never sees a dead connection.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(pinged.execute("SELECT 3 AS x").rows.at(0)["x"].as_int(), 3);
}

TEST_F(PgFault, ReadsFallBackToThePrimaryWhileTheReplicaIsDown) {
  std::string replica_url = test_support::require_service("COVET_TEST_POSTGRES_REPLICA_URL");
  std::string data = test_support::service_setting("COVET_TEST_POSTGRES_REPLICA_DATA");
  ASSERT_FALSE(data.empty());
  Database db(url, {.replicas = {replica_url + "?search_path=" + schema}, .replica_retry = std::chrono::milliseconds(200)});
  Entry e;
  e.n = 1;
  e.save(db);
  int64_t n = 0;
  for (int i = 0; i < 200 && n == 0; ++i) {  // the replica has caught up
    try {
      n = Entry::objects(db).count();
    } catch (const ProgrammingError&) {  // not even the table yet
    }
    if (n == 0) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  ASSERT_EQ(n, 1);
  ASSERT_GE(db.replica_pool_stats().at(0).idle, 1);  // a replica connection waits in the pool

  std::string ctl = "/usr/lib/postgresql/15/bin/pg_ctl -D '" + data + "' -m fast -w -t 60 ";
  auto pg_ctl = [&](const std::string& what) {
    std::string cmd = ctl + what + " >/dev/null 2>&1";
    if (::geteuid() == 0) cmd = "runuser -u postgres -- " + cmd;
    return std::system(cmd.c_str());
  };
  ASSERT_EQ(pg_ctl("stop"), 0);
  // The pooled replica connection is dead and no new one can be opened:
  // every read is served by the primary, without an error.
  uint64_t primary_before = db.pool_stats().checkouts;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(Entry::objects(db).count(), 1);
  EXPECT_GE(db.pool_stats().checkouts, primary_before + 5);
  uint64_t created_before = db.replica_pool_stats().at(0).created;
  std::string log = data + "/../replica.log";
  ASSERT_EQ(pg_ctl("-l '" + log + "' start"), 0);
  // After replica_retry the replica serves reads again (a new connection to it).
  bool back = false;
  for (int i = 0; i < 100 && !back; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(Entry::objects(db).count(), 1);
    back = db.replica_pool_stats().at(0).created > created_before;
  }
  EXPECT_TRUE(back);
}

TEST_F(PgFault, ThirtyTwoThreadsShareAPoolOfEight) {
  Database db(url + "&pool_size=8&max_overflow=0&pool_timeout=60");
  constexpr int kThreads = 32, kEach = 500;
  std::atomic<int> wrong{0}, errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int k = 0; k < kEach; ++k) {
        try {
          switch (k % 4) {
            case 0: {
              Entry e;
              e.n = t * kEach + k;
              e.label = "t" + std::to_string(t);
              e.save(db);
              if (e.id <= 0) ++wrong;
              break;
            }
            case 1:
              if (db.execute("SELECT $1::int8 * 2 AS x", {k}).rows.at(0)["x"].as_int() != 2 * k) ++wrong;
              break;
            case 2: {
              int64_t mine = Entry::objects(db).filter("label", "t" + std::to_string(t)).count();
              if (mine < (k + 3) / 4) ++wrong;
              break;
            }
            default: {
              auto tx = db.transaction();
              Entry e;
              e.n = -1;
              e.save(tx);
              tx.rollback();
            }
          }
        } catch (const std::exception&) {
          ++errors;
        }
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(errors.load(), 0);
  EXPECT_EQ(count(), kThreads * kEach / 4);
  EXPECT_EQ(Entry::objects(db).filter("n", -1).count(), 0);
  auto s = db.pool_stats();
  EXPECT_EQ(s.in_use, 0u);
  EXPECT_LE(s.size, 8u);
  EXPECT_EQ(s.timeouts, 0u);
}

}  // namespace
