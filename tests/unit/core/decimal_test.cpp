#include <covet/core/decimal.hpp>
#include <covet/core/error.hpp>
#include <gtest/gtest.h>

using namespace covet;

TEST(Decimal, CanonicalisesText) {
  EXPECT_EQ(Decimal("007.50").to_string(), "7.50");
  EXPECT_EQ(Decimal("-0.0").to_string(), "0.0");
  EXPECT_EQ(Decimal("+3").to_string(), "3");
  EXPECT_EQ(Decimal("1.5e3").to_string(), "1500");
  EXPECT_EQ(Decimal("15e-3").to_string(), "0.015");
  EXPECT_EQ(Decimal(".5").to_string(), "0.5");
}

TEST(Decimal, RejectsNonNumbers) {
  for (const char* bad : {"", "abc", "1.2.3", "--1", "1e", "NaN", "inf", "1 "}) EXPECT_THROW(Decimal{bad}, InvalidArgument) << bad;
}

TEST(Decimal, ComparesNumerically) {
  EXPECT_EQ(Decimal("1.5"), Decimal("1.50"));
  EXPECT_LT(Decimal("9"), Decimal("10"));
  EXPECT_LT(Decimal("-10"), Decimal("-9"));
  EXPECT_LT(Decimal("-0.1"), Decimal("0"));
  EXPECT_GT(Decimal("0.10000000000000000001"), Decimal("0.1"));
}

TEST(Decimal, QuantizeRoundsHalfAwayFromZero) {
  EXPECT_EQ(Decimal("2.345").quantize(2).to_string(), "2.35");
  EXPECT_EQ(Decimal("-2.345").quantize(2).to_string(), "-2.35");
  EXPECT_EQ(Decimal("9.999").quantize(2).to_string(), "10.00");
  EXPECT_EQ(Decimal("1").quantize(2).to_string(), "1.00");
  EXPECT_EQ(Decimal::from_double(0.99, 2).to_string(), "0.99");
}

TEST(Decimal, CountsDigits) {
  EXPECT_EQ(Decimal("12345.678").integer_digits(), 5);
  EXPECT_EQ(Decimal("12345.678").fraction_digits(), 3);
  EXPECT_EQ(Decimal("0.5").integer_digits(), 0);
}
