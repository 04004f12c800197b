#include "covet/core/text.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>

namespace covet {

namespace {
struct LowerRun {
  char32_t first, last;
  int32_t delta;
  uint32_t stride;
};
// Sorted, non-overlapping runs (the generator checks both).
constexpr LowerRun kLowerRuns[] = {
#include "lowercase_table.inc"
};

void put(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Decodes one UTF-8 sequence at s[i]; returns its length, or 0 when the
// bytes there are not a valid (shortest-form, non-surrogate) sequence.
std::size_t decode(std::string_view s, std::size_t i, char32_t& c) {
  auto b = static_cast<unsigned char>(s[i]);
  if (b < 0x80) {
    c = b;
    return 1;
  }
  std::size_t n = (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  c = n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < n; ++k) {
    auto cb = static_cast<unsigned char>(s[i + k]);
    if ((cb & 0xC0) != 0x80) return 0;
    c = (c << 6) | (cb & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMin[n] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) return 0;
  return n;
}
}  // namespace

char32_t lowercase(char32_t c) {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 32 : c;
  auto it = std::upper_bound(std::begin(kLowerRuns), std::end(kLowerRuns), c,
                             [](char32_t x, const LowerRun& r) { return x < r.first; });
  if (it == std::begin(kLowerRuns)) return c;
  const LowerRun& r = *std::prev(it);
  if (c > r.last || (c - r.first) % r.stride != 0) return c;
  return static_cast<char32_t>(static_cast<int32_t>(c) + r.delta);
}

std::string casefold(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = 0;
    std::size_t n = decode(s, i, c);
    if (n == 0) {  // not UTF-8: keep the byte
      out += s[i++];
      continue;
    }
    put(out, lowercase(c));
    i += n;
  }
  return out;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

bool is_valid_text(std::string_view s) {
  // Most text is short ASCII (names, emails): eight bytes at a time, no
  // byte >= 0x80 and none zero, settles it without a call. Anything else
  // goes to simdjson's vectorised UTF-8 check.
  constexpr uint64_t kHigh = 0x8080808080808080ull, kOnes = 0x0101010101010101ull;
  auto plain = [](uint64_t w) { return ((w & kHigh) | ((w - kOnes) & ~w & kHigh)) == 0; };
  const char* p = s.data();
  const std::size_t n = s.size();
  uint64_t w = 0x2020202020202020ull;  // blanks pad a short string
  bool ascii;
  if (n < 8) {
    std::memcpy(&w, p, n);
    ascii = plain(w);
  } else {
    ascii = true;
    for (std::size_t i = 0; i + 8 <= n && ascii; i += 8) {
      std::memcpy(&w, p + i, 8);
      ascii = plain(w);
    }
    std::memcpy(&w, p + n - 8, 8);  // the tail, overlapping the last full word
    ascii = ascii && plain(w);
  }
  if (ascii) return true;
  return std::memchr(p, 0, n) == nullptr && simdjson::validate_utf8(p, n);
}

std::optional<std::string> utf8_problem(std::string_view s) {
  if (simdjson::validate_utf8(s.data(), s.size())) return std::nullopt;
  for (std::size_t i = 0; i < s.size();) {
    char32_t c = 0;
    std::size_t n = decode(s, i, c);
    if (n == 0)
      return fmt::format("is not valid UTF-8 (byte 0x{:02x} at offset {}); use a Bytes field for binary data",
                         static_cast<unsigned char>(s[i]), i);
    i += n;
  }
  return "is not valid UTF-8";
}

std::optional<std::string> text_problem(std::string_view s) {
  if (const void* nul = std::memchr(s.data(), 0, s.size()))
    return fmt::format("contains a NUL byte (at offset {}); text values cannot hold NUL on every backend",
                       static_cast<const char*>(nul) - s.data());
  return utf8_problem(s);
}

}  // namespace covet
