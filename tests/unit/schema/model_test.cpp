#include <covet/covet.hpp>
#include <gtest/gtest.h>

#include "blog/models.hpp"
#include "support/models.hpp"

using namespace covet;
using testing_models::Everything;

namespace {
// A plain struct with no base and no meta: defaults everywhere.
struct Plain {
  int64_t id = 0;
  std::string title;
  std::optional<double> weight;
};

struct NoKey {
  std::string a;
  std::string b;
};

struct BadNull {
  int64_t id = 0;
  std::string s;
  static void meta(Meta<BadNull>& m) { m.field(&BadNull::s, covet::null()); }
};

struct DefaultDisagrees {
  int64_t id = 0;
  int32_t priority = 0;
  static void meta(Meta<DefaultDisagrees>& m) { m.field(&DefaultDisagrees::priority, covet::default_value(5)); }
};

struct BadIndex {
  int64_t id = 0;
  static void meta(Meta<BadIndex>& m) { m.index("idx", {"nope"}); }
};
}  // namespace

TEST(Reflection, ReadsMemberNamesInDeclarationOrder) {
  const ModelInfo& m = model_info<blog::User>();
  std::vector<std::string> names;
  for (const auto& f : m.fields) names.push_back(f.name);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "username", "email", "password_hash", "is_active", "created_at",
                                             "updated_at"}));
  EXPECT_EQ(m.name, "blog::User");
  EXPECT_EQ(m.table, "users");
  EXPECT_EQ(detail::member_count<blog::User>, 9u);  // and `posts` and `profile`, relations without a column
  EXPECT_NE(m.find_relation("posts"), nullptr);
  EXPECT_EQ(m.find_relation("profile")->kind, RelationInfo::Kind::OneToOneReverse);
  static_assert(sizeof(Model<blog::User>) == 1 && std::is_empty_v<Model<blog::User>>);
}

TEST(Reflection, OffsetsPointAtTheMembers) {
  const ModelInfo& m = model_info<blog::User>();
  blog::User u;
  u.email = "e@x";
  EXPECT_EQ(m.field(m.require("email")).get(&u).as_string(), "e@x");
  m.field(m.require("username")).set(&u, Value("bob"));
  EXPECT_EQ(u.username, "bob");
}

TEST(Reflection, KindsFollowMemberTypes) {
  const ModelInfo& m = model_info<Everything>();
  auto kind = [&](const char* n) { return m.field(m.require(n)).kind; };
  EXPECT_EQ(kind("small"), FieldKind::Integer);
  EXPECT_EQ(kind("big"), FieldKind::BigInteger);
  EXPECT_EQ(kind("real"), FieldKind::Float);
  EXPECT_EQ(kind("price"), FieldKind::Decimal);
  EXPECT_EQ(kind("name"), FieldKind::String);
  EXPECT_EQ(kind("body"), FieldKind::Text);
  EXPECT_EQ(kind("flag"), FieldKind::Boolean);
  EXPECT_EQ(kind("day"), FieldKind::Date);
  EXPECT_EQ(kind("at"), FieldKind::DateTime);
  EXPECT_EQ(kind("uid"), FieldKind::Uuid);
  EXPECT_EQ(kind("doc"), FieldKind::Json);
  EXPECT_EQ(kind("tags"), FieldKind::Array);
  EXPECT_EQ(m.field(m.require("tags")).codec->element_kind, FieldKind::Text);
  EXPECT_EQ(kind("blob"), FieldKind::Binary);
  EXPECT_TRUE(m.field(m.require("nickname")).null);
  EXPECT_FALSE(m.field(m.require("name")).null);
}

TEST(Schema, OptionsApplyByMemberPointer) {
  const ModelInfo& m = model_info<blog::User>();
  const FieldInfo& username = m.field(m.require("username"));
  EXPECT_EQ(username.max_length, 50);
  EXPECT_TRUE(username.unique);
  EXPECT_TRUE(username.index);
  EXPECT_TRUE(m.field(m.require("created_at")).auto_now_add);
  EXPECT_TRUE(m.field(m.require("updated_at")).auto_now);
  ASSERT_EQ(m.indexes.size(), 2u);
  EXPECT_EQ(m.indexes[1].name, "idx_created_at");
  EXPECT_TRUE(m.indexes[1].fields[0].second);  // descending
  ASSERT_EQ(m.unique_constraints.size(), 1u);
  ASSERT_EQ(m.checks.size(), 1u);
  EXPECT_EQ(m.checks[0].name, "username_length");
}

TEST(Schema, IdIsTheDefaultAutoPrimaryKey) {
  const ModelInfo& m = model_info<Plain>();
  EXPECT_EQ(m.table, "plain");
  ASSERT_EQ(m.primary_key.size(), 1u);
  EXPECT_TRUE(m.has_auto_pk());
  EXPECT_TRUE(m.field(m.require("weight")).null);
}

TEST(Schema, UuidPrimaryKeyGetsAGenerator) {
  const ModelInfo& m = model_info<blog::Post>();
  const FieldInfo& id = m.field(m.primary_key[0]);
  EXPECT_EQ(id.kind, FieldKind::Uuid);
  EXPECT_FALSE(id.auto_increment);
  ASSERT_NE(id.default_factory, nullptr);
  EXPECT_FALSE(id.default_factory().as_uuid().is_nil());
}

TEST(Schema, CompositePrimaryKey) {
  const ModelInfo& m = model_info<testing_models::PlaylistTrack>();
  ASSERT_EQ(m.primary_key.size(), 2u);
  EXPECT_FALSE(m.has_auto_pk());
  EXPECT_EQ(m.field(m.primary_key[0]).column, "PlaylistId");
}

TEST(Schema, DbColumnRenamesTheColumnNotTheField) {
  const ModelInfo& m = model_info<testing_models::Track>();
  const FieldInfo& f = m.field(m.require("unit_price"));
  EXPECT_EQ(f.column, "UnitPrice");
  EXPECT_EQ(f.decimal_places, 2);
  // Django's rule: queries name fields, never their db_column.
  EXPECT_EQ(m.find("UnitPrice"), -1);
  try {
    m.require("UnitPrice");
    FAIL();
  } catch (const FieldError& e) {
    EXPECT_NE(std::string(e.what()).find("database column of field 'unit_price'"), std::string::npos) << e.what();
  }
}

TEST(Schema, UnknownFieldSuggestsTheClosest) {
  const ModelInfo& m = model_info<blog::User>();
  try {
    m.require("usrname");
    FAIL();
  } catch (const FieldError& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("blog::User"), std::string::npos);
    EXPECT_NE(msg.find("'usrname'"), std::string::npos);
    EXPECT_NE(msg.find("did you mean 'username'"), std::string::npos);
  }
}

TEST(Schema, InvalidMetaIsAConfigurationError) {
  EXPECT_THROW(detail::build_model_info<NoKey>(), ConfigurationError);
  EXPECT_THROW(detail::build_model_info<BadNull>(), ConfigurationError);
  EXPECT_THROW(detail::build_model_info<BadIndex>(), FieldError);
  EXPECT_THROW(detail::build_model_info<DefaultDisagrees>(), ConfigurationError);
}

TEST(Registry, ListsBuiltModels) {
  register_models<blog::User, blog::Post>();
  auto models = registered_models();
  auto has = [&](const char* t) {
    for (auto* m : models)
      if (m->table == t) return true;
    return false;
  };
  EXPECT_TRUE(has("users"));
  EXPECT_TRUE(has("posts"));
}
