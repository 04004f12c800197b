#include <covet/core/date_time.hpp>
#include <covet/core/error.hpp>
#include <gtest/gtest.h>

using namespace covet;

TEST(Date, ValidatesTheCalendar) {
  EXPECT_NO_THROW(Date(2024, 2, 29));
  EXPECT_THROW(Date(2023, 2, 29), InvalidArgument);
  EXPECT_THROW(Date(2023, 13, 1), InvalidArgument);
  EXPECT_THROW(Date::parse("2023-1-01"), InvalidArgument);
  EXPECT_THROW(Date::parse("2023-02-30"), InvalidArgument);
}

TEST(Date, ParsesAndFormatsIso) {
  Date d = Date::parse("1999-12-31");
  EXPECT_EQ(d.year(), 1999);
  EXPECT_EQ(d.month(), 12u);
  EXPECT_EQ(d.day(), 31u);
  EXPECT_EQ(d.to_string(), "1999-12-31");
  EXPECT_EQ(Date(1970, 1, 1).days_since_epoch(), 0);
  EXPECT_LT(Date(1969, 12, 31), Date(1970, 1, 1));
}

TEST(DateTime, StorageFormKeepsMicrosecondsOnlyWhenSet) {
  EXPECT_EQ(DateTime(2024, 5, 6, 7, 8, 9).to_string(), "2024-05-06 07:08:09");
  EXPECT_EQ(DateTime(2024, 5, 6, 7, 8, 9, 123).to_string(), "2024-05-06 07:08:09.000123");
  EXPECT_EQ(DateTime(2024, 5, 6, 7, 8, 9, 123).to_iso(), "2024-05-06T07:08:09.000123Z");
}

TEST(DateTime, ParsesIsoVariantsToUtc) {
  DateTime ref(2024, 5, 6, 7, 8, 9, 500000);
  EXPECT_EQ(DateTime::parse("2024-05-06 07:08:09.5"), ref);
  EXPECT_EQ(DateTime::parse("2024-05-06T07:08:09.500000Z"), ref);
  EXPECT_EQ(DateTime::parse("2024-05-06T09:08:09.5+02:00"), ref);
  EXPECT_EQ(DateTime::parse("2024-05-06T02:38:09.5-04:30"), ref);
  EXPECT_EQ(DateTime::parse("2024-05-06"), DateTime(2024, 5, 6));
  EXPECT_EQ(DateTime::parse("2024-05-06 07:08"), DateTime(2024, 5, 6, 7, 8));
  EXPECT_THROW(DateTime::parse("2024-05-06 25:00:00"), InvalidArgument);
  EXPECT_THROW(DateTime::parse("2024-05-06 07:08:09Zjunk"), InvalidArgument);
  EXPECT_THROW(DateTime::parse("yesterday"), InvalidArgument);
}

TEST(DateTime, TextOrderMatchesTimeOrder) {
  DateTime a(2024, 1, 1), b(2024, 1, 1, 0, 0, 0, 1), c(2024, 1, 1, 0, 0, 1);
  EXPECT_LT(a.to_string(), b.to_string());
  EXPECT_LT(b.to_string(), c.to_string());
}

TEST(DateTime, BeforeEpochSplitsIntoFields) {
  DateTime t(1969, 12, 31, 23, 59, 59, 999999);
  EXPECT_EQ(t.unix_micros(), -1);
  EXPECT_EQ(t.year(), 1969);
  EXPECT_EQ(t.hour(), 23u);
  EXPECT_EQ(t.microsecond(), 999999u);
  EXPECT_EQ(t.to_string(), "1969-12-31 23:59:59.999999");
}

TEST(DateTime, NowIsCurrent) {
  EXPECT_GT(DateTime::now(), DateTime(2024, 1, 1));
  EXPECT_EQ(DateTime::now().date(), Date::today());
}
