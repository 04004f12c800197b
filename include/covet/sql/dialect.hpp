#pragma once
// Dialect: what differs between SQL backends — quoting, placeholders, column
// types, how each lookup is written. The compiler (compiler.hpp) builds
// statements from QueryData and asks the dialect for these pieces.
//
// Rule for implementers: compile_filter() may branch only on what the shape
// key records (field, transform, lookup, whether the value is NULL, the
// number of values of in/range), because compiled SQL is cached by shape.
// And for exact (not NULL), gt, gte, lt and lte without a transform it binds
// exactly one parameter, the filter's value: a cache hit collects the
// parameters of those without asking the dialect.
#include <string>
#include <string_view>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/query/query_data.hpp"
#include "covet/schema/model_info.hpp"

namespace covet {

class Dialect;

// Writes SQL text and/or collects parameters. With sql == nullptr only the
// parameters are collected (the compiled text came from the cache).
class SqlWriter {
 public:
  SqlWriter(const Dialect& d, std::string* sql, std::vector<Value>* params) : d_(d), sql_(sql), params_(params) {}
  SqlWriter& text(std::string_view s) {
    if (sql_) sql_->append(s);
    return *this;
  }
  // Inline so that the parameters-only pass (sql_ null) costs nothing here.
  SqlWriter& ident(std::string_view id) {
    if (sql_) write_ident(id);
    return *this;
  }
  SqlWriter& column(const ModelInfo& m, const FieldInfo& f) {  // "table"."column"
    if (columns_) (*columns_)(f);  // an annotation: its expression
    else if (sql_) write_column(m, f);
    return *this;
  }
  // Who writes column() from now on, in place of "table"."column" (the
  // compiler, for conditions on annotations); null: the columns themselves.
  void write_columns_with(FunctionRef<void(const FieldInfo&)>* f) { columns_ = f; }
  SqlWriter& param(Value&& v) {
    params_->push_back(std::move(v));
    if (sql_) write_placeholder();
    return *this;
  }
  SqlWriter& param(const Value& v) {
    params_->push_back(v);
    if (sql_) write_placeholder();
    return *this;
  }
  bool writing_sql() const { return sql_ != nullptr; }
  const Dialect& dialect() const { return d_; }
  // The table name or alias column() qualifies columns with from now on
  // (empty: the model's table).
  void qualify(std::string_view table) { qual_ = table; }

 private:
  void write_ident(std::string_view id);
  void write_column(const ModelInfo& m, const FieldInfo& f);
  void write_placeholder();
  const Dialect& d_;
  std::string* sql_;
  std::vector<Value>* params_;
  std::string_view qual_;
  FunctionRef<void(const FieldInfo&)>* columns_ = nullptr;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string_view name() const = 0;
  // How an INSERT hands back the key the database generated: with
  // RETURNING (PostgreSQL), or — false — read from the connection right
  // after the statement (SQLite's rowid: RETURNING makes every single-row
  // INSERT about 3x slower there, 425 ms against 140 ms for 100k rows on
  // SQLite 3.40, because it materialises the returned rows first).
  virtual bool returning_for_generated_keys() const { return true; }
  // Appends a quoted identifier; throws ProgrammingError for one that cannot be quoted.
  virtual void quote_identifier(std::string& out, std::string_view id) const;
  // Appends the placeholder for the n-th (1-based) parameter.
  virtual void placeholder(std::string& out, std::size_t n) const = 0;
  // The same where the server cannot infer the parameter's type from its
  // place (a CASE branch): PostgreSQL writes CAST($n AS <f's column type>).
  virtual void typed_placeholder(std::string& out, std::size_t n, const FieldInfo& /*f*/) const { placeholder(out, n); }
  // Appends the text of one filter (without negation).
  virtual void compile_filter(SqlWriter& w, const ModelInfo& m, const Filter& f) const = 0;
  // What follows an ORDER BY term on a nullable column so that NULLs sort
  // as PostgreSQL sorts them on every backend: last ascending, first
  // descending ("" where that is the engine's default).
  virtual std::string_view nulls_order(bool) const { return ""; }
  // An index hint: written before the select list (`select_hint`, a
  // pg_hint_plan comment) or after the table in FROM (`from_hint`, SQLite's
  // INDEXED BY). `index` is a checked identifier.
  virtual void select_hint(SqlWriter&, const ModelInfo&, std::string_view /*index*/) const {}
  virtual void from_hint(SqlWriter&, const ModelInfo&, std::string_view /*index*/) const {}
  // Whether aggregates are cast to their result's column type
  // (PostgreSQL: SUM(bigint) is numeric, AVG(integer) numeric).
  virtual bool casts_aggregates() const { return false; }
  // Whether `field IN (list)` on a field of this kind is written with the
  // list as one array parameter (PostgreSQL's = ANY($1)): one statement
  // shape whatever the list's length.
  virtual bool in_list_as_array(FieldKind) const { return false; }
  // The row-lock clause of a SELECT (select_for_update); the default refuses
  // it with NotSupportedError naming the dialect.
  virtual void compile_lock(SqlWriter& w, const QueryData& q) const;
  // LIMIT/OFFSET clause; limit may be absent while offset is not.
  virtual void compile_limit(SqlWriter& w, const QueryData& q) const = 0;

  // DDL pieces.
  virtual std::string column_type(const FieldInfo& f) const = 0;
  // The column definition, without its name.
  virtual std::string column_definition(const ModelInfo& m, const FieldInfo& f) const = 0;
  // A literal for DDL DEFAULT (values cannot be bound in DDL); escaped.
  virtual std::string literal(const Value& v) const;

 protected:
  // The lookups every SQL dialect writes alike: comparisons, IS [NOT] NULL,
  // BETWEEN, IN (an empty list matches nothing); `lhs` writes the column.
  void compile_common_lookup(SqlWriter& w, const Filter& f, FunctionRef<void()> lhs) const;
};

// A LIKE pattern matching `s` literally (%, _ and \ escaped with \).
std::string sql_like_escape(std::string_view s);

// The dialect of each backend (one static instance each).
const Dialect& sqlite_dialect();
const Dialect& postgres_dialect();

}  // namespace covet
