#pragma once
// The two narrow interfaces between typed C++ members and a database driver:
// Row reads one column of the current result row, Binder sets one statement
// parameter. Drivers implement both in src/db/<backend>/; field codecs
// (schema/field_codec.hpp) call them, so hydration and binding go straight
// between struct members and the driver with no Value in between.
#include <cstdint>
#include <string_view>

#include "covet/core/value.hpp"

namespace covet {

class Row;

// How one member is loaded from one result column: the hydrator's plan for
// a row, which the driver carries out in one call (Row::load), so per-column
// work is a switch on `op` with the driver's reads inlined, not a virtual
// call. Built once per model (and per partial column list).
struct MemberLoad {
  enum class Op : uint8_t {
    Generic,  // anything else: calls `generic`
    Int64, Int32, Double, Bool, Text,
    OptInt64, OptInt32, OptDouble, OptBool, OptText,
    // Loaded inline by drivers whose storage form they can read cheaply
    // (SQLite's text, PostgreSQL's binary timestamp), else as Generic;
    // bound as Generic.
    DateTime, OptDateTime,
  };
  Op op = Op::Generic;
  uint32_t offset = 0;  // of the member in the object
  int field = 0;        // the field's index in its model
  // For Generic, and to report a NULL into a required member or an
  // out-of-range value; `context` is what the caller passed to Row::load.
  void (*generic)(void* member, const Row& row, int col, const void* context, int field) = nullptr;
  void (*fail)(const void* context, int field, int64_t value, bool null) = nullptr;
};

// How one member is bound to one statement parameter: the binder's plan
// for an INSERT/UPDATE, carried out in one call (Binder::bind_members).
struct MemberBind {
  MemberLoad::Op op = MemberLoad::Op::Generic;
  uint32_t offset = 0;
  int field = 0;
  void (*generic)(const void* member, class Binder& b, int idx, const void* context, int field) = nullptr;
};

// Where a whole result is loaded (Statement::load_rows): `next` returns
// the object the next row loads into (a vector's emplace_back); the driver
// records it in `last`, so an error can say which object it was.
struct ObjectSink {
  void* (*next)(void* state, const Row& row) = nullptr;
  void* state = nullptr;
  void* last = nullptr;
  // The most rows the result can have (the query's LIMIT): a driver that
  // steps through rows stops after that many instead of stepping once more
  // to learn that the result has ended.
  int64_t max_rows = INT64_MAX;
};

class Row {
 public:
  virtual ~Row() = default;
  // How many rows the whole result has, when the driver already holds it
  // (PostgreSQL outside a cursor); -1 when unknown. all() reserves with it.
  virtual int64_t result_size() const { return -1; }
  virtual int column_count() const = 0;
  virtual std::string_view column_name(int col) const = 0;
  virtual bool is_null(int col) const = 0;
  // A NULL cell reads as 0, 0.0, empty text (and false from get_bool),
  // never as whatever bytes a driver keeps for it: is_null() tells it
  // from a stored zero.
  virtual int64_t get_int(int col) const = 0;
  virtual double get_double(int col) const = 0;
  // Valid until the row advances.
  virtual std::string_view get_text(int col) const = 0;
  virtual std::string_view get_blob(int col) const = 0;
  // The column as whatever type the backend reports.
  virtual Value get_value(int col) const = 0;

  // Semantic types, in whatever storage form the backend uses (SQLite's
  // text forms live in its driver, PostgreSQL's binary ones in its own):
  // the core knows none of them.
  virtual bool get_bool(int col) const = 0;
  virtual Date get_date(int col) const = 0;
  virtual DateTime get_datetime(int col) const = 0;
  virtual Uuid get_uuid(int col) const = 0;
  virtual Decimal get_decimal(int col, int decimal_places) const = 0;
  virtual Json get_json(int col) const = 0;
  virtual Array get_array(int col) const = 0;

  // A DateTime cell written as RFC 3339 in UTC with microseconds
  // ("YYYY-MM-DDTHH:MM:SS.ffffffZ", 27 bytes at `out`), for output that
  // goes straight from rows to text. False when the driver cannot do it
  // cheaply (NULL, a form it would have to convert first): the caller then
  // reads the cell the general way. The default always returns false.
  virtual bool datetime_text(int col, char* out) const;

  // Loads columns 0..n-1 into the members `loads` describes (column i into
  // loads[i]). The default calls each member's generic loader; drivers
  // override it with the switch inlined over their own cell reads.
  virtual void load(const MemberLoad* loads, std::size_t n, void* obj, const void* context) const;
  // The same from column `first` on (column first + i into loads[i]): a
  // select_related object after the query's own columns.
  virtual void load_at(const MemberLoad* loads, std::size_t n, int first, void* obj, const void* context) const;
};

// Sets statement parameters. Each call says the value's kind and width
// (bind_int32 vs bind_int for 64 bits), so a binary-protocol driver can
// encode it; how each is stored is the driver's business.
class Binder {
 public:
  virtual ~Binder() = default;
  virtual void bind_null(int idx) = 0;
  virtual void bind_int(int idx, int64_t v) = 0;  // 64-bit
  virtual void bind_int32(int idx, int32_t v) = 0;
  virtual void bind_double(int idx, double v) = 0;
  // The bytes must stay alive until the statement has run (no copy is made).
  virtual void bind_text(int idx, std::string_view v) = 0;
  virtual void bind_blob(int idx, std::string_view v) = 0;
  // Binds a value the binder must copy (a temporary's text or bytes).
  virtual void bind_text_copy(int idx, std::string_view v) = 0;
  virtual void bind_blob_copy(int idx, std::string_view v) = 0;

  virtual void bind_bool(int idx, bool v) = 0;
  virtual void bind_date(int idx, const Date& v) = 0;
  virtual void bind_datetime(int idx, const DateTime& v) = 0;
  virtual void bind_uuid(int idx, const Uuid& v) = 0;
  virtual void bind_decimal(int idx, const Decimal& v) = 0;
  virtual void bind_json(int idx, const Json& v) = 0;
  virtual void bind_array(int idx, const Array& v) = 0;
  // Dispatches on the Value's type.
  void bind(int idx, const Value& v);
  // Binds members to parameters first, first+1, ...: the default calls
  // each member's generic binder; drivers override it with the switch on
  // `op` inlined over their own bind calls.
  virtual void bind_members(const MemberBind* binds, std::size_t n, const void* obj, int first, const void* context);
  // Binds values to parameters 1..n (a compiled query's): the default calls
  // bind() for each; drivers override it with the common types inlined.
  virtual void bind_values(const Value* values, std::size_t n);
};

}  // namespace covet
