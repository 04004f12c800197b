// The JSON list reader's direct path: a body read in one pass, straight
// into the members, directed by the plan (each object's keys are expected
// in the serializer's order and compared in place, each value parsed as its
// member's type wants it). simdjson's DOM path (reader.cpp) first finds
// every structural character, then builds a tape of the whole document,
// then the reader walks the tape; this path does none of that.
//
// It takes the common shape (SerializerPlan::lean_input) and only a body
// that is entirely well. At its first surprise (anything that is not
// well-formed JSON as it expects it, a key it does not know, a duplicate, a
// null where none is allowed, a value of another type or one that fails a
// check, an escape it does not decode, more items than allowed, a
// read-only field holding an array or object, content after the list) it
// gives up: the objects made so far are dropped and the DOM path reads the
// body again and says precisely what is wrong. It accepts a subset of what
// the DOM path accepts and makes the same objects from it (the fuzz target
// compares both on every input), so it is only a faster way to the same
// result.
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <charconv>
#include <cstring>
#include <string>
#include <string_view>

#include "covet/core/text.hpp"
#include "covet/schema/field_kind.hpp"
#include "covet/schema/model_info.hpp"
#include "serial/reader.hpp"
#include "serial/text_format.hpp"
#include "serial/validators.hpp"

namespace covet::detail {

namespace {

inline bool is_space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool is_digit(char c) { return c >= '0' && c <= '9'; }

// A cursor over the body. Every read checks the end: the body is the
// caller's, with nothing readable past it.
class Scan {
 public:
  explicit Scan(std::string_view body) : p_(body.data()), end_(body.data() + body.size()) {}

  const char* at() const { return p_; }
  std::size_t left() const { return static_cast<std::size_t>(end_ - p_); }
  bool done() {
    space();
    return p_ == end_;
  }
  // (Every JSON space is at most ' ': one compare passes anything else.)
  void space() {
    while (p_ < end_ && static_cast<unsigned char>(*p_) <= ' ' && is_space(*p_)) ++p_;
  }
  // The next significant character is `c`: taken. (Compact JSON has it
  // right here.)
  bool take(char c) {
    if (p_ < end_ && *p_ == c) return ++p_, true;
    space();
    if (p_ < end_ && *p_ == c) return ++p_, true;
    return false;
  }
  char peek() {
    space();
    return p_ < end_ ? *p_ : '\0';
  }

  // A key that is exactly `"name"` (no escape: names hold no quote or
  // backslash), then its colon.
  bool key_is(std::string_view name) {
    const std::size_t n = name.size();
    if (left() < n + 2 || p_[n + 1] != '"' || p_[0] != '"' || !same_name(std::string_view(p_ + 1, n), name)) return false;
    p_ += n + 2;
    return true;
  }

  // A string (the cursor at its quote): its text, unescaped into `scratch`
  // when it holds escapes. False for what this path does not take. Inline:
  // the common string, found whole 16 bytes at a time (a quote, a
  // backslash, a control character, which the DOM parser refuses raw, or a
  // byte past ASCII, checked after); the rest out of line.
  [[gnu::always_inline]] bool string(std::string_view& out, std::string& scratch) {
    if (p_ == end_ || *p_ != '"') return false;
    const char* const start = p_ + 1;
    const char* q = start;
#if defined(__SSE2__)
    unsigned high_seen = 0;
    while (end_ - q >= 16) {
      const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      const __m128i quote = _mm_cmpeq_epi8(b, _mm_set1_epi8('"'));
      const __m128i backslash = _mm_cmpeq_epi8(b, _mm_set1_epi8('\\'));
      // bytes 0x00-0x1F: as signed, below 0x20 and not negative
      const __m128i ctl = _mm_andnot_si128(_mm_cmplt_epi8(b, _mm_setzero_si128()), _mm_cmplt_epi8(b, _mm_set1_epi8(0x20)));
      const auto stop = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(quote, backslash), ctl)));
      const auto high = static_cast<unsigned>(_mm_movemask_epi8(b));
      if (stop == 0) {
        high_seen |= high;
        q += 16;
        continue;
      }
      const int k = __builtin_ctz(stop);
      if (q[k] != '"') break;
      high_seen |= high & ((1u << k) - 1);
      out = std::string_view(start, static_cast<std::size_t>(q + k - start));
      p_ = q + k + 1;
      return high_seen == 0 || !utf8_problem(out);
    }
#else
    (void)q;  // without SSE2, a byte at a time
#endif
    return string_slow(out, scratch);
  }

  // A JSON integer that fits in 18 digits (longer ones: the DOM path).
  bool integer(int64_t& out) {
    const bool neg = p_ < end_ && *p_ == '-';
    const char* q = p_ + neg;
    if (q == end_ || !is_digit(*q)) return false;
    uint64_t v = 0;
    const char* const first = q;
    if (*q == '0') {
      ++q;
    } else {
      while (q < end_ && is_digit(*q) && q - first < 18) v = v * 10 + static_cast<uint64_t>(*q++ - '0');
    }
    if (q < end_ && (is_digit(*q) || *q == '.' || *q == 'e' || *q == 'E')) return false;
    out = neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
    p_ = q;
    return true;
  }

  // Any JSON number, as a double (the DOM parser's value: correctly rounded).
  bool number(double& out) {
    const char* q = p_;
    if (q < end_ && *q == '-') ++q;
    const char* const digits = q;
    if (q == end_ || !is_digit(*q)) return false;
    if (*q == '0') ++q;
    else
      while (q < end_ && is_digit(*q)) ++q;
    const std::size_t int_digits = static_cast<std::size_t>(q - digits);
    bool fraction = false;
    if (q < end_ && *q == '.') {
      fraction = true;
      if (++q == end_ || !is_digit(*q)) return false;
      while (q < end_ && is_digit(*q)) ++q;
    }
    if (q < end_ && (*q == 'e' || *q == 'E')) {
      fraction = true;
      ++q;
      if (q < end_ && (*q == '+' || *q == '-')) ++q;
      if (q == end_ || !is_digit(*q)) return false;
      while (q < end_ && is_digit(*q)) ++q;
    }
    if (q < end_ && is_digit(*q)) return false;  // "01"
    if (!fraction) {
      // An integer is one to the DOM parser too ("-0" is 0), then a
      // double; a long one is left to it.
      int64_t i;
      if (int_digits > 18 || !integer(i)) return false;
      out = static_cast<double>(i);
      return true;
    }
    auto [end, ec] = std::from_chars(p_, q, out);
    if (ec != std::errc() || end != q) return false;  // out of range: the DOM parser refuses it, or says so
    p_ = q;
    return true;
  }

  bool boolean(bool& out) {
    if (left() >= 4 && std::memcmp(p_, "true", 4) == 0) return p_ += 4, out = true, true;
    if (left() >= 5 && std::memcmp(p_, "false", 5) == 0) return p_ += 5, out = false, true;
    return false;
  }
  bool null() {
    if (left() >= 4 && std::memcmp(p_, "null", 4) == 0) return p_ += 4, true;
    return false;
  }

  // Any scalar, checked and skipped (a read-only field's value).
  bool skip_scalar(std::string& scratch) {
    std::string_view s;
    double d;
    bool b;
    switch (peek()) {
      case '"': return string(s, scratch);
      case 't':
      case 'f': return boolean(b);
      case 'n': return null();
      default: return number(d);
    }
  }

 private:
  // A string a byte at a time (near the body's end, or holding an escape
  // or a control character), from its quote.
  [[gnu::noinline]] bool string_slow(std::string_view& out, std::string& scratch) {
    const char* const start = ++p_;
    bool ascii = true;
    for (; p_ < end_; ++p_) {
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        out = std::string_view(start, static_cast<std::size_t>(p_ - start));
        ++p_;
        return ascii || !utf8_problem(out);
      }
      if (c == '\\') return escaped(start, out, scratch);
      if (c < 0x20) return false;
      if (c >= 0x80) ascii = false;
    }
    return false;
  }

  // The rest of a string holding an escape: decoded into `scratch`.
  // Escapes of UTF-16 surrogates are left to the DOM path.
  bool escaped(const char* start, std::string_view& out, std::string& scratch) {
    scratch.assign(start, p_);
    bool ascii = true;
    for (const char* q = start; q < p_; ++q) ascii = ascii && static_cast<unsigned char>(*q) < 0x80;
    while (p_ < end_) {
      const auto c = static_cast<unsigned char>(*p_++);
      if (c == '"') {
        out = scratch;
        return ascii || !utf8_problem(out);
      }
      if (c < 0x20) return false;
      if (c >= 0x80) ascii = false;
      if (c != '\\') {
        scratch += static_cast<char>(c);
        continue;
      }
      if (p_ == end_) return false;
      switch (*p_++) {
        case '"': scratch += '"'; break;
        case '\\': scratch += '\\'; break;
        case '/': scratch += '/'; break;
        case 'b': scratch += '\b'; break;
        case 'f': scratch += '\f'; break;
        case 'n': scratch += '\n'; break;
        case 'r': scratch += '\r'; break;
        case 't': scratch += '\t'; break;
        case 'u': {
          if (left() < 4) return false;
          unsigned cp = 0;
          for (int i = 0; i < 4; ++i) {
            const char h = *p_++;
            const unsigned d = is_digit(h) ? static_cast<unsigned>(h - '0')
                               : (h >= 'a' && h <= 'f') ? static_cast<unsigned>(h - 'a' + 10)
                               : (h >= 'A' && h <= 'F') ? static_cast<unsigned>(h - 'A' + 10)
                                                        : 16u;
            if (d == 16) return false;
            cp = cp << 4 | d;
          }
          if (cp >= 0xD800 && cp <= 0xDFFF) return false;
          if (cp < 0x80) {
            scratch += static_cast<char>(cp);
          } else if (cp < 0x800) {
            scratch += static_cast<char>(0xC0 | cp >> 6);
            scratch += static_cast<char>(0x80 | (cp & 0x3F));
          } else {
            scratch += static_cast<char>(0xE0 | cp >> 12);
            scratch += static_cast<char>(0x80 | (cp >> 6 & 0x3F));
            scratch += static_cast<char>(0x80 | (cp & 0x3F));
          }
          break;
        }
        default: return false;
      }
    }
    return false;
  }

  const char* p_;
  const char* end_;
};

class DirectReader {
 public:
  DirectReader(const SerializerPlan& p, const ReadOptions& o, InputData& in, std::string_view body)
      : p_(p), o_(o), in_(in), scan_(body) {}

  Scan& scan() { return scan_; }

  // One object (the cursor at its brace) into `obj`, validated.
  bool object(void* obj) {
    if (!scan_.take('{')) return false;
    const std::size_t n = p_.fields.size();
    std::size_t expect = 0;
    uint64_t given = 0;
    if (!scan_.take('}')) {
      do {
        scan_.space();
        std::size_t i = expect;
        if (i >= n || !scan_.key_is(p_.fields[i].name)) {
          std::string_view key;
          const SerialField* named;
          if (!scan_.string(key, scratch_) || !(named = find_field_for_key(p_, in_, key))) return false;
          i = static_cast<std::size_t>(named - p_.fields.data());
        }
        if (!scan_.take(':')) return false;
        const SerialField* f = &p_.fields[i];
        expect = i + 1;
        const uint64_t bit = uint64_t{1} << i;
        if (given & bit) return false;
        given |= bit;
        scan_.space();
        if (f->read_only ? !scan_.skip_scalar(scratch_) : !member(*f, obj)) return false;
      } while (scan_.take(','));
      if (!scan_.take('}')) return false;
    }
    return finish(obj, given);
  }

 private:
  // The value at the cursor as direct_member's source.
  struct Source {
    Scan& scan;
    std::string& scratch;
    bool null() { return scan.null(); }
    bool integer(int64_t& x) { return scan.integer(x); }
    bool number(double& x) { return scan.number(x); }  // JSON numbers are finite
    bool boolean(bool& b) { return scan.boolean(b); }
    bool text(std::string_view& s, bool& may_hold_nul) {
      if (!scan.string(s, scratch)) return false;
      may_hold_nul = s.data() == scratch.data();  // only an escape makes a NUL: raw control bytes are refused
      return true;
    }
    bool datetime(DateTime& t) {
      std::string_view s;
      return scan.string(s, scratch) && datetime_text(s, t);
    }
  };
  bool member(const SerialField& f, void* obj) {
    Source src{scan_, scratch_};
    return direct_member(p_, f, src, obj, in_, o_);
  }

  bool finish(void* obj, uint64_t given) { return direct_finish(p_, o_, obj, given); }

  const SerializerPlan& p_;
  const ReadOptions& o_;
  InputData& in_;
  Scan scan_;
  std::string scratch_;
};

}  // namespace

bool read_json_list_direct(const SerializerPlan& p, std::string_view json, const ReadOptions& o, InputData& in,
                           FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop) {
  std::size_t made = 0;
  auto give_up = [&] { return direct_give_up(in, made, drop); };
  DirectReader r(p, o, in, json);
  Scan& scan = r.scan();
  if (!scan.take('[')) return give_up();
  if (!scan.take(']')) {
    // Room for as many items as the first one's size says fit in the rest
    // (counting them first would cost a pass over the list), up to
    // kMaxRoom: past it (or when the rest is mostly space) the vector grows
    // as vectors do.
    constexpr std::size_t kMaxRoom = 4096;
    std::size_t room = 1;
    do {
      if (made == o.max_items) return give_up();
      scan.space();
      const char* first = scan.at();
      void* obj = next(room);
      ++made;
      if (!r.object(obj)) return give_up();
      if (made == 1)
        room = std::min({o.max_items, kMaxRoom, 1 + scan.left() / static_cast<std::size_t>(scan.at() - first)});
    } while (scan.take(','));
    if (!scan.take(']')) return give_up();
  }
  if (!scan.done()) return give_up();  // nothing after the list
  return true;
}

}  // namespace covet::detail
