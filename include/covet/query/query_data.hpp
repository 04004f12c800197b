#pragma once
// The resolved, model-checked form of a query: the expression tree the SQL
// compilers read. Built by QuerySet; immutable once built.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "covet/core/value.hpp"
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

struct Filter {
  int field = -1;
  Transform transform = Transform::None;
  Lookup lookup = Lookup::Exact;
  Value value;  // coerced to the field's kind; Array for In and Range
};

struct WhereNode {
  QNode::Kind kind = QNode::Kind::And;
  bool negated = false;
  Filter filter;  // Leaf
  std::vector<WhereNode> children;
};

struct OrderTerm {
  int field;
  bool descending;
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

  QueryData() = default;
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

// Checks a Q against the model and converts values to the fields' kinds.
// Throws FieldError for unknown fields/lookups and values of the wrong type.
WhereNode resolve(const ModelInfo& model, const Q& q);
// The same for one condition, without building a Q (filter("age__gt", 18)),
// written into `out`, a default-constructed node (no moves on the hot path).
void resolve_into(WhereNode& out, const ModelInfo& model, std::string_view path, const Value& value);
// Converts a value for assignment to a field (update(), kwargs).
Value coerce_value(const ModelInfo& model, const FieldInfo& f, const Value& v);
// "-created_at" → {field, descending}; throws FieldError.
OrderTerm resolve_order(const ModelInfo& model, std::string_view term);

}  // namespace covet
