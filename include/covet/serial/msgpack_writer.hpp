#pragma once
// MsgPackWriter: writes MessagePack into a growable byte buffer, the binary
// twin of JsonWriter (the serializers' to_msgpack goes through it). Each
// value takes the smallest encoding the format has (fixint, fixstr, ...).
// The forms match the JSON ones: DateTime is the timestamp extension
// (type -1, in its 32-, 64- or 96-bit form), Date/UUID/Decimal are their
// text, Bytes are bin, Json members are converted to MessagePack values.
// Text must be valid UTF-8 (InvalidArgument otherwise); so is every map key.
//
// Unlike JSON, MessagePack writes the size of a map or array first:
// begin_map(n)/begin_array(n) take it, and nothing checks that n values follow.
//
// Lifetime: owns its buffer; view() is valid until the next write.
// Thread safety: none; one writer per thread.
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "covet/serial/output_buffer.hpp"

namespace covet {

class Value;
class Date;
class DateTime;
class Decimal;
class Uuid;
class Bytes;
class Json;

class MsgPackWriter : public detail::OutputBuffer {
 public:
  explicit MsgPackWriter(std::size_t reserve = 256) : OutputBuffer(reserve) {}
  MsgPackWriter(MsgPackWriter&&) noexcept = default;
  MsgPackWriter& operator=(MsgPackWriter&&) noexcept = default;

  // InvalidArgument past 2^32-1 items (MessagePack's limit), as for text and bytes.
  void begin_map(std::size_t n) { cur_ = put_header(room(5), checked(n), 0x80, 0xde); }
  void begin_array(std::size_t n) { cur_ = put_header(room(5), checked(n), 0x90, 0xdc); }
  void key(std::string_view name) { value(name); }

  void null() { *room(1) = static_cast<char>(0xc0), ++cur_; }
  void value(std::nullptr_t) { null(); }
  void value(bool b) { *room(1) = static_cast<char>(b ? 0xc3 : 0xc2), ++cur_; }
  template <class I>
    requires(std::is_integral_v<I> && !std::is_same_v<I, bool> && !std::is_same_v<I, char> && sizeof(I) <= 8)
  void value(I v) {
    if constexpr (std::is_unsigned_v<I> && sizeof(I) == 8) {
      if (v > static_cast<uint64_t>(INT64_MAX)) {
        char* p = room(9);
        *p = static_cast<char>(0xcf);
        put_be(p + 1, static_cast<uint64_t>(v), 8);
        cur_ = p + 9;
        return;
      }
    }
    cur_ = put_int(room(9), static_cast<int64_t>(v));
  }
  void value(double v);  // float 64; NaN and infinities are written as they are (MessagePack has them)
  void value(float v) { value(static_cast<double>(v)); }
  void value(std::string_view s);  // str; InvalidArgument when not valid UTF-8
  void value(const std::string& s) { value(std::string_view(s)); }
  void value(const char* s) { value(std::string_view(s)); }
  void value(const DateTime& t);  // the timestamp extension
  void value(const Date& d);      // "2024-01-15"
  void value(const Uuid& u);      // canonical text
  void value(const Decimal& d);   // its exact text
  void value(const Bytes& b);     // bin
  void value(const Json& j);      // the JSON value as MessagePack values
  void value(const Value& v);
  template <class T>
  void value(const std::optional<T>& v) {
    v ? value(*v) : null();
  }
  template <class T>
  void value(const std::vector<T>& v) {
    begin_array(v.size());
    for (const auto& e : v) value(e);
  }
  // (view(), size(), reserve(), append() of pre-encoded bytes, room() and
  // commit() for serializers keeping their own cursor: OutputBuffer.)
  void clear() { clear_bytes(); }
  std::string take() { return take_bytes(); }

  // Writes v big-endian in n bytes at p.
  static void put_be(char* p, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i, v >>= 8) p[i] = static_cast<char>(v & 0xff);
  }
  // The smallest integer form at p (up to 9 bytes); returns the end.
  static char* put_int(char* p, int64_t v) {
    if (v >= 0) {
      if (v < 128) return *p = static_cast<char>(v), p + 1;
      if (v < 256) return p[0] = static_cast<char>(0xcc), p[1] = static_cast<char>(v), p + 2;
      if (v < 65536) return *p = static_cast<char>(0xcd), put_be(p + 1, static_cast<uint64_t>(v), 2), p + 3;
      if (v <= 0xffffffffLL) return *p = static_cast<char>(0xce), put_be(p + 1, static_cast<uint64_t>(v), 4), p + 5;
      return *p = static_cast<char>(0xcf), put_be(p + 1, static_cast<uint64_t>(v), 8), p + 9;
    }
    if (v >= -32) return *p = static_cast<char>(v), p + 1;
    if (v >= -128) return p[0] = static_cast<char>(0xd0), p[1] = static_cast<char>(v), p + 2;
    if (v >= -32768) return *p = static_cast<char>(0xd1), put_be(p + 1, static_cast<uint64_t>(v), 2), p + 3;
    if (v >= INT32_MIN) return *p = static_cast<char>(0xd2), put_be(p + 1, static_cast<uint64_t>(v), 4), p + 5;
    return *p = static_cast<char>(0xd3), put_be(p + 1, static_cast<uint64_t>(v), 8), p + 9;
  }
  // A str header for n bytes (up to 5 bytes).
  static char* put_str_header(char* p, std::size_t n) {
    if (n < 32) return *p = static_cast<char>(0xa0 | n), p + 1;
    if (n < 256) return p[0] = static_cast<char>(0xd9), p[1] = static_cast<char>(n), p + 2;
    if (n < 65536) return *p = static_cast<char>(0xda), put_be(p + 1, n, 2), p + 3;
    return *p = static_cast<char>(0xdb), put_be(p + 1, n, 4), p + 5;
  }
  // The timestamp extension for microseconds since the epoch (up to 15 bytes).
  static char* put_timestamp(char* p, int64_t unix_micros) {
    int64_t sec = unix_micros / 1'000'000, micros = unix_micros % 1'000'000;
    if (micros < 0) micros += 1'000'000, --sec;
    const auto nsec = static_cast<uint64_t>(micros) * 1000;
    if (sec >= 0 && (static_cast<uint64_t>(sec) >> 34) == 0) {
      if (nsec == 0 && (static_cast<uint64_t>(sec) >> 32) == 0) {  // timestamp 32
        p[0] = static_cast<char>(0xd6), p[1] = static_cast<char>(0xff);
        put_be(p + 2, static_cast<uint64_t>(sec), 4);
        return p + 6;
      }
      p[0] = static_cast<char>(0xd7), p[1] = static_cast<char>(0xff);  // timestamp 64
      put_be(p + 2, (nsec << 34) | static_cast<uint64_t>(sec), 8);
      return p + 10;
    }
    p[0] = static_cast<char>(0xc7), p[1] = 12, p[2] = static_cast<char>(0xff);  // timestamp 96
    put_be(p + 3, nsec, 4);
    put_be(p + 7, static_cast<uint64_t>(sec), 8);
    return p + 15;
  }
  static char* put_header(char* p, std::size_t n, unsigned fix, unsigned wide) {
    if (n < 16) return *p = static_cast<char>(fix | n), p + 1;
    if (n < 65536) return *p = static_cast<char>(wide), put_be(p + 1, n, 2), p + 3;
    return *p = static_cast<char>(wide + 1), put_be(p + 1, n, 4), p + 5;
  }

 private:
  static std::size_t checked(std::size_t n) {
    if (n > 0xffffffffu) too_long(n);
    return n;
  }
  [[noreturn]] static void too_long(std::size_t n);
};

}  // namespace covet
