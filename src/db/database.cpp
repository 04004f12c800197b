#include "covet/db/database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "covet/core/error.hpp"
#include "covet/sql/compiler.hpp"
#include "db/sqlite/sqlite_driver.hpp"

namespace covet {

Driver& driver_for(std::string_view scheme) {
  if (scheme == "sqlite") return sqlite_driver();
  throw ConfigurationError(fmt::format("no driver for database scheme '{}' (available: sqlite)", scheme));
}

struct Database::Impl {
  Url url;
  DatabaseOptions options;
  std::recursive_mutex mutex;
  std::unique_ptr<Connection> conn;
  int tx_depth = 0;
};

Database::Database(std::string_view url, DatabaseOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->url = Url::parse(url);
  impl_->options = std::move(options);
  Driver& driver = driver_for(impl_->url.scheme);
  auto known = driver.url_options();
  for (const auto& [key, value] : impl_->url.query)
    if (std::find(known.begin(), known.end(), key) == known.end())
      throw ConfigurationError(fmt::format("unknown option '{}' in {} database URL (known options: {})", key,
                                           impl_->url.scheme, fmt::join(known, ", ")));
  impl_->conn = driver.connect(impl_->url);
}

Database::~Database() = default;
Database::Database(Database&&) noexcept = default;
Database& Database::operator=(Database&&) noexcept = default;

const Dialect& Database::dialect() const { return impl_->conn->dialect(); }
const Url& Database::url() const { return impl_->url; }
bool Database::echo() const { return impl_->options.echo; }

Database::Lease Database::acquire() {
  std::unique_lock lock(impl_->mutex);
  return Lease(this, std::move(lock), impl_->conn.get());
}

ConnectionStats Database::connection_stats() {
  Lease l = acquire();
  return l.connection().stats();
}

namespace {
int64_t elapsed_ns(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start).count();
}

// Forwards to the statement and keeps a printable copy of each parameter.
class RecordingBinder final : public Binder {
 public:
  RecordingBinder(Binder& target, std::vector<std::string>& out) : t_(target), out_(out) {}
  void bind_null(int i) override { note(i, "NULL"), t_.bind_null(i); }
  void bind_int(int i, int64_t v) override { note(i, std::to_string(v)), t_.bind_int(i, v); }
  void bind_double(int i, double v) override { note(i, fmt::format("{}", v)), t_.bind_double(i, v); }
  void bind_text(int i, std::string_view v) override { note(i, Value(v).to_string()), t_.bind_text(i, v); }
  void bind_blob(int i, std::string_view v) override { note(i, fmt::format("<{} bytes>", v.size())), t_.bind_blob(i, v); }
  void bind_text_copy(int i, std::string_view v) override { note(i, Value(v).to_string()), t_.bind_text_copy(i, v); }
  void bind_bool(int i, bool v) override { note(i, v ? "true" : "false"), t_.bind_bool(i, v); }
  void bind_date(int i, const Date& v) override { note(i, "'" + v.to_string() + "'"), t_.bind_date(i, v); }
  void bind_datetime(int i, const DateTime& v) override { note(i, "'" + v.to_string() + "'"), t_.bind_datetime(i, v); }
  void bind_uuid(int i, const Uuid& v) override { note(i, "'" + v.to_string() + "'"), t_.bind_uuid(i, v); }
  void bind_decimal(int i, const Decimal& v) override { note(i, v.to_string()), t_.bind_decimal(i, v); }
  void bind_json(int i, const Json& v) override { note(i, "'" + v.text() + "'"), t_.bind_json(i, v); }
  void bind_array(int i, const Array& v) override { note(i, Value(v).to_string()), t_.bind_array(i, v); }

 private:
  void note(int i, std::string s) {
    if (out_.size() < static_cast<std::size_t>(i)) out_.resize(static_cast<std::size_t>(i));
    out_[static_cast<std::size_t>(i) - 1] = std::move(s);
  }
  Binder& t_;
  std::vector<std::string>& out_;
};
}  // namespace

namespace {
// Every parameter is bound on every run (bindings are not cleared between
// runs), so a list of the wrong length is refused instead of reusing or
// nulling the missing ones.
void check_param_count(Statement& st, std::size_t given) {
  if (static_cast<std::size_t>(st.parameter_count()) != given)
    throw ProgrammingError(fmt::format("the statement takes {} parameters, {} given", st.parameter_count(), given), "",
                           st.sql());
}
}  // namespace

int64_t Database::run(Lease& lease, const std::string& sql, FunctionRef<void(Binder&)> bind,
                      FunctionRef<void(const Row&)> on_row, int64_t* last_insert_id) {
  return run(lease, sql, bind, on_row, last_insert_id, nullptr);
}

int64_t Database::run(Lease& lease, const std::string& sql, FunctionRef<void(Binder&)> bind,
                      FunctionRef<void(const Row&)> on_row, int64_t* last_insert_id, const std::vector<Value>* params) {
  if (impl_->tx_depth > 0 && !lease.connection().in_transaction())
    throw OperationalError("the database rolled back the open transaction (after an I/O error, a full disk or a lock "
                           "timeout); roll it back before running more statements, or they would commit on their own",
                           "", sql);
  StatementHandle st = lease.connection().statement(sql);
  if (params) check_param_count(*st, params->size());
  if (!impl_->options.echo) {
    bind(*st);
    while (st->step()) on_row(st->row());
    if (last_insert_id) *last_insert_id = st->last_insert_id();
    return st->rows_affected();
  }
  std::vector<std::string> shown;
  auto start = std::chrono::steady_clock::now();
  RecordingBinder rec(*st, shown);
  bind(rec);
  try {
    while (st->step()) on_row(st->row());
  } catch (...) {
    log(sql + "  -- failed", shown, elapsed_ns(start));
    throw;
  }
  log(sql, shown, elapsed_ns(start));
  if (last_insert_id) *last_insert_id = st->last_insert_id();
  return st->rows_affected();
}

int64_t Database::run(Lease& lease, const std::string& sql, const std::vector<Value>& params,
                      FunctionRef<void(const Row&)> on_row, int64_t* last_insert_id) {
  return run(
      lease, sql,
      [&](Binder& b) {
        for (std::size_t i = 0; i < params.size(); ++i) b.bind(static_cast<int>(i) + 1, params[i]);
      },
      on_row, last_insert_id, &params);
}

StatementHandle Database::open(Lease& lease, const std::string& sql, const std::vector<Value>& params) {
  StatementHandle st = lease.connection().statement(sql);
  check_param_count(*st, params.size());
  if (!impl_->options.echo) {
    for (std::size_t i = 0; i < params.size(); ++i) st->bind(static_cast<int>(i) + 1, params[i]);
    return st;
  }
  std::vector<std::string> shown;
  RecordingBinder rec(*st, shown);
  for (std::size_t i = 0; i < params.size(); ++i) rec.bind(static_cast<int>(i) + 1, params[i]);
  log(sql + "  -- cursor", shown, 0);
  return st;
}

void Database::log(const std::string& sql, const std::vector<std::string>& params, int64_t took_ns) {
  std::string line = fmt::format("[covet] {:.3f} ms  {}", static_cast<double>(took_ns) / 1e6, sql);
  if (!params.empty()) line += fmt::format("  -- params: [{}]", fmt::join(params, ", "));
  if (impl_->options.logger) impl_->options.logger(line);
  else std::fprintf(stderr, "%s\n", line.c_str());
}

ExecResult Database::execute(std::string_view sql, const std::vector<Value>& params) {
  Lease lease = acquire();
  ExecResult out;
  std::shared_ptr<std::vector<std::string>> names;
  out.rows_affected = run(
      lease, std::string(sql), params,
      [&](const Row& row) {
        int n = row.column_count();
        if (!names) {
          names = std::make_shared<std::vector<std::string>>();
          for (int i = 0; i < n; ++i) names->emplace_back(row.column_name(i));
        }
        std::vector<Value> vals;
        vals.reserve(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) vals.push_back(row.get_value(i));
        out.rows.emplace_back(names, std::move(vals));
      },
      &out.last_insert_id);
  if (!out.rows.empty()) out.rows_affected = 0;
  return out;
}

// ------------------------------------------------------------- transactions
// Transactions nest as savepoints and must finish innermost first. BEGIN /
// SAVEPOINT / COMMIT run as cached prepared statements (save() of an object
// with a key opens one per call).
void Database::control(Lease& lease, const std::string& sql, bool log_it) {
  StatementHandle st = lease.connection().statement(sql);
  while (st->step()) {
  }
  if (log_it && impl_->options.echo) log(sql, {}, 0);
}

Database::Transaction::Transaction(Lease lease, int depth) : lease_(std::move(lease)), depth_(depth) {}
Database::Transaction::Transaction(Transaction&& o) noexcept
    : lease_(std::move(o.lease_)), depth_(o.depth_), done_(o.done_) {
  o.done_ = true;
}

Database::Transaction Database::transaction() {
  Lease lease = acquire();
  int depth = impl_->tx_depth;
  if (depth > 0 && !lease.connection().in_transaction())
    throw OperationalError("the database already rolled back the enclosing transaction (after an I/O error, a full disk "
                           "or a lock timeout); roll it back and start again");
  std::string sql = depth == 0 ? std::string(lease.connection().begin_statement()) : fmt::format("SAVEPOINT covet_sp_{}", depth);
  control(lease, sql, false);  // if BEGIN fails, nothing is ours to undo
  ++impl_->tx_depth;
  Transaction tx(std::move(lease), depth);
  if (impl_->options.echo) log(sql, {}, 0);  // a throwing logger: ~Transaction undoes the BEGIN
  return tx;
}

// An outer transaction that rolled back (or was destroyed) first has already
// ended every level inside it.
bool Database::Transaction::ended_by_outer() const { return depth_ >= lease_->database().impl_->tx_depth; }

void Database::Transaction::commit() {
  if (done_) throw InvalidArgument("commit(): the transaction has already finished");
  if (ended_by_outer()) {
    done_ = true;
    throw InvalidArgument("commit(): an enclosing transaction already rolled this one back");
  }
  Database& db = lease_->database();
  if (db.impl_->tx_depth != depth_ + 1)
    throw InvalidArgument("commit(): a transaction nested in this one is still open; finish it first");
  if (!lease_->connection().in_transaction()) {
    rollback();
    throw OperationalError("commit(): the database already rolled this transaction back; nothing was committed");
  }
  try {
    db.control(*lease_, depth_ == 0 ? "COMMIT" : fmt::format("RELEASE SAVEPOINT covet_sp_{}", depth_));
  } catch (...) {
    rollback();
    throw;
  }
  done_ = true;
  --db.impl_->tx_depth;
}

void Database::Transaction::rollback() {
  if (done_) return;
  done_ = true;
  if (ended_by_outer()) return;
  // Rolling back to this level also ends any level still open inside it.
  Database& db = lease_->database();
  db.impl_->tx_depth = depth_;
  if (!lease_->connection().in_transaction()) return;  // the engine already rolled everything back
  if (depth_ == 0) {
    db.control(*lease_, "ROLLBACK");
  } else {
    db.control(*lease_, fmt::format("ROLLBACK TO SAVEPOINT covet_sp_{}", depth_));
    db.control(*lease_, fmt::format("RELEASE SAVEPOINT covet_sp_{}", depth_));
  }
}

Database::Transaction::~Transaction() {
  if (done_ || !lease_) return;
  try {
    rollback();
  } catch (...) {
    // A rollback that fails leaves the connection to the engine's own recovery.
  }
}

// ---------------------------------------------------------------------- DDL
void Database::create_tables(const std::vector<const ModelInfo*>& models) {
  Transaction tx = transaction();
  Lease& lease = *tx.lease_;
  for (const ModelInfo* m : models)
    for (const std::string& sql : create_table_sql(dialect(), *m)) {
      lease.connection().execute_once(sql);
      if (echo()) log(sql, {}, 0);
    }
  tx.commit();
}

void Database::drop_tables(const std::vector<const ModelInfo*>& models) {
  Transaction tx = transaction();
  Lease& lease = *tx.lease_;
  lease.connection().clear_statement_cache();
  for (auto it = models.rbegin(); it != models.rend(); ++it) {
    std::string sql = drop_table_sql(dialect(), **it);
    lease.connection().execute_once(sql);
    if (echo()) log(sql, {}, 0);
  }
  tx.commit();
}

void Database::create_all() { create_tables(registered_models()); }
void Database::drop_all() { drop_tables(registered_models()); }

}  // namespace covet
