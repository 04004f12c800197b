// JsonWriter: separators, escaping on every code path (short words, 16-byte
// blocks, the slow path), UTF-8 refusal, numbers, and each value type's form.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <cmath>
#include <limits>
#include <string>

#include "serial/text_format.hpp"
#include "serial/validators.hpp"

namespace {

using namespace covet;

std::string write(auto&& f) {
  JsonWriter w;
  f(w);
  return w.take();
}

// The escaping JSON needs, byte by byte: the reference the fast paths must match.
std::string reference_quote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

TEST(JsonWriter, SeparatorsFollowTheShapeWithoutAStack) {
  std::string s = write([](JsonWriter& w) {
    w.begin_array();
    w.value(1);
    w.value(2);
    w.begin_object();
    w.key("a");
    w.value(true);
    w.key("b");
    w.null();
    w.key("c");
    w.begin_array();
    w.end_array();
    w.key("d");
    w.begin_object();
    w.end_object();
    w.end_object();
    w.value("x");
    w.end_array();
  });
  EXPECT_EQ(s, R"([1,2,{"a":true,"b":null,"c":[],"d":{}},"x"])");
}

TEST(JsonWriter, EscapesExactlyWhatJsonRequiresAtEveryPositionAndLength) {
  // Each length from 0 to 40 crosses the short-word, 16-byte-block and
  // overlapping-tail paths; a special byte is put at every position.
  const std::string specials = std::string("\"\\\n\t\x01\x1f\b\f\r", 9);
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string plain;
    for (std::size_t i = 0; i < n; ++i) plain += static_cast<char>('a' + i % 26);
    EXPECT_EQ(write([&](JsonWriter& w) { w.value(plain); }), reference_quote(plain)) << n;
    for (std::size_t at = 0; at < n; ++at)
      for (char sp : specials) {
        std::string s = plain;
        s[at] = sp;
        ASSERT_EQ(write([&](JsonWriter& w) { w.value(s); }), reference_quote(s)) << n << " " << at;
      }
  }
}

TEST(JsonWriter, NonAsciiTextIsCopiedAndInvalidUtf8IsRefused) {
  for (std::string s : {"héllo wörld", "Ωmega Жук 日本語 🙂", "a long text with ü after sixteen bytes", "\xF0\x9D\x84\x9E"})
    EXPECT_EQ(write([&](JsonWriter& w) { w.value(s); }), "\"" + s + "\"");
  // Invalid sequences, at the start, the middle and cut off at the end of
  // texts short and long.
  for (std::string bad : {"\xC3\x28", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80", "\xFF"}) {
    for (std::string s : {bad, "abc" + bad, "0123456789abcdef" + bad + "xyz", std::string("abcdefghij") + bad}) {
      JsonWriter w;
      EXPECT_THROW(w.value(s), InvalidArgument) << s;
    }
  }
  JsonWriter w;
  try {
    w.value(std::string("abc\xE2\x82", 5));  // a three-byte sequence cut short
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("not valid UTF-8"), std::string::npos) << e.what();
  }
}

TEST(JsonWriter, KeysAreEscapedToo) {
  EXPECT_EQ(write([](JsonWriter& w) {
              w.begin_object();
              w.key("a\"b");
              w.value(1);
              w.end_object();
            }),
            R"({"a\"b":1})");
}

TEST(JsonWriter, NumbersAreShortestRoundTripAndFloatsLookLikeFloats) {
  EXPECT_EQ(write([](JsonWriter& w) {
              w.begin_array();
              w.value(int64_t{0});
              w.value(std::numeric_limits<int64_t>::min());
              w.value(std::numeric_limits<int64_t>::max());
              w.value(int32_t{-7});
              w.value(3.0);
              w.value(0.1);
              w.value(-0.5);
              w.value(1e21);
              w.value(123456789012345.0);
              w.value(5e-324);
              w.end_array();
            }),
            "[0,-9223372036854775808,9223372036854775807,-7,3.0,0.1,-0.5,1e+21,123456789012345.0,5e-324]");
  JsonWriter w;
  EXPECT_THROW(w.value(std::nan("")), InvalidArgument);
  EXPECT_THROW(w.value(std::numeric_limits<double>::infinity()), InvalidArgument);
  EXPECT_THROW(w.value(-std::numeric_limits<double>::infinity()), InvalidArgument);
}

TEST(JsonWriter, TheSerializersIntegerFormMatchesToChars) {
  const int64_t cases[] = {0, 1, 9, 10, 42, 99, 100, 101, 999, 1000, 1001, 9999, 10000, 10001, 123456789,
                           -1, -9, -10, -99, -100, -9999, -10000,
                           std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()};
  for (int64_t v : cases) {
    char buf[24];
    char* e = detail::write_int(buf, v);
    EXPECT_EQ(std::string(buf, e), std::to_string(v));
  }
}

TEST(JsonWriter, TimesAreRfc3339InUtcWithMicroseconds) {
  EXPECT_EQ(write([](JsonWriter& w) { w.value(DateTime(2024, 1, 15, 10, 30, 0, 123456)); }),
            "\"2024-01-15T10:30:00.123456Z\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(DateTime(2024, 2, 29, 0, 0, 0)); }), "\"2024-02-29T00:00:00.000000Z\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(DateTime(1969, 12, 31, 23, 59, 59, 999999)); }),
            "\"1969-12-31T23:59:59.999999Z\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(DateTime::from_unix_micros(DateTime::kMinMicros)); }),
            "\"0001-01-01T00:00:00.000000Z\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(DateTime::from_unix_micros(DateTime::kMaxMicros)); }),
            "\"9999-12-31T23:59:59.999999Z\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(Date(2000, 3, 1)); }), "\"2000-03-01\"");
}

TEST(JsonWriter, EveryDateHasTheSameTextAsDateToString) {
  // Every day near the epoch, then every 7th across years 1-9999.
  auto check = [](int32_t d) {
    char buf[10];
    detail::write_date(buf, d);
    ASSERT_EQ(std::string(buf, 10), Date::from_days(d).to_string()) << d;
  };
  for (int32_t d = -800; d <= 800; ++d) check(d);
  for (int32_t d = Date::kMinDays; d <= Date::kMaxDays; d += 7) check(d);
  check(Date::kMaxDays);
}

TEST(JsonReaderHelpers, TheInlineTimeParserAgreesWithDateTimeParse) {
  // Every written form reads back, and the inline parser and DateTime::parse agree.
  for (int64_t us = DateTime::kMinMicros; us < DateTime::kMaxMicros; us += 86'399'123'457LL * 37) {
    char buf[32];
    char* e = detail::write_rfc3339(buf, us);
    std::string_view text(buf, static_cast<std::size_t>(e - buf));
    int64_t got = 0;
    ASSERT_TRUE(detail::parse_rfc3339_utc(text, got)) << text;
    ASSERT_EQ(got, us) << text;
    ASSERT_EQ(DateTime::parse(text).unix_micros(), us) << text;
  }
  int64_t out = 0;
  EXPECT_TRUE(detail::parse_rfc3339_utc("2024-02-29T23:59:59Z", out));
  EXPECT_EQ(out, DateTime(2024, 2, 29, 23, 59, 59).unix_micros());
  for (std::string_view bad : {"2023-02-29T00:00:00Z", "2024-13-01T00:00:00Z", "2024-00-10T00:00:00Z", "2024-01-32T00:00:00Z",
                               "2024-01-01T24:00:00Z", "2024-01-01T00:60:00Z", "0000-01-01T00:00:00Z",
                               "2024-01-01 00:00:00Z", "2024-01-01T00:00:00+01:00", "2024-01-01T00:00:00.12345Z",
                               "2024-01-01T00:00:00.1234567Z", "2024-01-01T00:00:0aZ", "1900-02-29T00:00:00Z"})
    EXPECT_FALSE(detail::parse_rfc3339_utc(bad, out)) << bad;
  EXPECT_TRUE(detail::parse_rfc3339_utc("2000-02-29T00:00:00Z", out));
  // The storage form too, through DateTime::parse's fast path, agreeing with the slow one.
  for (std::string_view text : {"2024-01-15 10:30:00", "2024-01-15 10:30:00.000001", "1969-12-31 23:59:59.999999",
                                "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999", "2024-01-15T10:30:00"}) {
    ASSERT_TRUE(detail::parse_datetime_fast(text, out)) << text;
    std::string slow(text);
    slow += "+00:00";  // the same instant, through the general path
    EXPECT_EQ(DateTime::parse(slow).unix_micros(), out) << text;
    EXPECT_EQ(DateTime::parse(text).unix_micros(), out) << text;
  }
  // Each byte of the microsecond forms (checked 8 at a time) refused when
  // it is not what belongs there.
  for (std::string form : {std::string("2024-01-15 10:30:00.250000"), std::string("2024-01-15T10:30:00.250000Z")}) {
    ASSERT_TRUE(detail::parse_datetime_fast(form, out)) << form;
    for (std::size_t i = 0; i < form.size(); ++i) {
      for (char c : {'/', ':', '-', '.', ' ', 'a', '\0', '\x80', '\xb9', '0', '9', 'T', 'Z'}) {
        std::string t = form;
        t[i] = c;
        const bool digit_place = std::string_view("0123456789").find(form[i]) != std::string_view::npos;
        bool expect = digit_place ? (c >= '0' && c <= '9') : (c == form[i] || (i == 10 && (c == ' ' || c == 'T')));
        if (expect && digit_place) {  // a digit: valid unless the date or time goes out of range
          expect = detail::parse_datetime_fast(t, out);
          if (expect) {
            EXPECT_EQ(DateTime::parse(t.substr(0, 26) + "+00:00").unix_micros(), out) << t;
          }
          continue;
        }
        EXPECT_EQ(detail::parse_datetime_fast(t, out), expect) << i << " " << t;
      }
    }
  }
  EXPECT_FALSE(detail::parse_datetime_fast("2024-01-15 10:30:00Z0", out));
  EXPECT_FALSE(detail::parse_datetime_fast("2024-01-15X10:30:00", out));
}

TEST(JsonReaderHelpers, NulAndNameChecksCoverEveryLength) {
  for (std::size_t n = 0; n <= 40; ++n) {
    std::string s(n, 'k');
    EXPECT_FALSE(detail::has_nul(s));
    EXPECT_TRUE(detail::same_name(s, s));
    EXPECT_TRUE(detail::is_ascii(s));
    for (std::size_t i = 0; i < n; ++i) {
      std::string t = s;
      t[i] = '\0';
      EXPECT_TRUE(detail::has_nul(t)) << n << " " << i;
      EXPECT_FALSE(detail::same_name(s, t)) << n << " " << i;
      t[i] = '\x80';
      EXPECT_FALSE(detail::is_ascii(t)) << n << " " << i;
    }
    EXPECT_FALSE(detail::same_name(s, s + "k"));
  }
}

// Django's EmailValidator's own accept and reject cases (ASCII ones).
TEST(JsonReaderHelpers, EmailCheckAgreesWithDjango) {
  for (const char* ok : {"email@here.com", "weirder-email@here.and.there.com", "email@[127.0.0.1]", "example@valid-----hyphens.com",
                         "example@valid-with-hyphens.com", "test@domain.with.idn.tld.xn--80akhbyknj4f", "\"test@test\"@example.com",
                         "a@b.co", "first.last@x.io", "\"\\\t\"@here.com", "o'brien+tag@mail.example.org", "a@xn--80ak6aa92e.com"}) {
    EXPECT_TRUE(detail::valid_email(ok)) << ok;
  }
  for (const char* bad : {"", "abc", "abc@", "abc@bar", "@example.com", "a @x.cz", "abc@.com", "something@@somewhere.com",
                          "email@127.0.0.1", "email@[127.0.0.256]", "example@invalid-.com", "example@-invalid.com",
                          "example@invalid.com-", "example@inv-.alid-.com", "example@inv-.-alid.com", "test@example.com\n\n<script",
                          "\"\\\n\"@here.com", R"("abc\"@here.com)", "trailingdot@shouldfail.com,", "a@b.c", "a@b.c1", ".a@x.com", "a.@x.com",
                          "a..b@x.com", "a@b@x.com", "\"a@x.com", "a@x..com", "a@[1.2.3.4", "a@b.example.com.", R"("q"@b.example.com.)"}) {
    EXPECT_FALSE(detail::valid_email(bad)) << bad;
  }
  EXPECT_FALSE(detail::valid_email(std::string(65, 'a') + "@x.com"));
  EXPECT_TRUE(detail::valid_email(std::string(64, 'a') + "@x.com"));
  EXPECT_FALSE(detail::valid_email("a@" + std::string(64, 'b') + ".com"));
}

// The 16-bytes-at-a-time path settles only addresses the byte-at-a-time
// check accepts, and the two agree on every address (random ones from the
// bytes that matter, every length the fast path takes and past it).
TEST(JsonReaderHelpers, CommonEmailPathAgreesWithTheByteCheck) {
#if defined(__SSE2__)
  constexpr bool kFastPath = true;
#else
  constexpr bool kFastPath = false;  // common_email settles nothing: the byte check decides all
#endif
  // The bytes that matter, and those just outside each range the fast path
  // tests (/ : ` { beside the digits and letters, NUL, bytes past ASCII).
  const std::string alphabet = std::string("ab.-@_+Z9\"[]x!/:`{\x80\xff") + '\0';
  uint64_t state = 0x9E3779B97F4A7C15ull;
  auto next = [&] {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    return state;
  };
  auto pick = [&](std::string_view from, std::size_t lo, std::size_t hi) {
    std::string out(lo + next() % (hi - lo + 1), 'a');
    for (char& c : out) c = from[next() % from.size()];
    return out;
  };
  int settled = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    if (i % 2) {
      s = pick(alphabet, 0, 36);
    } else {  // shaped like an address, each part sometimes wrong
      s = pick("ab.-_+9Z", 1, 10) + "@";
      for (std::size_t labels = 1 + next() % 3; labels > 0; --labels) s += pick("ab-9Z", 0, 6) + ".";
      s += pick(next() % 4 ? "abZ" : "ab9-.", 1, 4);
    }
    const bool fast = detail::common_email(s), bytes = detail::valid_email_bytes(s);
    if (fast) {
      ++settled;
      ASSERT_TRUE(bytes) << s;
    }
    ASSERT_EQ(detail::valid_email(s), bytes) << s;
  }
  if (kFastPath) {
    EXPECT_GT(settled, 10000);  // the fast path is taken
  }
  for (std::size_t n = 7; n <= 40; ++n) {  // every length: u@ + letters + .com (the fast path from 8 bytes)
    std::string s = "u@" + std::string(n - 6, 'd') + ".com";
    EXPECT_EQ(detail::common_email(s), kFastPath && n >= 8 && n <= 32) << s;
    EXPECT_TRUE(detail::valid_email(s)) << s;
  }
  for (const char* bad : {"a@b-.com", "a@-b.com", "a@b.-com", "a@b.com-", "a@b..com", "a@.b.com", "a@b.com.", ".a@b.com",
                          "a.@b.com", "a..a@b.com", "a@b.c", "a@b.c1", "a@bcom", "@b.com", "a@b@c.com", "a b@c.com"}) {
    EXPECT_FALSE(detail::common_email(bad)) << bad;
    EXPECT_FALSE(detail::valid_email(bad)) << bad;
  }
}

TEST(JsonWriter, OtherKindsHaveTheirDocumentedForms) {
  Uuid u = Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(write([&](JsonWriter& w) { w.value(u); }), "\"123e4567-e89b-12d3-a456-426614174000\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(Decimal("-12.50")); }), "\"-12.50\"");
  EXPECT_EQ(write([](JsonWriter& w) { w.value(Json::parse(R"({"a": [1, 2]})")); }), R"({"a":[1,2]})");
  const std::pair<std::string, std::string> b64[] = {
      {"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="}, {std::string("\0\xff", 2), "AP8="}};
  for (const auto& [raw, text] : b64) EXPECT_EQ(write([&](JsonWriter& w) { w.value(Bytes::from(raw)); }), "\"" + text + "\"");
  EXPECT_EQ(write([](JsonWriter& w) {
              w.value(Value(Array{Value(), Value(true), Value(1), Value(1.5), Value("s"), Value(Date(2020, 1, 2))}));
            }),
            R"([null,true,1,1.5,"s","2020-01-02"])");
  EXPECT_EQ(write([](JsonWriter& w) {
              w.begin_array();
              w.value(std::optional<int>());
              w.value(std::optional<int>(4));
              w.value(std::vector<std::string>{"a", "b"});
              w.end_array();
            }),
            R"([null,4,["a","b"]])");
}

TEST(JsonWriter, BufferGrowsTakesAndStartsOver) {
  JsonWriter w(1);
  w.begin_array();
  std::string big(100'000, 'x');
  for (int i = 0; i < 5; ++i) w.value(big);
  w.end_array();
  EXPECT_EQ(w.size(), 5 * 100'002 + 4 + 2);
  std::string s = w.take();
  EXPECT_EQ(s.size(), 5 * 100'002 + 4 + 2);
  EXPECT_TRUE(w.empty());
  w.value(1);
  w.clear();
  w.value(2);
  w.newline();
  w.value(3);
  EXPECT_EQ(w.view(), "2\n3");
  JsonWriter moved = std::move(w);
  EXPECT_EQ(moved.view(), "2\n3");
  moved.value(4);
  EXPECT_EQ(moved.view(), "2\n3,4");
}

}  // namespace
