#pragma once
// JsonWriter: writes JSON text into a growable byte buffer, as fast as a
// hand-written writer. The serializers write whole objects through it; users
// write with it directly (a handler's envelope, a method field).
//
// Separators are written for you: a comma goes before every value or key
// that follows another one at the same level, with no nesting stack (a key
// or an opening bracket clears the flag, a value or a closing bracket sets
// it). The writer trusts its caller for the shape: a key outside an object
// or an unbalanced bracket is written as asked.
//
// Text must be valid UTF-8 (covet's text always is, by construction); bytes
// that are not, a NaN or an infinity raise InvalidArgument, and the buffer
// then holds a partial document (clear() it). Strings are escaped as JSON
// requires and no more (RapidJSON's and Python's json.dumps(ensure_ascii=False)
// choice): `"` `\` and the control characters; everything else is copied.
//
// Lifetime: owns its buffer; view() is valid until the next write.
// Thread safety: none; one writer per thread (a thread_local one is cheap).
#include <charconv>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "covet/serial/output_buffer.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace covet {

class Value;
class Date;
class DateTime;
class Decimal;
class Uuid;
class Bytes;
class Json;

class JsonWriter : public detail::OutputBuffer {
 public:
  explicit JsonWriter(std::size_t reserve = 256) : OutputBuffer(reserve) {}
  JsonWriter(JsonWriter&& o) noexcept : OutputBuffer(std::move(o)), comma_(std::exchange(o.comma_, false)) {}
  JsonWriter& operator=(JsonWriter&& o) noexcept {
    OutputBuffer::operator=(std::move(o));
    comma_ = std::exchange(o.comma_, false);
    return *this;
  }

  // ---- structure ----
  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }
  // An object member's name, escaped; the value follows with the next call.
  void key(std::string_view name) {
    separate();
    quoted(name);
    *cur_++ = ':';
    comma_ = false;
  }

  // ---- values ----
  void null() { literal("null", 4); }
  void value(std::nullptr_t) { null(); }
  void value(bool b) { b ? literal("true", 4) : literal("false", 5); }
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char> && sizeof(I) <= 8)
  void value(I v) {
    char* p = room(25);
    *p = ',';
    p += comma_;
    cur_ = std::to_chars(p, p + 24, v).ptr;
    comma_ = true;
  }
  // Shortest text that reads back as the same double; always looks like a
  // number with a fraction or exponent ("3.0", not "3"), as Python and
  // RapidJSON write it. NaN and infinities raise InvalidArgument.
  void value(double v);
  void value(float v) { value(static_cast<double>(v)); }
  void value(std::string_view s) {
    separate();
    quoted(s);
    comma_ = true;
  }
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(const char* s) { value(std::string_view(s)); }
  // RFC 3339 in UTC with microseconds: "2024-01-15T10:30:00.000000Z".
  void value(const DateTime& t);
  void value(const Date& d);     // "2024-01-15"
  void value(const Uuid& u);     // canonical lower case, 36 characters
  void value(const Decimal& d);  // its exact text, as a string: "12.50"
  void value(const Bytes& b);    // standard base64 with padding, as a string
  void value(const Json& j);     // embedded as JSON, not as a string
  void value(const Value& v);    // by its type, as the overloads above
  template <class T>
  void value(const std::optional<T>& v) {
    v ? value(*v) : null();
  }
  template <class T>
  void value(const std::vector<T>& v) {
    begin_array();
    for (const auto& e : v) value(e);
    end_array();
  }
  // JSON text the caller vouches for (a cached fragment), written as one value.
  void raw_value(std::string_view json) {
    separate();
    append(json);
    comma_ = true;
  }

  // ---- the buffer (view(), size(), reserve(): OutputBuffer) ----
  // Forgets what was written; keeps the memory.
  void clear() {
    clear_bytes();
    comma_ = false;
  }
  // The text written so far, moved out; the writer starts over empty.
  std::string take() {
    comma_ = false;
    return take_bytes();
  }
  // Appends a newline and starts a new top-level value (NDJSON).
  void newline() {
    *room(1) = '\n';
    ++cur_;
    comma_ = false;
  }

  // ---- for serializers writing pre-built fragments (room, commit,
  // append: OutputBuffer; append writes no separator) ----
  // Whether the next value or key is preceded by a comma; serializers that
  // write a whole object with append() set it afterwards.
  bool needs_comma() const { return comma_; }
  void set_needs_comma(bool c) { comma_ = c; }
  // Writes `s` as a quoted, escaped JSON string at the cursor (no separator).
  void quoted(std::string_view s) {
    char* p = room(s.size() + kQuotedSlack);
    char* e = quote_plain(p, s.data(), s.size());
    if (e) [[likely]]
      cur_ = e;
    else
      quoted_slow(s, p);
  }
  // The fast case of quoted(), for writers that keep their own cursor: with
  // s.size() + kQuotedSlack bytes of room at p, writes "s" and returns the
  // end, or returns null (leaving garbage at p) when s holds a byte that
  // needs a look: an escape, or non-ASCII text to check.
  static constexpr std::size_t kQuotedSlack = 2 + 16;
  // Text of 4 to 31 bytes (most names and emails) is checked and copied
  // inline, as two overlapping blocks read and written whole, never past
  // the text's end; other lengths out of line.
  static char* quote_plain(char* p, const char* src, std::size_t n) {
    if (n - 4 >= 28) [[unlikely]]
      return quote_plain_other(p, src, n);
    *p++ = '"';
    if (n >= 16) {
#if defined(__SSE2__)
      __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src));
      __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + n - 16));
      if (special_mask(a) | special_mask(b)) [[unlikely]]
        return nullptr;
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), a);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p + n - 16), b);
#else
      return quote_plain_other(p - 1, src, n);
#endif
    } else if (n >= 8) {
      uint64_t a, b;
      std::memcpy(&a, src, 8), std::memcpy(&b, src + n - 8, 8);
      if (words_special(a, b)) [[unlikely]]
        return nullptr;
      std::memcpy(p, &a, 8), std::memcpy(p + n - 8, &b, 8);
    } else {
      uint32_t x, y;
      std::memcpy(&x, src, 4), std::memcpy(&y, src + n - 4, 4);
      if (word_special(x | (uint64_t{y} << 32))) [[unlikely]]
        return nullptr;
      std::memcpy(p, &x, 4), std::memcpy(p + n - 4, &y, 4);
    }
    p[n] = '"';
    return p + n + 1;
  }
 private:
  void separate() {
    char* p = room(1);
    *p = ',';
    cur_ = p + comma_;
  }
  void open(char c) {
    char* p = room(2);
    *p = ',';
    p += comma_;
    *p++ = c;
    cur_ = p;
    comma_ = false;
  }
  void close(char c) {
    *room(1) = c;
    ++cur_;
    comma_ = true;
  }
  void literal(const char* s, std::size_t n) {
    char* p = room(n + 1);
    *p = ',';
    p += comma_;
    std::memcpy(p, s, n);
    cur_ = p + n;
    comma_ = true;
  }
#if defined(__SSE2__)
  // Bits for the bytes that need a look: below 0x20 or from 0x80 on (both
  // are < 0x20 as signed bytes), the quote and the backslash.
  static unsigned special_mask(__m128i v) {
    __m128i low = _mm_cmplt_epi8(v, _mm_set1_epi8(0x20));
    __m128i quote = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
    __m128i slash = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));
    return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, _mm_or_si128(quote, slash))));
  }
#endif
  // Whether any byte of two words needs a look (one vector check where
  // there are vectors).
  static bool words_special(uint64_t a, uint64_t b) {
#if defined(__SSE2__)
    return special_mask(_mm_set_epi64x(static_cast<long long>(b), static_cast<long long>(a))) != 0;
#else
    return (word_special(a) | word_special(b)) != 0;
#endif
  }
  // Whether any of the 8 bytes needs a look: below 0x20, from 0x80 on, the
  // quote or the backslash (the has-less-than and has-zero-byte word tricks).
  static uint64_t word_special(uint64_t x) {
    constexpr uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return (x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b)) & high;
  }
  // quoted() for text with escapes or non-ASCII bytes, written at p.
  void quoted_slow(std::string_view s, char* p);
  // quote_plain() for text shorter than 4 bytes or longer than 31.
  static char* quote_plain_other(char* p, const char* src, std::size_t n);

  bool comma_ = false;
};

}  // namespace covet
