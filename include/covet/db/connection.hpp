#pragma once
// The driver interface every backend implements (src/db/<backend>/):
// Connection prepares Statements; a Statement is a Binder for its
// parameters and yields Rows. Connections are not thread-safe: a Database
// hands each to one user at a time. Driver C headers never appear here.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "covet/core/row.hpp"
#include "covet/db/url.hpp"
#include "covet/sql/dialect.hpp"

namespace covet {

class Statement : public Binder {
 public:
  // Runs the statement (first call) or advances; true while a row is available.
  virtual bool step() = 0;
  virtual const Row& row() const = 0;
  // Clears bindings and makes the statement ready to run again.
  virtual void reset() = 0;
  virtual int64_t rows_affected() const = 0;
  virtual int64_t last_insert_id() const = 0;
  // How many parameters the statement takes.
  virtual int parameter_count() const = 0;
  const std::string& sql() const { return sql_; }

 protected:
  explicit Statement(std::string sql) : sql_(std::move(sql)) {}

 private:
  friend class Connection;
  friend class StatementHandle;
  std::string sql_;
  bool in_use_ = false;
};

class Connection;

// A statement checked out of a connection's cache; resets it when done.
class StatementHandle {
 public:
  StatementHandle(Statement* st, std::unique_ptr<Statement> owned) : st_(st), owned_(std::move(owned)) {
    st_->in_use_ = true;
  }
  StatementHandle(StatementHandle&& o) noexcept : st_(o.st_), owned_(std::move(o.owned_)) { o.st_ = nullptr; }
  StatementHandle& operator=(StatementHandle&&) = delete;
  ~StatementHandle();
  Statement* operator->() const { return st_; }
  Statement& operator*() const { return *st_; }

 private:
  Statement* st_;
  std::unique_ptr<Statement> owned_;
};

struct ConnectionStats {
  uint64_t prepares = 0;       // statements compiled by the server/engine
  uint64_t cache_hits = 0;     // statements reused from the cache
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual const Dialect& dialect() const = 0;
  // Runs one statement without parameters, ignoring any rows, without
  // caching it (DDL, PRAGMA). Like every statement covet runs, it is
  // prepared: text holding more than one statement is refused.
  void execute_once(const std::string& sql);
  virtual bool in_transaction() const = 0;
  // The statement that opens a transaction (SQLite: BEGIN IMMEDIATE, so a
  // writer waits for the lock up front instead of failing mid-transaction).
  virtual std::string_view begin_statement() const { return "BEGIN"; }
  // A prepared statement for `sql`, reused across calls on this connection.
  // SQL holding more than one statement, or a NUL byte, is a ProgrammingError.
  StatementHandle statement(const std::string& sql);
  const ConnectionStats& stats() const { return stats_; }
  // Drops every cached statement (after DDL changed the schema, say).
  void clear_statement_cache();

 protected:
  virtual std::unique_ptr<Statement> prepare(const std::string& sql) = 0;

 private:
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  // The last statement handed out: repeated INSERTs (save() in a loop) skip
  // hashing the SQL text.
  Statement* last_ = nullptr;
  ConnectionStats stats_;
};

// Opens connections for one URL scheme.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::unique_ptr<Connection> connect(const Url& url) = 0;
  // The URL query options the driver reads (?timeout=...); any other is a
  // ConfigurationError, so a misspelt option is never silently ignored.
  virtual std::span<const std::string_view> url_options() const = 0;
};

// The driver for a scheme ("sqlite"), or ConfigurationError listing the known ones.
Driver& driver_for(std::string_view scheme);

}  // namespace covet
