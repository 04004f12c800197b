#pragma once
// Value: one database value of any kind covet knows. Used where types are
// only known at run time: filter arguments, values()/values_list() rows, raw
// SQL parameters and results. Hot paths (hydration, inserts) bypass it.
#include <algorithm>
#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "covet/core/bytes.hpp"
#include "covet/core/date_time.hpp"
#include "covet/core/decimal.hpp"
#include "covet/core/json.hpp"
#include "covet/core/uuid.hpp"

namespace covet {

class Value;
using Array = std::vector<Value>;

class Value {
 public:
  enum class Type : uint8_t { Null, Bool, Int, Double, String, Bytes, Decimal, Date, DateTime, Uuid, Json, Array };

  Value() = default;
  Value(std::nullptr_t) {}
  Value(std::nullopt_t) {}
  Value(bool v) : v_(v) {}
  template <std::integral I>
    requires(!std::same_as<I, bool> && !std::same_as<I, char>)
  Value(I v) : v_(static_cast<int64_t>(v)) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) {
      if (v > static_cast<I>(INT64_MAX)) throw_out_of_range();
    }
  }
  Value(double v) : v_(v) {}
  Value(float v) : v_(static_cast<double>(v)) {}
  Value(const char* v) {
    if (v) v_ = std::string(v);  // a null pointer is NULL
  }
  Value(std::string v) : v_(std::move(v)) {}
  Value(std::string_view v) : v_(std::string(v)) {}
  Value(covet::Bytes v) : v_(std::move(v)) {}
  Value(covet::Decimal v) : v_(std::move(v)) {}
  Value(covet::Date v) : v_(v) {}
  Value(covet::DateTime v) : v_(v) {}
  template <class Duration>
  Value(std::chrono::sys_time<Duration> t) : v_(covet::DateTime::from_time_point(t)) {}
  Value(std::chrono::sys_days d) : v_(covet::Date::from_days(static_cast<int32_t>(std::clamp<int64_t>(
                                        d.time_since_epoch().count(), INT32_MIN, INT32_MAX)))) {}
  Value(covet::Uuid v) : v_(v) {}
  Value(covet::Json v) : v_(std::move(v)) {}
  Value(covet::Array v) : v_(std::move(v)) {}
  template <class T>
  Value(const std::optional<T>& v) {
    if (v) *this = Value(*v);
  }
  template <class T>
    requires(!std::same_as<T, Value> && std::constructible_from<Value, const T&>)
  Value(const std::vector<T>& v) : v_(Array(v.begin(), v.end())) {}
  Value(std::initializer_list<Value> v) : v_(Array(v)) {}

  Type type() const { return static_cast<Type>(v_.index()); }
  bool is_null() const { return v_.index() == 0; }
  template <class T>
  bool is() const { return std::holds_alternative<T>(v_); }
  // The held T, or nullptr.
  template <class T>
  const T* get_if() const { return std::get_if<T>(&v_); }

  // Typed access; throws InvalidArgument naming both types on a mismatch.
  bool as_bool() const;
  int64_t as_int() const;
  double as_double() const;  // also accepts Int
  const std::string& as_string() const;
  const covet::Bytes& as_bytes() const;
  covet::Decimal as_decimal() const;  // also accepts Int and String
  covet::Date as_date() const;          // also accepts an ISO String
  covet::DateTime as_datetime() const;  // also accepts an ISO String
  covet::Uuid as_uuid() const;          // also accepts a String
  const covet::Json& as_json() const;
  const covet::Array& as_array() const;

  // SQL-literal-like text for logs and messages ('text', 42, NULL, x'00ff').
  std::string to_string() const;
  // The JSON rendering (strings quoted, dates ISO, bytes as hex in a string).
  std::string to_json() const;
  static std::string_view type_name(Type t);

  friend bool operator==(const Value&, const Value&);
  friend std::partial_ordering operator<=>(const Value&, const Value&);

 private:
  [[noreturn]] static void throw_out_of_range();
  std::variant<std::monostate, bool, int64_t, double, std::string, covet::Bytes, covet::Decimal, covet::Date,
               covet::DateTime, covet::Uuid, covet::Json, covet::Array>
      v_;
};

}  // namespace covet
