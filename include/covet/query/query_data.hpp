#pragma once
// The resolved, model-checked form of a query: the expression tree the SQL
// compilers read. Built by QuerySet; immutable once built.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/core/value.hpp"
#include "covet/query/expr.hpp"
#include "covet/query/q.hpp"
#include "covet/schema/model_info.hpp"

namespace covet {

enum class Lookup : uint8_t {
  Exact, IExact, Contains, IContains, StartsWith, IStartsWith, EndsWith, IEndsWith,
  Gt, Gte, Lt, Lte, In, IsNull, Range,
};
enum class Transform : uint8_t { None, Year, Month, Day };

std::string_view to_string(Lookup l);
std::string_view to_string(Transform t);

struct QueryData;
struct WhereNode;

// An expression resolved against a query: columns are (alias, field),
// relation spans have joined, and its result has a kind.
struct RExpr {
  Expr::Kind kind = Expr::Kind::Literal;
  uint16_t alias = 0;  // Field
  int field = -1;      // Field
  int annotation = -1; // Field naming an annotation: refers to it
  Value value;         // Literal
  AggFunc agg = AggFunc::Count;
  bool distinct = false;
  bool star = false;   // COUNT(*)
  std::shared_ptr<const WhereNode> filter;  // Aggregate: FILTER (WHERE ...)
  ExprFunc func = ExprFunc::Coalesce;
  BinOp op = BinOp::Add;
  std::vector<RExpr> args;
  std::vector<std::pair<std::shared_ptr<const WhereNode>, RExpr>> whens;  // Case
  bool aggregate = false;  // contains an aggregate
  FieldInfo out;           // the result's kind (how it is read), nullable
  // Subquery/Exists: the query (its OuterRefs resolved against this one).
  std::shared_ptr<const QueryData> query;
  // OuterRef before the subquery reached an outer query: field is -1 and
  // `value` holds the path; after, (alias, field) are the outer query's.
};

// annotate(): a named expression selected with each row (or each group).
struct Annotation {
  std::string name;
  RExpr expr;
};

struct Filter {
  // Written out (not = default) so that a new Filter is its member
  // initializers only, not a zero-fill of the whole struct first.
  Filter() noexcept {}
  int field = -1;
  uint16_t alias = 0;  // the table the field is on: 0 the query's model, i its joins[i - 1]
  Transform transform = Transform::None;
  Lookup lookup = Lookup::Exact;
  Value value;  // coerced to the field's kind; Array for In and Range
  // In against a subquery selecting one column (an exclude() across a
  // multi-valued relation): field IN (SELECT ...); `value` is unused.
  std::shared_ptr<const QueryData> subquery;
  // Compared with an expression (F("likes") + 1, OuterRef("id")) instead of
  // `value`: field <lookup> rhs. With field -1, the expression is the
  // condition itself (Exists(...)).
  std::shared_ptr<const RExpr> rhs;
};

// A node's children: one pointer, null for a leaf (most nodes are), so a
// leaf is copied and destroyed inline (a vector of nodes inside a node
// cannot be: its destructor is the node's own, out of line).
class WhereChildren {
 public:
  WhereChildren() noexcept = default;
  WhereChildren(const WhereChildren& o);
  WhereChildren(WhereChildren&& o) noexcept : v_(std::exchange(o.v_, nullptr)) {}
  WhereChildren& operator=(const WhereChildren& o);
  WhereChildren& operator=(WhereChildren&& o) noexcept;
  ~WhereChildren() {
    if (v_) release();
  }
  std::size_t size() const;
  bool empty() const { return size() == 0; }
  void resize(std::size_t n);
  WhereNode& operator[](std::size_t i);
  const WhereNode& operator[](std::size_t i) const;
  WhereNode* begin();
  WhereNode* end();
  const WhereNode* begin() const;
  const WhereNode* end() const;

 private:
  void release() noexcept;
  std::vector<WhereNode>* v_ = nullptr;
};

struct WhereNode {
  WhereNode() noexcept {}  // as Filter's: no zero-fill before the initializers
  QNode::Kind kind = QNode::Kind::And;
  bool negated = false;
  Filter filter;  // Leaf
  WhereChildren children;
};

inline std::size_t WhereChildren::size() const { return v_ ? v_->size() : 0; }
inline WhereNode& WhereChildren::operator[](std::size_t i) { return (*v_)[i]; }
inline const WhereNode& WhereChildren::operator[](std::size_t i) const { return (*v_)[i]; }
inline WhereNode* WhereChildren::begin() { return v_ ? v_->data() : nullptr; }
inline WhereNode* WhereChildren::end() { return v_ ? v_->data() + v_->size() : nullptr; }
inline const WhereNode* WhereChildren::begin() const { return v_ ? v_->data() : nullptr; }
inline const WhereNode* WhereChildren::end() const { return v_ ? v_->data() + v_->size() : nullptr; }

struct OrderTerm {
  int field;
  bool descending;
  uint16_t alias = 0;  // as Filter::alias
};

// Filter::alias / OrderTerm::alias of a condition or ordering on an
// annotation: `field` is the annotation's index (QueryData::annotations),
// and the condition goes to HAVING when the annotation aggregates.
inline constexpr uint16_t kAnnotationAlias = 0xFFFF;
// RExpr::alias of a column of the subquery aggregate() reads from when the
// query is sliced, distinct or grouped: "covet_subquery"."__col<field>".
inline constexpr uint16_t kSubqueryAlias = 0xFFFE;

// A table joined into a query to follow a relation:
// JOIN model ON parent.parent_field = model.child_field.
struct Join {
  int parent = 0;  // the alias joined from (0: the query's model)
  const ModelInfo* model = nullptr;
  int parent_field = -1;  // in the parent alias's model
  int child_field = -1;   // in `model`
  bool outer = false;     // LEFT OUTER JOIN: rows without a related row stay
  bool multi = false;     // many related rows per parent row (a reverse relation)
  uint32_t scope = 0;     // multi: the filter() call that made it (Django reuses it only within that call)
  bool operator==(const Join&) const = default;
};

// select_related(): a related object loaded from the same row.
struct RelatedLoad {
  int alias;   // the join its columns come from
  int parent;  // the RelatedLoad whose object holds it, -1 for the query's model
  const RelationInfo* relation;
};

// select_for_update(): row locks taken by a SELECT (PostgreSQL's FOR UPDATE).
enum class RowLock : uint8_t { None, Update, UpdateNowait, UpdateSkipLocked };

// select_for_update()'s options (Django's nowait=, skip_locked=, of=("self",)).
struct ForUpdate {
  bool nowait = false;       // fail at once (LockNotAvailable) instead of waiting
  bool skip_locked = false;  // leave out rows other transactions hold
  bool of_self = false;      // lock this model's rows only (FOR UPDATE OF its table)
};

struct QueryData {
  const ModelInfo* model = nullptr;
  std::vector<WhereNode> where;  // ANDed
  std::vector<OrderTerm> order;
  std::optional<int64_t> limit;
  int64_t offset = 0;
  bool distinct = false;
  RowLock lock = RowLock::None;
  bool lock_of_self = false;  // FOR UPDATE OF this model's table only
  std::vector<int> columns;  // selected fields (only/defer); empty = every field
  std::vector<Join> joins;   // alias i + 1 is joins[i]
  uint32_t scopes = 0;       // filter() calls resolved so far (Join::scope)
  std::vector<RelatedLoad> related;  // select_related, parents before children
  std::vector<std::string> prefetch; // prefetch_related paths, checked
  // Columns selected after the model's and select_related's: (alias, field).
  std::vector<std::pair<int, int>> extra;
  std::vector<Annotation> annotations;
  // One field per annotation (its result's kind), for conditions on them.
  std::shared_ptr<const ModelInfo> annotation_fields;
  // values()/values_list(): the query selects these (a field or an
  // annotation each, by name) instead of the model's columns; with an
  // aggregating annotation it groups by the fields among them.
  bool values_mode = false;
  std::vector<Annotation> values;
  // How rows group, decided when the first aggregating annotation came
  // (Django's rule: by the values() named before it, else by the model's
  // columns); a later values() only changes what is selected.
  enum class Grouping : uint8_t { None, Model, Values };
  Grouping grouping = Grouping::None;
  std::vector<RExpr> group_exprs;  // Values: what was named
  // hint(): an index the SELECT should use (SQLite INDEXED BY; a
  // pg_hint_plan comment on PostgreSQL, a no-op without the extension).
  std::string index_hint;
  // cache(ttl): results kept this long in the query cache (0: not cached).
  std::chrono::milliseconds cache_ttl{0};
  // A subquery whose OuterRefs refer to the query it is in: its tables go
  // by U0, U1, ... there, so the outer query's names stay visible.
  bool correlated = false;

  QueryData() = default;
  // A query on model m (objects(db)), with room for a chain of filters
  // taken from this thread's spare.
  explicit QueryData(const ModelInfo& m);
  // A copy takes its where/order storage from this thread's spare (room
  // for a chain of filters), and a destroyed QueryData leaves its storage
  // there: a query built and run in a loop allocates none of it.
  QueryData(const QueryData& o);
  QueryData(QueryData&&) noexcept = default;
  QueryData& operator=(const QueryData&) = default;
  QueryData& operator=(QueryData&&) noexcept = default;
  ~QueryData();
};

// Replaces the ordering (storage from this thread's spare when it has none).
void assign_order(QueryData& q, const OrderTerm* terms, std::size_t n);

// Checks a Q against the query's model and converts values to the fields'
// kinds; relation spans ("author__username") add joins to `q` (one
// filter() call: `negated` for exclude()). Throws FieldError for unknown
// fields/lookups and values of the wrong type, leaving `q` as it was.
WhereNode resolve(QueryData& q, const Q& cond, bool negated = false);
// The same on one model alone (no relation spans: InvalidArgument).
WhereNode resolve(const ModelInfo& m, const Q& cond);
// The same for one condition, without building a Q (filter("age__gt", 18)),
// written into `out`, a default-constructed node (no moves on the hot path).
void resolve_into(QueryData& q, WhereNode& out, std::string_view path, const Value& value, bool negated = false);
// annotate(): resolves each named expression (joins added as needed);
// FieldError for a name already a field or annotation, or unknown paths.
void add_annotations(QueryData& q, const std::vector<std::pair<std::string, Expr>>& exprs);
// values(names): the query selects these fields and annotations by name
// (every field, then the annotations, when `names` is empty).
void set_values(QueryData& q, const std::vector<std::string_view>& names);
// update(): an expression of the row's own columns (no relation spans, no
// aggregates), checked to be assignable to field `field`.
RExpr resolve_update_expr(QueryData& q, int field, const Expr& e);
// aggregate(): the resolved expressions (each must aggregate).
std::vector<Annotation> resolve_aggregates(QueryData& q, const std::vector<std::pair<std::string, Expr>>& exprs);
// Whether a where node refers to an aggregating annotation (HAVING).
bool refers_to_aggregate(const QueryData& q, const WhereNode& w);
// filter("author__in", other_query): `path` ends in "__in" and the rows'
// values come from `sub` (its values() column, or its primary key).
void resolve_in_subquery(QueryData& q, WhereNode& out, std::string_view path, const QueryData& sub, bool negated = false);
// The query selecting only its rows' primary keys (for pk IN (...)):
// conditions, joins and grouping kept, nothing else selected.
QueryData keys_of(const QueryData& q);
// Calls f for each query inside `q` (subqueries of conditions, Exists and
// Subquery expressions), not for `q` itself and not recursively.
void for_each_subquery(const QueryData& q, FunctionRef<void(const QueryData&)> f);
// group_by(names) on a values() or annotate() query: the rows group by
// these fields (Django's values(...).annotate(...) grouping, said
// explicitly); FieldError for unknown names.
void set_group_by(QueryData& q, const std::vector<std::string_view>& names);
// The state of a query's joins, loads and prefetches, restored when a
// multi-name call (order_by, select_related, prefetch_related) fails half way.
class QueryCheckpoint {
 public:
  explicit QueryCheckpoint(QueryData& q);
  void restore();

 private:
  QueryData& q_;
  std::vector<Join> joins_;
  uint32_t scopes_;
  std::size_t related_, prefetch_;
};
// The model an alias of `q` refers to.
inline const ModelInfo& alias_model(const QueryData& q, int alias) {
  if (alias == kAnnotationAlias) return *q.annotation_fields;
  return alias == 0 ? *q.model : *q.joins[static_cast<std::size_t>(alias - 1)].model;
}
// Converts a value for assignment to a field (update(), kwargs).
Value coerce_value(const ModelInfo& model, const FieldInfo& f, const Value& v);
// "-created_at" → {field, descending}; "album__title" joins; throws FieldError.
OrderTerm resolve_order(QueryData& q, std::string_view term);
// select_related("author__profile"): joins and loads each forward relation
// on the path; throws FieldError for a path that is not one.
void add_select_related(QueryData& q, std::string_view path);
// Checks a prefetch_related path (relations all the way) and records it.
void add_prefetch(QueryData& q, std::string_view path);
// One step along a relation from model `from`: what a join needs.
struct RelationStep {
  const ModelInfo* target = nullptr;
  int parent_field = -1;  // the column on `from`'s side
  int child_field = -1;   // the column on the target's side
  bool multi = false;     // many target rows per row (a reverse ForeignKey)
  bool nullable = false;  // a row may have no target row
  const RelationInfo* member = nullptr;  // `from`'s member holding the loaded objects (null: none declared)
  // ManyToMany: two joins, through the join table: from.parent_field =
  // through.through_source, then through.through_target = target.child_field.
  const ModelInfo* through = nullptr;
  int through_source = -1;
  int through_target = -1;
};
// The relation `name` names on `from`: its own ForeignKey/OneToOne/OneToMany
// member, or the reverse side of a ForeignKey of another registered model
// by its related_name; nullopt when none.
std::optional<RelationStep> relation_step(const ModelInfo& from, std::string_view name);

}  // namespace covet
