#pragma once
// Q: a filter condition in Django's string form, combinable with | & ~.
//
//   Q("email__contains", "@gmail.com") | Q("username__startswith", "admin")
//   ~Q("status", "banned")
//   Q({{"is_active", true}, {"created_at__gte", week_ago}})   // ANDed
//
// Immutable and cheap to copy (shares its tree). Names are checked against
// the model when the Q reaches a QuerySet, not before.
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/core/value.hpp"

namespace covet {

struct QNode {
  enum class Kind : uint8_t { Leaf, And, Or };
  Kind kind = Kind::And;
  bool negated = false;
  std::string path;  // Leaf: "field[__transform][__lookup]"
  Value value;       // Leaf
  std::vector<QNode> children;
};

using Kwargs = std::initializer_list<std::pair<std::string_view, Value>>;

class Q {
 public:
  Q();  // matches everything
  Q(std::string_view lookup, Value value);
  Q(Kwargs kwargs);
  explicit Q(QNode node);

  const QNode& node() const { return *node_; }
  bool empty() const { return node_->kind != QNode::Kind::Leaf && node_->children.empty(); }

  friend Q operator&(const Q& a, const Q& b);
  friend Q operator|(const Q& a, const Q& b);
  friend Q operator~(const Q& a);
  // The condition as text, for messages: (a__gt=1 OR NOT b='x').
  std::string to_string() const;

 private:
  std::shared_ptr<const QNode> node_;
};

}  // namespace covet
