#include "covet/core/error.hpp"
#include "covet/db/connection.hpp"

namespace covet {

StatementHandle::~StatementHandle() {
  if (!st_) return;
  try {
    st_->reset();
  } catch (...) {
    // reset() reports the last step's error again; it was already thrown.
  }
  st_->in_use_ = false;
}

StatementHandle Connection::statement(const std::string& sql) {
  if (last_ && !last_->in_use_ && last_->sql() == sql) {
    ++stats_.cache_hits;
    return StatementHandle(last_, nullptr);
  }
  auto it = cache_.find(sql);
  if (it != cache_.end()) {
    if (!it->second->in_use_) {
      ++stats_.cache_hits;
      last_ = it->second.get();
      return StatementHandle(last_, nullptr);
    }
    // The cached one is busy (a cursor is open on it): use a private copy.
    ++stats_.prepares;
    auto st = prepare(sql);
    Statement* p = st.get();
    return StatementHandle(p, std::move(st));
  }
  if (cache_.size() >= 512) clear_statement_cache();
  ++stats_.prepares;
  auto st = prepare(sql);
  Statement* p = st.get();
  cache_.emplace(sql, std::move(st));
  last_ = p;
  return StatementHandle(p, nullptr);
}

void Connection::execute_once(const std::string& sql) {
  ++stats_.prepares;
  std::unique_ptr<Statement> st = prepare(sql);
  while (st->step()) {
  }
}

void Connection::clear_statement_cache() {
  last_ = nullptr;
  for (auto i = cache_.begin(); i != cache_.end();) i = i->second->in_use_ ? std::next(i) : cache_.erase(i);
}

}  // namespace covet
