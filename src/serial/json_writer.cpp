// JsonWriter's out-of-line parts: growth, the escaping slow path, and the
// values whose text takes more than a few instructions.
#include "covet/serial/json_writer.hpp"

#include <cmath>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/core/value.hpp"
#include "serial/text_format.hpp"

namespace covet {

// (quote_plain sends only n < 4 and n >= 32 here: the block loop needs 16 bytes.)
char* JsonWriter::quote_plain_other(char* p, const char* src, std::size_t n) {
  *p++ = '"';
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i) {
      unsigned char c = static_cast<unsigned char>(src[i]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) [[unlikely]]
        return nullptr;
      p[i] = src[i];
    }
  } else {
#if defined(__SSE2__)
    // 16 bytes at a time; the last block overlaps the one before it.
    for (std::size_t i = 0;; i += 16) {
      if (i + 16 > n) i = n - 16;
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i), v);
      if (special_mask(v)) [[unlikely]]
        return nullptr;
      if (i + 16 == n) break;
    }
#else
    for (std::size_t i = 0; i < n; ++i) {
      unsigned char c = static_cast<unsigned char>(src[i]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) return nullptr;
      p[i] = src[i];
    }
#endif
  }
  p[n] = '"';
  return p + n + 1;
}

void JsonWriter::quoted_slow(std::string_view s, char* p) {
  cur_ = p;
  const std::size_t n = s.size();
  char* q = room(6 * n + 2 + 16);  // every byte escaped as \u00XX at worst
  *q++ = '"';
  std::size_t i = 0;
  const auto* src = reinterpret_cast<const unsigned char*>(s.data());
  while (i < n) {
#if defined(__SSE2__)
    if (n - i >= 16) {  // long clean runs between the bytes that need a look
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(q), v);
      unsigned m = special_mask(v);
      std::size_t clean = m ? static_cast<std::size_t>(__builtin_ctz(m)) : 16;
      q += clean, i += clean;
      if (clean == 16) continue;
    }
#endif
    unsigned char c = src[i];
    if (c >= 0x80) {
      std::size_t len = detail::utf8_sequence_length(src + i, n - i);
      if (len == 0) throw InvalidArgument("cannot write JSON: text " + utf8_problem(s).value_or("is not valid UTF-8"));
      std::memcpy(q, src + i, len);
      q += len, i += len;
      continue;
    }
    ++i;
    if (c >= 0x20 && c != '"' && c != '\\') {
      *q++ = static_cast<char>(c);
      continue;
    }
    *q++ = '\\';
    switch (c) {
      case '"': *q++ = '"'; break;
      case '\\': *q++ = '\\'; break;
      case '\b': *q++ = 'b'; break;
      case '\f': *q++ = 'f'; break;
      case '\n': *q++ = 'n'; break;
      case '\r': *q++ = 'r'; break;
      case '\t': *q++ = 't'; break;
      default:
        std::memcpy(q, "u00", 3);
        q[3] = "0123456789abcdef"[c >> 4];
        q[4] = "0123456789abcdef"[c & 15];
        q += 5;
    }
  }
  *q++ = '"';
  cur_ = q;
}

void JsonWriter::value(double v) {
  if (!std::isfinite(v))
    throw InvalidArgument(std::string("cannot write JSON: ") + (std::isnan(v) ? "NaN" : "an infinity") +
                          " has no JSON form");
  char* p = room(32 + 3);
  *p = ',';
  p += comma_;
  char* e = std::to_chars(p, p + 32, v).ptr;
  if (!std::memchr(p, '.', static_cast<std::size_t>(e - p)) && !std::memchr(p, 'e', static_cast<std::size_t>(e - p))) {
    *e++ = '.';  // 3.0, not 3: the reader sees a float
    *e++ = '0';
  }
  cur_ = e;
  comma_ = true;
}

void JsonWriter::value(const DateTime& t) {
  char* p = room(detail::kRfc3339Size + 3);
  *p = ',';
  p += comma_;
  *p++ = '"';
  p = detail::write_rfc3339(p, t.unix_micros());
  *p++ = '"';
  cur_ = p;
  comma_ = true;
}

void JsonWriter::value(const Date& d) {
  char* p = room(10 + 3);
  *p = ',';
  p += comma_;
  *p++ = '"';
  p = detail::write_date(p, d.days_since_epoch());
  *p++ = '"';
  cur_ = p;
  comma_ = true;
}

void JsonWriter::value(const Uuid& u) {
  char* p = room(36 + 3);
  *p = ',';
  p += comma_;
  *p++ = '"';
  p = detail::write_uuid(p, u.bytes().data());
  *p++ = '"';
  cur_ = p;
  comma_ = true;
}

void JsonWriter::value(const Decimal& d) { value(std::string_view(d.to_string())); }

void JsonWriter::value(const Bytes& b) {
  char* p = room(detail::base64_size(b.size()) + 3);
  *p = ',';
  p += comma_;
  *p++ = '"';
  p = detail::write_base64(p, b.data(), b.size());
  *p++ = '"';
  cur_ = p;
  comma_ = true;
}

void JsonWriter::value(const Json& j) { raw_value(j.text()); }

void JsonWriter::value(const Value& v) {
  switch (v.type()) {
    case Value::Type::Null: return null();
    case Value::Type::Bool: return value(v.as_bool());
    case Value::Type::Int: return value(v.as_int());
    case Value::Type::Double: return value(v.as_double());
    case Value::Type::String: return value(std::string_view(v.as_string()));
    case Value::Type::Bytes: return value(v.as_bytes());
    case Value::Type::Decimal: return value(*v.get_if<Decimal>());
    case Value::Type::Date: return value(*v.get_if<Date>());
    case Value::Type::DateTime: return value(*v.get_if<DateTime>());
    case Value::Type::Uuid: return value(*v.get_if<Uuid>());
    case Value::Type::Json: return value(v.as_json());
    case Value::Type::Array:
      begin_array();
      for (const Value& e : v.as_array()) value(e);
      return end_array();
  }
}

}  // namespace covet
