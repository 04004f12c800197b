// The connection pool on SQLite files: exhaustion and timeouts, overflow,
// RAII checkout, broken connections replaced, idle ones retired, and many
// threads sharing a few connections. Also built with ThreadSanitizer
// (CTest label tsan).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "blog/models.hpp"

namespace pool_models {
struct Counter {
  int64_t id = 0;
  int64_t thread = 0;
  int64_t seq = 0;
  std::string label;
  static void meta(covet::Meta<Counter>& m) { m.table("counters"); }
};
}  // namespace pool_models

namespace {

namespace fs = std::filesystem;
using covet::Database;
using covet::DatabaseOptions;
using covet::Value;
using pool_models::Counter;
using namespace std::chrono_literals;

std::string temp_url(const std::string& tag = "") {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  fs::path p = fs::path(COVET_TEST_TMP) / ("pool_" + std::string(info->name()) + tag + ".db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
  return "sqlite:///" + p.string();
}

void expect_all_idle(const Database& db) {
  covet::PoolStats s = db.pool_stats();
  EXPECT_EQ(s.in_use, 0);
  EXPECT_EQ(s.waiting, 0);
  EXPECT_EQ(s.idle, s.size);
}

TEST(Pool, ExhaustionRaisesPoolTimeoutAfterPoolTimeoutAndLeaksNothing) {
  Database db(temp_url(), {.pool_size = 2, .max_overflow = 0, .pool_timeout = 200ms});
  {
    auto a = db.session();
    auto b = db.session();
    EXPECT_EQ(db.pool_stats().in_use, 2);
    auto start = std::chrono::steady_clock::now();
    std::string msg;
    try {
      auto c = db.session();
      FAIL() << "a third connection was handed out";
    } catch (const covet::PoolTimeout& e) {
      msg = e.what();
    }
    auto waited = std::chrono::steady_clock::now() - start;
    EXPECT_GE(waited, 190ms);
    EXPECT_LT(waited, 5s);
    EXPECT_NE(msg.find("within 200 ms"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2 in use"), std::string::npos) << msg;
    EXPECT_EQ(db.pool_stats().timeouts, 1u);
    EXPECT_THROW(db.execute("SELECT 1"), covet::PoolTimeout);  // every operation waits the same way
  }
  expect_all_idle(db);
  EXPECT_EQ(db.pool_stats().size, 2);
  EXPECT_EQ(db.execute("SELECT 1 AS one").rows[0]["one"], Value(1));
}

TEST(Pool, AWaiterGetsTheConnectionThatIsReturned) {
  Database db(temp_url(), {.pool_size = 1, .max_overflow = 0, .pool_timeout = 5s});
  std::atomic<bool> got{false};
  std::thread waiter;
  {
    auto held = db.session();
    waiter = std::thread([&] {
      auto s = db.session();  // waits for `held`
      got = true;
    });
    while (db.pool_stats().waiting == 0) std::this_thread::sleep_for(1ms);
    EXPECT_FALSE(got.load());
  }
  waiter.join();
  EXPECT_TRUE(got.load());
  expect_all_idle(db);
}

TEST(Pool, OverflowConnectionsAreClosedWhenReturned) {
  Database db(temp_url(), {.pool_size = 1, .max_overflow = 2, .pool_timeout = 100ms});
  {
    auto a = db.session(), b = db.session(), c = db.session();
    EXPECT_EQ(db.pool_stats().size, 3);
    EXPECT_THROW(db.session(), covet::PoolTimeout);
  }
  covet::PoolStats s = db.pool_stats();
  EXPECT_EQ(s.size, 1);
  EXPECT_EQ(s.closed, 2u);
  EXPECT_EQ(s.created, 3u);
  expect_all_idle(db);
}

TEST(Pool, AConnectionReturnedInsideATransactionIsRolledBackFirst) {
  Database db(temp_url(), {.pool_size = 1});
  db.create_all<Counter>();
  {
    auto s = db.session();
    s.execute("BEGIN");
    s.execute("INSERT INTO counters (thread, seq, label) VALUES (1, 1, 'x')");
  }  // returned with the transaction open
  EXPECT_EQ(covet::objects<Counter>(db).count(), 0);
  {
    auto tx = db.transaction();
    Counter c;
    covet::save(tx, c);
  }  // a Transaction left without commit: rolled back
  EXPECT_EQ(covet::objects<Counter>(db).count(), 0);
  expect_all_idle(db);
}

// A database file replaced behind the pool's back (a restore): an idle
// connection still reads the old, unlinked file until a ping notices.
void replace_file(const std::string& url, const std::string& label) {
  std::string path = url.substr(std::string("sqlite:///").size());
  for (const char* suffix : {"", "-wal", "-shm"}) fs::rename(path + suffix, path + suffix + ".old");
  Database fresh(url);
  fresh.create_all<Counter>();
  Counter c;
  c.label = label;
  covet::save(fresh, c);
}

TEST(Pool, PrePingReplacesAConnectionWhoseFileWasReplaced) {
  std::string url = temp_url();
  Database db(url, {.pool_size = 2, .pre_ping = true, .health_check_interval = 0ms});
  db.create_all<Counter>();
  Counter old{.label = "old"};
  covet::save(db, old);
  EXPECT_EQ(covet::objects<Counter>(db).get("id", 1).label, "old");
  uint64_t created = db.pool_stats().created;
  replace_file(url, "new");
  EXPECT_EQ(covet::objects<Counter>(db).get("id", 1).label, "new");
  EXPECT_GT(db.pool_stats().created, created);
  EXPECT_GE(db.pool_stats().closed, 1u);
}

TEST(Pool, HealthChecksReplaceBrokenIdleConnections) {
  std::string url = temp_url();
  Database db(url, {.pool_size = 2, .min_size = 2, .health_check_interval = 0ms});
  db.create_all<Counter>();
  Counter old{.label = "old"};
  covet::save(db, old);
  replace_file(url, "new");
  db.check_connections();  // what the housekeeping thread does every health_check_interval
  covet::PoolStats s = db.pool_stats();
  EXPECT_EQ(s.size, 2);  // broken ones closed, min_size opened again
  EXPECT_GE(s.closed, 2u);
  EXPECT_EQ(covet::objects<Counter>(db).get("id", 1).label, "new");
}

TEST(Pool, TheHousekeeperRetiresIdleConnectionsDownToMinSize) {
  Database db(temp_url(), {.pool_size = 4,
                           .min_size = 1,
                           .max_idle_time = 20ms,
                           .health_check_interval = 10ms});
  {
    auto a = db.session(), b = db.session(), c = db.session(), d = db.session();
    EXPECT_EQ(db.pool_stats().size, 4);
  }
  for (int i = 0; i < 500 && db.pool_stats().size > 1; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(db.pool_stats().size, 1);
  expect_all_idle(db);
}

TEST(Pool, MaxLifetimeClosesOldConnectionsOnReturn) {
  Database db(temp_url(), {.pool_size = 1, .max_lifetime = 1ms, .health_check_interval = 0ms});
  std::this_thread::sleep_for(30ms);  // lifetimes are kept at the coarse clock's few-ms resolution
  db.execute("SELECT 1");  // the connection made at construction is past its lifetime when returned
  EXPECT_GE(db.pool_stats().closed, 1u);
  db.execute("SELECT 1");
  expect_all_idle(db);
}

TEST(Pool, AMemoryDatabaseHasOneConnectionAndSaysSoWhenItIsHeld) {
  Database db("sqlite://:memory:?pool_size=8&pool_timeout=0.05");
  db.create_all<Counter>();
  auto tx = db.transaction();
  std::string msg;
  try {
    covet::objects<Counter>(db).count();
  } catch (const covet::PoolTimeout& e) {
    msg = e.what();
  }
  EXPECT_NE(msg.find(":memory: database has one connection"), std::string::npos) << msg;
  EXPECT_NE(msg.find("objects(tx)"), std::string::npos) << msg;
  EXPECT_EQ(covet::objects<Counter>(tx).count(), 0);
  tx.commit();
  EXPECT_EQ(db.pool_stats().size, 1);
}

// 32 threads × 500 mixed operations on 8 connections over one SQLite file:
// reads, single inserts, transactions of two inserts (some rolled back),
// sessions and cursors. No deadlock, no leak, every result correct.
TEST(PoolConcurrency, ThirtyTwoThreadsShareEightConnections) {
  constexpr int kThreads = 32, kOps = 500;
  Database db(temp_url(), {.pool_size = 8, .max_overflow = 0, .pool_timeout = 60s});
  db.create_all<Counter>();
  std::atomic<int> failures{0};
  std::vector<int64_t> committed(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto fail = [&](const std::string& what) {
        if (failures.fetch_add(1) < 5) ADD_FAILURE() << "thread " << t << ": " << what;
      };
      int64_t mine = 0;
      try {
        for (int i = 0; i < kOps; ++i) {
          switch (i % 10) {
            case 0: {  // a single insert
              Counter c{.thread = t, .seq = i, .label = "single"};
              covet::save(db, c);
              ++mine;
              if (c.id <= 0) fail("no key returned");
              break;
            }
            case 1: {  // two inserts in a transaction, committed or rolled back
              auto tx = db.transaction();
              Counter a{.thread = t, .seq = i, .label = "pair"}, b{.thread = t, .seq = i, .label = "pair"};
              covet::save(tx, a);
              covet::save(tx, b);
              if (covet::objects<Counter>(tx).filter({{"thread", t}, {"seq", i}}).count() != 2) fail("pair not visible");
              if (i % 20 == 1) {
                tx.commit();
                mine += 2;
              }
              break;
            }
            case 2: {  // a cursor while another query runs on another connection
              int64_t n = 0;
              for (const Counter& c : covet::objects<Counter>(db).filter("thread", t).iterate()) {
                (void)c;
                ++n;
              }
              if (n != mine) fail("cursor saw " + std::to_string(n) + ", expected " + std::to_string(mine));
              break;
            }
            case 3: {  // a session with several statements
              auto s = db.session();
              auto r = s.execute("SELECT count(*) AS n FROM counters WHERE thread = ?", {t});
              if (r.rows[0]["n"].as_int() != mine) fail("session count");
              break;
            }
            default: {  // reads
              int64_t n = covet::objects<Counter>(db).filter("thread", t).count();
              if (n != mine) fail("count " + std::to_string(n) + ", expected " + std::to_string(mine));
            }
          }
        }
      } catch (const std::exception& e) {
        fail(std::string("exception: ") + e.what());
      }
      committed[static_cast<std::size_t>(t)] = mine;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  int64_t expected = 0;
  for (int64_t n : committed) expected += n;
  EXPECT_EQ(covet::objects<Counter>(db).count(), expected);
  expect_all_idle(db);
  EXPECT_LE(db.pool_stats().size, 8);
  EXPECT_EQ(db.pool_stats().timeouts, 0u);
}

}  // namespace
