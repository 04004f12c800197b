#pragma once
// Decimal integers, dates, RFC 3339 times and ASCII text written straight
// into a caller's buffer: what the serializers' inline output loops (serializer.cpp
// and the typed output in serializer.hpp) and the drivers' text forms
// share. No allocation, no bounds checks: callers reserve the sizes given
// here.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace covet::detail {

inline constexpr char kTwoDigits[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline char* put2(char* p, unsigned v) {
  std::memcpy(p, kTwoDigits + 2 * v, 2);
  return p + 2;
}

// Decimal digits of v: the common small numbers (keys, counts) from the
// two-digit table, larger ones through std::to_chars.
inline char* write_uint(char* p, uint64_t v) {
  if (v < 100) {
    if (v < 10) {
      *p = static_cast<char>('0' + v);
      return p + 1;
    }
    return put2(p, static_cast<unsigned>(v));
  }
  if (v < 10000) {
    const auto hi = static_cast<unsigned>(v) / 100, lo = static_cast<unsigned>(v) % 100;
    if (hi < 10) *p++ = static_cast<char>('0' + hi);
    else p = put2(p, hi);
    return put2(p, lo);
  }
  return std::to_chars(p, p + 20, v).ptr;
}
inline char* write_int(char* p, int64_t v) {
  auto u = static_cast<uint64_t>(v);
  if (v < 0) *p++ = '-', u = 0 - u;
  return write_uint(p, u);
}

struct CivilDate {
  uint32_t year, month, day;
};
// Days since 1970-01-01 to the proleptic Gregorian date, for years 1-9999:
// Neri and Schneider's Euclidean affine form ("Euclidean affine functions
// and their application to calendar algorithms", 2022), in 32-bit
// arithmetic with multiplications and shifts only, shifted by 82 400-year
// cycles so every covet date is a positive day number.
inline CivilDate civil_from_days(int32_t days) {
  constexpr uint32_t kCycles = 82, kShift = 719468 + 146097 * kCycles, kYears = 400 * kCycles;
  const uint32_t n = static_cast<uint32_t>(days) + kShift;
  const uint32_t n1 = 4 * n + 3;
  const uint32_t century = n1 / 146097;
  const uint32_t n2 = n1 % 146097 | 3;
  const uint64_t p2 = uint64_t{2939745} * n2;
  const auto year_of_century = static_cast<uint32_t>(p2 >> 32);
  const uint32_t day_of_year = static_cast<uint32_t>(p2) / 2939745 / 4;  // from March 1
  const uint32_t n3 = 2141 * day_of_year + 197913;
  const uint32_t month = n3 >> 16, day = (n3 & 0xFFFF) / 2141 + 1;
  const uint32_t january = day_of_year >= 306;  // January and February count in the next year
  return {100 * century + year_of_century - kYears + january, january ? month - 12 : month, day};
}

// "YYYY-MM-DD" (years 1-9999, as covet's Date holds).
inline char* write_date(char* p, int32_t days) {
  CivilDate c = civil_from_days(days);
  p = put2(p, c.year / 100);
  p = put2(p, c.year % 100);
  *p++ = '-';
  p = put2(p, c.month);
  *p++ = '-';
  return put2(p, c.day);
}

inline constexpr std::size_t kRfc3339Size = 27;  // YYYY-MM-DDTHH:MM:SS.ffffffZ
inline char* write_rfc3339(char* p, int64_t unix_micros) {
  constexpr int64_t kDay = 86'400'000'000LL;
  int64_t days = unix_micros / kDay, tod = unix_micros % kDay;
  if (tod < 0) tod += kDay, --days;
  p = write_date(p, static_cast<int32_t>(days));
  // Below 2^37: split into seconds and microseconds in 64 bits, then 32.
  const auto secs = static_cast<uint32_t>(static_cast<uint64_t>(tod) / 1'000'000);
  const auto frac = static_cast<uint32_t>(static_cast<uint64_t>(tod) - uint64_t{secs} * 1'000'000);
  *p++ = 'T';
  p = put2(p, secs / 3600);
  *p++ = ':';
  p = put2(p, secs / 60 % 60);
  *p++ = ':';
  p = put2(p, secs % 60);
  *p++ = '.';
  p = put2(p, frac / 10000);
  p = put2(p, frac / 100 % 100);
  p = put2(p, frac % 100);
  *p++ = 'Z';
  return p;
}

// Copies n bytes of text to dst when all are ASCII (true), in the same
// loads that check them: overlapping words for short text, 16-byte blocks
// for longer (the last overlapping the one before), so no byte past either
// end is touched. False (dst holding part of a copy) at the first other byte.
inline bool copy_ascii(char* dst, const char* src, std::size_t n) {
  constexpr uint64_t high = 0x8080808080808080ull;
  if (n <= 16) {
    if (n >= 8) {
      uint64_t a, b;
      std::memcpy(&a, src, 8), std::memcpy(&b, src + n - 8, 8);
      if ((a | b) & high) return false;
      std::memcpy(dst, &a, 8), std::memcpy(dst + n - 8, &b, 8);
    } else if (n >= 4) {
      uint32_t a, b;
      std::memcpy(&a, src, 4), std::memcpy(&b, src + n - 4, 4);
      if ((a | b) & 0x80808080u) return false;
      std::memcpy(dst, &a, 4), std::memcpy(dst + n - 4, &b, 4);
    } else {
      for (std::size_t i = 0; i < n; ++i) {
        if (static_cast<unsigned char>(src[i]) >= 0x80) return false;
        dst[i] = src[i];
      }
    }
    return true;
  }
  for (std::size_t i = 0;; i += 16) {
    if (i + 16 > n) i = n - 16;
    uint64_t a, b;
    std::memcpy(&a, src + i, 8), std::memcpy(&b, src + i + 8, 8);
    if ((a | b) & high) return false;
    std::memcpy(dst + i, &a, 8), std::memcpy(dst + i + 8, &b, 8);
    if (i + 16 == n) return true;
  }
}

}  // namespace covet::detail
