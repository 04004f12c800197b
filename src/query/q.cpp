#include "covet/query/q.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <unordered_map>

#include "covet/core/error.hpp"
#include "covet/query/expr.hpp"

namespace covet {

void KwargsView::each_list(const void* p, std::size_t n, Visitor f) {
  const auto* items = static_cast<const std::pair<std::string_view, Value>*>(p);
  for (std::size_t i = 0; i < n; ++i) f(items[i].first, items[i].second);
}

namespace {
const std::shared_ptr<const QNode>& empty_node() {
  static const auto node = std::make_shared<const QNode>();
  return node;
}
std::shared_ptr<const QNode> leaf(std::string_view path, Value v) {
  auto n = std::make_shared<QNode>();
  n->kind = QNode::Kind::Leaf;
  n->path = std::string(path);
  n->value = std::move(v);
  return n;
}
void check_depth(int depth) {
  if (depth > Q::kMaxDepth)
    throw InvalidArgument(fmt::format("Q: conditions nest more than {} levels deep; combine long conditions into one "
                                      "level (q1 | q2 | q3 ... is flat) instead of alternating & and | or nesting",
                                      Q::kMaxDepth));
}
std::shared_ptr<const QNode> combine(QNode::Kind kind, const Q& a, const Q& b) {
  auto n = std::make_shared<QNode>();
  n->kind = kind;
  int depth = 1;
  // Flatten same-kind, non-negated children: (a|b)|c → a|b|c. Children are
  // shared, so combining costs the number of children, never a deep copy.
  for (const Q* q : {&a, &b}) {
    const QNode& c = q->node();
    if (c.kind == kind && !c.negated) {
      n->children.insert(n->children.end(), c.children.begin(), c.children.end());
      depth = std::max(depth, static_cast<int>(c.depth));
    } else {
      n->children.push_back(q->node_ptr());
      depth = std::max(depth, c.depth + 1);
    }
  }
  check_depth(depth);
  n->depth = static_cast<uint16_t>(depth);
  return n;
}
void describe(const QNode& n, std::string& out) {
  if (n.negated) out += "NOT ";
  if (n.kind == QNode::Kind::Leaf) {
    if (n.expr) out += n.path.empty() ? n.expr->to_string() : n.path + "=" + n.expr->to_string();
    else out += n.path + "=" + n.value.to_string();
    return;
  }
  out += '(';
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    if (i) out += n.kind == QNode::Kind::And ? " AND " : " OR ";
    describe(*n.children[i], out);
  }
  out += ')';
}
std::shared_ptr<const QNode> from_kwargs(KwargsView kwargs) {
  if (kwargs.size() == 1) {
    std::shared_ptr<const QNode> out;
    kwargs.for_each([&](std::string_view k, const Value& v) { out = leaf(k, v); });
    return out;
  }
  auto n = std::make_shared<QNode>();
  n->children.reserve(kwargs.size());
  kwargs.for_each([&](std::string_view k, const Value& v) { n->children.push_back(leaf(k, v)); });
  n->depth = n->children.empty() ? 1 : 2;
  return n;
}
// The real depth of a tree built by hand (its depth fields are not trusted).
// Recursion stops past kMaxDepth, and shared subtrees are measured once.
int tree_depth(const QNode& n, int level, std::unordered_map<const QNode*, int>& seen) {
  check_depth(level);
  int d = 1;
  for (const auto& c : n.children) {
    if (!c) throw InvalidArgument("Q: a child of a QNode is null");
    auto it = seen.find(c.get());
    int cd = it != seen.end() ? it->second : tree_depth(*c, level + 1, seen);
    seen.emplace(c.get(), cd);
    d = std::max(d, cd + 1);
    check_depth(level + cd);
  }
  return d;
}
}  // namespace

Q::Q() : node_(empty_node()) {}
Q::Q(std::string_view lookup, Value value) : node_(leaf(lookup, std::move(value))) {}
Q Q::with_expr(std::string_view lookup, const Expr& e) {
  auto n = std::make_shared<QNode>();
  n->kind = QNode::Kind::Leaf;
  n->path = std::string(lookup);
  n->expr = std::make_shared<const Expr>(e);
  return Q(std::shared_ptr<const QNode>(std::move(n)));
}
Q::Q(Kwargs kwargs) : node_(from_kwargs(kwargs)) {}
Q::Q(KwargsView kwargs) : node_(from_kwargs(kwargs)) {}
Q::Q(QNode node) {
  std::unordered_map<const QNode*, int> seen;
  int d = tree_depth(node, 1, seen);
  check_depth(d);
  node.depth = static_cast<uint16_t>(d);
  node_ = std::make_shared<const QNode>(std::move(node));
}

Q operator&(const Q& a, const Q& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return Q(combine(QNode::Kind::And, a, b));
}
Q operator|(const Q& a, const Q& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return Q(combine(QNode::Kind::Or, a, b));
}
Q operator~(const Q& a) {
  if (a.empty()) return a;
  auto n = std::make_shared<QNode>(a.node());  // shallow: the children stay shared
  n->negated = !n->negated;
  return Q(std::shared_ptr<const QNode>(std::move(n)));
}

std::string Q::to_string() const {
  std::string out;
  describe(*node_, out);
  return out;
}

}  // namespace covet
