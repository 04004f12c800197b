// ModelSerializer's input from MessagePack and from named Values (Record):
// the same conversions, messages and validation as JSON input, and bad
// bytes refused as a ParseError without a crash or a write.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "support/helpers.hpp"
#include "support/models.hpp"

namespace {

using namespace covet;
using testing_models::Everything;

struct Signup : Model<Signup> {
  int64_t id = 0;
  std::string username;
  std::string email;
  int32_t age = 0;
  std::optional<std::string> bio;
  static void meta(Meta<Signup>& m) { m.table("signups").field(&Signup::username, max_length(20), unique()); }
};

const ModelSerializer<Signup>& signup() {
  static const auto s = ModelSerializer<Signup>()
                            .fields({"id", "username", "email", "age", "bio"})
                            .options("email", {.email = true})
                            .options("age", {.min_value = 0, .max_value = 150});
  return s;
}

using test_support::errors_of;

// A one-member map {field: <value written by `put`>}.
template <class Put>
std::string pack_one(std::string_view field, Put put) {
  MsgPackWriter w;
  w.begin_map(1);
  w.key(field);
  put(w);
  return w.take();
}

std::string bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += static_cast<char>(c);
  return s;
}

Everything sample() { return testing_models::sample_everything(); }

TEST(MsgPackInput, EveryFieldKindRoundTrips) {
  auto s = ModelSerializer<Everything>();
  Everything e = sample();
  Everything back = s.from_msgpack(s.to_msgpack(e));
  back.id = e.id;  // an auto key is read-only by default
  EXPECT_EQ(s.to_json(back), s.to_json(e));
  EXPECT_EQ(back.doc, e.doc);
  EXPECT_EQ(back.blob, e.blob);
  EXPECT_EQ(back.at, e.at);
  // Far dates take the 96-bit timestamp; both ends of covet's range.
  for (DateTime t : {DateTime(1, 1, 1), DateTime(9999, 12, 31, 23, 59, 59, 999999), DateTime(2106, 2, 7, 6, 28, 16)}) {
    e.at = t;
    EXPECT_EQ(s.from_msgpack(s.to_msgpack(e)).at, t);
  }
  // A list, and the same through a Record (the Value tree).
  std::vector<Everything> two{sample(), sample()};
  two[1].name = "second";
  std::vector<Everything> back_two = s.from_msgpack_list(s.to_msgpack(two));
  ASSERT_EQ(back_two.size(), 2u);
  EXPECT_EQ(back_two[1].name, "second");
  Everything from_rec = s.from_record(s.to_record(e));
  from_rec.id = e.id;
  EXPECT_EQ(s.to_json(from_rec), s.to_json(e));
}

TEST(MsgPackInput, TheFormsJsonTakesAreTakenToo) {
  auto s = ModelSerializer<Everything>();
  ReadOptions partial{.partial = true};
  // Date-times as RFC 3339 text, bytes as base64 text, decimals as numbers.
  Everything e = s.from_msgpack(pack_one("at", [](MsgPackWriter& w) { w.value("2024-01-15T10:30:00.25Z"); }), partial);
  EXPECT_EQ(e.at, DateTime(2024, 1, 15, 10, 30, 0, 250000));
  e = s.from_msgpack(pack_one("blob", [](MsgPackWriter& w) { w.value("AAH/"); }), partial);
  EXPECT_EQ(e.blob, Bytes::from(std::string("\0\x01\xff", 3)));
  e = s.from_msgpack(pack_one("price", [](MsgPackWriter& w) { w.value(12.5); }), partial);
  EXPECT_EQ(e.price, Decimal("12.5"));
  e = s.from_msgpack(pack_one("real", [](MsgPackWriter& w) { w.value(int64_t{7}); }), partial);
  EXPECT_EQ(e.real, 7.0);
  // float 32 and every integer width.
  e = s.from_msgpack(bytes({0x81, 0xa4, 'r', 'e', 'a', 'l', 0xca, 0x3f, 0xc0, 0, 0}), partial);
  EXPECT_EQ(e.real, 1.5);
  e = s.from_msgpack(bytes({0x81, 0xa3, 'b', 'i', 'g', 0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe}), partial);
  EXPECT_EQ(e.big, -2);
  e = s.from_msgpack(bytes({0x81, 0xa3, 'b', 'i', 'g', 0xd0, 0x80}), partial);
  EXPECT_EQ(e.big, -128);
  e = s.from_msgpack(bytes({0x81, 0xa3, 'b', 'i', 'g', 0xce, 0xff, 0xff, 0xff, 0xff}), partial);
  EXPECT_EQ(e.big, 4294967295);
  e = s.from_msgpack(bytes({0x81, 0xa3, 'b', 'i', 'g', 0xf0}), partial);
  EXPECT_EQ(e.big, -16);
  // A decimal past int64 is read exactly (not through a double).
  auto amounts = covet::ModelSerializer<Everything>().input_field("amount", FieldKind::Decimal);
  auto huge = amounts.read_msgpack(pack_one("amount", [](MsgPackWriter& w) { w.value(uint64_t{18446744073709551615u}); }),
                                   partial);
  EXPECT_EQ(huge.extra("amount"), Value(Decimal("18446744073709551615")));
  EXPECT_EQ(amounts.read_json(R"({"amount": 18446744073709551615})", partial).extra("amount"),
            Value(Decimal("18446744073709551615")));
}

TEST(MsgPackInput, TypeAndRangeErrorsAreTheJsonOnes) {
  auto s = ModelSerializer<Everything>().options("name", {.allow_blank = true});
  auto err = [&](std::string_view field, auto put) {
    try {
      s.read_msgpack(pack_one(field, put), {.partial = true});
    } catch (const ValidationError& e) {
      auto it = e.errors().find(std::string(field));
      return it == e.errors().end() ? std::string("other: ") + e.what() : it->second.at(0);
    }
    return std::string("accepted");
  };
  auto val = [](auto v) { return [v](MsgPackWriter& w) { w.value(v); }; };
  EXPECT_EQ(err("small", val(int64_t{2147483648})), "Ensure this value is less than or equal to 2147483647.");
  EXPECT_EQ(err("small", val(int64_t{-2147483649})), "Ensure this value is greater than or equal to -2147483648.");
  EXPECT_EQ(err("big", val(uint64_t{18446744073709551615u})), "Ensure this value is less than or equal to 9223372036854775807.");
  EXPECT_EQ(err("big", val(1.5)), "A valid integer is required.");
  EXPECT_EQ(err("big", val(3.0)), "accepted");
  EXPECT_EQ(err("real", val("1")), "A valid number is required.");
  EXPECT_EQ(err("flag", val(int64_t{1})), "Must be a valid boolean.");
  EXPECT_EQ(err("name", [](MsgPackWriter& w) { w.begin_array(1), w.value(int64_t{1}); }), "Not a valid string.");
  EXPECT_EQ(err("name", val(std::string_view("a\0b", 3))), "Null characters are not allowed.");
  EXPECT_EQ(err("name", val(Bytes::from("abc"))), "Not a valid string.");
  EXPECT_EQ(err("day", val("2024-13-01")), "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.");
  EXPECT_EQ(err("at", val("yesterday")),
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
  EXPECT_EQ(err("uid", val("xyz")), "Must be a valid UUID.");
  EXPECT_EQ(err("price", val("12.345")), "Ensure that there are no more than 2 decimal places.");
  EXPECT_EQ(err("tags", val("a")), "Expected a list of items but got type \"str\".");
  EXPECT_EQ(err("tags", [](MsgPackWriter& w) { w.begin_array(1), w.value(true); }), "Not a valid list item: bool.");
  EXPECT_EQ(err("blob", val(int64_t{5})), "Enter valid base64 data.");
  EXPECT_EQ(err("name", val("way too long a name for twenty")), "Ensure this value has at most 20 characters (it has 30).");
  EXPECT_EQ(err("real", val(std::numeric_limits<double>::quiet_NaN())), "A valid number is required.");
  EXPECT_EQ(err("ratio", val(-std::numeric_limits<double>::infinity())), "A valid number is required.");
  EXPECT_EQ(err("price", val(std::numeric_limits<double>::infinity())), "A valid number is required.");
  EXPECT_EQ(err("nickname", [](MsgPackWriter& w) { w.null(); }), "accepted");
  EXPECT_EQ(err("name", [](MsgPackWriter& w) { w.null(); }), "This field may not be null.");
  // A timestamp with nanoseconds past a second, an extension of another
  // type, a Json member holding one.
  EXPECT_EQ(err("at", [](MsgPackWriter& w) { w.append(bytes({0xd7, 0xff, 0xff, 0xff, 0xff, 0xfc, 0, 0, 0, 0})); }),
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
  EXPECT_EQ(err("at", [](MsgPackWriter& w) { w.append(bytes({0xd4, 0x05, 0x00})); }),
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
  EXPECT_EQ(err("doc", [](MsgPackWriter& w) { w.append(bytes({0xd4, 0x05, 0x00})); }),
            "a MessagePack extension other than a timestamp has no JSON form");
}

TEST(MsgPackInput, MalformedInputIsAParseErrorNeverACrash) {
  auto s = ModelSerializer<Everything>();
  ReadOptions partial{.partial = true};
  Everything e = sample();
  const std::string good = s.to_msgpack(e);
  // Every proper prefix is truncated input.
  for (std::size_t n = 0; n < good.size(); ++n)
    EXPECT_THROW(s.read_msgpack(std::string_view(good).substr(0, n), partial), ParseError) << n;
  EXPECT_THROW(s.read_msgpack(good + "\x01", partial), ParseError);                          // content after the value
  EXPECT_THROW(s.read_msgpack(bytes({0x81, 0xc1, 0x00}), partial), ParseError);              // 0xc1 is no type
  EXPECT_THROW(s.read_msgpack(bytes({0x81, 0x01, 0x02}), partial), ParseError);              // an integer key
  EXPECT_THROW(s.read_msgpack(bytes({0x81, 0xa1, 0xff, 0x02}), partial), ParseError);        // a key not UTF-8
  EXPECT_THROW(s.read_msgpack(bytes({0x81, 0xa4, 'n', 'a', 'm', 'e', 0xa2, 0xc3, 0x28}), partial), ParseError);
  EXPECT_THROW(s.read_msgpack(bytes({0x82, 0xa1, 'z', 0x01, 0xa1, 'z', 0x02}), partial), ParseError);  // duplicate
  EXPECT_THROW(s.read_msgpack(bytes({0x82, 0xa3, 'b', 'i', 'g', 0x01, 0xa3, 'b', 'i', 'g', 0x02}), partial), ParseError);
  // Sizes that claim more items or bytes than there are: refused before
  // anything is allocated for them.
  EXPECT_THROW(s.read_msgpack(bytes({0xdd, 0xff, 0xff, 0xff, 0xff}), partial), ParseError);
  EXPECT_THROW(s.read_msgpack(bytes({0xdf, 0xff, 0xff, 0xff, 0xff, 0xa1, 'a'}), partial), ParseError);
  EXPECT_THROW(s.read_msgpack(bytes({0x81, 0xa1, 'a', 0xdb, 0x7f, 0xff, 0xff, 0xff}), partial), ParseError);
  EXPECT_THROW(s.from_msgpack_list(bytes({0xdd, 0x00, 0x10, 0x00, 0x00, 0x80}), partial), ParseError);
  // Depth, size.
  std::string deep = bytes({0x81, 0xa3, 'd', 'o', 'c'}) + std::string(100, '\x91') + '\x90';
  EXPECT_THROW(s.read_msgpack(deep, partial), ParseError);
  EXPECT_NO_THROW(s.read_msgpack(deep, {.max_depth = 200, .partial = true}));
  MsgPackWriter big;
  big.begin_map(1), big.key("body"), big.value(std::string(2 << 20, 'x'));
  EXPECT_THROW(s.read_msgpack(big.view(), partial), PayloadTooLarge);
  EXPECT_NO_THROW(s.read_msgpack(big.view(), {.max_bytes = 4 << 20, .max_string_bytes = 4 << 20, .partial = true}));
  EXPECT_EQ(errors_of([&] { s.read_msgpack(big.view(), {.max_bytes = 4 << 20, .partial = true}); }),
            R"({"body":["Ensure this value has no more than 1048576 bytes."]})");
  // Not a map.
  EXPECT_EQ(errors_of([&] { s.read_msgpack(bytes({0x92, 0x01, 0x02}), partial); }),
            R"({"non_field_errors":["Invalid data. Expected a dictionary, but got list."]})");
  EXPECT_EQ(errors_of([&] { s.from_msgpack_list(bytes({0x81, 0xa1, 'a', 0x01}), partial); }),
            R"({"non_field_errors":["Expected a list of items but got type \"dict\"."]})");
  // Unknown keys with values of any shape are skipped over.
  Everything u = s.from_msgpack(bytes({0x82, 0xa1, 'x', 0x92, 0x81, 0xa1, 'y', 0xc0, 0xc4, 0x01, 0x00, 0xa4, 'n', 'a', 'm', 'e',
                                       0xa2, 'o', 'k'}),
                                partial);
  EXPECT_EQ(u.name, "ok");
}

TEST(MsgPackInput, CreateUpdateAndListsValidateAndWriteNothingOnError) {
  Database db("sqlite://:memory:");
  db.create_all<Signup>();
  const ReadOptions mp{.format = InputFormat::MsgPack};
  auto body = [](std::string_view user, std::string_view email, int64_t age) {
    MsgPackWriter w;
    w.begin_map(3);
    w.key("username"), w.value(user);
    w.key("email"), w.value(email);
    w.key("age"), w.value(age);
    return w.take();
  };
  Signup a = signup().create(db, body("ann", "ann@example.com", 30), mp);
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(errors_of([&] { signup().create(db, body("ann", "nope", 200), mp); }),
            R"({"age":["Ensure this value is less than or equal to 150."],"email":["Enter a valid email address."]})");
  EXPECT_EQ(errors_of([&] { signup().create(db, body("ann", "a2@example.com", 3), mp); }),
            R"({"username":["signup with this username already exists."]})");
  MsgPackWriter patch;
  patch.begin_map(1), patch.key("bio"), patch.value("hello");
  signup().update(db, a, patch.view(), {.format = InputFormat::MsgPack, .partial = true});
  EXPECT_EQ(Signup::objects(db).get("id", a.id).bio, "hello");
  // A list: every item's problems, and nothing saved when one fails.
  MsgPackWriter list;
  list.begin_array(2);
  list.append(body("bob", "bob@example.com", 40));
  list.append(body("cat", "cat@", 41));
  EXPECT_EQ(errors_of([&] { signup().create_list(db, list.view(), mp); }),
            R"([{},{"email":["Enter a valid email address."]}])");
  EXPECT_EQ(Signup::objects(db).count(), 1);
  MsgPackWriter ok;
  ok.begin_array(2);
  ok.append(body("bob", "bob@example.com", 40));
  ok.append(body("cat", "cat@example.com", 41));
  EXPECT_EQ(signup().create_list(db, ok.view(), mp).size(), 2u);
  EXPECT_EQ(Signup::objects(db).count(), 3);
  // read_json refuses MessagePack even when the options say MessagePack.
  EXPECT_THROW(signup().read_json(body("dan", "d@example.com", 1), mp), ParseError);
}

TEST(SerializerInput, ListItemsRepeatingAUniqueValueAreRefusedBeforeSaving) {
  Database db("sqlite://:memory:");
  db.create_all<Signup>();
  const std::string body = R"([{"username":"ann","email":"a@x.io","age":1},{"username":"bob","email":"b@x.io","age":2},)"
                           R"({"username":"ann","email":"c@x.io","age":3}])";
  EXPECT_EQ(errors_of([&] { signup().create_list(db, body); }),
            R"([{},{},{"username":["signup with this username already exists."]}])");
  EXPECT_EQ(Signup::objects(db).count(), 0);
  // Without a database nothing is saved, and nothing is checked.
  EXPECT_EQ(signup().from_json_list(body).size(), 3u);
  // A key made writable is checked among the items too; unset auto keys are not.
  auto writable_id = signup().options("id", {.read_only = false});
  EXPECT_EQ(errors_of([&] {
              writable_id.create_list(db, R"([{"id":7,"username":"a1","email":"a@x.io","age":1},)"
                                          R"({"id":7,"username":"a2","email":"b@x.io","age":2}])");
            }),
            R"([{},{"id":["signup with this id already exists."]}])");
  EXPECT_EQ(writable_id.create_list(db, R"([{"username":"a1","email":"a@x.io","age":1},{"username":"a2","email":"b@x.io","age":2}])")
                .size(),
            2u);
}

TEST(SerializerInput, ListsLongerThanMaxItemsAreRefusedBeforeAnyItemIsRead) {
  Database db("sqlite://:memory:");
  db.create_all<Signup>();
  const std::string three = R"([{"username":"a1","email":"a@x.io","age":1},{"username":"a2","email":"b@x.io","age":2},)"
                            R"({"username":"a3","email":"c@x.io","age":3}])";
  EXPECT_EQ(errors_of([&] { signup().create_list(db, three, {.max_items = 2}); }),
            R"({"non_field_errors":["Ensure this field has no more than 2 elements."]})");
  EXPECT_EQ(Signup::objects(db).count(), 0);
  EXPECT_EQ(signup().create_list(db, three, {.max_items = 3}).size(), 3u);
  // A MessagePack array of a million nils (a byte each, under max_bytes)
  // costs no million objects: the default limit refuses it up front.
  std::string nils = {'\xdd', '\x00', '\x0f', '\x42', '\x40'};
  nils.append(1'000'000, '\xc0');
  EXPECT_EQ(errors_of([&] { signup().from_msgpack_list(nils); }),
            R"({"non_field_errors":["Ensure this field has no more than 10000 elements."]})");
  std::string json = "[" + std::string(20'001 * 2 - 1, ',') + "]";
  for (std::size_t i = 1; i < json.size() - 1; i += 2) json[i] = '1';
  EXPECT_EQ(errors_of([&] { signup().from_json_list(json); }),
            R"({"non_field_errors":["Ensure this field has no more than 10000 elements."]})");
}

TEST(SerializerInput, AnUpdateCannotMoveAnObjectToAnotherKey) {
  Database db("sqlite://:memory:");
  db.create_all<Signup>();
  auto writable_id = signup().options("id", {.read_only = false});
  Signup ann = writable_id.create(db, R"({"id":1,"username":"ann","email":"a@x.io","age":1})");
  Signup bob = writable_id.create(db, R"({"id":2,"username":"bob","email":"b@x.io","age":2})");
  EXPECT_EQ(errors_of([&] { writable_id.update(db, ann, R"({"id":2})", {.partial = true}); }),
            R"({"id":["The primary key cannot be changed by an update."]})");
  EXPECT_EQ(Signup::objects(db).get("id", 2).username, "bob");
  EXPECT_EQ(ann.id, 1);
  writable_id.update(db, ann, R"({"id":1,"age":5})", {.partial = true});  // the same key is fine
  EXPECT_EQ(Signup::objects(db).get("id", 1).age, 5);
  (void)bob;
}

TEST(RecordInput, ValuesOfTheFieldsTypeOrTheirJsonForms) {
  auto s = ModelSerializer<Everything>();
  auto names = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"day", "at", "uid", "price", "name", "tags"});
  Uuid u = Uuid::v4();
  Record native(names, {Value(Date(2024, 2, 29)), Value(DateTime(2024, 1, 1, 12)), Value(u), Value(Decimal("1.50")),
                        Value("x"), Value(std::vector<std::string>{"a"})});
  Everything e = s.from_record(native, {.partial = true});
  EXPECT_EQ(e.day, Date(2024, 2, 29));
  EXPECT_EQ(e.at, DateTime(2024, 1, 1, 12));
  EXPECT_EQ(e.uid, u);
  EXPECT_EQ(e.price, Decimal("1.50"));
  EXPECT_EQ(e.tags, std::vector<std::string>{"a"});
  Record text(names, {Value("2024-02-29"), Value("2024-01-01T12:00:00Z"), Value(u.to_string()), Value("1.50"), Value("x"),
                      Value(std::vector<std::string>{"a"})});
  Everything t = s.from_record(text, {.partial = true});
  EXPECT_EQ(s.to_json(t), s.to_json(e));
  Record wrong(names, {Value(5), Value(true), Value(1.5), Value(Bytes::from("x")), Value(Date(2024, 1, 1)), Value("a")});
  EXPECT_EQ(errors_of([&] { s.from_record(wrong, {.partial = true}); }),
            R"({"at":["Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z]."],)"
            R"("day":["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],)"
            R"("name":["Not a valid string."],"price":["A valid number is required."],)"
            R"("tags":["Expected a list of items but got type \"str\"."],"uid":["Must be a valid UUID."]})");
  // A Value's text is not checked when it is made: input refuses what is not UTF-8.
  auto one = std::make_shared<std::vector<std::string>>(std::vector<std::string>{"name"});
  EXPECT_EQ(errors_of([&] { s.from_record(Record(one, {Value(std::string("\x80\x80\x80\x80"))}), {.partial = true}); }),
            R"({"name":["Not a valid string."]})");
}

TEST(RecordOutput, NamedValuesWithNestedObjectsAsJson) {
  auto s = ModelSerializer<Signup>()
               .method("label", [](const Signup& x) { return x.username + "!"; })
               .fields({"id", "username", "bio", "label"});
  Signup a;
  a.id = 4, a.username = "ann", a.email = "a@b.co";
  Record r = s.to_record(a);
  EXPECT_EQ(r.names(), (std::vector<std::string>{"id", "username", "bio", "label"}));
  EXPECT_EQ(r["id"], Value(4));
  EXPECT_EQ(r["username"], Value("ann"));
  EXPECT_TRUE(r["bio"].is_null());
  EXPECT_EQ(r["label"], Value("ann!"));
  EXPECT_EQ(s.to_records({a, a}).size(), 2u);
}

// ---- The JSON list's direct path (json_direct.cpp) ----
// A model of plain members only, every SerialOp in both forms.
struct Plain : Model<Plain> {
  int64_t id = 0;
  std::string name;
  std::string email;
  int32_t age = 0;
  double score = 0;
  bool active = false;
  DateTime joined;
  std::optional<std::string> nick;
  std::optional<int64_t> ref;
  std::optional<double> ratio;
  std::optional<DateTime> seen;
  std::optional<bool> flag;
  std::optional<int32_t> rank;
  static void meta(Meta<Plain>& m) { m.table("plain").field(&Plain::name, max_length(12)); }
};

ModelSerializer<Plain> plain_serializer() {
  return ModelSerializer<Plain>()
      .options("email", {.email = true})
      .options("nick", {.allow_blank = true, .max_length = 6})
      .options("age", {.min_value = 0, .max_value = 150});
}
// The same serializer twice: the first reads a JSON list on the direct
// path; the second, with a validator that changes nothing, on the DOM path.
const ModelSerializer<Plain>& direct_reader() {
  static const auto s = plain_serializer();
  return s;
}
const ModelSerializer<Plain>& dom_reader() {
  static const auto s = plain_serializer().validator("age", [](int32_t&) {});
  return s;
}

// What a list read comes to: the objects as JSON, or the error.
std::string list_outcome(const ModelSerializer<Plain>& s, std::string_view body, const ReadOptions& o) {
  try {
    auto v = s.from_json_list(body, o);
    JsonWriter w;
    s.write(w, v);
    return "ok " + std::string(w.view());
  } catch (const ValidationError& e) {
    return "invalid " + e.to_json();
  } catch (const Error& e) {
    return std::string("error ") + e.what();
  }
}

void expect_same_reading(std::string_view body, const ReadOptions& o = {}) {
  EXPECT_EQ(list_outcome(direct_reader(), body, o), list_outcome(dom_reader(), body, o)) << "body: " << body;
}

TEST(JsonDirectPath, LeavesOtherPlansToTheDomPath) {
  const auto renamed = ModelSerializer<Plain>().exclude({"name"});
  EXPECT_TRUE(renamed.rename("plain_name", "name").plan().lean_input);
  // Names are compared with the body's bytes: printable ASCII only.
  EXPECT_FALSE(renamed.rename("na\xc3\xafve", "name").plan().lean_input);
  EXPECT_FALSE(renamed.rename("tab\there", "name").plan().lean_input);
  // Object validation runs after the whole body is read: the DOM path's.
  EXPECT_FALSE(plain_serializer().validate([](Input<Plain>&) {}).plan().lean_input);
  // A negative max_length refuses all text, on both paths.
  const auto none = plain_serializer().options("name", {.max_length = -1});
  ASSERT_TRUE(none.plan().lean_input);
  const std::string body =
      R"([{"name":"a","email":"a@x.io","age":1,"score":2,"active":true,"joined":"2024-01-15T09:30:00Z"}])";
  EXPECT_EQ(list_outcome(none, body, {}), list_outcome(none.validator("age", [](int32_t&) {}), body, {}));
  EXPECT_NE(list_outcome(none, body, {}).rfind("invalid", 0), std::string::npos);
  // A list padded with space does not reserve room for items it cannot hold.
  const std::string padded = body.substr(0, body.size() - 1) + std::string(100000, ' ') + "]";
  EXPECT_LE(direct_reader().from_json_list(padded).capacity(), 4096u);
}

const std::string kPlainList =
    R"([{"id":1,"name":"ann","email":"ann@x.io","age":30,"score":1.5,"active":true,)"
    R"("joined":"2024-01-15T09:30:00.123456Z","nick":"a","ref":5,"ratio":0.25,"seen":null,"flag":false,"rank":-3},)"
    "\n { \"rank\" : 7 , \"flag\":true,\"seen\":\"2024-02-29T23:59:59Z\",\"ratio\":-1e-3,\"ref\":null,\"nick\":\"\","
    R"("joined":"2000-01-01 00:00:00","active":false,"score":-0,"age":0,"email":"b.o+b@sub.example.com",)"
    "\"name\":\"\\u00e9t\\u00e9 \xc3\xa9\\n\\\"q\\\"\"}\t]\r\n";

TEST(JsonDirectPath, TakesPlainPlansOnly) {
  EXPECT_TRUE(direct_reader().plan().lean_input);
  EXPECT_FALSE(dom_reader().plan().lean_input);  // a field validator
  EXPECT_FALSE(ModelSerializer<Everything>().plan().lean_input);  // kinds read through their codec
  auto v = direct_reader().from_json_list(kPlainList);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0].id, 0);  // read-only: ignored
  EXPECT_EQ(v[0].joined, DateTime(2024, 1, 15, 9, 30, 0, 123456));
  EXPECT_EQ(v[0].nick, std::optional<std::string>("a"));
  EXPECT_EQ(v[1].name, "\xc3\xa9t\xc3\xa9 \xc3\xa9\n\"q\"");
  EXPECT_EQ(v[1].ref, std::nullopt);
  EXPECT_EQ(v[1].ratio, std::optional<double>(-0.001));
  EXPECT_EQ(v[1].seen, std::optional<DateTime>(DateTime(2024, 2, 29, 23, 59, 59)));
  EXPECT_FALSE(std::signbit(v[1].score));  // "-0" is the integer 0, as simdjson reads it
  expect_same_reading(kPlainList);
}

TEST(JsonDirectPath, ReadsEveryBodyAsTheDomPathDoes) {
  const std::string obj =
      R"({"name":"bo","email":"bo@x.io","age":1,"score":2,"active":true,"joined":"2024-01-15T09:30:00Z"})";
  for (std::string_view body : std::initializer_list<std::string_view>{
           "[]", " [ ] ", "[", "]", "", "{}", "[{}]", "[{},]", "[1]", "null", "[null]",
           "\xef\xbb\xbf[]",  // a byte order mark
       })
    expect_same_reading(body);
  auto with = [&](std::string_view from, std::string_view to) {
    std::string b = "[" + obj + "]";
    b.replace(b.find(from), from.size(), to);
    return b;
  };
  for (const std::string& body : {
           "[" + obj + "]", "[" + obj + "," + obj + "]", "[" + obj + "] x", "[" + obj + "]]", "[" + obj + ",]",
           with("\"age\":1", "\"age\":1.0"), with("\"age\":1", "\"age\":1e2"), with("\"age\":1", "\"age\":-0"),
           with("\"age\":1", "\"age\":01"), with("\"age\":1", "\"age\":151"), with("\"age\":1", "\"age\":-1"),
           with("\"age\":1", "\"age\":2147483648"), with("\"age\":1", "\"age\":\"1\""), with("\"age\":1", "\"age\":null"),
           with("\"age\":1", "\"age\":123456789012345678"), with("\"age\":1", "\"age\":1234567890123456789"),
           with("\"score\":2", "\"score\":123456789012345678901"), with("\"score\":2", "\"score\":1e400"),
           with("\"score\":2", "\"score\":1e-400"), with("\"score\":2", "\"score\":-0.0"),
           with("\"score\":2", "\"score\":0.1e1"), with("\"score\":2", "\"score\":1.7976931348623157e308"),
           with("\"score\":2", "\"score\":3.14159265358979323846264338327950288"), with("\"score\":2", "\"score\":1."),
           with("\"score\":2", "\"score\":.5"), with("\"score\":2", "\"score\":+1"), with("\"score\":2", "\"score\":1e"),
           with("\"active\":true", "\"active\":tru"), with("\"active\":true", "\"active\":truex"),
           with("\"active\":true", "\"active\":1"), with("\"name\":\"bo\"", "\"name\":\"\""),
           with("\"name\":\"bo\"", "\"name\":\"abcdefghijklm\""),  // past max_length
           with("\"name\":\"bo\"", "\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\""),  // 14 bytes, 7 characters
           with("\"name\":\"bo\"", "\"name\":\"b\\u0000\""), with("\"name\":\"bo\"", "\"name\":\"b\x01\""),
           with("\"name\":\"bo\"", "\"name\":\"b\xff\""), with("\"name\":\"bo\"", "\"name\":\"\xed\xa0\x80\""),
           with("\"name\":\"bo\"", "\"name\":\"\\ud83d\\ude00\""), with("\"name\":\"bo\"", "\"name\":\"\\ud83d\""),
           with("\"name\":\"bo\"", "\"name\":\"\\x\""), with("\"name\":\"bo\"", "\"name\":\"\\u12\""),
           with("\"name\":\"bo\"", "\"name\":\"\\u20AC\\/\\b\\f\\r\\t\""), with("\"name\":\"bo\"", "\"name\":[]"),
           with("\"name\":\"bo\"", "\"n\\u0061me\":\"bo\""), with("\"name\":\"bo\"", "\"name\":\"bo\",\"name\":\"bo\""),
           with("\"name\":\"bo\"", "\"name\":\"bo\",\"other\":1"), with("\"name\":\"bo\"", "\"name\":\"bo\",\"id\":5"),
           with("\"name\":\"bo\"", "\"name\":\"bo\",\"id\":[5]"), with("\"name\":\"bo\"", "\"name\":\"bo\",\"id\":{}"),
           with("\"name\":\"bo\"", "\"name\":\"bo\",\"id\":\"x\",\"id\":1"), with("\"name\":\"bo\",", ""),
           with("\"email\":\"bo@x.io\"", "\"email\":\"bo@x\""), with("\"email\":\"bo@x.io\"", "\"email\":\"BO@X.IO\""),
           with("\"joined\":\"2024-01-15T09:30:00Z\"", "\"joined\":\"2024-01-15T09:30:00+02:00\""),
           with("\"joined\":\"2024-01-15T09:30:00Z\"", "\"joined\":\"2023-02-29T00:00:00Z\""),
           with("\"joined\":\"2024-01-15T09:30:00Z\"", "\"joined\":\"tomorrow\""),
           with("\"joined\":\"2024-01-15T09:30:00Z\"", "\"joined\":\"2024-01-15T09:30:00Z\",\"seen\":null,\"flag\":null"),
           with("\"active\":true", "\"active\":true,\"nick\":\"abcdefg\""), with("\"active\":true", "\"active\":true,\"rank\":1.5"),
       })
    expect_same_reading(body);
  // Text of every length around the 16-byte blocks, ending at the body's end.
  for (int n = 0; n < 40; ++n) {
    std::string body = "[" + obj.substr(0, obj.size() - 1) + ",\"nick\":\"" + std::string(static_cast<std::size_t>(n), 'a');
    expect_same_reading(body);
    expect_same_reading(body + "\"}]");
    expect_same_reading(body + "\xc3\xa9\"}]");
    expect_same_reading(body + "\\n\"}]");
  }
  // The options.
  const std::string two = "[" + obj + "," + obj + "]";
  expect_same_reading(two, {.max_items = 1});
  expect_same_reading(two, {.max_items = 2});
  expect_same_reading(two, {.max_depth = 2});
  expect_same_reading(two, {.max_depth = 3});
  expect_same_reading(two, {.max_string_bytes = 2});
  expect_same_reading(two, {.max_bytes = 10});
  expect_same_reading(with("\"name\":\"bo\",", ""), {.partial = true});
  expect_same_reading(with("\"name\":\"bo\"", "\"name\":\"bo\",\"other\":1"), {.reject_unknown = true});
}

// Every prefix of a body, and every byte replaced, removed or doubled: the
// direct path gives up where it must, and takes only what the DOM path takes.
TEST(JsonDirectPath, DamagedBodiesReadAsTheDomPathReadsThem) {
  const std::string& base = kPlainList;
  for (std::size_t n = 0; n < base.size(); ++n) expect_same_reading(std::string_view(base).substr(0, n));
  const std::string_view replacements(" \"\\,:}]{[0-9.eEtnx\x01\xc3\x80\xff", 23);
  for (std::size_t i = 0; i < base.size(); ++i) {
    for (char c : replacements) {
      std::string b = base;
      b[i] = c;
      expect_same_reading(b);
    }
    expect_same_reading(std::string(base).erase(i, 1));
    expect_same_reading(std::string(base).insert(i, 1, base[i]));
    if (HasFailure()) return;  // one report is enough
  }
}

// The MessagePack list's direct path: the same comparison, on bodies that
// pass the checking pass (the direct path starts after it).
std::string packed_list_outcome(const ModelSerializer<Plain>& s, std::string_view body) {
  try {
    return "ok " + s.to_json(s.from_msgpack_list(body));
  } catch (const ValidationError& e) {
    return "invalid " + e.to_json();
  } catch (const Error& e) {
    return std::string("error ") + e.what();
  }
}

void expect_same_packed_reading(std::string_view body) {
  EXPECT_EQ(packed_list_outcome(direct_reader(), body), packed_list_outcome(dom_reader(), body))
      << "body: " << testing::PrintToString(std::string(body));
}

// One object of `n` members written by `put` into a list of `items` of them.
template <class Put>
std::string packed(std::size_t items, std::size_t n, Put put) {
  MsgPackWriter w;
  w.begin_array(items);
  for (std::size_t i = 0; i < items; ++i) {
    w.begin_map(n);
    put(w);
  }
  return w.take();
}

TEST(MsgPackDirectPath, ReadsEveryBodyAsTheGeneralPathDoes) {
  auto plain = [&](MsgPackWriter& w, std::string_view change, auto value) {
    auto member = [&](std::string_view name, auto v) {
      w.key(name);
      if (name == change) w.value(value);
      else w.value(v);
    };
    member("name", "bo"), member("email", "bo@x.io"), member("age", 1), member("score", 2.5);
    member("active", true), member("joined", DateTime(2024, 1, 15, 9, 30, 0, 7));
  };
  auto one = [&](std::string_view change, auto value) {
    return packed(2, 6, [&](MsgPackWriter& w) { plain(w, change, value); });
  };
  const std::string good = one("", 0);
  EXPECT_EQ(packed_list_outcome(direct_reader(), good).rfind("ok ", 0), 0u) << packed_list_outcome(direct_reader(), good);
  for (const std::string& body : {
           good, one("age", 3.0), one("age", 3.5), one("age", uint64_t{1} << 63), one("age", -1), one("age", 151),
           one("age", int64_t{1} << 40), one("age", nullptr), one("age", "1"), one("score", 7), one("score", 1e300),
           one("score", std::numeric_limits<double>::quiet_NaN()), one("score", std::numeric_limits<double>::infinity()),
           one("active", 1), one("name", ""), one("name", "abcdefghijklm"), one("name", std::string("a\0b", 3)),
           one("name", Bytes::from("bo")), one("email", "bo@x"), one("joined", "2024-01-15T09:30:00Z"),
           one("joined", "2024-01-15 09:30:00"), one("joined", "tomorrow"), one("joined", int64_t{5}),
           one("joined", DateTime::from_unix_micros(DateTime::kMaxMicros)),
       })
    expect_same_packed_reading(body);
  // Keys: other, unknown, twice, read-only, missing, optional ones null.
  auto with = [&](std::size_t n, auto put) { expect_same_packed_reading(packed(1, n, put)); };
  with(7, [&](MsgPackWriter& w) { plain(w, "", 0), w.key("other"), w.value(1); });
  with(7, [&](MsgPackWriter& w) { plain(w, "", 0), w.key("age"), w.value(2); });
  with(7, [&](MsgPackWriter& w) { plain(w, "", 0), w.key("id"), w.begin_array(1), w.value(1); });
  with(8, [&](MsgPackWriter& w) { plain(w, "", 0), w.key("id"), w.value(1), w.key("id"), w.value(2); });
  with(9, [&](MsgPackWriter& w) {
    plain(w, "", 0), w.key("nick"), w.null(), w.key("seen"), w.null(), w.key("flag"), w.value(false);
  });
  with(2, [&](MsgPackWriter& w) { w.key("rank"), w.value(7), w.key("name"), w.value("x"); });
  expect_same_packed_reading(packed(0, 0, [](MsgPackWriter&) {}));
  {
    MsgPackWriter w;  // an item that is not a map
    w.begin_array(2), w.value(1), w.begin_map(0);
    expect_same_packed_reading(w.view());
  }
  // Every byte of a good body replaced by each of a few: most break the
  // body (both refuse it in the checking pass); the rest change a type.
  const std::string list = direct_reader().to_msgpack(direct_reader().from_json_list(kPlainList));
  for (std::size_t i = 0; i < list.size(); ++i) {
    for (int b : {0x00, 0x01, 0x7f, 0x80, 0x90, 0xa1, 0xc0, 0xc2, 0xc3, 0xca, 0xcb, 0xcc, 0xd0, 0xd3, 0xd9, 0xe0, 0xff}) {
      std::string body = list;
      body[i] = static_cast<char>(b);
      expect_same_packed_reading(body);
    }
    if (HasFailure()) return;
  }
}

}  // namespace
