#include "covet/core/uuid.hpp"

#include <sys/random.h>

#include <cerrno>

#include "covet/core/error.hpp"

namespace covet {

Uuid Uuid::v4() {
  std::array<uint8_t, 16> b;
  size_t got = 0;
  while (got < b.size()) {
    ssize_t n = getrandom(b.data() + got, b.size() - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw Error("getrandom failed while generating a UUID");
    }
    got += static_cast<size_t>(n);
  }
  b[6] = static_cast<uint8_t>((b[6] & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3F) | 0x80);  // RFC 4122 variant
  return Uuid(b);
}

Uuid Uuid::parse(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::array<uint8_t, 16> b{};
  size_t n = 0;
  bool dashed = text.size() == 36;
  if (!dashed && text.size() != 32) throw InvalidArgument("invalid UUID '" + std::string(text) + "'");
  for (size_t i = 0; i < text.size(); ++i) {
    if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
      if (text[i] != '-') throw InvalidArgument("invalid UUID '" + std::string(text) + "'");
      continue;
    }
    int hi = hex(text[i]), lo = i + 1 < text.size() ? hex(text[i + 1]) : -1;
    if (hi < 0 || lo < 0) throw InvalidArgument("invalid UUID '" + std::string(text) + "'");
    b[n++] = static_cast<uint8_t>(hi << 4 | lo);
    ++i;
  }
  return Uuid(b);
}

bool Uuid::is_nil() const {
  for (uint8_t x : bytes_)
    if (x) return false;
  return true;
}

std::string Uuid::to_string() const {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(36);
  for (size_t i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
    s += digits[bytes_[i] >> 4];
    s += digits[bytes_[i] & 15];
  }
  return s;
}

}  // namespace covet
