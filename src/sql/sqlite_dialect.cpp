// SQLite: the embedded default. Lookups mean what they mean on every other
// backend: contains/startswith/endswith are case-sensitive (GLOB, with its
// metacharacters escaped), the i-lookups are case-insensitive (LIKE with
// ESCAPE; SQLite folds ASCII letters only), LIKE/GLOB metacharacters in user
// values always match literally. SQLite's LIKE folds ASCII only, so the
// i-lookups fold both sides with covet_fold() (registered by the driver,
// core/text.hpp) and agree with PostgreSQL's ILIKE on accented, Greek and
// Cyrillic letters too.
#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/sql/dialect.hpp"

namespace covet {

namespace {


std::string glob_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[') {
      out += '[';
      out += c;
      out += ']';
    } else {
      out += c;
    }
  }
  return out;
}

class SqliteDialect final : public Dialect {
 public:
  std::string_view name() const override { return "sqlite"; }

  void placeholder(std::string& out, std::size_t) const override { out += '?'; }
  bool returning_for_generated_keys() const override { return false; }
  // SQLite sorts NULLs first ascending; PostgreSQL (and so covet) last.
  std::string_view nulls_order(bool descending) const override { return descending ? " NULLS FIRST" : " NULLS LAST"; }

  void compile_filter(SqlWriter& w, const ModelInfo& m, const Filter& f) const override {
    const FieldInfo& fi = m.field(f.field);
    auto lhs = [&] {
      switch (f.transform) {
        case Transform::None: w.column(m, fi); break;
        case Transform::Year: w.text("CAST(strftime('%Y', ").column(m, fi).text(") AS INTEGER)"); break;
        case Transform::Month: w.text("CAST(strftime('%m', ").column(m, fi).text(") AS INTEGER)"); break;
        case Transform::Day: w.text("CAST(strftime('%d', ").column(m, fi).text(") AS INTEGER)"); break;
      }
    };
    auto text = [&] { return f.value.as_string(); };
    // i-lookups: covet_fold(column) LIKE <folded, escaped pattern>.
    auto ilike = [&](std::string pattern) {
      w.text("covet_fold(");
      lhs();
      w.text(") LIKE ").param(std::move(pattern)).text(" ESCAPE '\\'");
    };
    auto folded = [&] { return sql_like_escape(casefold(text())); };
    switch (f.lookup) {
      case Lookup::IExact: ilike(folded()); return;
      case Lookup::IContains: ilike("%" + folded() + "%"); return;
      case Lookup::IStartsWith: ilike(folded() + "%"); return;
      case Lookup::IEndsWith: ilike("%" + folded()); return;
      case Lookup::Contains: lhs(); w.text(" GLOB ").param("*" + glob_escape(text()) + "*"); return;
      case Lookup::StartsWith: lhs(); w.text(" GLOB ").param(glob_escape(text()) + "*"); return;
      case Lookup::EndsWith: lhs(); w.text(" GLOB ").param("*" + glob_escape(text())); return;
      default:
        compile_common_lookup(w, f, lhs);
        return;
    }
  }

  void compile_limit(SqlWriter& w, const QueryData& q) const override {
    w.text(" LIMIT ");
    if (q.limit) w.param(*q.limit);
    else w.text("-1");
    if (q.offset) w.text(" OFFSET ").param(q.offset);
  }

  std::string column_type(const FieldInfo& f) const override {
    switch (f.kind) {
      case FieldKind::Integer: return "integer";
      case FieldKind::BigInteger: return "bigint";
      case FieldKind::Float: return "real";
      case FieldKind::Decimal: return f.max_digits ? fmt::format("decimal({}, {})", f.max_digits, f.decimal_places) : "decimal";
      case FieldKind::String: return fmt::format("varchar({})", f.max_length);
      case FieldKind::Text: return "text";
      case FieldKind::Boolean: return "bool";
      case FieldKind::Date: return "date";
      case FieldKind::DateTime: return "datetime";
      case FieldKind::Uuid: return "char(36)";
      case FieldKind::Json: return "text";
      case FieldKind::Array: return "text";
      case FieldKind::Binary: return "blob";
    }
    return "blob";
  }

  void from_hint(SqlWriter& w, const ModelInfo&, std::string_view index) const override {
    w.text(" INDEXED BY ").ident(index);
  }

  std::string column_definition(const ModelInfo& m, const FieldInfo& f) const override {
    std::string out = column_type(f);
    out += f.null ? " NULL" : " NOT NULL";
    if (f.primary_key && m.primary_key.size() == 1) {
      out += " PRIMARY KEY";
      if (f.auto_increment) {
        out = "integer NOT NULL PRIMARY KEY AUTOINCREMENT";
      }
    }
    if (f.unique && !f.primary_key) out += " UNIQUE";
    if (f.default_value && !f.default_value->is_null()) out += " DEFAULT " + literal(*f.default_value);
    std::string col;
    quote_identifier(col, f.column);
    if (f.kind == FieldKind::Json || f.kind == FieldKind::Array) out += " CHECK (json_valid(" + col + "))";
    if (f.kind == FieldKind::Boolean) out += " CHECK (" + col + " IN (0, 1))";
    return out;
  }
};

}  // namespace

const Dialect& sqlite_dialect() {
  static const SqliteDialect d;
  return d;
}

}  // namespace covet
