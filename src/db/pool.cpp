#include "db/pool.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "covet/core/error.hpp"

namespace covet::detail {

namespace {
// Blocks one thread until woken or the deadline passes.
class SyncWaiter final : public Pool::Waiter {
 public:
  void wake() noexcept override {
    std::lock_guard lock(m_);
    woken_ = true;
    cv_.notify_one();
  }
  // False when the deadline passed without a wake-up.
  bool wait_until(Clock::time_point deadline) {
    std::unique_lock lock(m_);
    bool ok = cv_.wait_until(lock, deadline, [&] { return woken_; });
    woken_ = false;
    return ok;
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  bool woken_ = false;
};

// The steady clock at a few milliseconds' resolution, for idle and lifetime
// bookkeeping on every checkin (a fifth of the cost of the precise clock).
Clock::time_point coarse_now() noexcept {
  timespec ts{};
  if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) != 0) return Clock::now();
  return Clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
}

// Connections come back within microseconds in a busy service: yielding a
// few times before sleeping avoids a futex sleep and wake-up per checkout.
constexpr int kSpins = 16;
}  // namespace

Pool::Pool(PoolConfig config, Factory factory) : config_(std::move(config)), factory_(std::move(factory)) {
  if (config_.single_connection) {
    config_.pool_size = 1;
    config_.max_overflow = 0;
    config_.min_size = 1;
  }
  if (config_.pool_size < 1) throw ConfigurationError("pool_size must be at least 1");
  if (config_.max_overflow < 0) throw ConfigurationError("max_overflow must not be negative");
  if (config_.min_size < 0 || config_.min_size > config_.pool_size)
    throw ConfigurationError("min_size must be between 0 and pool_size");
  // Open min_size connections now: a bad URL or an unreachable server fails
  // here, at construction, and the first queries find connections ready.
  std::vector<PoolEntry*> opened;
  try {
    for (int i = 0; i < std::max(config_.min_size, 1); ++i) {
      ++open_;
      opened.push_back(open_new());
    }
  } catch (...) {
    for (PoolEntry* e : opened) close(e);
    throw;
  }
  idle_ = std::move(opened);
  if (config_.health_check_interval.count() > 0) housekeeper_ = std::thread([this] { housekeeping(); });
}

Pool::~Pool() {
  {
    std::lock_guard lock(stop_mutex_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (housekeeper_.joinable()) housekeeper_.join();
  // Connections still checked out belong to Sessions/Leases that keep the
  // Database state (and so this pool) alive: only idle ones remain here.
  for (PoolEntry* e : idle_) {
    e->conn.reset();
    delete e;
  }
}

PoolEntry* Pool::open_new() {
  try {
    auto e = std::make_unique<PoolEntry>();
    e->conn = factory_();
    e->pool = this;
    e->created = e->returned = coarse_now();
    std::lock_guard lock(mutex_);
    ++created_;
    return e.release();
  } catch (...) {
    std::unique_lock lock(mutex_);
    --open_;
    wake_one_locked(lock);  // the slot is free again for whoever waits
    throw;
  }
}

void Pool::close(PoolEntry* e) noexcept {
  try {
    e->conn.reset();
  } catch (...) {
  }
  delete e;
  std::lock_guard lock(mutex_);
  ++closed_;
}

PoolEntry* Pool::try_checkout() {
  std::unique_lock lock(mutex_);
  while (!idle_.empty()) {
    PoolEntry* e = idle_.back();
    idle_.pop_back();
    ++checkouts_;
    if (!config_.pre_ping) return e;
    lock.unlock();
    if (e->conn->ping()) return e;
    if (config_.single_connection) return e;  // the one connection is the database: nothing to replace it with
    close(e);
    lock.lock();
    --open_;
    --checkouts_;
  }
  if (open_ < config_.pool_size + config_.max_overflow) {
    ++open_;
    ++checkouts_;
    lock.unlock();
    return open_new();
  }
  return nullptr;
}

void Pool::enqueue(Waiter& w) {
  std::lock_guard lock(mutex_);
  w.next = nullptr;
  w.queued = true;
  if (tail_) tail_->next = &w;
  else head_ = &w;
  tail_ = &w;
  waiting_.fetch_add(1, std::memory_order_relaxed);
}

bool Pool::dequeue(Waiter& w) {
  std::lock_guard lock(mutex_);
  if (!w.queued) return false;
  Waiter* prev = nullptr;
  for (Waiter* p = head_; p; prev = p, p = p->next) {
    if (p != &w) continue;
    (prev ? prev->next : head_) = p->next;
    if (tail_ == p) tail_ = prev;
    break;
  }
  w.queued = false;
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  return true;
}

// Wakes the first waiter; called with the pool's lock held (so a waiter that
// times out cannot be destroyed while it is being woken).
void Pool::wake_one_locked(std::unique_lock<SpinLock>&) {
  if (!head_) return;
  Waiter* w = head_;
  head_ = w->next;
  if (!head_) tail_ = nullptr;
  w->queued = false;
  waiting_.fetch_sub(1, std::memory_order_relaxed);
  w->wake();
}

PoolEntry* Pool::checkout() {
  if (PoolEntry* e = try_checkout()) return e;
  for (int i = 0; i < kSpins; ++i) {
    std::this_thread::yield();
    if (PoolEntry* e = try_checkout()) return e;
  }
  const Clock::time_point deadline = Clock::now() + config_.pool_timeout;
  SyncWaiter w;
  for (;;) {
    enqueue(w);
    // A connection returned between the failed try and enqueue() woke no one:
    // try once more now that a checkin will find this waiter.
    if (PoolEntry* e = try_checkout()) {
      if (!dequeue(w)) {  // woken meanwhile: pass the wake-up on
        std::unique_lock lock(mutex_);
        wake_one_locked(lock);
      }
      return e;
    }
    bool woken = w.wait_until(deadline);
    if (!woken && dequeue(w)) {
      if (PoolEntry* e = try_checkout()) return e;
      throw_timeout();
    }
    if (PoolEntry* e = try_checkout()) return e;
    if (Clock::now() >= deadline) throw_timeout();
  }
}

void Pool::throw_timeout() {
  PoolStats s = stats();
  {
    std::lock_guard lock(mutex_);
    ++timeouts_;
  }
  throw PoolTimeout(fmt::format("no database connection became free within {} ms (pool_size {}, max_overflow {}: {} "
                                "open, {} in use, {} waiting){}",
                                config_.pool_timeout.count(), config_.pool_size, config_.max_overflow, s.size, s.in_use,
                                s.waiting, config_.timeout_hint));
}

void Pool::checkin(PoolEntry* e) noexcept {
  Connection& c = *e->conn;
  bool keep = !c.broken() || config_.single_connection;
  if (keep) {
    try {
      c.end_use();  // rolls back a transaction left open, clears per-use state
    } catch (...) {
      keep = config_.single_connection;
    }
  }
  const Clock::time_point now = coarse_now();
  if (keep && !config_.single_connection && config_.max_lifetime.count() > 0 && now - e->created > config_.max_lifetime)
    keep = false;
  std::unique_lock lock(mutex_);
  if (keep && !config_.single_connection && open_ > config_.pool_size) keep = false;  // overflow: close it
  if (keep) {
    e->returned = now;
    idle_.push_back(e);
  } else {
    --open_;
  }
  if (head_) wake_one_locked(lock);
  lock.unlock();
  if (!keep) close(e);
}

PoolStats Pool::stats() const {
  std::lock_guard lock(mutex_);
  PoolStats s;
  s.size = open_;
  s.idle = static_cast<int>(idle_.size());
  s.in_use = open_ - s.idle;
  s.waiting = waiting_.load(std::memory_order_relaxed);
  s.created = created_;
  s.closed = closed_;
  s.timeouts = timeouts_;
  s.checkouts = checkouts_;
  return s;
}

ConnectionStats Pool::statement_stats() const {
  std::lock_guard lock(mutex_);
  ConnectionStats total;
  for (const PoolEntry* e : idle_) {
    total.prepares += e->conn->stats().prepares;
    total.cache_hits += e->conn->stats().cache_hits;
  }
  return total;
}

bool Pool::usable(PoolEntry* e, Clock::time_point now) const {
  if (config_.single_connection) return true;
  if (config_.max_lifetime.count() > 0 && now - e->created > config_.max_lifetime) return false;
  return e->conn->ping();
}

void Pool::health_check() {
  std::vector<PoolEntry*> check;
  {
    std::lock_guard lock(mutex_);
    check.swap(idle_);
  }
  const Clock::time_point now = coarse_now();
  std::vector<PoolEntry*> keep, drop;
  // Oldest-returned first: those past max_idle_time go while more than
  // min_size connections stay open.
  std::sort(check.begin(), check.end(), [](PoolEntry* a, PoolEntry* b) { return a->returned < b->returned; });
  int open_now;
  {
    std::lock_guard lock(mutex_);
    open_now = open_;
  }
  for (PoolEntry* e : check) {
    bool idle_too_long = !config_.single_connection && config_.max_idle_time.count() > 0 &&
                         now - e->returned > config_.max_idle_time && open_now - static_cast<int>(drop.size()) > config_.min_size;
    bool ok = !idle_too_long;
    try {
      ok = ok && usable(e, now);
    } catch (...) {
      ok = false;
    }
    (ok ? keep : drop).push_back(e);
  }
  {
    std::unique_lock lock(mutex_);
    // Returned LIFO order: the most recently used last.
    idle_.insert(idle_.begin(), keep.begin(), keep.end());
    open_ -= static_cast<int>(drop.size());
  }
  for (PoolEntry* e : drop) close(e);
  // Back up to min_size (a broken connection is replaced here).
  for (;;) {
    std::unique_lock lock(mutex_);
    if (open_ >= config_.min_size) {
      if (head_) wake_one_locked(lock);
      break;
    }
    ++open_;
    lock.unlock();
    PoolEntry* e = nullptr;
    try {
      e = open_new();
    } catch (...) {
      break;  // the server is unreachable now; the next check tries again
    }
    lock.lock();
    idle_.insert(idle_.begin(), e);
    if (head_) wake_one_locked(lock);
  }
  if (!drop.empty()) {
    std::unique_lock lock(mutex_);
    if (head_) wake_one_locked(lock);
  }
}

void Pool::housekeeping() {
  std::unique_lock lock(stop_mutex_);
  while (!stopping_) {
    if (stop_cv_.wait_for(lock, config_.health_check_interval, [&] { return stopping_; })) break;
    lock.unlock();
    health_check();
    lock.lock();
  }
}

}  // namespace covet::detail
