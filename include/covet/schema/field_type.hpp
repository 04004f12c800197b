#pragma once
// FieldType<T>: the customization point for member types of your own. A
// specialization says which built-in type stores T and how to convert
// both ways; T then works as a model member (save, load, filters, values()),
// stored in a column of that type's kind.
//
//   struct Cents { int64_t value = 0; };
//   template <>
//   struct covet::FieldType<Cents> {
//     using storage = int64_t;                       // a BigInteger column
//     static int64_t to_db(const Cents& c) { return c.value; }
//     static Cents from_db(int64_t v) { return Cents{v}; }
//   };
//
// storage is one of int32_t, int64_t, double, bool, std::string, Decimal,
// Date, DateTime, Uuid, Json or Bytes. from_db may throw InvalidArgument
// for stored data it refuses (read as a DataError naming the field).
namespace covet {

template <class T>
struct FieldType;  // not defined: T is not a user field type

}  // namespace covet
