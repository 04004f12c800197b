#pragma once
// The input side's shared part: one input object, from any source format,
// read into a model object and checked field by field. A source supplies
// its elements through a small adapter (JSON's simdjson element, a
// MessagePack object, a covet::Value); the conversions and DRF's messages
// are written once, here.
//
// An element adapter E has:
//   bool is_null() const
//   bool string(std::string_view&) const      a text element
//   bool int64(int64_t&) const                an integer that fits int64_t
//   bool too_big() const                      an integer past int64_t
//   bool uint64(uint64_t&) const              such an integer, when it fits uint64_t
//   bool number(double&) const                any number
//   bool boolean(bool&) const
//   bool timestamp(int64_t& micros) const     a native date-time (MessagePack's extension)
//   bool bytes(std::string_view&) const       native bytes (MessagePack's bin)
//   bool native(FieldKind, Value&) const      the value already of the field's kind (a Value)
//   Json json() const                         the element as a JSON document
//   bool array(F each) const                  each(E) per item; false when not an array
//   std::string_view type_name() const        DRF's name of its type: "str", "list", ...
// An object adapter has each(F) calling f(std::string_view key, E value)
// for each member in order.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/core/value.hpp"
#include "covet/schema/model_info.hpp"
#include "covet/serial/serializer.hpp"
#include "serial/text_format.hpp"
#include "serial/validators.hpp"

namespace covet::detail {

inline constexpr const char* kRequired = "This field is required.";
inline constexpr const char* kNotNull = "This field may not be null.";
inline constexpr const char* kInteger = "A valid integer is required.";
inline constexpr const char* kNumber = "A valid number is required.";
inline constexpr const char* kBoolean = "Must be a valid boolean.";
inline constexpr const char* kString = "Not a valid string.";

// The checks shared by every source, out of line: text within the field's
// options (blank, lengths, email, URL, regex) and numbers within its range.
bool check_text(const SerialField& f, InputData& in, std::string_view s);
bool check_range(const SerialField& f, InputData& in, double v);
[[gnu::noinline]] void fail_field(const SerialField& f, InputData& in, std::string message);
[[gnu::noinline]] bool fail_too_big(const SerialField& f, InputData& in, int64_t hi);
[[gnu::noinline]] bool fail_too_small(const SerialField& f, InputData& in, int64_t lo);
[[gnu::noinline]] bool fail_too_long(const SerialField& f, InputData& in, std::size_t max_bytes);
bool datetime_from_text(std::string_view s, DateTime& out);
// Kinds read from text: Date, UUID, Decimal (also from a number), base64.
bool value_from_text(FieldKind kind, std::string_view s, Value& out);
Value decimal_from_double(double d);

// A number within the field's min_value/max_value (checked out of line
// only when it has them).
inline bool in_range(const SerialField& f, InputData& in, double v) {
  return (!f.options.max_value && !f.options.min_value) || check_range(f, in, v);
}
// A date-time's text: RFC 3339 in UTC (the form covet writes) inline, the
// other forms DateTime::parse takes through it.
inline bool datetime_text(std::string_view s, DateTime& t) {
  int64_t us;
  if (parse_rfc3339_utc(s, us)) return t = DateTime::from_unix_micros(us), true;
  return datetime_from_text(s, t);
}

// One field's conversion from an element of a source E, with the field's
// options checked; problems go to `in` under the field's name.
template <class E>
class FieldReader {
 public:
  FieldReader(const SerialField& f, InputData& in, std::size_t max_string) : f_(f), in_(in), max_string_(max_string) {}

  void fail(std::string message) { fail_field(f_, in_, std::move(message)); }
  // ReadOptions::max_string_bytes, for text, bytes and JSON values.
  bool fits(std::size_t bytes) {
    if (bytes <= max_string_) [[likely]]
      return true;
    return fail_too_long(f_, in_, max_string_);
  }

  bool text(const E& e, std::string_view& out) {
    if (!e.string(out)) return fail(kString), false;
    if (!fits(out.size())) return false;
    if (has_nul(out)) return fail("Null characters are not allowed."), false;
    return check_text(f_, in_, out);
  }
  bool integer(const E& e, int64_t& out, int64_t lo = INT64_MIN, int64_t hi = INT64_MAX) {
    if (!e.int64(out)) {
      if (e.too_big()) return fail_too_big(f_, in_, hi);
      double d;
      // 3.0 is an integer; 3.5 and 1e30 are not.
      if (!e.number(d) || d != std::floor(d)) return fail(kInteger), false;
      if (d >= 9.2e18) return fail_too_big(f_, in_, hi);
      if (d <= -9.2e18) return fail_too_small(f_, in_, lo);
      out = static_cast<int64_t>(d);
    }
    if (out > hi) return fail_too_big(f_, in_, hi);
    if (out < lo) return fail_too_small(f_, in_, lo);
    return in_range(f_, in_, static_cast<double>(out));
  }
  bool number(const E& e, double& out) {
    // NaN and infinities (MessagePack has them) are refused: JSON cannot
    // hold them, and no range check could pass them.
    if (!e.number(out) || !std::isfinite(out)) return fail(kNumber), false;
    return in_range(f_, in_, out);
  }
  bool boolean(const E& e, bool& out) {
    if (!e.boolean(out)) return fail(kBoolean), false;
    return true;
  }
  bool datetime(const E& e, DateTime& out) {
    int64_t us;
    if (e.timestamp(us)) {
      if (us >= DateTime::kMinMicros && us <= DateTime::kMaxMicros) return out = DateTime::from_unix_micros(us), true;
    } else if (std::string_view s; e.string(s)) {
      if (datetime_text(s, out)) return true;
    }
    return fail("Datetime has wrong format. Use one of these formats instead: "
                "YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."),
           false;
  }

  // Any kind: the element as a Value of the field's kind, or a field error.
  bool value(const E& e, FieldKind kind, Value& out) {
    if (e.native(kind, out)) return true;
    try {
      switch (kind) {
        case FieldKind::Integer:
        case FieldKind::BigInteger: {
          int64_t v;
          const bool narrow = kind == FieldKind::Integer;
          if (!integer(e, v, narrow ? INT32_MIN : INT64_MIN, narrow ? INT32_MAX : INT64_MAX)) return false;
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
        case FieldKind::Date:
        case FieldKind::Uuid: {
          std::string_view s;
          if (e.string(s) && value_from_text(kind, s, out)) return true;
          return fail(kind == FieldKind::Date ? "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                                              : "Must be a valid UUID."),
                 false;
        }
        case FieldKind::Decimal: {
          std::string_view s;
          int64_t i;
          uint64_t u;
          double d;
          if (e.string(s)) {
            if (value_from_text(kind, s, out)) return true;
          } else if (e.int64(i)) {
            return out = Value(Decimal(std::to_string(i))), true;
          } else if (e.uint64(u)) {  // exact, past int64
            return out = Value(Decimal(std::to_string(u))), true;
          } else if (e.number(d) && std::isfinite(d)) {
            return out = decimal_from_double(d), true;
          }
          return fail(kNumber), false;
        }
        case FieldKind::Json: {
          Json j = e.json();
          if (!fits(j.text().size())) return false;
          return out = Value(std::move(j)), true;
        }
        case FieldKind::Binary: {
          std::string_view s;
          const bool raw = e.bytes(s);  // else base64 text
          if (!raw && !e.string(s)) return fail("Enter valid base64 data."), false;
          if (!fits(s.size())) return false;
          if (raw) return out = Value(Bytes::from(s)), true;
          if (value_from_text(kind, s, out)) return true;
          return fail("Enter valid base64 data."), false;
        }
        case FieldKind::Array: {
          Array items;
          bool ok = true;
          const bool is_array = e.array([&](const E& x) {
            if (!ok) return;
            int64_t i;
            double d;
            std::string_view s;
            if (x.int64(i)) items.emplace_back(i);
            else if (x.string(s)) ok = fits(s.size()) && (items.emplace_back(s), true);
            else if (!x.too_big() && x.number(d) && std::isfinite(d)) items.emplace_back(d);
            else ok = false, fail(fmt::format("Not a valid list item: {}.", x.type_name()));
          });
          if (!is_array) return fail(fmt::format("Expected a list of items but got type \"{}\".", e.type_name())), false;
          if (!ok) return false;
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
  std::size_t max_string_;
};

// One model member from its element: the common member types written in
// place, the others through their codec from a Value.
template <class E>
void read_member(const SerializerPlan& p, const SerialField& f, const E& e, InputData& in, std::size_t max_string) {
  FieldReader<E> r(f, in, max_string);
  void* m = static_cast<char*>(in.target) + f.offset;
  if (e.is_null()) {
    if (!f.allow_null || !f.codec->optional) return r.fail(kNotNull);
    return f.codec->set_wire(m, Value(), p.model->field(f.field));
  }
  // The value into the member, or into the std::optional holding it.
  auto store = [&]<class T>(std::type_identity<T>, auto&& v, bool optional) {
    if (optional) static_cast<std::optional<T>*>(m)->emplace(std::forward<decltype(v)>(v));
    else *static_cast<T*>(m) = T(std::forward<decltype(v)>(v));
  };
  switch (f.op) {
    case SerialOp::Int64:
    case SerialOp::OptInt64: {
      int64_t v;
      if (r.integer(e, v)) store(std::type_identity<int64_t>{}, v, f.op == SerialOp::OptInt64);
      return;
    }
    case SerialOp::Int32:
    case SerialOp::OptInt32: {
      int64_t v;
      if (r.integer(e, v, INT32_MIN, INT32_MAX))
        store(std::type_identity<int32_t>{}, static_cast<int32_t>(v), f.op == SerialOp::OptInt32);
      return;
    }
    case SerialOp::Double:
    case SerialOp::OptDouble: {
      double v;
      if (r.number(e, v)) store(std::type_identity<double>{}, v, f.op == SerialOp::OptDouble);
      return;
    }
    case SerialOp::Bool:
    case SerialOp::OptBool: {
      bool v;
      if (r.boolean(e, v)) store(std::type_identity<bool>{}, v, f.op == SerialOp::OptBool);
      return;
    }
    case SerialOp::Text:
    case SerialOp::OptText: {
      std::string_view s;
      if (!r.text(e, s)) return;
      if (f.op == SerialOp::Text) static_cast<std::string*>(m)->assign(s);  // keeps the member's buffer
      else static_cast<std::optional<std::string>*>(m)->emplace(s);
      return;
    }
    case SerialOp::DateTime:
    case SerialOp::OptDateTime: {
      DateTime t;
      if (r.datetime(e, t)) store(std::type_identity<DateTime>{}, t, f.op == SerialOp::OptDateTime);
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

template <class E>
void read_input_field(const SerialField& f, const E& e, InputData& in, std::size_t max_string) {
  FieldReader<E> r(f, in, max_string);
  Value& slot = in.extras[static_cast<std::size_t>(f.extra)];
  if (e.is_null()) {
    if (!f.allow_null) return r.fail(kNotNull);
    slot = Value();
    return;
  }
  Value v;
  if (r.value(e, f.kind, v)) slot = std::move(v);
}

// The plan field a key names (the one after the last matched first: inputs
// mostly follow the serializer's order), or null.
const SerialField* find_field_for_key(const SerializerPlan& p, InputData& in, std::string_view key);
inline const SerialField* field_for_key(const SerializerPlan& p, InputData& in, std::string_view key) {
  if (in.expect_next < p.fields.size()) {
    const SerialField& f = p.fields[in.expect_next];
    if (same_name(f.name, key)) return ++in.expect_next, &f;
  }
  return find_field_for_key(p, in, key);
}
// A key that is not a field: a ParseError when it came before, a field
// error with reject_unknown. `unknown` collects them.
struct UnknownKeys {
  std::vector<std::string_view> few;
  std::unordered_set<std::string_view> many;
};
void unknown_key(const ReadOptions& o, InputData& in, UnknownKeys& unknown, std::string_view key);
[[noreturn]] void duplicate_key(const ReadOptions& o, std::string_view key);
// Whether field i's member already came under another of its names.
void check_same_member(const SerializerPlan& p, InputData& in, std::size_t i);
// One of the model's write checks on a member the input set (max_length,
// valid text, choices, decimal digits). Every source reads text as valid
// UTF-8 without NUL (FieldReader::text): only its length is left to check,
// unless a field validator may have changed it.
bool write_check_ok(const SerializerPlan& p, const SerializerPlan::WriteCheck& c, const void* obj);
// After the members: required fields, then the validators (field, model
// writes, object, model, and unique ones given a database).
void finish_object(const SerializerPlan& p, const ReadOptions& o, InputData& in, const Executor* db, bool updating);

// Reads one input object into `in` and validates it; the problems stay in
// in.errors_.
template <class Object>
void read_object(const SerializerPlan& p, const Object& obj, const ReadOptions& o, InputData& in, const Executor* db,
                 bool updating) {
  UnknownKeys unknown;
  obj.each([&](std::string_view key, const auto& value) {
    const SerialField* f = field_for_key(p, in, key);
    if (!f) return unknown_key(o, in, unknown, key);
    auto i = static_cast<std::size_t>(f - p.fields.data());
    if (in.present[i] == 2) duplicate_key(o, key);
    in.present[i] = 2;
    if (f->read_only) return;  // as DRF: read-only fields in the input are ignored
    if (!f->same_member.empty()) check_same_member(p, in, i);
    if (f->source == SerialField::Source::Input) read_input_field(*f, value, in, o.max_string_bytes);
    else read_member(p, *f, value, in, o.max_string_bytes);
  });
  finish_object(p, o, in, db, updating);
}

// A list of `count` items within o.max_items, else the ValidationError.
void check_list_size(std::size_t count, const ReadOptions& o);

// Many input objects (DRF's many=True): each item read into a fresh object
// from next(count), every item's problems kept, and all of them dropped
// again when any failed.
class ListReader {
 public:
  ListReader(const SerializerPlan& p, InputData& in, FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop,
             std::size_t count, const Executor* db)
      : p_(p), in_(in), next_(next), drop_(drop), count_(count), db_(db) {}
  // Before item `index`: a fresh object and fresh input state.
  void begin();
  // After it: its errors kept when any item so far failed.
  void end();
  // ValidationError with every item's problems, when one failed. With a
  // database (items to be saved), items repeating another's unique field
  // or unique set are refused too, as the database would.
  void finish();

 private:
  void check_unique_among();
  const SerializerPlan& p_;
  InputData& in_;
  FunctionRef<void*(std::size_t)> next_;
  FunctionRef<void()> drop_;
  std::size_t count_, index_ = 0;
  const Executor* db_;
  std::vector<ValidationError::Errors> errors_;
  std::vector<const void*> items_;  // with a database: every item, for check_unique_among
  bool failed_ = false;
};

// ---- The direct paths' shared parts (plans with lean_input) ----
// Text as FieldReader::text takes it; false for anything it would refuse
// (what check_text reports on the way is cleared when the path gives up).
// `may_hold_nul`: the text can hold a NUL byte (raw JSON text cannot).
inline bool direct_text(const SerialField& f, InputData& in, const ReadOptions& o, std::string_view s,
                        bool may_hold_nul) {
  if (s.size() > o.max_string_bytes) return false;
  if (may_hold_nul && has_nul(s)) return false;
  if (s.empty()) return f.allow_blank;
  const FieldOptions& fo = f.options;
  if ((fo.max_length && static_cast<long long>(s.size()) > *fo.max_length) || fo.min_length || fo.url || f.regex)
    return check_text(f, in, s);
  return !fo.email || valid_email(s);
}
// Text into a std::string member or its optional.
inline bool direct_store_text(void* m, bool optional, std::string_view s) {
  if (optional) {
    static_cast<std::optional<std::string>*>(m)->emplace(s);
  } else {
    auto* str = static_cast<std::string*>(m);
    if (str->empty()) str->append(s);  // a fresh member: append is the short way in
    else str->assign(s);
  }
  return true;
}
// One value into its member as read_member reads it, from a direct path's
// source S, or false (to give up). S has:
//   bool null()                       the value is null (then taken)
//   bool integer(int64_t&)            an integer that fits int64_t
//   bool number(double&)              a finite number
//   bool boolean(bool&)
//   bool text(std::string_view&, bool& may_hold_nul)
//   bool datetime(DateTime&)          as FieldReader::datetime takes one
template <class S>
[[gnu::always_inline]] inline bool direct_member(const SerializerPlan& p, const SerialField& f, S& src, void* obj,
                                                 InputData& in, const ReadOptions& o) {
  void* m = static_cast<char*>(obj) + f.offset;
  const bool opt = f.op >= SerialOp::OptInt64;
  if (opt && src.null()) {
    if (!f.allow_null) return false;
    f.codec->set_wire(m, Value(), p.model->field(f.field));
    return true;
  }
  auto store = [&]<class T>(T x) {
    if (opt) static_cast<std::optional<T>*>(m)->emplace(x);
    else *static_cast<T*>(m) = x;
    return true;
  };
  switch (f.op) {
    case SerialOp::Int64:
    case SerialOp::OptInt64: {
      int64_t x;
      return src.integer(x) && in_range(f, in, static_cast<double>(x)) && store(x);
    }
    case SerialOp::Int32:
    case SerialOp::OptInt32: {
      int64_t x;
      return src.integer(x) && x >= INT32_MIN && x <= INT32_MAX && in_range(f, in, static_cast<double>(x)) &&
             store(static_cast<int32_t>(x));
    }
    case SerialOp::Double:
    case SerialOp::OptDouble: {
      double x;
      return src.number(x) && in_range(f, in, x) && store(x);
    }
    case SerialOp::Bool:
    case SerialOp::OptBool: {
      bool x;
      return src.boolean(x) && store(x);
    }
    case SerialOp::Text:
    case SerialOp::OptText: {
      std::string_view s;
      bool may_hold_nul;
      return src.text(s, may_hold_nul) && direct_text(f, in, o, s, may_hold_nul) && direct_store_text(m, opt, s);
    }
    case SerialOp::DateTime:
    case SerialOp::OptDateTime: {
      DateTime t;
      return src.datetime(t) && store(t);
    }
    case SerialOp::Generic: return false;
  }
  return false;
}

// The checks after the members (finish_object's, for this shape): the
// required fields (`given`: the fields the object had, by index) and the
// model's write checks.
inline bool direct_finish(const SerializerPlan& p, const ReadOptions& o, const void* obj, uint64_t given) {
  if ((given & p.required_mask) != p.required_mask && !o.partial) return false;
  for (const SerializerPlan::WriteCheck& c : p.write_checks)
    if ((given >> c.field & 1) && !write_check_ok(p, c, obj)) return false;
  return true;
}
// Giving up: the objects made so far dropped, what the checks reported on
// the way cleared.
inline bool direct_give_up(InputData& in, std::size_t made, FunctionRef<void()> drop) {
  for (; made > 0; --made) drop();
  std::fill(in.failed.begin(), in.failed.end(), 0);
  in.errors_.clear();
  in.expect_next = 0;
  return false;
}

// The JSON list's direct path (json_direct.cpp) for a plan with lean_input:
// true when it read the whole body into objects from next(); false, with
// nothing kept and `in` as it was, for the DOM path to read it instead.
bool read_json_list_direct(const SerializerPlan& p, std::string_view json, const ReadOptions& o, InputData& in,
                           FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop);

// The MessagePack source (msgpack_reader.cpp).
void read_msgpack(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                  const Executor* db, bool updating);
void read_msgpack_list(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                       FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop, const Executor* db);

// "Invalid data. Expected a dictionary, but got list."
std::string not_an_object(std::string_view type_name);

}  // namespace covet::detail
