#include "covet/core/date_time.hpp"
#include "serial/text_format.hpp"

#include <chrono>
#include <cstdio>

#include "covet/core/error.hpp"

namespace covet {
namespace chr = std::chrono;

namespace {
constexpr int64_t kMicrosPerDay = 86'400'000'000LL;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

chr::year_month_day ymd_of(int32_t days) { return chr::year_month_day{chr::sys_days{chr::days{days}}}; }

// Parses exactly n digits at text[pos]; returns -1 on failure.
int digits(std::string_view text, size_t pos, size_t n) {
  if (pos + n > text.size()) return -1;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = text[pos + i];
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

[[noreturn]] void bad(std::string_view what, std::string_view text) {
  throw InvalidArgument("invalid " + std::string(what) + " '" + std::string(text) + "'");
}

int32_t checked_days(int y, unsigned m, unsigned d, std::string_view text) {
  chr::year_month_day ymd{chr::year{y}, chr::month{m}, chr::day{d}};
  if (!ymd.ok() || y < 1 || y > 9999) bad("date", text);
  return static_cast<int32_t>(chr::sys_days{ymd}.time_since_epoch().count());
}

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}
void put4(char* p, int v) {
  p[0] = static_cast<char>('0' + v / 1000 % 10);
  p[1] = static_cast<char>('0' + v / 100 % 10);
  p[2] = static_cast<char>('0' + v / 10 % 10);
  p[3] = static_cast<char>('0' + v % 10);
}
}  // namespace

Date::Date(int year, unsigned month, unsigned day) {
  days_ = checked_days(year, month, day, std::to_string(year) + "-" + std::to_string(month) + "-" + std::to_string(day));
}

Date Date::parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') bad("date", text);
  int y = digits(text, 0, 4), m = digits(text, 5, 2), d = digits(text, 8, 2);
  if (y < 0 || m < 0 || d < 0) bad("date", text);
  return from_days(checked_days(y, static_cast<unsigned>(m), static_cast<unsigned>(d), text));
}

void Date::out_of_range(int64_t days) {
  throw InvalidArgument("date out of range: " + std::to_string(days) +
                        " days from 1970-01-01 is outside years 1-9999");
}

void detail::throw_duration_out_of_range() {
  throw InvalidArgument("duration out of range: date and time arithmetic stays within years 1-9999");
}

Date Date::plus_days(int64_t n) const {
  if (n > int64_t{kMaxDays} - kMinDays || n < int64_t{kMinDays} - kMaxDays)
    throw InvalidArgument("date arithmetic leaves years 1-9999: " + to_string() + " + " + std::to_string(n) + " days");
  int64_t d = int64_t{days_} + n;
  if (d < kMinDays || d > kMaxDays)
    throw InvalidArgument("date arithmetic leaves years 1-9999: " + to_string() + " + " + std::to_string(n) + " days");
  return Date(static_cast<int32_t>(d), Raw{});
}

void DateTime::out_of_range(int64_t us) {
  throw InvalidArgument("datetime out of range: " + std::to_string(us) +
                        " microseconds from the Unix epoch is outside years 1-9999 (UTC)");
}

DateTime DateTime::plus_micros(int64_t us) const {
  int64_t r = 0;
  if (__builtin_add_overflow(us_, us, &r) || r < kMinMicros || r > kMaxMicros)
    throw InvalidArgument("datetime arithmetic leaves years 1-9999: " + to_iso() + " + " + std::to_string(us) + " us");
  return DateTime(r, Raw{});
}

DateTime DateTime::minus_micros(int64_t us) const {
  if (us == INT64_MIN) out_of_range(us);
  return plus_micros(-us);
}

Date Date::today() { return DateTime::now().date(); }

int Date::year() const { return static_cast<int>(ymd_of(days_).year()); }
unsigned Date::month() const { return static_cast<unsigned>(ymd_of(days_).month()); }
unsigned Date::day() const { return static_cast<unsigned>(ymd_of(days_).day()); }

std::string Date::to_string() const {
  auto ymd = ymd_of(days_);
  char buf[10];
  put4(buf, static_cast<int>(ymd.year()));
  buf[4] = '-';
  put2(buf + 5, static_cast<unsigned>(ymd.month()));
  buf[7] = '-';
  put2(buf + 8, static_cast<unsigned>(ymd.day()));
  return std::string(buf, 10);
}

DateTime::DateTime(int year, unsigned month, unsigned day, unsigned hour, unsigned minute, unsigned second,
                   unsigned microsecond) {
  if (hour > 23 || minute > 59 || second > 59 || microsecond > 999'999)
    throw InvalidArgument("invalid time of day " + std::to_string(hour) + ":" + std::to_string(minute) + ":" +
                          std::to_string(second) + "." + std::to_string(microsecond));
  int64_t days = Date(year, month, day).days_since_epoch();
  us_ = days * kMicrosPerDay + ((hour * 60LL + minute) * 60LL + second) * 1'000'000LL + microsecond;
}

DateTime DateTime::now() {
  auto t = chr::time_point_cast<chr::microseconds>(chr::system_clock::now());
  return from_unix_micros(t.time_since_epoch().count());
}

DateTime DateTime::parse(std::string_view text) {
  // The storage form and RFC 3339 in UTC (what covet itself writes): no chrono, no calls.
  if (int64_t us; detail::parse_datetime_fast(text, us)) return from_unix_micros(us);
  if (text.size() < 10) bad("datetime", text);
  Date d = Date::parse(text.substr(0, 10));
  int64_t us = int64_t{d.days_since_epoch()} * kMicrosPerDay;
  if (text.size() == 10) return from_unix_micros(us);
  if (text[10] != ' ' && text[10] != 'T' && text[10] != 't') bad("datetime", text);
  int hh = digits(text, 11, 2), mm = -1, ss = 0;
  size_t pos = 13;
  if (pos < text.size() && text[pos] == ':') mm = digits(text, 14, 2), pos = 16;
  if (hh < 0 || mm < 0 || hh > 23 || mm > 59) bad("datetime", text);
  int64_t frac = 0;
  if (pos < text.size() && text[pos] == ':') {
    ss = digits(text, pos + 1, 2);
    if (ss < 0 || ss > 59) bad("datetime", text);
    pos += 3;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      int n = 0;
      while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        if (n < 6) frac = frac * 10 + (text[pos] - '0');
        ++n, ++pos;
      }
      if (n == 0) bad("datetime", text);
      for (; n < 6; ++n) frac *= 10;
    }
  }
  us += ((hh * 60LL + mm) * 60LL + ss) * 1'000'000LL + frac;
  if (pos < text.size()) {
    char z = text[pos];
    if ((z == 'Z' || z == 'z') && pos + 1 == text.size()) return from_unix_micros(us);
    if (z != '+' && z != '-') bad("datetime", text);
    int oh = digits(text, pos + 1, 2), om = 0;
    size_t end = pos + 3;
    if (end < text.size() && text[end] == ':') om = digits(text, end + 1, 2), end += 3;
    else if (end + 2 == text.size()) om = digits(text, end, 2), end += 2;
    if (oh < 0 || om < 0 || oh > 23 || om > 59 || end != text.size()) bad("datetime", text);
    int64_t off = (oh * 60LL + om) * 60'000'000LL;
    us += (z == '+') ? -off : off;
  }
  // An offset can move a time at the edge of the range out of it
  // (0001-01-01T00:30+01:00 is year 0 in UTC).
  if (us < kMinMicros || us > kMaxMicros) bad("datetime (outside years 1-9999 in UTC)", text);
  return from_unix_micros(us);
}

Date DateTime::date() const { return Date::from_days(static_cast<int32_t>(floor_div(us_, kMicrosPerDay))); }

namespace {
int64_t micros_of_day(int64_t us) { return us - floor_div(us, kMicrosPerDay) * kMicrosPerDay; }
}  // namespace

unsigned DateTime::hour() const { return static_cast<unsigned>(micros_of_day(us_) / 3'600'000'000LL); }
unsigned DateTime::minute() const { return static_cast<unsigned>(micros_of_day(us_) / 60'000'000LL % 60); }
unsigned DateTime::second() const { return static_cast<unsigned>(micros_of_day(us_) / 1'000'000LL % 60); }
unsigned DateTime::microsecond() const { return static_cast<unsigned>(micros_of_day(us_) % 1'000'000LL); }

std::size_t DateTime::format(char (&buf)[26]) const {
  auto ymd = ymd_of(static_cast<int32_t>(floor_div(us_, kMicrosPerDay)));
  int64_t t = micros_of_day(us_);
  unsigned frac = static_cast<unsigned>(t % 1'000'000);
  unsigned secs = static_cast<unsigned>(t / 1'000'000);
  put4(buf, static_cast<int>(ymd.year()));
  buf[4] = '-';
  put2(buf + 5, static_cast<unsigned>(ymd.month()));
  buf[7] = '-';
  put2(buf + 8, static_cast<unsigned>(ymd.day()));
  buf[10] = ' ';
  put2(buf + 11, secs / 3600);
  buf[13] = ':';
  put2(buf + 14, secs / 60 % 60);
  buf[16] = ':';
  put2(buf + 17, secs % 60);
  size_t n = 19;
  if (frac != 0) {
    buf[19] = '.';
    for (int i = 25; i >= 20; --i) buf[i] = static_cast<char>('0' + frac % 10), frac /= 10;
    n = 26;
  }
  return n;
}

void DateTime::append_to(std::string& out) const {
  char buf[26];
  out.append(buf, format(buf));
}

std::string DateTime::to_string() const {
  std::string s;
  s.reserve(26);
  append_to(s);
  return s;
}

std::string DateTime::to_iso() const {
  std::string s = to_string();
  s[10] = 'T';
  if (s.size() == 19) s += ".000000";
  s += 'Z';
  return s;
}

}  // namespace covet
