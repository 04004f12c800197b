#pragma once
#include <atomic>
// The shared state behind Database, Session, Transaction and Executor
// handles (private to src/db).
#include <memory>
#include <string>
#include <vector>

#include "covet/db/database.hpp"
#include "db/pool.hpp"

namespace covet::detail {

inline std::atomic<uint64_t> database_ids{0};

struct DatabaseState : std::enable_shared_from_this<DatabaseState> {
  uint64_t id = ++database_ids;  // never reused (unlike addresses): the query cache's key
  Url url;
  DatabaseOptions options;
  Driver* driver = nullptr;
  const Dialect* dialect = nullptr;
  bool returning_keys = true;  // dialect->returning_for_generated_keys(), asked once
  std::unique_ptr<Pool> pool;
  // Read replicas (each a database of its own); the next one to try, and
  // for a replica, until when it is skipped after a failure (steady ns).
  std::vector<std::shared_ptr<DatabaseState>> replicas;
  mutable std::atomic<uint32_t> next_replica{0};
  mutable std::atomic<int64_t> down_until_ns{0};

  void log(const std::string& sql, const std::vector<std::string>& params, int64_t took_ns) const;
};

// One checked-out connection and the transactions open on it.
struct SessionState : std::enable_shared_from_this<SessionState> {
  std::shared_ptr<DatabaseState> db;
  PoolEntry* entry = nullptr;        // null once the session has ended
  std::vector<uint64_t> open_tx;     // ids of the open levels, outermost first
  uint64_t next_tx_id = 1;

  SessionState(std::shared_ptr<DatabaseState> d, PoolEntry* e) : db(std::move(d)), entry(e) {}
  SessionState(const SessionState&) = delete;
  SessionState& operator=(const SessionState&) = delete;
  ~SessionState() { end(); }

  // The connection, or UsageError naming `what` when the session has ended.
  Connection& connection(const char* what) const {
    if (!entry) [[unlikely]]
      throw_ended(what);
    return *entry->conn;
  }
  [[noreturn]] static void throw_ended(const char* what);
  // Returns the connection to the pool (rolling back what is open).
  void end() noexcept;
};

}  // namespace covet::detail
