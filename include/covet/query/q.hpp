#pragma once
// Q: a filter condition in Django's string form, combinable with | & ~.
//
//   Q("email__contains", "@gmail.com") | Q("username__startswith", "admin")
//   ~Q("status", "banned")
//   Q({{"is_active", true}, {"created_at__gte", week_ago}})   // ANDed
//   Q(KwargsView(params))            // a run-time map or vector of pairs
//
// Immutable and cheap to copy and combine (subtrees are shared, never
// copied). Names are checked against the model when the Q reaches a
// QuerySet, not before. Nesting is bounded (Q::kMaxDepth levels; a flat
// a | b | c | ... is one level however long), so no tree a caller builds
// can exhaust the stack of the walks over it: deeper nesting throws
// InvalidArgument when it is built. Thread-safe: a Q is never modified.
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/core/value.hpp"

namespace covet {

class Expr;

struct QNode {
  enum class Kind : uint8_t { Leaf, And, Or };
  Kind kind = Kind::And;
  bool negated = false;
  uint16_t depth = 1;  // levels in this tree; a leaf or an empty node is 1
  std::string path;    // Leaf: "field[__transform][__lookup]"
  Value value;         // Leaf
  // Leaf: compared with an expression instead of `value` (F("likes"),
  // OuterRef("id")); with an empty path, a condition itself (Exists(...)).
  std::shared_ptr<const Expr> expr;
  std::vector<std::shared_ptr<const QNode>> children;
};

// Keyword arguments written as a braced list: {{"name", value}, ...}.
using Kwargs = std::initializer_list<std::pair<std::string_view, Value>>;

namespace detail {
template <class C>
concept kwarg_range = requires(const C& c) {
  std::size(c);
  requires std::convertible_to<decltype(std::begin(c)->first), std::string_view>;
  requires std::convertible_to<decltype(std::begin(c)->second), Value>;
};
// A run-time list of names (std::vector<std::string>, ...), not one string.
template <class N>
concept name_range = requires(const N& n) {
  std::begin(n);
  std::end(n);
  requires std::convertible_to<decltype(*std::begin(n)), std::string_view>;
} && !std::convertible_to<const N&, std::string_view>;
}  // namespace detail

// Keyword arguments built at run time (from an HTTP request, say): a view of
// a braced list or of any container of (name, value) pairs —
// std::vector<std::pair<std::string, Value>>, std::map<std::string, Value>,
// std::unordered_map<...>. Non-owning: valid while the container is.
class KwargsView {
 public:
  using Visitor = FunctionRef<void(std::string_view, const Value&)>;
  KwargsView() = default;
  KwargsView(Kwargs k) : p_(k.begin()), n_(k.size()), each_(&each_list) {}
  template <class C>
    requires(detail::kwarg_range<C> && !std::same_as<C, Kwargs>)
  KwargsView(const C& c) : p_(&c), n_(std::size(c)), each_(&each_range<C>) {}

  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  // Calls f(name, value) for each pair, in the container's order.
  void for_each(Visitor f) const {
    if (n_) each_(p_, n_, f);
  }

 private:
  static void each_list(const void* p, std::size_t n, Visitor f);
  template <class C>
  static void each_range(const void* p, std::size_t, Visitor f) {
    for (const auto& kv : *static_cast<const C*>(p)) {
      if constexpr (std::same_as<std::remove_cvref_t<decltype(kv.second)>, Value>) f(std::string_view(kv.first), kv.second);
      else f(std::string_view(kv.first), Value(kv.second));
    }
  }
  const void* p_ = nullptr;
  std::size_t n_ = 0;
  void (*each_)(const void*, std::size_t, Visitor) = nullptr;
};

class Q {
 public:
  static constexpr int kMaxDepth = 64;

  Q();  // matches everything
  Q(std::string_view lookup, Value value);
  Q(Kwargs kwargs);
  explicit Q(KwargsView kwargs);
  explicit Q(QNode node);
  // A field compared with an expression: Q("view_count__gt", F("likes")).
  template <class E>
    requires std::same_as<E, Expr>
  Q(std::string_view lookup, const E& e) : Q(with_expr(lookup, e)) {}
  // A condition that is an expression: Q(Exists(query)), ~Q(Exists(query)).
  template <class E>
    requires std::same_as<E, Expr>
  explicit Q(const E& condition) : Q(with_expr({}, condition)) {}

  const QNode& node() const { return *node_; }
  const std::shared_ptr<const QNode>& node_ptr() const { return node_; }
  bool empty() const { return node_->kind != QNode::Kind::Leaf && node_->children.empty(); }

  friend Q operator&(const Q& a, const Q& b);
  friend Q operator|(const Q& a, const Q& b);
  friend Q operator~(const Q& a);
  // The condition as text, for messages: (a__gt=1 OR NOT b='x').
  std::string to_string() const;

 private:
  explicit Q(std::shared_ptr<const QNode> node) : node_(std::move(node)) {}
  static Q with_expr(std::string_view lookup, const Expr& e);
  std::shared_ptr<const QNode> node_;
};

}  // namespace covet
