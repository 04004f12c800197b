// The SQLite driver: sqlite3 C API behind covet's Connection/Statement/Row.
#include <sqlite3.h>

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <filesystem>
#include <sys/stat.h>
#include <span>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/db/connection.hpp"
#include "db/sql_text.hpp"
#include "db/sqlite/sqlite_driver.hpp"
#include "db/text_forms.hpp"
#include "serial/text_format.hpp"

namespace covet {

namespace {

// Extended result codes by name, for messages a person can search for.
const char* code_name(int ext) {
  switch (ext) {
    case SQLITE_CONSTRAINT_CHECK: return "SQLITE_CONSTRAINT_CHECK";
    case SQLITE_CONSTRAINT_FOREIGNKEY: return "SQLITE_CONSTRAINT_FOREIGNKEY";
    case SQLITE_CONSTRAINT_NOTNULL: return "SQLITE_CONSTRAINT_NOTNULL";
    case SQLITE_CONSTRAINT_PRIMARYKEY: return "SQLITE_CONSTRAINT_PRIMARYKEY";
    case SQLITE_CONSTRAINT_UNIQUE: return "SQLITE_CONSTRAINT_UNIQUE";
    case SQLITE_CONSTRAINT_TRIGGER: return "SQLITE_CONSTRAINT_TRIGGER";
    case SQLITE_CONSTRAINT: return "SQLITE_CONSTRAINT";
    case SQLITE_BUSY: return "SQLITE_BUSY";
    case SQLITE_BUSY_SNAPSHOT: return "SQLITE_BUSY_SNAPSHOT";
    case SQLITE_LOCKED: return "SQLITE_LOCKED";
    case SQLITE_READONLY: return "SQLITE_READONLY";
    case SQLITE_IOERR: return "SQLITE_IOERR";
    case SQLITE_CORRUPT: return "SQLITE_CORRUPT";
    case SQLITE_FULL: return "SQLITE_FULL";
    case SQLITE_CANTOPEN: return "SQLITE_CANTOPEN";
    case SQLITE_TOOBIG: return "SQLITE_TOOBIG";
    case SQLITE_MISMATCH: return "SQLITE_MISMATCH";
    case SQLITE_ERROR: return "SQLITE_ERROR";
    default: return nullptr;
  }
}

// The SQLSTATE nearest to an SQLite (extended) result code, so that code
// handling errors can test the same value on every backend.
const char* sqlstate_of(int ext, std::string_view msg) {
  switch (ext) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY: return "23505";
    case SQLITE_CONSTRAINT_FOREIGNKEY: return "23503";
    case SQLITE_CONSTRAINT_NOTNULL: return "23502";
    case SQLITE_CONSTRAINT_CHECK: return "23514";
    case SQLITE_BUSY_SNAPSHOT: return "40001";
  }
  switch (ext & 0xFF) {
    case SQLITE_CONSTRAINT: return "23000";
    case SQLITE_BUSY: return "40001";    // the lock was not granted in time: retry the transaction
    case SQLITE_LOCKED: return "40P01";  // a conflict inside this process (shared cache)
    case SQLITE_READONLY: return "25006";
    case SQLITE_IOERR: return "58030";
    case SQLITE_FULL: return "53100";
    case SQLITE_NOMEM: return "53200";
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return "XX001";
    case SQLITE_CANTOPEN: return "08001";
    case SQLITE_TOOBIG: return "54000";
    case SQLITE_MISMATCH: return "42804";
    case SQLITE_RANGE: return "22023";
    case SQLITE_INTERRUPT: return "57014";
    case SQLITE_AUTH: return "42501";
    case SQLITE_ERROR:
      if (msg.starts_with("no such table")) return "42P01";
      if (msg.starts_with("no such column")) return "42703";
      if (msg.find("syntax error") != std::string_view::npos) return "42601";
      return "42000";
  }
  return "58000";
}

// Maps an SQLite extended result code to covet's error hierarchy.
[[noreturn]] void raise(sqlite3* db, int rc, const std::string& sql) {
  int ext = db ? sqlite3_extended_errcode(db) : rc;
  if ((ext & 0xFF) != (rc & 0xFF)) ext = rc;
  std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const char* name = code_name(ext);
  std::string code = std::to_string(ext);
  std::string state = sqlstate_of(ext, msg);
  std::string text = fmt::format("{} ({} {}, SQLSTATE {})", msg, name ? name : "SQLite error", ext, state);
  switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT: {
      std::string constraint;
      if (auto colon = msg.find(": "); colon != std::string::npos) constraint = msg.substr(colon + 2);
      throw IntegrityError(text, code, sql, constraint, state);
    }
    case SQLITE_BUSY:
      throw SerializationFailure(text + "; another connection holds the write lock longer than the busy timeout "
                                        "(URL option timeout): retry the transaction",
                                 code, sql, false, state);
    case SQLITE_LOCKED:
      throw DeadlockDetected(text, code, sql, false, state);
    case SQLITE_TOOBIG:
    case SQLITE_MISMATCH:
    case SQLITE_RANGE:
      throw DataError(text, code, sql, false, state);
    case SQLITE_ERROR:
    case SQLITE_MISUSE:
    case SQLITE_AUTH:
      throw ProgrammingError(text, code, sql, false, state);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_CANTOPEN:
      throw OperationalError(text, code, sql, true, state);
    default:
      throw OperationalError(text, code, sql, false, state);
  }
}

// covet_fold(text): Unicode case folding for the i-lookups (see sqlite_dialect.cpp).
void fold_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
  const char* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  std::string folded = casefold(std::string_view(p, static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text64(ctx, folded.data(), folded.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

class SqliteRow final : public Row {
 public:
  sqlite3_stmt* st = nullptr;

  void load(const MemberLoad* loads, std::size_t n, void* obj, const void* context) const override {
    load_cells(loads, n, obj, context);
  }
  void load_at(const MemberLoad* loads, std::size_t n, int first, void* obj, const void* context) const override {
    load_cells(loads, n, obj, context, first);
  }
  // The hydrator's hot loop: the cell reads inlined. A number read as 0 may
  // be NULL, so only then is the type looked up.
  [[gnu::always_inline]] inline void load_cells(const MemberLoad* loads, std::size_t n, void* obj,
                                                const void* context, int first = 0) const {
    using Op = MemberLoad::Op;
    char* base = static_cast<char*>(obj);
    for (std::size_t k = 0; k < n; ++k) {
      const MemberLoad& l = loads[k];
      const int i = static_cast<int>(k) + first;
      void* m = base + l.offset;
      switch (l.op) {
        case Op::Int64: {
          int64_t v = sqlite3_column_int64(st, i);
          if (v == 0 && sqlite3_column_type(st, i) == SQLITE_NULL) l.fail(context, l.field, 0, true);
          *static_cast<int64_t*>(m) = v;
          break;
        }
        case Op::Int32: {
          int64_t v = sqlite3_column_int64(st, i);
          if (v == 0 && sqlite3_column_type(st, i) == SQLITE_NULL) l.fail(context, l.field, 0, true);
          if (v < INT32_MIN || v > INT32_MAX) l.fail(context, l.field, v, false);
          *static_cast<int32_t*>(m) = static_cast<int32_t>(v);
          break;
        }
        case Op::Double: {
          double v = sqlite3_column_double(st, i);
          if (v == 0 && sqlite3_column_type(st, i) == SQLITE_NULL) l.fail(context, l.field, 0, true);
          *static_cast<double*>(m) = v;
          break;
        }
        case Op::Bool: {
          int64_t v = sqlite3_column_int64(st, i);
          if (v == 0 && sqlite3_column_type(st, i) == SQLITE_NULL) l.fail(context, l.field, 0, true);
          *static_cast<bool*>(m) = v != 0;
          break;
        }
        case Op::Text: {
          const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
          if (!p) {
            if (sqlite3_column_type(st, i) == SQLITE_NULL) l.fail(context, l.field, 0, true);
            p = "";
          }
          static_cast<std::string*>(m)->assign(p, static_cast<std::size_t>(sqlite3_column_bytes(st, i)));
          break;
        }
        case Op::DateTime:
        case Op::OptDateTime: {
          // The text forms covet stores, parsed inline; anything else (NULL,
          // unix seconds, other text forms, errors) through the generic
          // loader. A text that parses cannot have been a number, so the
          // column's type is not looked up first. The fallback looks it up
          // after sqlite3_column_text converted the cell: SQLite's docs call
          // that undefined, but its type table reports a number turned text
          // as the number (Hardening.StoredDatetimesOfEveryFormRead pins it).
          const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
          int64_t us;
          if (p && detail::parse_datetime_fast({p, static_cast<std::size_t>(sqlite3_column_bytes(st, i))}, us)) {
            if (l.op == Op::DateTime) *static_cast<DateTime*>(m) = DateTime::from_unix_micros(us);
            else *static_cast<std::optional<DateTime>*>(m) = DateTime::from_unix_micros(us);
            break;
          }
          l.generic(m, *this, i, context, l.field);
          break;
        }
        case Op::OptInt64:
        case Op::OptInt32:
        case Op::OptDouble:
        case Op::OptBool:
        case Op::OptText:
          load_optional(l, i, m, context);
          break;
        case Op::Generic:
          l.generic(m, *this, i, context, l.field);
          break;
        default:  // every Op is a case above: no range check before the jump table
          __builtin_unreachable();
      }
    }
  }
  void load_optional(const MemberLoad& l, int i, void* m, const void* context) const {
    using Op = MemberLoad::Op;
    bool null = sqlite3_column_type(st, i) == SQLITE_NULL;
    switch (l.op) {
      case Op::OptInt64: {
        auto& o = *static_cast<std::optional<int64_t>*>(m);
        if (null) o.reset();
        else o = sqlite3_column_int64(st, i);
        break;
      }
      case Op::OptInt32: {
        auto& o = *static_cast<std::optional<int32_t>*>(m);
        if (null) {
          o.reset();
          break;
        }
        int64_t v = sqlite3_column_int64(st, i);
        if (v < INT32_MIN || v > INT32_MAX) l.fail(context, l.field, v, false);
        o = static_cast<int32_t>(v);
        break;
      }
      case Op::OptDouble: {
        auto& o = *static_cast<std::optional<double>*>(m);
        if (null) o.reset();
        else o = sqlite3_column_double(st, i);
        break;
      }
      case Op::OptBool: {
        auto& o = *static_cast<std::optional<bool>*>(m);
        if (null) o.reset();
        else o = sqlite3_column_int64(st, i) != 0;
        break;
      }
      default: {
        auto& o = *static_cast<std::optional<std::string>*>(m);
        if (null) {
          o.reset();
          break;
        }
        const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        std::size_t len = static_cast<std::size_t>(sqlite3_column_bytes(st, i));
        if (o) o->assign(p ? p : "", len);
        else o.emplace(p ? p : "", len);
      }
    }
  }
  int column_count() const override { return sqlite3_column_count(st); }
  std::string_view column_name(int col) const override { return sqlite3_column_name(st, col); }
  bool is_null(int col) const override { return sqlite3_column_type(st, col) == SQLITE_NULL; }
  int64_t get_int(int col) const override { return sqlite3_column_int64(st, col); }
  double get_double(int col) const override { return sqlite3_column_double(st, col); }
  std::string_view get_text(int col) const override {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, col))) : std::string_view();
  }
  std::string_view get_blob(int col) const override {
    const char* p = static_cast<const char*>(sqlite3_column_blob(st, col));
    return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st, col))) : std::string_view();
  }
  Value get_value(int col) const override {
    switch (sqlite3_column_type(st, col)) {
      case SQLITE_INTEGER: return get_int(col);
      case SQLITE_FLOAT: return get_double(col);
      case SQLITE_TEXT: return std::string(get_text(col));
      case SQLITE_BLOB: return Bytes::from(get_blob(col));
      default: return Value();
    }
  }
  Decimal get_decimal(int col, int places) const override {
    // NUMERIC affinity stores exact-enough decimals as INTEGER or REAL.
    switch (sqlite3_column_type(st, col)) {
      case SQLITE_INTEGER: return Decimal(std::to_string(get_int(col))).quantize(places);
      case SQLITE_FLOAT: {
        // The shortest text that round-trips is the decimal that was stored
        // (at most 15 digits, see bind_decimal); then pad to the places.
        Decimal d(fmt::format("{}", get_double(col)));
        return places > 0 ? d.quantize(places) : d;
      }
      default: return text_forms::decimal(*this, col);
    }
  }
  bool get_bool(int col) const override { return sqlite3_column_int64(st, col) != 0; }
  Date get_date(int col) const override { return text_forms::date(*this, col); }
  Uuid get_uuid(int col) const override { return text_forms::uuid(*this, col); }
  Json get_json(int col) const override { return text_forms::json(*this, col); }
  Array get_array(int col) const override { return text_forms::array(*this, col); }
  // covet's stored forms copied with 'T' and 'Z' (the checks parsing
  // makes, no conversion); every other cell the general way.
  bool datetime_text(int col, char* out) const override {
    const char* p = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
    return p && detail::stored_datetime_to_rfc3339({p, static_cast<std::size_t>(sqlite3_column_bytes(st, col))}, out);
  }
  DateTime get_datetime(int col) const override {
    if (sqlite3_column_type(st, col) == SQLITE_INTEGER) {  // unix seconds, as strftime('%s') writes
      int64_t s = get_int(col);
      if (s < DateTime::kMinMicros / 1'000'000 || s > DateTime::kMaxMicros / 1'000'000)
        throw InvalidArgument("datetime out of range: " + std::to_string(s) + " seconds from the Unix epoch");
      return DateTime::from_unix_micros(s * 1'000'000);
    }
    return text_forms::datetime(get_text(col));
  }
};

bool is_dml(std::string_view sql) {
  std::string head = first_keyword(sql);
  return head == "INSERT" || head == "UPDATE" || head == "DELETE" || head == "REPLACE" || head == "WITH";
}

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* st, std::string sql) : Statement(std::move(sql)), db_(db), st_(st) {
    row_.st = st;
    dml_ = !sqlite3_stmt_readonly(st) && is_dml(Statement::sql());
  }
  ~SqliteStatement() override { sqlite3_finalize(st_); }

  void bind_null(int idx) override { check(sqlite3_bind_null(st_, idx)); }
  void bind_int(int idx, int64_t v) override { check(sqlite3_bind_int64(st_, idx, v)); }
  void bind_int32(int idx, int32_t v) override { check(sqlite3_bind_int(st_, idx, v)); }
  void bind_bool(int idx, bool v) override { check(sqlite3_bind_int(st_, idx, v ? 1 : 0)); }
  // SQLite has no date, UUID, JSON or array types: their text forms.
  void bind_date(int idx, const Date& v) override { text_forms::bind_date(*this, idx, v); }
  void bind_datetime(int idx, const DateTime& v) override { text_forms::bind_datetime(*this, idx, v); }
  void bind_uuid(int idx, const Uuid& v) override { text_forms::bind_uuid(*this, idx, v); }
  void bind_json(int idx, const Json& v) override { bind_text(idx, v.text()); }
  void bind_array(int idx, const Array& v) override { text_forms::bind_array(*this, idx, v); }
  void bind_blob_copy(int idx, std::string_view v) override {
    check(sqlite3_bind_blob64(st_, idx, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT));
  }
  void bind_double(int idx, double v) override {
    if (std::isnan(v)) throw DataError("SQLite cannot store NaN (it would become NULL); parameter " + std::to_string(idx), "", sql());
    check(sqlite3_bind_double(st_, idx, v));
  }
  void bind_text(int idx, std::string_view v) override {
    check(sqlite3_bind_text64(st_, idx, v.data() ? v.data() : "", v.size(), SQLITE_STATIC, SQLITE_UTF8));
  }
  void bind_text_copy(int idx, std::string_view v) override {
    check(sqlite3_bind_text64(st_, idx, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  }
  // SQLite keeps fractional values of decimal(p, s) columns as 64-bit
  // floats: more than 15 significant digits would come back rounded, so they
  // are refused (whole numbers are stored exactly as INTEGER).
  void bind_decimal(int idx, const Decimal& v) override {
    const std::string& t = v.to_string();
    std::string_view d = t;
    if (d.find('.') != std::string_view::npos) d = d.substr(0, d.find_last_not_of('0') + 1);  // 1.500 → 1.5
    std::size_t digits = 0;
    bool leading = true;
    for (char c : d) {
      if (c < '0' || c > '9') continue;
      leading = leading && c == '0';
      digits += !leading;
    }
    // Up to 18 digits always fit a 64-bit integer, either sign: kept exactly as INTEGER.
    bool whole_number = t.find('.') == std::string::npos && t.size() - (t[0] == '-') <= 18;
    if (digits > 15 && !whole_number)
      throw DataError(fmt::format("SQLite stores decimals as 64-bit floats; {} has {} significant digits and would "
                                  "be rounded (at most 15)", t, digits), "", sql());
    bind_text(idx, t);  // NUMERIC affinity stores it as INTEGER or REAL
  }
  // A compiled query's parameters: the common types bound here, the rest
  // through bind().
  void bind_values(const Value* values, std::size_t n) override {
    for (std::size_t i = 0; i < n; ++i) {
      const Value& v = values[i];
      const int idx = static_cast<int>(i) + 1;
      switch (v.type()) {
        // (The calls name this class: inlined, not virtual.)
        case Value::Type::Int: SqliteStatement::bind_int(idx, *v.get_if<int64_t>()); break;
        case Value::Type::Bool: SqliteStatement::bind_bool(idx, *v.get_if<bool>()); break;
        case Value::Type::String: SqliteStatement::bind_text(idx, *v.get_if<std::string>()); break;
        default: bind(idx, v);
      }
    }
  }
  // The binder's hot loop: one call per INSERT/UPDATE, the binds inlined.
  void bind_members(const MemberBind* binds, std::size_t n, const void* obj, int first, const void* context) override {
    bind_row(binds, n, obj, first, context);
  }
  int64_t insert_members(const MemberBind* binds, std::size_t n, const void* obj, const void* context, bool want_key,
                         bool returning) override {
    bind_row(binds, n, obj, 1, context);
    int64_t key = 0;
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) {  // RETURNING
      if (want_key && returning) key = sqlite3_column_int64(st_, 0);
      while ((rc = sqlite3_step(st_)) == SQLITE_ROW) {
      }
    }
    if (rc != SQLITE_DONE) [[unlikely]] {
      sqlite3_reset(st_);
      raise(db_, rc, sql());
    }
    if (want_key && !returning) key = sqlite3_last_insert_rowid(db_);
    changes_ = 1;  // the one row of save()'s INSERT ... VALUES
    sqlite3_reset(st_);
    return key;
  }

 private:
  // The members' values straight into sqlite3_bind_*.
  [[gnu::always_inline]] inline void bind_row(const MemberBind* binds, std::size_t n, const void* obj, int first, const void* context) {
    using Op = MemberLoad::Op;
    const char* base = static_cast<const char*>(obj);
    for (std::size_t k = 0; k < n; ++k) {
      const MemberBind& b = binds[k];
      const int idx = first + static_cast<int>(k);
      const void* m = base + b.offset;
      int rc;
      switch (b.op) {
        case Op::Int64: rc = sqlite3_bind_int64(st_, idx, *static_cast<const int64_t*>(m)); break;
        case Op::Int32: rc = sqlite3_bind_int64(st_, idx, *static_cast<const int32_t*>(m)); break;
        case Op::Bool: rc = sqlite3_bind_int64(st_, idx, *static_cast<const bool*>(m) ? 1 : 0); break;
        case Op::Text: {
          const auto& s = *static_cast<const std::string*>(m);
          // sqlite3_bind_text (int length) takes a shorter path than _text64.
          rc = s.size() <= INT32_MAX ? sqlite3_bind_text(st_, idx, s.data(), static_cast<int>(s.size()), SQLITE_STATIC)
                                     : sqlite3_bind_text64(st_, idx, s.data(), s.size(), SQLITE_STATIC, SQLITE_UTF8);
          break;
        }
        case Op::Double: bind_double(idx, *static_cast<const double*>(m)); continue;  // refuses NaN
        case Op::Generic:
        case Op::OptInt64:
        case Op::OptInt32:
        case Op::OptDouble:
        case Op::OptBool:
        case Op::OptText:
        case Op::DateTime:
        case Op::OptDateTime: b.generic(m, *this, idx, context, b.field); continue;
        default: __builtin_unreachable();  // every Op is a case: no range check before the jump
      }
      if (rc != SQLITE_OK) [[unlikely]]
        raise(db_, rc, sql());
    }
  }

 public:
  void bind_blob(int idx, std::string_view v) override {
    check(sqlite3_bind_blob64(st_, idx, v.data() ? v.data() : "", v.size(), SQLITE_STATIC));
  }

  bool step() override {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) {
      // sqlite3_changes64 still holds the last INSERT/UPDATE/DELETE's count
      // after any other statement: those changed nothing.
      changes_ = dml_ ? sqlite3_changes64(db_) : 0;
      return false;
    }
    sqlite3_reset(st_);
    raise(db_, rc, sql());
  }
  const Row& row() const override { return row_; }
  // A result that has reached its LIMIT is not stepped again: that last
  // step (which only reports SQLITE_DONE) costs about as much as reading a
  // row, and the reset that follows ends the statement either way.
  // Aligned to a cache line: where its per-row loop falls is then the same
  // whatever code comes before it in the binary (a 16-byte shift moved
  // sqlite.hydrate_100k by 2-4 points).
  [[gnu::aligned(64)]] void load_rows(const MemberLoad* loads, std::size_t n, const void* context,
                                      ObjectSink& sink) override {
    for (int64_t left = sink.max_rows; left > 0 && step(); --left) {
      sink.last = sink.next(sink.state, row_);
      row_.load_cells(loads, n, sink.last, context);
    }
  }
  // Every run binds every parameter again, so the bindings need no clearing.
  void reset() override { sqlite3_reset(st_); }
  int64_t rows_affected() const override { return changes_; }
  int parameter_count() const override { return sqlite3_bind_parameter_count(st_); }
  int64_t generated_key() const override { return sqlite3_last_insert_rowid(db_); }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) raise(db_, rc, sql());
  }
  sqlite3* db_;
  sqlite3_stmt* st_;
  SqliteRow row_;
  int64_t changes_ = 0;
  bool dml_ = false;  // INSERT / UPDATE / DELETE / REPLACE (possibly after WITH)
};

class SqliteConnection final : public Connection {
 public:
  explicit SqliteConnection(const Url& url) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    if (auto it = url.query.find("mode"); it != url.query.end()) {  // SQLite's own URI spellings
      if (it->second == "ro") flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX;
      else if (it->second == "rw") flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
      else if (it->second != "rwc")
        throw ConfigurationError("SQLite URL option mode must be ro, rw or rwc, not '" + it->second + "'");
    }
    // A relative path that starts with "file:" would be read as an SQLite URI
    // (with its own ?options) where URIs are enabled: "./" keeps it a path.
    std::string path = url.database.starts_with("file:") ? "./" + url.database : url.database;
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
      sqlite3_close(db_);
      db_ = nullptr;
      throw OperationalError(fmt::format("cannot open SQLite database '{}': {}", url.database, msg), std::to_string(rc), "", true);
    }
    sqlite3_extended_result_codes(db_, 1);
    path_ = url.database == ":memory:" ? std::string() : path;
    if (!path_.empty()) file_id_ = file_id(path_);
    try {
      configure(url, (flags & SQLITE_OPEN_READONLY) != 0);
    } catch (...) {
      sqlite3_close_v2(db_);
      throw;
    }
  }

  // URL options: ?timeout=<ms> (busy timeout, default 5000),
  // ?transaction_mode=deferred|immediate|exclusive (default immediate).
  void configure(const Url& url, bool readonly) {
    int timeout_ms = 5000;
    if (auto it = url.query.find("timeout"); it != url.query.end()) {
      const std::string& t = it->second;
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), timeout_ms);
      if (ec != std::errc() || p != t.data() + t.size() || timeout_ms < 0)
        throw ConfigurationError("SQLite URL option timeout must be milliseconds, not '" + t + "'");
    }
    if (auto it = url.query.find("transaction_mode"); it != url.query.end()) {
      if (it->second == "deferred") begin_ = "BEGIN DEFERRED";
      else if (it->second == "exclusive") begin_ = "BEGIN EXCLUSIVE";
      else if (it->second != "immediate")
        throw ConfigurationError("SQLite URL option transaction_mode must be deferred, immediate or exclusive");
    }
    sqlite3_busy_timeout(db_, timeout_ms);
    sqlite3_create_function_v2(db_, "covet_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                               &fold_function, nullptr, nullptr, nullptr);
    execute_once("PRAGMA foreign_keys = ON");
    if (url.database != ":memory:" && !readonly) {
      execute_once("PRAGMA journal_mode = WAL");
      execute_once("PRAGMA synchronous = NORMAL");
    }
  }
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() override {
    clear_statement_cache();
    sqlite3_close_v2(db_);
  }

  const Dialect& dialect() const override { return sqlite_dialect(); }

  // Besides a round trip, checks that the file at the path is still the one
  // this connection has open: a database file replaced or deleted behind the
  // pool's back (a restore, a move) would otherwise be read from a stale,
  // unlinked file for as long as the connection lives.
  bool ping() noexcept override {
    if (!path_.empty() && file_id(path_) != file_id_) return false;
    return Connection::ping();
  }

  bool in_transaction() const override { return sqlite3_get_autocommit(db_) == 0; }
  int max_parameters() const override { return sqlite3_limit(db_, SQLITE_LIMIT_VARIABLE_NUMBER, -1); }
  // SQLite transactions are serializable at every level; a read-only one
  // starts DEFERRED (it takes no write lock).
  std::string begin_statement(const TransactionOptions& o) const override { return o.read_only ? "BEGIN DEFERRED" : begin_; }

 protected:
  std::unique_ptr<Statement> prepare(const std::string& sql) override {
    // SQLite reads text up to a NUL: what follows one would be silently dropped.
    if (sql.find('\0') != std::string::npos)
      throw ProgrammingError("the SQL text holds a NUL byte; values belong in parameters", "", sql);
    sqlite3_stmt* st = nullptr;
    const char* tail = nullptr;
    // Not SQLITE_PREPARE_PERSISTENT, though statements are cached: that hint
    // keeps a statement off the connection's lookaside memory (measured: a
    // single-row INSERT 3-4% slower with it).
    int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), 0, &st, &tail);
    if (rc != SQLITE_OK) raise(db_, rc, sql);
    if (!st) throw ProgrammingError("empty SQL statement", "", sql);
    if (holds_another_statement(tail)) {
      sqlite3_finalize(st);
      throw ProgrammingError("one statement at a time: the SQL holds more than one statement", "", sql);
    }
    return std::make_unique<SqliteStatement>(db_, st, sql);
  }

 private:
  // True when the text after the first statement holds another statement;
  // blanks, semicolons and comments ("SELECT 1; -- done") do not count.
  bool holds_another_statement(const char* tail) {
    while (tail && *tail) {
      sqlite3_stmt* next = nullptr;
      const char* rest = nullptr;
      int rc = sqlite3_prepare_v3(db_, tail, -1, 0, &next, &rest);
      if (next) {
        sqlite3_finalize(next);
        return true;
      }
      if (rc != SQLITE_OK) return true;  // not a comment or blank: refuse rather than guess
      if (rest == tail) break;
      tail = rest;
    }
    return false;
  }

  static std::pair<uint64_t, uint64_t> file_id(const std::string& path) noexcept {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return {0, 0};
    return {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
  }

  sqlite3* db_ = nullptr;
  std::string begin_ = "BEGIN IMMEDIATE";
  std::string path_;  // empty for :memory:
  std::pair<uint64_t, uint64_t> file_id_{0, 0};
};

class SqliteDriver final : public Driver {
 public:
  std::unique_ptr<Connection> connect(const Url& url) override { return std::make_unique<SqliteConnection>(url); }
  const Dialect& dialect() const override { return sqlite_dialect(); }
  bool single_connection(const Url& url) const override { return url.database == ":memory:"; }
  // Relative paths are resolved once, when the Database is made: a pool
  // opens connections later, and a changed working directory must not
  // point them at another file.
  Url normalize(Url url) const override {
    if (url.database != ":memory:" && !url.database.empty() && url.database[0] != '/')
      url.database = std::filesystem::absolute(url.database).lexically_normal().string();
    return url;
  }
  std::span<const std::string_view> url_options() const override {
    static constexpr std::string_view kOptions[] = {"mode", "timeout", "transaction_mode"};
    return kOptions;
  }
};

}  // namespace

Driver& sqlite_driver() {
  static SqliteDriver d;
  return d;
}

}  // namespace covet
