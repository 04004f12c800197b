#pragma once
// An exact decimal number held as its canonical text ("-12.50"): covet moves
// decimals between the database and the wire without rounding through double.
// Comparison is numeric (1.5 == 1.50). A value type; thread-safe.
#include <compare>
#include <string>
#include <string_view>

namespace covet {

class Decimal {
 public:
  Decimal() : text_("0") {}
  // Accepts [+-]digits[.digits] and exponent forms (1.5e3); throws InvalidArgument otherwise.
  explicit Decimal(std::string_view text);
  static Decimal from_double(double v, int decimal_places);

  const std::string& to_string() const { return text_; }
  double to_double() const;
  // Digits before and after the point, for max_digits / decimal_places checks.
  int integer_digits() const;
  int fraction_digits() const;
  // Rounds half away from zero to `places` fraction digits (pads with zeros).
  Decimal quantize(int places) const;

  friend bool operator==(const Decimal& a, const Decimal& b) { return (a <=> b) == 0; }
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b);

 private:
  std::string text_;  // canonical: optional '-', digits without leading zeros, optional '.' digits
};

}  // namespace covet
