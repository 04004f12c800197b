#pragma once
// Database: the value a program owns for one database URL. It opens the
// connection, serialises access to it (the pool arrives with the PostgreSQL
// backend), runs statements with bound parameters, logs them when `echo`
// is on, and creates/drops the tables of registered models.
//
// Thread safety: all members may be called from any thread; statements on
// one Database run one at a time. A Transaction or an open Cursor holds the
// connection for its thread until it ends (nested use on that thread is fine).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/core/record.hpp"
#include "covet/db/connection.hpp"
#include "covet/schema/registry.hpp"

namespace covet {

struct DatabaseOptions {
  bool echo = false;  // log every statement with its parameters and duration
  // Where echo lines go; stderr when empty.
  std::function<void(std::string_view line)> logger;
};

struct ExecResult {
  std::vector<Record> rows;
  int64_t rows_affected = 0;
  int64_t last_insert_id = 0;
};

class Database {
 public:
  explicit Database(std::string_view url, DatabaseOptions options = {});
  ~Database();
  Database(Database&&) noexcept;
  Database& operator=(Database&&) noexcept;

  const Dialect& dialect() const;
  const Url& url() const;

  // Raw SQL with bound parameters (never pasted into the text).
  ExecResult execute(std::string_view sql, const std::vector<Value>& params = {});

  // Exclusive use of the connection for the calling thread.
  class Lease {
   public:
    Connection& connection() const { return *conn_; }
    Database& database() const { return *db_; }

   private:
    friend class Database;
    Lease(Database* db, std::unique_lock<std::recursive_mutex> lock, Connection* conn)
        : db_(db), lock_(std::move(lock)), conn_(conn) {}
    Database* db_;
    std::unique_lock<std::recursive_mutex> lock_;
    Connection* conn_;
  };
  Lease acquire();

  // Runs one statement: `bind` sets its parameters, `on_row` sees each row.
  // Logs it when echo is on. Returns the rows affected.
  int64_t run(Lease& lease, const std::string& sql, FunctionRef<void(Binder&)> bind,
              FunctionRef<void(const Row&)> on_row, int64_t* last_insert_id = nullptr);
  int64_t run(Lease& lease, const std::string& sql, const std::vector<Value>& params,
              FunctionRef<void(const Row&)> on_row, int64_t* last_insert_id = nullptr);

  // A statement for `sql` with `params` bound, not yet run: for cursors that
  // step it themselves. Logged (without a duration) when echo is on.
  StatementHandle open(Lease& lease, const std::string& sql, const std::vector<Value>& params);

  // A transaction: commit() makes it durable; leaving the scope without
  // commit (or by exception) rolls it back. Nested transactions are
  // savepoints. commit() must be innermost first (InvalidArgument otherwise);
  // rolling back (or destroying) an outer level also ends the levels in it.
  // If the engine rolls a transaction back by itself (I/O error, full disk),
  // statements run inside it raise OperationalError instead of committing
  // on their own.
  class Transaction {
   public:
    Transaction(Transaction&&) noexcept;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    void commit();
    void rollback();

   private:
    friend class Database;
    Transaction(Lease lease, int depth);
    bool ended_by_outer() const;
    std::optional<Lease> lease_;
    int depth_;
    bool done_ = false;
  };
  Transaction transaction();

  // DDL for every registered model (or the listed ones), dependency order.
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

  bool echo() const;
  ConnectionStats connection_stats();

 private:
  struct Impl;
  void control(Lease& lease, const std::string& sql, bool log_it = true);
  // `params`, when given, is checked against the statement's parameter count.
  int64_t run(Lease& lease, const std::string& sql, FunctionRef<void(Binder&)> bind,
              FunctionRef<void(const Row&)> on_row, int64_t* last_insert_id, const std::vector<Value>* params);
  void log(const std::string& sql, const std::vector<std::string>& params, int64_t took_ns);
  std::unique_ptr<Impl> impl_;
};

using Transaction = Database::Transaction;

}  // namespace covet
