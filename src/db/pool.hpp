#pragma once
// The connection pool behind every Database (private to src/db).
//
// Checkout takes an idle connection (most recently returned first), opens a
// new one while fewer than pool_size + max_overflow are open, or waits up to
// pool_timeout (PoolTimeout). Waiting is a FIFO list of Waiter objects that
// a checkin wakes; the synchronous waiter blocks on an atomic flag, and an
// asynchronous one (the coroutine layer) can resume a coroutine instead —
// the pool itself never blocks a thread except inside SyncWaiter.
//
// Checkin rolls back a connection left inside a transaction, closes broken
// ones, overflow connections beyond pool_size, and ones past max_lifetime.
// A housekeeping thread (every health_check_interval) pings idle
// connections, replaces broken ones, closes those idle past max_idle_time
// (keeping min_size) and opens connections up to min_size.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "covet/db/connection.hpp"
#include "covet/db/database.hpp"

namespace covet::detail {

using Clock = std::chrono::steady_clock;

// The pool's lock. Its critical sections are a few loads and stores, so a
// short spin (yielding after a while, for a holder descheduled on a busy
// machine) costs less than a futex mutex: pool.checkout_ns in make bench.
class SpinLock {
 public:
  void lock() noexcept {
    for (int spins = 0; flag_.exchange(true, std::memory_order_acquire);) {
      while (flag_.load(std::memory_order_relaxed)) {
        if (++spins > 64) std::this_thread::yield();
#if defined(__x86_64__) || defined(__i386__)
        else __builtin_ia32_pause();
#endif
      }
    }
  }
  bool try_lock() noexcept {
    return !flag_.load(std::memory_order_relaxed) && !flag_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { flag_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> flag_{false};
};

class Pool;

// One open connection; allocated once per connection and reused across
// checkouts, so a checkout allocates nothing.
struct PoolEntry {
  std::unique_ptr<Connection> conn;
  Pool* pool = nullptr;
  Clock::time_point created;
  Clock::time_point returned;
};

struct PoolConfig {
  int pool_size = 5;
  int max_overflow = 10;
  std::chrono::milliseconds pool_timeout{30'000};
  int min_size = 0;
  std::chrono::milliseconds max_idle_time{600'000};
  std::chrono::milliseconds max_lifetime{3'600'000};
  bool pre_ping = false;
  std::chrono::milliseconds health_check_interval{30'000};
  bool single_connection = false;  // SQLite :memory:: the one connection is the database
  std::string timeout_hint;        // appended to PoolTimeout messages
};

class Pool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;
  Pool(PoolConfig config, Factory factory);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // A connection for the caller alone; PoolTimeout after pool_timeout.
  PoolEntry* checkout();
  // Returns a connection (rolled back first when a transaction is open).
  void checkin(PoolEntry* e) noexcept;

  // The waiting side, for synchronous and (later) asynchronous callers:
  // try_checkout() never blocks; a Waiter queued with wait() is woken once
  // a connection may be free, and then calls try_checkout() again.
  struct Waiter {
    virtual void wake() noexcept = 0;
    Waiter* next = nullptr;
    bool queued = false;

   protected:
    ~Waiter() = default;
  };
  // Idle connection, a new one, or nullptr when the pool is at its limit.
  PoolEntry* try_checkout();
  void enqueue(Waiter& w);
  // Removes w if still queued (a waiter that timed out); true if it was.
  bool dequeue(Waiter& w);

  PoolStats stats() const;
  // Statement-cache counters summed over the idle connections.
  ConnectionStats statement_stats() const;
  // Pings idle connections now, replacing broken ones (also run by the
  // housekeeping thread).
  void health_check();
  const PoolConfig& config() const { return config_; }

 private:
  PoolEntry* open_new();  // called with open_ already counted
  void close(PoolEntry* e) noexcept;
  bool usable(PoolEntry* e, Clock::time_point now) const;
  void housekeeping();
  void wake_one_locked(std::unique_lock<SpinLock>& lock);
  [[noreturn]] void throw_timeout();

  PoolConfig config_;
  Factory factory_;
  mutable SpinLock mutex_;
  std::vector<PoolEntry*> idle_;  // LIFO: the most recently used connection is warmest
  int open_ = 0;                  // idle + in use (+ being opened)
  Waiter* head_ = nullptr;
  Waiter* tail_ = nullptr;
  std::atomic<int> waiting_{0};
  uint64_t created_ = 0, closed_ = 0, timeouts_ = 0, checkouts_ = 0;

  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread housekeeper_;
};

}  // namespace covet::detail
