#pragma once
// Field metadata: what the schema knows about one model member.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/core/row.hpp"
#include "covet/core/value.hpp"
#include "covet/schema/relation.hpp"

namespace covet {

enum class FieldKind : uint8_t {
  Integer,     // int32_t
  BigInteger,  // int64_t
  Float,       // double
  Decimal,     // covet::Decimal
  String,      // std::string with max_length
  Text,        // std::string
  Boolean,     // bool
  Date,        // covet::Date
  DateTime,    // covet::DateTime (UTC, microseconds)
  Uuid,        // covet::Uuid
  Json,        // covet::Json
  Array,       // std::vector<element>
  Binary,      // covet::Bytes
};
std::string_view to_string(FieldKind k);

class JsonWriter;
class MsgPackWriter;

// How the serializers write a member without a call (Generic: through
// FieldCodec::write_json): the common member types, switched on inline.
enum class SerialOp : uint8_t {
  Generic,
  Int64, Int32, Double, Bool, Text, DateTime,
  OptInt64, OptInt32, OptDouble, OptBool, OptText, OptDateTime,
};

// Moves one C++ member type between struct memory, a driver row/binder and
// Value. One static instance per member type (see field_codec.hpp).
struct FieldCodec {
  FieldKind kind;
  FieldKind element_kind;  // for Array
  bool optional;           // the member is std::optional<...>
  MemberLoad::Op load_op;  // how a driver loads it without a call (Generic: through `load`)
  void (*load)(void* member, const Row& row, int col, const struct FieldInfo& f);
  void (*bind)(const void* member, Binder& b, int idx);
  Value (*get)(const void* member);
  void (*set)(void* member, const Value& v, const struct FieldInfo& f);
  bool (*is_null)(const void* member);
  // The member's text without copying, for std::string members (else null).
  const std::string* (*text)(const void* member);
  SerialOp serial_op;
  // Writes the member as one JSON value (null for an empty optional).
  void (*write_json)(const void* member, JsonWriter& w);
  // The same as one MessagePack value.
  void (*write_msgpack)(const void* member, MsgPackWriter& w);
  // What serializers read into the member, and how: the member type's own
  // value (a user type with FieldType<M>::wire, e.g. the plain text of an
  // Encrypted), else the stored kind through `set`.
  FieldKind wire_kind;
  void (*set_wire)(void* member, const Value& v, const struct FieldInfo& f);
};

struct FieldInfo {
  std::string name;    // the C++ member name, used in filters and values()
  std::string column;  // the database column (db_column, or name)
  std::size_t offset = 0;
  const FieldCodec* codec = nullptr;
  FieldKind kind = FieldKind::Integer;

  bool primary_key = false;
  bool auto_increment = false;  // integer primary key filled by the database
  bool null = false;
  bool unique = false;
  bool index = false;
  bool auto_now = false;
  bool auto_now_add = false;
  int max_length = 0;  // String: characters
  int max_digits = 0;  // Decimal
  int decimal_places = 0;
  std::optional<Value> default_value;
  Value (*default_factory)() = nullptr;
  std::vector<std::pair<Value, std::string>> choices;  // value, label
  // A ForeignKey / OneToOne member: the relation its key column belongs to
  // (shared with ModelInfo::relations).
  std::shared_ptr<RelationInfo> relation;

  void* member(void* obj) const { return static_cast<char*>(obj) + offset; }
  const void* member(const void* obj) const { return static_cast<const char*>(obj) + offset; }
  Value get(const void* obj) const { return codec->get(member(obj)); }
  void set(void* obj, const Value& v) const { codec->set(member(obj), v, *this); }
};

// ---- field options, applied in a model's meta ----
namespace option {
struct PrimaryKey { void apply(FieldInfo& f) const; };
struct Null { void apply(FieldInfo& f) const { f.null = true; } };
struct Unique { void apply(FieldInfo& f) const { f.unique = true; } };
struct Index { void apply(FieldInfo& f) const { f.index = true; } };
struct AutoNow { void apply(FieldInfo& f) const { f.auto_now = true; } };
struct AutoNowAdd { void apply(FieldInfo& f) const { f.auto_now_add = true; } };
struct MaxLength { int n; void apply(FieldInfo& f) const; };
struct DecimalSpec { int max_digits, places; void apply(FieldInfo& f) const; };
struct DbColumn { std::string name; void apply(FieldInfo& f) const { f.column = name; } };
struct Default { Value v; void apply(FieldInfo& f) const { f.default_value = v; } };
struct DefaultFactory { Value (*fn)(); void apply(FieldInfo& f) const { f.default_factory = fn; } };
struct Choices { std::vector<std::pair<Value, std::string>> c; void apply(FieldInfo& f) const { f.choices = c; } };
}  // namespace option

// Integer primary key: filled by the database on insert. UUID primary key:
// filled with Uuid::v4() on insert when nil.
inline option::PrimaryKey primary_key() { return {}; }
inline option::Null null() { return {}; }
inline option::Unique unique() { return {}; }
inline option::Index index() { return {}; }
inline option::AutoNow auto_now() { return {}; }
inline option::AutoNowAdd auto_now_add() { return {}; }
// Makes a std::string member a String (VARCHAR(n)) instead of Text; longer
// values raise DataError before anything is sent.
inline option::MaxLength max_length(int n) { return {n}; }
inline option::DecimalSpec decimal(int max_digits, int decimal_places) { return {max_digits, decimal_places}; }
inline option::DbColumn db_column(std::string name) { return {std::move(name)}; }
inline option::Default default_value(Value v) { return {std::move(v)}; }
// On insert, fills a member that still holds its initializer's value (a nil
// UUID, an epoch DateTime, nullopt); a member set to anything else is kept.
inline option::DefaultFactory default_factory(Value (*fn)()) { return {fn}; }
inline option::Choices choices(std::vector<std::pair<Value, std::string>> c) { return {std::move(c)}; }
inline option::Choices choices(std::initializer_list<Value> values) {
  option::Choices c;
  for (const auto& v : values) c.c.emplace_back(v, v.is<std::string>() ? v.as_string() : v.to_string());
  return c;
}

}  // namespace covet
