// ModelSerializer's input: the checks every source shares (reader.hpp reads
// the members), the validators that run after them, and the JSON source: a
// body parsed with simdjson's DOM parser (which checks the whole document),
// with covet's size and depth limits and duplicate keys refused.
#include "serial/reader.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <regex>
#include <unordered_set>

#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/orm/executor.hpp"
#include "covet/query/query_data.hpp"
#include "covet/schema/field_kind.hpp"
#include "covet/schema/model_info.hpp"
#include "covet/serial/serializer.hpp"
#include "serial/text_format.hpp"
#include "serial/validators.hpp"
#include "covet/core/record.hpp"

namespace covet {

namespace {
const detail::SerialField* find_field(const detail::SerializerPlan& p, std::string_view name) {
  auto it = std::lower_bound(p.by_name.begin(), p.by_name.end(), name,
                             [](const auto& e, std::string_view n) { return e.first < n; });
  if (it == p.by_name.end() || it->first != name) return nullptr;
  return &p.fields[it->second];
}

const detail::SerialField& input_field(const detail::SerializerPlan& p, std::string_view name) {
  const detail::SerialField* f = find_field(p, name);
  if (!f || f->source != detail::SerialField::Source::Input)
    throw FieldError(fmt::format("{} serializer has no input field '{}'", p.model->name, name));
  return *f;
}
}  // namespace

InputData::InputData(const detail::SerializerPlan& plan)
    : present(plan.fields.size()), failed(plan.fields.size()), extras(plan.input_fields), plan_(&plan) {}

bool InputData::has(std::string_view field) const {
  const detail::SerialField* f = find_field(*plan_, field);
  return f && present[static_cast<std::size_t>(f - plan_->fields.data())];
}

const Value& InputData::extra(std::string_view name) const {
  return extras[static_cast<std::size_t>(input_field(*plan_, name).extra)];
}

void InputData::set_extra(std::string_view name, Value v) {
  const detail::SerialField& f = input_field(*plan_, name);
  extras[static_cast<std::size_t>(f.extra)] = std::move(v);
  present[static_cast<std::size_t>(&f - plan_->fields.data())] = 1;
}

void InputData::erase_extra(std::string_view name) {
  const detail::SerialField& f = input_field(*plan_, name);
  extras[static_cast<std::size_t>(f.extra)] = Value();
  present[static_cast<std::size_t>(&f - plan_->fields.data())] = 0;
}

void InputData::error(std::string message) { error("non_field_errors", std::move(message)); }

void InputData::error(std::string field, std::string message) {
  if (const detail::SerialField* f = find_field(*plan_, field)) failed[static_cast<std::size_t>(f - plan_->fields.data())] = 1;
  auto& list = errors_[std::move(field)];
  if (std::find(list.begin(), list.end(), message) == list.end()) list.push_back(std::move(message));
}

namespace detail {

void fail_field(const SerialField& f, InputData& in, std::string message) { in.error(f.name, std::move(message)); }

bool fail_too_big(const SerialField& f, InputData& in, int64_t hi) {
  fail_field(f, in, fmt::format("Ensure this value is less than or equal to {}.", hi));
  return false;
}

bool fail_too_small(const SerialField& f, InputData& in, int64_t lo) {
  fail_field(f, in, fmt::format("Ensure this value is greater than or equal to {}.", lo));
  return false;
}

bool fail_too_long(const SerialField& f, InputData& in, std::size_t max_bytes) {
  fail_field(f, in, fmt::format("Ensure this value has no more than {} bytes.", max_bytes));
  return false;
}

bool check_text(const SerialField& f, InputData& in, std::string_view s) {
  const FieldOptions& o = f.options;
  if (s.empty()) {
    if (!f.allow_blank) return fail_field(f, in, "This field may not be blank."), false;
    return true;
  }
  // Characters are at most the bytes and at least a quarter of them: most
  // text is settled by its size, without counting.
  const auto bytes = static_cast<long>(s.size());
  const bool settled = (!o.max_length || bytes <= *o.max_length) && (!o.min_length || (bytes + 3) / 4 >= *o.min_length);
  if (!settled) {
    auto n = static_cast<long>(utf8_length(s));
    bool ok = true;
    if (o.max_length && n > *o.max_length)
      fail_field(f, in, fmt::format("Ensure this field has no more than {} characters.", *o.max_length)), ok = false;
    if (o.min_length && n < *o.min_length)
      fail_field(f, in, fmt::format("Ensure this field has at least {} characters.", *o.min_length)), ok = false;
    if (!ok) return false;  // the format checks need not look at text of the wrong length
  }
  bool ok = true;
  if (o.email && !valid_email(s)) fail_field(f, in, "Enter a valid email address."), ok = false;
  if (o.url && !valid_url(s)) fail_field(f, in, "Enter a valid URL."), ok = false;
  if (f.regex) {
    // libstdc++'s std::regex recurses once per character: long text
    // could exhaust the stack, so the pattern sees at most kRegexMax bytes.
    constexpr std::size_t kRegexMax = 4096;
    if (s.size() > kRegexMax)
      fail_field(f, in, fmt::format("Ensure this field has no more than {} characters.", kRegexMax)), ok = false;
    else if (!std::regex_match(s.begin(), s.end(), *static_cast<const std::regex*>(f.regex.get())))
      fail_field(f, in, "This value does not match the required pattern."), ok = false;
  }
  return ok;
}

bool check_range(const SerialField& f, InputData& in, double v) {
  const FieldOptions& o = f.options;
  bool ok = true;
  if (o.max_value && v > *o.max_value)
    fail_field(f, in, fmt::format("Ensure this value is less than or equal to {}.", Value(*o.max_value).to_string())),
        ok = false;
  if (o.min_value && v < *o.min_value)
    fail_field(f, in, fmt::format("Ensure this value is greater than or equal to {}.", Value(*o.min_value).to_string())),
        ok = false;
  return ok;
}

bool datetime_from_text(std::string_view s, DateTime& out) {
  try {
    out = DateTime::parse(s);
    return true;
  } catch (const InvalidArgument&) {
    return false;
  }
}

bool value_from_text(FieldKind kind, std::string_view s, Value& out) {
  try {
    switch (kind) {
      case FieldKind::Date: return out = Value(Date::parse(s)), true;
      case FieldKind::Uuid: return out = Value(Uuid::parse(s)), true;
      case FieldKind::Decimal: return out = Value(Decimal(s)), true;
      case FieldKind::Binary: {
        std::string bytes;
        if (!decode_base64(s, bytes)) return false;
        return out = Value(Bytes::from(bytes)), true;
      }
      default: return false;
    }
  } catch (const InvalidArgument&) {
    return false;
  }
}

Value decimal_from_double(double d) {
  JsonWriter w;  // the shortest text that reads back as d
  w.value(d);
  return Value(Decimal(w.view()));
}

std::string not_an_object(std::string_view type_name) {
  return fmt::format("Invalid data. Expected a dictionary, but got {}.", type_name);
}

namespace {

std::string model_label(const ModelInfo& m) {
  std::string_view n = m.name;
  if (auto k = n.rfind("::"); k != std::string_view::npos) n.remove_prefix(k + 2);
  std::string out;
  for (std::size_t i = 0; i < n.size(); ++i) {  // CamelCase → camel case, as Django's verbose_name
    char c = n[i];
    if (c >= 'A' && c <= 'Z') {
      if (i > 0) out += ' ';
      c = static_cast<char>(c - 'A' + 'a');
    }
    out += c;
  }
  return out;
}

// DRF's message for a unique field already taken.
std::string already_exists(const ModelInfo& m, const std::string& field) {
  return fmt::format("{} with this {} already exists.", model_label(m), field);
}

std::string not_a_unique_set(const std::vector<std::string>& names) {
  return fmt::format("The fields {} must make a unique set.", fmt::join(names, ", "));
}

// Whether another row than the target's own has these values. On an
// update the rows with them are counted with and without the object's own
// key (which also holds for a composite key).
bool taken(const Executor& db, const ModelInfo& m, const void* obj, const std::vector<int>& fields, bool updating) {
  QueryData q;
  q.model = &m;
  for (int i : fields) {
    const FieldInfo& f = m.field(i);
    Value v = f.get(obj);
    if (v.is_null()) return false;  // NULLs never collide in a unique index
    resolve_into(q, q.where.emplace_back(), f.name, v);
  }
  if (!updating) return orm::exists(db, q);
  int64_t all = orm::count(db, q);
  if (all == 0) return false;
  for (int k : m.primary_key) resolve_into(q, q.where.emplace_back(), m.field(k).name, m.field(k).get(obj));
  return all > orm::count(db, q);
}

void check_unique(const SerializerPlan& p, InputData& in, const Executor& db, bool updating) {
  const ModelInfo& m = *p.model;
  auto given = [&](int field) {  // under any of its names (a renamed field too)
    for (std::size_t i = 0; i < p.fields.size(); ++i)
      if (p.fields[i].source == SerialField::Source::Member && p.fields[i].field == field && in.present[i]) return true;
    return false;
  };
  for (int i = 0; i < static_cast<int>(m.fields.size()); ++i) {
    const FieldInfo& f = m.field(i);
    // A single-column key the input gives (made writable) is checked on
    // create; on update the row's own key is what it is matched by.
    bool key = f.primary_key && m.primary_key.size() == 1 && !updating;
    if (!(f.unique && !f.primary_key) && !key) continue;
    if (!given(i)) continue;
    if (taken(db, m, in.target, {i}, updating))
      in.error(f.name, already_exists(m, f.name));
  }
  for (const UniqueConstraintInfo& u : m.unique_constraints) {
    if (std::none_of(u.fields.begin(), u.fields.end(), given)) continue;
    if (u.fields.size() == 1) {  // one field: reported as the field's own, as DRF does
      const FieldInfo& f = m.field(u.fields[0]);
      if (!f.unique && taken(db, m, in.target, u.fields, updating))
        in.error(f.name, already_exists(m, f.name));
      continue;
    }
    if (taken(db, m, in.target, u.fields, updating)) {
      std::vector<std::string> names;
      for (int i : u.fields) names.push_back(m.field(i).name);
      in.error(not_a_unique_set(names));
    }
  }
}

void merge(InputData& in, const ValidationError& e, const std::string* field = nullptr) {
  for (const auto& [key, messages] : e.errors())
    for (const auto& msg : messages) in.error(field && key == "non_field_errors" ? *field : key, msg);
}

void run_field_validators(const SerializerPlan& p, InputData& in) {
  for (uint32_t i : p.validated_inputs) {
    const SerialField& f = p.fields[i];
    if (!in.present[i] || in.failed[i]) continue;
    void* target = f.source == SerialField::Source::Input ? static_cast<void*>(&in.extras[static_cast<std::size_t>(f.extra)])
                                                          : static_cast<char*>(in.target) + f.offset;
    for (const SerializerSpec::FieldValidator* v : f.validators) {
      try {
        if (f.source == SerialField::Source::Input || v->plain_codec == f.codec) v->plain(target);
        else v->in_optional(target);
      } catch (const ValidationError& e) {
        merge(in, e, &f.name);
        break;
      }
    }
  }
}

// The model's own write checks (write_check_ok) on the members the input
// set; the messages only when one fails.
void check_model_writes(const SerializerPlan& p, InputData& in) {
  bool ok = true;
  for (const SerializerPlan::WriteCheck& c : p.write_checks) {
    if (!in.present[c.field] || in.failed[c.field]) continue;
    if (!(ok = write_check_ok(p, c, in.target))) break;
  }
  if (ok) return;
  in.given.clear();  // the model fields the input set, for the messages
  for (const SerializerPlan::WriteCheck& c : p.write_checks)
    if (in.present[c.field] && !in.failed[c.field]) in.given.push_back(c.model_field);
  try {
    orm::validate_for_write(*p.model, in.target, &in.given);
  } catch (const ValidationError& e) {
    merge(in, e);
  }
}

}  // namespace

bool write_check_ok(const SerializerPlan& p, const SerializerPlan::WriteCheck& c, const void* obj) {
  if (c.text) {
    const auto& s = *reinterpret_cast<const std::string*>(static_cast<const char*>(obj) + c.offset);
    if (!p.fields[c.field].validators.empty()) return text_fits(s, c.max_length);
    return c.max_length == 0 || s.size() <= static_cast<std::size_t>(c.max_length) ||
           utf8_length(s) <= static_cast<std::size_t>(c.max_length);
  }
  const FieldInfo& f = p.model->field(c.model_field);
  return f.codec->is_null(f.member(obj)) || write_problems(f, f.get(obj)).empty();
}

const SerialField* find_field_for_key(const SerializerPlan& p, InputData& in, std::string_view key) {
  const SerialField* f = find_field(p, key);
  if (f) in.expect_next = static_cast<uint32_t>(f - p.fields.data()) + 1;
  return f;
}

void duplicate_key(const ReadOptions& o, std::string_view key) {
  throw ParseError(fmt::format("{} parse error - duplicate key \"{}\"", o.format == InputFormat::MsgPack ? "MessagePack" : "JSON",
                               utf8_problem(key) ? std::string_view("(not valid UTF-8)") : key));
}

void unknown_key(const ReadOptions& o, InputData& in, UnknownKeys& unknown, std::string_view key) {
  bool seen;
  if (unknown.few.size() < 16) {
    seen = std::find(unknown.few.begin(), unknown.few.end(), key) != unknown.few.end();
    unknown.few.push_back(key);
  } else {  // past 16, a hash set keeps it linear
    if (unknown.many.empty()) unknown.many.insert(unknown.few.begin(), unknown.few.end());
    seen = !unknown.many.insert(key).second;
  }
  if (seen) duplicate_key(o, key);
  if (o.reject_unknown) in.error(std::string(key), "Unknown field.");
}

void check_same_member(const SerializerPlan& p, InputData& in, std::size_t i) {
  // One member under two names (a field and a rename of it): refused,
  // rather than the last one silently winning.
  for (uint32_t k : p.fields[i].same_member)
    if (in.present[k] == 2)
      in.error(p.fields[i].name, fmt::format("This field sets the same value as '{}'; give one of them.", p.fields[k].name));
}

void finish_object(const SerializerPlan& p, const ReadOptions& o, InputData& in, const Executor* db, bool updating) {
  for (uint32_t i : p.read_only_inputs) in.present[i] = 0;  // as DRF: ignored when given
  if (!o.partial) {
    for (uint32_t i : p.required_inputs) {
      if (in.present[i]) continue;
      bool elsewhere = false;  // given under another of its names
      for (uint32_t k : p.fields[i].same_member) elsewhere = elsewhere || in.present[k];
      if (!elsewhere) in.error(p.fields[i].name, kRequired);
    }
  }
  for (uint8_t& given : in.present) given = given != 0;

  run_field_validators(p, in);
  check_model_writes(p, in);
  if (in.ok()) {
    for (const auto& validate : p.spec.object_validators) {
      try {
        validate(in);
      } catch (const ValidationError& e) {
        merge(in, e);
      }
      if (!in.ok()) break;
    }
  }
  if (in.ok() && p.model->validate) {
    try {
      p.model->validate(in.target);
    } catch (const ValidationError& e) {
      merge(in, e);
    }
  }
  if (in.ok() && db) check_unique(p, in, *db, updating);
}

void check_list_size(std::size_t count, const ReadOptions& o) {
  if (count > o.max_items)
    throw ValidationError(fmt::format("Ensure this field has no more than {} elements.", o.max_items));
}

void ListReader::begin() {
  in_.target = next_(count_);
  if (db_) items_.push_back(in_.target);
  if (index_ > 0) {  // fresh for this item (the constructor made them so for the first)
    std::fill(in_.present.begin(), in_.present.end(), 0);
    std::fill(in_.failed.begin(), in_.failed.end(), 0);
    for (Value& v : in_.extras) v = Value();
    in_.errors_.clear();
  }
  in_.expect_next = 0;
}

void ListReader::end() {
  if (!in_.ok() && !failed_) {
    failed_ = true;
    errors_.resize(index_);
  }
  if (failed_) {
    errors_.push_back(std::move(in_.errors_));
    in_.errors_.clear();
    drop_();
  }
  ++index_;
}

void ListReader::finish() {
  if (!failed_ && db_) check_unique_among();
  if (failed_) throw ValidationError(std::move(errors_));
}

void ListReader::check_unique_among() {
  const ModelInfo& m = *p_.model;
  auto check = [&](const std::vector<int>& fields, auto&& report) {
    std::map<std::vector<Value>, std::size_t> seen;
    for (std::size_t i = 0; i < items_.size(); ++i) {
      std::vector<Value> key;
      for (int f : fields) key.push_back(m.field(f).get(items_[i]));
      // NULLs never collide, nor do unset auto keys (0: the database picks);
      // NaN is never equal, even to itself.
      if (std::any_of(key.begin(), key.end(), [](const Value& v) {
            const double* d = v.get_if<double>();
            return v.is_null() || (d && std::isnan(*d));
          }))
        continue;
      if (fields.size() == 1 && m.field(fields[0]).auto_increment && key[0] == Value(0)) continue;
      if (!seen.emplace(std::move(key), i).second) {
        if (!failed_) failed_ = true, errors_.assign(items_.size(), {});
        report(errors_[i]);
      }
    }
  };
  auto add = [](ValidationError::Errors& e, const std::string& field, std::string message) {
    auto& list = e[field];
    if (std::find(list.begin(), list.end(), message) == list.end()) list.push_back(std::move(message));
  };
  auto writable = [&](int field) {  // the input may set it (a key made writable)
    for (const SerialField& s : p_.fields)
      if (s.source == SerialField::Source::Member && s.field == field && !s.read_only) return true;
    return false;
  };
  for (std::size_t i = 0; i < m.fields.size(); ++i) {
    const FieldInfo& f = m.fields[i];
    const bool key = f.primary_key && m.primary_key.size() == 1 && writable(static_cast<int>(i));
    if (!(f.unique && !f.primary_key) && !key) continue;
    check({static_cast<int>(i)}, [&](ValidationError::Errors& e) {
      add(e, f.name, already_exists(m, f.name));
    });
  }
  for (const UniqueConstraintInfo& u : m.unique_constraints) {
    std::vector<std::string> names;
    for (int i : u.fields) names.push_back(m.field(i).name);
    check(u.fields, [&](ValidationError::Errors& e) {
      if (u.fields.size() == 1) add(e, names[0], already_exists(m, names[0]));
      else add(e, "non_field_errors", not_a_unique_set(names));
    });
  }
}

namespace {

namespace sj = simdjson::dom;

// The parser of this thread, holding its buffers between requests; a read
// that starts while another is still walking its document (a validator
// reading a nested body) gets a parser of its own.
class ParserLease {
 public:
  explicit ParserLease(std::size_t max_depth) {
    thread_local sj::parser shared;
    thread_local std::size_t depth = 0;
    thread_local bool busy = false;
    if (busy) {
      own_ = std::make_unique<sj::parser>();
      parser_ = own_.get();
      if (parser_->allocate(4096, max_depth) != simdjson::SUCCESS) throw std::bad_alloc();
      return;
    }
    if (depth != max_depth) {
      if (shared.allocate(std::max<std::size_t>(shared.capacity(), 4096), max_depth) != simdjson::SUCCESS)
        throw std::bad_alloc();
      depth = max_depth;
    }
    busy_ = &busy;
    busy = true;
    parser_ = &shared;
  }
  ~ParserLease() {
    if (busy_) *busy_ = false;
  }
  ParserLease(const ParserLease&) = delete;
  ParserLease& operator=(const ParserLease&) = delete;
  sj::parser& parser() { return *parser_; }

 private:
  std::unique_ptr<sj::parser> own_;
  sj::parser* parser_ = nullptr;
  bool* busy_ = nullptr;
};

std::string_view json_type_name(sj::element_type t) {
  switch (t) {
    case sj::element_type::ARRAY: return "list";
    case sj::element_type::OBJECT: return "dict";
    case sj::element_type::STRING: return "str";
    case sj::element_type::BOOL: return "bool";
    case sj::element_type::NULL_VALUE: return "null";
    default: return "number";
  }
}

// A JSON element as reader.hpp's source element.
struct JsonElement {
  sj::element e;
  bool is_null() const { return e.is_null(); }
  bool string(std::string_view& s) const { return e.get_string().get(s) == simdjson::SUCCESS; }
  bool int64(int64_t& v) const { return e.get_int64().get(v) == simdjson::SUCCESS; }
  bool too_big() const { return e.type() == sj::element_type::UINT64; }
  bool uint64(uint64_t& u) const { return e.type() == sj::element_type::UINT64 && e.get_uint64().get(u) == simdjson::SUCCESS; }
  bool number(double& d) const { return e.get_double().get(d) == simdjson::SUCCESS; }
  bool boolean(bool& b) const { return e.get_bool().get(b) == simdjson::SUCCESS; }
  bool timestamp(int64_t&) const { return false; }
  bool bytes(std::string_view&) const { return false; }
  bool native(FieldKind, Value&) const { return false; }
  Json json() const { return Json::parse(simdjson::minify(e)); }
  template <class F>
  bool array(F&& each) const {
    sj::array a;
    if (e.get_array().get(a) != simdjson::SUCCESS) return false;
    for (sj::element x : a) each(JsonElement{x});
    return true;
  }
  std::string_view type_name() const { return json_type_name(e.type()); }
};

struct JsonObject {
  sj::object obj;
  template <class F>
  void each(F&& f) const {
    for (auto [key, value] : obj) f(key, JsonElement{value});
  }
};

sj::element parse(ParserLease& lease, std::string_view json, const ReadOptions& o) {
  if (json.size() > o.max_bytes)
    throw PayloadTooLarge(fmt::format("the input has {} bytes, more than the {} accepted", json.size(), o.max_bytes));
  sj::parser& parser = lease.parser();
  sj::element root;
  if (auto err = parser.parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
    if (err == simdjson::DEPTH_ERROR)
      throw ParseError(fmt::format("JSON parse error - nested deeper than {} levels", o.max_depth));
    throw ParseError(std::string("JSON parse error - ") + simdjson::error_message(err));
  }
  return root;
}

void read_json(const SerializerPlan& p, std::string_view json, const ReadOptions& o, InputData& in, const Executor* db,
               bool updating) {
  ParserLease lease(o.max_depth);
  sj::element root = parse(lease, json, o);
  sj::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS) throw ValidationError(not_an_object(json_type_name(root.type())));
  read_object(p, JsonObject{obj}, o, in, db, updating);
}

void read_json_list(const SerializerPlan& p, std::string_view json, const ReadOptions& o, InputData& in,
                    FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop, const Executor* db) {
  // The direct path: a plain plan, no database checks, the depth of a list
  // of objects allowed (the DOM parser counts the list and its objects).
  if (p.lean_input && !db && o.max_depth >= 3 && json.size() <= std::min(o.max_bytes, simdjson::SIMDJSON_MAXSIZE_BYTES) &&
      read_json_list_direct(p, json, o, in, next, drop))
    return;
  ParserLease lease(o.max_depth);
  sj::element root = parse(lease, json, o);
  sj::array items;
  if (root.get_array().get(items) != simdjson::SUCCESS)
    throw ValidationError(fmt::format("Expected a list of items but got type \"{}\".", json_type_name(root.type())));
  std::size_t count = items.size();
  // size() saturates at 2^24-1: counted by walking, when the limit allows that many.
  if (count == 0xFFFFFF && o.max_items >= count) count = static_cast<std::size_t>(std::distance(items.begin(), items.end()));
  check_list_size(count, o);
  ListReader list(p, in, next, drop, count, db);
  for (sj::element item : items) {
    list.begin();
    sj::object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS) in.error(not_an_object(json_type_name(item.type())));
    else read_object(p, JsonObject{obj}, o, in, db, false);
    list.end();
  }
  list.finish();
}

// A covet::Value as reader.hpp's source element: its own types taken as
// they are, text read as JSON text is.
struct ValueElement {
  const Value* v;
  bool is_null() const { return v->is_null(); }
  // Text that is not valid UTF-8 is not text (JSON and MessagePack input
  // are checked whole before they are read).
  bool string(std::string_view& s) const {
    const std::string* p = v->get_if<std::string>();
    return p && !utf8_problem(*p) ? (s = *p, true) : false;
  }
  bool int64(int64_t& i) const {
    const int64_t* p = v->get_if<int64_t>();
    return p ? (i = *p, true) : false;
  }
  bool too_big() const { return false; }
  bool uint64(uint64_t&) const { return false; }
  bool number(double& d) const {
    if (const double* p = v->get_if<double>()) return d = *p, true;
    if (const int64_t* p = v->get_if<int64_t>()) return d = static_cast<double>(*p), true;
    return false;
  }
  bool boolean(bool& b) const {
    const bool* p = v->get_if<bool>();
    return p ? (b = *p, true) : false;
  }
  bool timestamp(int64_t& us) const {
    const DateTime* p = v->get_if<DateTime>();
    return p ? (us = p->unix_micros(), true) : false;
  }
  bool bytes(std::string_view& s) const {
    const Bytes* p = v->get_if<Bytes>();
    return p ? (s = std::string_view(reinterpret_cast<const char*>(p->data()), p->size()), true) : false;
  }
  bool native(FieldKind kind, Value& out) const {
    const bool same = (kind == FieldKind::Date && v->is<Date>()) || (kind == FieldKind::Uuid && v->is<Uuid>()) ||
                      (kind == FieldKind::Decimal && v->is<Decimal>()) || (kind == FieldKind::Json && v->is<Json>());
    return same ? (out = *v, true) : false;
  }
  Json json() const { return Json::parse(v->to_json()); }
  template <class F>
  bool array(F&& each) const {
    const Array* a = v->get_if<Array>();
    if (!a) return false;
    for (const Value& x : *a) each(ValueElement{&x});
    return true;
  }
  std::string_view type_name() const {
    switch (v->type()) {
      case Value::Type::Array: return "list";
      case Value::Type::Json: return "dict";
      case Value::Type::String: return "str";
      case Value::Type::Bool: return "bool";
      case Value::Type::Null: return "null";
      case Value::Type::Int:
      case Value::Type::Double: return "number";
      default: return Value::type_name(v->type());
    }
  }
};

struct RecordObject {
  const Record* r;
  template <class F>
  void each(F&& f) const {
    const auto& names = r->names();
    for (std::size_t i = 0; i < r->size(); ++i) f(std::string_view(names[i]), ValueElement{&r->values()[i]});
  }
};

}  // namespace

namespace {
// On an update, the key of the row being updated: an input that changes it
// (a key made writable) would make save() write another row, so it is a
// field error instead.
class KeyGuard {
 public:
  KeyGuard(const SerializerPlan& p, const InputData& in, bool updating) : p_(p) {
    if (!updating) return;
    for (int k : p.model->primary_key) before_.push_back(p.model->field(k).get(in.target));
  }
  void check(InputData& in) const {
    for (std::size_t i = 0; i < before_.size(); ++i) {
      const FieldInfo& f = p_.model->field(p_.model->primary_key[i]);
      if (f.get(in.target) != before_[i]) in.error(f.name, "The primary key cannot be changed by an update.");
    }
  }

 private:
  const SerializerPlan& p_;
  std::vector<Value> before_;
};
}  // namespace

void read_input(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in, const Executor* db,
                bool updating) {
  in.expect_next = 0;
  KeyGuard key(p, in, updating);
  if (o.format == InputFormat::MsgPack) read_msgpack(p, body, o, in, db, updating);
  else read_json(p, body, o, in, db, updating);
  key.check(in);
  if (!in.ok()) throw ValidationError(in.errors_);
}

void read_input_list(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                     FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop, const Executor* db) {
  if (o.format == InputFormat::MsgPack) read_msgpack_list(p, body, o, in, next, drop, db);
  else read_json_list(p, body, o, in, next, drop, db);
}

void read_record(const SerializerPlan& p, const Record& r, const ReadOptions& o, InputData& in, const Executor* db,
                 bool updating) {
  in.expect_next = 0;
  KeyGuard key(p, in, updating);
  read_object(p, RecordObject{&r}, o, in, db, updating);
  key.check(in);
  if (!in.ok()) throw ValidationError(in.errors_);
}

}  // namespace detail
}  // namespace covet
