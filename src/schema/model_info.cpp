#include "covet/schema/model_info.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <mutex>

#include "covet/core/error.hpp"
#include "covet/schema/meta.hpp"
#include "core/same_name.hpp"

namespace covet {

namespace {
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) == std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::vector<std::string> closest_names(std::string_view bad, const std::vector<std::string>& candidates,
                                       std::size_t max) {
  std::vector<std::pair<std::size_t, std::string>> scored;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(bad, c);
    bool prefix = !bad.empty() && (c.starts_with(bad) || bad.starts_with(c));
    if (d <= std::max<std::size_t>(2, c.size() / 2) || prefix) scored.emplace_back(prefix ? std::min<std::size_t>(d, 1) : d, c);
  }
  std::stable_sort(scored.begin(), scored.end(), [](auto& x, auto& y) { return x.first < y.first; });
  std::vector<std::string> out;
  for (auto& [d, c] : scored) {
    if (out.size() == max) break;
    out.push_back(c);
  }
  return out;
}

int ModelInfo::find(std::string_view n) const {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (detail::same_name(fields[i].name, n)) return static_cast<int>(i);
  if (n == "pk" && primary_key.size() == 1) return primary_key[0];
  // A relation's key by Django's attname: author_id for author.
  if (n.size() > 3 && n.ends_with("_id")) {
    std::string_view base = n.substr(0, n.size() - 3);
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (fields[i].relation && fields[i].name == base) return static_cast<int>(i);
  }
  return -1;
}

const RelationInfo* ModelInfo::find_relation(std::string_view n) const {
  for (const auto& r : relations)
    if (r->name == n) return r.get();
  return nullptr;
}

const RelationInfo& ModelInfo::reverse_key(const RelationInfo& r) const {
  const ModelInfo& target = r.target();
  const RelationInfo* found = nullptr;
  int matches = 0;
  const bool one = r.kind == RelationInfo::Kind::OneToOneReverse;
  const char* what = one ? "OneToOne" : "ForeignKey";
  for (const auto& fk : target.relations) {
    if (!fk->forward() || &fk->target() != this) continue;
    if (one && fk->kind != RelationInfo::Kind::OneToOne) continue;
    if (!r.back_populates.empty() && fk->name != r.back_populates) continue;
    found = fk.get();
    ++matches;
  }
  if (matches == 1) return *found;
  if (!r.back_populates.empty())
    throw ConfigurationError(fmt::format("{}.{}: back_populates('{}') names no {} of {} to {}", name, r.name,
                                         r.back_populates, what, target.name, name));
  if (matches == 0)
    throw ConfigurationError(fmt::format("{}.{}: {} has no {} to {} for this {} to reverse", name, r.name, target.name,
                                         what, name, one ? "ReverseOneToOne" : "OneToMany"));
  throw ConfigurationError(fmt::format("{}.{}: {} has several {}s to {}; name the one this reverses with "
                                       "covet::back_populates(\"...\") in meta",
                                       name, r.name, target.name, what, name));
}

namespace {
std::string lower_short_name(std::string_view full) {
  std::string_view n = full.substr(0, full.find('<'));
  if (auto colon = n.rfind("::"); colon != std::string_view::npos) n = n.substr(colon + 2);
  std::string out;
  for (char c : n) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct ThroughRegistry {
  std::mutex mutex;
  std::map<const RelationInfo*, std::unique_ptr<ThroughInfo>> infos;
  std::vector<std::unique_ptr<ModelInfo>> models;  // covet's own join tables
};
ThroughRegistry& through_registry() {
  static ThroughRegistry* r = new ThroughRegistry;  // never destroyed: looked up until the process ends
  return *r;
}

// covet's join table for `r`: an auto key, then a key column for each side
// (post_id, tag_id; from_user_id, to_user_id for a relation to its own
// model), unique together, each ON DELETE CASCADE.
std::unique_ptr<ModelInfo> automatic_through(const ModelInfo& source, const RelationInfo& r) {
  const ModelInfo& target = r.target();
  if (source.primary_key.size() != 1 || target.primary_key.size() != 1)
    throw ConfigurationError(fmt::format("{}.{}: a ManyToMany needs single-column primary keys on both sides", source.name, r.name));
  auto m = std::make_unique<ModelInfo>();
  m->name = source.name + "." + r.name;
  m->table = source.table + "_" + r.name;
  m->database = source.database;
  std::string src = lower_short_name(source.name), dst = lower_short_name(target.name);
  if (src == dst) src = "from_" + src, dst = "to_" + dst;
  auto key_field = [&](std::string name, const ModelInfo& side, std::size_t offset) {
    const FieldInfo& pk = side.field(side.primary_key[0]);
    FieldInfo f;
    f.name = std::move(name);
    f.column = f.name + "_id";
    f.offset = offset;
    f.codec = pk.codec;
    f.kind = pk.kind;
    f.max_length = pk.max_length;
    auto rel = std::make_shared<RelationInfo>();
    rel->kind = RelationInfo::Kind::ManyToOne;
    rel->name = f.name;
    rel->fixed_target = &side;
    rel->on_delete = OnDelete::Cascade;
    rel->related_name = m->table;  // not a query name anyone uses
    f.relation = rel;
    m->relations.push_back(rel);
    return f;
  };
  m->fields.push_back(FieldInfo{.name = "id",
                                .column = "id",
                                .codec = detail::codec_for<int64_t>(),
                                .kind = FieldKind::BigInteger,
                                .primary_key = true});
  m->fields.push_back(key_field(src, source, 8));
  m->fields.push_back(key_field(dst, target, 16));
  m->unique_constraints.push_back({m->table + "_pair", {1, 2}});
  m->finalize();
  return m;
}

int through_key(const ModelInfo& source, const RelationInfo& r, const ModelInfo& through, const ModelInfo& side,
                const std::string& named, int other) {
  if (!named.empty()) {
    int i = through.require(named);
    const FieldInfo& f = through.field(i);
    if (!f.relation || &f.relation->target() != &side)
      throw ConfigurationError(fmt::format("{}.{}: through field {}.{} is not a ForeignKey to {}", source.name, r.name,
                                           through.name, named, side.name));
    return i;
  }
  int found = -1, n = 0;
  for (const auto& rel : through.relations)
    if (rel->forward() && &rel->target() == &side && rel->field != other) found = rel->field, ++n;
  if (n != 1)
    throw ConfigurationError(fmt::format("{}.{}: through model {} has {} ForeignKeys to {}; name the one to use in "
                                         "covet::through<...>(source, target)",
                                         source.name, r.name, through.name, n, side.name));
  return found;
}
}  // namespace

const ThroughInfo& through_of(const ModelInfo& source, const RelationInfo& r) {
  ThroughRegistry& reg = through_registry();
  {
    std::lock_guard lock(reg.mutex);
    if (auto it = reg.infos.find(&r); it != reg.infos.end()) return *it->second;
  }
  // Built outside the lock: resolving models may build (and register) them.
  auto info = std::make_unique<ThroughInfo>();
  std::unique_ptr<ModelInfo> own;
  if (r.through) {
    const ModelInfo& t = r.through();
    info->model = &t;
    info->source_field = through_key(source, r, t, source, r.through_source, -1);
    info->target_field = through_key(source, r, t, r.target(), r.through_target, info->source_field);
  } else {
    own = automatic_through(source, r);
    info->model = own.get();
    info->source_field = 1;
    info->target_field = 2;
    info->automatic = true;
  }
  std::lock_guard lock(reg.mutex);
  if (auto it = reg.infos.find(&r); it != reg.infos.end()) return *it->second;  // another thread was first
  if (own) {
    detail::register_model(own.get());  // may throw (a table name taken): then nothing is kept
    reg.models.push_back(std::move(own));
  }
  return *reg.infos.emplace(&r, std::move(info)).first->second;
}

namespace option {
void OnDeleteOpt::apply(FieldInfo& f) const {
  if (!f.relation) throw ConfigurationError(fmt::format("{}: on_delete() applies to ForeignKey and OneToOne members", f.name));
  f.relation->on_delete = action;
}
void RelatedName::apply(FieldInfo& f) const {
  if (!f.relation) throw ConfigurationError(fmt::format("{}: related_name() applies to ForeignKey and OneToOne members", f.name));
  f.relation->related_name = name;
}
}  // namespace option

namespace detail {
RelationInfo& relation_at_offset(ModelInfo& info, std::size_t offset) {
  for (auto& r : info.relations)
    if (r->offset == offset) return *r;
  throw FieldError(fmt::format("{}: member pointer does not name a relation of the model", info.name));
}
const RelationInfo& relation_at_offset(const ModelInfo& info, std::size_t offset) {
  return relation_at_offset(const_cast<ModelInfo&>(info), offset);
}
void throw_not_loaded(std::string_view what, std::string_view target) {
  throw UsageError(fmt::format("this {} to {} is not loaded: load it with select_related(), prefetch_related() or "
                               "fetch() (covet never queries behind your back)",
                               what, target));
}
void throw_no_related(std::string_view target) {
  throw DoesNotExist(fmt::format("no related {} (a NULL key, or no row points here)", target));
}
}  // namespace detail

std::vector<std::string> ModelInfo::suggest(std::string_view bad) const {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  return closest_names(bad, names);
}

int ModelInfo::require(std::string_view n) const {
  int i = find(n);
  if (i >= 0) return i;
  std::string msg = fmt::format("{} has no field named '{}'", name, n);
  for (const auto& f : fields)  // Django's rule: queries name fields, never their db_column
    if (f.column == n)
      throw FieldError(fmt::format("{}; '{}' is the database column of field '{}': use the field name", msg, n, f.name));
  auto close = suggest(n);
  if (!close.empty()) msg += fmt::format("; did you mean '{}'?", fmt::join(close, "', '"));
  std::vector<std::string> all;
  for (const auto& f : fields) all.push_back(f.name);
  msg += fmt::format(" (fields: {})", fmt::join(all, ", "));
  throw FieldError(msg);
}

int ModelInfo::field_at_offset(std::size_t off) const {
  for (std::size_t i = 0; i < fields.size(); ++i)
    if (fields[i].offset == off) return static_cast<int>(i);
  throw FieldError(fmt::format("{}: member pointer does not name a field of the model", name));
}

void ModelInfo::finalize() {
  auto check_ident = [&](std::string_view what, std::string_view id) {
    if (id.empty() || id.find('\0') != std::string_view::npos)
      throw ConfigurationError(fmt::format("{}: invalid {} name '{}'", name, what, id));
  };
  check_ident("table", table);
  for (auto& f : fields) {
    check_ident("column", f.column);
    if (f.name.find("__") != std::string::npos)
      throw ConfigurationError(fmt::format("{}.{}: field names may not contain '__' (it separates lookups)", name, f.name));
    if (f.kind == FieldKind::Text && f.max_length > 0) f.kind = FieldKind::String;
    if (f.max_length > 0 && f.kind != FieldKind::String)
      throw ConfigurationError(fmt::format("{}.{}: max_length applies to std::string fields", name, f.name));
    if ((f.auto_now || f.auto_now_add) && f.kind != FieldKind::DateTime && f.kind != FieldKind::Date)
      throw ConfigurationError(fmt::format("{}.{}: auto_now/auto_now_add apply to Date and DateTime fields", name, f.name));
    if (f.decimal_places > 0 && f.kind != FieldKind::Decimal)
      throw ConfigurationError(fmt::format("{}.{}: decimal() applies to covet::Decimal fields", name, f.name));
    if (f.null && !f.codec->optional)
      throw ConfigurationError(fmt::format("{}.{}: null() needs a std::optional member", name, f.name));
  }
  for (std::size_t i = 0; i < fields.size(); ++i) {
    FieldInfo& f = fields[i];
    if (!f.relation) continue;
    RelationInfo& r = *f.relation;
    r.field = static_cast<int>(i);
    if (r.kind == RelationInfo::Kind::OneToOne) f.unique = true;
    // As Django: a relation's key column is indexed (joins, reverse lookups
    // and prefetch all search it).
    if (!f.primary_key && !f.unique) f.index = true;
    // Django's default related query name: the model's name in lower case.
    if (r.related_name.empty()) r.related_name = lower_short_name(name);
    if (r.on_delete == OnDelete::SetNull && !f.null)
      throw ConfigurationError(fmt::format("{}.{}: on_delete SetNull needs a nullable key (ForeignKey<T, std::optional<K>>)",
                                           name, f.name));
    if (r.on_delete == OnDelete::SetDefault && !f.default_value)
      throw ConfigurationError(fmt::format("{}.{}: on_delete SetDefault needs a default_value()", name, f.name));
  }
  for (const auto& r : relations) {
    if (r->kind == RelationInfo::Kind::ManyToMany && r->related_name.empty()) r->related_name = lower_short_name(name);
    if (r->name.find("__") != std::string::npos)
      throw ConfigurationError(fmt::format("{}.{}: relation names may not contain '__'", name, r->name));
    for (const auto& f : fields)
      if (!r->forward() && f.name == r->name)
        throw ConfigurationError(fmt::format("{}: '{}' names both a field and a relation", name, f.name));
  }
  for (std::size_t i = 0; i < fields.size(); ++i)
    for (std::size_t j = i + 1; j < fields.size(); ++j)
      if (fields[i].column == fields[j].column)
        throw ConfigurationError(fmt::format("{}: fields '{}' and '{}' share column '{}'", name, fields[i].name,
                                             fields[j].name, fields[i].column));
  if (primary_key.empty()) {
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (fields[i].primary_key) primary_key.push_back(static_cast<int>(i));
  }
  if (primary_key.empty()) {
    int id = find("id");
    if (id >= 0 && (fields[static_cast<std::size_t>(id)].kind == FieldKind::Integer ||
                    fields[static_cast<std::size_t>(id)].kind == FieldKind::BigInteger)) {
      fields[static_cast<std::size_t>(id)].primary_key = true;
      primary_key.push_back(id);
    }
  }
  if (primary_key.empty())
    throw ConfigurationError(fmt::format(
        "{} has no primary key: add an `id` integer member, or mark one with covet::primary_key() in meta", name));
  for (int i : primary_key) {
    FieldInfo& f = fields[static_cast<std::size_t>(i)];
    f.primary_key = true;
    if (f.null) throw ConfigurationError(fmt::format("{}.{}: a primary key cannot be null", name, f.name));
  }
  write_checked.clear();
  text_checks.clear();
  other_checks.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    const FieldInfo& f = fields[i];
    bool text = f.kind == FieldKind::String || f.kind == FieldKind::Text ||
                (f.kind == FieldKind::Array && f.codec->element_kind == FieldKind::Text);
    if (text || f.max_length > 0 || !f.choices.empty() || f.max_digits > 0) {
      write_checked.push_back(static_cast<int>(i));
      if (f.codec->load_op == MemberLoad::Op::Text && f.choices.empty())
        text_checks.push_back({static_cast<uint32_t>(f.offset), f.max_length, static_cast<int>(i)});
      else
        other_checks.push_back(static_cast<int>(i));
    }
    has_auto_now = has_auto_now || f.auto_now || f.auto_now_add;
  }
  loads.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    MemberLoad l;
    l.op = fields[i].codec->load_op;
    l.offset = static_cast<uint32_t>(fields[i].offset);
    l.field = static_cast<int>(i);
    l.generic = [](void* member, const Row& row, int col, const void* ctx, int field) {
      const FieldInfo& f = static_cast<const ModelInfo*>(ctx)->field(field);
      f.codec->load(member, row, col, f);
    };
    l.fail = [](const void* ctx, int field, int64_t value, bool null) {
      const FieldInfo& f = static_cast<const ModelInfo*>(ctx)->field(field);
      if (null) detail::throw_null_into_required(f);
      detail::checked_int32(f, value);
    };
    loads.push_back(l);
  }
  binds.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    MemberBind b;
    b.op = fields[i].codec->load_op;
    b.offset = static_cast<uint32_t>(fields[i].offset);
    b.field = static_cast<int>(i);
    b.generic = [](const void* member, Binder& binder, int idx, const void* ctx, int field) {
      static_cast<const ModelInfo*>(ctx)->field(field).codec->bind(member, binder, idx);
    };
    binds.push_back(b);
  }
  auto all = std::make_shared<std::vector<int>>(fields.size());
  for (std::size_t i = 0; i < fields.size(); ++i) (*all)[i] = static_cast<int>(i);
  all_columns = std::move(all);
  if (primary_key.size() == 1) {
    FieldInfo& f = fields[static_cast<std::size_t>(primary_key[0])];
    if (f.kind == FieldKind::Integer || f.kind == FieldKind::BigInteger) f.auto_increment = true;
    if (f.kind == FieldKind::Uuid && !f.default_factory && !f.default_value)
      f.default_factory = [] { return Value(Uuid::v4()); };
  } else {
    for (int i : primary_key) fields[static_cast<std::size_t>(i)].auto_increment = false;
  }
  for (const FieldInfo& f : fields) has_default_factory = has_default_factory || f.default_factory != nullptr;
  auto_pk_int64_offset = -1;
  if (has_auto_pk() && field(primary_key[0]).codec->load_op == MemberLoad::Op::Int64)
    auto_pk_int64_offset = static_cast<int32_t>(field(primary_key[0]).offset);
  plain_insert = !has_default_factory && !has_auto_now && other_checks.empty() && !validate;
  insert_binds.clear();
  update_binds.clear();
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (!fields[i].auto_increment) insert_binds.push_back(binds[i]);
    if (!fields[i].primary_key) update_binds.push_back(binds[i]);
  }
  for (int k : primary_key) update_binds.push_back(binds[static_cast<std::size_t>(k)]);
  for (const CheckConstraintInfo& c : checks) {
    check_ident("check constraint", c.name);
    if (auto problem = sql_expression_problem(c.sql))
      throw ConfigurationError(fmt::format("{}: check constraint '{}' must be one SQL expression; it {}", name, c.name,
                                           *problem));
  }
}

std::optional<std::string> sql_expression_problem(std::string_view e) {
  if (e.find_first_not_of(" \t\r\n") == std::string_view::npos) return "is empty";
  // Outside quotes only a fixed alphabet is allowed: anything else (';',
  // '[', '`', '$', '?', '\\', non-ASCII bytes, ...) could start a token
  // that one backend reads as a quote or separator and this scan does not.
  static constexpr std::string_view kOperators = "()+-*/%<>=!|&,.:~^";
  int depth = 0;
  for (std::size_t i = 0; i < e.size(); ++i) {
    char c = e[i];
    char next = i + 1 < e.size() ? e[i + 1] : '\0';
    if (c == '\'' || c == '"') {  // a string or quoted identifier; doubled quotes escape
      std::size_t j = i + 1;
      for (;; ++j) {
        if (j >= e.size()) return "leaves a quote open";
        if (e[j] == '\0') return "holds a NUL byte";
        // In PostgreSQL's E'...' strings a backslash escapes a quote, which
        // would make the two readings of the text disagree.
        if (e[j] == '\\') return "holds a backslash";
        if (e[j] == c) {
          if (j + 1 < e.size() && e[j + 1] == c) {
            ++j;
            continue;
          }
          break;
        }
      }
      i = j;
      continue;
    }
    if ((c == '-' && next == '-') || (c == '/' && next == '*')) return "holds a comment";
    if (c == '(') ++depth;
    if (c == ')' && --depth < 0) return "closes a parenthesis it did not open";
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ' ' ||
                 c == '\t' || c == '\r' || c == '\n' || kOperators.find(c) != std::string_view::npos;
    if (!plain) {
      if (c == '\0') return "holds a NUL byte";
      if (c == ';') return "holds ';' (a statement separator)";
      return fmt::format("holds the character {} outside quotes (allowed there: letters, digits, blanks, "
                         "parentheses and the operators {})",
                         static_cast<unsigned char>(c) < 0x80 ? fmt::format("'{}'", c)
                                                             : fmt::format("0x{:02x}", static_cast<unsigned char>(c)),
                         kOperators.substr(2));
    }
  }
  if (depth != 0) return "leaves a parenthesis open";
  return std::nullopt;
}

void ModelInfo::check_defaults(void* probe) const {
  // The struct's initializer is what save() writes: a default_value that
  // disagrees with it would only apply to create(kwargs) and DDL. Compared
  // after conversion to the member's type ("0.00" and 0 for a Decimal agree).
  for (const FieldInfo& f : fields) {
    if (!f.default_value || f.auto_increment) continue;
    try {
      f.set(probe, *f.default_value);
    } catch (const Error& e) {
      throw ConfigurationError(fmt::format("{}.{}: default_value({}) does not fit the member: {}", name, f.name,
                                           f.default_value->to_string(), e.what()));
    }
    if (!(f.get(probe) == f.get(sample)))
      throw ConfigurationError(fmt::format("{}.{}: default_value({}) differs from the member's initializer ({}); "
                                           "give the member that initializer instead",
                                           name, f.name, f.default_value->to_string(), f.get(sample).to_string()));
  }
}

void option::PrimaryKey::apply(FieldInfo& f) const { f.primary_key = true; }
void option::MaxLength::apply(FieldInfo& f) const {
  if (n <= 0) throw ConfigurationError(fmt::format("{}: max_length must be positive", f.name));
  f.max_length = n;
}
void option::DecimalSpec::apply(FieldInfo& f) const {
  if (max_digits <= 0 || places < 0 || places > max_digits)
    throw ConfigurationError(fmt::format("{}: decimal({}, {}) is not a valid precision", f.name, max_digits, places));
  f.max_digits = max_digits;
  f.decimal_places = places;
}

namespace detail {

std::string default_table_name(std::string_view type_name) {
  std::size_t colon = type_name.rfind("::");
  if (colon != std::string_view::npos) type_name.remove_prefix(colon + 2);
  std::string out;
  for (std::size_t i = 0; i < type_name.size(); ++i) {
    char c = type_name[i];
    if (std::isupper(static_cast<unsigned char>(c))) {
      if (i > 0) out += '_';
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

void meta_add_index(ModelInfo& info, std::string name, std::initializer_list<std::string_view> fields, bool unique) {
  IndexInfo idx{std::move(name), {}, unique};
  for (std::string_view f : fields) {
    bool desc = !f.empty() && f[0] == '-';
    if (desc) f.remove_prefix(1);
    idx.fields.emplace_back(info.require(f), desc);
  }
  if (idx.fields.empty()) throw ConfigurationError(info.name + ": index '" + idx.name + "' has no fields");
  info.indexes.push_back(std::move(idx));
}

void meta_add_unique(ModelInfo& info, std::string name, std::initializer_list<std::string_view> fields) {
  UniqueConstraintInfo u{std::move(name), {}};
  for (std::string_view f : fields) u.fields.push_back(info.require(f));
  if (u.fields.empty()) throw ConfigurationError(info.name + ": unique constraint '" + u.name + "' has no fields");
  info.unique_constraints.push_back(std::move(u));
}

void meta_primary_key(ModelInfo& info, std::initializer_list<std::size_t> offsets) {
  info.primary_key.clear();
  for (std::size_t off : offsets) {
    int i = info.field_at_offset(off);
    info.fields[static_cast<std::size_t>(i)].primary_key = true;
    info.primary_key.push_back(i);
  }
}

}  // namespace detail
}  // namespace covet
