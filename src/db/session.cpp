#include "covet/db/session.hpp"

#include "covet/db/cache.hpp"

#include <fmt/format.h>

#include <chrono>

#include "covet/core/error.hpp"
#include "db/sql_text.hpp"
#include "db/state.hpp"

namespace covet {

// ------------------------------------------------------------ SessionState
namespace detail {
void SessionState::throw_ended(const char* what) {
  throw UsageError(fmt::format("{} has ended: its connection went back to the pool", what));
}

void SessionState::end() noexcept {
  if (!entry) return;
  PoolEntry* e = entry;
  entry = nullptr;
  open_tx.clear();
  e->pool->checkin(e);  // rolls back whatever is still open
}
}  // namespace detail

// ------------------------------------------------------------------- Lease
Lease::Lease(const detail::DatabaseState* db, Connection* conn, detail::PoolEntry* owned)
    : db_(db), dialect_(db->dialect), conn_(conn), owned_(owned) {}

Lease::~Lease() {
  if (owned_) owned_->pool->checkin(owned_);
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
  void bind_int32(int i, int32_t v) override { note(i, std::to_string(v)), t_.bind_int32(i, v); }
  void bind_blob_copy(int i, std::string_view v) override { note(i, fmt::format("<{} bytes>", v.size())), t_.bind_blob_copy(i, v); }
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

// Every parameter is bound on every run (bindings are not cleared between
// runs), so a list of the wrong length is refused instead of reusing or
// nulling the missing ones.
void check_param_count(Statement& st, std::size_t given) {
  if (static_cast<std::size_t>(st.parameter_count()) != given)
    throw ProgrammingError(fmt::format("the statement takes {} parameters, {} given", st.parameter_count(), given), "",
                           st.sql());
}

void check_not_rolled_back(Connection& c, const std::string& sql) {
  if (c.may_have_been_rolled_back() && c.transaction_depth() > 0 && !c.in_transaction())
    throw OperationalError("the database rolled back the open transaction (after an I/O error, a full disk or a lock "
                           "timeout); roll it back before running more statements, or they would commit on their own",
                           "", sql);
}

// Runs `work` on `c`: a DatabaseError on the way marks the connection
// (broken when the error poisons it, so it never goes back to the pool)
// and goes on to the caller.
template <class Work>
auto guarded(Connection& c, Work&& work) {
  try {
    return work();
  } catch (const DatabaseError& e) {
    if (e.poisons_connection()) c.mark_broken();
    c.note_failure();
    throw;
  }
}

// Runs one statement: binds it, hands it to `consume` (which steps through
// its rows), logs it when echo is on.
int64_t run_statement(const detail::DatabaseState& db, Connection& c, const std::string& sql,
                      FunctionRef<void(Binder&)> bind, FunctionRef<void(Statement&)> consume,
                      const std::vector<Value>* params, FunctionRef<void(int64_t)>* on_key = nullptr,
                      bool static_sql = false) {
  check_not_rolled_back(c, sql);
  return guarded(c, [&]() -> int64_t {
    StatementHandle st = static_sql ? c.statement_for_static_sql(sql) : c.statement(sql);
    if (params) check_param_count(*st, params->size());
    if (!db.options.echo) {
      bind(*st);
      consume(*st);
      if (on_key) (*on_key)(st->generated_key());
      return st->rows_affected();
    }
    std::vector<std::string> shown;
    auto start = std::chrono::steady_clock::now();
    RecordingBinder rec(*st, shown);
    bind(rec);
    try {
      consume(*st);
    } catch (...) {
      db.log(sql + "  -- failed", shown, elapsed_ns(start));
      throw;
    }
    db.log(sql, shown, elapsed_ns(start));
    if (on_key) (*on_key)(st->generated_key());
    return st->rows_affected();
  });
}

int64_t run_on(const detail::DatabaseState& db, Connection& c, const std::string& sql, FunctionRef<void(Binder&)> bind,
               FunctionRef<void(const Row&)> on_row, const std::vector<Value>* params,
               FunctionRef<void(int64_t)>* on_key = nullptr, bool static_sql = false) {
  return run_statement(
      db, c, sql, bind,
      [&](Statement& st) {
        while (st.step()) on_row(st.row());
      },
      params, on_key, static_sql);
}

// Lease::insert_members without echo, on `c` (a lease's or a session's).
void insert_on(const detail::DatabaseState& db, Connection& c, const std::string& static_sql, const MemberBind* binds,
               std::size_t n, const void* obj, const void* context, int64_t* key) {
  check_not_rolled_back(c, static_sql);
  guarded(c, [&] {
    StatementHandle st = c.statement_for_static_sql(static_sql);
    const int64_t k = st->insert_members(binds, n, obj, context, key != nullptr, db.returning_keys);
    st.mark_reset();
    if (key) *key = k;
  });
}
}  // namespace

int64_t Lease::run(const std::string& sql, FunctionRef<void(Binder&)> bind, FunctionRef<void(const Row&)> on_row,
                   bool static_sql) {
  return run_on(*db_, *conn_, sql, bind, on_row, nullptr, nullptr, static_sql);
}

int64_t Lease::run_insert(const std::string& sql, FunctionRef<void(Binder&)> bind, FunctionRef<void(int64_t)> on_key,
                          bool static_sql) {
  if (db_->returning_keys)
    return run_on(*db_, *conn_, sql, bind, [&](const Row& row) { on_key(row.get_int(0)); }, nullptr, nullptr,
                  static_sql);
  return run_on(*db_, *conn_, sql, bind, [](const Row&) {}, nullptr, &on_key, static_sql);
}

void Lease::insert_members(const std::string& static_sql, const MemberBind* binds, std::size_t n, const void* obj,
                           const void* context, int64_t* key) {
  if (db_->options.echo) {  // the general runner logs it
    run_insert(
        static_sql, [&](Binder& b) { b.bind_members(binds, n, obj, 1, context); },
        [&](int64_t k) {
          if (key) *key = k;
        },
        true);
    return;
  }
  insert_on(*db_, *conn_, static_sql, binds, n, obj, context, key);
}

int64_t Lease::run(const std::string& sql, const std::vector<Value>& params, FunctionRef<void(const Row&)> on_row) {
  return run_on(
      *db_, *conn_, sql, [&](Binder& b) { b.bind_values(params.data(), params.size()); }, on_row, &params);
}

bool Lease::copy_rows(const std::string& target, const std::string& insert_sql, std::size_t rows,
                      FunctionRef<void(Binder&, std::size_t)> bind, FunctionRef<void(std::size_t)> sent) {
  Connection& c = *conn_;
  check_not_rolled_back(c, insert_sql);
  auto start = std::chrono::steady_clock::now();
  const bool done = guarded(c, [&] { return c.copy_rows(target, insert_sql, rows, bind, sent); });
  if (done && db_->options.echo)
    db_->log(fmt::format("COPY {} FROM STDIN (FORMAT binary)  -- {} rows", target, rows), {}, elapsed_ns(start));
  return done;
}

namespace {
// A call to the driver about the key's sequence, guarded, and logged as
// line() (its SQL) when echo is on and it found what it was asked for.
template <class Call, class Line>
bool sequence_call(const detail::DatabaseState& db, Connection& c, const char* what, Call&& call, Line&& line) {
  check_not_rolled_back(c, what);
  auto start = std::chrono::steady_clock::now();
  const bool found = guarded(c, std::forward<Call>(call));
  if (found && db.options.echo) db.log(line(), {}, elapsed_ns(start));
  return found;
}
}  // namespace

bool Lease::reserve_keys(const std::string& table, const std::string& column, std::size_t n, std::vector<int64_t>& keys) {
  return sequence_call(
      *db_, *conn_, "nextval", [&] { return conn_->reserve_keys(table, column, n, keys); },
      [&] { return fmt::format("SELECT nextval(pg_get_serial_sequence('{}', '{}'))  -- {} keys", table, column, n); });
}

bool Lease::sequence_position(const std::string& table, const std::string& column, int64_t& key) {
  return sequence_call(
      *db_, *conn_, "pg_sequence_last_value", [&] { return conn_->sequence_position(table, column, key); },
      [&] { return fmt::format("SELECT pg_sequence_last_value(pg_get_serial_sequence('{}', '{}'))", table, column); });
}

bool Lease::last_drawn_key(const std::string& table, const std::string& column, int64_t& key) {
  return sequence_call(
      *db_, *conn_, "currval", [&] { return conn_->last_drawn_key(table, column, key); },
      [&] { return fmt::format("SELECT currval(pg_get_serial_sequence('{}', '{}'))", table, column); });
}

int64_t Lease::run_consuming(const std::string& sql, const std::vector<Value>& params,
                             FunctionRef<void(Statement&)> consume) {
  // Compiled SQL has one placeholder per parameter by construction: the
  // count is not checked again (it is for raw SQL).
  return run_statement(
      *db_, *conn_, sql, [&](Binder& b) { b.bind_values(params.data(), params.size()); }, consume, nullptr);
}

StatementHandle Lease::open(const std::string& sql, const std::vector<Value>& params) {
  check_not_rolled_back(*conn_, sql);
  StatementHandle st = conn_->statement(sql);
  check_param_count(*st, params.size());
  st->stream();  // a cursor: rows as they come, never the whole result first
  if (!db_->options.echo) {
    for (std::size_t i = 0; i < params.size(); ++i) st->bind(static_cast<int>(i) + 1, params[i]);
    return st;
  }
  std::vector<std::string> shown;
  RecordingBinder rec(*st, shown);
  for (std::size_t i = 0; i < params.size(); ++i) rec.bind(static_cast<int>(i) + 1, params[i]);
  db_->log(sql + "  -- cursor", shown, 0);
  return st;
}

ExecResult Lease::execute(std::string_view sql, const std::vector<Value>& params) {
  // Raw SQL that writes drops the cached results of the tables it names.
  struct Invalidate {
    std::string_view sql;
    ~Invalidate() {
      if (detail::query_cache_used() && access_of_sql(sql) != Access::Read) detail::invalidate_tables_named_in(sql);
    }
  } invalidate{sql};
  // Raw SQL may end the transaction itself (ROLLBACK, COMMIT): the next
  // statement asks the engine whether one is still open.
  struct Suspect {
    Connection& c;
    ~Suspect() { c.note_failure(); }
  } suspect{*conn_};
  ExecResult out;
  std::shared_ptr<std::vector<std::string>> names;
  out.rows_affected = run(std::string(sql), params, [&](const Row& row) {
    int n = row.column_count();
    if (!names) {
      names = std::make_shared<std::vector<std::string>>();
      for (int i = 0; i < n; ++i) names->emplace_back(row.column_name(i));
    }
    std::vector<Value> vals;
    vals.reserve(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      try {
        vals.push_back(row.get_value(i));
      } catch (const InvalidArgument& e) {  // a value covet has no form for (PostgreSQL's infinity timestamps)
        throw DataError(fmt::format("column '{}': the value cannot be read: {}", (*names)[static_cast<std::size_t>(i)], e.what()));
      }
    }
    out.rows.emplace_back(names, std::move(vals));
  });
  return out;
}

// ---------------------------------------------------------------- Executor
Executor::Executor(const Database& db) : db_(db.state().get()) {}
Executor::Executor(const Session& s) : session_(s.state_.get()) {
  if (!session_) throw UsageError("this Session was moved from");
  db_ = session_->db.get();
}
void Transaction::throw_unusable() const {
  if (!session_) throw UsageError("this Transaction was moved from");
  throw UsageError("this transaction has already finished");
}

uint64_t Executor::database_id() const { return db_->id; }

std::shared_ptr<const void> Executor::keep_alive() const {
  if (session_) return session_->shared_from_this();
  return db_->shared_from_this();
}

Access access_of_sql(std::string_view sql) {
  std::string head = first_keyword(sql);
  // A WITH may hold a data-changing statement: it counts as a write.
  if (head == "SELECT" || head == "VALUES" || head == "SHOW" || head == "TABLE" || head == "EXPLAIN")
    return Access::ReadPrimary;
  return Access::Write;
}

namespace {
int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

bool Executor::replica_failed(const Lease& lease) const {
  if (lease.db_ == db_) return false;
  lease.db_->down_until_ns.store(steady_ns() + std::chrono::nanoseconds(db_->options.replica_retry).count(),
                                 std::memory_order_relaxed);
  return true;
}

// Inline: lease() and insert_members' one frame (only this file calls it).
[[gnu::always_inline]] inline Connection& Executor::session_connection() const {
  Connection& c = session_->connection(tx_id_ ? "the transaction" : "the session");
  if (tx_id_) {
    const auto& open = session_->open_tx;
    auto lvl = static_cast<std::size_t>(tx_level_);
    if (lvl >= open.size() || open[lvl] != tx_id_)
      throw UsageError("the transaction this call was made from has finished (committed or rolled back): its "
                       "QuerySets and objects(tx) calls cannot run any more");
  }
  return c;
}

Lease Executor::lease(Access access) const {
  if (access == Access::Write && db_->options.readonly)
    throw ReadOnlyError(fmt::format("{} is read-only (readonly=true{}): INSERT, UPDATE, DELETE and DDL are refused",
                                    db_->url.redacted(), db_->replicas.empty() ? "" : ", or a replica"));
  if (!session_) {
    // A read outside a transaction: the replicas in turn, skipping those
    // that failed lately; the primary when none can serve it.
    if (access == Access::Read && !db_->replicas.empty()) {
      const std::size_t n = db_->replicas.size();
      const int64_t now = steady_ns();
      for (std::size_t tries = 0; tries < n; ++tries) {
        detail::DatabaseState* r =
            db_->replicas[db_->next_replica.fetch_add(1, std::memory_order_relaxed) % n].get();
        if (r->down_until_ns.load(std::memory_order_relaxed) > now) continue;
        try {
          detail::PoolEntry* e = r->pool->checkout();
          return Lease(r, e->conn.get(), e);
        } catch (const OperationalError&) {  // cannot connect: skip it for a while
          r->down_until_ns.store(now + std::chrono::nanoseconds(db_->options.replica_retry).count(),
                                 std::memory_order_relaxed);
        } catch (const PoolTimeout&) {
        }
      }
    }
    detail::PoolEntry* e = db_->pool->checkout();
    return Lease(db_, e->conn.get(), e);
  }
  return Lease(db_, &session_connection(), nullptr);
}

namespace {
[[gnu::noinline]] void leased_insert(const Executor& ex, const std::string& static_sql, const MemberBind* binds,
                                     std::size_t n, const void* obj, const void* context, int64_t* key) {
  ex.lease(Access::Write).insert_members(static_sql, binds, n, obj, context, key);
}
}  // namespace

// Flattened: one frame from here to the driver's insert_members (GCC left
// the guard's lambda and the connection check as calls of their own).
[[gnu::flatten]] void Executor::insert_members(const std::string& static_sql, const MemberBind* binds, std::size_t n,
                                               const void* obj, const void* context, int64_t* key) const {
  if (!session_ || db_->options.echo || db_->options.readonly)  // a pooled connection, a log line or the refusal
    return leased_insert(*this, static_sql, binds, n, obj, context, key);
  insert_on(*db_, session_connection(), static_sql, binds, n, obj, context, key);
}

const Dialect& Executor::dialect() const { return *db_->dialect; }

// ------------------------------------------------------------- Transaction
namespace {
// BEGIN / SAVEPOINT / COMMIT run as cached prepared statements (save() of an
// object with a key opens a transaction per call).
void control(const detail::SessionState& s, Connection& c, const std::string& sql, bool log_it = true) {
  try {
    StatementHandle st = c.statement(sql);
    while (st->step()) {
    }
  } catch (const DatabaseError& e) {
    if (e.poisons_connection()) c.mark_broken();  // lost during BEGIN/COMMIT: never back to the pool
    c.note_failure();
    throw;
  }
  if (log_it && s.db->options.echo) s.db->log(sql, {}, 0);
}

std::string savepoint_name(int level) { return fmt::format("covet_sp_{}", level); }
}  // namespace

Transaction::Transaction(std::shared_ptr<detail::SessionState> s, int level, bool owns_session)
    : session_(std::move(s)), db_(session_ ? session_->db.get() : nullptr), level_(level), owns_session_(owns_session) {}

Transaction::Transaction(Transaction&& o) noexcept
    : session_(std::move(o.session_)), db_(o.db_), level_(o.level_), owns_session_(o.owns_session_), done_(o.done_),
      id_(o.id_) {
  o.done_ = true;
}

Transaction Database::transaction(TransactionOptions options) {
  const auto& st = state();
  auto s = std::make_shared<detail::SessionState>(st, st->pool->checkout());
  return Session::begin(std::move(s), options, true);
}

Transaction Session::transaction(TransactionOptions options) {
  if (!state_) throw UsageError("this Session was moved from");
  return begin(state_, options, false);
}

Transaction Session::begin(std::shared_ptr<detail::SessionState> s, const TransactionOptions& options,
                           bool owns_session) {
  Connection& c = s->connection("the session");
  int level = c.transaction_depth();
  if (level > 0 && !c.in_transaction())
    throw OperationalError("the database already rolled back the enclosing transaction (after an I/O error, a full "
                           "disk or a lock timeout); roll it back and start again");
  std::string sql = level == 0 ? c.begin_statement(options) : "SAVEPOINT " + savepoint_name(level);
  control(*s, c, sql, false);  // if BEGIN fails, nothing is ours to undo
  c.set_transaction_depth(level + 1);
  uint64_t id = s->next_tx_id++;
  s->open_tx.push_back(id);
  Transaction tx(std::move(s), level, owns_session);
  tx.id_ = id;
  if (tx.session_->db->options.echo) tx.session_->db->log(sql, {}, 0);  // a throwing logger: ~Transaction undoes it
  return tx;
}

Transaction Executor::transaction(TransactionOptions options) const {
  if (!session_)
    return Session::begin(std::make_shared<detail::SessionState>(db_->shared_from_this(), db_->pool->checkout()), options,
                          true);
  lease();  // the session or transaction must still be open
  return Session::begin(session_->shared_from_this(), options, false);
}

Transaction Transaction::transaction() {
  if (!active()) throw UsageError("transaction(): this transaction has already finished");
  return Session::begin(session_, {}, false);
}

bool Transaction::active() const {
  if (done_ || !session_ || !session_->entry) return false;
  return !ended_by_outer();
}

// An outer transaction that rolled back (or was destroyed) first has already
// ended every level inside it.
bool Transaction::ended_by_outer() const {
  return static_cast<std::size_t>(level_) >= session_->open_tx.size();
}

void Transaction::finish() noexcept {
  done_ = true;
  if (owns_session_) session_->end();
}

void Transaction::commit() {
  if (done_ || !session_) throw UsageError("commit(): the transaction has already finished");
  Connection& c = session_->connection("the transaction");
  if (ended_by_outer()) {
    finish();
    throw UsageError("commit(): an enclosing transaction already rolled this one back");
  }
  if (c.transaction_depth() != level_ + 1)
    throw UsageError("commit(): a transaction nested in this one is still open; finish it first");
  if (!c.in_transaction()) {
    rollback();
    throw OperationalError("commit(): the database already rolled this transaction back; nothing was committed");
  }
  try {
    control(*session_, c, level_ == 0 ? std::string("COMMIT") : "RELEASE SAVEPOINT " + savepoint_name(level_));
  } catch (...) {
    rollback();
    throw;
  }
  c.set_transaction_depth(level_);
  session_->open_tx.resize(static_cast<std::size_t>(level_));
  finish();
}

void Transaction::rollback() {
  if (done_ || !session_) return;
  if (!session_->entry || ended_by_outer()) return finish();
  // Rolling back to this level also ends any level still open inside it.
  Connection& c = session_->connection("the transaction");
  c.set_transaction_depth(level_);
  session_->open_tx.resize(static_cast<std::size_t>(level_));
  try {
    if (c.in_transaction()) {  // else the engine already rolled everything back
      if (level_ == 0) {
        control(*session_, c, "ROLLBACK");
      } else {
        control(*session_, c, "ROLLBACK TO SAVEPOINT " + savepoint_name(level_));
        control(*session_, c, "RELEASE SAVEPOINT " + savepoint_name(level_));
      }
    }
  } catch (...) {
    c.mark_broken();  // a connection that cannot roll back is not handed out again
    finish();
    throw;
  }
  finish();
}

Transaction::~Transaction() {
  if (done_ || !session_) return;
  try {
    rollback();
  } catch (...) {
    // The connection was marked broken; the pool closes it.
  }
}

ExecResult Transaction::execute(std::string_view sql, const std::vector<Value>& params) {
  return Executor(*this).lease(access_of_sql(sql)).execute(sql, params);
}

// ----------------------------------------------------------------- Session
Session::~Session() { close(); }

void Session::close() {
  if (state_) state_->end();
}

ExecResult Session::execute(std::string_view sql, const std::vector<Value>& params) {
  return Executor(*this).lease(access_of_sql(sql)).execute(sql, params);
}

}  // namespace covet
