// PostgreSQL: parameters are $1..$n; lookups mean what they mean on SQLite
// (contains/startswith/endswith case-sensitive with LIKE, the i-lookups
// ILIKE, LIKE metacharacters in user values escaped so they match
// literally); native types for every field kind (timestamptz, date, uuid,
// jsonb, numeric, bytea, boolean, arrays).
#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/sql/dialect.hpp"

namespace covet {

namespace {


std::string_view scalar_type(FieldKind k) {
  switch (k) {
    case FieldKind::Integer: return "integer";
    case FieldKind::BigInteger: return "bigint";
    case FieldKind::Float: return "double precision";
    case FieldKind::Decimal: return "numeric";
    case FieldKind::String: return "varchar";
    case FieldKind::Text: return "text";
    case FieldKind::Boolean: return "boolean";
    case FieldKind::Date: return "date";
    case FieldKind::DateTime: return "timestamptz";
    case FieldKind::Uuid: return "uuid";
    case FieldKind::Json: return "jsonb";
    case FieldKind::Binary: return "bytea";
    case FieldKind::Array: break;
  }
  return "text";
}

class PostgresDialect final : public Dialect {
 public:
  std::string_view name() const override { return "postgresql"; }

  void placeholder(std::string& out, std::size_t n) const override {
    out += '$';
    out += std::to_string(n);
  }
  // The column's type without its length or precision (varchar, not
  // varchar(20)): a cast to varchar(20) would cut a longer value where the
  // column itself refuses it.
  void typed_placeholder(std::string& out, std::size_t n, const FieldInfo& f) const override {
    out += "CAST(";
    placeholder(out, n);
    out += " AS ";
    std::string type = column_type(f);
    for (std::size_t open; (open = type.find('(')) != std::string::npos;) type.erase(open, type.find(')', open) - open + 1);
    out += type;
    out += ')';
  }
  bool returning_for_generated_keys() const override { return true; }

  void compile_filter(SqlWriter& w, const ModelInfo& m, const Filter& f) const override {
    const FieldInfo& fi = m.field(f.field);
    auto lhs = [&] {
      // Date parts of a timestamptz are taken in UTC (covet's DateTime is UTC).
      const char* part = f.transform == Transform::Year ? "YEAR" : f.transform == Transform::Month ? "MONTH" : "DAY";
      if (f.transform == Transform::None) {
        w.column(m, fi);
        return;
      }
      w.text("CAST(EXTRACT(").text(part).text(" FROM ").column(m, fi);
      if (fi.kind == FieldKind::DateTime) w.text(" AT TIME ZONE 'UTC'");
      w.text(") AS bigint)");
    };
    auto text = [&] { return f.value.as_string(); };
    auto like = [&](const char* op, std::string pattern) {
      lhs();
      w.text(op).param(std::move(pattern));
    };
    switch (f.lookup) {
      case Lookup::IExact: like(" ILIKE ", sql_like_escape(text())); return;
      case Lookup::IContains: like(" ILIKE ", "%" + sql_like_escape(text()) + "%"); return;
      case Lookup::IStartsWith: like(" ILIKE ", sql_like_escape(text()) + "%"); return;
      case Lookup::IEndsWith: like(" ILIKE ", "%" + sql_like_escape(text())); return;
      case Lookup::Contains: like(" LIKE ", "%" + sql_like_escape(text()) + "%"); return;
      case Lookup::StartsWith: like(" LIKE ", sql_like_escape(text()) + "%"); return;
      case Lookup::EndsWith: like(" LIKE ", "%" + sql_like_escape(text())); return;
      case Lookup::In:
        if (!f.value.as_array().empty() && in_list_as_array(f.transform == Transform::None ? fi.kind : FieldKind::BigInteger)) {
          lhs();
          w.text(" = ANY(").param(f.value).text(")");
          return;
        }
        compile_common_lookup(w, f, lhs);
        return;
      default:
        compile_common_lookup(w, f, lhs);
        return;
    }
  }

  bool casts_aggregates() const override { return true; }
  // The kinds whose arrays the driver encodes (not numeric[], json[], arrays of arrays).
  bool in_list_as_array(FieldKind k) const override {
    switch (k) {
      case FieldKind::Integer: case FieldKind::BigInteger: case FieldKind::Float: case FieldKind::Boolean:
      case FieldKind::String: case FieldKind::Text: case FieldKind::Uuid: case FieldKind::Date: case FieldKind::DateTime:
        return true;
      default:
        return false;
    }
  }

  void select_hint(SqlWriter& w, const ModelInfo& m, std::string_view index) const override {
    // pg_hint_plan reads it; without the extension it is a comment. Both
    // names are plain identifiers here (checked), so the comment cannot end early.
    for (char c : m.table)
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return;
    w.text("/*+ IndexScan(").text(m.table).text(" ").text(index).text(") */ ");
  }

  void compile_lock(SqlWriter& w, const QueryData& q) const override {
    w.text(" FOR UPDATE");
    if (q.lock_of_self) w.text(" OF ").ident(q.model->table);
    if (q.lock == RowLock::UpdateNowait) w.text(" NOWAIT");
    if (q.lock == RowLock::UpdateSkipLocked) w.text(" SKIP LOCKED");
  }

  void compile_limit(SqlWriter& w, const QueryData& q) const override {
    if (q.limit) w.text(" LIMIT ").param(*q.limit);
    if (q.offset) w.text(" OFFSET ").param(q.offset);
  }

  std::string column_type(const FieldInfo& f) const override {
    switch (f.kind) {
      case FieldKind::Decimal:
        return f.max_digits ? fmt::format("numeric({}, {})", f.max_digits, f.decimal_places) : "numeric";
      case FieldKind::String: return f.max_length ? fmt::format("varchar({})", f.max_length) : "varchar";
      case FieldKind::Array: {
        FieldKind e = f.codec->element_kind;
        if (e == FieldKind::Array) throw NotSupportedError("arrays of arrays are not supported");
        return std::string(scalar_type(e)) + "[]";
      }
      default: return std::string(scalar_type(f.kind));
    }
  }

  std::string column_definition(const ModelInfo& m, const FieldInfo& f) const override {
    std::string out = column_type(f);
    if (f.primary_key && m.primary_key.size() == 1 && f.auto_increment)
      return out + " GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
    out += f.null ? " NULL" : " NOT NULL";
    if (f.primary_key && m.primary_key.size() == 1) out += " PRIMARY KEY";
    if (f.unique && !f.primary_key) out += " UNIQUE";
    if (f.default_value && !f.default_value->is_null()) out += " DEFAULT " + literal(*f.default_value) + "::" + column_type(f);
    return out;
  }

  std::string literal(const Value& v) const override {
    if (v.type() == Value::Type::Bool) return v.as_bool() ? "true" : "false";
    if (v.type() == Value::Type::Array) {
      // An array literal: '{"a","b"}' with each element quoted and escaped.
      std::string s = "{";
      const Array& a = v.as_array();
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) s += ',';
        if (a[i].is_null()) {
          s += "NULL";
          continue;
        }
        std::string e = a[i].to_string();
        s += '"';
        for (char c : e) {
          if (c == '"' || c == '\\') s += '\\';
          s += c;
        }
        s += '"';
      }
      s += '}';
      std::string out = "'";
      for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
      }
      return out + "'";
    }
    if (v.type() == Value::Type::DateTime) return "'" + v.as_datetime().to_string() + "+00:00'";
    return Dialect::literal(v);
  }
};

}  // namespace

const Dialect& postgres_dialect() {
  static const PostgresDialect d;
  return d;
}

}  // namespace covet
