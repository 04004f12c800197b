#include "covet/core/value.hpp"

#include <fmt/format.h>

#include <cmath>

#include "covet/core/error.hpp"

namespace covet {

namespace {
[[noreturn]] void mismatch(Value::Type want, Value::Type have) {
  throw InvalidArgument(fmt::format("expected a {} value, got {}", Value::type_name(want), Value::type_name(have)));
}
}  // namespace

void Value::throw_out_of_range() { throw InvalidArgument("unsigned value does not fit a 64-bit signed integer"); }

std::string_view Value::type_name(Type t) {
  static constexpr std::string_view names[] = {"null", "bool", "integer", "float", "string", "bytes",
                                               "decimal", "date", "datetime", "uuid", "json", "array"};
  return names[static_cast<size_t>(t)];
}

bool Value::as_bool() const {
  if (auto* p = std::get_if<bool>(&v_)) return *p;
  if (auto* p = std::get_if<int64_t>(&v_); p && (*p == 0 || *p == 1)) return *p == 1;
  mismatch(Type::Bool, type());
}
int64_t Value::as_int() const {
  if (auto* p = std::get_if<int64_t>(&v_)) return *p;
  if (auto* p = std::get_if<bool>(&v_)) return *p;
  mismatch(Type::Int, type());
}
double Value::as_double() const {
  if (auto* p = std::get_if<double>(&v_)) return *p;
  if (auto* p = std::get_if<int64_t>(&v_)) return static_cast<double>(*p);
  if (auto* p = std::get_if<Decimal>(&v_)) return p->to_double();
  mismatch(Type::Double, type());
}
const std::string& Value::as_string() const {
  if (auto* p = std::get_if<std::string>(&v_)) return *p;
  mismatch(Type::String, type());
}
const Bytes& Value::as_bytes() const {
  if (auto* p = std::get_if<Bytes>(&v_)) return *p;
  mismatch(Type::Bytes, type());
}
Decimal Value::as_decimal() const {
  if (auto* p = std::get_if<Decimal>(&v_)) return *p;
  if (auto* p = std::get_if<int64_t>(&v_)) return Decimal(std::to_string(*p));
  if (auto* p = std::get_if<std::string>(&v_)) return Decimal(*p);
  mismatch(Type::Decimal, type());
}
Date Value::as_date() const {
  if (auto* p = std::get_if<Date>(&v_)) return *p;
  if (auto* p = std::get_if<std::string>(&v_)) return Date::parse(*p);
  mismatch(Type::Date, type());
}
DateTime Value::as_datetime() const {
  if (auto* p = std::get_if<DateTime>(&v_)) return *p;
  if (auto* p = std::get_if<std::string>(&v_)) return DateTime::parse(*p);
  if (auto* p = std::get_if<Date>(&v_)) return DateTime::from_unix_micros(int64_t{p->days_since_epoch()} * 86'400'000'000LL);
  mismatch(Type::DateTime, type());
}
Uuid Value::as_uuid() const {
  if (auto* p = std::get_if<Uuid>(&v_)) return *p;
  if (auto* p = std::get_if<std::string>(&v_)) return Uuid::parse(*p);
  mismatch(Type::Uuid, type());
}
const Json& Value::as_json() const {
  if (auto* p = std::get_if<Json>(&v_)) return *p;
  mismatch(Type::Json, type());
}
const Array& Value::as_array() const {
  if (auto* p = std::get_if<Array>(&v_)) return *p;
  mismatch(Type::Array, type());
}

std::string Value::to_string() const {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) return "NULL";
        else if constexpr (std::is_same_v<T, bool>) return v ? "true" : "false";
        else if constexpr (std::is_same_v<T, int64_t>) return std::to_string(v);
        else if constexpr (std::is_same_v<T, double>) return fmt::format("{}", v);
        else if constexpr (std::is_same_v<T, std::string>) return fmt::format("'{}'", v);
        else if constexpr (std::is_same_v<T, Bytes>) {
          std::string s = "x'";
          for (uint8_t b : v.vector()) s += fmt::format("{:02x}", b);
          return s + "'";
        } else if constexpr (std::is_same_v<T, Decimal>) return v.to_string();
        else if constexpr (std::is_same_v<T, Json>) return fmt::format("'{}'", v.text());
        else if constexpr (std::is_same_v<T, Array>) {
          std::string s = "[";
          for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i].to_string();
          return s + "]";
        } else return fmt::format("'{}'", v.to_string());
      },
      v_);
}

std::string Value::to_json() const {
  std::string out;
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) out += "null";
        else if constexpr (std::is_same_v<T, bool>) out += v ? "true" : "false";
        else if constexpr (std::is_same_v<T, int64_t>) out += std::to_string(v);
        else if constexpr (std::is_same_v<T, double>) {
          if (!std::isfinite(v)) throw InvalidArgument("JSON cannot hold NaN or infinity");
          out += fmt::format("{}", v);
        } else if constexpr (std::is_same_v<T, std::string>) append_json_string(out, v);
        else if constexpr (std::is_same_v<T, Bytes>) {
          std::string hex;
          for (uint8_t b : v.vector()) hex += fmt::format("{:02x}", b);
          append_json_string(out, hex);
        } else if constexpr (std::is_same_v<T, Decimal>) append_json_string(out, v.to_string());
        else if constexpr (std::is_same_v<T, DateTime>) append_json_string(out, v.to_iso());
        else if constexpr (std::is_same_v<T, Json>) out += v.text();
        else if constexpr (std::is_same_v<T, Array>) {
          out += '[';
          for (size_t i = 0; i < v.size(); ++i) {
            if (i) out += ',';
            out += v[i].to_json();
          }
          out += ']';
        } else append_json_string(out, v.to_string());
      },
      v_);
  return out;
}

bool operator==(const Value& a, const Value& b) {
  if (a.v_.index() == b.v_.index()) return a.v_ == b.v_;
  // Numbers compare by value across int / double.
  if ((a.is<int64_t>() || a.is<double>()) && (b.is<int64_t>() || b.is<double>())) return a.as_double() == b.as_double();
  return false;
}

std::partial_ordering operator<=>(const Value& a, const Value& b) {
  if ((a.is<int64_t>() || a.is<double>()) && (b.is<int64_t>() || b.is<double>())) {
    if (a.is<int64_t>() && b.is<int64_t>()) return a.as_int() <=> b.as_int();
    return a.as_double() <=> b.as_double();
  }
  if (a.v_.index() != b.v_.index()) return a.v_.index() <=> b.v_.index();
  return std::visit(
      [&](const auto& x) -> std::partial_ordering {
        using T = std::decay_t<decltype(x)>;
        const T& y = std::get<T>(b.v_);
        if constexpr (std::is_same_v<T, std::monostate>) return std::partial_ordering::equivalent;
        else if constexpr (std::is_same_v<T, Json>) return x.text() <=> y.text();
        else if constexpr (std::is_same_v<T, Bytes>) return x.vector() <=> y.vector();
        else if constexpr (std::is_same_v<T, Array>) {
          for (size_t i = 0; i < x.size() && i < y.size(); ++i)
            if (auto c = x[i] <=> y[i]; c != 0) return c;
          return x.size() <=> y.size();
        } else return x <=> y;
      },
      a.v_);
}

}  // namespace covet
