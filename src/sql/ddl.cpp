#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/sql/compiler.hpp"

namespace covet {

namespace {
// A relation's key column: REFERENCES the target's primary key, with the
// on_delete action (Protect is RESTRICT in the database; covet refuses the
// delete first with a clearer error).
void references(const Dialect& d, const RelationInfo& r, std::string& sql) {
  const ModelInfo& target = r.target();
  if (target.primary_key.size() != 1)
    throw ConfigurationError(fmt::format("{}: a relation to {} needs a single-column primary key there", r.name, target.name));
  sql += " REFERENCES ";
  d.quote_identifier(sql, target.table);
  sql += " (";
  d.quote_identifier(sql, target.field(target.primary_key[0]).column);
  sql += ")";
  switch (r.on_delete) {
    case OnDelete::Cascade: sql += " ON DELETE CASCADE"; break;
    case OnDelete::Protect:
    case OnDelete::Restrict: sql += " ON DELETE RESTRICT"; break;
    case OnDelete::SetNull: sql += " ON DELETE SET NULL"; break;
    case OnDelete::SetDefault: sql += " ON DELETE SET DEFAULT"; break;
    case OnDelete::DoNothing: break;
  }
}
}  // namespace

std::vector<std::string> create_table_sql(const Dialect& d, const ModelInfo& m, bool if_not_exists) {
  std::vector<std::string> out;
  std::string sql = if_not_exists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ";
  d.quote_identifier(sql, m.table);
  sql += " (";
  for (std::size_t i = 0; i < m.fields.size(); ++i) {
    if (i) sql += ", ";
    d.quote_identifier(sql, m.fields[i].column);
    sql += ' ';
    sql += d.column_definition(m, m.fields[i]);
    if (const RelationInfo* r = m.fields[i].relation.get()) references(d, *r, sql);
  }
  auto column_list = [&](std::string& s, const std::vector<int>& fields) {
    s += '(';
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) s += ", ";
      d.quote_identifier(s, m.field(fields[i]).column);
    }
    s += ')';
  };
  if (m.primary_key.size() > 1) {
    sql += ", PRIMARY KEY ";
    column_list(sql, m.primary_key);
  }
  for (const auto& u : m.unique_constraints) {
    sql += ", CONSTRAINT ";
    d.quote_identifier(sql, u.name);
    sql += " UNIQUE ";
    column_list(sql, u.fields);
  }
  for (const auto& c : m.checks) {
    sql += ", CONSTRAINT ";
    d.quote_identifier(sql, c.name);
    sql += " CHECK (" + c.sql + ")";
  }
  sql += ")";
  out.push_back(std::move(sql));

  auto index = [&](const std::string& name, const std::vector<std::pair<int, bool>>& cols, bool unique) {
    std::string s = unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ";
    if (if_not_exists) s += "IF NOT EXISTS ";
    d.quote_identifier(s, name);
    s += " ON ";
    d.quote_identifier(s, m.table);
    s += " (";
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) s += ", ";
      d.quote_identifier(s, m.field(cols[i].first).column);
      if (cols[i].second) s += " DESC";
    }
    s += ")";
    out.push_back(std::move(s));
  };
  for (const FieldInfo& f : m.fields) {
    if (f.index && !f.unique && !f.primary_key)
      index(fmt::format("{}_{}_idx", m.table, f.column), {{m.find(f.name), false}}, false);
  }
  for (const auto& idx : m.indexes) index(idx.name, idx.fields, idx.unique);
  return out;
}

std::string drop_table_sql(const Dialect& d, const ModelInfo& m, bool if_exists) {
  std::string sql = if_exists ? "DROP TABLE IF EXISTS " : "DROP TABLE ";
  d.quote_identifier(sql, m.table);
  return sql;
}

}  // namespace covet
