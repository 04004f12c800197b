// ModelSerializer's output on SQLite: the seed's UserSerializer byte for
// byte, every field kind, the DRF options, query results and NDJSON streams
// read from a cursor.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "support/models.hpp"

namespace {

using namespace covet;
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

}  // namespace
