#pragma once
// Calendar values. Date is a day in the proleptic Gregorian calendar;
// DateTime is an instant in UTC with microsecond precision. Both are small
// values (one integer), cheap to copy, totally ordered, and thread-safe.
// Both hold years 1 to 9999 only (what every backend and ISO 8601 text can
// hold): anything that would leave that range throws InvalidArgument, so an
// out-of-range value is refused before it is written anywhere.
//
//   DateTime week_ago = DateTime::now() - std::chrono::days(7);
//   if (u.created_at < std::chrono::system_clock::now()) ...
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace covet {

namespace detail {
// Whether `d` is within ±limit units of To, checked in long double so that no
// integer conversion can overflow first (false for NaN).
template <class To, class Rep, class Period>
constexpr bool duration_fits(std::chrono::duration<Rep, Period> d, long double limit) {
  long double x = std::chrono::duration_cast<std::chrono::duration<long double, typename To::period>>(d).count();
  return x >= -limit && x <= limit;
}
[[noreturn]] void throw_duration_out_of_range();
}  // namespace detail

class Date {
 public:
  constexpr Date() = default;  // 1970-01-01
  // Throws InvalidArgument for an impossible date (2023-02-29).
  Date(int year, unsigned month, unsigned day);
  // Days since 1970-01-01; InvalidArgument outside 0001-01-01..9999-12-31.
  static constexpr Date from_days(int32_t days_since_epoch) {
    if (days_since_epoch < kMinDays || days_since_epoch > kMaxDays) out_of_range(days_since_epoch);
    return Date(days_since_epoch, Raw{});
  }
  static constexpr int32_t kMinDays = -719162;  // 0001-01-01
  static constexpr int32_t kMaxDays = 2932896;  // 9999-12-31
  // Accepts "YYYY-MM-DD"; throws InvalidArgument otherwise.
  static Date parse(std::string_view text);
  static Date today();

  constexpr int32_t days_since_epoch() const { return days_; }
  int year() const;
  unsigned month() const;
  unsigned day() const;
  std::string to_string() const;  // "YYYY-MM-DD"

  friend constexpr auto operator<=>(Date, Date) = default;

  // Date ± whole days (std::chrono::days, weeks, ...).
  template <class Rep, class Period>
  friend Date operator+(Date d, std::chrono::duration<Rep, Period> n) {
    if (!detail::duration_fits<std::chrono::days>(n, kMaxDays - kMinDays)) detail::throw_duration_out_of_range();
    return d.plus_days(std::chrono::duration_cast<std::chrono::days>(n).count());
  }
  template <class Rep, class Period>
  friend Date operator-(Date d, std::chrono::duration<Rep, Period> n) {
    if (!detail::duration_fits<std::chrono::days>(n, kMaxDays - kMinDays)) detail::throw_duration_out_of_range();
    return d.plus_days(-static_cast<int64_t>(std::chrono::duration_cast<std::chrono::days>(n).count()));
  }
  friend std::chrono::days operator-(Date a, Date b) { return std::chrono::days(a.days_ - b.days_); }
  Date plus_days(int64_t n) const;

 private:
  struct Raw {};
  [[noreturn]] static void out_of_range(int64_t days);
  constexpr Date(int32_t days, Raw) : days_(days) {}
  int32_t days_ = 0;
};

class DateTime {
 public:
  constexpr DateTime() = default;  // 1970-01-01 00:00:00 UTC
  DateTime(int year, unsigned month, unsigned day, unsigned hour = 0, unsigned minute = 0,
           unsigned second = 0, unsigned microsecond = 0);
  // Microseconds since the Unix epoch; InvalidArgument outside years 1-9999.
  static constexpr DateTime from_unix_micros(int64_t us) {
    if (us < kMinMicros || us > kMaxMicros) out_of_range(us);
    return DateTime(us, Raw{});
  }
  static constexpr int64_t kMinMicros = int64_t{Date::kMinDays} * 86'400'000'000LL;
  static constexpr int64_t kMaxMicros = (int64_t{Date::kMaxDays} + 1) * 86'400'000'000LL - 1;
  // From a std::chrono time point (system_clock is UTC); finer precision is truncated.
  template <class Duration>
  static DateTime from_time_point(std::chrono::sys_time<Duration> t) {
    if (!detail::duration_fits<std::chrono::microseconds>(t.time_since_epoch(), kMaxMicros - kMinMicros))
      detail::throw_duration_out_of_range();
    return from_unix_micros(std::chrono::floor<std::chrono::microseconds>(t).time_since_epoch().count());
  }
  template <class Duration>
  DateTime(std::chrono::sys_time<Duration> t) : DateTime(from_time_point(t)) {}
  std::chrono::sys_time<std::chrono::microseconds> time_point() const {
    return std::chrono::sys_time<std::chrono::microseconds>(std::chrono::microseconds(us_));
  }
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
  friend constexpr bool operator==(DateTime, DateTime) = default;
  // Exact comparison with a time point of any integer precision: neither
  // side is converted to a unit in which it could overflow (nanosecond
  // time points only reach years 1678-2262).
  template <class Duration>
    requires(!std::chrono::treat_as_floating_point_v<typename Duration::rep>)
  friend std::strong_ordering operator<=>(DateTime a, std::chrono::sys_time<Duration> b) {
    namespace chr = std::chrono;
    const Duration e = b.time_since_epoch();
    if constexpr (std::ratio_less_equal_v<typename Duration::period, std::micro>) {
      const chr::microseconds bf = chr::floor<chr::microseconds>(e);  // finer: flooring shrinks it
      if (auto c = a.us_ <=> bf.count(); c != 0) return c;
      return e - bf > Duration::zero() ? std::strong_ordering::less : std::strong_ordering::equal;
    } else {
      const chr::microseconds am(a.us_);
      const Duration af = chr::floor<Duration>(am);  // coarser: floor the DateTime instead
      if (auto c = af.count() <=> e.count(); c != 0) return c;
      return am - af > chr::microseconds::zero() ? std::strong_ordering::greater : std::strong_ordering::equal;
    }
  }
  template <class Duration>
    requires(!std::chrono::treat_as_floating_point_v<typename Duration::rep>)
  friend bool operator==(DateTime a, std::chrono::sys_time<Duration> b) {
    return (a <=> b) == 0;
  }

  // DateTime ± any std::chrono duration (truncated to microseconds); a
  // duration or result outside years 1-9999 throws InvalidArgument.
  template <class Rep, class Period>
  friend DateTime operator+(DateTime t, std::chrono::duration<Rep, Period> d) {
    return t.plus_micros(micros_of(d));
  }
  template <class Rep, class Period>
  friend DateTime operator-(DateTime t, std::chrono::duration<Rep, Period> d) {
    return t.minus_micros(micros_of(d));
  }
  template <class Rep, class Period>
  DateTime& operator+=(std::chrono::duration<Rep, Period> d) { return *this = *this + d; }
  template <class Rep, class Period>
  DateTime& operator-=(std::chrono::duration<Rep, Period> d) { return *this = *this - d; }
  friend std::chrono::microseconds operator-(DateTime a, DateTime b) { return std::chrono::microseconds(a.us_ - b.us_); }
  // Checked: InvalidArgument when the result leaves years 1-9999.
  DateTime plus_micros(int64_t us) const;
  DateTime minus_micros(int64_t us) const;

 private:
  template <class Rep, class Period>
  static int64_t micros_of(std::chrono::duration<Rep, Period> d) {
    if (!detail::duration_fits<std::chrono::microseconds>(d, kMaxMicros - kMinMicros)) detail::throw_duration_out_of_range();
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  }
  struct Raw {};
  [[noreturn]] static void out_of_range(int64_t us);
  constexpr DateTime(int64_t us, Raw) : us_(us) {}
  int64_t us_ = 0;
};

}  // namespace covet
