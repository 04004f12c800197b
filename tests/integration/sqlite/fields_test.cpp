// Every field kind of testing_models::Everything through SQLite and back:
// save, load by id, compare every member. Also the write-time rules: NaN is
// rejected before anything is written, max_length counts characters,
// auto_now / auto_now_add, and UUID primary keys generated on save.
#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <string>
#include <thread>

#include "blog/models.hpp"
#include "support/models.hpp"

// Readable failure messages for covet's value types.
namespace covet {
void PrintTo(const Date& d, std::ostream* os) { *os << d.to_string(); }
void PrintTo(const DateTime& d, std::ostream* os) { *os << d.to_iso(); }
void PrintTo(const Decimal& d, std::ostream* os) { *os << d.to_string(); }
void PrintTo(const Uuid& u, std::ostream* os) { *os << u.to_string(); }
void PrintTo(const Json& j, std::ostream* os) { *os << j.text(); }
void PrintTo(const Bytes& b, std::ostream* os) { *os << Value(b).to_string(); }
void PrintTo(const Value& v, std::ostream* os) { *os << v.to_string(); }
}  // namespace covet

namespace {

using covet::Bytes;
using covet::Date;
using covet::DateTime;
using covet::Decimal;
using covet::Json;
using covet::Uuid;
using testing_models::Everything;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Every member, one by one (+inf/-inf compare equal to themselves).
void expect_same(const Everything& want, const Everything& got) {
  EXPECT_EQ(got.id, want.id);
  EXPECT_EQ(got.small, want.small);
  EXPECT_EQ(got.big, want.big);
  EXPECT_EQ(got.real, want.real);
  EXPECT_EQ(got.price, want.price);
  EXPECT_EQ(got.name, want.name);
  EXPECT_EQ(got.body, want.body);
  EXPECT_EQ(got.flag, want.flag);
  EXPECT_EQ(got.day, want.day);
  EXPECT_EQ(got.at, want.at);
  EXPECT_EQ(got.uid, want.uid);
  EXPECT_EQ(got.doc, want.doc);
  EXPECT_EQ(got.tags, want.tags);
  EXPECT_EQ(got.numbers, want.numbers);
  EXPECT_EQ(got.blob, want.blob);
  EXPECT_EQ(got.nickname, want.nickname);
  EXPECT_EQ(got.score, want.score);
  EXPECT_EQ(got.seen_at, want.seen_at);
  ASSERT_EQ(got.ratio.has_value(), want.ratio.has_value());
  if (want.ratio) {
    EXPECT_EQ(*got.ratio, *want.ratio);
  }
}

class Fields : public ::testing::Test {
 protected:
  void SetUp() override { db.create_all<Everything>(); }

  // Saves, then loads a fresh copy by id (get) and by refresh().
  Everything round_trip(Everything e) {
    e.save(db);
    EXPECT_GT(e.id, 0);
    Everything loaded = Everything::objects(db).get("id", e.id);
    expect_same(e, loaded);
    Everything refreshed;
    refreshed.id = e.id;
    refreshed.refresh(db);
    expect_same(e, refreshed);
    return loaded;
  }

  int64_t rows() { return Everything::objects(db).count(); }

  covet::Database db{"sqlite://:memory:"};
};

Everything filled() {
  Everything e;
  e.small = 42;
  e.big = 1234567890123;
  e.real = 3.25;
  e.price = Decimal("19.99");
  e.name = "plain";
  e.body = "body";
  e.flag = true;
  e.day = Date(2024, 3, 5);
  e.at = DateTime(2024, 3, 5, 10, 11, 12, 123456);
  e.uid = Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
  e.doc = Json::parse(R"({"k":"v"})");
  e.tags = {"a", "b"};
  e.numbers = {1, 2, 3};
  e.blob = Bytes{1, 2, 3};
  return e;
}

TEST_F(Fields, DefaultObjectRoundTrips) { round_trip(Everything{}); }

TEST_F(Fields, EveryKindFilledRoundTrips) {
  Everything e = filled();
  e.nickname = "nick";
  e.score = -7;
  e.seen_at = DateTime(2023, 1, 2, 3, 4, 5, 6);
  e.ratio = 0.125;
  round_trip(e);
}

TEST_F(Fields, Utf8TextRoundTripsByteForByte) {
  Everything e = filled();
  e.name = "日本語🎉é";  // CJK, emoji, precomposed
  // Combining sequences, a ZWJ family emoji, RTL text, a flag and NUL-free control chars.
  e.body = "e\u0301 a\u0308 \U0001F468\u200D\U0001F469\u200D\U0001F467 \u05E9\u05DC\u05D5\u05DD "
           "\U0001F1EF\U0001F1F5 tab\there\nnewline 'quote' \"dq\" \\ %_*?[";
  e.nickname = "中文名字";
  e.tags = {"😀", "한국어", "e\u0301", ""};
  Everything got = round_trip(e);
  EXPECT_EQ(got.body.size(), e.body.size());
  // Found again by exact match on the same bytes.
  EXPECT_EQ(Everything::objects(db).filter("body", e.body).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("name__contains", "🎉").count(), 1);
}

TEST_F(Fields, EmptyStringsRoundTripAsEmptyNotNull) {
  Everything e = filled();
  e.name = "";
  e.body = "";
  e.nickname = "";
  Everything got = round_trip(e);
  ASSERT_TRUE(got.nickname.has_value());
  EXPECT_EQ(*got.nickname, "");
  EXPECT_EQ(Everything::objects(db).filter("nickname__isnull", true).count(), 0);
}

TEST_F(Fields, Int64LimitsRoundTrip) {
  Everything lo = filled();
  lo.big = INT64_MIN;
  lo.score = INT64_MIN;
  lo.numbers = {INT64_MIN};
  round_trip(lo);
  Everything hi = filled();
  hi.big = INT64_MAX;
  hi.score = INT64_MAX;
  hi.numbers = {INT64_MAX};
  Everything got_hi = round_trip(hi);
  EXPECT_EQ(Everything::objects(db).get("big", INT64_MAX).id, got_hi.id);
  EXPECT_EQ(Everything::objects(db).filter("big__lt", INT64_MIN + 1).count(), 1);
}

TEST_F(Fields, Int32LimitsRoundTrip) {
  Everything lo = filled();
  lo.small = INT32_MIN;
  round_trip(lo);
  Everything hi = filled();
  hi.small = INT32_MAX;
  round_trip(hi);
  EXPECT_EQ(Everything::objects(db).filter("small", INT32_MAX).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("small", INT32_MIN).count(), 1);
}

TEST_F(Fields, Int32FieldRejectsOutOfRangeFilterValue) {
  EXPECT_THROW(Everything::objects(db).filter("small", int64_t{INT32_MAX} + 1), covet::FieldError);
}

TEST_F(Fields, DoubleInfinitiesRoundTrip) {
  Everything pos = filled();
  pos.real = kInf;
  pos.ratio = -kInf;
  Everything got = round_trip(pos);
  EXPECT_TRUE(std::isinf(got.real) && got.real > 0);
  ASSERT_TRUE(got.ratio.has_value());
  EXPECT_TRUE(std::isinf(*got.ratio) && *got.ratio < 0);
  Everything neg = filled();
  neg.real = -kInf;
  neg.ratio = kInf;
  round_trip(neg);
  EXPECT_EQ(Everything::objects(db).filter("real__gt", 1e308).count(), 1);
}

TEST_F(Fields, DoubleExtremesRoundTripExactly) {
  for (double d : {std::numeric_limits<double>::max(), std::numeric_limits<double>::lowest(),
                   std::numeric_limits<double>::min(), std::numeric_limits<double>::denorm_min(), 0.1, -2.5,
                   1.0 / 3.0, 1e15 + 0.5}) {
    SCOPED_TRACE(d);
    Everything e = filled();
    e.real = d;
    e.ratio = d;
    round_trip(e);
  }
}

TEST_F(Fields, NanIsRejectedWithDataErrorBeforeWriting) {
  Everything e = filled();
  e.real = kNaN;
  EXPECT_THROW(e.save(db), covet::DataError);
  EXPECT_EQ(e.id, 0);
  EXPECT_EQ(rows(), 0);
}

TEST_F(Fields, NanInOptionalDoubleIsRejectedWithDataError) {
  Everything e = filled();
  e.ratio = kNaN;
  EXPECT_THROW(e.save(db), covet::DataError);
  EXPECT_EQ(rows(), 0);
}

TEST_F(Fields, NanOnUpdateLeavesTheRowUnchanged) {
  Everything e = filled();
  e.save(db);
  e.real = kNaN;
  e.name = "changed";
  EXPECT_THROW(e.save(db), covet::DataError);
  Everything got = Everything::objects(db).get("id", e.id);
  EXPECT_EQ(got.real, 3.25);
  EXPECT_EQ(got.name, "plain");
}

TEST_F(Fields, NanAsFilterValueIsRejected) {
  EXPECT_THROW(Everything::objects(db).filter("real", kNaN), covet::FieldError);
}

TEST_F(Fields, DecimalRoundTripsExactly) {
  Everything e = filled();
  e.price = Decimal("12345.67");
  Everything got = round_trip(e);
  EXPECT_EQ(got.price.to_string(), "12345.67");
  EXPECT_EQ(Everything::objects(db).filter("price", Decimal("12345.67")).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("price", "12345.67").count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("price__gt", Decimal("12345.66")).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("price__gt", Decimal("12345.67")).count(), 0);
}

TEST_F(Fields, DecimalEdgeValuesRoundTrip) {
  for (const char* text : {"0.00", "-0.01", "0.10", "9999999999.99", "-9999999999.99", "1.00"}) {
    SCOPED_TRACE(text);
    Everything e = filled();
    e.price = Decimal(text);
    Everything got = round_trip(e);
    EXPECT_EQ(got.price, Decimal(text));
  }
}

TEST_F(Fields, DateRoundTrips) {
  for (Date d : {Date(2024, 2, 29), Date(1969, 12, 31), Date(1970, 1, 1), Date(1, 1, 1), Date(9999, 12, 31)}) {
    SCOPED_TRACE(d.to_string());
    Everything e = filled();
    e.day = d;
    Everything got = round_trip(e);
    EXPECT_EQ(got.day.to_string(), d.to_string());
  }
}

TEST_F(Fields, DateTimeWithMicrosecondsRoundTrips) {
  Everything e = filled();
  e.at = DateTime(2024, 3, 5, 10, 11, 12, 123456);
  e.seen_at = DateTime(2024, 3, 5, 10, 11, 12, 1);
  Everything got = round_trip(e);
  EXPECT_EQ(got.at.microsecond(), 123456u);
  EXPECT_EQ(got.seen_at->microsecond(), 1u);
}

TEST_F(Fields, DateTimeWithZeroMicrosecondsRoundTrips) {
  Everything e = filled();
  e.at = DateTime(2024, 3, 5, 10, 11, 12, 0);
  Everything got = round_trip(e);
  EXPECT_EQ(got.at.microsecond(), 0u);
  EXPECT_EQ(got.at.second(), 12u);
}

TEST_F(Fields, DateTimeBeforeEpochRoundTrips) {
  Everything e = filled();
  e.at = DateTime(1969, 12, 31, 23, 59, 59, 999999);
  e.seen_at = DateTime(1900, 1, 1, 0, 0, 0, 1);
  Everything got = round_trip(e);
  EXPECT_EQ(got.at.year(), 1969);
  EXPECT_EQ(got.at.microsecond(), 999999u);
}

TEST_F(Fields, UuidRoundTrips) {
  Everything e = filled();
  e.uid = Uuid::v4();
  Everything got = round_trip(e);
  EXPECT_FALSE(got.uid.is_nil());
  EXPECT_EQ(Everything::objects(db).filter("uid", e.uid).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("uid", e.uid.to_string()).count(), 1);
}

TEST_F(Fields, NilUuidRoundTrips) {
  Everything e = filled();
  e.uid = Uuid{};
  Everything got = round_trip(e);
  EXPECT_TRUE(got.uid.is_nil());
}

TEST_F(Fields, JsonObjectArrayAndNestedRoundTrip) {
  for (const char* text : {R"({"a":1,"b":"two"})", R"([1,"x",null,true,2.5])",
                           R"({"outer":{"inner":[1,{"deep":["é","🎉"]}],"empty":{}},"list":[]})", "null", "\"just a string\"",
                           "42"}) {
    SCOPED_TRACE(text);
    Everything e = filled();
    e.doc = Json::parse(text);
    Everything got = round_trip(e);
    EXPECT_EQ(got.doc.text(), e.doc.text());
  }
}

TEST_F(Fields, ArrayOfStringsRoundTrips) {
  Everything e = filled();
  e.tags = {"cpp", "with space", "with \"quotes\"", "back\\slash", "comma,inside", "[bracket]", "", "ü"};
  Everything got = round_trip(e);
  ASSERT_EQ(got.tags.size(), 8u);
  EXPECT_EQ(got.tags[2], "with \"quotes\"");
}

TEST_F(Fields, ArrayOfInt64RoundTrips) {
  Everything e = filled();
  e.numbers = {INT64_MIN, -1, 0, 1, INT64_MAX};
  round_trip(e);
}

TEST_F(Fields, EmptyArraysRoundTrip) {
  Everything e = filled();
  e.tags = {};
  e.numbers = {};
  Everything got = round_trip(e);
  EXPECT_TRUE(got.tags.empty());
  EXPECT_TRUE(got.numbers.empty());
}

TEST_F(Fields, ArrayExactFilterMatchesWholeArray) {
  Everything e = filled();
  e.tags = {"x", "y"};
  e.save(db);
  EXPECT_EQ(Everything::objects(db).filter("tags", covet::Array{"x", "y"}).count(), 1);
  EXPECT_EQ(Everything::objects(db).filter("tags", covet::Array{"y", "x"}).count(), 0);
}

TEST_F(Fields, BinaryWithNulAndHighBytesRoundTrips) {
  Everything e = filled();
  e.blob = Bytes{0x00, 0xFF, 0x00, 0x00, 0x7F, 0x80, 0xFE, 0xFF, 0x00};
  Everything got = round_trip(e);
  ASSERT_EQ(got.blob.size(), 9u);
  EXPECT_EQ(got.blob.data()[0], 0x00);
  EXPECT_EQ(got.blob.data()[1], 0xFF);
  EXPECT_EQ(got.blob.data()[8], 0x00);
}

TEST_F(Fields, BinaryAllByteValuesRoundTrip) {
  Everything e = filled();
  std::vector<uint8_t> all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(255 - i));
  e.blob = Bytes(all);
  round_trip(e);
}

TEST_F(Fields, EmptyBinaryRoundTripsAsEmpty) {
  Everything e = filled();
  e.blob = Bytes{};
  Everything got = round_trip(e);
  EXPECT_TRUE(got.blob.empty());
}

TEST_F(Fields, OptionalMembersRoundTripAsNull) {
  Everything e = filled();
  e.nickname.reset();
  e.score.reset();
  e.seen_at.reset();
  e.ratio.reset();
  Everything got = round_trip(e);
  EXPECT_FALSE(got.nickname || got.score || got.seen_at || got.ratio);
  auto rec = Everything::objects(db).values("nickname", "score", "seen_at", "ratio");
  ASSERT_EQ(rec.size(), 1u);
  for (const covet::Value& v : rec[0]) EXPECT_TRUE(v.is_null());
}

TEST_F(Fields, OptionalMembersRoundTripWhenSet) {
  Everything e = filled();
  e.nickname = "n";
  e.score = 0;  // zero is a value, not NULL
  e.seen_at = DateTime(1970, 1, 1);
  e.ratio = 0.0;
  Everything got = round_trip(e);
  ASSERT_TRUE(got.score.has_value());
  EXPECT_EQ(*got.score, 0);
  ASSERT_TRUE(got.seen_at.has_value());
  EXPECT_EQ(*got.seen_at, DateTime(1970, 1, 1));
}

TEST_F(Fields, OptionalSetThenClearedIsNullAfterUpdate) {
  Everything e = filled();
  e.nickname = "n";
  e.score = 5;
  e.save(db);
  e.nickname.reset();
  e.score.reset();
  e.save(db);
  Everything got = Everything::objects(db).get("id", e.id);
  EXPECT_FALSE(got.nickname.has_value());
  EXPECT_FALSE(got.score.has_value());
}

TEST_F(Fields, UpdateThroughSaveRoundTripsEveryKind) {
  Everything e = filled();
  e.save(db);
  int64_t id = e.id;
  e.small = -1;
  e.big = INT64_MIN;
  e.real = -kInf;
  e.price = Decimal("-0.50");
  e.name = "🎉🎉";
  e.body = "changed body";
  e.flag = false;
  e.day = Date(2000, 2, 29);
  e.at = DateTime(2000, 2, 29, 23, 59, 59, 999999);
  e.uid = Uuid::v4();
  e.doc = Json::parse(R"([{"x":[]}])");
  e.tags = {};
  e.numbers = {7};
  e.blob = Bytes{0, 0, 0};
  e.nickname = "now set";
  e.ratio = 1.5;
  Everything got = round_trip(e);
  EXPECT_EQ(got.id, id);
  EXPECT_EQ(rows(), 1);
}

TEST_F(Fields, ValuesReturnTypedValues) {
  Everything e = filled();
  e.big = INT64_MAX;
  e.score = 3;
  e.save(db);
  auto rec = Everything::objects(db).values("big", "price", "day", "at", "uid", "flag", "tags", "blob", "score");
  ASSERT_EQ(rec.size(), 1u);
  EXPECT_EQ(rec[0]["big"], covet::Value(INT64_MAX));
  EXPECT_EQ(rec[0]["price"].as_decimal(), Decimal("19.99"));
  EXPECT_EQ(rec[0]["day"].as_date(), Date(2024, 3, 5));
  EXPECT_EQ(rec[0]["at"].as_datetime(), DateTime(2024, 3, 5, 10, 11, 12, 123456));
  EXPECT_EQ(rec[0]["uid"].as_uuid(), e.uid);
  EXPECT_EQ(rec[0]["flag"], covet::Value(true));
  EXPECT_EQ(rec[0]["tags"], covet::Value(covet::Array{"a", "b"}));
  EXPECT_EQ(rec[0]["blob"].as_bytes(), (Bytes{1, 2, 3}));
  EXPECT_EQ(rec[0]["score"], covet::Value(3));
}

// ------------------------------------------------------------ max_length
TEST_F(Fields, MaxLengthCountsCharactersNotBytes) {
  Everything e = filled();
  e.name.clear();
  for (int i = 0; i < 20; ++i) e.name += "😀";  // 20 characters, 80 bytes
  ASSERT_EQ(e.name.size(), 80u);
  Everything got = round_trip(e);
  EXPECT_EQ(got.name, e.name);
}

TEST_F(Fields, MaxLengthExceededRaisesValidationErrorNamingTheField) {
  Everything e = filled();
  e.name = std::string(21, 'a');
  try {
    e.save(db);
    FAIL() << "expected ValidationError";
  } catch (const covet::ValidationError& err) {
    ASSERT_EQ(err.errors().count("name"), 1u) << err.what();
    EXPECT_EQ(err.errors().size(), 1u);
    EXPECT_NE(std::string(err.what()).find("name"), std::string::npos);
    EXPECT_NE(err.errors().at("name").front().find("20"), std::string::npos);
  }
  EXPECT_EQ(e.id, 0);
  EXPECT_EQ(rows(), 0);
}

TEST_F(Fields, MaxLengthExactlyAtLimitIsAccepted) {
  Everything e = filled();
  e.name = std::string(20, 'a');
  round_trip(e);
}

TEST_F(Fields, MaxLengthTwentyOneEmojiIsRejected) {
  Everything e = filled();
  e.name.clear();
  for (int i = 0; i < 21; ++i) e.name += "😀";
  EXPECT_THROW(e.save(db), covet::ValidationError);
  EXPECT_EQ(rows(), 0);
}

TEST_F(Fields, MaxLengthReportsEveryFieldAtOnce) {
  Everything e = filled();
  e.name = std::string(21, 'n');
  e.nickname = std::string(31, 'k');
  try {
    e.save(db);
    FAIL() << "expected ValidationError";
  } catch (const covet::ValidationError& err) {
    EXPECT_EQ(err.errors().count("name"), 1u);
    EXPECT_EQ(err.errors().count("nickname"), 1u);
  }
  EXPECT_EQ(rows(), 0);
}

TEST_F(Fields, MaxLengthExceededOnUpdateLeavesRowUnchanged) {
  Everything e = filled();
  e.save(db);
  e.name = std::string(21, 'a');
  EXPECT_THROW(e.save(db), covet::ValidationError);
  EXPECT_EQ(Everything::objects(db).get("id", e.id).name, "plain");
}

TEST_F(Fields, MaxLengthExceededInQuerySetUpdateRaisesValidationError) {
  Everything e = filled();
  e.save(db);
  try {
    Everything::objects(db).update({{"nickname", std::string(31, 'x')}});
    FAIL() << "expected ValidationError";
  } catch (const covet::ValidationError& err) {
    EXPECT_EQ(err.errors().count("nickname"), 1u);
  }
  EXPECT_FALSE(Everything::objects(db).get("id", e.id).nickname.has_value());
  // 30 emoji are 30 characters: accepted.
  std::string thirty;
  for (int i = 0; i < 30; ++i) thirty += "🎉";
  EXPECT_EQ(Everything::objects(db).update({{"nickname", thirty}}), 1);
  EXPECT_EQ(Everything::objects(db).get("id", e.id).nickname, thirty);
}

// ------------------------------------------- auto_now and UUID primary keys
class BlogFields : public ::testing::Test {
 protected:
  void SetUp() override { db.create_all<blog::User, blog::Post>(); }
  covet::Database db{"sqlite://:memory:"};
};

TEST_F(BlogFields, AutoNowAddSetOnInsertAndKeptOnUpdate) {
  DateTime before = DateTime::now();
  blog::User u;
  u.username = "alice";
  u.email = "alice@example.com";
  u.password_hash = "x";
  u.save(db);
  DateTime after = DateTime::now();
  EXPECT_GE(u.created_at, before);
  EXPECT_LE(u.created_at, after);
  EXPECT_GE(u.updated_at, before);
  EXPECT_LE(u.updated_at, after);

  blog::User stored = blog::User::objects(db).get("id", u.id);
  EXPECT_EQ(stored.created_at, u.created_at);
  EXPECT_EQ(stored.updated_at, u.updated_at);

  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  DateTime created = u.created_at;
  DateTime first_update = u.updated_at;
  u.email = "alice@new.example.com";
  u.save(db);
  EXPECT_EQ(u.created_at, created);
  EXPECT_GT(u.updated_at, first_update);

  blog::User again = blog::User::objects(db).get("id", u.id);
  EXPECT_EQ(again.created_at, created);
  EXPECT_EQ(again.updated_at, u.updated_at);
  EXPECT_GT(again.updated_at, first_update);
  EXPECT_EQ(again.email, "alice@new.example.com");
}

TEST_F(BlogFields, AutoNowAddIgnoresAnExplicitValueOnInsert) {
  // Django: auto_now_add always sets the field on creation.
  blog::User u;
  u.username = "bob";
  u.email = "bob@example.com";
  u.created_at = DateTime(2000, 1, 1);
  u.save(db);
  EXPECT_GT(u.created_at, DateTime(2020, 1, 1));
}

TEST_F(BlogFields, UuidPrimaryKeyGeneratedOnSave) {
  blog::Post p;
  p.title = "hello";
  ASSERT_TRUE(p.id.is_nil());
  p.save(db);
  EXPECT_FALSE(p.id.is_nil());
  EXPECT_EQ(p.id.to_string().size(), 36u);
  EXPECT_EQ(p.id.to_string()[14], '4');  // version 4

  blog::Post q;
  q.title = "second";
  q.save(db);
  EXPECT_NE(p.id, q.id);

  blog::Post loaded = blog::Post::objects(db).get("id", p.id);
  EXPECT_EQ(loaded.id, p.id);
  EXPECT_EQ(loaded.title, "hello");
  EXPECT_GT(loaded.created_at, DateTime(2020, 1, 1));
  EXPECT_EQ(blog::Post::objects(db).count(), 2);
}

TEST_F(BlogFields, UuidPrimaryKeyKeptOnSecondSave) {
  blog::Post p;
  p.title = "hello";
  p.save(db);
  covet::Uuid id = p.id;
  p.title = "edited";
  p.save(db);
  EXPECT_EQ(p.id, id);
  EXPECT_EQ(blog::Post::objects(db).count(), 1);
  EXPECT_EQ(blog::Post::objects(db).get("id", id).title, "edited");
}

TEST_F(BlogFields, ExplicitUuidPrimaryKeyIsUsedAsGiven) {
  blog::Post p;
  p.id = Uuid::parse("00000000-0000-4000-8000-000000000001");
  p.title = "mine";
  p.save(db);
  EXPECT_EQ(p.id.to_string(), "00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(blog::Post::objects(db).get("id", "00000000-0000-4000-8000-000000000001").title, "mine");
}

TEST_F(BlogFields, JsonAndArrayMembersOfPostRoundTrip) {
  blog::Post p;
  p.title = "t";
  p.metadata = Json::parse(R"({"lang":"en","n":[1,2]})");
  p.tags = {"cpp", "orm"};
  p.view_count = INT32_MAX;
  p.save(db);
  blog::Post loaded = blog::Post::objects(db).get("id", p.id);
  EXPECT_EQ(loaded.metadata, p.metadata);
  EXPECT_EQ(loaded.tags, p.tags);
  EXPECT_EQ(loaded.view_count, INT32_MAX);
}

}  // namespace

// NULLs sort as on PostgreSQL: last ascending, first descending.
TEST(NullOrdering, NullsSortLastAscendingAndFirstDescendingAsOnPostgres) {
  covet::Database db("sqlite://:memory:");
  db.create_all<Everything>();
  for (std::optional<std::string> nick : {std::optional<std::string>("b"), std::optional<std::string>(), std::optional<std::string>("a")}) {
    Everything e;
    e.nickname = nick;
    e.save(db);
  }
  auto asc = Everything::objects(db).order_by("nickname").all();
  ASSERT_EQ(asc.size(), 3u);
  EXPECT_EQ(asc[0].nickname, "a");
  EXPECT_EQ(asc[1].nickname, "b");
  EXPECT_FALSE(asc[2].nickname.has_value());
  auto desc = Everything::objects(db).order_by("-nickname").all();
  EXPECT_FALSE(desc[0].nickname.has_value());
  EXPECT_EQ(desc[1].nickname, "b");
  EXPECT_EQ(desc[2].nickname, "a");
}
