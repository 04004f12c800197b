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

#include "covet/core/function_ref.hpp"
#include "covet/core/row.hpp"
#include "covet/db/url.hpp"
#include "covet/sql/dialect.hpp"

namespace covet {

// How a transaction starts. SQLite transactions are always serializable (a
// stronger level than any other asked for, which the SQL standard allows);
// PostgreSQL honours each level.
enum class Isolation : uint8_t { Default, ReadCommitted, RepeatableRead, Serializable };
struct TransactionOptions {
  Isolation isolation = Isolation::Default;
  bool read_only = false;
};

class Connection;

class Statement : public Binder {
 public:
  // Runs the statement (first call) or advances; true while a row is available.
  virtual bool step() = 0;
  virtual const Row& row() const = 0;
  // Makes the statement ready to run again (every parameter is bound again
  // before the next run).
  virtual void reset() = 0;
  virtual int64_t rows_affected() const = 0;
  // How many parameters the statement takes.
  virtual int parameter_count() const = 0;
  // The key the last run generated, for drivers whose dialect does not use
  // RETURNING for it (Dialect::returning_for_generated_keys()); others
  // raise NotSupportedError.
  virtual int64_t generated_key() const;
  // save()'s INSERT in one call: binds the members to parameters 1..n,
  // runs the statement to its end and returns the key the database
  // generated when `want_key` (RETURNING's first column when `returning`,
  // else generated_key()), 0 otherwise. The statement is reset when it
  // returns (the caller's StatementHandle is told with mark_reset()).
  // Drivers override it with binding, stepping and resetting inlined.
  virtual int64_t insert_members(const MemberBind* binds, std::size_t n, const void* obj, const void* context,
                                 bool want_key, bool returning);
  // Runs the statement and loads every row into the object `sink` gives for
  // it (members as `loads` says, see Row::load): one call for all() in
  // place of a step() and a load() per row. Drivers override it with both
  // inlined.
  virtual void load_rows(const MemberLoad* loads, std::size_t n, const void* context, ObjectSink& sink);
  // The next run is read row by row and may be abandoned early (a cursor):
  // a driver that otherwise fetches a whole result first streams it
  // instead (PostgreSQL's single-row mode). Until reset(); SQLite always
  // steps row by row.
  virtual void stream() {}
  const std::string& sql() const { return sql_; }
  // The server dropped or invalidated this statement (PostgreSQL after the
  // table changed): the connection prepares it again on the next call.
  bool stale() const { return stale_; }

 protected:
  explicit Statement(std::string sql) : sql_(std::move(sql)) {}
  void mark_stale() { stale_ = true; }

 private:
  std::string sql_;
  bool stale_ = false;
};

// The statement whose result is being read on a connection: while one
// exists the connection runs nothing else (one active result per
// connection, as libpq requires); destroying it resets the statement and
// frees the connection. Move-only; lives no longer than its connection.
class StatementHandle {
 public:
  inline StatementHandle(Connection& c, Statement* st);
  StatementHandle(StatementHandle&& o) noexcept : conn_(o.conn_), st_(o.st_), reset_(o.reset_) { o.st_ = nullptr; }
  StatementHandle& operator=(StatementHandle&&) = delete;
  inline ~StatementHandle();
  Statement* operator->() const { return st_; }
  Statement& operator*() const { return *st_; }
  // The statement was reset already (Statement::insert_members): the
  // destructor only frees the connection.
  void mark_reset() { reset_ = false; }

 private:
  void release() noexcept;  // resets the statement, then frees the connection
  Connection* conn_;
  Statement* st_;
  bool reset_ = true;
};

struct ConnectionStats {
  uint64_t prepares = 0;       // statements compiled by the server/engine
  uint64_t cache_hits = 0;     // statements reused from the cache
};

// One connection to a database. Not thread-safe: the pool hands it to one
// Session, Transaction or operation at a time.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual const Dialect& dialect() const = 0;
  // The engine's own view: a transaction is open on this connection.
  virtual bool in_transaction() const = 0;
  // The statement that opens a transaction with these options.
  virtual std::string begin_statement(const TransactionOptions&) const { return "BEGIN"; }
  // A cheap round trip; false when the connection can no longer be used
  // (the pool's pre_ping and health checks).
  virtual bool ping() noexcept;
  // The most parameters one statement may take (bulk operations split
  // their batches under it).
  virtual int max_parameters() const = 0;
  // Bulk loading where the backend has a path faster than INSERT
  // (PostgreSQL: COPY ... FROM STDIN in binary). `insert_sql` is a one-row
  // INSERT with a parameter per column of `target` (`"table" ("a", "b")`);
  // bind(binder, i) binds row i as that INSERT would, and sent(i + 1)
  // follows each row out. Returns false, having sent nothing, when the
  // driver has no such path or a column's type has none; the caller then
  // inserts the rows another way.
  virtual bool has_bulk_load() const { return false; }
  virtual bool copy_rows(const std::string& /*target*/, const std::string& /*insert_sql*/, std::size_t /*rows*/,
                         FunctionRef<void(Binder&, std::size_t)> /*bind*/, FunctionRef<void(std::size_t)> /*sent*/) {
    return false;
  }
  // n new values of the sequence behind `column` of `table` (a quoted,
  // possibly schema-qualified name), for rows loaded with copy_rows; false
  // when the driver or the column has none.
  virtual bool reserve_keys(const std::string& /*table*/, const std::string& /*column*/, std::size_t /*n*/,
                            std::vector<int64_t>& /*keys*/) {
    return false;
  }
  // The value of that sequence drawn last by anyone (one before its start
  // when none was), without drawing one; false when the driver or the
  // column has none.
  virtual bool sequence_position(const std::string& /*table*/, const std::string& /*column*/, int64_t& /*key*/) {
    return false;
  }
  // The value of that sequence this connection drew last (after a
  // copy_rows whose rows drew their keys from it); false when none.
  virtual bool last_drawn_key(const std::string& /*table*/, const std::string& /*column*/, int64_t& /*key*/) {
    return false;
  }

  // A prepared statement for `sql`, reused across calls on this connection.
  // SQL holding more than one statement, or a NUL byte, is a
  // ProgrammingError; a statement while another result is being read is a
  // UsageError.
  StatementHandle statement(const std::string& sql);
  // The same for SQL text that lives as long as the process (the per-model
  // statements of compiler.hpp): found by the string's address, without
  // comparing the text.
  StatementHandle statement_for_static_sql(const std::string& sql) {
    if (last_static_ && &sql == last_static_sql_ && !active_ && !last_static_->stale()) [[likely]] {
      ++stats_.cache_hits;
      return StatementHandle(*this, last_static_);
    }
    return prepare_static(sql);
  }
  // Runs one statement without parameters, ignoring any rows, without
  // caching it (DDL, PRAGMA, BEGIN). Text holding more than one statement
  // is refused like every other.
  void execute_once(const std::string& sql);
  const ConnectionStats& stats() const { return stats_; }
  // Drops every cached statement (after DDL changed the schema, say).
  void clear_statement_cache();

  // Transaction levels open on this connection: 0 none, 1 after BEGIN, one
  // more per savepoint. Kept by Transaction (session.cpp).
  int transaction_depth() const { return tx_depth_; }
  void set_transaction_depth(int d) {
    tx_depth_ = d;
    if (d == 0) failed_in_transaction_ = false;
  }
  // A statement failed (or raw SQL ran) while a transaction was open: the
  // engine may have rolled it back by itself (SQLite does after I/O errors,
  // a full disk, a lock timeout) or the SQL ended it, so the next statement
  // asks the engine first. Otherwise statements skip that check.
  void note_failure() {
    if (tx_depth_ > 0) failed_in_transaction_ = true;
  }
  bool may_have_been_rolled_back() const { return failed_in_transaction_; }
  bool has_active_result() const { return active_ != nullptr; }
  // Set when an error left the connection unusable: the pool closes it.
  bool broken() const { return broken_; }
  void mark_broken() { broken_ = true; }
  // Called when the pool takes the connection back: rolls back a
  // transaction left open and forgets the levels.
  void end_use();

 protected:
  virtual std::unique_ptr<Statement> prepare(const std::string& sql) = 0;
  // A statement run once and dropped (execute_once: DDL, ping, ROLLBACK);
  // drivers with server-side statements make it cheaper than prepare().
  virtual std::unique_ptr<Statement> prepare_once(const std::string& sql) { return prepare(sql); }

 private:
  friend class StatementHandle;
  StatementHandle prepare_static(const std::string& sql);
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
  // The last statement handed out: repeated INSERTs (save() in a loop) skip
  // hashing the SQL text.
  Statement* last_ = nullptr;
  const std::string* last_static_sql_ = nullptr;
  Statement* last_static_ = nullptr;
  Statement* active_ = nullptr;
  ConnectionStats stats_;
  int tx_depth_ = 0;
  bool failed_in_transaction_ = false;
  bool broken_ = false;
};

inline StatementHandle::StatementHandle(Connection& c, Statement* st) : conn_(&c), st_(st) { c.active_ = st; }
// Inline: after insert_members (reset already) it only frees the connection.
inline StatementHandle::~StatementHandle() {
  if (!st_) return;
  if (reset_) release();
  else conn_->active_ = nullptr;
}

// Opens connections for one URL scheme.
class Driver {
 public:
  virtual ~Driver() = default;
  virtual std::unique_ptr<Connection> connect(const Url& url) = 0;
  virtual const Dialect& dialect() const = 0;
  // True when every connection to `url` would be a separate database (an
  // SQLite :memory: URL): the pool then keeps exactly one.
  virtual bool single_connection(const Url&) const { return false; }
  // The URL as every connection of one Database will use it (SQLite: a
  // relative path made absolute once).
  virtual Url normalize(Url url) const { return url; }
  // The URL query options the driver reads (?timeout=...); with the pool's
  // own options, any other is a ConfigurationError, so a misspelt option is
  // never silently ignored.
  virtual std::span<const std::string_view> url_options() const = 0;
};

// The driver for a scheme ("sqlite"), or ConfigurationError listing the known ones.
Driver& driver_for(std::string_view scheme);

}  // namespace covet
