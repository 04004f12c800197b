#pragma once
// Where statements run. A Database hands out pooled connections; a Session
// holds one connection, a Transaction holds one connection inside BEGIN ...
// COMMIT. ORM calls take an Executor — any of the three — so
//
//   auto tx = db.transaction();
//   u.save(tx);                                  // on the transaction's connection
//   auto n = User::objects(tx).filter(...).count();
//   tx.commit();
//
// runs inside the transaction, while u.save(db) would check out another
// pooled connection (outside it: on SQLite that one waits for the write
// lock up to the URL's timeout).
//
// Lifetime: Session and Transaction are move-only owners; the connection
// returns to the pool when the owner ends (a transaction not committed is
// rolled back first). An Executor is a view for the length of a call;
// QuerySets and cursors hold a HeldExecutor, which keeps the shared state
// alive, so they never dangle and raise UsageError once their session or
// transaction has ended. Thread safety: one Session or
// Transaction is used by one thread at a time; Databases and Executors made
// from a Database may be shared by any number of threads.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/core/record.hpp"
#include "covet/db/connection.hpp"

namespace covet {

class Database;
class Session;
class Transaction;

namespace detail {
struct DatabaseState;
struct SessionState;
struct PoolEntry;
}  // namespace detail

struct ExecResult {
  std::vector<Record> rows;
  int64_t rows_affected = 0;  // rows an INSERT/UPDATE/DELETE changed (also with RETURNING); 0 for SELECT
};

// One connection for the length of one operation (a query, a save): checked
// out of the pool for a Database, borrowed from a Session or Transaction.
// Move-only; returns a checked-out connection when destroyed. Not
// thread-safe. Runs statements with bound parameters and logs them when the
// Database's echo is on.
class Lease {
 public:
  Lease(Lease&& o) noexcept : db_(o.db_), dialect_(o.dialect_), conn_(o.conn_), owned_(o.owned_) { o.owned_ = nullptr; }
  Lease& operator=(Lease&&) = delete;
  ~Lease();

  Connection& connection() const { return *conn_; }
  const Dialect& dialect() const { return *dialect_; }

  // Runs one statement: `bind` sets its parameters, `on_row` sees each row.
  // Returns the rows affected (0 for statements that return rows).
  int64_t run(const std::string& sql, FunctionRef<void(Binder&)> bind, FunctionRef<void(const Row&)> on_row,
              bool static_sql = false);
  // Runs an INSERT and hands `on_key` the key the database generated (from
  // RETURNING or from the driver, as the dialect says).
  // `static_sql`: the text lives as long as the process (a per-model statement).
  // The save() hot path: one INSERT of an object's members (static SQL),
  // its generated key stored in *key when `key` is set. The same as
  // run_insert with bind_members, without the callbacks.
  void insert_members(const std::string& static_sql, const MemberBind* binds, std::size_t n, const void* obj,
                      const void* context, int64_t* key);
  int64_t run_insert(const std::string& sql, FunctionRef<void(Binder&)> bind, FunctionRef<void(int64_t)> on_key,
                     bool static_sql = false);
  // The same with the parameters as Values (their number is checked).
  int64_t run(const std::string& sql, const std::vector<Value>& params, FunctionRef<void(const Row&)> on_row);
  // Connection::copy_rows, reserve_keys, sequence_position and last_drawn_key, logged when echo is on.
  bool copy_rows(const std::string& target, const std::string& insert_sql, std::size_t rows,
                 FunctionRef<void(Binder&, std::size_t)> bind, FunctionRef<void(std::size_t)> sent);
  bool reserve_keys(const std::string& table, const std::string& column, std::size_t n, std::vector<int64_t>& keys);
  bool last_drawn_key(const std::string& table, const std::string& column, int64_t& key);
  bool sequence_position(const std::string& table, const std::string& column, int64_t& key);
  // The same, with the bound statement handed to `consume`, which steps
  // through its rows itself (Statement::load_rows).
  int64_t run_consuming(const std::string& sql, const std::vector<Value>& params,
                        FunctionRef<void(Statement&)> consume);
  // A statement with `params` bound, not yet run, for cursors that step it
  // themselves: the connection runs nothing else until the handle is gone.
  StatementHandle open(const std::string& sql, const std::vector<Value>& params);
  // Raw SQL into Records.
  ExecResult execute(std::string_view sql, const std::vector<Value>& params);

 private:
  friend class Executor;
  Lease(const detail::DatabaseState* db, Connection* conn, detail::PoolEntry* owned);
  const detail::DatabaseState* db_;
  const Dialect* dialect_;
  Connection* conn_;
  detail::PoolEntry* owned_;  // checked out for this lease alone
};

// Where an ORM call runs: a Database (each operation checks out a pooled
// connection), a Session or a Transaction (their connection). Converts
// implicitly, so every ORM call takes a Database, a Session or a
// Transaction alike. A view: four words, no reference counting; it must not
// outlive what it was made from (HeldExecutor does not).
// What an operation does, so that it runs where it may: reads outside a
// transaction may go to a replica; writes (and raw SQL that is not a read)
// are refused on a read-only database.
enum class Access : uint8_t {
  Write,        // INSERT / UPDATE / DELETE / DDL, or not known to be a read
  Read,         // an ORM read (a replica may serve it)
  ReadPrimary,  // a read that stays on the primary (raw SELECT)
};
// The access raw SQL needs, from its first keyword (SELECT, VALUES, SHOW,
// TABLE, EXPLAIN read; anything else, WITH included, may write).
Access access_of_sql(std::string_view sql);

class Executor {
 public:
  Executor(const Database& db);
  Executor(const Session& s);
  Executor(const Transaction& t);

  // The connection for one operation (a replica's for a Read when the
  // Database has replicas). ReadOnlyError for a Write on a read-only
  // database. UsageError when the Session or
  // Transaction has ended; PoolTimeout when no pooled connection is free.
  Lease lease(Access access = Access::Write) const;
  // save()'s hot path: lease(Access::Write).insert_members(...) in one
  // call, which makes no Lease when this executor holds its connection (a
  // Transaction or a Session).
  void insert_members(const std::string& static_sql, const MemberBind* binds, std::size_t n, const void* obj,
                      const void* context, int64_t* key) const;
  // When a replica serves `lease` (whose connection failed): skips that
  // replica for a while and returns true; false for the primary.
  bool replica_failed(const Lease& lease) const;
  const Dialect& dialect() const;
  // A new transaction level here: BEGIN on a fresh pooled connection for a
  // Database, a savepoint (or BEGIN) on the connection of a Session or
  // Transaction.
  Transaction transaction(TransactionOptions options = {}) const;
  // True for a Database executor (statements may land on different connections).
  bool pooled() const { return session_ == nullptr; }
  // True for a Transaction executor (row locks last until it ends).
  bool in_transaction() const { return tx_id_ != 0; }
  // Shares ownership of the Database or Session state this refers to.
  std::shared_ptr<const void> keep_alive() const;
  // The database's identity in this process (never reused).
  uint64_t database_id() const;

 private:
  // A Session's or Transaction's connection, checked still open.
  Connection& session_connection() const;
  detail::DatabaseState* db_ = nullptr;
  detail::SessionState* session_ = nullptr;
  uint64_t tx_id_ = 0;  // made from a Transaction: it must still be open
  int tx_level_ = 0;
};

// An Executor plus shared ownership of what it refers to: what QuerySets
// and cursors hold, so a Database or Transaction handle may go first.
class HeldExecutor {
 public:
  explicit HeldExecutor(const Executor& ex) : ex_(ex), keep_(ex.keep_alive()) {}
  const Executor& get() const { return ex_; }

 private:
  Executor ex_;
  std::shared_ptr<const void> keep_;
};

// A transaction on one pooled connection. commit() makes it durable; ending
// it otherwise (scope exit, exception, rollback()) rolls it back and, for a
// transaction begun on a Database, returns the connection to the pool.
// Nested levels are savepoints on the same connection: tx.transaction().
// Levels finish innermost first (a commit with a nested level still open is
// a UsageError); rolling back an outer level ends the levels inside it. If
// the engine rolls a transaction back by itself (I/O error, full disk),
// statements in it raise OperationalError instead of running in autocommit.
class Transaction {
 public:
  Transaction(Transaction&& o) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  void commit();
  void rollback();
  // A savepoint inside this transaction.
  Transaction transaction();
  // Raw SQL on the transaction's connection.
  ExecResult execute(std::string_view sql, const std::vector<Value>& params = {});
  // Not yet committed or rolled back (by this or an enclosing level).
  bool active() const;

 private:
  friend class Database;
  friend class Session;
  friend class Executor;
  friend class Lease;
  Transaction(std::shared_ptr<detail::SessionState> s, int level, bool owns_session);
  bool ended_by_outer() const;
  void finish() noexcept;
  // UsageError: moved from, or finished (Executor's constructor).
  [[noreturn, gnu::cold]] void throw_unusable() const;
  std::shared_ptr<detail::SessionState> session_;
  detail::DatabaseState* db_ = nullptr;  // session_'s database (Executor's, without a call)
  int level_;          // levels open below this one on the connection
  bool owns_session_;  // begun on a Database: ends its session when it ends
  bool done_ = false;
  uint64_t id_ = 0;    // this level's id in its session (executors check it is still open)
};

// One pooled connection held for a stretch of work (several statements
// that must see the same connection: temporary tables, session settings).
// Move-only; the connection returns to the pool when the Session ends.
class Session {
 public:
  Session(Session&&) noexcept = default;
  Session& operator=(Session&&) noexcept = default;
  ~Session();  // returns the connection (rolling back an open transaction)

  // BEGIN on this session's connection (a savepoint when one is open).
  Transaction transaction(TransactionOptions options = {});
  ExecResult execute(std::string_view sql, const std::vector<Value>& params = {});
  // Returns the connection now; the Session and its executors are unusable after.
  void close();

 private:
  friend class Database;
  friend class Executor;
  friend class Transaction;
  explicit Session(std::shared_ptr<detail::SessionState> s) : state_(std::move(s)) {}
  // Opens a level (BEGIN or SAVEPOINT) on the session's connection.
  static Transaction begin(std::shared_ptr<detail::SessionState> s, const TransactionOptions& options,
                           bool owns_session);
  std::shared_ptr<detail::SessionState> state_;
};

// Inline: a call per `u.save(tx)` in a loop was most of what converting
// the Transaction cost.
inline Executor::Executor(const Transaction& t)
    : db_(t.db_), session_(t.session_.get()), tx_id_(t.id_), tx_level_(t.level_) {
  // tx_id_: lease() checks it is still open (an outer rollback may have ended it)
  if (!session_ || t.done_) [[unlikely]]
    t.throw_unusable();
}

}  // namespace covet
