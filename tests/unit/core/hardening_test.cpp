// Regression tests for the hardening issue's core items: text validity,
// Unicode lowercasing, DateTime range and std::chrono arithmetic, strict
// decimals, checked Record access, bounded Q trees, URL parsing, CHECK
// expressions. Each failed on the foundation.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <chrono>
#include <cmath>
#include <string>

#include "covet/core/text.hpp"

namespace {

using namespace covet;
using namespace std::chrono_literals;

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ------------------------------------------------------------------ text
TEST(TextValidity, NulAndInvalidUtf8AreProblemsValidTextIsNot) {
  EXPECT_FALSE(text_problem("plain ascii").has_value());
  EXPECT_FALSE(text_problem("Ωmega Жук 日本語 🙂").has_value());
  EXPECT_TRUE(has(*text_problem(std::string("admin\0-x", 8)), "NUL byte (at offset 5)"));
  EXPECT_TRUE(has(*text_problem("a" + std::string(1000, '\x80')), "byte 0x80 at offset 1"));
  EXPECT_TRUE(text_problem("\xC0\xAF").has_value());            // overlong '/'
  EXPECT_TRUE(text_problem("\xED\xA0\x80").has_value());        // a UTF-16 surrogate
  EXPECT_TRUE(text_problem("\xF4\x90\x80\x80").has_value());    // past U+10FFFF
  EXPECT_TRUE(text_problem("abc\xE2\x82").has_value());         // truncated sequence
}

TEST(TextValidity, ValueToJsonRefusesInvalidUtf8) {
  EXPECT_THROW(Value(std::string("a\xff")).to_json(), InvalidArgument);
  EXPECT_THROW(Value(Array{Value("ok"), Value(std::string("\x80"))}).to_json(), InvalidArgument);
  EXPECT_EQ(Value(std::string("a\0b", 3)).to_json(), "\"a\\u0000b\"");  // NUL is valid JSON text
  EXPECT_EQ(Value("Жук").to_json(), "\"Жук\"");
}

TEST(Lowercase, FoldsLettersTheFoundationMissed) {
  EXPECT_EQ(casefold("Ά Έ Ή Ί Ό Ύ Ώ"), "ά έ ή ί ό ύ ώ");
  EXPECT_EQ(casefold("İstanbul"), "istanbul");  // simple mapping: İ → i
  EXPECT_EQ(casefold("Ǆ ǅ ǆ"), "ǆ ǆ ǆ");
  EXPECT_EQ(casefold("ԱՐԱՐԱՏ"), "արարատ");
  EXPECT_EQ(casefold("ႠႡ ᏸ Ａ Ꙁ 𐐀 𞤀"), "ⴀⴁ ᏸ ａ ꙁ 𐐨 𞤢");  // Georgian, Cherokee small, fullwidth, Deseret, Adlam
  EXPECT_EQ(casefold("ẞ Σ ς"), "ß σ ς");  // what PostgreSQL's lower() gives
  EXPECT_EQ(casefold("ĀāĂ ŸŹ"), "āāă ÿź");
}

TEST(Lowercase, AgreesWithTheTableOnEveryLatinAndGreekLetter) {
  // Spot checks across the generated runs' strides.
  EXPECT_EQ(lowercase(U'A'), U'a');
  EXPECT_EQ(lowercase(U'a'), U'a');
  EXPECT_EQ(lowercase(0x0100), 0x0101u);
  EXPECT_EQ(lowercase(0x0101), 0x0101u);
  EXPECT_EQ(lowercase(0x0130), 0x0069u);
  EXPECT_EQ(lowercase(0x0391), 0x03B1u);
  EXPECT_EQ(lowercase(0x10570), 0x10597u);  // Vithkuqi: a stride-1 run
  EXPECT_EQ(lowercase(0x10571), 0x10598u);
  EXPECT_EQ(lowercase(0x1F600), 0x1F600u);
}

// -------------------------------------------------------------- DateTime
TEST(DateTimeRange, OffsetsThatLeaveYears1To9999AreRefused) {
  EXPECT_THROW(DateTime::parse("0001-01-01T00:30:00+01:00"), InvalidArgument);
  EXPECT_THROW(DateTime::parse("9999-12-31T23:30:00-01:00"), InvalidArgument);
  EXPECT_EQ(DateTime::parse("0001-01-01T01:30:00+01:00").to_string(), "0001-01-01 00:30:00");
  EXPECT_EQ(DateTime::parse("9999-12-31T22:30:00-01:00").to_string(), "9999-12-31 23:30:00");
}

TEST(DateTimeRange, FromUnixMicrosFarOutOfRangeThrowsInsteadOfGarbage) {
  EXPECT_THROW(DateTime::from_unix_micros(INT64_MAX), InvalidArgument);
  EXPECT_THROW(DateTime::from_unix_micros(INT64_MIN), InvalidArgument);
  EXPECT_THROW(DateTime::from_unix_micros(DateTime::kMaxMicros + 1), InvalidArgument);
  EXPECT_EQ(DateTime::from_unix_micros(DateTime::kMaxMicros).to_string(), "9999-12-31 23:59:59.999999");
  EXPECT_EQ(DateTime::from_unix_micros(DateTime::kMinMicros).to_string(), "0001-01-01 00:00:00");
  EXPECT_THROW(Date::from_days(Date::kMaxDays + 1), InvalidArgument);
  EXPECT_THROW(Date::from_days(INT32_MIN), InvalidArgument);
}

TEST(DateTimeChrono, ArithmeticWithDurations) {
  DateTime t(2026, 3, 1, 12, 0, 0);
  EXPECT_EQ((t - 24h).to_string(), "2026-02-28 12:00:00");
  EXPECT_EQ((t + std::chrono::days(31)).to_string(), "2026-04-01 12:00:00");
  EXPECT_EQ((t + 1500ms).to_string(), "2026-03-01 12:00:01.500000");
  EXPECT_EQ((t + std::chrono::nanoseconds(1999)).unix_micros(), t.unix_micros() + 1);  // truncated to microseconds
  EXPECT_EQ((t + 90min) - t, std::chrono::microseconds(90 * 60 * 1'000'000LL));
  DateTime u = t;
  u += std::chrono::weeks(1);
  u -= 1h;
  EXPECT_EQ(u.to_string(), "2026-03-08 11:00:00");
  EXPECT_THROW(DateTime(9999, 12, 31) + std::chrono::days(1), InvalidArgument);
  EXPECT_THROW(DateTime(1, 1, 1) - 1us, InvalidArgument);
  EXPECT_THROW(t + std::chrono::microseconds(INT64_MAX), InvalidArgument);
  EXPECT_EQ((Date(2024, 2, 28) + std::chrono::days(1)).to_string(), "2024-02-29");
  EXPECT_EQ(Date(2024, 3, 1) - Date(2024, 2, 1), std::chrono::days(29));
}

TEST(DateTimeChrono, ComparisonsAndConversionsNeverOverflow) {
  auto now = std::chrono::system_clock::now();  // nanoseconds: only years 1678-2262 fit
  EXPECT_TRUE(DateTime(3000, 1, 1) > now);
  EXPECT_TRUE(DateTime(1500, 1, 1) < now);
  EXPECT_FALSE(DateTime(1500, 1, 1) == now);
  std::chrono::sys_seconds coarse{std::chrono::seconds(10)};
  EXPECT_TRUE(DateTime::from_unix_micros(10'000'000) == coarse);
  EXPECT_TRUE(DateTime::from_unix_micros(10'000'001) > coarse);
  EXPECT_TRUE(DateTime::from_unix_micros(9'999'999) < coarse);
  std::chrono::sys_time<std::chrono::nanoseconds> fine{std::chrono::nanoseconds(10'000'000'001)};
  EXPECT_TRUE(DateTime::from_unix_micros(10'000'000) < fine);
  EXPECT_TRUE(DateTime::from_unix_micros(10'000'001) > fine);
  EXPECT_TRUE(DateTime(9999, 1, 1) < std::chrono::sys_seconds::max());
  EXPECT_THROW(DateTime(std::chrono::sys_seconds::max()), InvalidArgument);
  EXPECT_THROW(DateTime(std::chrono::sys_days::min()), InvalidArgument);
  DateTime t(2026, 1, 1);
  EXPECT_THROW(t + std::chrono::seconds(INT64_MAX / 10), InvalidArgument);
  EXPECT_THROW(t - std::chrono::hours(INT64_MAX), InvalidArgument);
  EXPECT_THROW(t + std::chrono::duration<double>(1e300), InvalidArgument);
  EXPECT_THROW(t + std::chrono::duration<double>(std::nan("")), InvalidArgument);
  EXPECT_THROW(Date(2026, 1, 1) + std::chrono::days(INT64_MAX), InvalidArgument);
  EXPECT_THROW(Date(2026, 1, 1) - std::chrono::days(INT64_MIN), InvalidArgument);
  EXPECT_THROW(Date(2026, 1, 1).plus_days(INT64_MIN), InvalidArgument);
  EXPECT_EQ((t + std::chrono::duration<double>(1.5)).to_string(), "2026-01-01 00:00:01.500000");
  Value day = std::chrono::sys_days{std::chrono::year{2026} / 2 / 3};  // a day is a Date
  EXPECT_EQ(day, Value(Date(2026, 2, 3)));
}

TEST(DateTimeChrono, ConvertsAndComparesWithSystemClock) {
  auto now = std::chrono::system_clock::now();
  DateTime d = now;  // implicit, truncated to microseconds
  EXPECT_EQ(d.time_point(), std::chrono::floor<std::chrono::microseconds>(now));
  EXPECT_TRUE(d <= now);
  EXPECT_TRUE(d - 1s < now);
  EXPECT_TRUE(DateTime(2000, 1, 1) < now);
  EXPECT_TRUE(DateTime::from_time_point(std::chrono::sys_days{std::chrono::year{2026} / 1 / 2}) == DateTime(2026, 1, 2));
  Value v = now - 1h;  // a time point is a DateTime value
  EXPECT_TRUE(v.is<DateTime>());
}

// --------------------------------------------------------------- Decimal
TEST(DecimalStrict, ParsingIsSymmetricAndStrict) {
  EXPECT_EQ(Decimal("-999999999999999999").to_string(), "-999999999999999999");
  EXPECT_EQ(Decimal("999999999999999999").to_string(), "999999999999999999");
  EXPECT_EQ(Decimal("1e+5").to_string(), "100000");
  EXPECT_EQ(Decimal("-1.5E-2").to_string(), "-0.015");
  EXPECT_EQ(Decimal(".5").to_string(), "0.5");
  for (const char* bad : {"1e+-5", "1e-+5", "1e", "1e+", "--1", "+-1", "-", ".", "e5", "1.2.3", " 1", "1 ", "1e5.0",
                          "inf", "NaN", "0x10", "1_000", "1e1001"})
    EXPECT_THROW(Decimal{bad}, InvalidArgument) << bad;
}

// ---------------------------------------------------------------- Record
TEST(RecordAccess, IndexOutOfRangeIsAnErrorNotARead) {
  Record r(std::make_shared<std::vector<std::string>>(std::vector<std::string>{"a", "b"}), {Value(1), Value(2)});
  EXPECT_EQ(r[1], Value(2));
  EXPECT_THROW(r[2], FieldError);
  EXPECT_THROW(r[static_cast<std::size_t>(-1)], FieldError);
}

// -------------------------------------------------------------------- Q
TEST(QDepth, DeepTreesAreRefusedWhenBuiltNotCrashedOn) {
  Q q("a", 1);
  int levels = 0;
  try {
    for (int i = 0; i < 40000; ++i) {
      q = (i % 2 ? (q & Q("b", i)) : (q | Q("c", i)));
      ++levels;
    }
    FAIL() << "40,000 alternating levels were accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_TRUE(has(e.what(), "nest more than 64 levels")) << e.what();
  }
  EXPECT_EQ(levels, Q::kMaxDepth - 1);
  EXPECT_EQ(q.node().depth, Q::kMaxDepth);
  Q copy = q;  // copying shares the tree
  EXPECT_EQ(&copy.node(), &q.node());
}

TEST(QDepth, LongFlatChainsStayOneLevel) {
  Q q;
  for (int i = 0; i < 3000; ++i) q = q | Q("id", i);
  EXPECT_EQ(q.node().children.size(), 3000u);
  EXPECT_EQ(q.node().depth, 2);
  Q n = ~~~q;  // negation adds no level
  EXPECT_EQ(n.node().depth, 2);
  EXPECT_TRUE(n.node().negated);
}

TEST(QDepth, HandBuiltNodesAreMeasuredNotTrusted) {
  auto deep = std::make_shared<QNode>();
  deep->kind = QNode::Kind::Leaf;
  deep->path = "id";
  deep->value = 1;
  std::shared_ptr<const QNode> cur = deep;
  for (int i = 0; i < 100; ++i) {
    auto n = std::make_shared<QNode>();
    n->kind = i % 2 ? QNode::Kind::And : QNode::Kind::Or;
    n->depth = 1;  // a lie
    n->children = {cur, cur};  // shared: measured once
    cur = n;
  }
  QNode top = *cur;
  EXPECT_THROW(Q{top}, InvalidArgument);
  QNode null_child;
  null_child.children.push_back(nullptr);
  EXPECT_THROW(Q{null_child}, InvalidArgument);
}

// ------------------------------------------------------------------ URL
TEST(UrlHardening, SchemeIsCaseInsensitive) {
  EXPECT_EQ(Url::parse("SQLITE://:memory:").scheme, "sqlite");
  EXPECT_EQ(Url::parse("PostgreSQL://u@h/db").scheme, "postgresql");
}

TEST(UrlHardening, NulBytesAndRepeatedOptionsAreRefused) {
  EXPECT_THROW(Url::parse("sqlite:///app%00.db"), ConfigurationError);
  EXPECT_THROW(Url::parse(std::string_view("sqlite:///app\0.db", 17)), ConfigurationError);
  EXPECT_THROW(Url::parse("sqlite:///a.db?timeout=1&timeout=2"), ConfigurationError);
  EXPECT_THROW(Url::parse("postgresql://u:p%00w@h/db"), ConfigurationError);
}

// -------------------------------------------------------- CHECK expressions
TEST(CheckExpression, OneSelfContainedExpressionIsAccepted) {
  for (const char* ok : {"length(username) >= 3", "x >= 0 AND (y IS NULL OR y < 10)", "name <> ')'",
                         "\"odd)name\" > 0", "status IN ('a', 'b''s')"})
    EXPECT_FALSE(sql_expression_problem(ok).has_value()) << ok;
}

TEST(CheckExpression, TextThatCouldLeaveItsCheckIsRefused) {
  EXPECT_TRUE(has(*sql_expression_problem("x >= 0)); DROP TABLE victim; CREATE TABLE zz (y CHECK (1"),
                  "closes a parenthesis"));
  EXPECT_TRUE(has(*sql_expression_problem("x > 0; DROP TABLE t"), "';'"));
  EXPECT_TRUE(has(*sql_expression_problem("x > 0 -- c"), "comment"));
  EXPECT_TRUE(has(*sql_expression_problem("x > 0 /* c */"), "comment"));
  EXPECT_TRUE(has(*sql_expression_problem("(x > 0"), "parenthesis open"));
  EXPECT_TRUE(has(*sql_expression_problem("x = 'open"), "quote"));
  EXPECT_TRUE(has(*sql_expression_problem("x = E'\\'' ) , y int CHECK (1"), "backslash"));
  EXPECT_TRUE(has(*sql_expression_problem("x = $$ ) $$"), "'$'"));
  // Quotes only one backend knows: SQLite's [..] and `..`, PostgreSQL's $tag$.
  EXPECT_TRUE(has(*sql_expression_problem("CAST(1 AS [']) > 0)) --')"), "'['"));
  EXPECT_TRUE(has(*sql_expression_problem("CAST(1 AS `'`) > 0), CHECK (1)) --')"), "'`'"));
  EXPECT_TRUE(has(*sql_expression_problem("($\xc3\xa9$'$\xc3\xa9$ IS NOT NULL))) --')"), "'$'"));
  EXPECT_TRUE(has(*sql_expression_problem("x > \xc3\xa9"), "0xc3"));
  EXPECT_FALSE(sql_expression_problem("name <> 'été' AND x::int > 0").has_value());
  EXPECT_TRUE(has(*sql_expression_problem("   "), "empty"));
  EXPECT_TRUE(sql_expression_problem(std::string_view("x > 0\0)", 7)).has_value());
}

}  // namespace
