#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/db/connection.hpp"

namespace covet {

void StatementHandle::release() noexcept {
  try {
    st_->reset();
  } catch (...) {
    // reset() reports the last step's error again; it was already thrown.
  }
  conn_->active_ = nullptr;
}

int64_t Statement::generated_key() const {
  throw NotSupportedError("this driver returns generated keys with RETURNING", "", sql());
}

void Statement::load_rows(const MemberLoad* loads, std::size_t n, const void* context, ObjectSink& sink) {
  while (step()) {
    const Row& r = row();
    sink.last = sink.next(sink.state, r);
    r.load(loads, n, sink.last, context);
  }
}

int64_t Statement::insert_members(const MemberBind* binds, std::size_t n, const void* obj, const void* context,
                                  bool want_key, bool returning) {
  int64_t key = 0;
  try {
    bind_members(binds, n, obj, 1, context);
    if (want_key && returning) {
      if (step()) key = row().get_int(0);
      while (step()) {
      }
    } else {
      while (step()) {
      }
      if (want_key) key = generated_key();
    }
  } catch (...) {
    try {
      reset();
    } catch (...) {  // the error again: it is being thrown already
    }
    throw;
  }
  reset();
  return key;
}

namespace {
[[noreturn]] void throw_busy(const std::string& busy_sql, const std::string& sql) {
  throw UsageError(fmt::format("this connection is still reading the result of \"{}\" (an open cursor or "
                               "iterate() loop): one result at a time per connection; finish the loop first, or "
                               "run \"{}\" on the Database (another pooled connection)",
                               busy_sql, sql));
}
}  // namespace

StatementHandle Connection::statement(const std::string& sql) {
  if (active_) throw_busy(active_->sql(), sql);
  if (last_ && last_->sql() == sql && !last_->stale()) {
    ++stats_.cache_hits;
    return StatementHandle(*this, last_);
  }
  auto it = cache_.find(sql);
  if (it != cache_.end() && !it->second->stale()) {
    ++stats_.cache_hits;
    last_ = it->second.get();
    return StatementHandle(*this, last_);
  }
  if (it != cache_.end()) {  // stale: dropped, and prepared again below
    if (last_ == it->second.get()) last_ = nullptr;
    if (last_static_ == it->second.get()) last_static_ = nullptr, last_static_sql_ = nullptr;
    cache_.erase(it);
  }
  if (cache_.size() >= 512) clear_statement_cache();
  ++stats_.prepares;
  auto st = prepare(sql);
  Statement* p = st.get();
  cache_.emplace(sql, std::move(st));
  last_ = p;
  return StatementHandle(*this, p);
}

StatementHandle Connection::prepare_static(const std::string& sql) {
  StatementHandle h = statement(sql);
  last_static_sql_ = &sql;
  last_static_ = &*h;
  return h;
}

void Connection::execute_once(const std::string& sql) {
  if (active_) throw_busy(active_->sql(), sql);
  ++stats_.prepares;
  std::unique_ptr<Statement> st = prepare_once(sql);
  while (st->step()) {
  }
}

void Connection::clear_statement_cache() {
  last_ = nullptr;
  last_static_ = nullptr;
  last_static_sql_ = nullptr;
  for (auto i = cache_.begin(); i != cache_.end();) i = i->second.get() == active_ ? std::next(i) : cache_.erase(i);
}

bool Connection::ping() noexcept {
  try {
    if (broken_ || active_) return !broken_;
    execute_once("SELECT 1");
    return true;
  } catch (...) {
    return false;
  }
}

void Connection::end_use() {
  tx_depth_ = 0;
  failed_in_transaction_ = false;
  if (in_transaction()) execute_once("ROLLBACK");
}

}  // namespace covet
