#pragma once
// The compiled, type-erased half of the ORM: everything QuerySet<T> and
// Model<T> do, written once against ModelInfo and void* objects. The typed
// templates in queryset.hpp / model.hpp only adapt to these.
//
// Each operation builds plans (plan.hpp: SQL text, a binder, a row sink)
// and hands them to run(), the synchronous executor; what happens between
// two plans (save(): UPDATE, then INSERT when nothing matched) is decided
// from the previous plan's result, never in the middle of I/O.
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/core/record.hpp"
#include "covet/db/cache.hpp"
#include "covet/db/database.hpp"
#include "covet/orm/plan.hpp"
#include "covet/query/query_data.hpp"
#include "covet/schema/field_kind.hpp"
#include "covet/sql/compiler.hpp"

namespace covet {

// How bulk_create writes (Django's batch_size, and a progress report).
struct BulkOptions {
  // Rows per INSERT statement; 0 lets covet choose (at most 1000). Either
  // way a statement stays under the backend's parameter limit.
  std::size_t batch_size = 0;
  // Called after each statement with the rows written so far and the total.
  std::function<void(std::size_t done, std::size_t total)> progress;
};

namespace detail {
// What a QuerySet holds: the executor it runs on (none for a query only
// compiled) and its query, in one shared block. A chained call on a
// temporary QuerySet moves one pointer and changes the block in place.
struct QueryState {
  QueryState() = default;
  QueryState(HeldExecutor e, const ModelInfo& m) : ex(std::move(e)), data(m) {}
  QueryState(std::optional<HeldExecutor> e, QueryData d) : ex(std::move(e)), data(std::move(d)) {}
  std::optional<HeldExecutor> ex;
  QueryData data;
};
// A block for objects(ex) on model m: its memory is the last block this
// thread freed when there is one, so a query built and run in a loop
// allocates none.
std::shared_ptr<QueryState> new_query_state(const Executor& ex, const ModelInfo& m);
// A copy of `s` (a chained call on a QuerySet others share), the same way.
std::shared_ptr<QueryState> copy_query_state(const QueryState& s);
// `q` on another executor (the same query inside a transaction).
std::shared_ptr<QueryState> copy_query_state(const Executor& ex, const QueryData& q);
}  // namespace detail

}  // namespace covet

namespace covet::orm {

// Row → struct members, for the fields in `columns` (result column i holds
// field columns[i]). Whole objects (the model's all_columns) load in one
// driver call, inline; partial column lists and unreadable values take
// hydrate_columns, which names the column that failed.
void hydrate_columns(const ModelInfo& m, const std::vector<int>& columns, const Row& row, void* obj);
inline void hydrate(const ModelInfo& m, const std::vector<int>& columns, const Row& row, void* obj) {
  if (&columns == m.all_columns.get()) {
    try {
      row.load(m.loads.data(), columns.size(), obj, &m);
      return;
    } catch (const InvalidArgument&) {
      // hydrate_columns reports which column could not be read
    }
  }
  hydrate_columns(m, columns, row, obj);
}
// One column as a Value of its field's kind.
Value read_value(const FieldInfo& f, const Row& row, int col);

// Instances.
void save(const Executor& ex, const ModelInfo& m, void* obj);
// Saves only `fields` (partial objects from only()/defer()); the key must be loaded.
void save_fields(const Executor& ex, const ModelInfo& m, void* obj, const std::vector<int>& fields);
void insert(const Executor& ex, const ModelInfo& m, void* obj);
// `count` objects `stride` bytes apart from `first`: multi-row INSERTs in
// one transaction level (see QuerySet::bulk_create).
void bulk_create(const Executor& ex, const ModelInfo& m, void* first, std::size_t count, std::size_t stride,
                 const BulkOptions& options);
void bulk_upsert(const Executor& ex, const ModelInfo& m, void* first, std::size_t count, std::size_t stride,
                 const std::vector<std::string>& conflict_target, const std::vector<std::string>& update_fields,
                 const BulkOptions& options);
// Returns the rows matched.
int64_t bulk_update(const Executor& ex, const ModelInfo& m, void* first, std::size_t count, std::size_t stride,
                    const std::vector<std::string>& fields, const BulkOptions& options);
void remove(const Executor& ex, const ModelInfo& m, void* obj);
void refresh(const Executor& ex, const ModelInfo& m, void* obj);
// Checks what the database may not (max_length in characters, choices,
// a Decimal's max_digits / decimal_places):
// throws ValidationError with every problem at once.
// Only the fields in `subset` when one is given (partial saves).
void validate_for_write(const ModelInfo& m, const void* obj, const std::vector<int>* subset = nullptr);
// Resolves name → value assignments: names checked (FieldError), values
// converted to the fields' kinds, a field named twice refused
// (InvalidArgument). `what` names the call in messages ("update()").
std::vector<std::pair<int, Value>> resolve_assignments(const ModelInfo& m, KwargsView kwargs, std::string_view what);
// Sets fields by name (kwargs), converting the values; applies defaults
// for the fields not named when `apply_defaults`.
void assign(const ModelInfo& m, void* obj, KwargsView kwargs, bool apply_defaults);
// Sets the fields a get_or_create() lookup names exactly ("name" or
// "name__exact"); other lookups ("name__icontains") set nothing, and
// fields named in `defaults` keep the default (Django's rules).
void assign_from_lookup(const ModelInfo& m, void* obj, KwargsView lookup, KwargsView defaults = {});

// select_related(): where each related object's columns start in a row,
// and which object holds it.
struct RelatedSegment {
  const ModelInfo* model;
  const RelationInfo* relation;  // the member of the parent object that holds it
  int parent;                    // -1: the query's object, else an earlier segment
  int first_column;
  int key_column;                // its primary key's column: NULL when there is no related row
};
std::vector<RelatedSegment> related_segments(const QueryData& q, std::size_t base_columns);
// Loads the related objects of one row into `obj` (already loaded with its
// own columns).
void load_related(const std::vector<RelatedSegment>& segments, const Row& row, void* obj);
// prefetch_related: loads every relation on each path for the objects (of
// model m), one query per relation (per chunk of keys under the backend's
// parameter limit), at any depth.
void prefetch(const Executor& ex, const ModelInfo& m, const std::vector<void*>& objs,
              const std::vector<std::string>& paths);

// A ManyToMany relation's pairs for the object whose key is `owner`:
// add (pairs already there are kept, each target once), remove (returns
// pairs removed), clear, set (exactly `targets` afterwards), each in one
// transaction.
void m2m_add(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner,
             const std::vector<Value>& targets);
int64_t m2m_remove(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner,
                   const std::vector<Value>& targets);
int64_t m2m_clear(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner);
void m2m_set(const Executor& ex, const ModelInfo& m, const RelationInfo& r, const Value& owner,
             const std::vector<Value>& targets);

// ProtectedError when rows of another model refer to a row `doomed`
// matches through a relation declared on_delete(Protect).
void check_protected(const Executor& ex, const QueryData& doomed);

// values()/values_list(): each row's selected values, in the order of q.values.
void fetch_values(const Executor& ex, const QueryData& q, FunctionRef<void(std::vector<Value>&&)> on_row);
std::shared_ptr<const std::vector<std::string>> value_names(const QueryData& q);
std::vector<Value> read_values(const QueryData& q, const Row& row);
// The first column of a model query's annotations (after the model's,
// select_related's and extra columns), and the annotations of one row.
int annotation_column(const QueryData& q, std::size_t base_columns);
std::vector<Value> read_annotations(const QueryData& q, const Row& row, int first);
// aggregate(): one row of named results.
Record aggregate(const Executor& ex, const QueryData& q, const std::vector<std::pair<std::string, Expr>>& exprs);
// aggregate() through the query cache: what names the aggregates (their
// SQL and parameters) and the tables they read (their joins and subqueries too).
struct AggregateCacheInfo {
  std::string what;
  std::vector<std::string> tables;
};
AggregateCacheInfo aggregate_cache_info(const Executor& ex, const QueryData& q,
                                        const std::vector<std::pair<std::string, Expr>>& exprs);

// Model::raw(): runs `sql` (its own placeholders, values bound) and loads
// each row into the object `next` gives, matching result columns to the
// model's columns by name; columns the model lacks are ignored, fields the
// result lacks keep their initial values.
void raw(const Executor& ex, const ModelInfo& m, const std::string& sql, const std::vector<Value>& params,
         FunctionRef<void*()> next);

// The query cache (db/cache.hpp): the key of a query's result — the
// database, the terminal (`what`), the SQL and its parameters — or empty
// when it is not to be cached (no cache(ttl), or inside a transaction).
std::string cache_key(const Executor& ex, const QueryData& q, QueryKind kind, std::string_view what);
// The tables a query reads (its model's, the joined ones, subqueries').
std::vector<std::string> tables_read(const QueryData& q);
// After a write through covet to m's table: drops the cached results that
// read it (a delete also those of the tables whose rows cascade or are
// set NULL with it).
void invalidate_after_write(const ModelInfo& m, bool deleting = false);

// QuerySet terminals.
// Runs the SELECT; `columns` is set to the result's model fields before the
// first row reaches `on_row` (one indirect call per row).
void fetch(const Executor& ex, const QueryData& q, const std::vector<int>*& columns, FunctionRef<void(const Row&)> on_row);
// Runs the SELECT and loads each row into the object `sink` gives for it:
// the whole result in one driver call (Statement::load_rows).
void fetch_objects(const Executor& ex, const QueryData& q, ObjectSink& sink);
int64_t count(const Executor& ex, const QueryData& q);
bool exists(const Executor& ex, const QueryData& q);
int64_t update(const Executor& ex, const QueryData& q, KwargsView sets);
// update() with expressions: `values` as above, and each of `exprs` set
// from an expression of the row, in one statement.
int64_t update(const Executor& ex, const QueryData& q, KwargsView values,
               const std::vector<std::pair<std::string_view, const Expr*>>& exprs);
int64_t remove(const Executor& ex, const QueryData& q);
std::vector<int> field_indexes(const ModelInfo& m, std::initializer_list<std::string_view> names);

// A query's rows, one at a time, while the caller iterates (no list built).
// Holds the database connection until destroyed.
class RowCursor {
 public:
  RowCursor(const Executor& ex, const QueryData& q);
  RowCursor(RowCursor&&) noexcept = default;
  bool next();
  const Row& row() const { return st_->row(); }
  const std::vector<int>& columns() const { return *compiled_.columns; }
  bool loads_related() const { return !related_.empty(); }
  // Loads the current row's select_related objects into `obj`.
  void load_related(void* obj) const {
    if (!related_.empty()) orm::load_related(related_, st_->row(), obj);
  }

 private:
  HeldExecutor ex_;  // keeps the database (or transaction) alive while the cursor is open
  Lease lease_;
  CompiledQuery compiled_;
  StatementHandle st_;
  std::vector<RelatedSegment> related_;
};

[[noreturn]] void throw_unbound();
// Django's rule: filter/exclude/order_by after limit()/offset() is refused.
[[noreturn]] void throw_sliced(std::string_view what);
[[noreturn]] void throw_does_not_exist(const ModelInfo& m, const QueryData& q);
[[noreturn]] void throw_multiple(const ModelInfo& m, int64_t n);

}  // namespace covet::orm
