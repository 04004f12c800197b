#pragma once
// Text helpers shared by the dialects, drivers and write checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

namespace covet {

// Unicode's simple lowercase mapping (UnicodeData.txt), code point by code
// point. PostgreSQL's ILIKE lowercases both sides this way (towlower in a
// UTF-8 collation), so SQLite's i-lookups apply it to both sides through
// covet_fold() and the backends agree (İ → i, Ǆ/ǅ → ǆ, Ա → ա; ß and final
// ς stay as they are). Bytes that are not UTF-8 pass through unchanged.
std::string casefold(std::string_view s);
// The mapping of one code point.
char32_t lowercase(char32_t c);

// Number of code points in valid UTF-8 text (what max_length counts).
std::size_t utf8_length(std::string_view s);

// Why `s` cannot be a text value, or nothing when it can: text is valid
// UTF-8 without NUL bytes (PostgreSQL's text refuses NUL; SQLite's LIKE and
// GLOB stop at one), e.g. "is not valid UTF-8 (byte 0x80 at offset 1)".
std::optional<std::string> text_problem(std::string_view s);
bool is_valid_text(std::string_view s);

// is_valid_text for the common short ASCII string, inline (a name, an
// email): 8 to 16 bytes read as two words; anything else takes the call.
inline bool is_valid_short_text(std::string_view s) {
  constexpr uint64_t kHigh = 0x8080808080808080ull, kOnes = 0x0101010101010101ull;
  if (s.size() >= 8 && s.size() <= 16) {
    uint64_t a, b;
    std::memcpy(&a, s.data(), 8);
    std::memcpy(&b, s.data() + s.size() - 8, 8);
    if ((((a & kHigh) | ((a - kOnes) & ~a & kHigh)) | ((b & kHigh) | ((b - kOnes) & ~b & kHigh))) == 0) return true;
  }
  return is_valid_text(s);
}
// The same for UTF-8 validity alone (JSON strings may hold NUL as \u0000).
std::optional<std::string> utf8_problem(std::string_view s);

}  // namespace covet
