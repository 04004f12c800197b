#pragma once
// Calendar values. Date is a day in the proleptic Gregorian calendar;
// DateTime is an instant in UTC with microsecond precision. Both are small
// values (one integer), cheap to copy, totally ordered, and thread-safe.
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace covet {

class Date {
 public:
  constexpr Date() = default;  // 1970-01-01
  // Throws InvalidArgument for an impossible date (2023-02-29).
  Date(int year, unsigned month, unsigned day);
  static constexpr Date from_days(int32_t days_since_epoch) { return Date(days_since_epoch, Raw{}); }
  // Accepts "YYYY-MM-DD"; throws InvalidArgument otherwise.
  static Date parse(std::string_view text);
  static Date today();

  constexpr int32_t days_since_epoch() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  std::string to_string() const;  // "YYYY-MM-DD"

  friend constexpr auto operator<=>(Date, Date) = default;

 private:
  struct Raw {};
  constexpr Date(int32_t days, Raw) : days_(days) {}
  int32_t days_ = 0;
};

class DateTime {
 public:
  constexpr DateTime() = default;  // 1970-01-01 00:00:00 UTC
  DateTime(int year, unsigned month, unsigned day, unsigned hour = 0, unsigned minute = 0,
           unsigned second = 0, unsigned microsecond = 0);
  static constexpr DateTime from_unix_micros(int64_t us) { return DateTime(us, Raw{}); }
  static DateTime now();
  // Accepts "YYYY-MM-DD[ T]HH:MM[:SS[.ffffff]][Z|+HH:MM|-HH:MM]" and "YYYY-MM-DD";
  // an offset is converted to UTC. Throws InvalidArgument otherwise.
  static DateTime parse(std::string_view text);

  constexpr int64_t unix_micros() const { return us_; }
  Date date() const;
  int year() const { return date().year(); }
  unsigned month() const { return date().month(); }
  unsigned day() const { return date().day(); }
  unsigned hour() const;
  unsigned minute() const;
  unsigned second() const;
  unsigned microsecond() const;

  // "YYYY-MM-DD HH:MM:SS" with ".ffffff" only when microseconds are non-zero:
  // the storage form, which sorts as text in time order.
  std::string to_string() const;
  // RFC 3339: "YYYY-MM-DDTHH:MM:SS.ffffffZ".
  std::string to_iso() const;
  // Appends to_string() to out without allocating a temporary.
  void append_to(std::string& out) const;
  // Writes to_string() into buf (no allocation); returns its length.
  std::size_t format(char (&buf)[26]) const;

  friend constexpr auto operator<=>(DateTime, DateTime) = default;

 private:
  struct Raw {};
  constexpr DateTime(int64_t us, Raw) : us_(us) {}
  int64_t us_ = 0;
};

}  // namespace covet
