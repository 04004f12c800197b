#pragma once
// The text forms the serializers write (UUIDs, base64; integers, dates and
// RFC 3339 times are in covet/serial/detail/text_out.hpp) straight into a
// caller's buffer, the parsers of those forms, and the UTF-8 sequence check
// the JSON writer's escaping uses. No allocation, no bounds checks: callers
// reserve the sizes given here.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/same_name.hpp"
#include "covet/serial/detail/text_out.hpp"

namespace covet::detail {

// The canonical 8-4-4-4-12 lower-case form, 36 characters.
inline char* write_uuid(char* p, const uint8_t* b) {
  constexpr char hex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) *p++ = '-';
    *p++ = hex[b[i] >> 4];
    *p++ = hex[b[i] & 15];
  }
  return p;
}

constexpr std::size_t base64_size(std::size_t n) { return (n + 2) / 3 * 4; }
// Standard base64 (RFC 4648 section 4) with '=' padding.
inline char* write_base64(char* p, const uint8_t* s, std::size_t n) {
  constexpr char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{s[i]} << 16) | (uint32_t{s[i + 1]} << 8) | s[i + 2];
    *p++ = t[v >> 18], *p++ = t[(v >> 12) & 63], *p++ = t[(v >> 6) & 63], *p++ = t[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = uint32_t{s[i]} << 16;
    *p++ = t[v >> 18], *p++ = t[(v >> 12) & 63], *p++ = '=', *p++ = '=';
  } else if (n - i == 2) {
    uint32_t v = (uint32_t{s[i]} << 16) | (uint32_t{s[i + 1]} << 8);
    *p++ = t[v >> 18], *p++ = t[(v >> 12) & 63], *p++ = t[(v >> 6) & 63], *p++ = '=';
  }
  return p;
}

// Days since 1970-01-01 of a proleptic Gregorian date of years 1-9999
// (H. Hinnant's days_from_civil, in unsigned arithmetic: every division is
// by a constant, so none is a divide instruction); the caller checked the
// ranges.
inline int32_t days_from_civil(int year, unsigned m, unsigned d) {
  const unsigned y = static_cast<unsigned>(year) - (m <= 2);
  const unsigned era = y / 400, yoe = y - era * 400;
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<int32_t>(era * 146097 + doe) - 719468;
}

// The forms covet writes, read without a call: RFC 3339 in UTC
// ("YYYY-MM-DDTHH:MM:SS[.ffffff]Z") and SQLite's storage form
// ("YYYY-MM-DD HH:MM:SS[.ffffff]"); false for anything else
// (DateTime::parse takes the other forms and gives the errors). The
// checks alone without kCompute.
template <bool kCompute>
[[gnu::always_inline]] inline bool datetime_form(std::string_view s, [[maybe_unused]] int64_t& unix_micros) {
  const std::size_t n = s.size();
  bool z = n == 20 || n == 27;
  if (n != 19 && n != 20 && n != 26 && n != 27) return false;
  if (z && s.back() != 'Z') return false;
  const char* p = s.data();
  auto d = [&](std::size_t i) { return static_cast<unsigned>(p[i] - '0'); };
  [[maybe_unused]] unsigned frac = 0;
  if (n >= 26) {
    // The microsecond forms (what covet stores and writes): the digits and
    // separators checked 8 bytes at a time.
    auto word = [&](std::size_t at) {
      uint64_t w;
      std::memcpy(&w, p + at, 8);
      return w;
    };
    // Bytes 0-7 "YYYY-MM-", 8-15 "DD?HH:MM", 16-23 ":SS.ffff", 18-25 "SS.fffff" (little-endian).
    auto digits = [](uint64_t w, uint64_t mask) {
      const uint64_t hi = mask & 0xF0F0F0F0F0F0F0F0ull, three = mask & 0x3030303030303030ull;
      return (w & hi) == three && ((w + (mask & 0x0606060606060606ull)) & hi) == three;
    };
    const uint64_t w0 = word(0), w1 = word(8), w2 = word(16), w3 = word(18);
    if (!digits(w0, 0x00FFFF00FFFFFFFFull) || !digits(w1, 0xFFFF00FFFF00FFFFull) ||
        !digits(w2, 0xFFFFFFFF00FFFF00ull) || !digits(w3, 0xFFFF000000000000ull))
      return false;
    if ((w0 & 0xFF0000FF00000000ull) != 0x2D00002D00000000ull ||  // '-' at 4 and 7
        (w1 & 0x0000FF0000000000ull) != 0x00003A0000000000ull ||  // ':' at 13
        (w2 & 0x00000000FF0000FFull) != 0x000000002E00003Aull ||  // ':' at 16, '.' at 19
        (p[10] != 'T' && p[10] != ' '))
      return false;
    if constexpr (kCompute) frac = ((d(20) * 10 + d(21)) * 100 + d(22) * 10 + d(23)) * 100 + d(24) * 10 + d(25);
  } else {
    for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18})
      if (d(i) > 9) return false;
    if (p[4] != '-' || p[7] != '-' || (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':') return false;
  }
  const int year = static_cast<int>(d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3));
  const unsigned month = d(5) * 10 + d(6), day = d(8) * 10 + d(9);
  const unsigned hh = d(11) * 10 + d(12), mm = d(14) * 10 + d(15), ss = d(17) * 10 + d(18);
  static constexpr unsigned char kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || hh > 23 || mm > 59 || ss > 59)
    return false;
  if (month == 2 && day == 29) {
    const auto y = static_cast<unsigned>(year);
    if (!(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))) return false;
  }
  if constexpr (kCompute)
    unix_micros = int64_t{days_from_civil(year, month, day)} * 86'400'000'000LL +
                  int64_t{(hh * 60 + mm) * 60 + ss} * 1'000'000LL + frac;
  return true;
}
// Hot: without it g++ may keep the copy it made for a rarely run caller,
// optimized for size (with divide instructions).
[[gnu::hot]] inline bool parse_datetime_fast(std::string_view s, int64_t& unix_micros) {
  return datetime_form<true>(s, unix_micros);
}

// A stored time in one of the forms parse_datetime_fast reads, written as
// RFC 3339 ("YYYY-MM-DDTHH:MM:SS.ffffffZ", kRfc3339Size bytes at `out`)
// by copying it: the same checks, no conversion to and from microseconds.
// False (nothing promised about `out`) for any other text.
inline bool stored_datetime_to_rfc3339(std::string_view s, char* out) {
  int64_t unused;
  if (!datetime_form<false>(s, unused)) return false;
  std::memcpy(out, s.data(), 19);
  if (s.size() >= 26) std::memcpy(out + 19, s.data() + 19, 7);
  else std::memcpy(out + 19, ".000000", 7);
  out[10] = 'T';
  out[26] = 'Z';
  return true;
}
// Only RFC 3339 in UTC, as covet writes it (the 'T' and the 'Z').
inline bool parse_rfc3339_utc(std::string_view s, int64_t& unix_micros) {
  return (s.size() == 20 || s.size() == 27) && s[10] == 'T' && parse_datetime_fast(s, unix_micros);
}

// Whether `s` holds a NUL byte: words or blocks for short text, memchr for long.
inline bool has_nul(std::string_view s) {
  const std::size_t n = s.size();
  if (n >= 8 && n <= 16) {
    constexpr uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t a, b;
    std::memcpy(&a, s.data(), 8), std::memcpy(&b, s.data() + n - 8, 8);
    return (((a - ones) & ~a) | ((b - ones) & ~b)) & high;
  }
  if (n < 8) {
    for (char c : s)
      if (c == '\0') return true;
    return false;
  }
#if defined(__SSE2__)
  if (n <= 32) {  // two overlapping blocks (an email, a time)
    const __m128i zero = _mm_setzero_si128();
    const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data()));
    const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + n - 16));
    return _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(a, zero), _mm_cmpeq_epi8(b, zero))) != 0;
  }
#endif
  return std::memchr(s.data(), 0, n) != nullptr;
}

// Whether every byte of `s` is ASCII, a word at a time.
inline bool is_ascii(std::string_view s) {
  constexpr uint64_t high = 0x8080808080808080ull;
  const std::size_t n = s.size();
  const char* p = s.data();
  if (n < 8) {  // overlapping loads, no loop
    if (n >= 4) {
      uint32_t a, b;
      std::memcpy(&a, p, 4), std::memcpy(&b, p + n - 4, 4);
      return ((a | b) & 0x80808080u) == 0;
    }
    if (n == 0) return true;
    return ((static_cast<unsigned char>(p[0]) | static_cast<unsigned char>(p[n / 2]) |
             static_cast<unsigned char>(p[n - 1])) & 0x80) == 0;
  }
  if (n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, p, 8), std::memcpy(&b, p + n - 8, 8);
    return ((a | b) & high) == 0;
  }
  uint64_t acc = 0, w;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) std::memcpy(&w, p + i, 8), acc |= w;
  std::memcpy(&w, p + n - 8, 8);
  return ((acc | w) & high) == 0;
}

// same_name (core/same_name.hpp): two short names compared without a call.

// The length of the well-formed UTF-8 sequence starting at s[0] (a byte
// from 0x80 on), or 0 when it is not one (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF).
inline std::size_t utf8_sequence_length(const unsigned char* s, std::size_t avail) {
  const unsigned char c = s[0];
  auto cont = [&](std::size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < avail && s[k] >= lo && s[k] <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c == 0xE0) return cont(1, 0xA0) && cont(2) ? 3 : 0;
  if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) return cont(1) && cont(2) ? 3 : 0;
  if (c == 0xED) return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
  if (c == 0xF0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xF1 && c <= 0xF3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c == 0xF4) return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

}  // namespace covet::detail
