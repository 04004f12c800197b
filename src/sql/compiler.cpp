#include "covet/sql/compiler.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <unordered_map>

#include "core/thread_spare.hpp"
#include "covet/core/error.hpp"

namespace covet {

// ---------------------------------------------------------------- SqlWriter
void SqlWriter::write_ident(std::string_view id) { d_.quote_identifier(*sql_, id); }
void SqlWriter::write_column(const ModelInfo& m, const FieldInfo& f) {
  d_.quote_identifier(*sql_, qual_.empty() ? std::string_view(m.table) : qual_);
  *sql_ += '.';
  d_.quote_identifier(*sql_, f.column);
}
void SqlWriter::write_placeholder() { d_.placeholder(*sql_, params_->size()); }

void Dialect::quote_identifier(std::string& out, std::string_view id) const {
  if (id.empty() || id.find('\0') != std::string_view::npos)
    throw ProgrammingError(fmt::format("invalid SQL identifier '{}'", id));
  out += '"';
  for (char c : id) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

std::string Dialect::literal(const Value& v) const {
  switch (v.type()) {
    case Value::Type::Null: return "NULL";
    case Value::Type::Bool: return v.as_bool() ? "1" : "0";
    case Value::Type::Int: return std::to_string(v.as_int());
    case Value::Type::Double: return fmt::format("{}", v.as_double());
    case Value::Type::Decimal: return v.as_decimal().to_string();
    default: {
      std::string s = v.is<std::string>() ? v.as_string()
                      : v.is<Json>()      ? v.as_json().text()
                      : v.is<Array>()     ? v.to_json()
                      : v.is<Bytes>()     ? throw ProgrammingError("binary defaults are not supported in DDL")
                      : v.type() == Value::Type::DateTime ? v.as_datetime().to_string()
                      : v.type() == Value::Type::Date     ? v.as_date().to_string()
                                                          : v.as_uuid().to_string();
      std::string out = "'";
      for (char c : s) {
        if (c == '\'') out += '\'';
        out += c;
      }
      return out + "'";
    }
  }
}

void Dialect::compile_common_lookup(SqlWriter& w, const Filter& f, FunctionRef<void()> lhs) const {
  auto compare = [&](const char* op) {
    lhs();
    w.text(op).param(f.value);
  };
  switch (f.lookup) {
    case Lookup::Exact:
      lhs();
      if (f.value.is_null()) w.text(" IS NULL");
      else w.text(" = ").param(f.value);
      return;
    case Lookup::Gt: return compare(" > ");
    case Lookup::Gte: return compare(" >= ");
    case Lookup::Lt: return compare(" < ");
    case Lookup::Lte: return compare(" <= ");
    case Lookup::IsNull:
      lhs();
      w.text(f.value.as_bool() ? " IS NULL" : " IS NOT NULL");
      return;
    case Lookup::Range: {
      const Array& a = f.value.as_array();
      lhs();
      w.text(" BETWEEN ").param(a[0]).text(" AND ").param(a[1]);
      return;
    }
    case Lookup::In: {
      const Array& a = f.value.as_array();
      if (a.empty()) {
        w.text("1 = 0");  // an empty list matches nothing
        return;
      }
      lhs();
      w.text(" IN (");
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (i) w.text(", ");
        w.param(a[i]);
      }
      w.text(")");
      return;
    }
    default: throw ProgrammingError(fmt::format("lookup '{}' has no common SQL form", to_string(f.lookup)));
  }
}

void Dialect::compile_lock(SqlWriter&, const QueryData&) const {
  throw NotSupportedError(fmt::format("select_for_update() is not supported on {}: it has no row locks{}", name(),
                                      name() == "sqlite" ? " (a write transaction locks the whole database file)" : ""));
}

std::string sql_like_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// ------------------------------------------------------------ compile cache
namespace {
thread_local detail::ThreadSpare<std::vector<Value>> spare_params;  // the parameter vector's buffer
}  // namespace

CompiledQuery::CompiledQuery() : params(std::move(spare_params.v)) {}
CompiledQuery::~CompiledQuery() {
  if (params.capacity() > spare_params.v.capacity() && params.capacity() <= 64 && !spare_params.gone) {
    params.clear();
    spare_params.v = std::move(params);
  }
}

namespace {

struct Cache {
  std::shared_mutex mutex;
  // Keyed by the shape key's bytes; looked up by string_view (no copy).
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>()(s); }
  };
  std::unordered_map<std::string, std::shared_ptr<const std::string>, Hash, std::equal_to<>> map;
  std::atomic<uint64_t> hits{0}, misses{0}, checked{0};
  // set_compile_cache_check; from the environment when the cache is made
  // (the first compile), so no start-up order can read it unset.
  std::atomic<bool> check{[] {
    const char* v = std::getenv("COVET_CHECK_COMPILE_CACHE");
    return v && *v && std::string_view(v) != "0";
  }()};
};
Cache& cache() {
  static Cache c;
  return c;
}

// Hits on the thread's last shape are counted per thread: one shared
// counter would be an atomic add to one cache line from every thread on
// every query. compile_cache_stats() adds them up.
struct ThreadHits;
struct HitRegistry {
  std::mutex mutex;
  std::vector<const ThreadHits*> live;
  uint64_t ended = 0;  // counted by threads that have ended
};
HitRegistry& hit_registry() {
  static HitRegistry* r = new HitRegistry();  // never destroyed: threads may end after static destructors ran
  return *r;
}
struct ThreadHits {
  std::atomic<uint64_t> n{0};  // written by its thread only; read by compile_cache_stats()
  ThreadHits() {
    HitRegistry& r = hit_registry();
    std::lock_guard lock(r.mutex);
    r.live.push_back(this);
  }
  ~ThreadHits() {
    HitRegistry& r = hit_registry();
    std::lock_guard lock(r.mutex);
    r.ended += n.load(std::memory_order_relaxed);
    std::erase(r.live, this);
    gone = true;  // a query compiled by a later destructor of this thread counts in the shared counter
  }
  void add() {
    if (gone) [[unlikely]]
      cache().hits.fetch_add(1, std::memory_order_relaxed);
    else
      n.store(n.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // no locked add
  }
  bool gone = false;
};
thread_local ThreadHits thread_hits;
uint64_t all_hits() {
  HitRegistry& r = hit_registry();
  std::lock_guard lock(r.mutex);
  uint64_t sum = r.ended;
  for (const ThreadHits* h : r.live) sum += h->n.load(std::memory_order_relaxed);
  return sum;
}

constexpr std::size_t kMaxCached = 8192;

// One walk writes the shape key and the parameters, and the SQL text too
// when `sql` is set; the same walk for both keeps them in step.
// The shape key: a word per decision, written into a per-thread buffer
// that only grows (a store and a compare per word on the hot path).
struct KeyBuffer {
  std::vector<uint64_t> words = std::vector<uint64_t>(64);
  std::size_t n = 0;
  std::string_view bytes() const { return {reinterpret_cast<const char*>(words.data()), n * sizeof(uint64_t)}; }
};
// The key against the thread's last one, a word at a time, inline.
bool same_key(const KeyBuffer& key, const std::string& last) {
  if (last.size() != key.n * sizeof(uint64_t)) return false;
  for (std::size_t i = 0; i < key.n; ++i) {
    uint64_t w;
    std::memcpy(&w, last.data() + i * sizeof(uint64_t), sizeof w);
    if (w != key.words[i]) return false;
  }
  return true;
}

bool plain_comparison(Lookup l) {
  return l == Lookup::Exact || l == Lookup::Gt || l == Lookup::Gte || l == Lookup::Lt || l == Lookup::Lte;
}

struct Builder {
  const Dialect& d;
  const QueryData& q;
  KeyBuffer* key;  // null when writing the text (the key is known then)
  SqlWriter w;
  uint64_t* kp = key ? key->words.data() + key->n : nullptr;
  uint64_t* kend = key ? key->words.data() + key->words.size() : nullptr;

  void k(uint64_t x) {
    if (!kp) return;
    if (kp == kend) [[unlikely]]
      grow();
    *kp++ = x;
  }
  [[gnu::noinline]] void grow() {
    std::size_t n = static_cast<std::size_t>(kp - key->words.data());
    key->words.resize(key->words.size() * 2);
    kp = key->words.data() + n;
    kend = key->words.data() + key->words.size();
  }
  // Ends the key pass: the buffer's length is what was written.
  void finish() {
    if (kp) key->n = static_cast<std::size_t>(kp - key->words.data());
  }

  // ---- tables and aliases ----
  const ModelInfo& model_of(int alias) const { return alias_model(q, alias); }
  bool outer(int alias) const {
    return alias > 0 && alias != kAnnotationAlias && q.joins[static_cast<std::size_t>(alias - 1)].outer;
  }
  // The name each alias goes by: the query's table, a joined table by its
  // own name, or T<n> where that name is taken (a self-join).
  // A correlated subquery's tables go by U0, U1, ... (V0, ... one level
  // deeper), so the outer query's names stay visible inside it.
  std::vector<std::string> names;
  void name_aliases() {
    if (!w.writing_sql() || !names.empty()) return;
    if (renamed) {
      for (std::size_t i = 0; i <= q.joins.size(); ++i) names.push_back(std::string(1, static_cast<char>('T' + depth)) + std::to_string(i));
      return;
    }
    names.push_back(q.model->table);
    for (std::size_t i = 0; i < q.joins.size(); ++i) {
      const std::string& t = q.joins[i].model->table;
      bool taken = std::find(names.begin(), names.end(), t) != names.end();
      names.push_back(taken ? "T" + std::to_string(i + 2) : t);
    }
  }
  SqlWriter& col(int alias, const FieldInfo& f) {
    if (alias == kAnnotationAlias) {  // an annotation: its expression
      annotation_ref(static_cast<int>(&f - q.annotation_fields->fields.data()));
      return w;
    }
    if (w.writing_sql()) {
      name_aliases();
      w.qualify(names[static_cast<std::size_t>(alias)]);
      w.column(model_of(alias), f);
      w.qualify({});
    }
    return w;
  }
  void from() {
    k(0x70 | q.joins.size() << 8);
    for (const Join& j : q.joins) {
      k(reinterpret_cast<uintptr_t>(j.model));
      k(static_cast<uint64_t>(j.parent) << 42 | static_cast<uint64_t>(j.parent_field) << 21 |
        static_cast<uint64_t>(j.child_field));
      k(static_cast<uint64_t>(j.outer) | static_cast<uint64_t>(j.multi) << 1);
    }
    w.text(" FROM ").ident(q.model->table);
    if (renamed && w.writing_sql()) {
      name_aliases();
      w.text(" ").ident(names[0]);
    }
    hint_key();
    if (!q.index_hint.empty()) d.from_hint(w, *q.model, q.index_hint);
    if (!w.writing_sql()) return;
    name_aliases();
    for (std::size_t i = 0; i < q.joins.size(); ++i) {
      const Join& j = q.joins[i];
      const int alias = static_cast<int>(i + 1);
      w.text(j.outer ? " LEFT OUTER JOIN " : " INNER JOIN ").ident(j.model->table);
      if (names[i + 1] != j.model->table) w.text(" ").ident(names[i + 1]);
      w.text(" ON (");
      col(j.parent, model_of(j.parent).field(j.parent_field)).text(" = ");
      col(alias, j.model->field(j.child_field)).text(")");
    }
  }
  // A name written into the text (a hint, a select-list alias), in the
  // key: its length, then eight bytes a word.
  void text_key(std::string_view s) {
    if (!kp) return;
    k(0x4117 | s.size() << 16);
    for (std::size_t i = 0; i < s.size(); i += 8) {
      uint64_t word = 0;
      std::memcpy(&word, s.data() + i, std::min<std::size_t>(8, s.size() - i));
      k(word);
    }
  }
  void hint_key() {
    if (!q.index_hint.empty()) text_key(q.index_hint);
  }
  // A subquery inside this one's text: the same walk, key and parameters.
  // `one`: it selects 1 (EXISTS). A correlated one (QueryData::correlated)
  // renames its tables.
  void subselect(const QueryData& sub, bool one = false) {
    const bool correlated = sub.correlated;
    k(reinterpret_cast<uintptr_t>(sub.model) ^ static_cast<uint64_t>(correlated));
    if (correlated && depth >= 5) throw NotSupportedError("subqueries refer to outer queries more than five levels deep");
    Builder b{d, sub, key, w};
    b.kp = kp;
    b.kend = kend;
    b.nested = true;
    b.up = this;
    b.depth = depth + 1;
    b.renamed = correlated;
    b.select_one = one;
    b.select_rows(sub.columns);
    kp = b.kp;
    kend = b.kend;
  }

  // field <op> expression (F, OuterRef), or the expression alone (Exists).
  void expression_filter(const Filter& f, bool negated_context) {
    k(0xF2 | static_cast<uint64_t>(f.alias) << 8 | static_cast<uint64_t>(f.field + 1) << 24 |
      static_cast<uint64_t>(f.lookup) << 56);
    if (f.field < 0) return expr(*f.rhs);
    static constexpr const char* ops[] = {" = ", "", "", "", "", "", "", "", " > ", " >= ", " < ", " <= "};
    const FieldInfo& fi = model_of(f.alias).field(f.field);
    auto lhs = [&] {
      if (f.alias == kAnnotationAlias) annotation_ref(f.field);
      else col(f.alias, fi);
    };
    // As Django: under negation, a NULL field, or a NULL column on the
    // right, keeps the row out of the comparison (the row is not excluded).
    const RExpr& rhs = *f.rhs;
    bool lhs_null = fi.null || outer(f.alias);
    bool rhs_null = rhs.kind == Expr::Kind::Field && rhs.annotation < 0 && rhs.out.null;
    bool guard = negated_context && (lhs_null || rhs_null);
    k(static_cast<uint64_t>(guard) | static_cast<uint64_t>(lhs_null) << 1 | static_cast<uint64_t>(rhs_null) << 2);
    if (guard) w.text("(");
    lhs();
    w.text(ops[static_cast<int>(f.lookup)]);
    expr(*f.rhs);  // every expression's text delimits itself
    if (guard) {
      if (lhs_null) {
        w.text(" AND ");
        lhs();
        w.text(" IS NOT NULL");
      }
      if (rhs_null) {
        w.text(" AND ");
        expr(*f.rhs);
        w.text(" IS NOT NULL");
      }
      w.text(")");
    }
  }

  void filter(const Filter& f, bool negated_context) {
    if (f.rhs) return expression_filter(f, negated_context);
    k(0xF1);
    k(static_cast<uint64_t>(f.alias) << 40 | static_cast<uint64_t>(f.field) << 16 |
      static_cast<uint64_t>(f.transform) << 8 | static_cast<uint64_t>(f.lookup));
    k(f.value.is_null());
    const ModelInfo& fm = model_of(f.alias);
    const FieldInfo& fi = fm.field(f.field);
    if (f.value.is<Array>()) {  // a list's length shapes the text, unless it goes as one array parameter
      const bool as_array = f.lookup == Lookup::In && f.alias != kAnnotationAlias &&
                            d.in_list_as_array(f.transform == Transform::None ? fi.kind : FieldKind::BigInteger);
      k(as_array ? f.value.as_array().empty() : f.value.as_array().size());
    }
    if (f.lookup == Lookup::IsNull) k(f.value.as_bool());
    if (f.subquery) {  // under negation, a nullable column is guarded as below
      k(0x5B);
      bool guard = negated_context && (fi.null || outer(f.alias));
      if (guard) w.text("(");
      col(f.alias, fi).text(" IN (");
      subselect(*f.subquery);
      w.text(")");
      if (guard) {
        w.text(" AND ");
        col(f.alias, fi).text(" IS NOT NULL)");
      }
      return;
    }
    // Django's rule: under negation, a condition on a nullable column (or
    // one across a LEFT join) also requires the column to be non-NULL, so
    // exclude() keeps the NULL rows.
    bool guard = negated_context && (fi.null || outer(f.alias)) && f.lookup != Lookup::IsNull && !f.value.is_null();
    // The key pass of a plain comparison: its one parameter is the value on
    // every dialect (the contract of Dialect::compile_filter), so the
    // dialect is not asked.
    if (!w.writing_sql() && f.transform == Transform::None && plain_comparison(f.lookup) &&
        f.alias != kAnnotationAlias) {
      if (!f.value.is_null()) w.param(f.value);
      return;
    }
    if (guard) w.text("(");
    if (f.alias == kAnnotationAlias) {
      FunctionRef<void(const FieldInfo&)>* self = nullptr;
      auto write = [&](const FieldInfo& af) {
        w.write_columns_with(nullptr);  // the expression's own columns are columns
        annotation_ref(static_cast<int>(&af - fm.fields.data()));
        w.write_columns_with(self);
      };
      FunctionRef<void(const FieldInfo&)> ref(write);
      self = &ref;
      w.write_columns_with(&ref);
      d.compile_filter(w, fm, f);
      w.write_columns_with(nullptr);
    } else {
      if (w.writing_sql()) {
        name_aliases();
        w.qualify(names[f.alias]);
      }
      d.compile_filter(w, fm, f);
      w.qualify({});
    }
    if (guard) {
      w.text(" AND ");
      col(f.alias, fi).text(" IS NOT NULL)");
    }
  }

  void node(const WhereNode& n, bool negated_context) {
    bool neg = negated_context != n.negated;
    k(0xA0 | static_cast<uint64_t>(n.kind) | (n.negated ? 0x10 : 0));
    if (n.negated) w.text("NOT ");
    if (n.kind == QNode::Kind::Leaf) {
      if (n.negated) w.text("(");
      filter(n.filter, neg);
      if (n.negated) w.text(")");
      return;
    }
    k(n.children.size());
    if (n.children.empty()) {  // empty AND matches all, empty OR nothing
      w.text(n.kind == QNode::Kind::And ? "1 = 1" : "1 = 0");
      return;
    }
    w.text("(");
    for (std::size_t i = 0; i < n.children.size(); ++i) {
      if (i) w.text(n.kind == QNode::Kind::And ? " AND " : " OR ");
      node(n.children[i], neg);
    }
    w.text(")");
  }

  // WHERE, or HAVING (`having`): the conditions on aggregating
  // annotations go to HAVING, the rest to WHERE.
  void where(bool having = false) {
    const bool annotated = !q.annotations.empty() || grouped();
    if (having && !annotated) return;  // no HAVING without annotations or groups (the key pass skips it alike)
    k((having ? 0xEF : 0xEE) | q.where.size() << 8);
    bool any = false;
    for (std::size_t i = 0; i < q.where.size(); ++i) {
      bool agg = annotated && refers_to_aggregate(q, q.where[i]);
      if (annotated) k(agg);
      if (agg != having) continue;
      w.text(any ? " AND " : having ? " HAVING " : " WHERE ");
      any = true;
      node(q.where[i], false);
    }
  }

  // ---- expressions ----
  bool grouped() const { return q.grouping != QueryData::Grouping::None; }
  // An annotation where a condition or an ordering names it.
  void annotation_ref(int i) { expr(q.annotations[static_cast<std::size_t>(i)].expr); }
  void where_node_inline(const WhereNode& n) { node(n, false); }
  void expr(const RExpr& e) {
    k(0xE0 | static_cast<uint64_t>(e.kind));
    switch (e.kind) {
      case Expr::Kind::Field:
        if (e.alias == kSubqueryAlias) {  // aggregate()'s subquery column
          k(0x5C | static_cast<uint64_t>(e.field) << 8);
          w.ident("covet_subquery").text(".").ident(w.writing_sql() ? "__col" + std::to_string(e.field) : std::string());
          return;
        }
        if (e.annotation >= 0) {
          k(static_cast<uint64_t>(e.annotation));
          annotation_ref(e.annotation);
        } else {
          k(static_cast<uint64_t>(e.alias) << 32 | static_cast<uint32_t>(e.field));
          col(e.alias, model_of(e.alias).field(e.field));
        }
        return;
      case Expr::Kind::Literal:
        k(static_cast<uint64_t>(e.value.type()) << 1 | e.value.is_null());
        if (e.value.is_null()) {
          w.text("NULL");
        } else if (d.casts_aggregates()) {  // PostgreSQL infers a bare parameter's type from its neighbour: say it
          w.text("CAST(").param(e.value).text(" AS ").text(w.writing_sql() ? d.column_type(e.out) : std::string()).text(")");
        } else {
          w.param(e.value);
        }
        return;
      case Expr::Kind::Aggregate: {
        static constexpr const char* names[] = {"COUNT(", "SUM(", "AVG(", "MAX(", "MIN("};
        k(static_cast<uint64_t>(e.agg) | (e.distinct ? 0x10 : 0) | (e.star ? 0x20 : 0) | (e.filter ? 0x40 : 0) |
          static_cast<uint64_t>(e.out.kind) << 8 | static_cast<uint64_t>(e.out.decimal_places) << 16);
        // COUNT is bigint already; MAX/MIN keep their argument's type.
        bool cast = d.casts_aggregates() && (e.agg == AggFunc::Sum || e.agg == AggFunc::Avg);
        if (cast) w.text("CAST(");
        w.text(names[static_cast<int>(e.agg)]);
        if (e.distinct) w.text("DISTINCT ");
        if (e.star) w.text("*");
        else expr(e.args[0]);
        w.text(")");
        if (e.filter) {
          w.text(" FILTER (WHERE ");
          node(*e.filter, false);
          w.text(")");
        }
        if (cast) w.text(" AS ").text(w.writing_sql() ? d.column_type(e.out) : std::string()).text(")");
        return;
      }
      case Expr::Kind::Binary: {
        static constexpr const char* ops[] = {" + ", " - ", " * ", " / "};
        k(static_cast<uint64_t>(e.op));
        w.text("(");
        expr(e.args[0]);
        w.text(ops[static_cast<int>(e.op)]);
        expr(e.args[1]);
        w.text(")");
        return;
      }
      case Expr::Kind::Func: {
        static constexpr const char* names[] = {"COALESCE(", "LOWER(", "UPPER(", "LENGTH(", "NOW(", "ABS("};
        k(static_cast<uint64_t>(e.func) << 8 | e.args.size());
        w.text(names[static_cast<int>(e.func)]);
        for (std::size_t i = 0; i < e.args.size(); ++i) {
          if (i) w.text(", ");
          expr(e.args[i]);
        }
        w.text(")");
        return;
      }
      case Expr::Kind::Case:
        k(e.whens.size());
        w.text("CASE");
        for (const auto& [cond, then] : e.whens) {
          w.text(" WHEN ");
          node(*cond, false);
          w.text(" THEN ");
          expr(then);
        }
        w.text(" ELSE ");
        expr(e.args[0]);
        w.text(" END");
        return;
      case Expr::Kind::OuterRef:
        if (!up || (e.field < 0 && e.annotation < 0))
          throw UsageError(fmt::format("{}: the query refers to an outer one (OuterRef({})); use it inside Exists() or "
                                       "Subquery() in another query's filter() or annotate()",
                                       q.model->name, e.field < 0 && e.annotation < 0 ? e.value.as_string() : std::string("...")));
        k(static_cast<uint64_t>(e.alias) << 32 | static_cast<uint32_t>(e.field) | static_cast<uint64_t>(e.annotation + 1) << 48);
        up->kp = kp, up->kend = kend;  // the outer builder writes on from here
        if (e.annotation >= 0) up->annotation_ref(e.annotation);
        else up->col(e.alias, up->model_of(e.alias).field(e.field));
        kp = up->kp, kend = up->kend;
        return;
      case Expr::Kind::Subquery:
      case Expr::Kind::Exists: {
        const bool exists = e.kind == Expr::Kind::Exists;
        // SELECT 1, unless groups or an ordering by an annotation's name need the select list.
        bool one = exists && e.query->grouping == QueryData::Grouping::None;
        for (const OrderTerm& o : e.query->order) one = one && o.alias != kAnnotationAlias;
        k(static_cast<uint64_t>(one));
        w.text(exists ? "EXISTS (" : "(");
        subselect(*e.query, one);
        w.text(")");
        return;
      }
    }
  }
  bool nested = false;  // a subquery: its columns need no names
  Builder* up = nullptr;  // the query this one is a subquery of
  int depth = 0;
  bool renamed = false;     // correlated: its tables go by U0, U1, ...
  bool select_one = false;  // EXISTS (SELECT 1 ...)
  void named(const Annotation& a) {
    expr(a.expr);
    if (nested) return;
    text_key(a.name);  // values("author") and values("author_id") select one column under two names
    w.text(" AS ").ident(a.name);
  }
  // SELECT aggregate AS name, ... (aggregate()'s one row).
  void select_aggregates(const std::vector<Annotation>& aggregates) {
    k(aggregates.size());
    w.text("SELECT ");
    for (std::size_t i = 0; i < aggregates.size(); ++i) {
      if (i) w.text(", ");
      named(aggregates[i]);
    }
  }
  // GROUP BY as decided when the aggregate came (QueryData::grouping):
  // the model's columns, or what values() named then; then the ordering's
  // columns (PostgreSQL wants them grouped). What the select list holds is
  // named by its place there (an expression is not written, nor bound,
  // twice); the rest by its expression.
  void group_by(const std::vector<int>& cols) {
    if (!grouped()) return;  // select_rows' key says whether
    k(0x6B | static_cast<uint64_t>(q.grouping) << 8 | q.group_exprs.size() << 16);
    bool any = false;
    auto sep = [&] {
      w.text(any ? ", " : " GROUP BY ");
      any = true;
    };
    auto position = [&](std::size_t p) {
      k(p);  // which place is grouped shapes the text
      sep();
      w.text(w.writing_sql() ? std::to_string(p) : std::string());
    };
    // The select-list place of a plain column or an annotation, or 0.
    auto place = [&](const RExpr& e) -> std::size_t {
      if (q.values_mode) {
        for (std::size_t i = 0; i < q.values.size(); ++i) {
          const RExpr& v = q.values[i].expr;
          if (v.kind == Expr::Kind::Field && v.annotation == e.annotation &&
              (e.annotation >= 0 || (v.alias == e.alias && v.field == e.field)))
            return i + 1;
        }
        return 0;
      }
      if (e.kind == Expr::Kind::Field && e.annotation < 0 && e.alias == 0)
        for (std::size_t i = 0; i < cols.size(); ++i)
          if (cols[i] == e.field) return i + 1;
      return 0;
    };
    auto group = [&](const RExpr& e) {
      if (std::size_t p = place(e)) return position(p);
      sep();
      expr(e);
    };
    if (q.grouping == QueryData::Grouping::Values) {
      for (const RExpr& e : q.group_exprs) group(e);
    } else if (!q.values_mode) {  // every selected column but the aggregates, by place
      std::size_t p = 0;
      for (std::size_t i = 0; i < cols.size(); ++i) position(++p);
      for (const RelatedLoad& r : q.related)
        for (std::size_t i = 0; i < model_of(r.alias).fields.size(); ++i) position(++p);
      for (std::size_t i = 0; i < q.extra.size(); ++i) position(++p);
      for (const Annotation& a : q.annotations) {
        ++p;
        if (!a.expr.aggregate) position(p);
      }
    } else {  // per row, then values() narrowed the select list: the model's columns
      for (std::size_t i = 0; i < q.model->fields.size(); ++i) {
        sep();
        col(0, q.model->field(static_cast<int>(i)));
      }
      for (std::size_t i = 0; i < q.annotations.size(); ++i)
        if (!q.annotations[i].expr.aggregate) {
          RExpr ref;
          ref.kind = Expr::Kind::Field;
          ref.annotation = static_cast<int>(i);
          group(ref);
        }
    }
    for (const OrderTerm& o : q.order)
      if (o.alias != kAnnotationAlias && o.alias != 0) {  // a joined column the ordering (or DISTINCT) needs
        RExpr e;
        e.kind = Expr::Kind::Field;
        e.alias = o.alias;
        e.field = o.field;
        group(e);
      }
    if (!any) w.text("");  // values() of aggregates alone: one group
  }

  void select_list(const std::vector<int>& cols) {
    if (q.values_mode) {
      for (std::size_t i = 0; i < q.values.size(); ++i) {
        if (i) w.text(", ");
        named(q.values[i]);
      }
      distinct_order_columns();
      return;
    }
    for (std::size_t i = 0; i < cols.size(); ++i) {
      if (i) w.text(", ");
      col(0, q.model->field(cols[i]));
    }
    for (const RelatedLoad& r : q.related)  // select_related: each related model's columns after
      for (const FieldInfo& f : model_of(r.alias).fields) {
        w.text(", ");
        col(r.alias, f);
      }
    for (const auto& [alias, field] : q.extra) {
      w.text(", ");
      col(alias, model_of(alias).field(field));
    }
    for (const Annotation& a : q.annotations) {
      w.text(", ");
      named(a);
    }
    distinct_order_columns();
  }
  // SELECT DISTINCT ... ORDER BY a joined column: PostgreSQL wants it
  // selected (as Django adds it); the hydrator reads only the columns before.
  void distinct_order_columns() {
    if (!q.distinct) return;
    for (const OrderTerm& o : q.order) {
      if (o.alias == 0 && !q.values_mode) continue;  // selected already
      if (o.alias == kAnnotationAlias) continue;     // ordered by its name
      if (q.values_mode && o.alias == 0) {
        bool selected = false;
        for (const Annotation& v : q.values)
          selected = selected || (v.expr.annotation < 0 && v.expr.alias == 0 && v.expr.field == o.field);
        if (selected) continue;
      }
      w.text(", ");
      col(o.alias, model_of(o.alias).field(o.field));
    }
  }

  void order_by() {
    k(0x0B);
    k(q.order.size());
    if (q.order.empty()) return;
    w.text(" ORDER BY ");
    for (std::size_t i = 0; i < q.order.size(); ++i) {
      const OrderTerm& o = q.order[i];
      k(static_cast<uint64_t>(o.alias) << 40 | static_cast<uint64_t>(o.field) << 1 | o.descending);
      if (i) w.text(", ");
      const FieldInfo& f = model_of(o.alias).field(o.field);
      // (A subquery's select list names nothing: its ordering repeats the expression.)
      if (o.alias == kAnnotationAlias && !nested && annotation_selected(o.field)) {
        w.ident(f.name);  // by its name in the select list (DISTINCT wants exactly that)
      } else {
        col(o.alias, f);
      }
      if (o.descending) w.text(" DESC");
      if (f.null || outer(o.alias)) w.text(d.nulls_order(o.descending));
    }
  }

  bool annotation_selected(int i) const {
    if (!q.values_mode) return true;
    for (const Annotation& v : q.values)
      if (v.expr.annotation == i) return v.name == q.annotations[static_cast<std::size_t>(i)].name;
    return false;
  }

  void limit() {
    k(0x11 | (q.limit ? 2 : 0) | (q.offset ? 4 : 0));
    if (q.limit || q.offset) d.compile_limit(w, q);
  }

  void select_rows(const std::vector<int>& cols) {
    k(0x5E);
    k(static_cast<uint64_t>(q.distinct) | static_cast<uint64_t>(select_one) << 1);
    if (&cols == q.model->all_columns.get()) {
      k(0xA11);  // every field: one word instead of one per column
    } else {
      k(cols.size());
      for (int c : cols) k(static_cast<uint64_t>(c));
    }
    // One word for the rarely used parts, then their details when present.
    k(static_cast<uint64_t>(q.related.size()) | static_cast<uint64_t>(q.extra.size()) << 16 |
      static_cast<uint64_t>(q.values_mode ? q.values.size() + 1 : 0) << 32 | static_cast<uint64_t>(q.annotations.size()) << 48);
    for (const RelatedLoad& r : q.related)
      k(static_cast<uint64_t>(r.alias) << 32 | static_cast<uint32_t>(r.parent + 1));
    for (const auto& [alias, field] : q.extra) k(static_cast<uint64_t>(alias) << 32 | static_cast<uint32_t>(field));
    w.text(q.distinct ? "SELECT DISTINCT " : "SELECT ");
    if (!q.index_hint.empty()) d.select_hint(w, *q.model, q.index_hint);  // keyed in from()
    // The key pass too when expressions are selected: they bind parameters.
    if (select_one) w.text("1");
    else if (w.writing_sql() || q.values_mode || !q.annotations.empty()) select_list(cols);
    from();
    where();
    group_by(cols);
    where(true);
    order_by();
    limit();
    k(static_cast<uint64_t>(q.lock) << 1 | q.lock_of_self);
    if (q.lock != RowLock::None) d.compile_lock(w, q);
  }

  // WHERE pk IN (the query's rows): DELETE and UPDATE of a query that
  // joins (neither statement takes a JOIN on every backend).
  void where_pk_in(const QueryData& rows) {
    const FieldInfo& pk = q.model->field(q.model->primary_key[0]);
    w.text(" WHERE ");
    col(0, pk).text(" IN (");
    subselect(rows);
    w.text(")");
  }
};

bool has_aggregates(const QueryData& q) {
  for (const Annotation& a : q.annotations)
    if (a.expr.aggregate) return true;
  return false;
}
bool sliced(const QueryData& q) {
  return q.limit || q.offset || q.distinct || has_aggregates(q) || q.grouping != QueryData::Grouping::None;
}

QueryData unordered(const QueryData& q) {
  QueryData out = q;
  out.order.clear();
  return out;
}

// The keys of the rows a joining query matches, for DELETE/UPDATE ... WHERE pk IN (...).
QueryData key_rows(const QueryData& q, std::string_view what) {
  if (q.model->primary_key.size() != 1)
    throw NotSupportedError(fmt::format("{} across a relation needs a single-column primary key on {}", what, q.model->name));
  QueryData rows = keys_of(q);
  rows.order.clear();
  return rows;
}

std::shared_ptr<const std::vector<int>> selected_columns(const QueryData& q) {
  if (!q.columns.empty()) return std::make_shared<const std::vector<int>>(q.columns);
  // The model's own list, held without a reference count (the ModelInfo
  // outlives every query of it, as QueryData::model does).
  return std::shared_ptr<const std::vector<int>>(std::shared_ptr<const void>(), q.model->all_columns.get());
}

#ifdef COVET_CHECK_COMPILE_CACHE
// Equal parameters for the self-check: the same type each, doubles
// compared as their bits (a NaN equals itself), arrays item by item.
bool same_value(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (const double* x = a.get_if<double>()) return std::memcmp(x, b.get_if<double>(), sizeof(double)) == 0;
  if (const Array* x = a.get_if<Array>()) {
    const Array& y = *b.get_if<Array>();
    return x->size() == y.size() && std::equal(x->begin(), x->end(), y.begin(), same_value);
  }
  return a == b;
}
bool same_params(const std::vector<Value>& a, const std::vector<Value>& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_value);
}

// A failed self-check ends the process with both texts: as an exception, a
// test expecting an error from that call could catch it and pass.
[[noreturn, gnu::cold]] void cache_check_failed(const std::string& cached, std::size_t cached_params,
                                                 const std::string& fresh, std::size_t fresh_params) {
  std::fprintf(stderr,
               "covet: the compile cache's self-check failed (a shape key misses a decision the SQL depends on)\n"
               "  cached: %s (%zu parameters)\n  fresh:  %s (%zu parameters)\n",
               cached.c_str(), cached_params, fresh.c_str(), fresh_params);
  std::abort();
}

// The self-check: a fresh walk's text and parameters against what the
// cache gave (or, on a miss, the key walk's parameters).
[[gnu::noinline, gnu::cold]] void check_compile(const std::string* cached, const std::vector<Value>& key_params,
                                                const std::string& sql, const std::vector<Value>& params) {
  cache().checked.fetch_add(1, std::memory_order_relaxed);
  if ((cached && *cached != sql) || !same_params(params, key_params))
    cache_check_failed(cached ? *cached : sql, key_params.size(), sql, params.size());
}
#endif

// The short key of the commonest SELECT: the model's own columns, plain
// comparisons (= > >= < <=) of its own fields with non-NULL scalars ANDed,
// an ordering by its own fields, a limit or offset; nothing else. The text
// of such a query depends on nothing but what is keyed here (the self-check
// compares it with the full walk's), so a chain of filter() calls that
// Builder would walk word by word costs a word per condition. False (and
// nothing written) for any other query, which takes the full walk.
bool flat_select_key(const Dialect& d, const QueryData& q, KeyBuffer& key, std::vector<Value>& params) {
  if (!q.columns.empty() || q.distinct || q.lock != RowLock::None || !q.joins.empty() || !q.related.empty() ||
      !q.extra.empty() || !q.annotations.empty() || q.values_mode || q.grouping != QueryData::Grouping::None ||
      !q.index_hint.empty() || q.correlated)
    return false;
  const std::size_t n = 4 + q.where.size() + q.order.size();
  if (n > key.words.size()) return false;
  for (const WhereNode& w : q.where) {
    const Filter& f = w.filter;
    if (w.kind != QNode::Kind::Leaf || w.negated || f.rhs || f.subquery || f.alias != 0 ||
        f.transform != Transform::None || !plain_comparison(f.lookup) || f.value.is_null() || f.value.is<Array>())
      return false;
  }
  for (const OrderTerm& o : q.order)
    if (o.alias != 0) return false;
  uint64_t* k = key.words.data() + 3;
  key.words[2] = 0x101;  // kind 1 (a SELECT of rows), flat: never a full walk's key
  *k++ = q.where.size() | q.order.size() << 24 | static_cast<uint64_t>(q.limit.has_value()) << 48 |
         static_cast<uint64_t>(q.offset != 0) << 49;
  for (const WhereNode& w : q.where) {
    *k++ = static_cast<uint64_t>(w.filter.field) << 8 | static_cast<uint64_t>(w.filter.lookup);
    params.push_back(w.filter.value);
  }
  for (const OrderTerm& o : q.order) *k++ = static_cast<uint64_t>(o.field) << 1 | o.descending;
  key.n = n;
  if (q.limit || q.offset) {
    SqlWriter w(d, nullptr, &params);
    d.compile_limit(w, q);
  }
  return true;
}

// What a compiled text is, as the first word of its cache key after the
// dialect and the model (two queries of one shape but of different kinds
// must not share a text).
enum class Compiled : uint64_t { Rows = 1, Count, Exists, Delete, Update, Aggregate, AggregateOverSubquery };

// `columns`: a SELECT's (returned in the result, so the caller returns it
// as it is, with no move of the whole CompiledQuery).
// `borrow`: see compile_select_transient.
template <class Emit>
CompiledQuery compile_cached(const Dialect& d, const QueryData& q, Compiled kind, Emit&& emit,
                             std::shared_ptr<const std::vector<int>> columns = nullptr, bool borrow = false) {
  CompiledQuery out;
  out.columns = std::move(columns);
  out.params.reserve(q.where.size() + 2);  // a parameter per condition, limit, offset: usually one allocation
  // The key is built in a per-thread buffer (no allocation once it has grown);
  // only a miss copies it into the cache.
  thread_local KeyBuffer key;
  key.words[0] = reinterpret_cast<uintptr_t>(&d);
  key.words[1] = reinterpret_cast<uintptr_t>(q.model);
  if (kind != Compiled::Rows || !flat_select_key(d, q, key, out.params)) {
    key.n = 3;
    key.words[2] = static_cast<uint64_t>(kind);
    Builder b{d, q, &key, SqlWriter(d, nullptr, &out.params)};
    emit(b);
    b.finish();
  }
  Cache& c = cache();
  // With the self-check on, a hit goes on to the miss path's walk (the one
  // place the text is written) and is compared with it.
#ifdef COVET_CHECK_COMPILE_CACHE
  const bool checking = c.check.load(std::memory_order_relaxed);
#else
  constexpr bool checking = false;  // built without it (release): not a branch on the hot path
#endif
  // The same shape as this thread's last query (a handler serving one
  // endpoint): no hashing, no lock. A shape's text never changes, so the
  // entry stays right even after the shared map is cleared.
  thread_local std::string last_key;
  thread_local std::shared_ptr<const std::string> last_sql;
  if (last_sql && same_key(key, last_key)) {
    if (borrow) out.sql = std::shared_ptr<const std::string>(std::shared_ptr<const std::string>(), last_sql.get());
    else out.sql = last_sql;
    thread_hits.add();
    if (!checking) [[likely]]
      return out;
  } else {
    std::shared_lock lock(c.mutex);
    auto it = c.map.find(key.bytes());
    if (it != c.map.end()) {
      out.sql = it->second;
      c.hits.fetch_add(1, std::memory_order_relaxed);
      last_key = key.bytes();
      last_sql = out.sql;
      if (!checking) [[likely]]
        return out;
    }
  }
  [[maybe_unused]] const bool hit = out.sql != nullptr;  // a hit only comes this far when checked
  if (!hit) c.misses.fetch_add(1, std::memory_order_relaxed);
  auto sql = std::make_shared<std::string>();
  std::vector<Value> params;
  Builder b{d, q, nullptr, SqlWriter(d, sql.get(), &params)};
  emit(b);
#ifdef COVET_CHECK_COMPILE_CACHE
  if (checking) [[unlikely]] {
    check_compile(hit ? out.sql.get() : nullptr, out.params, *sql, params);
    if (hit) return out;
  }
#endif
  out.sql = sql;
  last_key = key.bytes();
  last_sql = sql;
  std::unique_lock lock(c.mutex);
  if (c.map.size() >= kMaxCached) c.map.clear();
  c.map.emplace(std::string(key.bytes()), std::move(sql));
  return out;
}

}  // namespace

CompileCacheStats compile_cache_stats() {
  return {cache().hits.load() + all_hits(), cache().misses.load(), cache().checked.load()};
}
void set_compile_cache_check(bool on) {
#ifndef COVET_CHECK_COMPILE_CACHE
  if (on)
    throw ConfigurationError("this build of covet has no compile-cache self-check (configure it with "
                             "-DCOVET_CHECK_COMPILE_CACHE=ON, as the dev, tsan and fuzz presets do)");
#endif
  cache().check.store(on, std::memory_order_relaxed);
}
bool compile_cache_check() {
#ifdef COVET_CHECK_COMPILE_CACHE
  return cache().check.load(std::memory_order_relaxed);
#else
  return false;
#endif
}

namespace {
// A SELECT of the query's rows: compile_query's and compile_select_transient's one body.
CompiledQuery select_rows_cached(const Dialect& d, const QueryData& q, bool borrow) {
  auto cols = selected_columns(q);
  const std::vector<int>& c = *cols;
  return compile_cached(d, q, Compiled::Rows, [&](Builder& b) { b.select_rows(c); }, std::move(cols), borrow);
}
}  // namespace

CompiledQuery compile_select_transient(const Dialect& d, const QueryData& q) { return select_rows_cached(d, q, true); }

CompiledQuery compile_query(const Dialect& d, const QueryData& q, QueryKind kind) {
  if (kind != QueryKind::Select && q.lock != RowLock::None) {  // count(), exists(), delete() take no row locks
    QueryData unlocked = q;
    unlocked.lock = RowLock::None;
    unlocked.lock_of_self = false;
    return compile_query(d, unlocked, kind);
  }
  if (kind != QueryKind::Select && !q.related.empty()) {  // select_related loads nothing for these
    QueryData plain = q;
    plain.related.clear();
    return compile_query(d, plain, kind);
  }
  switch (kind) {
    case QueryKind::Select:
      return select_rows_cached(d, q, false);
    case QueryKind::Count:
      return compile_cached(d, q, Compiled::Count, [&](Builder& b) {
        if (sliced(q)) {
          b.w.text("SELECT COUNT(*) FROM (");
          b.select_rows(*selected_columns(q));
          b.w.text(") AS \"covet_subquery\"");
        } else {
          b.w.text("SELECT COUNT(*)");
          b.from();
          b.where();
        }
      });
    case QueryKind::Exists: {
      if (has_aggregates(q)) {  // HAVING decides: the grouped rows, then any
        QueryData q1 = q;
        q1.order.clear();
        return compile_cached(d, q1, Compiled::Exists, [&](Builder& b) {
          b.w.text("SELECT 1 FROM (");
          b.select_rows(*selected_columns(q1));
          b.w.text(") AS \"covet_subquery\" LIMIT 1");
        });
      }
      QueryData q1 = q;
      q1.limit = 1;
      q1.order.clear();
      return compile_cached(d, q1, Compiled::Exists, [&](Builder& b) {
        b.w.text("SELECT 1");
        b.from();
        b.where();
        if (q1.offset) {  // the slice matters only when an offset skips rows
          b.limit();
        } else {
          b.w.text(" LIMIT 1");
        }
      });
    }
    case QueryKind::Delete:
      if (sliced(q))
        throw NotSupportedError("delete() cannot be used on a sliced or distinct query; filter by primary key instead");
      if (!q.order.empty()) return compile_query(d, unordered(q), kind);  // as Django, ordering is ignored
      if (!q.joins.empty()) {
        QueryData rows = key_rows(q, "delete()");
        return compile_cached(d, q, Compiled::Delete, [&](Builder& b) {
          b.w.text("DELETE FROM ").ident(q.model->table);
          b.where_pk_in(rows);
        });
      }
      return compile_cached(d, q, Compiled::Delete, [&](Builder& b) {
        b.w.text("DELETE FROM ").ident(q.model->table);
        b.where();
      });
  }
  throw ProgrammingError("unknown query kind");
}

namespace {
// What aggregate() may aggregate over groups: an annotation, or a field
// the rows are grouped by (the model's own columns under Model grouping).
bool grouped_argument(const QueryData& q, const RExpr& a) {
  if (q.grouping == QueryData::Grouping::None) return true;
  if (a.kind != Expr::Kind::Field) return false;
  if (a.annotation >= 0) return true;
  if (q.grouping == QueryData::Grouping::Model) return a.alias == 0;
  for (const RExpr& g : q.group_exprs)
    if (g.kind == Expr::Kind::Field && g.annotation < 0 && g.alias == a.alias && g.field == a.field) return true;
  return false;
}

// aggregate() over a sliced, distinct or grouped query (Django's
// get_aggregation): the query as a subquery selecting what each aggregate
// aggregates as __col<i>, the aggregates over its rows outside.
CompiledQuery compile_aggregate_over_rows(const Dialect& d, const QueryData& q, const std::vector<Annotation>& aggregates) {
  QueryData inner = q;
  inner.related.clear();
  inner.prefetch.clear();
  inner.lock = RowLock::None;
  inner.lock_of_self = false;
  std::vector<Annotation> base;
  if (q.values_mode) {
    base = q.values;  // distinct values, or the groups
  } else {
    for (int k : q.model->primary_key) {  // a row's identity: DISTINCT over it is DISTINCT over the rows
      RExpr key;
      key.kind = Expr::Kind::Field;
      key.field = k;
      key.out = q.model->field(k);
      base.push_back(Annotation{q.model->field(k).name, std::move(key)});
    }
  }
  inner.values_mode = true;
  inner.values = std::move(base);
  // Each aggregate's argument goes inside; the outer aggregate reads it.
  std::vector<Annotation> outer = aggregates;
  int next = 0;
  auto lift = [&](auto& self, RExpr& e) -> void {
    if (e.kind == Expr::Kind::Aggregate) {
      if (e.filter)
        throw NotSupportedError("aggregate() with filter= over a sliced, distinct or grouped query is not supported; "
                                "filter the query before slicing it, or use Case/When inside the aggregate");
      if (e.star) return;
      if (!grouped_argument(q, e.args[0]))
        throw FieldError(fmt::format("{}: aggregate() over groups aggregates their annotations or the fields they are "
                                     "grouped by; annotate() the value first",
                                     q.model->name));
      RExpr col;
      col.kind = Expr::Kind::Field;
      col.alias = kSubqueryAlias;
      col.field = next;
      col.out = e.args[0].out;
      inner.values.push_back(Annotation{"__col" + std::to_string(next++), std::move(e.args[0])});
      e.args[0] = std::move(col);
      return;
    }
    for (RExpr& a : e.args) self(self, a);
    for (auto& [c, v] : e.whens) self(self, v);
  };
  for (Annotation& a : outer) lift(lift, a.expr);
  // DISTINCT with an ordering by an annotation: selected too (PostgreSQL
  // wants ORDER BY terms among DISTINCT's columns).
  if (inner.distinct)
    for (const OrderTerm& o : inner.order) {
      if (o.alias != kAnnotationAlias) continue;
      const Annotation& a = q.annotations[static_cast<std::size_t>(o.field)];
      bool selected = false;
      for (const Annotation& v : inner.values) selected = selected || v.name == a.name;
      if (selected) continue;
      RExpr ref;
      ref.kind = Expr::Kind::Field;
      ref.annotation = o.field;
      ref.aggregate = a.expr.aggregate;
      ref.out = a.expr.out;
      inner.values.push_back(Annotation{a.name, std::move(ref)});
    }
  if (inner.values.empty()) {  // Count("*") alone over a keyless values() query: any column will do
    RExpr one;
    one.value = Value(1);
    one.out.kind = FieldKind::BigInteger;
    inner.values.push_back(Annotation{"__one", std::move(one)});
  }
  return compile_cached(d, inner, Compiled::AggregateOverSubquery, [&](Builder& b) {
    b.select_aggregates(outer);
    b.w.text(" FROM (");
    b.select_rows(*selected_columns(inner));
    b.w.text(") AS \"covet_subquery\"");
  });
}
}  // namespace

CompiledQuery compile_aggregate(const Dialect& d, const QueryData& q, const std::vector<Annotation>& aggregates) {
  if (aggregates.empty()) throw InvalidArgument("aggregate() needs at least one aggregate");
  if (q.limit || q.offset || q.distinct || q.grouping != QueryData::Grouping::None)
    return compile_aggregate_over_rows(d, q, aggregates);
  if (q.values_mode) {  // values() changes nothing aggregated (annotations stay for the conditions naming them)
    QueryData plain = q;
    plain.values_mode = false;
    plain.values.clear();
    return compile_aggregate(d, plain, aggregates);
  }
  return compile_cached(d, q, Compiled::Aggregate, [&](Builder& b) {
    b.select_aggregates(aggregates);
    b.from();
    b.where();
  });
}

CompiledQuery compile_update(const Dialect& d, const QueryData& q, const std::vector<std::pair<int, Value>>& sets,
                             const std::vector<std::pair<int, RExpr>>& exprs) {
  if (sliced(q))
    throw NotSupportedError("update() cannot be used on a sliced or distinct query; filter by primary key instead");
  if (sets.empty() && exprs.empty()) throw InvalidArgument("update() needs at least one field to set");
  if (!q.order.empty()) return compile_update(d, unordered(q), sets, exprs);  // as Django, ordering is ignored
  if (!q.related.empty()) {
    QueryData plain = q;
    plain.related.clear();
    return compile_update(d, plain, sets, exprs);
  }
  std::optional<QueryData> rows;
  if (!q.joins.empty()) rows = key_rows(q, "update()");
  return compile_cached(d, q, Compiled::Update, [&](Builder& b) {
    b.w.text("UPDATE ").ident(q.model->table).text(" SET ");
    for (std::size_t i = 0; i < sets.size(); ++i) {
      b.k(static_cast<uint64_t>(sets[i].first));
      if (i) b.w.text(", ");
      b.w.ident(q.model->field(sets[i].first).column).text(" = ").param(sets[i].second);
    }
    b.k(exprs.size());
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      b.k(static_cast<uint64_t>(exprs[i].first));
      if (i || !sets.empty()) b.w.text(", ");
      b.w.ident(q.model->field(exprs[i].first).column).text(" = ");
      b.expr(exprs[i].second);
    }
    if (rows) b.where_pk_in(*rows);
    else b.where();
  });
}

// ------------------------------------------------------ per-model statements
namespace {
struct ModelSqlKey {
  const Dialect* dialect;
  const ModelInfo* model;
  char what;
  bool operator==(const ModelSqlKey&) const = default;
};
struct ModelSqlKeyHash {
  std::size_t operator()(const ModelSqlKey& k) const noexcept {
    return std::hash<const void*>()(k.model) * 31 + std::hash<const void*>()(k.dialect) * 7 + static_cast<std::size_t>(k.what);
  }
};
// Statement texts per (dialect, model, kind): built once, never freed, so
// the strings' addresses are stable for the connections' statement caches.
struct ModelSqlCache {
  std::mutex mutex;
  std::unordered_map<ModelSqlKey, std::unique_ptr<const std::string>, ModelSqlKeyHash> map;
  // (dialect, insert text) pairs that ModelInfo::insert_sql_slot points at.
  std::unordered_map<ModelSqlKey, std::unique_ptr<const detail::InsertSqlSlot>, ModelSqlKeyHash> slots;
};
ModelSqlCache& model_cache() {
  static ModelSqlCache c;
  return c;
}
template <class Make>
const std::string& model_sql(const Dialect& d, const ModelInfo& m, char what, Make&& make) {
  ModelSqlKey key{&d, &m, what};
  // Each thread remembers what it has looked up, so the hot path takes no
  // lock; the last lookup is checked first (save() in a loop).
  thread_local ModelSqlKey last_key{nullptr, nullptr, 0};
  thread_local const std::string* last_sql = nullptr;
  if (key == last_key) return *last_sql;
  thread_local std::unordered_map<ModelSqlKey, const std::string*, ModelSqlKeyHash> local;
  if (auto it = local.find(key); it != local.end()) {
    last_key = key;
    last_sql = it->second;
    return *it->second;
  }
  ModelSqlCache& c = model_cache();
  std::lock_guard lock(c.mutex);
  auto& slot = c.map[key];
  if (!slot) slot = std::make_unique<const std::string>(make());
  local.emplace(key, slot.get());
  last_key = key;
  last_sql = slot.get();
  return *slot;
}

void pk_where(const Dialect& d, const ModelInfo& m, std::string& sql, std::size_t first_param) {
  sql += " WHERE ";
  for (std::size_t i = 0; i < m.primary_key.size(); ++i) {
    if (i) sql += " AND ";
    d.quote_identifier(sql, m.field(m.primary_key[i]).column);
    sql += " = ";
    d.placeholder(sql, first_param + i);
  }
}
}  // namespace

std::string bulk_insert_sql(const Dialect& d, const ModelInfo& m, bool with_auto_pk, std::size_t rows,
                            bool returning_key, std::string_view conflict) {
  const std::vector<int> fields = insert_fields(m, with_auto_pk);
  if (fields.empty() || rows == 0)
    throw InvalidArgument(fmt::format("{}: a multi-row INSERT needs at least one column and one row", m.name));
  std::string sql = "INSERT INTO ";
  d.quote_identifier(sql, m.table);
  sql += " (";
  for (std::size_t k = 0; k < fields.size(); ++k) {
    if (k) sql += ", ";
    d.quote_identifier(sql, m.field(fields[k]).column);
  }
  sql += ") VALUES ";
  sql.reserve(sql.size() + rows * fields.size() * 8 + 64);
  std::size_t n = 0;
  for (std::size_t r = 0; r < rows; ++r) {
    sql += r ? ", (" : "(";
    for (std::size_t k = 0; k < fields.size(); ++k) {
      if (k) sql += ", ";
      d.placeholder(sql, ++n);
    }
    sql += ")";
  }
  sql += conflict;
  if (returning_key) {
    sql += " RETURNING ";
    d.quote_identifier(sql, m.field(m.primary_key[0]).column);
  }
  return sql;
}

std::string upsert_clause(const Dialect& d, const ModelInfo& m, const std::vector<int>& target,
                          const std::vector<int>& update) {
  std::string sql = " ON CONFLICT (";
  for (std::size_t k = 0; k < target.size(); ++k) {
    if (k) sql += ", ";
    d.quote_identifier(sql, m.field(target[k]).column);
  }
  sql += ") DO UPDATE SET ";
  for (std::size_t k = 0; k < update.size(); ++k) {
    if (k) sql += ", ";
    d.quote_identifier(sql, m.field(update[k]).column);
    sql += " = EXCLUDED.";
    d.quote_identifier(sql, m.field(update[k]).column);
  }
  return sql;
}

std::string bulk_update_sql(const Dialect& d, const ModelInfo& m, const std::vector<int>& fields, std::size_t rows) {
  const FieldInfo& pk = m.field(m.primary_key[0]);
  std::string sql = "UPDATE ";
  d.quote_identifier(sql, m.table);
  sql += " SET ";
  std::size_t n = 0;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    const FieldInfo& f = m.field(fields[k]);
    if (k) sql += ", ";
    d.quote_identifier(sql, f.column);
    sql += " = CASE ";
    d.quote_identifier(sql, pk.column);
    for (std::size_t r = 0; r < rows; ++r) {
      sql += " WHEN ";
      d.typed_placeholder(sql, ++n, pk);
      sql += " THEN ";
      d.typed_placeholder(sql, ++n, f);
    }
    sql += " ELSE ";
    d.quote_identifier(sql, f.column);
    sql += " END";
  }
  sql += " WHERE ";
  d.quote_identifier(sql, pk.column);
  sql += " IN (";
  for (std::size_t r = 0; r < rows; ++r) {
    if (r) sql += ", ";
    d.placeholder(sql, ++n);
  }
  sql += ")";
  return sql;
}

std::vector<int> insert_fields(const ModelInfo& m, bool with_auto_pk) {
  std::vector<int> out;
  for (std::size_t i = 0; i < m.fields.size(); ++i)
    if (with_auto_pk || !m.fields[i].auto_increment) out.push_back(static_cast<int>(i));
  return out;
}

std::vector<int> non_pk_fields(const ModelInfo& m) {
  std::vector<int> out;
  for (std::size_t i = 0; i < m.fields.size(); ++i)
    if (!m.fields[i].primary_key) out.push_back(static_cast<int>(i));
  return out;
}

const std::string& update_all_by_pk_sql(const Dialect& d, const ModelInfo& m) {
  return model_sql(d, m, 'U', [&] { return update_by_pk_sql(d, m, non_pk_fields(m)); });
}

namespace {
const std::string& insert_sql_text(const Dialect& d, const ModelInfo& m, bool with_auto_pk);
}

namespace detail {
// insert_sql() when the model's slot holds another dialect (or none yet).
const std::string& insert_sql_lookup(const Dialect& d, const ModelInfo& m, bool with_auto_pk) {
  using Slot = InsertSqlSlot;
  std::atomic_ref<const void*> slot_ref(m.insert_sql_slot);
  const std::string& sql = insert_sql_text(d, m, with_auto_pk);
  if (!with_auto_pk) {
    ModelSqlCache& c = model_cache();
    std::lock_guard lock(c.mutex);
    auto& owned = c.slots[ModelSqlKey{&d, &m, 'I'}];
    if (!owned) owned = std::make_unique<const Slot>(Slot{&d, &sql});
    slot_ref.store(owned.get(), std::memory_order_release);
  }
  return sql;
}
}  // namespace detail

namespace {
const std::string& insert_sql_text(const Dialect& d, const ModelInfo& m, bool with_auto_pk) {
  return model_sql(d, m, with_auto_pk ? 'J' : 'I', [&] {
    std::string sql = "INSERT INTO ";
    d.quote_identifier(sql, m.table);
    sql += " (";
    std::size_t n = 0;
    for (int i : insert_fields(m, with_auto_pk)) {
      if (n++) sql += ", ";
      d.quote_identifier(sql, m.field(i).column);
    }
    if (n == 0) sql = sql.substr(0, sql.size() - 2) + " DEFAULT VALUES";
    else {
      sql += ") VALUES (";
      for (std::size_t i = 0; i < n; ++i) {
        if (i) sql += ", ";
        d.placeholder(sql, i + 1);
      }
      sql += ")";
    }
    if (m.has_auto_pk() && !with_auto_pk && d.returning_for_generated_keys()) {  // the new key comes back as a row
      sql += " RETURNING ";
      d.quote_identifier(sql, m.field(m.primary_key[0]).column);
    }
    return sql;
  });
}
}  // namespace

std::string update_by_pk_sql(const Dialect& d, const ModelInfo& m, const std::vector<int>& fields) {
  std::string sql = "UPDATE ";
  d.quote_identifier(sql, m.table);
  sql += " SET ";
  std::size_t n = 0;
  for (int i : fields) {
    if (n) sql += ", ";
    d.quote_identifier(sql, m.field(i).column);
    sql += " = ";
    d.placeholder(sql, ++n);
  }
  pk_where(d, m, sql, n + 1);
  return sql;
}

const std::string& delete_by_pk_sql(const Dialect& d, const ModelInfo& m) {
  return model_sql(d, m, 'D', [&] {
    std::string sql = "DELETE FROM ";
    d.quote_identifier(sql, m.table);
    pk_where(d, m, sql, 1);
    return sql;
  });
}

const std::string& select_by_pk_sql(const Dialect& d, const ModelInfo& m) {
  return model_sql(d, m, 'S', [&] {
    std::string sql = "SELECT ";
    for (std::size_t i = 0; i < m.fields.size(); ++i) {
      if (i) sql += ", ";
      d.quote_identifier(sql, m.fields[i].column);
    }
    sql += " FROM ";
    d.quote_identifier(sql, m.table);
    pk_where(d, m, sql, 1);
    return sql;
  });
}

const std::string& exists_by_pk_sql(const Dialect& d, const ModelInfo& m) {
  return model_sql(d, m, 'E', [&] {
    std::string sql = "SELECT 1 FROM ";
    d.quote_identifier(sql, m.table);
    pk_where(d, m, sql, 1);
    return sql;
  });
}

}  // namespace covet
