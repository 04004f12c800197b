// ModelSerializer's output on SQLite: the seed's UserSerializer byte for
// byte, every field kind, the DRF options, query results and NDJSON streams
// read from a cursor.
#include "support/msgpack_helpers.hpp"

#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "support/helpers.hpp"
#include "support/models.hpp"

namespace {

using namespace covet;
using testing_msgpack::timestamp_micros;
using testing_models::Everything;

struct SeedUser : Model<SeedUser> {
  int64_t id = 0;
  std::string username;
  std::string email;
  std::string first_name;
  std::string last_name;
  std::string password_hash;
  DateTime created_at;
  bool is_active = true;
  static void meta(Meta<SeedUser>& m) { m.table("seed_users").field(&SeedUser::username, max_length(50), unique()); }
};

SeedUser ann() {
  SeedUser u;
  u.id = 7;
  u.username = "ann";
  u.email = "ann@example.com";
  u.first_name = "Ann";
  u.last_name = "Lee";
  u.password_hash = "x";
  u.created_at = DateTime(2024, 1, 15, 10, 30, 0, 250000);
  return u;
}

// The seed's UserSerializer: a field list, read-only fields, a method field.
const ModelSerializer<SeedUser>& user_serializer() {
  static const auto s = ModelSerializer<SeedUser>()
                            .fields({"id", "username", "email", "created_at"})
                            .read_only({"id", "created_at"})
                            .method("full_name", [](const SeedUser& u) { return u.first_name + " " + u.last_name; });
  return s;
}

TEST(Serializer, SeedUserSerializerWritesTheExpectedJson) {
  EXPECT_EQ(user_serializer().to_json(ann()),
            R"({"id":7,"username":"ann","email":"ann@example.com","created_at":"2024-01-15T10:30:00.250000Z",)"
            R"("full_name":"Ann Lee"})");
  const auto& f = user_serializer().plan().fields;
  ASSERT_EQ(f.size(), 5u);
  EXPECT_TRUE(f[0].read_only);
  EXPECT_FALSE(f[1].read_only);
  EXPECT_TRUE(f[3].read_only);
  EXPECT_TRUE(f[4].read_only);  // a method field is output only
}

TEST(Serializer, AllFieldsByDefaultInDeclarationOrder) {
  SeedUser u = ann();
  EXPECT_EQ(ModelSerializer<SeedUser>().to_json(u),
            R"({"id":7,"username":"ann","email":"ann@example.com","first_name":"Ann","last_name":"Lee",)"
            R"("password_hash":"x","created_at":"2024-01-15T10:30:00.250000Z","is_active":true})");
}

TEST(Serializer, ExcludeRenameWriteOnlyAndMethodPlacement) {
  auto s = ModelSerializer<SeedUser>()
               .exclude({"first_name", "last_name", "created_at"})
               .write_only({"password_hash"})
               .rename("login", "username")
               .method("initials", [](const SeedUser& u, JsonWriter& w) {
                 w.begin_array();
                 w.value(u.first_name.substr(0, 1));
                 w.value(u.last_name.substr(0, 1));
                 w.end_array();
               });
  EXPECT_EQ(s.to_json(ann()), R"({"id":7,"username":"ann","email":"ann@example.com","is_active":true,"login":"ann",)"
                              R"("initials":["A","L"]})");
  // A declared field placed by fields(); one declared later comes last.
  auto t = ModelSerializer<SeedUser>()
               .rename("login", "username")
               .fields({"login", "id"})
               .method("n", [](const SeedUser&) { return std::optional<int>(); });
  EXPECT_EQ(t.to_json(ann()), R"({"login":"ann","id":7,"n":null})");
  // A declared field with a model field's name replaces it in place.
  auto r = ModelSerializer<SeedUser>().fields({"id", "email"}).method("email", [](const SeedUser& u) {
    return "<" + u.email + ">";
  });
  EXPECT_EQ(r.to_json(ann()), R"({"id":7,"email":"<ann@example.com>"})");
}

TEST(Serializer, BadConfigurationIsRefusedWhenDeclared) {
  try {
    ModelSerializer<SeedUser>().fields({"id", "usernme"});
    FAIL();
  } catch (const FieldError& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean 'username'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(ModelSerializer<SeedUser>().read_only({"nope"}), FieldError);
  EXPECT_THROW(ModelSerializer<SeedUser>().rename("x", "nope"), FieldError);
  EXPECT_THROW(ModelSerializer<SeedUser>().fields({"id"}).exclude({"email"}), ConfigurationError);
  EXPECT_THROW(ModelSerializer<SeedUser>().fields({"id", "id"}), ConfigurationError);
  EXPECT_THROW(ModelSerializer<SeedUser>().rename("a", "id").rename("a", "email"), ConfigurationError);
  EXPECT_THROW(ModelSerializer<SeedUser>().read_only({"id"}).write_only({"id"}), ConfigurationError);
  auto silent = ModelSerializer<SeedUser>().fields({"id"}).method("none", [](const SeedUser&, JsonWriter&) {});
  EXPECT_THROW(silent.to_json(ann()), UsageError);
}

TEST(Serializer, EveryFieldKindHasItsJsonForm) {
  Everything e;
  e.id = 1;
  e.small = -3;
  e.big = 9'000'000'000;
  e.real = 2.5;
  e.price = Decimal("19.90");
  e.name = "n\"ame";
  e.body = "line1\nline2 ü";
  e.flag = true;
  e.day = Date(2023, 12, 31);
  e.at = DateTime(2023, 12, 31, 23, 59, 59, 1);
  e.uid = Uuid::parse("00112233-4455-6677-8899-aabbccddeeff");
  e.doc = Json::parse(R"({"k": [true, null]})");
  e.tags = {"a", "b"};
  e.numbers = {1, -2};
  e.blob = Bytes::from("hi");
  e.score = 10;
  e.ratio = 0.25;
  EXPECT_EQ(ModelSerializer<Everything>().to_json(e),
            R"({"id":1,"small":-3,"big":9000000000,"real":2.5,"price":"19.90","name":"n\"ame",)"
            R"("body":"line1\nline2 ü","flag":true,"day":"2023-12-31","at":"2023-12-31T23:59:59.000001Z",)"
            R"("uid":"00112233-4455-6677-8899-aabbccddeeff","doc":{"k":[true,null]},"tags":["a","b"],)"
            R"("numbers":[1,-2],"blob":"aGk=","nickname":null,"score":10,"seen_at":null,"ratio":0.25})");
  e.nickname = "nick";
  e.seen_at = DateTime(2020, 1, 1);
  e.score.reset();
  e.ratio.reset();
  auto s = ModelSerializer<Everything>().fields({"nickname", "seen_at", "score", "ratio"});
  EXPECT_EQ(s.to_json(e), R"({"nickname":"nick","seen_at":"2020-01-01T00:00:00.000000Z","score":null,"ratio":null})");
  e.real = std::nan("");
  EXPECT_THROW(ModelSerializer<Everything>().to_json(e), InvalidArgument);
}

TEST(Serializer, ListsQueriesAndNdjsonStreams) {
  Database db("sqlite://:memory:");
  db.create_all<SeedUser>();
  std::vector<SeedUser> users;
  for (int i = 0; i < 250; ++i) {
    SeedUser u = ann();
    u.id = 0;
    u.username = "user" + std::to_string(i);
    u.email = "u" + std::to_string(i) + "@example.com";
    users.push_back(u);
  }
  SeedUser::objects(db).bulk_create(users);
  auto small = ModelSerializer<SeedUser>().fields({"id", "username"});
  EXPECT_EQ(small.to_json(std::vector<SeedUser>{}), "[]");
  auto qs = SeedUser::objects(db).filter("id__lte", 3).order_by("id");
  EXPECT_EQ(small.to_json(qs), R"([{"id":1,"username":"user0"},{"id":2,"username":"user1"},{"id":3,"username":"user2"}])");
  EXPECT_EQ(small.to_json(qs.all()), small.to_json(qs));

  // NDJSON: every row on its own line, delivered in several chunks.
  std::vector<std::string> chunks;
  small.write_ndjson(SeedUser::objects(db).order_by("id"), [&](std::string_view c) { chunks.emplace_back(c); }, 1024);
  EXPECT_GT(chunks.size(), 3u);
  std::string all;
  for (const auto& c : chunks) {
    EXPECT_EQ(c.back(), '\n');
    all += c;
  }
  std::size_t lines = 0, pos = 0;
  for (std::size_t nl; (nl = all.find('\n', pos)) != std::string::npos; pos = nl + 1, ++lines) {
    std::string line = all.substr(pos, nl - pos);
    EXPECT_EQ(line, R"({"id":)" + std::to_string(lines + 1) + R"(,"username":"user)" + std::to_string(lines) + "\"}");
  }
  EXPECT_EQ(lines, 250u);
  // A serializer is shared by threads: the same text from each.
  std::vector<std::string> out(4);
  std::vector<std::thread> threads;
  for (auto& o : out) threads.emplace_back([&] { o = small.to_json(users); });
  for (auto& t : threads) t.join();
  for (const auto& o : out) EXPECT_EQ(o, out[0]);
}

using testing_models::Cells;

// What all() then the object writer give: the reference for the rows.
template <class Q>
std::string through_objects(const ModelSerializer<Cells>& s, const Q& qs) {
  return s.to_json(qs.all());
}

TEST(Serializer, QueryRowsWrittenFromTheirCellsAsFromObjects) {
  Database db("sqlite://:memory:");
  db.create_all<Cells>();
  Cells a;
  a.small = -7, a.flag = true, a.name = "Ann", a.at = DateTime(2024, 1, 15, 10, 30, 0, 250000), a.ratio = 0.5;
  a.o64 = 0, a.o32 = 0, a.oflag = false, a.oname = "", a.oat = DateTime(1, 1, 1, 0, 0, 0, 0), a.oratio = 0.0;
  a.save(db);
  Cells b;  // zeros, empty text and NULLs: each looked up as NULL or not
  b.name = "quote \" and \\ back\nslash \x01 \xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80";
  b.at = DateTime(9999, 12, 31, 23, 59, 59, 999999);
  b.save(db);
  Cells c = a;
  c.id = 0;
  c.save(db);
  c.id = 0;
  c.save(db);  // row 4 keeps every stored form covet writes
  // Times stored in other forms: no fraction, a 'T', unix seconds, an
  // offset (read the general way, row by row).
  db.execute("UPDATE cells SET at = '2024-02-29 08:00:00' WHERE id = 1");
  db.execute("UPDATE cells SET oat = '2024-03-01T09:15:00.000001' WHERE id = 1");
  db.execute("UPDATE cells SET at = 1700000000 WHERE id = 3");
  db.execute("UPDATE cells SET oat = '2024-03-01 09:15:00+02:00' WHERE id = 3");
  auto s = ModelSerializer<Cells>();
  ASSERT_TRUE(s.plan().rows_direct);
  auto qs = Cells::objects(db).order_by("id");
  const std::string json = s.to_json(qs);
  EXPECT_EQ(json, through_objects(s, qs));
  EXPECT_NE(json.find(R"("at":"2024-02-29T08:00:00.000000Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("oat":"2024-03-01T09:15:00.000001Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("at":"2023-11-14T22:13:20.000000Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("oat":"2024-03-01T07:15:00.000000Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("o64":null,"o32":null,"oflag":null,"oname":null,"oat":null,"oratio":null)"), std::string::npos);
  EXPECT_NE(json.find(R"("o64":0,"o32":0,"oflag":false,"oname":"","oat":"0001-01-01T00:00:00.000000Z","oratio":0.0)"),
            std::string::npos) << json;
  // Fewer fields, renamed, in another order: the columns found by field.
  auto some = ModelSerializer<Cells>().rename("label", "name").fields({"oname", "id", "label", "at"});
  ASSERT_TRUE(some.plan().rows_direct);
  EXPECT_EQ(some.to_json(qs), some.to_json(qs.all()));
  // NDJSON from the same rows: one object per line, the same objects.
  std::string lines;
  s.write_ndjson(qs, [&](std::string_view chunk) { lines += chunk; }, 64);
  std::string joined = "[";
  for (std::size_t pos = 0, nl; (nl = lines.find('\n', pos)) != std::string::npos; pos = nl + 1)
    joined += (pos ? "," : "") + lines.substr(pos, nl - pos);
  EXPECT_EQ(joined + "]", json);
  // Into a writer that already holds output: the rows follow it.
  JsonWriter w;
  w.begin_array();
  w.value(1);
  s.write(w, qs);
  w.end_array();
  EXPECT_EQ(std::string(w.view()), "[1," + json + "]");
}

struct Shelf : Model<Shelf> {
  int64_t id = 0;
  std::string label;
  ForeignKey<Cells> cell;
  static void meta(Meta<Shelf>& m) { m.table("shelves"); }
};

TEST(Serializer, QueryRowsThatCannotBeReadFailAsFromObjects) {
  Database db("sqlite://:memory:");
  db.create_all<Cells, Shelf>();
  for (int i = 0; i < 3; ++i) {
    Cells c;
    c.name = "n" + std::to_string(i);
    c.save(db);
  }
  auto s = ModelSerializer<Cells>();
  auto qs = Cells::objects(db).order_by("id");
  auto same_error = [&](const char* what, bool unreadable) {
    std::string direct, objects;
    try {
      s.to_json(qs);
    } catch (const Error& e) {
      direct = e.what();
    }
    try {
      through_objects(s, qs);
    } catch (const Error& e) {
      objects = e.what();
    }
    EXPECT_FALSE(direct.empty()) << what;
    EXPECT_EQ(direct, objects) << what;
    // A writer that failed to read the third row holds the first two
    // whole (one that could not write a value stops inside the object).
    JsonWriter w;
    EXPECT_THROW(s.write(w, qs), Error) << what;
    std::string two = s.to_json(Cells::objects(db).filter("id__lte", 2).order_by("id"));
    if (unreadable) {
      EXPECT_EQ(std::string(w.view()), two.substr(0, two.size() - 1)) << what;
    }
  };
  db.execute("UPDATE cells SET small = 5000000000 WHERE id = 3");  // beyond int32_t
  same_error("an int32 out of range", true);
  // Cells read but not written (a select_related object's) are read as
  // loading reads them: the bad one is still an error.
  Shelf shelf;
  shelf.label = "top";
  shelf.cell = 3;
  shelf.save(db);
  auto labels = ModelSerializer<Shelf>().fields({"id", "label"});
  auto shelves = Shelf::objects(db).select_related("cell");
  std::string objects = test_support::message_of<DataError>([&] { labels.to_json(shelves.all()); });
  EXPECT_TRUE(test_support::has(objects, "small")) << objects;
  EXPECT_EQ(test_support::message_of<DataError>([&] { labels.to_json(shelves); }), objects);
  EXPECT_EQ(labels.to_json(Shelf::objects(db)), R"([{"id":1,"label":"top"}])");
  db.execute("UPDATE cells SET small = 0, at = 'not a time' WHERE id = 3");
  same_error("a time in no known form", true);
  db.execute("UPDATE cells SET at = '2024-01-01 00:00:00', name = CAST(x'6869ff' AS TEXT) WHERE id = 3");
  same_error("text that is not UTF-8", false);
  // Long enough that escaping it grows the writer's buffer before the
  // refusal: the row is still taken back whole.
  db.execute("UPDATE cells SET name = CAST(replace(hex(zeroblob(300)), '0', 'a') || x'ff' AS TEXT) WHERE id = 3");
  same_error("long text that is not UTF-8", false);
  db.execute("UPDATE cells SET name = 'n', ratio = 1e999 WHERE id = 3");  // SQLite keeps the infinity
  same_error("an infinite float", false);
}

}  // namespace

// ------------------------------------------------------------------ input
namespace {

std::string hash_password(std::string_view pw) { return "hashed:" + std::string(pw); }

struct Account : Model<Account> {
  int64_t id = 0;
  std::string username;
  std::string email;
  std::string password_hash;
  int32_t age = 0;
  bool is_premium = false;
  std::optional<std::string> bio;
  DateTime created_at;
  static void meta(Meta<Account>& m) {
    m.table("accounts")
        .field(&Account::username, max_length(20), unique())
        .field(&Account::is_premium, default_value(false))
        .field(&Account::created_at, auto_now_add());
  }
  // The seed's model-level rule: it runs on save() and in serializers.
  void validate() const {
    if (is_premium && age < 18) throw ValidationError("Premium accounts require age 18+");
  }
};

// The seed's UserRegistrationSerializer.
const ModelSerializer<Account>& registration() {
  static const auto s =
      ModelSerializer<Account>()
          .input_field("password", FieldKind::Text, {.min_length = 8})
          .input_field("password_confirm", FieldKind::Text)
          .fields({"id", "username", "email", "age", "is_premium", "password", "password_confirm"})
          .read_only({"id"})
          .options("email", {.email = true})
          .options("age", {.min_value = 0, .max_value = 150})
          .validator("email", [](std::string& email) {
            for (char& c : email) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          })
          .validator("password",
                     [](Value& v) {
                       const std::string& pw = v.as_string();
                       if (std::none_of(pw.begin(), pw.end(), [](char c) { return std::isupper(static_cast<unsigned char>(c)); }))
                         throw ValidationError("Password must contain uppercase");
                       if (std::none_of(pw.begin(), pw.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
                         throw ValidationError("Password must contain digit");
                     })
          .validate([](Input<Account>& in) {
            if (in.extra("password") != in.extra("password_confirm")) return in.error("Passwords do not match");
            in.object().password_hash = hash_password(in.extra("password").as_string());
            in.erase_extra("password_confirm");
          });
  return s;
}

using test_support::errors_of;

Database account_db() {
  Database db("sqlite://:memory:");
  db.create_all<Account>();
  return db;
}

TEST(SerializerInput, RegistrationValidatesNormalisesAndSaves) {
  Database db = account_db();
  Account a = registration().create(
      db, R"({"username":"ann","email":"Ann@Example.COM","age":30,"password":"Secret123","password_confirm":"Secret123"})");
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(a.email, "ann@example.com");  // normalised by the field validator
  EXPECT_EQ(a.password_hash, "hashed:Secret123");
  Account stored = Account::objects(db).get("id", a.id);
  EXPECT_EQ(stored.password_hash, "hashed:Secret123");
  EXPECT_EQ(stored.email, "ann@example.com");
  // The output never shows the input fields.
  EXPECT_EQ(registration().to_json(stored), R"({"id":1,"username":"ann","email":"ann@example.com","age":30,"is_premium":false})");
}

TEST(SerializerInput, EveryProblemIsReportedAtOnceInDrfShape) {
  Database db = account_db();
  EXPECT_EQ(errors_of([&] {
              registration().create(db, R"({"username":"","email":"nope","age":"old","password":"short","password_confirm":5})");
            }),
            R"({"age":["A valid integer is required."],"email":["Enter a valid email address."],)"
            R"("password":["Ensure this field has at least 8 characters."],)"
            R"("password_confirm":["Not a valid string."],"username":["This field may not be blank."]})");
  EXPECT_EQ(errors_of([&] { registration().create(db, R"({"age":200,"is_premium":null})"); }),
            R"({"age":["Ensure this value is less than or equal to 150."],"email":["This field is required."],)"
            R"("is_premium":["This field may not be null."],"password":["This field is required."],)"
            R"("password_confirm":["This field is required."],"username":["This field is required."]})");
  // The object-level validator runs once the fields are valid.
  EXPECT_EQ(errors_of([&] {
              registration().create(
                  db, R"({"username":"bob","email":"b@x.io","age":20,"password":"Secret123","password_confirm":"Secret124"})");
            }),
            R"({"non_field_errors":["Passwords do not match"]})");
  // The model's max_length (20) and its own validate().
  EXPECT_EQ(errors_of([&] {
              registration().create(db, R"({"username":"abcdefghijklmnopqrstuvwxyz","email":"b@x.io","age":20,)"
                                        R"("password":"Secret123","password_confirm":"Secret123"})");
            }),
            R"({"username":["Ensure this value has at most 20 characters (it has 26)."]})");
  EXPECT_EQ(errors_of([&] {
              registration().create(db, R"({"username":"kid","email":"k@x.io","age":12,"is_premium":true,)"
                                        R"("password":"Secret123","password_confirm":"Secret123"})");
            }),
            R"({"non_field_errors":["Premium accounts require age 18+"]})");
  EXPECT_EQ(Account::objects(db).count(), 0);  // nothing was written
}

TEST(SerializerInput, TypeAndRangeErrorsAreFieldErrorsNotCrashes) {
  auto s = ModelSerializer<Everything>().options("name", {.allow_blank = true});
  auto err = [&](std::string_view field, std::string_view json_value) {
    std::string body = "{\"" + std::string(field) + "\":" + std::string(json_value) + "}";
    try {
      s.read_json(body, {.partial = true});
    } catch (const ValidationError& e) {
      auto it = e.errors().find(std::string(field));
      return it == e.errors().end() ? std::string("other: ") + e.what() : it->second.at(0);
    }
    return std::string("accepted");
  };
  EXPECT_EQ(err("small", "2147483648"), "Ensure this value is less than or equal to 2147483647.");
  EXPECT_EQ(err("small", "-2147483649"), "Ensure this value is greater than or equal to -2147483648.");
  EXPECT_EQ(err("big", "18446744073709551615"), "Ensure this value is less than or equal to 9223372036854775807.");
  EXPECT_EQ(err("big", "1.5"), "A valid integer is required.");
  EXPECT_EQ(err("big", "3.0"), "accepted");
  EXPECT_EQ(err("real", "\"1\""), "A valid number is required.");
  EXPECT_EQ(err("flag", "1"), "Must be a valid boolean.");
  EXPECT_EQ(err("name", "[1]"), "Not a valid string.");
  EXPECT_EQ(err("name", R"("a\u0000b")"), "Null characters are not allowed.");
  EXPECT_EQ(err("day", R"("2024-13-01")"), "Date has wrong format. Use one of these formats instead: YYYY-MM-DD.");
  EXPECT_EQ(err("at", R"("yesterday")"),
            "Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].");
  EXPECT_EQ(err("uid", R"("xyz")"), "Must be a valid UUID.");
  EXPECT_EQ(err("price", R"("12.345")"), "Ensure that there are no more than 2 decimal places.");
  EXPECT_EQ(err("price", R"("abc")"), "A valid number is required.");
  EXPECT_EQ(err("tags", R"("a")"), "Expected a list of items but got type \"str\".");
  EXPECT_EQ(err("blob", R"("@@@@")"), "Enter valid base64 data.");
  EXPECT_EQ(err("name", R"("way too long a name for twenty")"), "Ensure this value has at most 20 characters (it has 30).");
  EXPECT_EQ(err("nickname", "null"), "accepted");
  EXPECT_EQ(err("name", "null"), "This field may not be null.");
  EXPECT_EQ(err("name", R"("")"), "accepted");  // allow_blank
}

TEST(SerializerInput, MalformedOversizedAndDeepInputIsAParseError) {
  auto s = ModelSerializer<Everything>();
  ReadOptions partial{.partial = true};
  EXPECT_THROW(s.read_json("{\"name\": ", partial), ParseError);
  EXPECT_THROW(s.read_json("{\"name\": \"a\"} trailing", partial), ParseError);
  EXPECT_THROW(s.read_json("{\"name\": \"a\", \"name\": \"b\"}", partial), ParseError);
  EXPECT_THROW(s.read_json("{\"zz\": 1, \"zz\": 2}", partial), ParseError);
  EXPECT_THROW(s.read_json("{\"name\": \"\xC3\x28\"}", partial), ParseError);
  std::string deep = "{\"doc\":" + std::string(100, '[') + std::string(100, ']') + "}";
  EXPECT_THROW(s.read_json(deep, partial), ParseError);
  EXPECT_NO_THROW(s.read_json(deep, {.max_depth = 200, .partial = true}));
  std::string big = "{\"body\":\"" + std::string(2 << 20, 'x') + "\"}";
  EXPECT_THROW(s.read_json(big, partial), PayloadTooLarge);
  EXPECT_NO_THROW(s.read_json(big, {.max_bytes = 4 << 20, .max_string_bytes = 4 << 20, .partial = true}));
  // One value past max_string_bytes is that field's error.
  EXPECT_EQ(errors_of([&] { s.read_json(big, {.max_bytes = 4 << 20, .partial = true}); }),
            R"({"body":["Ensure this value has no more than 1048576 bytes."]})");
  EXPECT_EQ(errors_of([&] {
              s.read_json(R"({"name":"abcdef","blob":"AAAAAAAA","doc":[1,2,3],"tags":["abcdef"]})",
                          {.max_string_bytes = 5, .partial = true});
            }),
            R"({"blob":["Ensure this value has no more than 5 bytes."],"doc":["Ensure this value has no more than 5 bytes."],)"
            R"("name":["Ensure this value has no more than 5 bytes."],"tags":["Ensure this value has no more than 5 bytes."]})");
  EXPECT_EQ(errors_of([&] { s.read_json("[1,2]", partial); }),
            R"({"non_field_errors":["Invalid data. Expected a dictionary, but got list."]})");
  // Unknown keys: ignored, or refused on request.
  EXPECT_NO_THROW(s.read_json(R"({"whatever": {"deep": [1]}})", partial));
  EXPECT_EQ(errors_of([&] { s.read_json(R"({"whatever": 1})", {.partial = true, .reject_unknown = true}); }),
            R"({"whatever":["Unknown field."]})");
}

TEST(SerializerInput, EveryFieldKindRoundTripsThroughJson) {
  Everything e = testing_models::sample_everything();
  auto s = ModelSerializer<Everything>();
  std::string json = s.to_json(e);
  Everything back = s.from_json(json);
  EXPECT_EQ(back.id, 0);  // an auto key is read-only by default (DRF's AutoField)
  back.id = e.id;
  EXPECT_EQ(s.to_json(back), json);
}

TEST(SerializerInput, UpdatesFullAndPartialAndUniqueChecks) {
  Database db = account_db();
  auto s = ModelSerializer<Account>().fields({"id", "username", "email", "age", "bio"}).read_only({"id"});
  Account ann = s.create(db, R"({"username":"ann","email":"a@x.io","age":30,"id":99})");
  EXPECT_NE(ann.id, 99);  // read-only input is ignored
  Account bob = s.create(db, R"({"username":"bob","email":"b@x.io","age":40,"bio":"hi"})");
  // Unique: another row's username is taken; one's own is not.
  EXPECT_EQ(errors_of([&] { s.create(db, R"({"username":"ann","email":"c@x.io","age":1})"); }),
            R"({"username":["account with this username already exists."]})");
  EXPECT_EQ(errors_of([&] { s.update(db, bob, R"({"username":"ann"})", {.partial = true}); }),
            R"({"username":["account with this username already exists."]})");
  EXPECT_EQ(bob.username, "bob");  // unchanged after a failed update
  s.update(db, bob, R"({"username":"bob","email":"B@x.io","age":41})");
  EXPECT_EQ(bob.bio, "hi");  // not given, kept (bio is optional: not required)
  EXPECT_EQ(Account::objects(db).get("id", bob.id).age, 41);
  // A full update needs every required field; a partial one only what it gives.
  EXPECT_EQ(errors_of([&] { s.update(db, bob, R"({"age":42})"); }),
            R"({"email":["This field is required."],"username":["This field is required."]})");
  s.update(db, bob, R"({"age":42,"bio":null})", {.partial = true});
  Account stored = Account::objects(db).get("id", bob.id);
  EXPECT_EQ(stored.age, 42);
  EXPECT_FALSE(stored.bio.has_value());
  EXPECT_EQ(stored.email, "B@x.io");
  EXPECT_EQ(Account::objects(db).count(), 2);
}

TEST(SerializerInput, ModelValidateRunsOnSaveToo) {
  Database db = account_db();
  Account kid;
  kid.username = "kid";
  kid.age = 12;
  kid.is_premium = true;
  EXPECT_THROW(kid.save(db), ValidationError);
  std::vector<Account> batch{kid};
  EXPECT_THROW(Account::objects(db).bulk_create(batch), ValidationError);
  EXPECT_EQ(Account::objects(db).count(), 0);
  kid.is_premium = false;
  kid.save(db);
  kid.is_premium = true;
  EXPECT_THROW(kid.save(db), ValidationError);  // the update path too
  EXPECT_FALSE(Account::objects(db).get("id", kid.id).is_premium);
}

TEST(SerializerInput, ConfigurationMistakesAreCaughtWhenDeclared) {
  EXPECT_THROW(ModelSerializer<Account>().validator("age", [](std::string&) {}), ConfigurationError);
  EXPECT_THROW(ModelSerializer<Account>().validator("nope", [](std::string&) {}), FieldError);
  EXPECT_THROW(ModelSerializer<Account>().input_field("pw", FieldKind::Text).validator("pw", [](std::string&) {}),
               ConfigurationError);
  EXPECT_THROW(ModelSerializer<Account>().options("username", {.regex = "("}), ConfigurationError);
  EXPECT_NO_THROW(ModelSerializer<Account>().validator("bio", [](std::string&) {}));  // an optional<string> member
  auto s = ModelSerializer<Account>().options("username", {.regex = "[a-z]+"});
  EXPECT_EQ(errors_of([&] { s.read_json(R"({"username":"Ann1"})", {.partial = true}); }),
            R"({"username":["This value does not match the required pattern."]})");
  auto u = ModelSerializer<Account>().input_field("site", FieldKind::Text, {.required = false, .url = true});
  EXPECT_EQ(errors_of([&] { u.read_json(R"({"site":"ftp//x"})", {.partial = true}); }), R"({"site":["Enter a valid URL."]})");
  EXPECT_NO_THROW(u.read_json(R"({"site":"https://example.com:8080/a?b=c#d"})", {.partial = true}));
}

}  // namespace

namespace {

TEST(SerializerInput, ListsAreReadWholeAndEveryItemsErrorsReported) {
  Database db = account_db();
  auto s = ModelSerializer<Account>().fields({"id", "username", "email", "age"});
  std::vector<Account> got = s.from_json_list(R"([{"username":"a","email":"a@x.io","age":1},{"username":"b","email":"b@x.io","age":2}])");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1].username, "b");
  EXPECT_EQ(s.from_json_list("[]").size(), 0u);
  EXPECT_EQ(errors_of([&] { s.from_json_list(R"([{"username":"a","email":"a@x.io","age":1},{"age":"x"},5])"); }),
            R"([{},{"age":["A valid integer is required."],"email":["This field is required."],)"
            R"("username":["This field is required."]},{"non_field_errors":["Invalid data. Expected a dictionary, but got number."]}])");
  EXPECT_EQ(errors_of([&] { s.from_json_list(R"({"username":"a"})"); }),
            R"({"non_field_errors":["Expected a list of items but got type \"dict\"."]})");
  // create_list: all or nothing, unique checked against the table.
  auto made = s.create_list(db, R"([{"username":"a","email":"a@x.io","age":1},{"username":"b","email":"b@x.io","age":2}])");
  EXPECT_GT(made[0].id, 0);
  EXPECT_EQ(Account::objects(db).count(), 2);
  EXPECT_THROW(s.create_list(db, R"([{"username":"c","email":"c@x.io","age":1},{"username":"a","email":"d@x.io","age":2}])"),
               ValidationError);
  EXPECT_EQ(Account::objects(db).count(), 2);
  // An auto key made writable (DRF's extra_kwargs read_only=False), checked on create.
  auto with_id = ModelSerializer<Account>().fields({"id", "username", "email", "age"}).options("id", {.read_only = false});
  EXPECT_EQ(with_id.from_json(R"({"id":42,"username":"z"})", {.partial = true}).id, 42);
  EXPECT_EQ(errors_of([&] { with_id.create(db, R"({"id":1,"username":"zz","email":"z@x.io","age":3})"); }),
            R"({"id":["account with this id already exists."]})");
  // One member under two names is refused, not decided by key order.
  auto renamed = ModelSerializer<Account>().fields({"username", "email", "age"}).rename("login", "username");
  EXPECT_EQ(errors_of([&] { renamed.from_json(R"({"username":"a","login":"b","email":"a@x.io","age":1})"); }),
            R"({"login":["This field sets the same value as 'username'; give one of them."]})");
  EXPECT_EQ(renamed.from_json(R"({"login":"b","email":"a@x.io","age":1})").username, "b");
}

}  // namespace

namespace {

TEST(Serializer, MessagePackCarriesTheSameData) {
  using Map = std::map<std::string, msgpack::object>;
  std::string bytes = user_serializer().to_msgpack(ann());
  auto h = msgpack::unpack(bytes.data(), bytes.size());
  Map m = h.get().as<Map>();
  ASSERT_EQ(m.size(), 5u);
  EXPECT_EQ(m["id"].as<int64_t>(), 7);
  EXPECT_EQ(m["username"].as<std::string>(), "ann");
  EXPECT_EQ(m["full_name"].as<std::string>(), "Ann Lee");  // a method field
  EXPECT_EQ(timestamp_micros(m["created_at"]), ann().created_at.unix_micros());
  // A method field that writes JSON itself is converted.
  auto s = ModelSerializer<SeedUser>().fields({"id"}).method("tags", [](const SeedUser&, JsonWriter& w) {
    w.begin_array();
    w.value("a");
    w.end_array();
  });
  std::string b2 = s.to_msgpack(ann());
  auto h2 = msgpack::unpack(b2.data(), b2.size());  // the handle owns what the objects point at
  Map m2 = h2.get().as<Map>();
  EXPECT_EQ(m2["tags"].as<std::vector<std::string>>(), std::vector<std::string>{"a"});

  Everything e;
  e.name = "x";
  e.nickname = "nick";
  e.doc = Json::parse(R"({"k": 1})");
  std::string b3 = ModelSerializer<Everything>().to_msgpack(e);
  auto h3 = msgpack::unpack(b3.data(), b3.size());
  Map m3 = h3.get().as<Map>();
  EXPECT_EQ(m3.size(), ModelSerializer<Everything>().plan().output.size());
  EXPECT_EQ(m3["nickname"].as<std::string>(), "nick");
  EXPECT_TRUE(m3["score"].is_nil());
  EXPECT_EQ((m3["doc"].as<std::map<std::string, int>>().at("k")), 1);
  EXPECT_EQ(m3["price"].as<std::string>(), "0");

  // A query's rows streamed as one array, its size written at the end.
  Database db("sqlite://:memory:");
  db.create_all<SeedUser>();
  for (int i = 0; i < 20; ++i) {
    SeedUser u = ann();
    u.id = 0;
    u.username = "u" + std::to_string(i);
    u.save(db);
  }
  std::string b4 = user_serializer().to_msgpack(SeedUser::objects(db).order_by("id"));
  auto h4 = msgpack::unpack(b4.data(), b4.size());
  auto list = h4.get().as<std::vector<Map>>();
  ASSERT_EQ(list.size(), 20u);
  EXPECT_EQ(list[19]["username"].as<std::string>(), "u19");
  EXPECT_EQ(user_serializer().to_msgpack(std::vector<SeedUser>{}), std::string("\x90", 1));
}

}  // namespace

namespace {

struct LongNames : Model<LongNames> {
  int64_t id = 0;
  DateTime email_verification_expires_at;  // a 29-character key: with its quotes, colon and comma, 32 bytes
  static void meta(Meta<LongNames>& m) { m.table("long_names"); }
};

TEST(Serializer, EveryFreeSpaceBeforeAnObjectIsEnough) {
  auto s = ModelSerializer<LongNames>().fields({"email_verification_expires_at"});
  LongNames n;
  std::string one = s.to_json(n);
  for (std::size_t pad = 0; pad < 300; ++pad) {
    JsonWriter w;
    w.begin_array();
    w.value(std::string(pad, 'x'));
    s.write(w, n);
    s.write(w, n);
    w.end_array();
    EXPECT_EQ(w.view(), "[\"" + std::string(pad, 'x') + "\"," + one + "," + one + "]") << pad;
  }
}

}  // namespace

namespace {

struct SPost;
struct SAuthor : Model<SAuthor> {
  int64_t id = 0;
  std::string name;
  OneToMany<SPost> posts;
  static void meta(Meta<SAuthor>& m) { m.table("s_authors"); }
};
struct SPost : Model<SPost> {
  int64_t id = 0;
  std::string title;
  ForeignKey<SAuthor> author;
  static void meta(Meta<SPost>& m) { m.table("s_posts").field(&SPost::author, related_name("posts")); }
};

TEST(Serializer, NestedSerializersAndDepth) {
  Database db("sqlite://:memory:");
  db.create_all<SAuthor, SPost>();
  SAuthor ann = SAuthor::create(db, SAuthor{.name = "ann"});
  SAuthor bob = SAuthor::create(db, SAuthor{.name = "bob"});
  for (const char* t : {"one", "two"}) SPost::create(db, SPost{.title = t, .author = ann.id});

  static const auto authors = ModelSerializer<SAuthor>().fields({"id", "name"});
  // The seed's PostSerializer: the author nested (read-only), its key writable as author_id.
  static const auto posts = ModelSerializer<SPost>()
                                .nested("author", authors)
                                .rename("author_id", "author")
                                .write_only({"author_id"});
  auto loaded = SPost::objects(db).select_related("author").order_by("id").all();
  EXPECT_EQ(posts.to_json(loaded), R"([{"id":1,"title":"one","author":{"id":1,"name":"ann"}},)"
                                   R"({"id":2,"title":"two","author":{"id":1,"name":"ann"}}])");
  // Not loaded: an error that says how, never a query behind the caller's back.
  try {
    posts.to_json(SPost::objects(db).order_by("id").all());
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("select_related(\"author\")"), std::string::npos) << e.what();
  }
  // Input: the nested author is read-only, author_id sets the key.
  SPost made = posts.create(db, R"({"title":"three","author_id":2,"author":{"id":1}})");
  EXPECT_EQ(made.author.id, bob.id);
  // depth(1): every ForeignKey as its related object, all fields.
  EXPECT_EQ(ModelSerializer<SPost>().depth(1).to_json(SPost::objects(db).select_related("author").get("id", made.id)),
            R"({"id":3,"title":"three","author":{"id":2,"name":"bob"}})");
  // A reverse relation as an array, loaded by prefetch_related.
  auto with_posts = ModelSerializer<SAuthor>().nested("posts", ModelSerializer<SPost>().fields({"id", "title"}));
  EXPECT_EQ(with_posts.to_json(SAuthor::objects(db).prefetch_related("posts").order_by("id").all()),
            R"([{"id":1,"name":"ann","posts":[{"id":1,"title":"one"},{"id":2,"title":"two"}]},)"
            R"({"id":2,"name":"bob","posts":[{"id":3,"title":"three"}]}])");
  std::string packed = with_posts.to_msgpack(SAuthor::objects(db).prefetch_related("posts").order_by("id").all());
  auto h = msgpack::unpack(packed.data(), packed.size());
  auto list = h.get().as<std::vector<std::map<std::string, msgpack::object>>>();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["posts"].via.array.size, 2u);
  // As named Values: a nested object is a Json value, nested objects an Array of them.
  Record rec = with_posts.to_record(SAuthor::objects(db).prefetch_related("posts").get("id", ann.id));
  EXPECT_EQ(rec["posts"], Value(Array{Value(Json::parse(R"({"id":1,"title":"one"})")),
                                      Value(Json::parse(R"({"id":2,"title":"two"})"))}));
  Record one = posts.to_record(loaded.at(0));
  EXPECT_EQ(one["author"], Value(Json::parse(R"({"id":1,"name":"ann"})")));
  EXPECT_THROW(ModelSerializer<SPost>().nested("author", ModelSerializer<SPost>()), ConfigurationError);
  EXPECT_THROW(ModelSerializer<SPost>().nested("writer", authors), FieldError);
}

}  // namespace

// The README's EmailField: a custom kind stored as text, normalised and
// checked when a serializer reads it.
struct Email {
  std::string value;
  friend bool operator==(const Email&, const Email&) = default;
};

template <>
struct covet::FieldType<Email> {
  using storage = std::string;
  using wire = std::string;
  static std::string to_db(const Email& e) { return e.value; }
  static Email from_db(std::string s) { return {std::move(s)}; }
  static const std::string& to_wire(const Email& e) { return e.value; }
  static Email from_wire(std::string s) {
    if (s.find('@') == std::string::npos) throw covet::InvalidArgument("Enter a valid email address.");
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return {std::move(s)};
  }
};

namespace {

struct Member : Model<Member> {
  int64_t id = 0;
  Email email;
  static void meta(Meta<Member>& m) { m.table("members"); }
};

TEST(CustomKind, EmailFieldIsStoredAsTextAndCheckedOnInput) {
  Database db("sqlite://:memory:");
  db.create_all<Member>();
  auto s = ModelSerializer<Member>();
  Member m = s.create(db, R"({"email":"Ann@Example.COM"})");
  EXPECT_EQ(Member::objects(db).get("id", m.id).email.value, "ann@example.com");
  EXPECT_EQ(Member::objects(db).filter("email", "ann@example.com").count(), 1);
  EXPECT_EQ(s.to_json(m), R"({"id":1,"email":"ann@example.com"})");
  EXPECT_EQ(errors_of([&] { s.create(db, R"({"email":"nope"})"); }), R"({"email":["Enter a valid email address."]})");
}

struct Patient : Model<Patient> {
  int64_t id = 0;
  std::string name;
  Encrypted ssn;
  std::optional<Encrypted> notes;
  static void meta(Meta<Patient>& m) { m.table("patients"); }
};

EncryptionKeys::Key key_of(uint8_t fill) {
  EncryptionKeys::Key k;
  k.fill(fill);
  return k;
}

TEST(Encrypted, SealedAtRestPlainInSerializersAndRotatable) {
  EncryptionKeys::install({{1, key_of(0x11)}}, 1);
  Database db("sqlite://:memory:");
  db.create_all<Patient>();
  Patient p = Patient::create(db, Patient{.name = "ann", .ssn = "123-45-6789", .notes = Encrypted("private")});
  Patient back = Patient::objects(db).get("id", p.id);
  EXPECT_EQ(back.ssn.value, "123-45-6789");
  EXPECT_EQ(back.notes->value, "private");
  // At rest: no plain text, a fresh nonce for equal values.
  auto raw = db.execute("SELECT ssn FROM patients WHERE id = ?", {p.id});
  Bytes stored = raw.rows.at(0)[0].as_bytes();
  EXPECT_EQ(std::string(stored.view()).find("123-45"), std::string::npos);
  EXPECT_EQ(stored.size(), 5u + 12u + 11u + 16u);
  EXPECT_EQ(stored.data()[4], 1);  // sealed with key 1
  Patient twin = Patient::create(db, Patient{.name = "twin", .ssn = "123-45-6789"});
  EXPECT_NE(db.execute("SELECT ssn FROM patients WHERE id = ?", {twin.id}).rows.at(0)[0].as_bytes(), stored);

  // Serializers show and take the plain text.
  auto s = ModelSerializer<Patient>().fields({"id", "name", "ssn", "notes"});
  EXPECT_EQ(s.to_json(back), R"({"id":1,"name":"ann","ssn":"123-45-6789","notes":"private"})");
  Patient made = s.create(db, R"({"name":"bob","ssn":"999-00-1111","notes":null})");
  EXPECT_EQ(Patient::objects(db).get("id", made.id).ssn.value, "999-00-1111");
  EXPECT_FALSE(Patient::objects(db).get("id", made.id).notes.has_value());

  // Rotation: key 2 seals new values, key 1 still opens old ones.
  EncryptionKeys::install({{1, key_of(0x11)}, {2, key_of(0x22)}}, 2);
  EXPECT_EQ(Patient::objects(db).get("id", p.id).ssn.value, "123-45-6789");
  back.save(db);  // sealed again, with the current key
  EXPECT_EQ(db.execute("SELECT ssn FROM patients WHERE id = ?", {p.id}).rows.at(0)[0].as_bytes().data()[4], 2);
  EXPECT_EQ(Patient::objects(db).get("id", p.id).ssn.value, "123-45-6789");

  // Tampered, truncated, or sealed with a key no longer installed: refused.
  std::vector<uint8_t> bad = stored.vector();
  bad[20] ^= 1;
  db.execute("UPDATE patients SET ssn = ? WHERE id = ?", {Bytes(bad), twin.id});
  EXPECT_THROW(Patient::objects(db).get("id", twin.id), DataError);
  db.execute("UPDATE patients SET ssn = ? WHERE id = ?", {Bytes(std::vector<uint8_t>(stored.vector().begin(), stored.vector().begin() + 20)), twin.id});
  EXPECT_THROW(Patient::objects(db).get("id", twin.id), DataError);
  db.execute("UPDATE patients SET ssn = ? WHERE id = ?", {stored, twin.id});
  EncryptionKeys::install({{2, key_of(0x22)}}, 2);
  EXPECT_THROW(Patient::objects(db).get("id", twin.id), DataError);
  EXPECT_EQ(Patient::objects(db).get("id", p.id).ssn.value, "123-45-6789");  // re-sealed with key 2 above
  EncryptionKeys::clear();
  EXPECT_THROW(Patient::create(db, Patient{.name = "x", .ssn = "1"}), ConfigurationError);
}

TEST(Encrypted, KeysFromTheEnvironment) {
  ::setenv("COVET_TEST_KEYS", "7:ERERERERERERERERERERERERERERERERERERERERERE=,3:IiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiIiI=", 1);
  EncryptionKeys::install_from_env("COVET_TEST_KEYS");
  EXPECT_EQ(detail::seal("x").data()[4], 7);
  ::setenv("COVET_TEST_KEYS", "7:short", 1);
  EXPECT_THROW(EncryptionKeys::install_from_env("COVET_TEST_KEYS"), ConfigurationError);
  EXPECT_THROW(EncryptionKeys::install_from_env("COVET_TEST_NO_SUCH_VARIABLE"), ConfigurationError);
  EncryptionKeys::clear();
}

}  // namespace

namespace {

// ModelSerializer<T> writes plain members in member order through a loop
// generated for T (detail::write_typed); the plan's step loop
// (detail::write_object) writes every other output. Both give the same bytes.
template <class T>
bool typed(const ModelSerializer<T>& s, bool packed = false) {
  return detail::typed_members<T>(s.plan(), packed, std::make_index_sequence<detail::member_count<T>>{}) != 0;
}
template <class W = JsonWriter, class T>
std::string by_steps(const ModelSerializer<T>& s, const std::vector<T>& objs) {
  W w;
  detail::write_objects(s.plan(), objs.data(), objs.size(), sizeof(T), w);
  return std::string(w.view());
}
template <class W = JsonWriter, class T>
std::string by_steps(const ModelSerializer<T>& s, const T& obj) {
  W w;
  detail::write_object(s.plan(), &obj, w);
  return std::string(w.view());
}

TEST(Serializer, TheTypedOutputWritesWhatTheStepLoopWrites) {
  Everything a;
  a.id = -1;
  a.small = INT32_MIN;
  a.big = INT64_MIN;
  a.real = 1e300;
  a.price = Decimal("-0.01");
  a.name = "\"quoted\" \\ and \x01";
  a.body = std::string(70, 'b') + "\n" + "ü 日本";
  a.flag = true;
  a.day = Date(1, 1, 1);
  a.at = DateTime(9999, 12, 31, 23, 59, 59, 999999);
  a.doc = Json::parse("[1,{\"a\":null}]");
  a.tags = {"x\"y"};
  a.nickname = "abcd";
  a.score = INT64_MAX;
  a.seen_at = DateTime(1970, 1, 1);
  a.ratio = -0.5;
  Everything b;  // defaults: empty text, nulls
  std::vector<Everything> v{a, b, a};
  using S = ModelSerializer<Everything>;
  const std::pair<S, bool> cases[] = {
      {S(), true},
      {S().fields({"id", "name", "nickname", "score", "seen_at", "ratio"}), true},
      {S().fields({"small", "real", "price", "day", "uid", "blob"}), true},
      {S().rename("label", "name").fields({"id", "label", "flag"}), true},  // a member under another key
      {S().fields({"name", "id"}), false},                                  // not in member order
      {S().fields({"id", "name"}).method("twice", [](const Everything& e) { return e.id * 2; }), false},
      {S().rename("again", "id").fields({"id", "again"}), false},  // one member twice
  };
  for (const auto& [s, expect_typed] : cases) {
    EXPECT_EQ(typed(s), expect_typed) << s.to_json(b);
    EXPECT_EQ(typed(s, true), expect_typed) << s.to_json(b);
    EXPECT_EQ(s.to_json(v), by_steps(s, v));
    EXPECT_EQ(s.to_json(a), by_steps(s, a));
    EXPECT_EQ(s.to_json(std::vector<Everything>{}), "[]");
    EXPECT_EQ(s.to_msgpack(v), by_steps<MsgPackWriter>(s, v));
    EXPECT_EQ(s.to_msgpack(a), by_steps<MsgPackWriter>(s, a));
    EXPECT_EQ(s.to_msgpack(std::vector<Everything>{}), "\x90");
    // After a value, inside an array: the separator comes first.
    JsonWriter w;
    w.begin_array();
    w.value(1);
    s.write(w, a);
    s.write(w, v);
    w.value(2);
    w.end_array();
    EXPECT_EQ(w.view(), "[1," + by_steps(s, a) + "," + by_steps(s, v) + ",2]");
  }
  // Short text of every length, plain and with an escape at each end, from
  // the smallest room the writer has.
  auto names = S().fields({"id", "name"});
  ASSERT_TRUE(typed(names));
  for (std::size_t n = 0; n <= 40; ++n) {
    Everything e;
    e.name = std::string(n, 'n');
    for (int at = 0; at < 3; ++at) {
      if (at == 1 && n > 0) e.name.front() = '\t';
      if (at == 2 && n > 0) e.name.back() = '"';
      JsonWriter w(1);
      names.write(w, e);
      EXPECT_EQ(w.view(), by_steps(names, e)) << n << " " << at;
      MsgPackWriter m(1);
      names.write(m, e);
      EXPECT_EQ(m.view(), by_steps<MsgPackWriter>(names, e)) << n << " " << at;
    }
    e.name = std::string(n, 'n') + "é";  // non-ASCII: checked by the writer
    EXPECT_EQ(names.to_msgpack(e), by_steps<MsgPackWriter>(names, e)) << n;
  }
  // Text that is not UTF-8 is refused, as by the step loop.
  Everything bad;
  bad.name = "ok\xff";
  EXPECT_THROW(S().to_json(bad), InvalidArgument);
  EXPECT_THROW(by_steps(S(), bad), InvalidArgument);
  EXPECT_THROW(S().to_msgpack(bad), InvalidArgument);
  EXPECT_THROW(by_steps<MsgPackWriter>(S(), bad), InvalidArgument);
  // A key too long for the MessagePack step's block: JSON typed, MessagePack by steps.
  auto long_keys = ModelSerializer<LongNames>().fields({"email_verification_expires_at"});
  LongNames ln;
  EXPECT_TRUE(typed(long_keys));
  EXPECT_FALSE(typed(long_keys, true));
  EXPECT_EQ(long_keys.to_json(ln), by_steps(long_keys, ln));
  EXPECT_EQ(long_keys.to_msgpack(ln), by_steps<MsgPackWriter>(long_keys, ln));
  // A ForeignKey is written as its key, a OneToMany not at all.
  SPost p;
  p.id = 3;
  p.title = "t";
  p.author.id = 9;
  ASSERT_TRUE(typed(ModelSerializer<SPost>()));
  EXPECT_EQ(ModelSerializer<SPost>().to_json(p), by_steps(ModelSerializer<SPost>(), p));
  EXPECT_EQ(ModelSerializer<SPost>().to_msgpack(p), by_steps<MsgPackWriter>(ModelSerializer<SPost>(), p));
  SAuthor au;
  au.id = 4;
  au.name = "n";
  ASSERT_TRUE(typed(ModelSerializer<SAuthor>()));
  EXPECT_EQ(ModelSerializer<SAuthor>().to_json(au), R"({"id":4,"name":"n"})");
}

}  // namespace
