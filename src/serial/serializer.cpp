// ModelSerializer's plan (which fields, which keys) and its output loop.
#include "covet/serial/serializer.hpp"

#include <algorithm>
#include <utility>
#include <regex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "covet/core/error.hpp"
#include "covet/schema/model_info.hpp"
#include "serial/text_format.hpp"

namespace covet::detail {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

const SerializerSpec::Extra* find_extra(const SerializerSpec& s, std::string_view name) {
  for (const auto& e : s.extras)
    if (e.name == name) return &e;
  return nullptr;
}

// A name a serializer option refers to: a model field or a declared extra field.
void require_known(const ModelInfo& m, const SerializerSpec& s, std::string_view option, std::string_view name) {
  if (find_extra(s, name) || m.find(name) >= 0) return;
  std::vector<std::string> names;
  for (const auto& f : m.fields) names.push_back(f.name);
  for (const auto& e : s.extras) names.push_back(e.name);
  std::string msg = fmt::format("{} serializer: {}() names '{}', which is neither a field of {} nor a declared field",
                                m.name, option, name, m.name);
  if (auto close = closest_names(name, names); !close.empty())
    msg += fmt::format("; did you mean '{}'?", fmt::join(close, "', '"));
  throw FieldError(msg);
}

SerialField member_field(const ModelInfo& m, std::string name, int i) {
  const FieldInfo& f = m.field(i);
  SerialField s;
  s.name = std::move(name);
  s.source = SerialField::Source::Member;
  s.field = i;
  s.offset = static_cast<uint32_t>(f.offset);
  s.codec = f.codec;
  s.op = f.codec->serial_op;
  s.kind = f.codec->wire_kind;  // what the input holds (a user type's wire form)
  // Django's rule, as DRF's ModelSerializer reads it: required unless the
  // database fills it or it may be empty.
  s.required = !f.codec->optional && !f.auto_increment && !f.auto_now && !f.auto_now_add && !f.default_value &&
               !f.default_factory;
  s.allow_null = f.codec->optional;
  s.read_only = f.auto_increment || f.auto_now || f.auto_now_add;  // the database or save() fills them (DRF's rule)
  return s;
}

SerialField extra_field(const ModelInfo& m, const SerializerSpec::Extra& e) {
  if (!e.source.empty()) return member_field(m, e.name, m.require(e.source));
  SerialField s;
  s.name = e.name;
  if (e.nested) {  // a relation through another serializer: read-only
    s.source = SerialField::Source::Nested;
    s.relation = m.find_relation(e.name);
    s.nested = e.nested;
    s.read_only = true;
    return s;
  }
  if (e.input_kind) {  // on the input only
    s.source = SerialField::Source::Input;
    s.kind = *e.input_kind;
    s.write_only = true;
    s.required = true;
    return s;
  }
  s.source = SerialField::Source::Method;
  s.extra_spec = &e;
  s.read_only = true;
  return s;
}

// The serializer's input options, validators and name index on the fields.
void apply_input_options(SerializerPlan& p) {
  const ModelInfo& m = *p.model;
  const SerializerSpec& s = p.spec;
  auto field_named = [&](std::string_view option, std::string_view name) -> SerialField& {
    for (SerialField& f : p.fields)
      if (f.name == name) return f;
    require_known(m, s, option, name);  // throws for an unknown name
    throw ConfigurationError(fmt::format("{} serializer: {}() names '{}', which this serializer leaves out", m.name,
                                         option, name));
  };
  for (const auto& [name, o] : s.options) {
    SerialField& f = field_named("options", name);
    if (f.source == SerialField::Source::Method)
      throw ConfigurationError(fmt::format("{} serializer: '{}' is a method field; it takes no input options", m.name, name));
    f.options = o;
    if (o.read_only) f.read_only = *o.read_only;
    if (o.required) f.required = *o.required;
    if (o.allow_null) f.allow_null = *o.allow_null;
    if (o.allow_blank) f.allow_blank = *o.allow_blank;
    if (!o.regex.empty()) {
      try {
        f.regex = std::make_shared<const std::regex>(o.regex, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        throw ConfigurationError(fmt::format("{} serializer: the regex of '{}' does not compile: {}", m.name, name, e.what()));
      }
    }
  }
  for (const auto& v : s.validators) {
    SerialField& f = field_named("validator", v.field);
    bool fits = f.source == SerialField::Source::Input ? v.plain_codec == nullptr
                : f.source == SerialField::Source::Member
                    ? v.plain_codec && (v.plain_codec == f.codec || v.optional_codec == f.codec)
                    : false;
    if (!fits)
      throw ConfigurationError(fmt::format(
          "{} serializer: the validator of '{}' takes {}, which is not what the field holds{}", m.name, v.field,
          v.type_name, f.source == SerialField::Source::Input ? " (an input field's validator takes covet::Value&)" : ""));
    f.validators.push_back(&v);
  }
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    SerialField& f = p.fields[i];
    if (f.source == SerialField::Source::Input) f.extra = static_cast<int>(p.input_fields++);
    p.by_name.emplace_back(f.name, static_cast<uint32_t>(i));
  }
  std::sort(p.by_name.begin(), p.by_name.end());
}

// What the reader checks after the members, by field, once read-only and
// write-only are final.
void plan_input_checks(SerializerPlan& p) {
  const ModelInfo& m = *p.model;
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    SerialField& f = p.fields[i];
    const auto idx = static_cast<uint32_t>(i);
    if (f.read_only) {
      p.read_only_inputs.push_back(idx);
      continue;
    }
    if (f.required) p.required_inputs.push_back(idx);
    if (!f.validators.empty()) p.validated_inputs.push_back(idx);
    if (f.source != SerialField::Source::Member) continue;
    for (std::size_t k = 0; k < p.fields.size(); ++k)  // the member's other writable names
      if (k != i && p.fields[k].source == SerialField::Source::Member && !p.fields[k].read_only &&
          p.fields[k].field == f.field)
        f.same_member.push_back(static_cast<uint32_t>(k));
    for (const ModelInfo::TextCheck& t : m.text_checks)
      if (t.field == f.field) p.write_checks.push_back({idx, t.offset, t.max_length, f.field, true});
    for (int k : m.other_checks)
      if (k == f.field) p.write_checks.push_back({idx, 0, 0, f.field, false});
  }
}

// Whether the list readers' direct paths can read this plan's input (see
// SerializerPlan::lean_input).
void plan_lean_input(SerializerPlan& p) {
  // Object and model validation run after every member of every item on
  // the general paths, never on a body they refuse: left to them.
  if (p.fields.size() > 64 || p.input_fields > 0 || !p.spec.object_validators.empty() || p.model->validate) return;
  for (std::size_t i = 0; i < p.fields.size(); ++i) {
    const SerialField& f = p.fields[i];
    // Names are compared with the body's raw bytes: printable ASCII only
    // (the DOM parser checks the body's UTF-8 and control characters).
    if (!std::all_of(f.name.begin(), f.name.end(), [](char c) { return c >= 0x20 && c < 0x7F && c != '"' && c != '\\'; }))
      return;
    if (f.read_only) continue;
    if (f.source != SerialField::Source::Member || f.op == SerialOp::Generic || !f.validators.empty() ||
        !f.same_member.empty())
      return;
    if (f.required) p.required_mask |= uint64_t{1} << i;
  }
  p.lean_input = true;
}

// The fields in output order, as the spec orders them (see serializer.hpp).
std::vector<SerialField> ordered_fields(const ModelInfo& m, const SerializerSpec& s) {
  std::vector<SerialField> out;
  std::vector<bool> placed(s.extras.size());
  auto place_extra = [&](std::string_view name) {
    for (std::size_t i = 0; i < s.extras.size(); ++i)
      if (s.extras[i].name == name) {
        placed[i] = true;
        out.push_back(extra_field(m, s.extras[i]));
        return true;
      }
    return false;
  };
  // A model field; with depth, a ForeignKey/OneToOne as its related object.
  auto model_field = [&](const std::string& name, int i) {
    const FieldInfo& f = m.field(i);
    if (s.depth > 0 && f.relation && f.relation->forward()) {
      SerializerSpec inner;
      inner.depth = s.depth - 1;
      SerialField n;
      n.name = name;
      n.source = SerialField::Source::Nested;
      n.relation = f.relation.get();
      n.nested = build_serializer(f.relation->target(), std::move(inner));
      n.read_only = true;
      return n;
    }
    return member_field(m, name, i);
  };
  if (s.all_fields) {
    for (int i = 0; i < static_cast<int>(m.fields.size()); ++i) {
      const std::string& name = m.field(i).name;
      if (contains(s.exclude, name)) continue;
      if (!place_extra(name)) out.push_back(model_field(name, i));  // a declared field of the same name wins
    }
  } else {
    for (const std::string& name : s.fields) {
      for (const auto& f : out)
        if (f.name == name) throw ConfigurationError(fmt::format("{} serializer: fields() names '{}' twice", m.name, name));
      if (!place_extra(name)) out.push_back(model_field(name, m.require(name)));
    }
  }
  for (std::size_t i = 0; i < s.extras.size(); ++i)
    if (!placed[i] && !contains(s.exclude, s.extras[i].name)) out.push_back(extra_field(m, s.extras[i]));
  return out;
}

}  // namespace

std::shared_ptr<const SerializerPlan> build_serializer(const ModelInfo& m, SerializerSpec spec) {
  auto p = std::make_shared<SerializerPlan>();
  p->model = &m;
  p->spec = std::move(spec);
  const SerializerSpec& s = p->spec;
  if (!s.all_fields && !s.exclude.empty())
    throw ConfigurationError(m.name + " serializer: fields() and exclude() cannot both be set (as in DRF)");
  for (std::size_t i = 0; i < s.extras.size(); ++i) {
    const auto& e = s.extras[i];
    if (e.name.empty()) throw ConfigurationError(m.name + " serializer: a declared field needs a name");
    for (std::size_t j = 0; j < i; ++j)
      if (s.extras[j].name == e.name)
        throw ConfigurationError(fmt::format("{} serializer: field '{}' is declared twice", m.name, e.name));
    if (!e.source.empty()) require_known(m, {}, "rename", e.source);
  }
  for (const auto& n : s.exclude) require_known(m, s, "exclude", n);
  for (const auto& n : s.read_only) require_known(m, s, "read_only", n);
  for (const auto& n : s.write_only) require_known(m, s, "write_only", n);

  p->fields = ordered_fields(m, s);
  apply_input_options(*p);
  JsonWriter keys;
  for (std::size_t i = 0; i < p->fields.size(); ++i) {
    SerialField& f = p->fields[i];
    f.read_only = f.read_only || contains(s.read_only, f.name);
    f.write_only = f.write_only || contains(s.write_only, f.name);
    if (f.read_only && f.write_only && f.source != SerialField::Source::Input)
      throw ConfigurationError(fmt::format("{} serializer: '{}' cannot be both read-only and write-only", m.name, f.name));
    if (f.write_only) continue;
    keys.clear();
    if (!p->output.empty()) keys.append(",");
    keys.key(f.name);
    f.key = std::string(keys.view());
    p->output.push_back(static_cast<uint32_t>(i));
    OutputStep& st = p->steps.emplace_back();
    st.field = static_cast<uint32_t>(i);
    st.slow = f.source != SerialField::Source::Member || f.key.size() > OutputStep::kKeyBlock;
    if (!st.slow) {
      std::memcpy(st.key, f.key.data(), f.key.size());
      st.key_len = static_cast<uint8_t>(f.key.size());
    }
    st.offset = f.offset;
    st.op = f.op;
    MsgPackWriter packed;
    packed.key(f.name);
    st.packed_slow = f.source != SerialField::Source::Member || packed.size() > OutputStep::kPackedKeyBlock;
    if (!st.packed_slow) {
      std::memcpy(st.packed_key, packed.view().data(), packed.size());
      st.packed_key_len = static_cast<uint8_t>(packed.size());
    }
  }
  // Per step: the key block, and the longest fixed-size value (a quoted
  // RFC 3339 time); a separating comma and the braces.
  p->fixed_room = 3 + p->steps.size() * (OutputStep::kKeyBlock + kRfc3339Size + 2);
  plan_input_checks(*p);
  std::vector<int> members;
  bool only_members = true;
  for (uint32_t i : p->output) {
    const SerialField& f = p->fields[i];
    if (f.source != SerialField::Source::Member) only_members = false;
    else if (std::find(members.begin(), members.end(), f.field) == members.end()) members.push_back(f.field);
  }
  if (only_members) p->output_members = std::move(members);
  plan_lean_input(*p);
  p->rows_direct = std::all_of(p->steps.begin(), p->steps.end(),
                               [](const OutputStep& st) { return !st.slow && st.op != SerialOp::Generic; });
  auto names = std::make_shared<std::vector<std::string>>();
  for (uint32_t i : p->output) names->push_back(p->fields[i].name);
  p->output_names = std::move(names);
  return p;
}

// (Both writers are OutputBuffers: one refill serves both.)
[[gnu::noinline]] OutCursor refill(OutputBuffer& w, char* q, std::size_t n) {
  w.commit(q);
  char* p = w.room(n);
  return {p, p + w.available()};
}

// Hands the cursor to the writer for a call that writes through it, then
// takes it back with `room` bytes. (JSON: the call writes no separator.)
template <class W, class Write>
OutCursor through_writer(W& w, char* q, std::size_t room, Write&& write) {
  w.commit(q);
  if constexpr (std::is_same_v<W, JsonWriter>) w.set_needs_comma(false);
  write();
  OutCursor c = resume(w);
  if (static_cast<std::size_t>(c.end - c.q) < room) c = refill(w, c.q, room);
  return c;
}

[[gnu::noinline]] OutCursor write_escaped(JsonWriter& w, char* q, std::string_view s, std::size_t room) {
  return through_writer(w, q, room, [&] { w.quoted(s); });
}

[[gnu::noinline]] OutCursor write_through(JsonWriter& w, char* q, const FieldCodec& codec, const void* m,
                                          std::size_t room) {
  return through_writer(w, q, room, [&] { codec.write_json(m, w); });
}

[[gnu::noinline]] OutCursor write_escaped(MsgPackWriter& w, char* q, std::string_view s, std::size_t room) {
  return through_writer(w, q, room, [&] { w.value(s); });
}

[[gnu::noinline]] OutCursor write_through(MsgPackWriter& w, char* q, const FieldCodec& codec, const void* m,
                                          std::size_t room) {
  return through_writer(w, q, room, [&] { codec.write_msgpack(m, w); });
}

// One output step's member value, by its op, written as the typed output
// writes a member of that type (the step loops and the typed loop write
// values the one same way).
template <class W>
void step_value(OutCursor& c, W& w, const SerializerPlan& p, const OutputStep& st, const void* m, std::size_t room) {
  auto as = [&]<class M>(std::type_identity<M>) { typed_value(c, w, p, st, *static_cast<const M*>(m), room); };
  switch (st.op) {
    case SerialOp::Int64: return as(std::type_identity<int64_t>{});
    case SerialOp::Int32: return as(std::type_identity<int32_t>{});
    case SerialOp::Bool: return as(std::type_identity<bool>{});
    case SerialOp::Text: return as(std::type_identity<std::string>{});
    case SerialOp::DateTime: return as(std::type_identity<DateTime>{});
    case SerialOp::OptInt64: return as(std::type_identity<std::optional<int64_t>>{});
    case SerialOp::OptInt32: return as(std::type_identity<std::optional<int32_t>>{});
    case SerialOp::OptBool: return as(std::type_identity<std::optional<bool>>{});
    case SerialOp::OptText: return as(std::type_identity<std::optional<std::string>>{});
    case SerialOp::OptDateTime: return as(std::type_identity<std::optional<DateTime>>{});
    case SerialOp::Double:
    case SerialOp::OptDouble:
    case SerialOp::Generic:  // every other kind: its codec writes it
      c = write_through(w, c.q, *p.fields[st.field].codec, m, room);
      return;
  }
}

namespace {

// One JSON object written through a cursor of its own (write_object from
// members, write_row from cells): the room checks, the opening and closing,
// the values both write inline, and the hand-over to the writer for the rest.
struct ObjectOut {
  JsonWriter& w;
  std::size_t fixed_room;  // the plan's: one object's keys and fixed-size values
  OutCursor c = resume(w);

  void need(std::size_t n) {
    if (static_cast<std::size_t>(c.end - c.q) < n) [[unlikely]]
      c = refill(w, c.q, n);
  }
  void open() {
    need(fixed_room);
    *c.q = ',';
    c.q += w.needs_comma();
    *c.q++ = '{';
  }
  void close() {
    *c.q++ = '}';
    w.commit(c.q);
    w.set_needs_comma(true);
  }
  void key(const OutputStep& st) {
    std::memcpy(c.q, st.key, OutputStep::kKeyBlock);
    c.q += st.key_len;
  }
  // Hands the cursor to the writer for a call that writes through it (it
  // is null meanwhile: a call that throws may have moved the buffer, and
  // write_row's rewind must not commit it), then takes it back with room
  // for the rest of the object's fixed part again.
  template <class Write>
  void through_writer(Write&& write) {
    c = detail::through_writer(w, std::exchange(c.q, nullptr), fixed_room, write);
  }
  void text(std::string_view s) {
    need(s.size() + JsonWriter::kQuotedSlack + fixed_room);
    if (char* e = JsonWriter::quote_plain(c.q, s.data(), s.size())) [[likely]]
      c.q = e;
    else
      c = write_escaped(w, std::exchange(c.q, nullptr), s, fixed_room);  // text that is not UTF-8 is refused
  }
  void null() {
    std::memcpy(c.q, "null", 4);
    c.q += 4;
  }
  void boolean(bool b) {
    std::memcpy(c.q, b ? "true" : "false", 5);  // "true" copies its NUL, overwritten next
    c.q += 5 - b;
  }
};

}  // namespace

// A step the inline loop does not take: a method field, or a key longer
// than the step's block. Writes through the writer.
// A nested field's related object(s), after checking they were loaded.
template <class One, class Many>
void write_related(const SerializerPlan& p, const SerialField& f, const void* obj, One one, Many many) {
  const RelationInfo& r = *f.relation;
  void* member = const_cast<char*>(static_cast<const char*>(obj)) + r.offset;
  if (!r.ops.loaded(member))
    throw UsageError(fmt::format("{} serializer: '{}' is not loaded; load it with select_related(\"{}\") or "
                                 "prefetch_related(\"{}\") before writing (a serializer runs no query)",
                                 p.model->name, f.name, f.name, f.name));
  std::vector<const void*> objs;
  r.ops.each(member, [](void* ctx, void* o) { static_cast<std::vector<const void*>*>(ctx)->push_back(o); }, &objs);
  if (r.to_many()) many(objs);
  else one(objs.empty() ? nullptr : objs[0]);
}

// One output field's value, through the writer.
void write_value(const SerializerPlan& p, const SerialField& f, const void* obj, JsonWriter& w) {
  if (f.source == SerialField::Source::Nested) {
    write_related(
        p, f, obj,
        [&](const void* o) { o ? write_object(*f.nested, o, w) : w.null(); },
        [&](const std::vector<const void*>& objs) {
          w.begin_array();
          for (const void* o : objs) write_object(*f.nested, o, w);
          w.end_array();
        });
    return;
  }
  if (f.source == SerialField::Source::Method) {
    f.extra_spec->method(obj, w);
    if (!w.needs_comma())
      throw UsageError(fmt::format("{} serializer: method field '{}' wrote no value", p.model->name, f.name));
  } else {
    f.codec->write_json(static_cast<const char*>(obj) + f.offset, w);
  }
}

[[gnu::noinline]] void slow_step(const SerializerPlan& p, const OutputStep& st, const void* obj, JsonWriter& w) {
  const SerialField& f = p.fields[st.field];
  w.append(f.key);
  w.set_needs_comma(false);
  write_value(p, f, obj, w);
}

Record to_record(const SerializerPlan& p, const void* obj) {
  std::vector<Value> values;
  values.reserve(p.output.size());
  JsonWriter w;
  for (uint32_t i : p.output) {
    const SerialField& f = p.fields[i];
    if (f.source == SerialField::Source::Member && f.codec->wire_kind == f.codec->kind) {
      values.push_back(f.codec->get(static_cast<const char*>(obj) + f.offset));
      continue;
    }
    // A method field, a nested one, a member shown in another form (an
    // Encrypted's text): the value it writes.
    w.clear();
    write_value(p, f, obj, w);
    values.push_back(json_to_value(w.view()));
  }
  return Record(p.output_names, std::move(values));
}

void write_object(const SerializerPlan& p, const void* obj, JsonWriter& w) {
  ObjectOut out{w, p.fixed_room};
  out.open();
  const char* o = static_cast<const char*>(obj);
  for (const OutputStep& st : p.steps) {
    if (st.slow) [[unlikely]] {
      out.through_writer([&] { slow_step(p, st, obj, w); });
      continue;
    }
    out.key(st);
    step_value(out.c, w, p, st, o + st.offset, p.fixed_room);
  }
  out.close();
}

std::vector<int> row_columns(const SerializerPlan& p, const std::vector<int>& columns, bool loads_related) {
  std::vector<int> cols;
  if (!p.rows_direct || loads_related) return cols;
  cols.reserve(p.steps.size());
  std::vector<bool> written(columns.size());
  for (const OutputStep& st : p.steps) {
    auto at = std::find(columns.begin(), columns.end(), p.fields[st.field].field);
    if (at == columns.end()) return {};  // not selected: the object path says so
    cols.push_back(static_cast<int>(at - columns.begin()));
    written[static_cast<std::size_t>(at - columns.begin())] = true;
  }
  // A column read but not written (the key loading_only() adds, say) would
  // go unchecked: loading it as an object would refuse a bad one.
  if (std::find(written.begin(), written.end(), false) != written.end()) return {};
  return cols;
}

bool write_row(const SerializerPlan& p, const int* cols, const Row& r, JsonWriter& w) {
  const std::size_t mark = w.size();
  const bool comma = w.needs_comma();
  ObjectOut out{w, p.fixed_room};
  OutCursor& c = out.c;
  auto rewind = [&] {  // to where the row began
    if (c.q) w.commit(c.q);  // (null while the writer holds the cursor)
    char* q = w.room(0);
    w.commit(q - (w.size() - mark));
    w.set_needs_comma(comma);
    return false;
  };
  try {
    out.open();
    for (std::size_t k = 0; k < p.steps.size(); ++k) {
      const OutputStep& st = p.steps[k];
      const int col = cols[k];
      out.key(st);
      // A NULL cell reads as zero: only then is it looked up.
      switch (st.op) {
        case SerialOp::Int64:
        case SerialOp::OptInt64:
        case SerialOp::Int32:
        case SerialOp::OptInt32: {
          const int64_t v = r.get_int(col);
          if (v == 0 && r.is_null(col)) {
            if (st.op == SerialOp::Int64 || st.op == SerialOp::Int32) return rewind();
            out.null();
          } else if ((st.op == SerialOp::Int32 || st.op == SerialOp::OptInt32) && (v < INT32_MIN || v > INT32_MAX)) {
            return rewind();
          } else {
            c.q = write_int(c.q, v);
          }
          break;
        }
        case SerialOp::Bool:
        case SerialOp::OptBool: {
          const bool b = r.get_bool(col);
          if (!b && r.is_null(col)) {
            if (st.op == SerialOp::Bool) return rewind();
            out.null();
          } else {
            out.boolean(b);
          }
          break;
        }
        case SerialOp::Text:
        case SerialOp::OptText: {
          const std::string_view s = r.get_text(col);
          if (s.empty() && r.is_null(col)) {
            if (st.op == SerialOp::Text) return rewind();
            out.null();
          } else {
            out.text(s);
          }
          break;
        }
        case SerialOp::DateTime:
        case SerialOp::OptDateTime:
          if (r.datetime_text(col, c.q + 1)) {
            *c.q = '"';
            c.q[kRfc3339Size + 1] = '"';
            c.q += kRfc3339Size + 2;
          } else if (st.op == SerialOp::OptDateTime && r.is_null(col)) {
            out.null();
          } else {
            return rewind();
          }
          break;
        case SerialOp::Double:
        case SerialOp::OptDouble: {
          const double v = r.get_double(col);
          if (v == 0 && r.is_null(col)) {
            if (st.op == SerialOp::Double) return rewind();
            out.null();
          } else {
            out.through_writer([&] { w.value(v); });  // NaN and the infinities refused
          }
          break;
        }
        case SerialOp::Generic:
          return rewind();  // (row_columns gives no columns for such a plan)
      }
    }
  } catch (const Error&) {
    // A cell a getter cannot read as this kind, or a value the writer
    // refuses: loading the row and writing the object gives the error (the
    // one that names the column, in the order loading meets them).
    return rewind();
  }
  out.close();
  return true;
}

// ---- MessagePack ----
namespace {

[[gnu::noinline]] void packed_slow_step(const SerializerPlan& p, const OutputStep& st, const void* obj, MsgPackWriter& w) {
  const SerialField& f = p.fields[st.field];
  w.key(f.name);
  if (f.source == SerialField::Source::Nested) {
    write_related(
        p, f, obj,
        [&](const void* o) { o ? write_object(*f.nested, o, w) : w.null(); },
        [&](const std::vector<const void*>& objs) {
          w.begin_array(objs.size());
          for (const void* o : objs) write_object(*f.nested, o, w);
        });
    return;
  }
  if (f.source == SerialField::Source::Method) {
    if (f.extra_spec->method_msgpack) return f.extra_spec->method_msgpack(obj, w);
    JsonWriter json;  // a method that writes JSON itself: its value converted
    f.extra_spec->method(obj, json);
    if (json.empty())
      throw UsageError(fmt::format("{} serializer: method field '{}' wrote no value", p.model->name, f.name));
    w.value(Json::parse(json.view()));
    return;
  }
  f.codec->write_msgpack(static_cast<const char*>(obj) + f.offset, w);
}


}  // namespace

void write_object(const SerializerPlan& p, const void* obj, MsgPackWriter& w) {
  const std::size_t fixed = typed_room(p, w);
  OutCursor c = resume(w);
  if (static_cast<std::size_t>(c.end - c.q) < fixed) [[unlikely]]
    c = refill(w, c.q, fixed);
  c.q = MsgPackWriter::put_header(c.q, p.steps.size(), 0x80, 0xde);
  const char* o = static_cast<const char*>(obj);
  for (const OutputStep& st : p.steps) {
    if (st.packed_slow) [[unlikely]] {
      c = through_writer(w, c.q, fixed, [&] { packed_slow_step(p, st, obj, w); });
      continue;
    }
    std::memcpy(c.q, st.packed_key, OutputStep::kPackedKeyBlock);
    c.q += st.packed_key_len;
    step_value(c, w, p, st, o + st.offset, fixed);
  }
  w.commit(c.q);
}

void write_objects(const SerializerPlan& p, const void* first, std::size_t n, std::size_t stride, MsgPackWriter& w) {
  w.begin_array(n);
  const char* o = static_cast<const char*>(first);
  write_items(w, n, [&](std::size_t from, std::size_t count) {
    for (std::size_t i = from; i < from + count; ++i) write_object(p, o + i * stride, w);
  });
}

std::size_t begin_stream(MsgPackWriter& w) {
  std::size_t at = w.size();
  char* q = w.room(5);
  *q = static_cast<char>(0xdd);  // array 32, its size patched in later
  w.commit(q + 5);
  return at;
}

void end_stream(MsgPackWriter& w, std::size_t at, std::size_t count) {
  if (count > 0xffffffffu) throw InvalidArgument("MessagePack arrays hold at most 2^32-1 items");
  MsgPackWriter::put_be(const_cast<char*>(w.view().data()) + at + 1, count, 4);
}

void write_objects(const SerializerPlan& p, const void* first, std::size_t n, std::size_t stride, JsonWriter& w) {
  w.begin_array();
  const char* o = static_cast<const char*>(first);
  write_items(w, n, [&](std::size_t from, std::size_t count) {
    for (std::size_t i = from; i < from + count; ++i) write_object(p, o + i * stride, w);
  });
  w.end_array();
}

}  // namespace covet::detail
