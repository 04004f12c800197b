#pragma once
// Compiles QueryData into SQL text + bound parameters for a dialect. The text
// of each query shape is compiled once and cached process-wide; a repeated
// shape only collects its parameters.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "covet/query/query_data.hpp"
#include "covet/sql/dialect.hpp"

namespace covet {

struct CompiledQuery {
  std::shared_ptr<const std::string> sql;
  std::vector<Value> params;
  // SELECT: the model fields of each result column (every field: shared
  // with the ModelInfo, no copy).
  std::shared_ptr<const std::vector<int>> columns;

  CompiledQuery();
  CompiledQuery(CompiledQuery&&) noexcept = default;
  CompiledQuery& operator=(CompiledQuery&&) noexcept = default;
  CompiledQuery(const CompiledQuery&) = default;
  CompiledQuery& operator=(const CompiledQuery&) = default;
  // The parameter list's storage goes back to a per-thread spare, so a
  // repeated query allocates none.
  ~CompiledQuery();
};

enum class QueryKind : uint8_t { Select, Count, Exists, Delete };

CompiledQuery compile_query(const Dialect& d, const QueryData& q, QueryKind kind);
// compile_query(d, q, Select) for a caller that runs the query at once and
// compiles nothing else on this thread before it is done with the result
// (all()): when the text is this thread's last query's, it is borrowed from
// the thread's cache slot instead of shared (no reference count changed).
CompiledQuery compile_select_transient(const Dialect& d, const QueryData& q);
// SELECT aggregate AS name, ... over the rows the query matches (one row).
CompiledQuery compile_aggregate(const Dialect& d, const QueryData& q, const std::vector<Annotation>& aggregates);
// UPDATE ... SET field = value, ... for the rows the query matches.
// `exprs` are set from expressions of the row (F("views") + 1), after `sets`.
CompiledQuery compile_update(const Dialect& d, const QueryData& q, const std::vector<std::pair<int, Value>>& sets,
                             const std::vector<std::pair<int, RExpr>>& exprs = {});

// Per-model statements (text only; cached per dialect and model). The
// returned strings are never freed: they live as long as the process.
// INSERT of every column; an auto-increment primary key only when asked.
// save() asks for it on every call: the model keeps a pointer to its last
// (dialect, text) pair, so the common case is one load and a compare.
namespace detail {
struct InsertSqlSlot {
  const Dialect* dialect;
  const std::string* sql;
};
const std::string& insert_sql_lookup(const Dialect& d, const ModelInfo& m, bool with_auto_pk);
}  // namespace detail
inline const std::string& insert_sql(const Dialect& d, const ModelInfo& m, bool with_auto_pk = false) {
  if (!with_auto_pk) {
    const void* p = std::atomic_ref<const void*>(m.insert_sql_slot).load(std::memory_order_acquire);
    if (auto* slot = static_cast<const detail::InsertSqlSlot*>(p); slot && slot->dialect == &d) [[likely]]
      return *slot->sql;
  }
  return detail::insert_sql_lookup(d, m, with_auto_pk);
}
// INSERT of `rows` rows in one statement (bulk_create): the fields
// insert_fields(m, with_auto_pk) for each row in turn, then RETURNING the
// primary key when `returning_key` (every backend covet supports has it:
// SQLite since 3.35).
// `conflict` (an upsert_clause) goes before RETURNING.
std::string bulk_insert_sql(const Dialect& d, const ModelInfo& m, bool with_auto_pk, std::size_t rows,
                            bool returning_key, std::string_view conflict = {});
// " ON CONFLICT (target columns) DO UPDATE SET f = EXCLUDED.f, ..." (SQLite
// and PostgreSQL spell it alike).
std::string upsert_clause(const Dialect& d, const ModelInfo& m, const std::vector<int>& target,
                          const std::vector<int>& update);
// UPDATE of `fields` for `rows` objects in one statement: per field
// CASE pk WHEN ? THEN ? ... ELSE field END (parameters: pk and value per
// row, field after field), WHERE pk IN (the rows' keys).
std::string bulk_update_sql(const Dialect& d, const ModelInfo& m, const std::vector<int>& fields, std::size_t rows);
// The fields insert_sql binds, in order.
std::vector<int> insert_fields(const ModelInfo& m, bool with_auto_pk = false);
// UPDATE of `fields` WHERE primary key = ?; the fields come first in the
// parameters, then the key columns.
std::string update_by_pk_sql(const Dialect& d, const ModelInfo& m, const std::vector<int>& fields);
// The same for every non-key field, cached.
const std::string& update_all_by_pk_sql(const Dialect& d, const ModelInfo& m);
std::vector<int> non_pk_fields(const ModelInfo& m);
const std::string& delete_by_pk_sql(const Dialect& d, const ModelInfo& m);
const std::string& select_by_pk_sql(const Dialect& d, const ModelInfo& m);
const std::string& exists_by_pk_sql(const Dialect& d, const ModelInfo& m);

// DDL for one model: CREATE TABLE then its indexes, each a statement.
std::vector<std::string> create_table_sql(const Dialect& d, const ModelInfo& m, bool if_not_exists = true);
std::string drop_table_sql(const Dialect& d, const ModelInfo& m, bool if_exists = true);

struct CompileCacheStats {
  uint64_t hits;
  uint64_t misses;
  uint64_t checked;  // compiles checked against a fresh one (set_compile_cache_check)
};
CompileCacheStats compile_cache_stats();

// The shape cache's self-check (DESIGN.md: "a test mode recompiles on every
// cache hit and compares the text"): with it on, every compile also writes
// the SQL afresh and compares the text and the parameters with what the
// cache and the key walk gave; a difference (a shape key that misses a
// decision the text depends on) ends the process with both texts on
// stderr (an exception could be caught by a test expecting an error).
// A test mode: built only with -DCOVET_CHECK_COMPILE_CACHE=ON (the dev,
// tsan and fuzz presets; a release build has not even its branch, and
// set_compile_cache_check(true) there is a ConfigurationError). Off until
// switched on, or until the first compile when the environment has
// COVET_CHECK_COMPILE_CACHE=1, as every test under CTest does.
void set_compile_cache_check(bool on);
bool compile_cache_check();

}  // namespace covet
