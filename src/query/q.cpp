#include "covet/query/q.hpp"

namespace covet {

namespace {
const std::shared_ptr<const QNode>& empty_node() {
  static const auto node = std::make_shared<const QNode>();
  return node;
}
QNode leaf(std::string_view path, Value v) {
  QNode n;
  n.kind = QNode::Kind::Leaf;
  n.path = std::string(path);
  n.value = std::move(v);
  return n;
}
QNode combine(QNode::Kind kind, const Q& a, const Q& b) {
  if (a.empty()) return b.node();
  if (b.empty()) return a.node();
  QNode n;
  n.kind = kind;
  // Flatten same-kind, non-negated children: (a|b)|c → a|b|c.
  for (const Q* q : {&a, &b}) {
    const QNode& c = q->node();
    if (c.kind == kind && !c.negated) n.children.insert(n.children.end(), c.children.begin(), c.children.end());
    else n.children.push_back(c);
  }
  return n;
}
void describe(const QNode& n, std::string& out) {
  if (n.negated) out += "NOT ";
  if (n.kind == QNode::Kind::Leaf) {
    out += n.path + "=" + n.value.to_string();
    return;
  }
  out += '(';
  for (std::size_t i = 0; i < n.children.size(); ++i) {
    if (i) out += n.kind == QNode::Kind::And ? " AND " : " OR ";
    describe(n.children[i], out);
  }
  out += ')';
}
}  // namespace

Q::Q() : node_(empty_node()) {}
Q::Q(std::string_view lookup, Value value) : node_(std::make_shared<const QNode>(leaf(lookup, std::move(value)))) {}
Q::Q(Kwargs kwargs) {
  if (kwargs.size() == 1) {
    node_ = std::make_shared<const QNode>(leaf(kwargs.begin()->first, kwargs.begin()->second));
    return;
  }
  QNode n;
  for (const auto& [k, v] : kwargs) n.children.push_back(leaf(k, v));
  node_ = std::make_shared<const QNode>(std::move(n));
}
Q::Q(QNode node) : node_(std::make_shared<const QNode>(std::move(node))) {}

Q operator&(const Q& a, const Q& b) { return Q(combine(QNode::Kind::And, a, b)); }
Q operator|(const Q& a, const Q& b) { return Q(combine(QNode::Kind::Or, a, b)); }
Q operator~(const Q& a) {
  if (a.empty()) return a;
  QNode n = a.node();
  n.negated = !n.negated;
  return Q(std::move(n));
}

std::string Q::to_string() const {
  std::string out;
  describe(*node_, out);
  return out;
}

}  // namespace covet
