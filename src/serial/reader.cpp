// ModelSerializer's input: a JSON body (simdjson's DOM parser, which checks
// the whole document, with covet's size and depth limits and duplicate keys
// refused) read into a model object and validated, every problem collected.
#include <simdjson.h>

#include <algorithm>
#include <cmath>
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
namespace {

namespace sj = simdjson::dom;

constexpr const char* kRequired = "This field is required.";
constexpr const char* kNotNull = "This field may not be null.";
constexpr const char* kInteger = "A valid integer is required.";
constexpr const char* kNumber = "A valid number is required.";
constexpr const char* kBoolean = "Must be a valid boolean.";
constexpr const char* kString = "Not a valid string.";

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

// The checks a serializer adds to a field (its options), on text and numbers.
class FieldReader {
 public:
  FieldReader(const SerialField& f, InputData& in) : f_(f), in_(in) {}

  [[gnu::noinline]] void fail(std::string message) { in_.error(f_.name, std::move(message)); }

  // Text: a JSON string, valid as text, within the options. Empty text is
  // refused unless allow_blank.
  bool text(sj::element e, std::string_view& out) {
    if (e.get_string().get(out) != simdjson::SUCCESS) return fail(kString), false;
    if (has_nul(out)) return fail("Null characters are not allowed."), false;
    return check_text(out);
  }
  bool check_text(std::string_view s) {
    const FieldOptions& o = f_.options;
    if (s.empty()) {
      if (!f_.allow_blank) return fail("This field may not be blank."), false;
      return true;
    }
    if (o.max_length || o.min_length) {
      auto n = static_cast<long>(utf8_length(s));
      bool ok = true;
      if (o.max_length && n > *o.max_length)
        fail(fmt::format("Ensure this field has no more than {} characters.", *o.max_length)), ok = false;
      if (o.min_length && n < *o.min_length)
        fail(fmt::format("Ensure this field has at least {} characters.", *o.min_length)), ok = false;
      if (!ok) return false;  // the format checks need not look at text of the wrong length
    }
    bool ok = true;
    if (o.email && !valid_email(s)) fail("Enter a valid email address."), ok = false;
    if (o.url && !valid_url(s)) fail("Enter a valid URL."), ok = false;
    if (f_.regex) {
      // libstdc++'s std::regex recurses once per character: long text
      // could exhaust the stack, so the pattern sees at most kRegexMax bytes.
      constexpr std::size_t kRegexMax = 4096;
      if (s.size() > kRegexMax)
        fail(fmt::format("Ensure this field has no more than {} characters.", kRegexMax)), ok = false;
      else if (!std::regex_match(s.begin(), s.end(), *static_cast<const std::regex*>(f_.regex.get())))
        fail("This value does not match the required pattern."), ok = false;
    }
    return ok;
  }
  bool integer(sj::element e, int64_t& out, int64_t lo = INT64_MIN, int64_t hi = INT64_MAX) {
    if (e.type() == sj::element_type::UINT64) return fail(fmt::format("Ensure this value is less than or equal to {}.", hi)), false;
    if (e.get_int64().get(out) != simdjson::SUCCESS) {
      double d;
      // 3.0 is an integer; 3.5 and 1e30 are not.
      if (e.get_double().get(d) != simdjson::SUCCESS || d != std::floor(d)) return fail(kInteger), false;
      if (d >= 9.2e18 || d <= -9.2e18) return fail(fmt::format("Ensure this value is less than or equal to {}.", hi)), false;
      out = static_cast<int64_t>(d);
    }
    if (out > hi) return fail(fmt::format("Ensure this value is less than or equal to {}.", hi)), false;
    if (out < lo) return fail(fmt::format("Ensure this value is greater than or equal to {}.", lo)), false;
    return range(static_cast<double>(out));
  }
  bool number(sj::element e, double& out) {
    if (e.get_double().get(out) != simdjson::SUCCESS) return fail(kNumber), false;
    return range(out);
  }
  bool range(double v) {
    const FieldOptions& o = f_.options;
    bool ok = true;
    if (o.max_value && v > *o.max_value)
      fail(fmt::format("Ensure this value is less than or equal to {}.", Value(*o.max_value).to_string())), ok = false;
    if (o.min_value && v < *o.min_value)
      fail(fmt::format("Ensure this value is greater than or equal to {}.", Value(*o.min_value).to_string())), ok = false;
    return ok;
  }
  bool boolean(sj::element e, bool& out) {
    if (e.get_bool().get(out) != simdjson::SUCCESS) return fail(kBoolean), false;
    return true;
  }
  bool datetime(sj::element e, DateTime& out) {
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS) {
      if (int64_t us; parse_rfc3339_utc(s, us)) {  // the form covet writes, inline
        out = DateTime::from_unix_micros(us);
        return true;
      }
      try {
        out = DateTime::parse(s);
        return true;
      } catch (const InvalidArgument&) {
      }
    }
    return fail("Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
           false;
  }

  // Any other kind: the element as a Value of the field's kind (Date,
  // UUID, Decimal, JSON, base64 bytes, arrays), or a field error.
  bool value(sj::element e, FieldKind kind, Value& out) {
    try {
      switch (kind) {
        case FieldKind::Integer:
        case FieldKind::BigInteger: {
          int64_t v;
          if (!integer(e, v, kind == FieldKind::Integer ? INT32_MIN : INT64_MIN, kind == FieldKind::Integer ? INT32_MAX : INT64_MAX))
            return false;
          return out = Value(v), true;
        }
        case FieldKind::Float: {
          double v;
          if (!number(e, v)) return false;
          return out = Value(v), true;
        }
        case FieldKind::Boolean: {
          bool v;
          if (!boolean(e, v)) return false;
          return out = Value(v), true;
        }
        case FieldKind::String:
        case FieldKind::Text: {
          std::string_view s;
          if (!text(e, s)) return false;
          return out = Value(s), true;
        }
        case FieldKind::DateTime: {
          DateTime t;
          if (!datetime(e, t)) return false;
          return out = Value(t), true;
        }
        case FieldKind::Date: {
          std::string_view s;
          if (e.get_string().get(s) == simdjson::SUCCESS) {
            try {
              return out = Value(Date::parse(s)), true;
            } catch (const InvalidArgument&) {
            }
          }
          return fail("Date has wrong format. Use one of these formats instead: YYYY-MM-DD."), false;
        }
        case FieldKind::Uuid: {
          std::string_view s;
          if (e.get_string().get(s) == simdjson::SUCCESS) {
            try {
              return out = Value(Uuid::parse(s)), true;
            } catch (const InvalidArgument&) {
            }
          }
          return fail("Must be a valid UUID."), false;
        }
        case FieldKind::Decimal: {
          std::string_view s;
          double d;
          if (e.get_string().get(s) == simdjson::SUCCESS) {
            try {
              return out = Value(Decimal(s)), true;
            } catch (const InvalidArgument&) {
              return fail(kNumber), false;
            }
          }
          int64_t i;
          uint64_t u;
          if (e.get_int64().get(i) == simdjson::SUCCESS) return out = Value(Decimal(std::to_string(i))), true;
          if (e.get_uint64().get(u) == simdjson::SUCCESS) return out = Value(Decimal(std::to_string(u))), true;
          if (e.get_double().get(d) == simdjson::SUCCESS) {
            JsonWriter w;  // the shortest text that reads back as d
            w.value(d);
            return out = Value(Decimal(w.view())), true;
          }
          return fail(kNumber), false;
        }
        case FieldKind::Json:
          return out = Value(Json::parse(simdjson::minify(e))), true;
        case FieldKind::Binary: {
          std::string_view s;
          std::string bytes;
          if (e.get_string().get(s) != simdjson::SUCCESS || !decode_base64(s, bytes))
            return fail("Enter valid base64 data."), false;
          return out = Value(Bytes::from(bytes)), true;
        }
        case FieldKind::Array: {
          sj::array a;
          if (e.get_array().get(a) != simdjson::SUCCESS)
            return fail(fmt::format("Expected a list of items but got type \"{}\".", json_type_name(e.type()))), false;
          Array items;
          for (sj::element x : a) {
            switch (x.type()) {
              case sj::element_type::INT64: items.emplace_back(int64_t(x)); break;
              case sj::element_type::DOUBLE: items.emplace_back(double(x)); break;
              case sj::element_type::STRING: items.emplace_back(std::string_view(x)); break;
              default: return fail(fmt::format("Not a valid list item: {}.", json_type_name(x.type()))), false;
            }
          }
          return out = Value(std::move(items)), true;
        }
      }
    } catch (const InvalidArgument& ex) {
      return fail(ex.what()), false;
    }
    return false;
  }

 private:
  const SerialField& f_;
  InputData& in_;
};

// One model member from its element: the common member types written in
// place, the others through their codec from a Value.
void read_member(const SerializerPlan& p, const SerialField& f, sj::element e, InputData& in) {
  FieldReader r(f, in);
  void* m = static_cast<char*>(in.target) + f.offset;
  if (e.is_null()) {
    if (!f.allow_null || !f.codec->optional) return r.fail(kNotNull);
    return f.codec->set_wire(m, Value(), p.model->field(f.field));
  }
  switch (f.op) {
    case SerialOp::Int64:
    case SerialOp::OptInt64: {
      int64_t v;
      if (!r.integer(e, v)) return;
      if (f.op == SerialOp::Int64) *static_cast<int64_t*>(m) = v;
      else *static_cast<std::optional<int64_t>*>(m) = v;
      return;
    }
    case SerialOp::Int32:
    case SerialOp::OptInt32: {
      int64_t v;
      if (!r.integer(e, v, INT32_MIN, INT32_MAX)) return;
      if (f.op == SerialOp::Int32) *static_cast<int32_t*>(m) = static_cast<int32_t>(v);
      else *static_cast<std::optional<int32_t>*>(m) = static_cast<int32_t>(v);
      return;
    }
    case SerialOp::Double:
    case SerialOp::OptDouble: {
      double v;
      if (!r.number(e, v)) return;
      if (f.op == SerialOp::Double) *static_cast<double*>(m) = v;
      else *static_cast<std::optional<double>*>(m) = v;
      return;
    }
    case SerialOp::Bool:
    case SerialOp::OptBool: {
      bool v;
      if (!r.boolean(e, v)) return;
      if (f.op == SerialOp::Bool) *static_cast<bool*>(m) = v;
      else *static_cast<std::optional<bool>*>(m) = v;
      return;
    }
    case SerialOp::Text:
    case SerialOp::OptText: {
      std::string_view s;
      if (!r.text(e, s)) return;
      if (f.op == SerialOp::Text) static_cast<std::string*>(m)->assign(s);
      else static_cast<std::optional<std::string>*>(m)->emplace(s);
      return;
    }
    case SerialOp::DateTime:
    case SerialOp::OptDateTime: {
      DateTime t;
      if (!r.datetime(e, t)) return;
      if (f.op == SerialOp::DateTime) *static_cast<DateTime*>(m) = t;
      else *static_cast<std::optional<DateTime>*>(m) = t;
      return;
    }
    case SerialOp::Generic: {
      Value v;
      if (!r.value(e, f.kind, v)) return;
      try {
        f.codec->set_wire(m, v, p.model->field(f.field));
      } catch (const Error& ex) {  // a custom kind's from_db, an array element of the wrong type
        r.fail(ex.what());
      }
      return;
    }
  }
}

void read_input_field(const SerialField& f, sj::element e, InputData& in) {
  FieldReader r(f, in);
  Value& slot = in.extras[static_cast<std::size_t>(f.extra)];
  if (e.is_null()) {
    if (!f.allow_null) return r.fail(kNotNull);
    slot = Value();
    return;
  }
  Value v;
  if (r.value(e, f.kind, v)) slot = std::move(v);
}

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
      in.error(f.name, fmt::format("{} with this {} already exists.", model_label(m), f.name));
  }
  for (const UniqueConstraintInfo& u : m.unique_constraints) {
    if (std::none_of(u.fields.begin(), u.fields.end(), given)) continue;
    if (u.fields.size() == 1) {  // one field: reported as the field's own, as DRF does
      const FieldInfo& f = m.field(u.fields[0]);
      if (!f.unique && taken(db, m, in.target, u.fields, updating))
        in.error(f.name, fmt::format("{} with this {} already exists.", model_label(m), f.name));
      continue;
    }
    if (taken(db, m, in.target, u.fields, updating)) {
      std::vector<std::string> names;
      for (int i : u.fields) names.push_back(m.field(i).name);
      in.error(fmt::format("The fields {} must make a unique set.", fmt::join(names, ", ")));
    }
  }
}

void merge(InputData& in, const ValidationError& e, const std::string* field = nullptr) {
  for (const auto& [key, messages] : e.errors())
    for (const auto& msg : messages) in.error(field && key == "non_field_errors" ? *field : key, msg);
}

void run_field_validators(const SerializerPlan& p, InputData& in) {
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    const SerialField& f = p.fields[i];
    if (!in.present[i] || f.validators.empty() || in.failed[i]) continue;
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

// The model's own write checks (max_length, choices, decimal digits, valid
// text) on the members the input set: std::string members inline, the
// others through their kind's check; the messages only when one fails.
void check_model_writes(const SerializerPlan& p, InputData& in) {
  const ModelInfo& m = *p.model;
  if (m.write_checked.empty()) return;
  in.given.clear();
  for (std::size_t i = 0; i < p.fields.size(); ++i)
    if (in.present[i] && !in.failed[i] && p.fields[i].source == SerialField::Source::Member)
      in.given.push_back(p.fields[i].field);
  if (in.given.empty()) return;
  auto is_given = [&](int field) { return std::find(in.given.begin(), in.given.end(), field) != in.given.end(); };
  bool ok = true;
  for (const ModelInfo::TextCheck& t : m.text_checks)
    if (is_given(t.field))
      ok = ok && text_fits(*reinterpret_cast<const std::string*>(static_cast<const char*>(in.target) + t.offset), t.max_length);
  for (int i : m.other_checks) {
    const FieldInfo& f = m.field(i);
    if (ok && is_given(i) && !f.codec->is_null(f.member(in.target))) ok = write_problems(f, f.get(in.target)).empty();
  }
  if (ok) return;
  try {
    orm::validate_for_write(m, in.target, &in.given);
  } catch (const ValidationError& e) {
    merge(in, e);
  }
}

}  // namespace

namespace {

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

// Whether the member of field i came under another of its names (a rename).
bool given_under_another_name(const SerializerPlan& p, const InputData& in, std::size_t i) {
  const SerialField& f = p.fields[i];
  if (f.source != SerialField::Source::Member) return false;
  for (std::size_t k = 0; k < p.fields.size(); ++k)
    if (k != i && in.present[k] && !p.fields[k].read_only && p.fields[k].source == SerialField::Source::Member &&
        p.fields[k].field == f.field)
      return true;
  return false;
}

// Reads one input object into `in` and validates it; the problems stay in
// in.errors_.
void read_object(const SerializerPlan& p, sj::object obj, const ReadOptions& o, InputData& in, const Executor* db,
                 bool updating) {
  // Keys seen so far, for duplicates: the plan's fields by index, and the
  // unknown ones by name.
  std::vector<std::string_view> unknown;
  std::unordered_set<std::string_view> many_unknown;  // past 16 unknown keys, to stay linear
  for (auto [key, value] : obj) {
    // Inputs mostly name fields in the serializer's order: the field after
    // the last one matched is tried first.
    const SerialField* f = nullptr;
    if (in.expect_next < p.fields.size() && same_name(p.fields[in.expect_next].name, key)) f = &p.fields[in.expect_next];
    else f = find_field(p, key);
    if (f) in.expect_next = static_cast<uint32_t>(f - p.fields.data()) + 1;
    if (!f) {
      bool seen;
      if (unknown.size() < 16) {
        seen = std::find(unknown.begin(), unknown.end(), key) != unknown.end();
        unknown.push_back(key);
      } else {
        if (many_unknown.empty()) many_unknown.insert(unknown.begin(), unknown.end());
        seen = !many_unknown.insert(key).second;
      }
      if (seen) throw ParseError(fmt::format("JSON parse error - duplicate key \"{}\"", key));
      if (o.reject_unknown) in.error(std::string(key), "Unknown field.");
      continue;
    }
    auto i = static_cast<std::size_t>(f - p.fields.data());
    if (in.present[i] == 2) throw ParseError(fmt::format("JSON parse error - duplicate key \"{}\"", key));
    in.present[i] = 2;
    if (f->read_only) continue;  // as DRF: read-only fields in the input are ignored
    if (f->source == SerialField::Source::Member) {
      // One member under two names (a field and a rename of it): refused,
      // rather than the last one silently winning.
      for (std::size_t k = 0; k < p.fields.size(); ++k)
        if (k != i && in.present[k] == 2 && !p.fields[k].read_only && p.fields[k].source == SerialField::Source::Member &&
            p.fields[k].field == f->field)
          in.error(f->name, fmt::format("This field sets the same value as '{}'; give one of them.", p.fields[k].name));
    }
    if (f->source == SerialField::Source::Input) read_input_field(*f, value, in);
    else read_member(p, *f, value, in);
  }
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    const SerialField& f = p.fields[i];
    if (in.present[i] && f.read_only) in.present[i] = 0;
    if (in.present[i]) in.present[i] = 1;
    else if (f.required && !f.read_only && !o.partial && !given_under_another_name(p, in, i)) in.error(f.name, kRequired);
  }

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

}  // namespace

void read_json(const SerializerPlan& p, std::string_view json, const ReadOptions& o, InputData& in, const Executor* db,
               bool updating) {
  in.expect_next = 0;
  ParserLease lease(o.max_depth);
  sj::element root = parse(lease, json, o);
  sj::object obj;
  if (root.get_object().get(obj) != simdjson::SUCCESS)
    throw ValidationError(fmt::format("Invalid data. Expected a dictionary, but got {}.", json_type_name(root.type())));
  read_object(p, obj, o, in, db, updating);
  if (!in.ok()) throw ValidationError(in.errors_);
}

void read_json_list(const SerializerPlan& p, std::string_view json, const ReadOptions& o, InputData& in,
                    FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop, const Executor* db) {
  ParserLease lease(o.max_depth);
  sj::element root = parse(lease, json, o);
  sj::array items;
  if (root.get_array().get(items) != simdjson::SUCCESS)
    throw ValidationError(fmt::format("Expected a list of items but got type \"{}\".", json_type_name(root.type())));
  const std::size_t count = items.size();
  std::vector<ValidationError::Errors> errors;  // once an item fails: one per item so far
  bool failed = false;
  std::size_t index = 0;
  for (sj::element item : items) {
    in.target = next(count);
    if (index > 0) {  // fresh for this item (the constructor made them so for the first)
      std::fill(in.present.begin(), in.present.end(), 0);
      std::fill(in.failed.begin(), in.failed.end(), 0);
      for (Value& v : in.extras) v = Value();
      in.errors_.clear();
    }
    in.expect_next = 0;
    sj::object obj;
    if (item.get_object().get(obj) != simdjson::SUCCESS)
      in.error(fmt::format("Invalid data. Expected a dictionary, but got {}.", json_type_name(item.type())));
    else
      read_object(p, obj, o, in, db, false);
    if (!in.ok() && !failed) {
      failed = true;
      errors.resize(index);
    }
    if (failed) {
      errors.push_back(std::move(in.errors_));
      in.errors_.clear();
      drop();
    }
    ++index;
  }
  if (failed) throw ValidationError(std::move(errors));
}

}  // namespace detail
}  // namespace covet
