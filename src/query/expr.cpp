#include "covet/query/expr.hpp"

#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/query/query_data.hpp"

namespace covet {

namespace {
Expr make(ExprNode n) { return Expr(std::make_shared<const ExprNode>(std::move(n))); }

Expr aggregate(AggFunc f, std::string_view path, const Expr* arg, AggregateOptions o) {
  if (!arg && path.empty()) throw InvalidArgument("an aggregate needs a field path or an expression");
  ExprNode n;
  n.kind = Expr::Kind::Aggregate;
  n.agg = f;
  n.path = std::string(path);
  if (arg) n.args.push_back(*arg);
  n.distinct = o.distinct;
  n.filter = std::move(o.filter);
  return make(std::move(n));
}

Expr function(ExprFunc f, std::vector<Expr> args) {
  ExprNode n;
  n.kind = Expr::Kind::Func;
  n.func = f;
  n.args = std::move(args);
  return make(std::move(n));
}

Expr binary(BinOp op, const Expr& a, const Expr& b) {
  ExprNode n;
  n.kind = Expr::Kind::Binary;
  n.op = op;
  n.args = {a, b};
  return make(std::move(n));
}
}  // namespace

Expr::Expr(Value v) {
  ExprNode n;
  n.kind = Kind::Literal;
  n.value = std::move(v);
  node_ = std::make_shared<const ExprNode>(std::move(n));
}

std::string Expr::to_string() const {
  const ExprNode& n = *node_;
  switch (n.kind) {
    case Kind::Field: return fmt::format("F({})", n.path);
    case Kind::Literal: return n.value.to_string();
    case Kind::Aggregate: {
      static constexpr const char* names[] = {"Count", "Sum", "Avg", "Max", "Min"};
      std::string arg = n.path.empty() ? n.args.at(0).to_string() : n.path;
      return fmt::format("{}({}{})", names[static_cast<int>(n.agg)], n.distinct ? "distinct " : "", arg);
    }
    case Kind::Func: {
      static constexpr const char* names[] = {"Coalesce", "Lower", "Upper", "Length", "Now", "Abs"};
      std::vector<std::string> args;
      for (const Expr& a : n.args) args.push_back(a.to_string());
      return fmt::format("{}({})", names[static_cast<int>(n.func)], fmt::join(args, ", "));
    }
    case Kind::Binary: {
      static constexpr const char* ops[] = {"+", "-", "*", "/"};
      return fmt::format("({} {} {})", n.args.at(0).to_string(), ops[static_cast<int>(n.op)], n.args.at(1).to_string());
    }
    case Kind::Case: {
      std::string out = "Case(";
      for (const When& w : n.whens) out += fmt::format("When({}, {}), ", w.condition.to_string(), w.then.to_string());
      return out + "else " + n.args.at(0).to_string() + ")";
    }
    case Kind::OuterRef: return fmt::format("OuterRef({})", n.path);
    case Kind::Subquery: return fmt::format("Subquery({})", n.query->model->name);
    case Kind::Exists: return fmt::format("Exists({})", n.query->model->name);
  }
  return "?";
}

Expr F(std::string_view path) {
  if (path.empty()) throw InvalidArgument("F() needs a field path");
  ExprNode n;
  n.kind = Expr::Kind::Field;
  n.path = std::string(path);
  return make(std::move(n));
}

Expr OuterRef(std::string_view path) {
  if (path.empty()) throw InvalidArgument("OuterRef() needs a field path");
  ExprNode n;
  n.kind = Expr::Kind::OuterRef;
  n.path = std::string(path);
  return make(std::move(n));
}

namespace detail {
Expr subquery_expr(const QueryData& q, bool exists) {
  ExprNode n;
  n.kind = exists ? Expr::Kind::Exists : Expr::Kind::Subquery;
  n.query = std::make_shared<const QueryData>(q);
  return make(std::move(n));
}
}  // namespace detail

Expr Count(std::string_view path, AggregateOptions o) { return aggregate(AggFunc::Count, path, nullptr, std::move(o)); }
Expr Sum(std::string_view path, AggregateOptions o) { return aggregate(AggFunc::Sum, path, nullptr, std::move(o)); }
Expr Avg(std::string_view path, AggregateOptions o) { return aggregate(AggFunc::Avg, path, nullptr, std::move(o)); }
Expr Max(std::string_view path, AggregateOptions o) { return aggregate(AggFunc::Max, path, nullptr, std::move(o)); }
Expr Min(std::string_view path, AggregateOptions o) { return aggregate(AggFunc::Min, path, nullptr, std::move(o)); }
Expr Sum(const Expr& e, AggregateOptions o) { return aggregate(AggFunc::Sum, {}, &e, std::move(o)); }
Expr Avg(const Expr& e, AggregateOptions o) { return aggregate(AggFunc::Avg, {}, &e, std::move(o)); }
Expr Max(const Expr& e, AggregateOptions o) { return aggregate(AggFunc::Max, {}, &e, std::move(o)); }
Expr Min(const Expr& e, AggregateOptions o) { return aggregate(AggFunc::Min, {}, &e, std::move(o)); }

Expr Coalesce(std::initializer_list<Expr> args) { return function(ExprFunc::Coalesce, std::vector<Expr>(args)); }
Expr Lower(const Expr& e) { return function(ExprFunc::Lower, {e}); }
Expr Upper(const Expr& e) { return function(ExprFunc::Upper, {e}); }
Expr Length(const Expr& e) { return function(ExprFunc::Length, {e}); }
Expr Abs(const Expr& e) { return function(ExprFunc::Abs, {e}); }
Expr Now() { return function(ExprFunc::Now, {}); }

Expr Case(std::initializer_list<When> whens, Expr otherwise) {
  if (whens.size() == 0) throw InvalidArgument("Case needs at least one When");
  ExprNode n;
  n.kind = Expr::Kind::Case;
  n.whens = std::vector<When>(whens);
  n.args = {std::move(otherwise)};
  return make(std::move(n));
}

Expr operator+(const Expr& a, const Expr& b) { return binary(BinOp::Add, a, b); }
Expr operator-(const Expr& a, const Expr& b) { return binary(BinOp::Sub, a, b); }
Expr operator*(const Expr& a, const Expr& b) { return binary(BinOp::Mul, a, b); }
Expr operator/(const Expr& a, const Expr& b) { return binary(BinOp::Div, a, b); }

}  // namespace covet
