// The PostgreSQL driver: libpq behind covet's Connection/Statement/Row.
//
// Statements are prepared on the server once per connection (named
// covet_<n>, DEALLOCATEd when the connection's cache drops them) and
// described once, so each parameter is encoded for the type the server
// inferred for it (an int4 column gets 4 bytes, a numeric one text) and
// results come back in binary when every column's type is one covet
// decodes (otherwise in text, parsed the same way). Binary forms: integers
// and floats big-endian, dates as days and timestamps as microseconds from
// 2000-01-01, uuid as 16 bytes, jsonb with its version byte, numeric as
// base-10000 digits, arrays with their element type.
#include <libpq-fe.h>

#include <fmt/format.h>

#include <array>
#include <bit>
#include <charconv>
#include <cctype>
#include <cmath>
#include <cstring>
#include <optional>
#include <span>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/db/connection.hpp"
#include "db/postgres/pg_driver.hpp"
#include "serial/text_format.hpp"
#include "db/sql_text.hpp"

namespace covet {

const Dialect& postgres_dialect();

namespace {

// ------------------------------------------------------------ type OIDs
namespace oid {
constexpr Oid kBool = 16, kBytea = 17, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26,
              kJson = 114, kFloat4 = 700, kFloat8 = 701, kUnknown = 705, kBpchar = 1042, kVarchar = 1043,
              kDate = 1082, kTimestamp = 1114, kTimestamptz = 1184, kNumeric = 1700, kUuid = 2950, kJsonb = 3802;
constexpr Oid kBoolArray = 1000, kInt2Array = 1005, kInt4Array = 1007, kTextArray = 1009, kVarcharArray = 1015,
              kInt8Array = 1016, kFloat4Array = 1021, kFloat8Array = 1022, kDateArray = 1182,
              kTimestampArray = 1115, kTimestamptzArray = 1185, kNumericArray = 1231, kUuidArray = 2951,
              kJsonbArray = 3807, kJsonArray = 199, kByteaArray = 1001;
}  // namespace oid

Oid element_of(Oid array) {
  switch (array) {
    case oid::kBoolArray: return oid::kBool;
    case oid::kInt2Array: return oid::kInt2;
    case oid::kInt4Array: return oid::kInt4;
    case oid::kInt8Array: return oid::kInt8;
    case oid::kTextArray: return oid::kText;
    case oid::kVarcharArray: return oid::kVarchar;
    case oid::kFloat4Array: return oid::kFloat4;
    case oid::kFloat8Array: return oid::kFloat8;
    case oid::kDateArray: return oid::kDate;
    case oid::kTimestampArray: return oid::kTimestamp;
    case oid::kTimestamptzArray: return oid::kTimestamptz;
    case oid::kNumericArray: return oid::kNumeric;
    case oid::kUuidArray: return oid::kUuid;
    case oid::kJsonbArray: return oid::kJsonb;
    case oid::kJsonArray: return oid::kJson;
    case oid::kByteaArray: return oid::kBytea;
    default: return 0;
  }
}

bool is_text_type(Oid t) {
  return t == oid::kText || t == oid::kVarchar || t == oid::kBpchar || t == oid::kName || t == oid::kUnknown;
}

// The types whose binary form covet reads.
bool decodable(Oid t) {
  switch (t) {
    case oid::kBool: case oid::kBytea: case oid::kName: case oid::kInt8: case oid::kInt2: case oid::kInt4:
    case oid::kText: case oid::kOid: case oid::kJson: case oid::kFloat4: case oid::kFloat8: case oid::kUnknown:
    case oid::kBpchar: case oid::kVarchar: case oid::kDate: case oid::kTimestamp: case oid::kTimestamptz:
    case oid::kNumeric: case oid::kUuid: case oid::kJsonb:
      return true;
    default: return element_of(t) != 0;
  }
}

// 2000-01-01, PostgreSQL's epoch, from the Unix epoch.
constexpr int64_t kPgEpochDays = 10957;
constexpr int64_t kPgEpochMicros = kPgEpochDays * 86'400'000'000LL;

// ------------------------------------------------------ big-endian bytes
template <class T>
T read_be(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) v = static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
    else if constexpr (sizeof(T) == 4) v = static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
    else if constexpr (sizeof(T) == 8) v = static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  }
  return v;
}
template <class T>
void put_be(char* p, T v) {
  if constexpr (std::endian::native == std::endian::little) {
    if constexpr (sizeof(T) == 2) v = static_cast<T>(__builtin_bswap16(static_cast<uint16_t>(v)));
    else if constexpr (sizeof(T) == 4) v = static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
    else if constexpr (sizeof(T) == 8) v = static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  }
  std::memcpy(p, &v, sizeof(T));
}
template <class T>
void append_be(std::string& out, T v) {
  char b[sizeof(T)];
  put_be(b, v);
  out.append(b, sizeof(T));
}

// Decimal text ("-12.3400") → numeric's binary form: digit count, weight
// (of the first base-10000 digit), sign, display scale, then the digits.
// False (nothing appended) for any other text ("1e+20", "Infinity").
bool append_numeric(std::string& out, std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) text.remove_prefix(1);
  std::size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot), frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto digits_only = [](std::string_view v) {
    return std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if ((whole.empty() && frac.empty()) || !digits_only(whole) || !digits_only(frac)) return false;
  std::string padded(static_cast<std::size_t>((4 - whole.size() % 4) % 4), '0');
  padded.append(whole);
  const auto whole_groups = static_cast<int>(padded.size() / 4);
  padded.append(frac);
  padded.append((4 - frac.size() % 4) % 4, '0');
  std::vector<int16_t> groups;
  for (std::size_t i = 0; i < padded.size(); i += 4)
    groups.push_back(static_cast<int16_t>((padded[i] - '0') * 1000 + (padded[i + 1] - '0') * 100 +
                                          (padded[i + 2] - '0') * 10 + (padded[i + 3] - '0')));
  int weight = whole_groups - 1;
  std::size_t first = 0;
  while (first < groups.size() && groups[first] == 0) ++first, --weight;
  std::size_t last = groups.size();
  while (last > first && groups[last - 1] == 0) --last;
  if (first == last) weight = 0, negative = false;
  append_be<int16_t>(out, static_cast<int16_t>(last - first));
  append_be<int16_t>(out, static_cast<int16_t>(weight));
  append_be<uint16_t>(out, negative ? 0x4000 : 0);
  append_be<int16_t>(out, static_cast<int16_t>(frac.size()));
  for (std::size_t i = first; i < last; ++i) append_be<int16_t>(out, groups[i]);
  return true;
}

// numeric's binary form → decimal text ("-12.3400").
std::string numeric_text(const char* p, int len) {
  if (len < 8) throw InvalidArgument("invalid numeric value from PostgreSQL");
  int ndigits = read_be<int16_t>(p), weight = read_be<int16_t>(p + 2);
  uint16_t sign = static_cast<uint16_t>(read_be<int16_t>(p + 4));
  int dscale = read_be<int16_t>(p + 6);
  if (sign == 0xC000) throw InvalidArgument("NaN is not a decimal value");
  if (sign == 0xD000 || sign == 0xF000) throw InvalidArgument("infinity is not a decimal value");
  if (len < 8 + 2 * ndigits) throw InvalidArgument("invalid numeric value from PostgreSQL");
  auto digit = [&](int i) -> int { return i >= 0 && i < ndigits ? read_be<int16_t>(p + 8 + 2 * i) : 0; };
  std::string out;
  if (sign == 0x4000) out += '-';
  if (weight < 0) {
    out += '0';
  } else {
    for (int i = 0; i <= weight; ++i) {
      int d = digit(i);
      char buf[8];
      std::snprintf(buf, sizeof buf, i == 0 ? "%d" : "%04d", d);
      out += buf;
    }
  }
  if (dscale > 0) {
    out += '.';
    std::string frac;
    for (int i = weight + 1; static_cast<int>(frac.size()) < dscale; ++i) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "%04d", digit(i));
      frac += buf;
    }
    frac.resize(static_cast<std::size_t>(dscale));
    out += frac;
  }
  if (out == "-0" || (out.starts_with("-0") && out.find_first_not_of("-0.") == std::string::npos)) out.erase(0, 1);
  return out;
}

// "\x0a1b" (bytea's text form) → bytes.
std::string unhex_bytea(std::string_view s) {
  if (!s.starts_with("\\x")) throw InvalidArgument("unexpected bytea text form");
  std::string out;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw InvalidArgument("invalid bytea text form");
  };
  for (std::size_t i = 2; i + 1 < s.size(); i += 2) out += static_cast<char>(nib(s[i]) << 4 | nib(s[i + 1]));
  return out;
}

// ---------------------------------------------------------------- errors
// COMMIT or END: the statements whose lost answer leaves a transaction's
// outcome unknown.
bool is_commit(std::string_view sql) {
  std::string head = first_keyword(sql);
  return head == "COMMIT" || head == "END";
}

// `executing`: the statement had been sent to run (not being prepared).
[[noreturn]] void raise_result(PGconn* conn, const PGresult* res, const std::string& sql, bool executing = false) {
  struct {
    std::string sqlstate, message, detail, constraint;
  } e;
  auto field = [&](int code) -> std::string {
    const char* v = res ? PQresultErrorField(res, code) : nullptr;
    return v ? v : "";
  };
  e.sqlstate = field(PG_DIAG_SQLSTATE);
  e.message = field(PG_DIAG_MESSAGE_PRIMARY);
  e.detail = field(PG_DIAG_MESSAGE_DETAIL);
  e.constraint = field(PG_DIAG_CONSTRAINT_NAME);
  // A NOT NULL violation has no constraint name: "table.column", as SQLite names it.
  if (e.constraint.empty() && e.sqlstate == "23502" && !field(PG_DIAG_COLUMN_NAME).empty())
    e.constraint = field(PG_DIAG_TABLE_NAME) + "." + field(PG_DIAG_COLUMN_NAME);
  bool lost = PQstatus(conn) == CONNECTION_BAD;
  if (e.message.empty()) {
    e.message = PQerrorMessage(conn);
    while (!e.message.empty() && (e.message.back() == '\n' || e.message.back() == ' ')) e.message.pop_back();
  }
  if (lost && e.sqlstate.empty()) e.sqlstate = "08006";
  std::string text = e.message;
  if (!e.detail.empty()) text += " (" + e.detail + ")";
  if (!e.sqlstate.empty()) text += fmt::format(" (SQLSTATE {})", e.sqlstate);
  std::string_view cls = std::string_view(e.sqlstate).substr(0, std::min<std::size_t>(2, e.sqlstate.size()));
  if (lost || cls == "08" || e.sqlstate == "57P01" || e.sqlstate == "57P02" || e.sqlstate == "57P03") {
    std::string what = text + "; the connection to the server is gone and will not be reused";
    // A COMMIT whose answer never came: it may or may not have committed.
    if (executing && is_commit(sql))
      throw InDoubtError(what + "; the transaction's outcome is unknown (it may have been committed): do not retry it blindly",
                         e.sqlstate, sql, true, e.sqlstate);
    throw OperationalError(what, e.sqlstate, sql, true, e.sqlstate);
  }
  if (cls == "23") throw IntegrityError(text, e.sqlstate, sql, e.constraint, e.sqlstate);
  if (e.sqlstate == "40001") throw SerializationFailure(text, e.sqlstate, sql, false, e.sqlstate);
  if (e.sqlstate == "40P01") throw DeadlockDetected(text, e.sqlstate, sql, false, e.sqlstate);
  if (cls == "40") throw TransactionRollback(text, e.sqlstate, sql, false, e.sqlstate);
  if (e.sqlstate == "25P02")
    throw OperationalError(text + "; an earlier statement in this transaction failed, so PostgreSQL ignores every "
                                  "statement until it is rolled back: wrap a statement that may fail in a nested "
                                  "transaction (a savepoint) to carry on after it",
                           e.sqlstate, sql, false, e.sqlstate);
  if (e.sqlstate == "25006") throw OperationalError(text, e.sqlstate, sql, false, e.sqlstate);
  if (cls == "22") throw DataError(text, e.sqlstate, sql, false, e.sqlstate);
  if (cls == "42" || cls == "26" || cls == "34" || cls == "3D" || cls == "3F")
    throw ProgrammingError(text, e.sqlstate, sql, false, e.sqlstate);
  if (cls == "0A") throw NotSupportedError(text, e.sqlstate, sql, false, e.sqlstate);
  throw OperationalError(text, e.sqlstate, sql, false, e.sqlstate);
}

// ---------------------------------------------------------------- rows
// libpq points every NULL cell of a result at one byte inside that result's
// own PGresult (fe-exec.c: `value = res->null_field`), and never a non-NULL
// one: so a fixed-width cell is NULL exactly when PQgetvalue returns that
// address, and one libpq call per cell does instead of two. The offset is
// measured once on results libpq builds itself (PQsetvalue stores a NULL
// the same way); unless two results of different shapes agree on it and a
// non-NULL cell is elsewhere, it is -1 and the cells' lengths are read.
std::ptrdiff_t null_cell_offset() {
  static const std::ptrdiff_t offset = [] {
    auto probe = [](int columns) -> std::ptrdiff_t {
      PGresult* r = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
      if (!r) return -1;
      char name[] = "c";  // libpq copies it
      std::vector<PGresAttDesc> attrs(static_cast<std::size_t>(columns), PGresAttDesc{name, 0, 0, 1, oid::kInt8, 8, -1});
      std::ptrdiff_t off = -1;
      char eight[8] = {};
      if (PQsetResultAttrs(r, columns, attrs.data()) && PQsetvalue(r, 0, 0, eight, 8) &&
          PQsetvalue(r, 0, columns - 1, nullptr, -1) && PQgetisnull(r, 0, columns - 1) && !PQgetisnull(r, 0, 0)) {
        auto at = [&](int c) { return reinterpret_cast<std::uintptr_t>(PQgetvalue(r, 0, c)); };
        const auto base = reinterpret_cast<std::uintptr_t>(r);
        if (at(columns - 1) >= base && at(columns - 1) - base < 4096 && at(0) != at(columns - 1))
          off = static_cast<std::ptrdiff_t>(at(columns - 1) - base);
      }
      PQclear(r);
      return off;
    };
    const std::ptrdiff_t a = probe(2), b = probe(7);
    return a >= 0 && a == b ? a : -1;
  }();
  return offset;
}

class PgRow final : public Row {
 public:
  const PGresult* res = nullptr;
  int row = 0;
  bool binary = true;
  bool streaming = false;  // one row per result (a cursor)
  const std::vector<Oid>* types = nullptr;

  Oid type(int col) const { return (*types)[static_cast<std::size_t>(col)]; }
  const char* data(int col) const { return PQgetvalue(res, row, col); }
  int length(int col) const { return PQgetlength(res, row, col); }

  // One execution hydrates with one MemberLoad list: its plan (which cells
  // decode inline) is made on the first row and dropped when the statement
  // runs again.
  void new_execution() {
    plan_loads_ = nullptr;
    other_plans_.clear();
  }

  void load(const MemberLoad* loads, std::size_t n, void* obj, const void* context) const override {
    load_at(loads, n, 0, obj, context);
  }
  void load_at(const MemberLoad* loads, std::size_t n, int first, void* obj, const void* context) const override {
    if (loads != plan_loads_ || n != plan_.size() || first != plan_first_) [[unlikely]]
      switch_plan(loads, n, first);
    if (null_offset_ >= 0) load_cells<true>(loads, n, first, static_cast<char*>(obj), context);
    else load_cells<false>(loads, n, first, static_cast<char*>(obj), context);
  }

 private:
  // Per fixed-width cell one libpq call and, unless it is NULL (see
  // null_cell_offset), an inline decode: the binary forms of int8, int4,
  // float8 and bool are always that wide (without the NULL address, the
  // cell's length is compared instead). Text also reads the length.
  // Anything else takes the general path, which also reports a NULL into a
  // required member.
  template <bool KnownNullAddress>
  void load_cells(const MemberLoad* loads, std::size_t n, int first, char* base, const void* context) const {
    const PGresult* r = res;
    const int rw = row;
    const std::uintptr_t null_at = reinterpret_cast<std::uintptr_t>(r) + static_cast<std::uintptr_t>(null_offset_);
    auto is_value = [&](const char* p, int i, int width) {
      if constexpr (KnownNullAddress) return reinterpret_cast<std::uintptr_t>(p) != null_at;
      else return PQgetlength(r, rw, i) == width;
    };
    for (std::size_t k = 0; k < n; ++k) {
      const Cell c = plan_[k];
      const int i = static_cast<int>(k) + first;
      char* m = base + c.offset;
      switch (c.op) {
        case Cell::Int8ToI64: {
          const char* p = PQgetvalue(r, rw, i);
          if (is_value(p, i, 8)) {
            *reinterpret_cast<int64_t*>(m) = read_be<int64_t>(p);
            continue;
          }
          break;
        }
        case Cell::Int4ToI64: {
          const char* p = PQgetvalue(r, rw, i);
          if (is_value(p, i, 4)) {
            *reinterpret_cast<int64_t*>(m) = read_be<int32_t>(p);
            continue;
          }
          break;
        }
        case Cell::Int4ToI32: {
          const char* p = PQgetvalue(r, rw, i);
          if (is_value(p, i, 4)) {
            *reinterpret_cast<int32_t*>(m) = read_be<int32_t>(p);
            continue;
          }
          break;
        }
        case Cell::Float8: {
          const char* p = PQgetvalue(r, rw, i);
          if (is_value(p, i, 8)) {
            *reinterpret_cast<double*>(m) = std::bit_cast<double>(read_be<uint64_t>(p));
            continue;
          }
          break;
        }
        case Cell::Bool: {
          const char* p = PQgetvalue(r, rw, i);
          if (is_value(p, i, 1)) {
            *reinterpret_cast<bool*>(m) = *p != 0;
            continue;
          }
          break;
        }
        case Cell::Text: {
          const char* p = PQgetvalue(r, rw, i);
          const int len = PQgetlength(r, rw, i);
          if (len > 0) {
            reinterpret_cast<std::string*>(m)->assign(p, static_cast<std::size_t>(len));
            continue;
          }
          break;
        }
        case Cell::Timestamp:
        case Cell::OptTimestamp: {
          // Microseconds since 2000-01-01; infinities and years past 1-9999
          // take the general path, which reports them.
          const char* p = PQgetvalue(r, rw, i);
          if (is_value(p, i, 8)) {
            const int64_t us = read_be<int64_t>(p);
            if (us <= DateTime::kMaxMicros - kPgEpochMicros && us >= DateTime::kMinMicros - kPgEpochMicros) {
              const DateTime t = DateTime::from_unix_micros(us + kPgEpochMicros);
              if (c.op == Cell::Timestamp) *reinterpret_cast<DateTime*>(m) = t;
              else *reinterpret_cast<std::optional<DateTime>*>(m) = t;
              continue;
            }
          }
          break;
        }
        case Cell::Slow: break;
      }
      load_general(loads[k], i, m, context);
    }
  }

  // How one column of this execution's result is read.
  struct Cell {
    enum Op : uint8_t { Slow, Int8ToI64, Int4ToI64, Int4ToI32, Float8, Bool, Text, Timestamp, OptTimestamp };
    Op op = Slow;
    uint32_t offset = 0;
  };
  mutable std::vector<Cell> plan_;
  mutable const MemberLoad* plan_loads_ = nullptr;
  mutable int plan_first_ = 0;
  // A select_related row loads several objects, each with its own plan:
  // the ones not in use wait here.
  struct SavedPlan {
    const MemberLoad* loads;
    int first;
    std::vector<Cell> cells;
  };
  mutable std::vector<SavedPlan> other_plans_;

  void switch_plan(const MemberLoad* loads, std::size_t n, int first) const {
    if (plan_loads_) {
      bool saved = false;
      for (SavedPlan& p : other_plans_)
        if (p.loads == plan_loads_ && p.first == plan_first_) saved = true;
      if (!saved) other_plans_.push_back(SavedPlan{plan_loads_, plan_first_, plan_});
    }
    for (SavedPlan& p : other_plans_)
      if (p.loads == loads && p.first == first && p.cells.size() == n) {
        plan_ = p.cells;
        plan_loads_ = loads;
        plan_first_ = first;
        return;
      }
    make_plan(loads, n, first);
  }
  mutable std::ptrdiff_t null_offset_ = -1;  // null_cell_offset()

  void make_plan(const MemberLoad* loads, std::size_t n, int first) const {
    using Op = MemberLoad::Op;
    plan_.assign(n, Cell{});
    for (std::size_t k = 0; k < n && binary; ++k) {
      const std::size_t col = k + static_cast<std::size_t>(first);
      const Oid t = col < types->size() ? (*types)[col] : 0;
      Cell& c = plan_[k];
      switch (loads[k].op) {
        case Op::Int64: c.op = t == oid::kInt8 ? Cell::Int8ToI64 : t == oid::kInt4 ? Cell::Int4ToI64 : Cell::Slow; break;
        case Op::Int32: c.op = t == oid::kInt4 ? Cell::Int4ToI32 : Cell::Slow; break;
        case Op::Double: c.op = t == oid::kFloat8 ? Cell::Float8 : Cell::Slow; break;
        case Op::Bool: c.op = t == oid::kBool ? Cell::Bool : Cell::Slow; break;
        case Op::Text: c.op = is_text_type(t) || t == oid::kJson ? Cell::Text : Cell::Slow; break;
        case Op::DateTime:
        case Op::OptDateTime:
          if (t == oid::kTimestamptz || t == oid::kTimestamp)
            c.op = loads[k].op == Op::DateTime ? Cell::Timestamp : Cell::OptTimestamp;
          break;
        default: break;
      }
    }
    for (std::size_t k = 0; k < n; ++k) plan_[k].offset = loads[k].offset;
    plan_loads_ = loads;
    plan_first_ = first;
    null_offset_ = null_cell_offset();
  }

  // Any member from any cell: the generic loaders, NULLs, other storage
  // types, text results.
  [[gnu::noinline]] void load_general(const MemberLoad& l, int i, void* m, const void* context) const {
    using Op = MemberLoad::Op;
    if (l.op == Op::Generic || l.op == Op::DateTime || l.op == Op::OptDateTime)
      return l.generic(m, *this, i, context, l.field);
    const bool null = PQgetisnull(res, row, i);
    switch (l.op) {
      case Op::Int64:
        if (null) l.fail(context, l.field, 0, true);
        *static_cast<int64_t*>(m) = get_int(i);
        break;
      case Op::Int32: {
        if (null) l.fail(context, l.field, 0, true);
        int64_t v = get_int(i);
        if (v < INT32_MIN || v > INT32_MAX) l.fail(context, l.field, v, false);
        *static_cast<int32_t*>(m) = static_cast<int32_t>(v);
        break;
      }
      case Op::Double:
        if (null) l.fail(context, l.field, 0, true);
        *static_cast<double*>(m) = get_double(i);
        break;
      case Op::Bool:
        if (null) l.fail(context, l.field, 0, true);
        *static_cast<bool*>(m) = get_bool(i);
        break;
      case Op::Text:
        if (null) l.fail(context, l.field, 0, true);
        static_cast<std::string*>(m)->assign(get_text(i));
        break;
      case Op::OptInt64: {
        auto& o = *static_cast<std::optional<int64_t>*>(m);
        if (null) o.reset();
        else o = get_int(i);
        break;
      }
      case Op::OptInt32: {
        auto& o = *static_cast<std::optional<int32_t>*>(m);
        if (null) {
          o.reset();
          break;
        }
        int64_t v = get_int(i);
        if (v < INT32_MIN || v > INT32_MAX) l.fail(context, l.field, v, false);
        o = static_cast<int32_t>(v);
        break;
      }
      case Op::OptDouble: {
        auto& o = *static_cast<std::optional<double>*>(m);
        if (null) o.reset();
        else o = get_double(i);
        break;
      }
      case Op::OptBool: {
        auto& o = *static_cast<std::optional<bool>*>(m);
        if (null) o.reset();
        else o = get_bool(i);
        break;
      }
      case Op::OptText: {
        auto& o = *static_cast<std::optional<std::string>*>(m);
        if (null) o.reset();
        else if (o) o->assign(get_text(i));
        else o.emplace(get_text(i));
        break;
      }
      case Op::Generic:
      case Op::DateTime:
      case Op::OptDateTime: break;
    }
  }

 public:
  int64_t result_size() const override { return res && !streaming ? PQntuples(res) : -1; }
  int column_count() const override { return PQnfields(res); }
  std::string_view column_name(int col) const override { return PQfname(res, col); }
  bool is_null(int col) const override { return PQgetisnull(res, row, col); }

  // A NULL cell reads as 0, 0.0, false or empty text (Row's rule): its
  // value is an empty string, shorter than any binary number.
  int64_t get_int(int col) const override {
    if (is_null(col)) return 0;
    const char* p = data(col);
    if (binary) {
      switch (type(col)) {
        case oid::kInt8: return read_be<int64_t>(p);
        case oid::kInt4: return read_be<int32_t>(p);
        case oid::kInt2: return read_be<int16_t>(p);
        case oid::kOid: return read_be<uint32_t>(p);
        case oid::kBool: return *p != 0;
        case oid::kNumeric: {
          std::string t = numeric_text(p, length(col));
          if (auto dot = t.find('.'); dot != std::string::npos && t.find_first_not_of('0', dot + 1) == std::string::npos)
            t.resize(dot);  // 12.00 is the integer 12
          return parse_int(t);
        }
        case oid::kFloat8: case oid::kFloat4: {
          double d = get_double(col);
          if (d != std::trunc(d) || !(d >= -9.2e18 && d <= 9.2e18)) throw InvalidArgument(fmt::format("{} is not an integer", d));
          return static_cast<int64_t>(d);
        }
        default:
          if (is_text_type(type(col))) return parse_int(get_text(col));
          throw InvalidArgument(fmt::format("a PostgreSQL value of type {} is not an integer", type(col)));
      }
    }
    if (type(col) == oid::kBool) return *p == 't';
    return parse_int(std::string_view(p, static_cast<std::size_t>(length(col))));
  }
  double get_double(int col) const override {
    if (is_null(col)) return 0;
    const char* p = data(col);
    if (binary) {
      switch (type(col)) {
        case oid::kFloat8: return std::bit_cast<double>(read_be<uint64_t>(p));
        case oid::kFloat4: return std::bit_cast<float>(read_be<uint32_t>(p));
        case oid::kInt8: case oid::kInt4: case oid::kInt2: return static_cast<double>(get_int(col));
        case oid::kNumeric: return parse_double(numeric_text(p, length(col)));
        default: return parse_double(get_text(col));
      }
    }
    return parse_double(std::string_view(p, static_cast<std::size_t>(length(col))));
  }
  std::string_view get_text(int col) const override {
    if (is_null(col)) return {};
    const char* p = data(col);
    auto n = static_cast<std::size_t>(length(col));
    if (!binary || is_text_type(type(col)) || type(col) == oid::kJson) return {p, n};
    if (type(col) == oid::kJsonb) return n ? std::string_view(p + 1, n - 1) : std::string_view();
    // Another type asked for as text (a std::string member over a uuid or
    // date column, say): its text form, unquoted.
    std::string& s = scratch(col);
    const Value v = get_value(col);
    if (v.is<Uuid>()) s = v.as_uuid().to_string();
    else if (v.is<Date>()) s = v.as_date().to_string();
    else if (v.is<DateTime>()) s = v.as_datetime().to_string();
    else if (v.is<Decimal>()) s = v.as_decimal().to_string();
    else s = v.to_string();
    return s;
  }
  std::string_view get_blob(int col) const override {
    std::string_view raw(data(col), static_cast<std::size_t>(length(col)));
    if (binary || type(col) != oid::kBytea) return raw;
    std::string& s = scratch(col);
    s = unhex_bytea(raw);
    return s;
  }
  bool get_bool(int col) const override {
    if (is_null(col)) return false;
    const char* p = data(col);
    if (binary) return type(col) == oid::kBool ? *p != 0 : get_int(col) != 0;
    return type(col) == oid::kBool ? *p == 't' : get_int(col) != 0;
  }
  Date get_date(int col) const override {
    if (binary && type(col) == oid::kDate) {
      int32_t d = read_be<int32_t>(data(col));
      if (d == INT32_MAX || d == INT32_MIN) throw InvalidArgument("infinite dates are not supported");
      return Date::from_days(static_cast<int32_t>(d + kPgEpochDays));
    }
    if (type(col) == oid::kTimestamptz || type(col) == oid::kTimestamp) return get_datetime(col).date();
    return Date::parse(get_text(col));
  }
  bool datetime_text(int col, char* out) const override {
    if (!binary || (type(col) != oid::kTimestamptz && type(col) != oid::kTimestamp) || is_null(col) || length(col) != 8)
      return false;
    int64_t us = read_be<int64_t>(data(col));
    if (us > DateTime::kMaxMicros - kPgEpochMicros || us < DateTime::kMinMicros - kPgEpochMicros) return false;  // infinities too
    detail::write_rfc3339(out, us + kPgEpochMicros);
    return true;
  }
  DateTime get_datetime(int col) const override {
    if (binary && (type(col) == oid::kTimestamptz || type(col) == oid::kTimestamp)) {
      int64_t us = read_be<int64_t>(data(col));
      if (us == INT64_MAX || us == INT64_MIN) throw InvalidArgument("infinite timestamps are not supported");
      if (us > DateTime::kMaxMicros - kPgEpochMicros || us < DateTime::kMinMicros - kPgEpochMicros)
        throw InvalidArgument("timestamp out of range (years 1-9999)");
      return DateTime::from_unix_micros(us + kPgEpochMicros);
    }
    if (type(col) == oid::kDate) return DateTime::from_unix_micros(int64_t{get_date(col).days_since_epoch()} * 86'400'000'000LL);
    return DateTime::parse(get_text(col));
  }
  Uuid get_uuid(int col) const override {
    if (binary && type(col) == oid::kUuid) {
      std::array<uint8_t, 16> b;
      if (length(col) != 16) throw InvalidArgument("invalid uuid value from PostgreSQL");
      std::memcpy(b.data(), data(col), 16);
      return Uuid(b);
    }
    return Uuid::parse(get_text(col));
  }
  Decimal get_decimal(int col, int places) const override {
    std::string text;
    if (binary && type(col) == oid::kNumeric) text = numeric_text(data(col), length(col));
    else if (binary && (type(col) == oid::kInt8 || type(col) == oid::kInt4 || type(col) == oid::kInt2)) text = std::to_string(get_int(col));
    else if (binary && (type(col) == oid::kFloat8 || type(col) == oid::kFloat4)) text = fmt::format("{}", get_double(col));
    else text = std::string(get_text(col));
    Decimal d(text);
    return places > 0 ? d.quantize(places) : d;
  }
  Json get_json(int col) const override { return Json::parse(get_text(col)); }
  Array get_array(int col) const override {
    if (!binary) throw NotSupportedError("arrays are read from PostgreSQL's binary results only; select the array with columns of types covet knows");
    return decode_array(data(col), length(col));
  }
  Value get_value(int col) const override {
    if (PQgetisnull(res, row, col)) return Value();
    Oid t = type(col);
    if (!binary) {
      std::string_view s(data(col), static_cast<std::size_t>(length(col)));
      switch (t) {
        case oid::kBool: return Value(s == "t");
        case oid::kInt2: case oid::kInt4: case oid::kInt8: case oid::kOid: return Value(parse_int(s));
        case oid::kFloat4: case oid::kFloat8: return Value(parse_double(s));
        case oid::kNumeric: return Value(Decimal(s));
        case oid::kBytea: return Value(Bytes::from(unhex_bytea(s)));
        case oid::kDate: return Value(Date::parse(s));
        case oid::kTimestamptz: case oid::kTimestamp: return Value(DateTime::parse(s));
        case oid::kUuid: return Value(Uuid::parse(s));
        case oid::kJson: case oid::kJsonb: return Value(Json::parse(s));
        default: return Value(std::string(s));
      }
    }
    return binary_value(t, data(col), length(col));
  }

 private:
  static int64_t parse_int(std::string_view s) {
    int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) throw InvalidArgument(fmt::format("'{}' is not an integer", s));
    return v;
  }
  static double parse_double(std::string_view s) {
    if (s == "NaN") return std::nan("");
    if (s == "Infinity") return HUGE_VAL;
    if (s == "-Infinity") return -HUGE_VAL;
    double v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) throw InvalidArgument(fmt::format("'{}' is not a number", s));
    return v;
  }
  static Value binary_value(Oid t, const char* p, int len) {
    switch (t) {
      case oid::kBool: return Value(*p != 0);
      case oid::kInt2: return Value(read_be<int16_t>(p));
      case oid::kInt4: return Value(read_be<int32_t>(p));
      case oid::kInt8: return Value(read_be<int64_t>(p));
      case oid::kOid: return Value(static_cast<int64_t>(read_be<uint32_t>(p)));
      case oid::kFloat4: return Value(std::bit_cast<float>(read_be<uint32_t>(p)));
      case oid::kFloat8: return Value(std::bit_cast<double>(read_be<uint64_t>(p)));
      case oid::kNumeric: return Value(Decimal(numeric_text(p, len)));
      case oid::kBytea: return Value(Bytes::from(std::string_view(p, static_cast<std::size_t>(len))));
      case oid::kDate: {
        int32_t d = read_be<int32_t>(p);
        if (d == INT32_MAX || d == INT32_MIN) throw InvalidArgument("infinite dates are not supported");
        return Value(Date::from_days(static_cast<int32_t>(d + kPgEpochDays)));
      }
      case oid::kTimestamptz:
      case oid::kTimestamp: {
        int64_t us = read_be<int64_t>(p);
        if (us == INT64_MAX || us == INT64_MIN) throw InvalidArgument("infinite timestamps are not supported");
        if (us > DateTime::kMaxMicros - kPgEpochMicros || us < DateTime::kMinMicros - kPgEpochMicros)
          throw InvalidArgument("timestamp out of range (years 1-9999)");
        return Value(DateTime::from_unix_micros(us + kPgEpochMicros));
      }
      case oid::kUuid: {
        std::array<uint8_t, 16> b;
        if (len != 16) throw InvalidArgument("invalid uuid value from PostgreSQL");
        std::memcpy(b.data(), p, 16);
        return Value(Uuid(b));
      }
      case oid::kJson: return Value(Json::parse(std::string_view(p, static_cast<std::size_t>(len))));
      case oid::kJsonb: return Value(Json::parse(len ? std::string_view(p + 1, static_cast<std::size_t>(len - 1)) : std::string_view()));
      default:
        if (element_of(t)) return Value(decode_array(p, len));
        return Value(std::string(p, static_cast<std::size_t>(len)));
    }
  }
  static Array decode_array(const char* p, int len) {
    if (len < 12) throw InvalidArgument("invalid array value from PostgreSQL");
    int32_t ndim = read_be<int32_t>(p);
    Oid elem = read_be<uint32_t>(p + 8);
    Array out;
    if (ndim == 0) return out;
    if (ndim != 1) throw NotSupportedError("multi-dimensional arrays are not supported");
    if (len < 20) throw InvalidArgument("invalid array value from PostgreSQL");
    int32_t n = read_be<int32_t>(p + 12);
    if (n < 0 || n > (len - 20) / 4) throw InvalidArgument("invalid array value from PostgreSQL");
    const char* q = p + 20;
    const char* end = p + len;
    out.reserve(static_cast<std::size_t>(n));
    for (int32_t i = 0; i < n; ++i) {
      if (q + 4 > end) throw InvalidArgument("invalid array value from PostgreSQL");
      int32_t l = read_be<int32_t>(q);
      q += 4;
      if (l < 0) {
        out.emplace_back();
        continue;
      }
      if (q + l > end) throw InvalidArgument("invalid array value from PostgreSQL");
      out.push_back(binary_value(elem, q, l));
      q += l;
    }
    return out;
  }
  // Text made for a column (valid until the row advances; one per column,
  // so reading another column keeps the first view valid).
  std::string& scratch(int col) const {
    if (scratch_.size() < types->size()) scratch_.resize(types->size());
    return scratch_[static_cast<std::size_t>(col)];
  }
  mutable std::vector<std::string> scratch_;
};

// ---------------------------------------------------------- statements
// What a connection shares with its statements: whether it is still open,
// and the server-side statements dropped from the cache but not yet
// deallocated (sent together with the next statement prepared).
struct PgShared {
  bool alive = true;
  std::vector<std::string> to_deallocate;
};

class PgStatement final : public Statement {
 public:
  PgStatement(PGconn* conn, std::shared_ptr<PgShared> shared, std::string name, std::string sql,
              std::vector<Oid> params, std::vector<Oid> columns, bool owned)
      : Statement(std::move(sql)), conn_(conn), shared_(std::move(shared)), name_(std::move(name)),
        param_types_(std::move(params)), column_types_(std::move(columns)), owned_(owned) {
    std::size_t n = param_types_.size();
    values_.assign(n, nullptr);
    lengths_.assign(n, 0);
    formats_.assign(n, 1);
    bufs_.resize(n);
    binary_results_ = true;
    for (Oid t : column_types_) binary_results_ = binary_results_ && decodable(t);
    row_.types = &column_types_;
    row_.binary = binary_results_;
  }
  ~PgStatement() override {
    if (sent_ && shared_->alive) drain();
    clear();
    // Not while the connection closes (PQfinish drops every statement);
    // otherwise later, in one round trip with others (a cache of 512
    // dropped at once would cost 512 round trips here).
    if (owned_ && shared_->alive) shared_->to_deallocate.push_back(std::move(name_));
  }

  // ---- binding: each value encoded for the type the server inferred
  void bind_null(int idx) override {
    std::size_t i = slot(idx);
    values_[i] = nullptr;
    lengths_[i] = 0;
  }
  void bind_int(int idx, int64_t v) override {
    std::size_t i = slot(idx);
    switch (param_types_[i]) {
      case oid::kInt8: return set_binary(i, v);
      case oid::kInt4:
        if (v < INT32_MIN || v > INT32_MAX) out_of_range(idx, v, "integer");
        return set_binary(i, static_cast<int32_t>(v));
      case oid::kInt2:
        if (v < INT16_MIN || v > INT16_MAX) out_of_range(idx, v, "smallint");
        return set_binary(i, static_cast<int16_t>(v));
      case oid::kFloat8: return set_binary(i, std::bit_cast<uint64_t>(static_cast<double>(v)));
      case oid::kBool: return set_binary(i, static_cast<uint8_t>(v != 0));
      default: return set_text(i, std::to_string(v));
    }
  }
  void bind_int32(int idx, int32_t v) override { bind_int(idx, v); }
  void bind_double(int idx, double v) override {
    // As on SQLite (where NaN would become NULL): NaN is refused on every
    // backend, so a value means the same wherever it is stored.
    if (std::isnan(v)) throw DataError("NaN is not stored (a float field holds numbers); parameter " + std::to_string(idx), "22000", sql());
    std::size_t i = slot(idx);
    switch (param_types_[i]) {
      case oid::kFloat8: return set_binary(i, std::bit_cast<uint64_t>(v));
      case oid::kFloat4: return set_binary(i, std::bit_cast<uint32_t>(static_cast<float>(v)));
      default:
        if (std::isinf(v)) return set_text(i, v > 0 ? "Infinity" : "-Infinity");
        return set_text(i, fmt::format("{}", v));
    }
  }
  void bind_text(int idx, std::string_view v) override {
    std::size_t i = slot(idx);
    if (param_types_[i] == oid::kJsonb) {  // text into jsonb: its binary form is a version byte and the text
      std::string& b = bufs_[i];
      b.assign(1, '\1');
      b.append(v);
      return point(i, b, 1);
    }
    if (param_types_[i] == oid::kBytea) {
      values_[i] = v.data() ? v.data() : "";
      lengths_[i] = static_cast<int>(v.size());
      formats_[i] = 1;
      return;
    }
    // Text and every other type's text input form (the server parses it).
    values_[i] = v.data() ? v.data() : "";
    lengths_[i] = static_cast<int>(v.size());
    formats_[i] = is_text_type(param_types_[i]) ? 1 : 0;
    if (formats_[i] == 0) {  // text format needs a terminating NUL
      bufs_[i].assign(v);
      point(i, bufs_[i], 0);
    }
  }
  void bind_text_copy(int idx, std::string_view v) override {
    std::size_t i = slot(idx);
    std::string& b = bufs_[i];
    if (param_types_[i] == oid::kJsonb) {
      b.assign(1, '\1');
      b.append(v);
      return point(i, b, 1);
    }
    b.assign(v);
    point(i, b, is_text_type(param_types_[i]) || param_types_[i] == oid::kBytea ? 1 : 0);
  }
  void bind_blob(int idx, std::string_view v) override {
    std::size_t i = slot(idx);
    values_[i] = v.data() ? v.data() : "";
    lengths_[i] = static_cast<int>(v.size());
    formats_[i] = 1;
  }
  void bind_blob_copy(int idx, std::string_view v) override {
    std::size_t i = slot(idx);
    bufs_[i].assign(v);
    point(i, bufs_[i], 1);
  }
  void bind_bool(int idx, bool v) override {
    std::size_t i = slot(idx);
    if (param_types_[i] == oid::kBool) return set_binary(i, static_cast<uint8_t>(v));
    if (param_types_[i] == oid::kInt8 || param_types_[i] == oid::kInt4 || param_types_[i] == oid::kInt2)
      return bind_int(idx, v ? 1 : 0);
    set_text(i, v ? "true" : "false");
  }
  void bind_date(int idx, const Date& v) override {
    std::size_t i = slot(idx);
    if (param_types_[i] == oid::kDate) return set_binary(i, static_cast<int32_t>(v.days_since_epoch() - kPgEpochDays));
    if (param_types_[i] == oid::kTimestamptz || param_types_[i] == oid::kTimestamp)
      return set_binary(i, int64_t{v.days_since_epoch()} * 86'400'000'000LL - kPgEpochMicros);
    set_text(i, v.to_string());
  }
  void bind_datetime(int idx, const DateTime& v) override {
    std::size_t i = slot(idx);
    if (param_types_[i] == oid::kTimestamptz || param_types_[i] == oid::kTimestamp)
      return set_binary(i, v.unix_micros() - kPgEpochMicros);
    // Never zone-less text: the instant in UTC with its offset.
    set_text(i, v.to_string() + "+00:00");
  }
  void bind_uuid(int idx, const Uuid& v) override {
    std::size_t i = slot(idx);
    if (param_types_[i] == oid::kUuid) {
      bufs_[i].assign(reinterpret_cast<const char*>(v.bytes().data()), 16);
      return point(i, bufs_[i], 1);
    }
    set_text(i, v.to_string());
  }
  void bind_decimal(int idx, const Decimal& v) override { set_text(slot(idx), v.to_string()); }
  void bind_json(int idx, const Json& v) override {
    std::size_t i = slot(idx);
    if (param_types_[i] == oid::kJsonb) return bind_text(idx, v.text());
    set_text(i, v.text());
  }
  void bind_array(int idx, const Array& v) override {
    std::size_t i = slot(idx);
    Oid elem = element_of(param_types_[i]);
    // The binary form where covet writes the element type and every value
    // is of its kind; otherwise the text form ({"a","b"}), which the server
    // parses into whatever array the column has (char(n), citext, enums,
    // numeric, a date into a timestamp).
    bool binary = elem != 0 && elem != oid::kNumeric && elem != oid::kJson;
    for (const Value& e : v) binary = binary && (e.is_null() || binary_element(elem, e));
    if (!binary) return set_text(i, array_literal(v, idx));
    std::string& b = bufs_[i];
    b.clear();
    bool has_null = false;
    for (const Value& e : v) has_null = has_null || e.is_null();
    append_be<int32_t>(b, v.empty() ? 0 : 1);
    append_be<int32_t>(b, has_null ? 1 : 0);
    append_be<uint32_t>(b, elem);
    if (!v.empty()) {
      append_be<int32_t>(b, static_cast<int32_t>(v.size()));
      append_be<int32_t>(b, 1);
    }
    for (const Value& e : v) encode_element(b, elem, e, idx);
    point(i, b, 1);
  }

  // ---- COPY (bulk_create): the bound parameters as one binary COPY row
  // Every parameter's type has a binary form covet writes: a COPY of these
  // columns can take the rows an INSERT of them would.
  bool copyable() const {
    for (Oid t : param_types_) {
      switch (t) {
        case oid::kBool: case oid::kBytea: case oid::kInt8: case oid::kInt2: case oid::kInt4: case oid::kJson:
        case oid::kFloat4: case oid::kFloat8: case oid::kDate: case oid::kTimestamp: case oid::kTimestamptz:
        case oid::kNumeric: case oid::kUuid: case oid::kJsonb:
        case oid::kBoolArray: case oid::kInt2Array: case oid::kInt4Array: case oid::kInt8Array: case oid::kTextArray:
        case oid::kVarcharArray: case oid::kFloat4Array: case oid::kFloat8Array:
          break;
        default:
          if (!is_text_type(t) || t == oid::kUnknown) return false;
      }
    }
    return !param_types_.empty();
  }
  void append_copy_row(std::string& out) const {
    append_be<int16_t>(out, static_cast<int16_t>(param_types_.size()));
    for (std::size_t i = 0; i < param_types_.size(); ++i) {
      if (!values_[i]) {
        append_be<int32_t>(out, -1);
        continue;
      }
      std::string_view v(values_[i], static_cast<std::size_t>(lengths_[i]));
      const Oid t = param_types_[i];
      if (formats_[i] == 0 && t == oid::kNumeric) {  // its text form, as bound: encoded here
        std::size_t at = out.size();
        append_be<int32_t>(out, 0);
        if (!append_numeric(out, v))
          throw NotSupportedError(fmt::format("parameter {} ('{}') has no binary numeric form here", i + 1, v), "0A000",
                                  sql());
        put_be(out.data() + at, static_cast<int32_t>(out.size() - at - 4));
        continue;
      }
      if (formats_[i] == 0 && !is_text_type(t) && t != oid::kJson)  // a member bound as text into another type
        throw NotSupportedError(
            fmt::format("parameter {} is bound as text, which a binary COPY into PostgreSQL type {} cannot take", i + 1, t),
            "0A000", sql());
      append_be<int32_t>(out, static_cast<int32_t>(v.size()));
      out.append(v);
    }
  }

  // ---- running
  void stream() override { streaming_ = row_.streaming = true; }

  bool step() override {
    if (streaming_) return step_streaming();
    if (!res_) {
      res_ = execute();
      changes_ = 0;
      ExecStatusType s = res_ ? PQresultStatus(res_) : PGRES_FATAL_ERROR;
      if (s == PGRES_FATAL_ERROR && invalidated(res_)) {
        // The table changed under this statement, or the server forgot it
        // (DISCARD ALL): outside a transaction block it is prepared again
        // and run once more; inside one, the error stands and the next
        // call prepares it again.
        if (PQtransactionStatus(conn_) == PQTRANS_IDLE && reprepare()) {
          PQclear(res_);
          res_ = execute();
          s = res_ ? PQresultStatus(res_) : PGRES_FATAL_ERROR;
        } else {
          mark_stale();
        }
      }
      if (s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
        PGresult* r = res_;
        res_ = nullptr;
        try {
          if (s == PGRES_EMPTY_QUERY) throw ProgrammingError("empty SQL statement", "", sql());
          if (s == PGRES_COPY_IN || s == PGRES_COPY_OUT || s == PGRES_COPY_BOTH)
            throw NotSupportedError("COPY is not run through execute()", "0A000", sql());
          raise_result(conn_, r, sql(), true);
        } catch (...) {
          PQclear(r);
          throw;
        }
      }
      // COMMIT of a transaction that had already failed: PostgreSQL rolls it
      // back and says so only in the command tag.
      if (s == PGRES_COMMAND_OK && std::string_view(PQcmdStatus(res_)) == "ROLLBACK" && is_commit(sql())) {
        clear();
        throw TransactionRollback("COMMIT rolled the transaction back: a statement in it had failed, so nothing was "
                                  "committed (SQLSTATE 25P02)",
                                  "25P02", sql(), false, "25P02");
      }
      rows_ = PQntuples(res_);
      row_.res = res_;
      row_.new_execution();
      next_ = 0;
      // Rows changed by INSERT/UPDATE/DELETE (with RETURNING too); 0 for a SELECT.
      const char* n = PQcmdTuples(res_);
      std::string_view tag = PQcmdStatus(res_);
      bool dml = tag.starts_with("INSERT") || tag.starts_with("UPDATE") || tag.starts_with("DELETE") || tag.starts_with("MERGE");
      changes_ = dml && n && *n ? std::strtoll(n, nullptr, 10) : 0;
    }
    if (next_ < rows_) {
      row_.row = next_++;
      return true;
    }
    return false;
  }
  const Row& row() const override { return row_; }
  void load_rows(const MemberLoad* loads, std::size_t n, const void* context, ObjectSink& sink) override {
    while (step()) {
      sink.last = sink.next(sink.state, row_);
      row_.load(loads, n, sink.last, context);
    }
  }
  void reset() override {
    if (sent_) drain();  // a cursor abandoned early: the rest of its rows are read off the wire
    clear();
    streaming_ = row_.streaming = false;
  }
  int64_t rows_affected() const override { return changes_; }
  int parameter_count() const override { return static_cast<int>(param_types_.size()); }

 private:
  static bool invalidated(const PGresult* r) {
    const char* st = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!st) return false;
    std::string_view state = st;
    if (state == "26000") return true;  // prepared statement does not exist
    const char* msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    return state == "0A000" && msg && std::string_view(msg).find("cached plan") != std::string_view::npos;
  }
  // Prepares this SQL again under a new name; true when its parameters kept
  // their types (the values already bound stay right), and then this
  // statement uses it.
  bool reprepare() {
    if (!owned_) return false;
    std::string fresh = name_ + "r";
    PGresult* r = PQprepare(conn_, fresh.c_str(), sql().c_str(), 0, nullptr);
    bool ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
    PQclear(r);
    if (!ok) return false;
    PGresult* d = PQdescribePrepared(conn_, fresh.c_str());
    ok = d && PQresultStatus(d) == PGRES_COMMAND_OK && PQnparams(d) == static_cast<int>(param_types_.size());
    for (std::size_t i = 0; ok && i < param_types_.size(); ++i) ok = PQparamtype(d, static_cast<int>(i)) == param_types_[i];
    if (ok) {
      column_types_.assign(static_cast<std::size_t>(PQnfields(d)), 0);
      for (std::size_t i = 0; i < column_types_.size(); ++i) column_types_[i] = PQftype(d, static_cast<int>(i));
      binary_results_ = true;
      for (Oid t : column_types_) binary_results_ = binary_results_ && decodable(t);
      row_.binary = binary_results_;
    }
    PQclear(d);
    PQclear(PQexec(conn_, ("DEALLOCATE " + (ok ? name_ : fresh)).c_str()));
    if (ok) name_ = std::move(fresh);
    return ok;
  }

  int nparams() const { return static_cast<int>(values_.size()); }
  int result_format() const { return binary_results_ ? 1 : 0; }
  // Runs the statement with the parameters bound, the whole result at once.
  PGresult* execute() {
    return PQexecPrepared(conn_, name_.c_str(), nparams(), values_.data(), lengths_.data(), formats_.data(),
                          result_format());
  }

  // Single-row mode: the query is sent, then each step takes one row.
  bool step_streaming() {
    if (!sent_) {
      changes_ = 0;
      if (!PQsendQueryPrepared(conn_, name_.c_str(), nparams(), values_.data(), lengths_.data(), formats_.data(),
                               result_format()))
        raise_result(conn_, nullptr, sql(), true);
      sent_ = true;
      PQsetSingleRowMode(conn_);
      row_.new_execution();
    }
    if (res_) PQclear(res_);
    res_ = nullptr;
    row_.res = nullptr;
    if (!sent_) return false;  // finished earlier
    PGresult* r = PQgetResult(conn_);
    ExecStatusType s = r ? PQresultStatus(r) : PGRES_COMMAND_OK;
    if (r && s == PGRES_SINGLE_TUPLE) {
      res_ = r;
      row_.res = r;
      row_.row = 0;
      return true;
    }
    // The end (an empty final result) or an error: read what remains so
    // the connection is free again.
    sent_ = false;
    if (r && s != PGRES_TUPLES_OK && s != PGRES_COMMAND_OK) {
      drain();
      try {
        raise_result(conn_, r, sql(), true);
      } catch (...) {
        PQclear(r);
        throw;
      }
    }
    PQclear(r);
    drain();
    return false;
  }
  void drain() {
    while (PGresult* r = PQgetResult(conn_)) PQclear(r);
    sent_ = false;
  }
  void clear() {
    if (res_) PQclear(res_);
    res_ = nullptr;
    row_.res = nullptr;
    rows_ = next_ = 0;
  }
  std::size_t slot(int idx) const {
    if (idx < 1 || static_cast<std::size_t>(idx) > param_types_.size())
      throw ProgrammingError(fmt::format("parameter {} out of range: the statement takes {}", idx, param_types_.size()), "", sql());
    return static_cast<std::size_t>(idx - 1);
  }
  [[noreturn]] void out_of_range(int idx, int64_t v, const char* type) const {
    throw DataError(fmt::format("{} is out of range for parameter {} (PostgreSQL type {})", v, idx, type), "22003", sql(),
                    false, "22003");
  }
  template <class T>
  void set_binary(std::size_t i, T v) {
    bufs_[i].resize(sizeof(T));  // within the small-string buffer: no allocation
    char* p = bufs_[i].data();
    put_be(p, v);
    values_[i] = p;
    lengths_[i] = sizeof(T);
    formats_[i] = 1;
  }
  void set_text(std::size_t i, std::string text) {
    bufs_[i] = std::move(text);
    point(i, bufs_[i], 0);
  }
  void point(std::size_t i, const std::string& b, int format) {
    values_[i] = b.c_str();
    lengths_[i] = static_cast<int>(b.size());
    formats_[i] = format;
  }
  // Whether `e` is of the kind the binary form of `elem` is written from.
  static bool binary_element(Oid elem, const Value& e) {
    using T = Value::Type;
    switch (elem) {
      case oid::kInt8: case oid::kInt4: case oid::kInt2: return e.type() == T::Int;
      case oid::kFloat8: case oid::kFloat4: return e.type() == T::Double || e.type() == T::Int;
      case oid::kBool: return e.type() == T::Bool;
      case oid::kDate: return e.type() == T::Date;
      case oid::kTimestamp: case oid::kTimestamptz: return e.type() == T::DateTime;
      case oid::kUuid: return e.type() == T::Uuid;
      case oid::kJsonb: return e.type() == T::Json || e.type() == T::String;
      case oid::kBytea: return e.type() == T::Bytes;
      default: return is_text_type(elem) && e.type() == T::String;
    }
  }
  // A one-dimensional array in PostgreSQL's text form: {"a","b",NULL}.
  std::string array_literal(const Array& v, int idx) const {
    std::string out = "{";
    for (std::size_t k = 0; k < v.size(); ++k) {
      if (k) out += ',';
      const Value& e = v[k];
      std::string t;
      switch (e.type()) {
        case Value::Type::Null: out += "NULL"; continue;
        case Value::Type::Bool: t = e.as_bool() ? "t" : "f"; break;
        case Value::Type::Int: t = std::to_string(e.as_int()); break;
        case Value::Type::Double: t = fmt::format("{}", e.as_double()); break;
        case Value::Type::String: t = e.as_string(); break;
        case Value::Type::Decimal: t = e.as_decimal().to_string(); break;
        case Value::Type::Date: t = e.as_date().to_string(); break;
        case Value::Type::DateTime: t = e.as_datetime().to_string(); break;
        case Value::Type::Uuid: t = e.as_uuid().to_string(); break;
        case Value::Type::Json: t = e.as_json().text(); break;
        case Value::Type::Bytes:
          t = "\\x";
          for (uint8_t c : e.as_bytes().vector()) t += fmt::format("{:02x}", c);
          break;
        case Value::Type::Array:
          throw NotSupportedError(fmt::format("parameter {}: arrays of arrays are not supported", idx), "0A000", sql());
      }
      out += '"';
      for (char c : t) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
    return out + "}";
  }
  void encode_element(std::string& b, Oid elem, const Value& e, int idx) {
    if (e.is_null()) return append_be<int32_t>(b, -1);
    auto fixed = [&](auto v) {
      append_be<int32_t>(b, sizeof(v));
      append_be(b, v);
    };
    switch (elem) {
      case oid::kInt8: return fixed(static_cast<int64_t>(e.as_int()));
      case oid::kInt4: {
        int64_t v = e.as_int();
        if (v < INT32_MIN || v > INT32_MAX) out_of_range(idx, v, "integer[]");
        return fixed(static_cast<int32_t>(v));
      }
      case oid::kInt2: {
        int64_t v = e.as_int();
        if (v < INT16_MIN || v > INT16_MAX) out_of_range(idx, v, "smallint[]");
        return fixed(static_cast<int16_t>(v));
      }
      case oid::kFloat8: return fixed(std::bit_cast<uint64_t>(e.is<double>() ? e.as_double() : static_cast<double>(e.as_int())));
      case oid::kFloat4: return fixed(std::bit_cast<uint32_t>(static_cast<float>(e.is<double>() ? e.as_double() : static_cast<double>(e.as_int()))));
      case oid::kBool: return fixed(static_cast<uint8_t>(e.as_bool()));
      case oid::kDate: return fixed(static_cast<int32_t>(e.as_date().days_since_epoch() - kPgEpochDays));
      case oid::kTimestamptz:
      case oid::kTimestamp: return fixed(static_cast<int64_t>(e.as_datetime().unix_micros() - kPgEpochMicros));
      case oid::kUuid:
        append_be<int32_t>(b, 16);
        b.append(reinterpret_cast<const char*>(e.as_uuid().bytes().data()), 16);
        return;
      case oid::kJsonb: {
        const std::string& t = e.is<Json>() ? e.as_json().text() : e.as_string();
        append_be<int32_t>(b, static_cast<int32_t>(t.size() + 1));
        b += '\1';
        b += t;
        return;
      }
      case oid::kNumeric:
        throw NotSupportedError("numeric[] parameters are not supported; use a text[] or float8[] array", "", sql());
      default: {  // text kinds and bytea: the bytes themselves
        std::string_view t = e.is<Bytes>() ? e.as_bytes().view() : std::string_view(e.as_string());
        append_be<int32_t>(b, static_cast<int32_t>(t.size()));
        b.append(t);
        return;
      }
    }
  }

  PGconn* conn_;
  std::shared_ptr<PgShared> shared_;
  std::string name_;
  std::vector<Oid> param_types_;
  std::vector<Oid> column_types_;
  bool owned_;  // a named statement this object DEALLOCATEs
  bool binary_results_ = true;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  std::vector<std::string> bufs_;
  PGresult* res_ = nullptr;
  bool streaming_ = false;  // this run goes row by row (a cursor)
  bool sent_ = false;       // a streamed query is in flight
  int rows_ = 0, next_ = 0;
  int64_t changes_ = 0;
  PgRow row_;
};

// ---------------------------------------------------------- connections
void quiet_notices(void*, const char*) {}

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const Url& url) {
    std::vector<std::pair<std::string, std::string>> kv;
    kv.emplace_back("host", url.host.empty() ? "127.0.0.1" : url.host);
    if (url.port) kv.emplace_back("port", std::to_string(url.port));
    if (!url.database.empty()) kv.emplace_back("dbname", url.database);
    if (!url.user.empty()) kv.emplace_back("user", url.user);
    if (!url.password.empty()) kv.emplace_back("password", url.password);
    // Settings the text forms depend on, pinned whatever the server's defaults.
    std::string options = "-c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex -c extra_float_digits=3";
    for (const auto& [k, v] : url.query) {
      if (k == "sslmode" || k == "sslrootcert" || k == "sslcert" || k == "sslkey" || k == "application_name" ||
          k == "connect_timeout" || k == "target_session_attrs")
        kv.emplace_back(k, v);
      else if (k == "search_path") {  // schemas, as PostgreSQL's setting: "app,public"
        for (char c : v)
          if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ',' || c == ' '))
            throw ConfigurationError("PostgreSQL URL option search_path takes schema names separated by commas, not '" +
                                     v + "'");
        std::string path;
        for (char c : v)
          if (c != ' ') path += c == ',' ? "\\," : std::string(1, c);
        options += " -c search_path=" + path;
      } else if (k == "statement_timeout") {
        int ms = 0;
        auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
        if (ec != std::errc() || p != v.data() + v.size() || ms < 0)
          throw ConfigurationError("PostgreSQL URL option statement_timeout must be milliseconds, not '" + v + "'");
        options += " -c statement_timeout=" + std::to_string(ms);
      }
    }
    kv.emplace_back("options", options);
    kv.emplace_back("client_encoding", "UTF8");
    std::vector<const char*> keys, values;
    for (const auto& [k, v] : kv) keys.push_back(k.c_str()), values.push_back(v.c_str());
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_ = PQconnectdbParams(keys.data(), values.data(), 0);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      PQfinish(conn_);
      conn_ = nullptr;
      // The message names host, port and user, never the password.
      throw OperationalError(fmt::format("cannot connect to PostgreSQL at {}: {}", url.redacted(), msg), "08001", "",
                             true, "08001");
    }
    PQsetNoticeProcessor(conn_, &quiet_notices, nullptr);
  }
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() override {
    shared_->alive = false;  // statements destroyed from here on send nothing
    clear_statement_cache();
    PQfinish(conn_);
  }

  const Dialect& dialect() const override { return postgres_dialect(); }
  // The protocol counts a statement's parameters in 16 bits (65535), but
  // libpq 15 reads a ParameterDescription (4 bytes a parameter) only up to
  // 30,000 bytes and drops the connection past it ("lost synchronization
  // with server: got message type "t""); every statement here is described
  // once when prepared, so 7,499 is the limit in practice.
  int max_parameters() const override { return 7499; }
  bool in_transaction() const override {
    PGTransactionStatusType s = PQtransactionStatus(conn_);
    return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
  }
  std::string begin_statement(const TransactionOptions& o) const override {
    std::string s = "BEGIN";
    switch (o.isolation) {
      case Isolation::Default: break;
      case Isolation::ReadCommitted: s += " ISOLATION LEVEL READ COMMITTED"; break;
      case Isolation::RepeatableRead: s += " ISOLATION LEVEL REPEATABLE READ"; break;
      case Isolation::Serializable: s += " ISOLATION LEVEL SERIALIZABLE"; break;
    }
    if (o.read_only) s += " READ ONLY";
    return s;
  }
  bool ping() noexcept override {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return false;
    return Connection::ping();
  }

 protected:
  // The unnamed statement: Parse and Execute, nothing to DEALLOCATE, no Describe.
  bool has_bulk_load() const override { return true; }
  bool reserve_keys(const std::string& table, const std::string& column, std::size_t n,
                    std::vector<int64_t>& keys) override {
    // The key column's own sequence (an identity column has one), n values
    // in one round trip; concurrent inserts draw others. The sequence is
    // looked up once (per row, pg_get_serial_sequence would cost ten times
    // the nextval).
    StatementHandle st = statement(
        "WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence($1, $2)::regclass AS s) "
        "SELECT nextval(q.s) FROM q, generate_series(1, $3)");
    st->bind_text(1, table);
    st->bind_text(2, column);
    st->bind_int(3, static_cast<int64_t>(n));
    keys.clear();
    keys.reserve(n);
    while (st->step()) {
      if (st->row().is_null(0)) return false;  // no sequence behind the column
      keys.push_back(st->row().get_int(0));
    }
    return keys.size() == n;
  }

  bool sequence_position(const std::string& table, const std::string& column, int64_t& key) override {
    // Its last value (anyone's, on disk), or before its start when nothing
    // was drawn yet: nothing is drawn, so a fresh table's keys start at 1.
    return sequence_value(
        "WITH q AS MATERIALIZED (SELECT pg_get_serial_sequence($1, $2)::regclass AS s) "
        "SELECT COALESCE(pg_sequence_last_value(q.s), "
        "(SELECT seqstart - seqincrement FROM pg_sequence WHERE seqrelid = q.s)) FROM q",
        table, column, key);
  }
  bool last_drawn_key(const std::string& table, const std::string& column, int64_t& key) override {
    return sequence_value("SELECT currval(pg_get_serial_sequence($1, $2))", table, column, key);
  }
  // The one value `sql` selects for (table, column); false when NULL.
  bool sequence_value(const std::string& sql, const std::string& table, const std::string& column, int64_t& key) {
    StatementHandle st = statement(sql);
    st->bind_text(1, table);
    st->bind_text(2, column);
    bool found = false;
    while (st->step())
      if (!st->row().is_null(0)) key = st->row().get_int(0), found = true;
    return found;
  }

  bool copy_rows(const std::string& target, const std::string& insert_sql, std::size_t rows,
                 FunctionRef<void(Binder&, std::size_t)> bind, FunctionRef<void(std::size_t)> sent) override {
    // Prepared and described (its parameters' types), and held for the
    // whole COPY: the connection is busy, so a statement run meanwhile
    // (from a progress callback, say) is a UsageError, not a libpq error.
    StatementHandle st = statement(insert_sql);
    auto* ps = static_cast<PgStatement*>(&*st);
    if (!ps->copyable()) return false;
    const std::string cmd = "COPY " + target + " FROM STDIN (FORMAT binary)";
    check_preparable(cmd);
    PGresult* r = PQexec(conn_, cmd.c_str());
    if (PQresultStatus(r) != PGRES_COPY_IN) {
      try {
        raise_result(conn_, r, cmd, true);
      } catch (...) {
        PQclear(r);
        throw;
      }
    }
    PQclear(r);
    std::string buf("PGCOPY\n\377\r\n\0", 11);
    append_be<int32_t>(buf, 0);  // flags
    append_be<int32_t>(buf, 0);  // header extension
    auto put = [&] {
      if (PQputCopyData(conn_, buf.data(), static_cast<int>(buf.size())) != 1) raise_result(conn_, nullptr, cmd, true);
      buf.clear();
    };
    try {
      for (std::size_t i = 0; i < rows; ++i) {
        bind(*ps, i);
        ps->append_copy_row(buf);
        if (buf.size() >= 65536) put();
        sent(i + 1);
      }
      append_be<int16_t>(buf, -1);
      put();
    } catch (...) {
      // Abandon the COPY (the server rolls the statement back) and read
      // its answer, so the connection is free for the caller's ROLLBACK.
      if (PQstatus(conn_) == CONNECTION_OK) {
        PQputCopyEnd(conn_, "covet: a row could not be sent");
        while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
      }
      throw;
    }
    if (PQputCopyEnd(conn_, nullptr) != 1) raise_result(conn_, nullptr, cmd, true);
    PGresult* done = PQgetResult(conn_);
    const bool ok = done && PQresultStatus(done) == PGRES_COMMAND_OK;
    if (ok) PQclear(done);
    while (PGresult* rest = PQgetResult(conn_)) PQclear(rest);
    if (!ok) {
      try {
        raise_result(conn_, done, cmd, true);
      } catch (...) {
        PQclear(done);
        throw;
      }
    }
    return true;
  }

  std::unique_ptr<Statement> prepare_once(const std::string& sql) override {
    check_preparable(sql);
    check_command(PQprepare(conn_, "", sql.c_str(), 0, nullptr), sql);
    return std::make_unique<PgStatement>(conn_, shared_, "", sql, std::vector<Oid>{}, std::vector<Oid>{}, false);
  }

  std::unique_ptr<Statement> prepare(const std::string& sql) override {
    check_preparable(sql);
    std::string name = "covet_" + std::to_string(++counter_);
    PGresult* r = PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr);
    check_command(r, sql);
    PGresult* d = PQdescribePrepared(conn_, name.c_str());
    if (!d || PQresultStatus(d) != PGRES_COMMAND_OK) {
      try {
        check_command(d, sql);
      } catch (...) {
        if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE)
          PQclear(PQexec(conn_, ("DEALLOCATE " + name).c_str()));
        throw;
      }
    }
    std::vector<Oid> params(static_cast<std::size_t>(PQnparams(d))), columns(static_cast<std::size_t>(PQnfields(d)));
    for (std::size_t i = 0; i < params.size(); ++i) params[i] = PQparamtype(d, static_cast<int>(i));
    for (std::size_t i = 0; i < columns.size(); ++i) columns[i] = PQftype(d, static_cast<int>(i));
    PQclear(d);
    return std::make_unique<PgStatement>(conn_, shared_, std::move(name), sql, std::move(params), std::move(columns), true);
  }

 private:
  void check_preparable(const std::string& sql) {
    if (sql.find('\0') != std::string::npos)
      throw ProgrammingError("the SQL text holds a NUL byte; values belong in parameters", "", sql);
    if (long n = highest_numbered_parameter(sql); n > max_parameters())
      throw ProgrammingError(fmt::format("the statement takes {} parameters; through libpq a statement may take at most "
                                         "{} (bulk operations split their batches under it)",
                                         n, max_parameters()),
                             "54000", sql);
    if (PQstatus(conn_) != CONNECTION_OK)
      throw OperationalError("the connection to the PostgreSQL server is gone and will not be reused", "08006", sql, true,
                             "08006");
    deallocate_dropped();
  }
  // The statements the cache dropped, deallocated in one simple query; only
  // outside a transaction block (a failure there would abort the user's
  // transaction), so inside one they wait.
  void deallocate_dropped() {
    auto& names = shared_->to_deallocate;
    if (names.empty() || PQtransactionStatus(conn_) != PQTRANS_IDLE) return;
    std::string sql;
    for (const std::string& n : names) sql += "DEALLOCATE " + n + ";";
    names.clear();
    PQclear(PQexec(conn_, sql.c_str()));
  }
  void check_command(PGresult* r, const std::string& sql) {
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
      PQclear(r);
      return;
    }
    try {
      // "cannot insert multiple commands into a prepared statement": one at a time.
      if (r && PQresultErrorField(r, PG_DIAG_SQLSTATE) && std::string_view(PQresultErrorField(r, PG_DIAG_SQLSTATE)) == "42601" &&
          std::string_view(PQresultErrorMessage(r)).find("multiple commands") != std::string_view::npos)
        throw ProgrammingError("one statement at a time: the SQL holds more than one statement", "42601", sql, false, "42601");
      raise_result(conn_, r, sql);
    } catch (...) {
      PQclear(r);
      throw;
    }
  }

  PGconn* conn_ = nullptr;
  std::shared_ptr<PgShared> shared_ = std::make_shared<PgShared>();
  uint64_t counter_ = 0;
};

class PgDriver final : public Driver {
 public:
  std::unique_ptr<Connection> connect(const Url& url) override { return std::make_unique<PgConnection>(url); }
  const Dialect& dialect() const override { return postgres_dialect(); }
  std::span<const std::string_view> url_options() const override { return kOptions; }

 private:
  static constexpr std::string_view kOptions[] = {"application_name", "connect_timeout",   "search_path",
                                                  "sslcert",          "sslkey",            "sslmode",
                                                  "sslrootcert",      "statement_timeout", "target_session_attrs"};
};

}  // namespace

Driver& postgres_driver() {
  static PgDriver d;
  return d;
}

}  // namespace covet
