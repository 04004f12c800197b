#pragma once
// Database: a cheap-to-copy handle to one database — its URL, options and
// connection pool. Copies share the pool; QuerySets, cursors, Sessions and
// Transactions keep it alive, so none of them can outlive it. A moved-from
// Database is empty: using it is a UsageError, never a crash.
//
//   Database db("sqlite:///app.db?pool_size=8&pool_timeout=5");
//   Database db("sqlite:///app.db", {.pool_size = 8, .pre_ping = true});
//
// Thread safety: every member may be called from any thread at once; each
// operation checks out its own pooled connection. URL options override the
// fields of DatabaseOptions.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "covet/core/record.hpp"
#include "covet/db/connection.hpp"
#include "covet/db/session.hpp"
#include "covet/schema/registry.hpp"

namespace covet {

struct DatabaseOptions {
  bool echo = false;  // log every statement with its parameters and duration
  // Where echo lines go; stderr when empty.
  std::function<void(std::string_view line)> logger;

  // The pool (URL options of the same names override these; durations in
  // the URL are seconds, e.g. pool_timeout=2.5). An SQLite :memory:
  // database has exactly one connection — each memory connection is its own
  // database — so a statement on the Database while a Transaction holds that
  // connection waits for it (run it through the transaction instead).
  int pool_size = 5;             // connections kept open
  int max_overflow = 10;         // extra connections under load, closed when returned
  std::chrono::milliseconds pool_timeout{30'000};  // wait for a free connection, then PoolTimeout
  int min_size = 0;              // opened up front and kept open
  std::chrono::milliseconds max_idle_time{600'000};     // idle longer: closed (0: never)
  std::chrono::milliseconds max_lifetime{3'600'000};    // older: closed when returned (0: never)
  std::chrono::milliseconds connection_timeout{10'000}; // opening one connection
  bool pre_ping = false;         // ping each connection before handing it out
  std::chrono::milliseconds health_check_interval{30'000};  // ping idle connections (0: never)

  // A read-only database (URL option readonly=true): INSERT, UPDATE,
  // DELETE and DDL raise ReadOnlyError before anything reaches the server.
  bool readonly = false;
  // Read replicas of this database (URLs of the same backend, each with a
  // pool like this one's): reads outside a transaction go to them in turn;
  // writes, select_for_update, raw SQL and everything inside a transaction
  // go to this (primary) database. A replica that cannot be reached is
  // skipped for replica_retry, and reads fall back to the primary.
  std::vector<std::string> replicas;
  std::chrono::milliseconds replica_retry{1'000};
};

struct PoolStats {
  int size = 0;       // open connections
  int idle = 0;
  int in_use = 0;
  int waiting = 0;    // callers waiting for a connection
  uint64_t created = 0;
  uint64_t closed = 0;
  uint64_t timeouts = 0;
  uint64_t checkouts = 0;  // connections handed out
};

class Database {
 public:
  explicit Database(std::string_view url, DatabaseOptions options = {});
  Database(const Database&) = default;
  Database& operator=(const Database&) = default;
  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;
  ~Database();

  const Dialect& dialect() const;
  const Url& url() const;
  bool echo() const;

  // Raw SQL with bound parameters (never pasted into the text), on a pooled connection.
  ExecResult execute(std::string_view sql, const std::vector<Value>& params = {});
  // A transaction on a pooled connection it holds until it ends.
  Transaction transaction(TransactionOptions options = {});
  // A pooled connection held until the Session ends.
  Session session();

  PoolStats pool_stats() const;
  // The pools of the read replicas, in the order they were given.
  std::vector<PoolStats> replica_pool_stats() const;
  // Prepared-statement counters summed over the idle pooled connections.
  ConnectionStats connection_stats() const;
  // Pings the idle connections now, replacing broken ones (the pool also
  // does this every health_check_interval).
  void check_connections();

  // DDL for every registered model (or the listed ones), dependency order,
  // in one transaction.
  void create_all();
  void drop_all();
  template <class... T>
  void create_all() {
    create_tables({&model_info<T>()...});
  }
  template <class... T>
  void drop_all() {
    drop_tables({&model_info<T>()...});
  }
  void create_tables(const std::vector<const ModelInfo*>& models);
  void drop_tables(const std::vector<const ModelInfo*>& models);

  // The shared state (UsageError for a moved-from handle).
  const std::shared_ptr<detail::DatabaseState>& state() const;

 private:
  std::shared_ptr<detail::DatabaseState> state_;
};

}  // namespace covet
