#pragma once
// FieldCodec instances for each supported member type. The kind of a field
// follows from its C++ type; options (max_length, ...) refine it in meta.
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "covet/core/error.hpp"
#include "covet/schema/field.hpp"
#include "covet/schema/field_type.hpp"
#include "covet/serial/json_writer.hpp"
#include "covet/serial/msgpack_writer.hpp"

namespace covet {
namespace detail {

[[noreturn]] void throw_null_into_required(const FieldInfo& f);
[[noreturn]] void throw_bad_value(const FieldInfo& f, const Value& v, std::string_view want);
int64_t checked_int32(const FieldInfo& f, int64_t v);

template <class M>
struct Codec;  // primary: unsupported member type

#define COVET_SIMPLE_CODEC(TYPE, KIND, LOAD, BIND, FROMV)                                        \
  template <>                                                                                     \
  struct Codec<TYPE> {                                                                            \
    static constexpr FieldKind kind = FieldKind::KIND;                                            \
    static void load(TYPE& m, const Row& row, int col, const FieldInfo& f) { LOAD; (void)f; }     \
    static void bind(const TYPE& m, Binder& b, int idx) { BIND; }                                 \
    static Value get(const TYPE& m) { return Value(m); }                                          \
    static void set(TYPE& m, const Value& v, const FieldInfo& f) {                                \
      try {                                                                                       \
        FROMV;                                                                                    \
      } catch (const InvalidArgument&) {                                                          \
        throw_bad_value(f, v, #KIND);                                                             \
      }                                                                                           \
    }                                                                                             \
  };

COVET_SIMPLE_CODEC(int32_t, Integer, m = static_cast<int32_t>(checked_int32(f, row.get_int(col))), b.bind_int32(idx, m),
                   m = static_cast<int32_t>(checked_int32(f, v.as_int())))
COVET_SIMPLE_CODEC(int64_t, BigInteger, m = row.get_int(col), b.bind_int(idx, m), m = v.as_int())
COVET_SIMPLE_CODEC(double, Float, m = row.get_double(col), b.bind_double(idx, m), m = v.as_double())
COVET_SIMPLE_CODEC(bool, Boolean, m = row.get_bool(col), b.bind_bool(idx, m), m = v.as_bool())
COVET_SIMPLE_CODEC(std::string, Text, m.assign(row.get_text(col)), b.bind_text(idx, m), m = v.as_string())
COVET_SIMPLE_CODEC(Decimal, Decimal, m = row.get_decimal(col, f.decimal_places), b.bind_decimal(idx, m),
                   m = v.as_decimal())
COVET_SIMPLE_CODEC(Date, Date, m = row.get_date(col), b.bind_date(idx, m), m = v.as_date())
COVET_SIMPLE_CODEC(DateTime, DateTime, m = row.get_datetime(col), b.bind_datetime(idx, m), m = v.as_datetime())
COVET_SIMPLE_CODEC(Uuid, Uuid, m = row.get_uuid(col), b.bind_uuid(idx, m), m = v.as_uuid())
COVET_SIMPLE_CODEC(Json, Json, m = row.get_json(col), b.bind_json(idx, m),
                   m = v.is<std::string>() ? Json::parse(v.as_string()) : v.as_json())
COVET_SIMPLE_CODEC(Bytes, Binary, { auto s = row.get_blob(col); m = Bytes::from(s); }, b.bind_blob(idx, m.view()),
                   m = v.as_bytes())
#undef COVET_SIMPLE_CODEC

// A user type with a covet::FieldType specialization: stored as its
// `storage` type through to_db / from_db.
template <class M>
concept user_field_type = requires { typename FieldType<M>::storage; };

// A user type whose serializers' form differs from its stored one:
// FieldType<M>::wire with to_wire / from_wire (an Encrypted shows and
// takes its plain text).
template <class M>
concept has_wire = requires { typename FieldType<M>::wire; };

template <user_field_type M>
struct Codec<M> {
  using S = typename FieldType<M>::storage;
  static constexpr FieldKind kind = Codec<S>::kind;
  static void load(M& m, const Row& row, int col, const FieldInfo& f) {
    S s{};
    Codec<S>::load(s, row, col, f);
    m = FieldType<M>::from_db(std::move(s));
  }
  // The converted value is a temporary: text and bytes are bound as copies.
  static void bind(const M& m, Binder& b, int idx) {
    S s = FieldType<M>::to_db(m);
    if constexpr (std::is_same_v<S, std::string>) b.bind_text_copy(idx, s);
    else if constexpr (std::is_same_v<S, Bytes>) b.bind_blob_copy(idx, s.view());
    else Codec<S>::bind(s, b, idx);
  }
  static Value get(const M& m) { return Value(FieldType<M>::to_db(m)); }
  static void set(M& m, const Value& v, const FieldInfo& f) {
    S s{};
    Codec<S>::set(s, v, f);
    m = FieldType<M>::from_db(std::move(s));
  }
};

template <class M>
constexpr FieldKind wire_kind_of() {
  if constexpr (has_wire<M>) return Codec<typename FieldType<M>::wire>::kind;
  else return Codec<M>::kind;
}
template <class M>
void set_member_wire(M& m, const Value& v, const FieldInfo& f) {
  if constexpr (has_wire<M>) {
    typename FieldType<M>::wire w{};
    Codec<typename FieldType<M>::wire>::set(w, v, f);
    m = FieldType<M>::from_wire(std::move(w));
  } else {
    Codec<M>::set(m, v, f);
  }
}

template <class E>
struct Codec<std::vector<E>> {
  static_assert(std::is_same_v<E, std::string> || std::is_same_v<E, int64_t> || std::is_same_v<E, int32_t> ||
                    std::is_same_v<E, double>,
                "covet: Array fields hold std::string, int32_t, int64_t or double elements");
  static constexpr FieldKind kind = FieldKind::Array;
  static constexpr FieldKind element_kind = Codec<E>::kind;
  static void from_array(std::vector<E>& m, const Array& a, const FieldInfo& f) {
    m.clear();
    m.reserve(a.size());
    for (const Value& v : a) {
      E e{};
      Codec<E>::set(e, v, f);
      m.push_back(std::move(e));
    }
  }
  static void load(std::vector<E>& m, const Row& row, int col, const FieldInfo& f) {
    from_array(m, row.get_array(col), f);
  }
  static void bind(const std::vector<E>& m, Binder& b, int idx) { b.bind_array(idx, Array(m.begin(), m.end())); }
  static Value get(const std::vector<E>& m) { return Value(m); }
  static void set(std::vector<E>& m, const Value& v, const FieldInfo& f) {
    if (!v.is<Array>()) throw_bad_value(f, v, "Array");
    from_array(m, v.as_array(), f);
  }
};

// A member's JSON form: a user type writes itself when its FieldType has
// write_json (an EncryptedField shows the plain text), else its storage form.
template <class M>
void write_member_json(JsonWriter& w, const M& m) {
  if constexpr (user_field_type<M>) {
    if constexpr (requires { FieldType<M>::write_json(w, m); }) FieldType<M>::write_json(w, m);
    else if constexpr (has_wire<M>) w.value(FieldType<M>::to_wire(m));
    else w.value(FieldType<M>::to_db(m));
  } else {
    w.value(m);
  }
}
// Its MessagePack form, by the same rule (FieldType<M>::write_msgpack).
template <class M>
void write_member_msgpack(MsgPackWriter& w, const M& m) {
  if constexpr (user_field_type<M>) {
    if constexpr (requires { FieldType<M>::write_msgpack(w, m); }) FieldType<M>::write_msgpack(w, m);
    else if constexpr (has_wire<M>) w.value(FieldType<M>::to_wire(m));
    else w.value(FieldType<M>::to_db(m));
  } else {
    w.value(m);
  }
}

template <class M>
struct Erased {
  static void load(void* m, const Row& row, int col, const FieldInfo& f) {
    if (row.is_null(col)) throw_null_into_required(f);
    Codec<M>::load(*static_cast<M*>(m), row, col, f);
  }
  static void bind(const void* m, Binder& b, int idx) { Codec<M>::bind(*static_cast<const M*>(m), b, idx); }
  static Value get(const void* m) { return Codec<M>::get(*static_cast<const M*>(m)); }
  static void set(void* m, const Value& v, const FieldInfo& f) {
    if (v.is_null()) throw_null_into_required(f);
    Codec<M>::set(*static_cast<M*>(m), v, f);
  }
  static bool is_null(const void*) { return false; }
  static const std::string* text(const void* m) {
    if constexpr (std::is_same_v<M, std::string>) return static_cast<const std::string*>(m);
    else return nullptr;
  }
  static void write_json(const void* m, JsonWriter& w) { write_member_json(w, *static_cast<const M*>(m)); }
  static void write_msgpack(const void* m, MsgPackWriter& w) { write_member_msgpack(w, *static_cast<const M*>(m)); }
  static void set_wire(void* m, const Value& v, const FieldInfo& f) {
    if (v.is_null()) throw_null_into_required(f);
    set_member_wire(*static_cast<M*>(m), v, f);
  }
};

template <class M>
struct Erased<std::optional<M>> {
  using O = std::optional<M>;
  static void load(void* m, const Row& row, int col, const FieldInfo& f) {
    O& o = *static_cast<O*>(m);
    if (row.is_null(col)) return o.reset();
    Codec<M>::load(o.emplace(), row, col, f);
  }
  static void bind(const void* m, Binder& b, int idx) {
    const O& o = *static_cast<const O*>(m);
    if (!o) return b.bind_null(idx);
    Codec<M>::bind(*o, b, idx);
  }
  static Value get(const void* m) {
    const O& o = *static_cast<const O*>(m);
    return o ? Codec<M>::get(*o) : Value();
  }
  static void set(void* m, const Value& v, const FieldInfo& f) {
    O& o = *static_cast<O*>(m);
    if (v.is_null()) return o.reset();
    Codec<M>::set(o.emplace(), v, f);
  }
  static bool is_null(const void* m) { return !static_cast<const O*>(m)->has_value(); }
  static const std::string* text(const void* m) {
    const O& o = *static_cast<const O*>(m);
    if constexpr (std::is_same_v<M, std::string>) return o ? &*o : nullptr;
    else return nullptr;
  }
  static void write_json(const void* m, JsonWriter& w) {
    const O& o = *static_cast<const O*>(m);
    if (o) write_member_json(w, *o);
    else w.null();
  }
  static void write_msgpack(const void* m, MsgPackWriter& w) {
    const O& o = *static_cast<const O*>(m);
    if (o) write_member_msgpack(w, *o);
    else w.null();
  }
  static void set_wire(void* m, const Value& v, const FieldInfo& f) {
    O& o = *static_cast<O*>(m);
    if (v.is_null()) return o.reset();
    set_member_wire(o.emplace(), v, f);
  }
};

template <class M>
struct CodecOf {
  using Base = M;
  static constexpr bool optional = false;
};
template <class M>
struct CodecOf<std::optional<M>> {
  using Base = M;
  static constexpr bool optional = true;
};

template <class M>
concept supported_member = requires { Codec<typename CodecOf<M>::Base>::kind; };

template <class M>
constexpr FieldKind element_kind_of() {
  using B = typename CodecOf<M>::Base;
  if constexpr (requires { Codec<B>::element_kind; }) return Codec<B>::element_kind;
  else return Codec<B>::kind;
}

template <class M>
constexpr MemberLoad::Op load_op_of() {
  using Op = MemberLoad::Op;
  if constexpr (std::is_same_v<M, int64_t>) return Op::Int64;
  else if constexpr (std::is_same_v<M, int32_t>) return Op::Int32;
  else if constexpr (std::is_same_v<M, double>) return Op::Double;
  else if constexpr (std::is_same_v<M, bool>) return Op::Bool;
  else if constexpr (std::is_same_v<M, std::string>) return Op::Text;
  else if constexpr (std::is_same_v<M, std::optional<int64_t>>) return Op::OptInt64;
  else if constexpr (std::is_same_v<M, std::optional<int32_t>>) return Op::OptInt32;
  else if constexpr (std::is_same_v<M, std::optional<double>>) return Op::OptDouble;
  else if constexpr (std::is_same_v<M, std::optional<bool>>) return Op::OptBool;
  else if constexpr (std::is_same_v<M, std::optional<std::string>>) return Op::OptText;
  else if constexpr (std::is_same_v<M, DateTime>) return Op::DateTime;
  else if constexpr (std::is_same_v<M, std::optional<DateTime>>) return Op::OptDateTime;
  else return Op::Generic;
}

template <class M>
constexpr SerialOp serial_op_of() {
  using S = SerialOp;
  if constexpr (std::is_same_v<M, int64_t>) return S::Int64;
  else if constexpr (std::is_same_v<M, int32_t>) return S::Int32;
  else if constexpr (std::is_same_v<M, double>) return S::Double;
  else if constexpr (std::is_same_v<M, bool>) return S::Bool;
  else if constexpr (std::is_same_v<M, std::string>) return S::Text;
  else if constexpr (std::is_same_v<M, DateTime>) return S::DateTime;
  else if constexpr (std::is_same_v<M, std::optional<int64_t>>) return S::OptInt64;
  else if constexpr (std::is_same_v<M, std::optional<int32_t>>) return S::OptInt32;
  else if constexpr (std::is_same_v<M, std::optional<double>>) return S::OptDouble;
  else if constexpr (std::is_same_v<M, std::optional<bool>>) return S::OptBool;
  else if constexpr (std::is_same_v<M, std::optional<std::string>>) return S::OptText;
  else if constexpr (std::is_same_v<M, std::optional<DateTime>>) return S::OptDateTime;
  else return S::Generic;
}

template <class M>
const FieldCodec* codec_for() {
  static_assert(supported_member<M>,
                "covet: this member type has no field kind; use int32_t, int64_t, double, bool, std::string, "
                "covet::Decimal/Date/DateTime/Uuid/Json/Bytes, std::vector<...> or std::optional of one");
  static constexpr FieldCodec codec{Codec<typename CodecOf<M>::Base>::kind,
                                    element_kind_of<M>(),
                                    CodecOf<M>::optional,
                                    load_op_of<M>(),
                                    &Erased<M>::load,
                                    &Erased<M>::bind,
                                    &Erased<M>::get,
                                    &Erased<M>::set,
                                    &Erased<M>::is_null,
                                    &Erased<M>::text,
                                    serial_op_of<M>(),
                                    &Erased<M>::write_json,
                                    &Erased<M>::write_msgpack,
                                    wire_kind_of<typename CodecOf<M>::Base>(),
                                    &Erased<M>::set_wire};
  return &codec;
}

}  // namespace detail
}  // namespace covet
