#pragma once
// Two short names (a field, a lookup path, a JSON key) compared without a
// call: std::string_view's == calls compare() and memcmp out of line,
// which costs more than the compare itself for names of a few bytes.
#include <cstdint>
#include <cstring>
#include <string_view>

namespace covet::detail {

inline bool same_name(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  const std::size_t n = a.size();
  if (n >= 8 && n <= 16) {
    uint64_t x1, x2, y1, y2;
    std::memcpy(&x1, a.data(), 8), std::memcpy(&x2, a.data() + n - 8, 8);
    std::memcpy(&y1, b.data(), 8), std::memcpy(&y2, b.data() + n - 8, 8);
    return ((x1 ^ y1) | (x2 ^ y2)) == 0;
  }
  if (n >= 4 && n < 8) {
    uint32_t x1, x2, y1, y2;
    std::memcpy(&x1, a.data(), 4), std::memcpy(&x2, a.data() + n - 4, 4);
    std::memcpy(&y1, b.data(), 4), std::memcpy(&y2, b.data() + n - 4, 4);
    return ((x1 ^ y1) | (x2 ^ y2)) == 0;
  }
  if (n < 4) {
    for (std::size_t i = 0; i < n; ++i)
      if (a[i] != b[i]) return false;
    return true;
  }
  return std::memcmp(a.data(), b.data(), n) == 0;
}

}  // namespace covet::detail
