#pragma once
// A 128-bit UUID. Uuid{} is the nil UUID; Uuid::v4() draws 122 random bits
// from the operating system (getrandom). A value type; thread-safe.
#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace covet {

class Uuid {
 public:
  constexpr Uuid() = default;
  explicit constexpr Uuid(const std::array<uint8_t, 16>& bytes) : bytes_(bytes) {}
  static Uuid v4();
  // Accepts the canonical 8-4-4-4-12 form and the 32-digit hex form, any case.
  static Uuid parse(std::string_view text);

  bool is_nil() const;
  const std::array<uint8_t, 16>& bytes() const { return bytes_; }
  std::string to_string() const;  // canonical lower-case, 36 characters

  friend constexpr auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<uint8_t, 16> bytes_{};
};

}  // namespace covet

template <>
struct std::hash<covet::Uuid> {
  size_t operator()(const covet::Uuid& u) const noexcept {
    size_t h = 0;
    for (uint8_t b : u.bytes()) h = h * 131 + b;
    return h;
  }
};
