#pragma once
// Expressions over a query's rows: F references, literals, arithmetic,
// aggregates and functions, for annotate(), aggregate() and update().
//
//   Post::objects(db).aggregate({{"total", Count("id")}, {"views", Sum("view_count")}});
//   Post::objects(db).values("author").annotate({{"posts", Count("id")}}).filter("posts__gt", 5);
//   Artist::objects(db).annotate({{"albums_n", Count("albums")}}).order_by("-albums_n");
//
// Names are checked against the model when the expression reaches a
// QuerySet (relation spans like "albums__tracks" join as filters do).
// Immutable and cheap to copy.
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/core/value.hpp"
#include "covet/query/q.hpp"

namespace covet {

enum class AggFunc : uint8_t { Count, Sum, Avg, Max, Min };
enum class ExprFunc : uint8_t { Coalesce, Lower, Upper, Length, Now, Abs };
enum class BinOp : uint8_t { Add, Sub, Mul, Div };

struct ExprNode;
struct QueryData;

class Expr {
 public:
  // OuterRef: a column of the query enclosing a subquery; Subquery: a
  // query's one value; Exists: whether a query has rows.
  enum class Kind : uint8_t { Field, Literal, Aggregate, Func, Binary, Case, OuterRef, Subquery, Exists };
  // A literal (bound as a parameter).
  Expr(Value v);
  Expr(int v) : Expr(Value(v)) {}
  Expr(int64_t v) : Expr(Value(v)) {}
  Expr(double v) : Expr(Value(v)) {}
  Expr(bool v) : Expr(Value(v)) {}
  Expr(const char* v) : Expr(Value(v)) {}
  Expr(std::string v) : Expr(Value(std::move(v))) {}
  explicit Expr(std::shared_ptr<const ExprNode> node) : node_(std::move(node)) {}

  const ExprNode& node() const { return *node_; }
  // The expression as text, for messages: Sum(F(views) + 1).
  std::string to_string() const;

 private:
  std::shared_ptr<const ExprNode> node_;
};

struct When {
  Q condition;
  Expr then;
};

struct ExprNode {
  Expr::Kind kind = Expr::Kind::Literal;
  std::string path;  // Field: "views", "author__username"; Aggregate: its argument's path ("*": Count of rows)
  Value value;       // Literal
  AggFunc agg = AggFunc::Count;
  bool distinct = false;
  Q filter;          // Aggregate: only rows matching it count (empty: all)
  ExprFunc func = ExprFunc::Coalesce;
  BinOp op = BinOp::Add;
  std::vector<Expr> args;  // Func: its arguments; Binary: left, right; Case: the default; Aggregate: an expression argument
  std::vector<When> whens;  // Case
  std::shared_ptr<const QueryData> query;  // Subquery, Exists
};

// A column of the row (Django's F("views")), across relations too. In a
// filter it compares two columns: filter("view_count__gt", F("likes") * 2).
Expr F(std::string_view path);

// Inside a subquery, a column of the query it is used in (Django's
// OuterRef): resolved when the subquery reaches Exists() or Subquery() in
// an outer query's annotate() or filter(). A query holding one cannot run
// on its own (UsageError).
//   auto posts = Post::objects(db).filter("author", OuterRef("id"));
//   User::objects(db).annotate({{"has_posts", Exists(posts)}}).filter("has_posts", true);
//   User::objects(db).filter(Exists(posts));
//   User::objects(db).annotate({{"latest", Subquery(posts.order_by("-created_at").values("title").limit(1))}});
// Exists and Subquery take a QuerySet (covet/orm/queryset.hpp).
Expr OuterRef(std::string_view path);
namespace detail {
// Exists(query) / Subquery(query): the query must select one column
// (values("...")) for Subquery.
Expr subquery_expr(const QueryData& q, bool exists);
}  // namespace detail

struct AggregateOptions {
  bool distinct = false;  // COUNT(DISTINCT ...)
  Q filter;               // aggregate only the rows matching it (FILTER (WHERE ...))
};
// Aggregates over a field path ("id", "albums", "tracks__milliseconds"), or
// over an expression. Count("*") counts rows. Results: Count an integer
// (0 over no rows); Sum an integer, double or Decimal after the field;
// Avg a double (a Decimal over a Decimal field); Max and Min the field's
// kind; Sum, Avg, Max and Min NULL over no rows.
Expr Count(std::string_view path = "*", AggregateOptions o = {});
Expr Sum(std::string_view path, AggregateOptions o = {});
Expr Avg(std::string_view path, AggregateOptions o = {});
Expr Max(std::string_view path, AggregateOptions o = {});
Expr Min(std::string_view path, AggregateOptions o = {});
Expr Sum(const Expr& e, AggregateOptions o = {});
Expr Avg(const Expr& e, AggregateOptions o = {});
Expr Max(const Expr& e, AggregateOptions o = {});
Expr Min(const Expr& e, AggregateOptions o = {});
// A string literal names a field path (use Value("...") for a text literal).
inline Expr Sum(const char* path, AggregateOptions o = {}) { return Sum(std::string_view(path), std::move(o)); }
inline Expr Avg(const char* path, AggregateOptions o = {}) { return Avg(std::string_view(path), std::move(o)); }
inline Expr Max(const char* path, AggregateOptions o = {}) { return Max(std::string_view(path), std::move(o)); }
inline Expr Min(const char* path, AggregateOptions o = {}) { return Min(std::string_view(path), std::move(o)); }

// Functions.
Expr Coalesce(std::initializer_list<Expr> args);
Expr Lower(const Expr& e);
Expr Upper(const Expr& e);
Expr Length(const Expr& e);  // characters
Expr Abs(const Expr& e);
Expr Now();  // the current time (UTC)
// CASE WHEN condition THEN value ... ELSE otherwise END.
Expr Case(std::initializer_list<When> whens, Expr otherwise = Expr(Value()));

Expr operator+(const Expr& a, const Expr& b);
Expr operator-(const Expr& a, const Expr& b);
Expr operator*(const Expr& a, const Expr& b);
Expr operator/(const Expr& a, const Expr& b);

// Named expressions written as a braced list: {{"total", Count("id")}, ...}.
using NamedExprs = std::initializer_list<std::pair<std::string_view, Expr>>;

// What update() sets a field to: a value, or an expression of the row's
// own columns (F("views") + 1: one atomic statement, no read first).
struct Assign {
  template <class V>
    requires std::constructible_from<Value, V&&>
  Assign(V&& v) : value(std::forward<V>(v)) {}
  Assign(Expr e) : expr(std::make_shared<const Expr>(std::move(e))) {}
  Value value;
  std::shared_ptr<const Expr> expr;  // set: an expression, `value` unused
};
using Assignments = std::initializer_list<std::pair<std::string_view, Assign>>;

}  // namespace covet
