#pragma once
// ModelSerializer<T>: Django REST Framework's ModelSerializer for covet
// models. It names which members go out (and in), under which keys, with
// what extra fields, and writes objects, lists and query results as JSON
// (or NDJSON, one object per line, from a database cursor).
//
//   static const auto users = covet::ModelSerializer<User>()
//       .fields({"id", "username", "email", "created_at"})
//       .read_only({"id", "created_at"})
//       .method("full_name", [](const User& u) { return u.first_name + " " + u.last_name; });
//   std::string body = users.to_json(User::objects(db).order_by("id").all());
//
// Configuration calls return a new serializer and check names as they go
// (an unknown field is a FieldError naming the closest ones). fields() picks
// and orders model fields and extra fields (method, rename, input fields)
// declared before it; extra fields it does not name come after them. The members go through the
// per-kind table (FieldCodec): common types are written inline, never
// through Value.
//
// Input (DRF's is_valid / save): read_json() parses a request body (simdjson,
// with limits on size and depth, duplicate keys refused), read_msgpack()
// the same data as MessagePack, read_record() named Values; each converts each
// present field to its member type, and validates everything before
// reporting: types, required, null and blank, lengths, ranges, choices,
// regex/email/URL, the model's write checks (max_length, decimal digits,
// valid text), custom field validators (which may normalise), then the
// object-level validators, then (given a database) unique fields and unique
// sets. All problems come at once in a ValidationError whose to_json() is
// DRF's 400 body. Malformed input is a ParseError, too big a PayloadTooLarge.
//
// Lifetime: a value type sharing an immutable plan; copies are cheap.
// Thread safety: a configured serializer may be used from any number of
// threads at once.
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/core/function_ref.hpp"
#include "covet/core/record.hpp"
#include "covet/orm/queryset.hpp"
#include "covet/serial/detail/text_out.hpp"
#include "covet/serial/json_writer.hpp"
#include "covet/serial/msgpack_writer.hpp"

namespace covet {

// Per-field input options (DRF's extra_kwargs), on top of what the model
// says: a model field is required unless it is optional, an auto key,
// auto_now/auto_now_add or has a default option; null is allowed for an
// optional member; max_length comes from the model.
struct FieldOptions {
  std::optional<bool> read_only;    // e.g. false to accept an auto key on input
  std::optional<bool> required;
  std::optional<bool> allow_null;
  std::optional<bool> allow_blank;  // text: "" accepted (default: refused)
  std::optional<int> max_length;    // characters
  std::optional<int> min_length;
  std::optional<double> min_value;  // numbers
  std::optional<double> max_value;
  std::string regex;                // ECMAScript, must match the whole text
  bool email = false;               // Django's EmailValidator's shape
  bool url = false;                 // http(s)/ftp(s) URL with a host
};

// The formats a body may come in (DRF's parsers): JSON, or MessagePack with
// the same data (maps for objects, bin or base64 text for bytes, the
// timestamp extension or RFC 3339 text for date-times).
enum class InputFormat : uint8_t { Json, MsgPack };

// Limits and modes for reading one input document.
struct ReadOptions {
  InputFormat format = InputFormat::Json;  // read(), create(), update(), create_list()
  std::size_t max_bytes = 1 << 20;  // larger input: PayloadTooLarge
  std::size_t max_depth = 32;       // deeper nesting: ParseError (arrays and objects/maps)
  std::size_t max_string_bytes = 1 << 20;  // a longer text, bytes or JSON field value: a field error
  // A list input (create_list, from_json_list, from_msgpack_list) of more
  // items: a ValidationError before any item is read, as DRF's
  // ListSerializer(max_length=...). Each item becomes an object (and its
  // errors a report), so an item of one byte must not cost a whole one
  // unbounded times.
  std::size_t max_items = 10'000;
  bool partial = false;             // PATCH: only the fields given are read and required
  bool reject_unknown = false;      // a key the serializer does not know: a field error
};

namespace detail {
struct SerializerPlan;
}

// What a serializer read from one input object, before it becomes a model:
// which fields were given, the values of declared input fields (not on the
// model), and the errors so far. Object-level validators receive it (as
// Input<T>, which adds the object) and may change it.
class InputData {
 public:
  explicit InputData(const detail::SerializerPlan& plan);
  // Whether the input gave this field (a model field or an input field).
  bool has(std::string_view field) const;
  // An input field's value (null when absent). FieldError for a name that
  // is not a declared input field.
  const Value& extra(std::string_view name) const;
  void set_extra(std::string_view name, Value v);
  // Forgets an input field (DRF's data.pop()).
  void erase_extra(std::string_view name);
  // Adds a problem: for no field in particular (non_field_errors), or for one.
  void error(std::string message);
  void error(std::string field, std::string message);
  const ValidationError::Errors& errors() const { return errors_; }
  bool ok() const { return errors_.empty(); }

  // ---- for the reader ----
  void* target = nullptr;  // the object being filled
  std::vector<uint8_t> present;  // per plan field
  std::vector<uint8_t> failed;   // per plan field: it has an error
  std::vector<Value> extras;     // per input field (SerialField::extra)
  std::vector<int> given;        // scratch: the model fields the input set
  ValidationError::Errors errors_;
  const detail::SerializerPlan* plan_;
  uint32_t expect_next = 0;      // the field the next key most likely names
};

// InputData with the object being filled: what an object-level validator
// of ModelSerializer<T> receives, and what read_json() returns.
template <class T>
class Input : public InputData {
 public:
  explicit Input(const detail::SerializerPlan& plan, T start = T{}) : InputData(plan), owned_(std::move(start)) {
    target = &owned_;
  }
  Input(Input&& o) noexcept(std::is_nothrow_move_constructible_v<T>) : InputData(std::move(o)), owned_(std::move(o.owned_)) {
    target = &owned_;
  }
  Input& operator=(const Input&) = delete;
  // The object being filled (an element of the list when reading one).
  T& object() { return *static_cast<T*>(target); }
  const T& object() const { return *static_cast<const T*>(target); }

 private:
  T owned_;
};

namespace detail {

// What a serializer was told, kept so each configuration call can rebuild
// the plan from scratch.
struct SerializerSpec {
  struct Extra {
    std::string name;
    std::string source;  // rename: the model field written under `name`
    // method field: writes the value computed from the object (as
    // MessagePack too, when the function returns a value rather than
    // writing JSON itself)
    std::function<void(const void* obj, JsonWriter& w)> method;
    std::function<void(const void* obj, MsgPackWriter& w)> method_msgpack;
    // input field (not on the model): its kind; read into InputData's extras
    std::optional<FieldKind> input_kind;
    // nested serializer of the relation `name` (DRF's author = UserSerializer())
    std::shared_ptr<const struct SerializerPlan> nested;
  };
  // A typed field validator: `plain` for a member of type M (or a Value for
  // an input field), `in_optional` for a std::optional<M> member holding one.
  struct FieldValidator {
    std::string field;
    const FieldCodec* plain_codec = nullptr;     // null: takes a Value (input fields)
    const FieldCodec* optional_codec = nullptr;
    std::string type_name;                       // for the mismatch message
    std::function<void(void* member)> plain, in_optional;
  };
  bool all_fields = true;
  int depth = 0;                    // DRF's Meta.depth: forward relations nested this many levels
  std::vector<std::string> fields;  // when !all_fields: output order
  std::vector<std::string> exclude, read_only, write_only;
  std::vector<Extra> extras;  // in declaration order
  std::vector<std::pair<std::string, FieldOptions>> options;
  std::vector<FieldValidator> validators;
  std::vector<std::function<void(InputData&)>> object_validators;
};

// One output member, resolved against the model.
struct SerialField {
  enum class Source : uint8_t { Member, Method, Input, Nested };
  std::string name;
  std::string key;  // the pre-escaped `"name":`, with a leading comma after the first output field
  Source source = Source::Member;
  int field = -1;  // the model field (Member)
  uint32_t offset = 0;
  SerialOp op = SerialOp::Generic;
  const FieldCodec* codec = nullptr;
  const SerializerSpec::Extra* extra_spec = nullptr;  // a method field's functions (in the plan's spec)
  // Nested: the relation and the related objects' serializer.
  const RelationInfo* relation = nullptr;
  std::shared_ptr<const SerializerPlan> nested;
  bool read_only = false;
  bool write_only = false;
  // Input: the options in force (the model's, then the serializer's).
  FieldKind kind = FieldKind::Text;
  bool required = false, allow_null = false, allow_blank = false;
  FieldOptions options;
  std::shared_ptr<const void> regex;  // options.regex compiled (a std::regex)
  std::vector<const SerializerSpec::FieldValidator*> validators;
  int extra = -1;  // Input: the index among InputData's extras
  std::vector<uint32_t> same_member;  // writable Member fields: the others setting the same member (a rename)
};

// The output loop's compact form of one output field: its key padded to a
// fixed size (copied in two moves, not a call), where the member is and
// how it is written.
struct OutputStep {
  static constexpr std::size_t kKeyBlock = 32, kPackedKeyBlock = 24;
  char key[kKeyBlock] = {};
  char packed_key[kPackedKeyBlock] = {};  // the key as a MessagePack str
  uint8_t packed_key_len = 0;
  uint32_t offset = 0;
  uint32_t field = 0;   // index in SerializerPlan::fields
  uint8_t key_len = 0;
  SerialOp op = SerialOp::Generic;
  bool slow = false;    // a method field, or a key longer than the block
  bool packed_slow = false;
};

struct SerializerPlan {
  const ModelInfo* model = nullptr;
  SerializerSpec spec;
  std::vector<SerialField> fields;  // every declared field, output order
  std::vector<uint32_t> output;     // the fields written on output (not write-only)
  std::vector<OutputStep> steps;    // one per output field
  // Room one object's keys, punctuation and fixed-size values can take
  // (text adds its own length).
  std::size_t fixed_room = 0;
  // Input: every field the input may name, by name (output names), and
  // the number of input fields (InputData::extras).
  std::vector<std::pair<std::string_view, uint32_t>> by_name;  // sorted
  std::size_t input_fields = 0;
  std::shared_ptr<const std::vector<std::string>> output_names;  // to_record()'s columns
  // Input, for the checks after the members (by index in `fields`): the
  // fields ignored on input, the required ones, those with validators,
  // and the model's write checks (max_length, valid text, choices,
  // decimal digits) on the members the input may set.
  struct WriteCheck {
    uint32_t field;
    uint32_t offset;   // text: the std::string member
    int max_length;    // text: the model's, 0 for none
    int model_field;
    bool text;         // a std::string member (else through its kind)
  };
  std::vector<uint32_t> read_only_inputs, required_inputs, validated_inputs;
  // Output from a query: the model fields written, when only members are
  // (no method or nested field reads anything else); the query then loads
  // only those.
  std::optional<std::vector<int>> output_members;
  // Every output field a member whose cell can be written as it is read
  // (row_columns / write_row).
  bool rows_direct = false;
  std::vector<WriteCheck> write_checks;
  // The list readers' direct paths (json_direct.cpp, msgpack_reader.cpp):
  // every field the input may set is a plain member (a SerialOp other than Generic, no
  // field validator, no other name for the same member), no input fields,
  // no object or model validation, names of printable ASCII without a
  // quote or backslash, at most 64 fields. required_mask: the required
  // fields, by index.
  bool lean_input = false;
  uint64_t required_mask = 0;
};

std::shared_ptr<const SerializerPlan> build_serializer(const ModelInfo& m, SerializerSpec spec);
// Parses `body` (JSON or MessagePack, as o.format says) and fills `in`
// (its target object, present fields, input fields and errors); then
// validates. Throws ParseError/PayloadTooLarge for malformed input,
// ValidationError with every problem otherwise. With an executor, unique
// fields and unique sets are checked against the database (`updating`:
// the target's own row does not count).
void read_input(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                const Executor* db, bool updating);
// An array of objects (DRF's many=True): each item is read into a fresh
// object from next(room for this many items), and drop() discards it
// again when any item failed. Every item's problems are reported at once
// (ValidationError::items()).
void read_input_list(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                     FunctionRef<void*(std::size_t count)> next, FunctionRef<void()> drop, const Executor* db);
// The same from named Values (a Record): each Value of its field's type
// as it is, or in the forms JSON input takes (text for dates, numbers).
void read_record(const SerializerPlan& p, const Record& r, const ReadOptions& o, InputData& in, const Executor* db,
                 bool updating);
// One object as named Values (see to_record()).
Record to_record(const SerializerPlan& p, const void* obj);
// The field names of a serializer's validator's member type, for messages.
template <class F>
struct validator_arg;
template <class C, class R, class A>
struct validator_arg<R (C::*)(A) const> {
  using type = std::remove_cvref_t<A>;
};
template <class C, class R, class A>
struct validator_arg<R (C::*)(A)> {
  using type = std::remove_cvref_t<A>;
};
template <class F>
  requires requires { &F::operator(); }
struct validator_arg<F> : validator_arg<decltype(&F::operator())> {};
template <class R, class A>
struct validator_arg<R (*)(A)> {
  using type = std::remove_cvref_t<A>;
};
// One object as a JSON object; `n` objects `stride` bytes apart as an array.
void write_object(const SerializerPlan& p, const void* obj, JsonWriter& w);
void write_objects(const SerializerPlan& p, const void* first, std::size_t n, std::size_t stride, JsonWriter& w);
// A query's rows written as JSON objects straight from their cells, when
// every output field is a member of a plain kind (no method or nested
// field, nothing written through a codec) and every cell the query reads
// is written (so none goes unchecked): the row column of each output field
// (`columns`: the query's selected fields), or an empty list when the rows
// must become objects first (also when the query loads related objects).
std::vector<int> row_columns(const SerializerPlan& p, const std::vector<int>& columns, bool loads_related);
// One row as a JSON object from its cells at `cols` (row_columns). False,
// with nothing written, when a cell is not what the member would plainly
// hold (NULL where the member cannot be, an int32 out of range, a time the
// driver would convert first, a value it cannot read): the caller loads
// that row into an object and writes the object, so it gets the same
// output, or the same error, as all() would.
bool write_row(const SerializerPlan& p, const int* cols, const Row& row, JsonWriter& w);
// The same as MessagePack maps.
void write_object(const SerializerPlan& p, const void* obj, MsgPackWriter& w);
void write_objects(const SerializerPlan& p, const void* first, std::size_t n, std::size_t stride, MsgPackWriter& w);
// An array of as many items as follow (its size patched in by end_stream).
std::size_t begin_stream(MsgPackWriter& w);
void end_stream(MsgPackWriter& w, std::size_t at, std::size_t count);

// ---- the typed output (ModelSerializer<T>::write) ----
// When every output field is a member, in the struct's member order, the
// output loop is generated for T: each member's type is known at compile
// time, so its value is written inline, without the per-step dispatch of
// write_object; the plan gives only the keys, and which members are
// written (a mask, the same branches for every object). It writes the
// same bytes as write_object, JSON or MessagePack, and what write_object
// writes through the writer (escaped or non-ASCII text, doubles, other
// kinds through their codec) it writes through the same calls.

// A writer's cursor and end kept in locals, given back to the writer only
// around calls that write through it.
struct OutCursor {
  char* q;
  char* end;
};
// Commits q and makes room for n bytes (out of line: the rare case).
OutCursor refill(OutputBuffer& w, char* q, std::size_t n);
inline OutCursor resume(OutputBuffer& w) {
  char* p = w.room(0);
  return {p, p + w.available()};
}
// Writes s (JSON: quoted with escapes) after q, or refuses text that is
// not UTF-8, then gives a cursor with `room` bytes.
OutCursor write_escaped(JsonWriter& w, char* q, std::string_view s, std::size_t room);
OutCursor write_escaped(MsgPackWriter& w, char* q, std::string_view s, std::size_t room);
// Writes the member at m through its codec after q (no separator), then
// gives a cursor with `room` bytes.
OutCursor write_through(JsonWriter& w, char* q, const FieldCodec& codec, const void* m, std::size_t room);
OutCursor write_through(MsgPackWriter& w, char* q, const FieldCodec& codec, const void* m, std::size_t room);

// The op the plan gives a member of type M (a ForeignKey's: its key's).
template <class M>
constexpr SerialOp typed_op() {
  if constexpr (RelationTraits<M>::forward) return serial_op_of<typename RelationTraits<M>::key>();
  else if constexpr (RelationTraits<M>::many) return SerialOp::Generic;
  else return serial_op_of<M>();
}

// Bit i set: member i of T is written. 0 when the output is not plain
// members in member order, each with its key in the step's block (JSON's,
// or MessagePack's when `packed`): the plan's write_object writes it then.
template <class T, std::size_t... I>
uint64_t typed_members(const SerializerPlan& p, bool packed, std::index_sequence<I...>) {
  if constexpr (sizeof...(I) > 64) {
    return 0;
  } else {
    const T& obj = sample_object<T>();
    auto members = tie_members<sizeof...(I)>(obj);
    const uint32_t offsets[] = {static_cast<uint32_t>(reinterpret_cast<const char*>(&std::get<I>(members)) -
                                                      reinterpret_cast<const char*>(&obj))...};
    constexpr SerialOp ops[] = {typed_op<member_type<T, I>>()...};
    constexpr bool relation[] = {RelationTraits<member_type<T, I>>::many...};
    uint64_t mask = 0;
    std::size_t i = 0;
    for (const OutputStep& st : p.steps) {
      if (packed ? st.packed_slow : st.slow) return 0;
      while (i < sizeof...(I) && (offsets[i] != st.offset || relation[i])) ++i;
      if (i == sizeof...(I) || ops[i] != st.op) return 0;
      mask |= uint64_t{1} << i++;
    }
    return mask;
  }
}

// One member's value at the cursor, which has `room` bytes (JSON).
template <class M>
[[gnu::always_inline]] inline void typed_value(OutCursor& c, JsonWriter& w, const SerializerPlan& p,
                                               const OutputStep& st, const M& m, std::size_t room) {
  if constexpr (RelationTraits<M>::forward) {
    typed_value(c, w, p, st, m.id, room);
  } else if constexpr (std::is_same_v<M, int64_t> || std::is_same_v<M, int32_t>) {
    c.q = write_int(c.q, m);
  } else if constexpr (std::is_same_v<M, bool>) {
    std::memcpy(c.q, m ? "true" : "false", 5);  // "true" copies its NUL, overwritten next
    c.q += 5 - m;
  } else if constexpr (std::is_same_v<M, std::string>) {
    const std::size_t need = m.size() + JsonWriter::kQuotedSlack + room;
    if (static_cast<std::size_t>(c.end - c.q) < need) [[unlikely]]
      c = refill(w, c.q, need);
    if (char* e = JsonWriter::quote_plain(c.q, m.data(), m.size())) [[likely]]
      c.q = e;
    else
      c = write_escaped(w, c.q, m, room);
  } else if constexpr (std::is_same_v<M, DateTime>) {
    *c.q++ = '"';
    c.q = write_rfc3339(c.q, m.unix_micros());
    *c.q++ = '"';
  } else if constexpr (serial_op_of<M>() >= SerialOp::OptInt64 && serial_op_of<M>() != SerialOp::OptDouble) {
    if (m) {
      typed_value(c, w, p, st, *m, room);
    } else {
      std::memcpy(c.q, "null", 4);
      c.q += 4;
    }
  } else {  // doubles and every other kind: the codec writes it
    c = write_through(w, c.q, *p.fields[st.field].codec, &m, room);
  }
}

// The same as MessagePack.
template <class M>
[[gnu::always_inline]] inline void typed_value(OutCursor& c, MsgPackWriter& w, const SerializerPlan& p,
                                               const OutputStep& st, const M& m, std::size_t room) {
  if constexpr (RelationTraits<M>::forward) {
    typed_value(c, w, p, st, m.id, room);
  } else if constexpr (std::is_same_v<M, int64_t> || std::is_same_v<M, int32_t>) {
    c.q = MsgPackWriter::put_int(c.q, m);
  } else if constexpr (std::is_same_v<M, bool>) {
    *c.q++ = static_cast<char>(m ? 0xc3 : 0xc2);
  } else if constexpr (std::is_same_v<M, std::string>) {
    const std::size_t need = m.size() + 5 + room;
    if (static_cast<std::size_t>(c.end - c.q) < need) [[unlikely]]
      c = refill(w, c.q, need);
    char* at = MsgPackWriter::put_str_header(c.q, m.size());
    if (m.size() <= 0xffffffffu && copy_ascii(at, m.data(), m.size())) [[likely]]  // (longer: refused by the writer)
      c.q = at + m.size();
    else
      c = write_escaped(w, c.q, m, room);  // checks the UTF-8
  } else if constexpr (std::is_same_v<M, DateTime>) {
    c.q = MsgPackWriter::put_timestamp(c.q, m.unix_micros());
  } else if constexpr (serial_op_of<M>() >= SerialOp::OptInt64 && serial_op_of<M>() != SerialOp::OptDouble) {
    if (m) typed_value(c, w, p, st, *m, room);
    else *c.q++ = static_cast<char>(0xc0);
  } else {
    c = write_through(w, c.q, *p.fields[st.field].codec, &m, room);
  }
}

// What one object takes besides its text: JSON's keys, punctuation and
// fixed-size values; MessagePack's map header, keys and fixed values (a
// 96-bit timestamp at most, 15 bytes).
inline std::size_t typed_room(const SerializerPlan& p, const JsonWriter&) { return p.fixed_room; }
inline std::size_t typed_room(const SerializerPlan& p, const MsgPackWriter&) {
  return 5 + p.steps.size() * (OutputStep::kPackedKeyBlock + 15);
}

// One member's key and value; the next step.
template <class W, class M>
[[gnu::always_inline]] inline void typed_member(OutCursor& c, W& w, const SerializerPlan& p, const OutputStep*& st,
                                                const M& m, std::size_t room) {
  if constexpr (std::is_same_v<W, JsonWriter>) {
    std::memcpy(c.q, st->key, OutputStep::kKeyBlock);
    c.q += st->key_len;
  } else {
    std::memcpy(c.q, st->packed_key, OutputStep::kPackedKeyBlock);
    c.q += st->packed_key_len;
  }
  typed_value(c, w, p, *st, m, room);
  ++st;
}

// n items written by write(from, count): the first alone, then, with room
// for the rest made at once (about the size of the first: one growth, not
// a doubling series), the others.
template <class W, class Write>
void write_items(W& w, std::size_t n, Write&& write) {
  if (n == 0) return;
  const std::size_t before = w.size();
  write(std::size_t{0}, std::size_t{1});
  const std::size_t rest = n - 1, one = w.size() - before;
  w.reserve((one + 1) * rest + rest / 8 * one);
  write(std::size_t{1}, rest);
}

// n objects after the cursor: JSON objects separated by commas (the first
// one too when the writer expects a separator), or MessagePack maps.
template <class T, class W, std::size_t... I>
void write_typed(const SerializerPlan& p, uint64_t mask, const T* objs, std::size_t n, W& w,
                 std::index_sequence<I...>) {
  constexpr bool json = std::is_same_v<W, JsonWriter>;
  const std::size_t room = typed_room(p, w);
  char map_header[5] = {};  // (MessagePack) each object's, the same for all
  std::size_t map_header_len = 0;
  if constexpr (!json) map_header_len = static_cast<std::size_t>(MsgPackWriter::put_header(map_header, p.steps.size(), 0x80, 0xde) - map_header);
  OutCursor c = resume(w);
  bool comma = false;
  if constexpr (json) comma = w.needs_comma();
  for (std::size_t k = 0; k < n; ++k) {
    if (static_cast<std::size_t>(c.end - c.q) < room) [[unlikely]]
      c = refill(w, c.q, room);
    if constexpr (json) {
      *c.q = ',';
      c.q += comma;
      comma = true;
      *c.q++ = '{';
    } else {
      std::memcpy(c.q, map_header, sizeof map_header);
      c.q += map_header_len;
    }
    const OutputStep* st = p.steps.data();
    auto members = tie_members<sizeof...(I)>(objs[k]);
    ((mask >> I & 1 ? typed_member(c, w, p, st, std::get<I>(members), room) : void()), ...);
    if constexpr (json) *c.q++ = '}';
  }
  w.commit(c.q);
  if constexpr (json) w.set_needs_comma(comma);
}

}  // namespace detail

template <class T>
class ModelSerializer {
 public:
  // Every model field ("__all__").
  ModelSerializer() : ModelSerializer(detail::build_serializer(model_info<T>(), {})) {}

  // ---- configuration (DRF's Meta) ----
  // The fields written, in this order: model fields and extra fields declared before.
  ModelSerializer fields(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) {
      s.all_fields = false;
      s.fields.assign(names.begin(), names.end());
    });
  }
  // Every model field but these.
  ModelSerializer exclude(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) { s.exclude.insert(s.exclude.end(), names.begin(), names.end()); });
  }
  // Written on output, ignored on input.
  ModelSerializer read_only(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) { s.read_only.insert(s.read_only.end(), names.begin(), names.end()); });
  }
  // Accepted on input, never written (a password).
  ModelSerializer write_only(std::initializer_list<std::string_view> names) const {
    return with([&](detail::SerializerSpec& s) { s.write_only.insert(s.write_only.end(), names.begin(), names.end()); });
  }
  // The model field `source` written under another key (DRF's source=).
  ModelSerializer rename(std::string_view name, std::string_view source) const {
    return with([&](detail::SerializerSpec& s) { s.extras.push_back({std::string(name), std::string(source), {}, {}, {}}); });
  }
  // A read-only field computed from the object (DRF's SerializerMethodField):
  // fn(const T&) returns anything JsonWriter::value takes (a number, text,
  // a covet::Value, an optional, a vector), or fn(const T&, JsonWriter&)
  // writes one value itself.
  template <class F>
  ModelSerializer method(std::string_view name, F fn) const {
    std::function<void(const void*, JsonWriter&)> write;
    std::function<void(const void*, MsgPackWriter&)> pack;
    if constexpr (std::is_invocable_v<F&, const T&, JsonWriter&>) {
      write = [fn = std::move(fn)](const void* obj, JsonWriter& w) { fn(*static_cast<const T*>(obj), w); };
    } else {
      static_assert(std::is_invocable_v<F&, const T&>, "covet: a method field is fn(const T&) or fn(const T&, JsonWriter&)");
      write = [fn](const void* obj, JsonWriter& w) { w.value(fn(*static_cast<const T*>(obj))); };
      pack = [fn = std::move(fn)](const void* obj, MsgPackWriter& w) { w.value(fn(*static_cast<const T*>(obj))); };
    }
    return with([&](detail::SerializerSpec& s) {
      s.extras.push_back({std::string(name), {}, std::move(write), std::move(pack), {}});
    });
  }

  // A relation written as its related object(s) through another serializer
  // (DRF's nested serializer, read-only): a ForeignKey or one-to-one as an
  // object or null, a reverse or many-to-many relation as an array. The
  // relation must be loaded (select_related, prefetch_related or fetch):
  // writing one that is not is a UsageError, never a hidden query.
  template <class R>
  ModelSerializer nested(std::string_view relation, const ModelSerializer<R>& s) const {
    const RelationInfo* r = model_info<T>().find_relation(relation);
    if (!r)
      throw FieldError(model_info<T>().name + " has no relation named '" + std::string(relation) + "' to nest");
    if (&r->target() != &model_info<R>())
      throw ConfigurationError(model_info<T>().name + "." + std::string(relation) + " relates to " + r->target().name +
                               ", not to " + model_info<R>().name);
    return with([&](detail::SerializerSpec& sp) {
      detail::SerializerSpec::Extra e;
      e.name = std::string(relation);
      e.nested = s.plan_;
      sp.extras.push_back(std::move(e));
    });
  }
  // DRF's Meta.depth: every ForeignKey/OneToOne not otherwise declared is
  // written as its related object (all its fields), `levels` deep.
  ModelSerializer depth(int levels) const {
    return with([&](detail::SerializerSpec& s) { s.depth = levels; });
  }

  // ---- input configuration ----
  // DRF's extra_kwargs for one field: required, allow_null, allow_blank,
  // lengths, ranges, regex, email, url.
  ModelSerializer options(std::string_view field, FieldOptions o) const {
    return with([&](detail::SerializerSpec& s) { s.options.emplace_back(std::string(field), std::move(o)); });
  }
  // A field on the input only, not on the model (the seed's password and
  // password_confirm): write-only, read as `kind`, found in Input::extra().
  ModelSerializer input_field(std::string_view name, FieldKind kind, FieldOptions o = {}) const {
    return with([&](detail::SerializerSpec& s) {
      s.extras.push_back({std::string(name), {}, {}, {}, kind});
      s.options.emplace_back(std::string(name), std::move(o));
    });
  }
  // A field validator: fn(M&) for a member of type M (or of
  // std::optional<M>, called when it holds a value), fn(covet::Value&) for
  // an input field. It may change the value (normalise) and reports a
  // problem by throwing covet::ValidationError("message").
  template <class F>
  ModelSerializer validator(std::string_view field, F fn) const {
    using M = typename detail::validator_arg<F>::type;
    detail::SerializerSpec::FieldValidator v;
    v.field = std::string(field);
    if constexpr (std::is_same_v<M, Value>) v.type_name = "covet::Value";
    else v.type_name = std::string(detail::type_name<M>());
    v.plain = [fn](void* m) { fn(*static_cast<M*>(m)); };
    if constexpr (!std::is_same_v<M, Value>) {
      v.plain_codec = detail::codec_for<M>();
      if constexpr (!detail::CodecOf<M>::optional) {
        v.optional_codec = detail::codec_for<std::optional<M>>();
        v.in_optional = [fn](void* m) {
          if (auto& o = *static_cast<std::optional<M>*>(m)) fn(*o);
        };
      }
    }
    return with([&](detail::SerializerSpec& s) { s.validators.push_back(std::move(v)); });
  }
  // An object-level validator (DRF's validate(self, data)): runs when every
  // field is valid; may read and change the object and the input fields,
  // and reports with in.error(...) or by throwing ValidationError.
  template <class F>
    requires std::is_invocable_v<F&, Input<T>&>
  ModelSerializer validate(F fn) const {
    return with([&](detail::SerializerSpec& s) {
      s.object_validators.push_back([fn](InputData& in) { fn(static_cast<Input<T>&>(in)); });
    });
  }

  // ---- input ----
  // A new object from a request body in o.format (JSON by default):
  // parsed, converted, validated (no database: unique checks need
  // create()). Throws ParseError, PayloadTooLarge or ValidationError.
  Input<T> read(std::string_view body, const ReadOptions& o = {}) const {
    Input<T> in(*plan_);
    detail::read_input(*plan_, body, o, in, nullptr, false);
    return in;
  }
  // The same, starting from an existing object (an update): fields not
  // given keep their values (with o.partial, missing fields are no error).
  Input<T> read(std::string_view body, const T& instance, const ReadOptions& o = {}) const {
    Input<T> in(*plan_, instance);
    detail::read_input(*plan_, body, o, in, nullptr, true);
    return in;
  }
  Input<T> read_json(std::string_view json, const ReadOptions& o = {}) const { return read(json, as(o, InputFormat::Json)); }
  Input<T> read_json(std::string_view json, const T& instance, const ReadOptions& o = {}) const {
    return read(json, instance, as(o, InputFormat::Json));
  }
  Input<T> read_msgpack(std::string_view bytes, const ReadOptions& o = {}) const {
    return read(bytes, as(o, InputFormat::MsgPack));
  }
  Input<T> read_msgpack(std::string_view bytes, const T& instance, const ReadOptions& o = {}) const {
    return read(bytes, instance, as(o, InputFormat::MsgPack));
  }
  // From named Values (the Value tree to_record() writes, values() rows,
  // form data): a Value of the field's own type is taken as it is; text
  // and numbers as JSON input gives them.
  Input<T> read_record(const Record& r, const ReadOptions& o = {}) const {
    Input<T> in(*plan_);
    detail::read_record(*plan_, r, o, in, nullptr, false);
    return in;
  }
  Input<T> read_record(const Record& r, const T& instance, const ReadOptions& o = {}) const {
    Input<T> in(*plan_, instance);
    detail::read_record(*plan_, r, o, in, nullptr, true);
    return in;
  }
  T from_json(std::string_view json, const ReadOptions& o = {}) const { return std::move(read_json(json, o).object()); }
  T from_msgpack(std::string_view bytes, const ReadOptions& o = {}) const {
    return std::move(read_msgpack(bytes, o).object());
  }
  T from_record(const Record& r, const ReadOptions& o = {}) const { return std::move(read_record(r, o).object()); }
  // An array of objects (DRF's many=True), each read and validated; the
  // errors of every item at once (ValidationError::items()).
  std::vector<T> from_json_list(std::string_view json, const ReadOptions& o = {}) const {
    return read_list(json, as(o, InputFormat::Json), nullptr);
  }
  std::vector<T> from_msgpack_list(std::string_view bytes, const ReadOptions& o = {}) const {
    return read_list(bytes, as(o, InputFormat::MsgPack), nullptr);
  }
  // The same in o.format, unique fields checked against `db`, then saved
  // with bulk_create (all or nothing).
  std::vector<T> create_list(const Executor& db, std::string_view body, const ReadOptions& o = {}) const {
    std::vector<T> out = read_list(body, o, &db);
    QuerySet<T>(db).bulk_create(out);
    return out;
  }
  // DRF's serializer.save() for a new object from a body in o.format:
  // validated, unique fields checked against `db`, then saved (INSERT).
  // Returns the saved object.
  T create(const Executor& db, std::string_view body, const ReadOptions& o = {}) const {
    Input<T> in(*plan_);
    detail::read_input(*plan_, body, o, in, &db, false);
    orm::save(db, model_info<T>(), &in.object());
    return std::move(in.object());
  }
  // DRF's serializer.save() for an instance: the input applied to `obj`,
  // validated (its own row excluded from unique checks), then saved. On
  // an error `obj` is left as it was.
  void update(const Executor& db, T& obj, std::string_view body, const ReadOptions& o = {}) const {
    Input<T> in(*plan_, obj);
    detail::read_input(*plan_, body, o, in, &db, true);
    orm::save(db, model_info<T>(), &in.object());
    obj = std::move(in.object());
  }

  // ---- output ----
  void write(JsonWriter& w, const T& obj) const {
    if (typed_json_) typed(w, typed_json_, &obj, 1);
    else detail::write_object(*plan_, &obj, w);
  }
  void write(JsonWriter& w, const std::vector<T>& objs) const {
    if (!typed_json_) return detail::write_objects(*plan_, objs.data(), objs.size(), sizeof(T), w);
    w.begin_array();
    typed_list(w, typed_json_, objs);
    w.end_array();
  }
  // A query's rows are written straight from their cells when the output
  // allows it (detail::write_row), else loaded into an object each.
  template <class R>
  void write(JsonWriter& w, const QuerySet<T, R>& qs) const {
    static_assert(std::is_same_v<R, T>, "covet: serializers write whole objects; drop only()/values()");
    w.begin_array();
    each_row(qs, w, [] {});
    w.end_array();
  }
  void write(MsgPackWriter& w, const T& obj) const {
    if (typed_packed_) typed(w, typed_packed_, &obj, 1);
    else detail::write_object(*plan_, &obj, w);
  }
  void write(MsgPackWriter& w, const std::vector<T>& objs) const {
    if (!typed_packed_) return detail::write_objects(*plan_, objs.data(), objs.size(), sizeof(T), w);
    w.begin_array(objs.size());
    typed_list(w, typed_packed_, objs);
  }
  template <class R>
  void write(MsgPackWriter& w, const QuerySet<T, R>& qs) const {
    static_assert(std::is_same_v<R, T>, "covet: serializers write whole objects; drop only()/values()");
    std::size_t at = detail::begin_stream(w), n = 0;
    for (const T& obj : narrowed(qs).iterate()) write(w, obj), ++n;
    detail::end_stream(w, at, n);
  }
  // MessagePack: the same data as to_json, each object a map.
  std::string to_msgpack(const T& obj) const { return pack([&](MsgPackWriter& w) { write(w, obj); }); }
  std::string to_msgpack(const std::vector<T>& objs) const { return pack([&](MsgPackWriter& w) { write(w, objs); }); }
  template <class R>
  std::string to_msgpack(const QuerySet<T, R>& qs) const {
    return pack([&](MsgPackWriter& w) { write(w, qs); });
  }
  std::string to_json(const T& obj) const { return render([&](JsonWriter& w) { write(w, obj); }); }
  std::string to_json(const std::vector<T>& objs) const { return render([&](JsonWriter& w) { write(w, objs); }); }
  template <class R>
  std::string to_json(const QuerySet<T, R>& qs) const {
    return render([&](JsonWriter& w) { write(w, qs); });
  }
  // NDJSON: each row of the query as one line, read from a database cursor
  // and handed to `sink` in chunks of about `chunk_bytes` (the last one
  // shorter) without holding the whole result. The cursor holds its
  // connection until the last row.
  template <class R>
  void write_ndjson(const QuerySet<T, R>& qs, FunctionRef<void(std::string_view)> sink,
                    std::size_t chunk_bytes = 16 * 1024) const {
    static_assert(std::is_same_v<R, T>, "covet: serializers write whole objects; drop only()/values()");
    JsonWriter w(chunk_bytes + chunk_bytes / 4);
    each_row(qs, w, [&] {
      w.newline();
      if (w.size() >= chunk_bytes) {
        sink(w.view());
        w.clear();
      }
    });
    if (!w.empty()) sink(w.view());
  }

  // The output as named Values (DRF's serializer.data as a tree): each
  // output field under its key, members as their Value, method fields as
  // the value they write; a nested object is a Json value, nested objects
  // an Array of them. Reads back with read_record().
  Record to_record(const T& obj) const { return detail::to_record(*plan_, &obj); }
  std::vector<Record> to_records(const std::vector<T>& objs) const {
    std::vector<Record> out;
    out.reserve(objs.size());
    for (const T& o : objs) out.push_back(detail::to_record(*plan_, &o));
    return out;
  }

  const detail::SerializerPlan& plan() const { return *plan_; }

 private:
  template <class>
  friend class ModelSerializer;
  explicit ModelSerializer(std::shared_ptr<const detail::SerializerPlan> p)
      : plan_(std::move(p)),
        typed_json_(detail::typed_members<T>(*plan_, false, Members{})),
        typed_packed_(detail::typed_members<T>(*plan_, true, Members{})) {}
  using Members = std::make_index_sequence<detail::member_count<T>>;
  template <class W>
  void typed(W& w, uint64_t mask, const T* objs, std::size_t n) const {
    detail::write_typed(*plan_, mask, objs, n, w, Members{});
  }
  template <class W>
  void typed_list(W& w, uint64_t mask, const std::vector<T>& objs) const {
    detail::write_items(w, objs.size(), [&](std::size_t from, std::size_t n) { typed(w, mask, objs.data() + from, n); });
  }
  template <class Edit>
  ModelSerializer with(Edit&& edit) const {
    detail::SerializerSpec s = plan_->spec;
    edit(s);
    return ModelSerializer(detail::build_serializer(model_info<T>(), std::move(s)));
  }
  // Writes each row of the query as a JSON object, then calls `after`.
  template <class R, class After>
  void each_row(const QuerySet<T, R>& qs, JsonWriter& w, After&& after) const {
    auto rows = narrowed(qs).iterate();
    const std::vector<int> cols = detail::row_columns(*plan_, rows.columns(), rows.loads_related());
    while (const Row* row = rows.next_row()) {
      if (cols.empty() || !detail::write_row(*plan_, cols.data(), *row, w)) write(w, rows.load_current());
      after();
    }
  }
  // The query loading only the members written, when that is all the output reads.
  template <class R>
  QuerySet<T, R> narrowed(const QuerySet<T, R>& qs) const {
    return plan_->output_members ? qs.loading_only(*plan_->output_members) : qs;
  }
  static ReadOptions as(ReadOptions o, InputFormat f) {
    o.format = f;
    return o;
  }
  std::vector<T> read_list(std::string_view body, const ReadOptions& o, const Executor* db) const {
    std::vector<T> out;
    Input<T> in(*plan_);
    detail::read_input_list(
        *plan_, body, o, in,
        [&](std::size_t n) -> void* {
          if (n > out.capacity()) out.reserve(n);
          return &out.emplace_back();
        },
        [&] { out.pop_back(); }, db);
    return out;
  }
  template <class Write>
  static std::string pack(Write&& write) {
    MsgPackWriter w;
    write(w);
    return w.take();
  }
  template <class Write>
  static std::string render(Write&& write) {
    JsonWriter w;
    write(w);
    return w.take();
  }

  std::shared_ptr<const detail::SerializerPlan> plan_;
  // detail::typed_members: the members the typed output writes, as JSON
  // and as MessagePack (0: write_object writes them).
  uint64_t typed_json_, typed_packed_;
};

}  // namespace covet
