#include <covet/core/error.hpp>
#include <covet/core/json.hpp>
#include <covet/core/uuid.hpp>
#include <covet/core/value.hpp>
#include <gtest/gtest.h>

#include <cmath>
#include <set>

using namespace covet;

TEST(Value, HoldsEachKindAndReportsItsType) {
  EXPECT_EQ(Value().type(), Value::Type::Null);
  EXPECT_EQ(Value(nullptr).type(), Value::Type::Null);
  EXPECT_EQ(Value(true).type(), Value::Type::Bool);
  EXPECT_EQ(Value(42).type(), Value::Type::Int);
  EXPECT_EQ(Value(int64_t{1} << 62).as_int(), int64_t{1} << 62);
  EXPECT_EQ(Value(2.5).type(), Value::Type::Double);
  EXPECT_EQ(Value("text").type(), Value::Type::String);
  EXPECT_EQ(Value(std::string("s")).as_string(), "s");
  EXPECT_EQ(Value(Date(2024, 2, 29)).type(), Value::Type::Date);
  EXPECT_EQ(Value(std::vector<int>{1, 2}).as_array().size(), 2u);
  EXPECT_EQ(Value(std::optional<int>()).type(), Value::Type::Null);
  EXPECT_EQ(Value(std::optional<int>(7)).as_int(), 7);
}

TEST(Value, MismatchedAccessThrowsInvalidArgumentNamingBothTypes) {
  try {
    (void)Value("abc").as_int();
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("integer"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("string"), std::string::npos);
  }
}

TEST(Value, UnsignedAboveInt64MaxIsRejected) {
  EXPECT_THROW(Value(uint64_t{UINT64_MAX}), InvalidArgument);
  EXPECT_EQ(Value(uint64_t{5}).as_int(), 5);
}

TEST(Value, NumbersCompareAcrossIntAndDouble) {
  EXPECT_EQ(Value(2), Value(2.0));
  EXPECT_LT(Value(1), Value(1.5));
  EXPECT_NE(Value(1), Value("1"));
}

TEST(Value, RendersAsSqlLikeTextAndJson) {
  EXPECT_EQ(Value().to_string(), "NULL");
  EXPECT_EQ(Value("it's").to_string(), "'it's'");
  EXPECT_EQ(Value(Bytes{0, 255}).to_string(), "x'00ff'");
  EXPECT_EQ(Value(Array{1, "a\"b", nullptr}).to_json(), R"([1,"a\"b",null])");
  EXPECT_EQ(Value(DateTime(2024, 1, 2, 3, 4, 5, 6)).to_json(), R"("2024-01-02T03:04:05.000006Z")");
  EXPECT_THROW(Value(std::nan("")).to_json(), InvalidArgument);
}

TEST(Json, ParseValidatesAndMinifies) {
  EXPECT_EQ(Json::parse(R"( { "a" : [1, 2] } )").text(), R"({"a":[1,2]})");
  EXPECT_THROW(Json::parse("{bad"), InvalidArgument);
  EXPECT_THROW(Json::parse(""), InvalidArgument);
  EXPECT_TRUE(Json().is_null());
}

TEST(Json, StringEscapingCoversControlCharacters) {
  std::string out;
  append_json_string(out, std::string("a\n\x01\"\\", 5));
  EXPECT_EQ(out, R"("a\n\u0001\"\\")");
}

TEST(Json, ToValueMapsArraysAndScalars) {
  Value v = json_to_value(R"([1, "x", true, null, 2.5, {"k": 1}])");
  const Array& a = v.as_array();
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0].as_int(), 1);
  EXPECT_EQ(a[1].as_string(), "x");
  EXPECT_TRUE(a[2].as_bool());
  EXPECT_TRUE(a[3].is_null());
  EXPECT_DOUBLE_EQ(a[4].as_double(), 2.5);
  EXPECT_EQ(a[5].as_json().text(), R"({"k":1})");
}

TEST(Uuid, V4IsRandomVersionedAndRoundTrips) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    Uuid u = Uuid::v4();
    std::string s = u.to_string();
    ASSERT_EQ(s.size(), 36u);
    EXPECT_EQ(s[14], '4');
    EXPECT_TRUE(s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
    EXPECT_EQ(Uuid::parse(s), u);
    seen.insert(s);
  }
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_TRUE(Uuid().is_nil());
  EXPECT_EQ(Uuid::parse("550E8400E29B41D4A716446655440000").to_string(), "550e8400-e29b-41d4-a716-446655440000");
  EXPECT_THROW(Uuid::parse("550e8400-e29b-41d4-a716-44665544000g"), InvalidArgument);
  EXPECT_THROW(Uuid::parse("short"), InvalidArgument);
}

#include <covet/core/text.hpp>

TEST(Text, CasefoldLowersLatinGreekCyrillicAndKeepsTheRest) {
  EXPECT_EQ(casefold("ÀÉÎÕÜ Straße ŁÓDŹ"), "àéîõü straße łódź");
  EXPECT_EQ(casefold("ΑΘΗΝΑ ΟΔΟΣ"), "αθηνα οδοσ");
  EXPECT_EQ(casefold("МОСКВА Ёж"), "москва ёж");
  EXPECT_EQ(casefold("日本語 🙂 ABC"), "日本語 🙂 abc");
  EXPECT_EQ(casefold(std::string("A\xff\xfe" "B")), std::string("a\xff\xfe" "b"));  // invalid bytes kept
}

TEST(Text, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(utf8_length("abc"), 3u);
  EXPECT_EQ(utf8_length("é🙂日"), 3u);
}

TEST(JsonEquality, SameValueWhateverTheMemberOrderOrSpacing) {
  using covet::Json;
  EXPECT_EQ(Json::parse(R"({"a":1,"b":[1,2,{"c":null}]})"), Json::parse(R"({ "b": [1, 2, {"c": null}], "a": 1 })"));
  EXPECT_EQ(Json::parse("1.0"), Json::parse("1"));
  EXPECT_NE(Json::parse("[1,2]"), Json::parse("[2,1]"));
  EXPECT_NE(Json::parse(R"({"a":1})"), Json::parse(R"({"a":1,"b":2})"));
  EXPECT_NE(Json::parse(R"({"a":"1"})"), Json::parse(R"({"a":1})"));
  EXPECT_NE(Json::parse("-1"), Json::parse("18446744073709551615"));
}
