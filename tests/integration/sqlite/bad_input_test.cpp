// Bad input on SQLite: unknown names and lookups, values of the wrong type,
// SQL injection through values and names, multi-statement SQL, malformed
// URLs, and constraint violations — each raises the documented covet error
// and leaves the database as it was.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "blog/models.hpp"
#include "support/helpers.hpp"

namespace {

using test_support::has;
using test_support::message_of;

using blog::Post;
using blog::User;
using covet::Array;
using covet::Q;
using covet::Value;


class BadInput : public ::testing::Test {
 protected:
  void SetUp() override {
    db.create_all<User, Post>();
    for (const char* name : {"alice", "bob", "carol"}) add(name);
  }

  User add(const std::string& name) { return add(name, db); }
  User add(const std::string& name, const covet::Executor& ex) {
    User u = test_support::make_user(name, "x");
    u.save(ex);
    return u;
  }

  int64_t users() { return users(db); }
  int64_t users(const covet::Executor& ex) { return User::objects(ex).count(); }
  bool users_table_exists() {
    auto r = db.execute("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'users'");
    return r.rows.size() == 1 && r.rows[0]["n"] == Value(1);
  }

  covet::Database db{"sqlite://:memory:"};
};


// ------------------------------------------------------- unknown names
TEST_F(BadInput, UnknownFieldInFilterNamesModelFieldAndSuggestion) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("usernme", "alice"); });
  EXPECT_TRUE(has(msg, "User")) << msg;
  EXPECT_TRUE(has(msg, "'usernme'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'username'")) << msg;
}

TEST_F(BadInput, UnknownFieldIsReportedWhenTheFilterIsBuiltNotRun) {
  // No terminal call: the name is checked by filter() itself.
  EXPECT_THROW(User::objects(db).filter("nope", 1), covet::FieldError);
  EXPECT_THROW((void)covet::query<User>().filter("nope", 1), covet::FieldError);
}

TEST_F(BadInput, UnknownFieldWithLookupInFilterSuggestsField) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("emial__icontains", "x"); });
  EXPECT_TRUE(has(msg, "User")) << msg;
  EXPECT_TRUE(has(msg, "'emial'")) << msg;
  EXPECT_TRUE(has(msg, "'email'")) << msg;
}

TEST_F(BadInput, UnknownFieldInExcludeAndQ) {
  EXPECT_THROW(User::objects(db).exclude("usernme", "x"), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter(Q("username", "x") | ~Q("is_activ", true)), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter({{"username", "x"}, {"emai", "y"}}), covet::FieldError);
}

TEST_F(BadInput, UnknownFieldInOrderByNamesModelFieldAndSuggestion) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).order_by("-created"); });
  EXPECT_TRUE(has(msg, "User")) << msg;
  EXPECT_TRUE(has(msg, "'created'")) << msg;
  EXPECT_TRUE(has(msg, "'created_at'")) << msg;
}

TEST_F(BadInput, UnknownFieldInValuesNamesModelFieldAndSuggestion) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).values("id", "emial"); });
  EXPECT_TRUE(has(msg, "User")) << msg;
  EXPECT_TRUE(has(msg, "'emial'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'email'")) << msg;
  EXPECT_THROW(User::objects(db).values_list("usrname"), covet::FieldError);
}

TEST_F(BadInput, UnknownFieldInUpdateNamesModelFieldAndChangesNothing) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).update({{"is_actve", false}}); });
  EXPECT_TRUE(has(msg, "User")) << msg;
  EXPECT_TRUE(has(msg, "'is_actve'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'is_active'")) << msg;
  EXPECT_EQ(User::objects(db).filter("is_active", true).count(), 3);
}

TEST_F(BadInput, UnknownFieldInCreateKwargsWritesNothing) {
  EXPECT_THROW(User::create(db, {{"username", "dave"}, {"emial", "d@example.com"}}), covet::FieldError);
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, UnknownFieldInOnlyAndDefer) {
  EXPECT_THROW(User::objects(db).only("usernam"), covet::FieldError);
  EXPECT_THROW(User::objects(db).defer("passwd_hash"), covet::FieldError);
}

TEST_F(BadInput, UnknownLookupSuggestsClosest) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("username__containz", "a"); });
  EXPECT_TRUE(has(msg, "User")) << msg;
  EXPECT_TRUE(has(msg, "'containz'")) << msg;
  EXPECT_TRUE(has(msg, "did you mean 'contains'")) << msg;
}

TEST_F(BadInput, UnknownLookupOnDateTimeSuggestsDatePart) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("created_at__yaer", 2024); });
  EXPECT_TRUE(has(msg, "'yaer'")) << msg;
  EXPECT_TRUE(has(msg, "'year'")) << msg;
}

TEST_F(BadInput, NothingMayFollowALookup) {
  EXPECT_THROW(User::objects(db).filter("id__exact__gt", 1), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("created_at__year__gte__lt", 1), covet::FieldError);
}

TEST_F(BadInput, DatePartOnNonDateFieldIsFieldError) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("username__year", 2024); });
  EXPECT_TRUE(has(msg, "username")) << msg;
}

// ------------------------------------------------------ wrong value types
TEST_F(BadInput, NonNumericStringForIntegerFieldIsFieldError) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("id", "abc"); });
  EXPECT_TRUE(has(msg, "id")) << msg;
  EXPECT_TRUE(has(msg, "abc")) << msg;
  EXPECT_THROW(User::objects(db).filter("id__gt", "12abc"), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__in", Array{"1", "two"}), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id", ""), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id", " 1"), covet::FieldError);
}

TEST_F(BadInput, FractionalStringForIntegerFieldIsFieldError) {
  EXPECT_THROW(User::objects(db).filter("id", "1.5"), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__lt", "1e3"), covet::FieldError);
}

TEST_F(BadInput, MalformedDateTimeIsFieldError) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("created_at", "not-a-date"); });
  EXPECT_TRUE(has(msg, "created_at")) << msg;
  EXPECT_THROW(User::objects(db).filter("created_at__gte", "2024-13-45 99:00:00"), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("created_at__range", Array{"2024-01-01", "yesterday"}), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("created_at", 20240101), covet::FieldError);
}

TEST_F(BadInput, IsnullWithNonBooleanStringIsFieldError) {
  std::string msg = message_of<covet::FieldError>([&] { User::objects(db).filter("username__isnull", "maybe"); });
  EXPECT_TRUE(has(msg, "username")) << msg;
  EXPECT_THROW(User::objects(db).filter("username__isnull", 2), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("username__isnull", "yes"), covet::FieldError);
}

TEST_F(BadInput, WrongShapesForInAndRangeAreFieldErrors) {
  EXPECT_THROW(User::objects(db).filter("id__in", "1,2"), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__in", 1), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__range", Array{1}), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__range", Array{1, 2, 3}), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__range", Array{1, nullptr}), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__gt", nullptr), covet::FieldError);
}

TEST_F(BadInput, NonBooleanStringForBooleanFieldIsFieldError) {
  EXPECT_THROW(User::objects(db).filter("is_active", "yes please"), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("is_active", 2), covet::FieldError);
}

TEST_F(BadInput, WrongTypeInUpdateIsFieldErrorAndChangesNothing) {
  EXPECT_THROW(User::objects(db).update({{"is_active", "nope"}}), covet::FieldError);
  EXPECT_THROW(User::objects(db).update({{"created_at", "not-a-date"}}), covet::FieldError);
  EXPECT_THROW(User::objects(db).update({{"username", nullptr}}), covet::FieldError);
  EXPECT_EQ(User::objects(db).filter("is_active", true).count(), 3);
  EXPECT_EQ(User::objects(db).filter("username", "alice").count(), 1);
}

TEST_F(BadInput, MalformedUuidIsFieldError) {
  EXPECT_THROW(Post::objects(db).filter("id", "not-a-uuid"), covet::FieldError);
}

// Strings that are valid for the field's kind are accepted, as an HTTP query
// string passes every value as text.
TEST_F(BadInput, NumericStringForIntegerFieldIsAccepted) {
  User carol = User::objects(db).get("username", "carol");
  User by_text = User::objects(db).get("id", std::to_string(carol.id));
  EXPECT_EQ(by_text.username, "carol");
  EXPECT_EQ(User::objects(db).filter("id", "3").get().id, 3);
  EXPECT_EQ(User::objects(db).filter("id__gte", "2").count(), 2);
  EXPECT_EQ(User::objects(db).filter("id__in", Array{"1", "3"}).count(), 2);
  EXPECT_EQ(User::objects(db).filter("id__range", Array{"1", "2"}).count(), 2);
  EXPECT_EQ(User::objects(db).filter("id", "-1").count(), 0);
}

TEST_F(BadInput, BooleanAndDateStringsAreAccepted) {
  User::objects(db).filter("username", "bob").update({{"is_active", "false"}});
  EXPECT_EQ(User::objects(db).filter("is_active", "true").count(), 2);
  EXPECT_EQ(User::objects(db).filter("is_active", "0").get().username, "bob");
  EXPECT_EQ(User::objects(db).filter("is_active", "False").count(), 1);
  EXPECT_EQ(User::objects(db).filter("created_at__gte", "2000-01-01").count(), 3);
  EXPECT_EQ(User::objects(db).filter("created_at__lt", "2000-01-01T00:00:00Z").count(), 0);
  EXPECT_EQ(User::objects(db).filter("username__isnull", "false").count(), 3);
  EXPECT_EQ(User::objects(db).filter("username__isnull", "true").count(), 0);
  int year = covet::DateTime::now().year();
  EXPECT_EQ(User::objects(db).filter("created_at__year", std::to_string(year)).count(), 3);
}

// ------------------------------------------------------- SQL injection
TEST_F(BadInput, InjectionInFilterValueIsBoundNotExecuted) {
  for (const char* evil : {"'; DROP TABLE users; --", "\" OR 1=1 --", "' OR '1'='1", "alice' --", "1; DELETE FROM users"}) {
    SCOPED_TRACE(evil);
    EXPECT_EQ(User::objects(db).filter("username", evil).count(), 0);
    EXPECT_EQ(User::objects(db).filter("username__icontains", evil).count(), 0);
    EXPECT_EQ(User::objects(db).filter("username__startswith", evil).count(), 0);
    EXPECT_EQ(User::objects(db).filter("username__in", Array{evil}).count(), 0);
    EXPECT_EQ(User::objects(db).exclude("username", evil).count(), 3);
  }
  EXPECT_TRUE(users_table_exists());
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, InjectionStringStoredAsValueMatchesOnlyItsOwnRow) {
  User evil = add("\" OR 1=1 --");
  User drop = add("'; DROP TABLE users; --");
  EXPECT_EQ(User::objects(db).get("username", "\" OR 1=1 --").id, evil.id);
  EXPECT_EQ(User::objects(db).get("username", "'; DROP TABLE users; --").id, drop.id);
  EXPECT_EQ(User::objects(db).get("username__contains", "1=1").id, evil.id);
  EXPECT_EQ(User::objects(db).filter("username__icontains", "drop table").count(), 1);
  EXPECT_EQ(users(), 5);
  EXPECT_TRUE(users_table_exists());
}

TEST_F(BadInput, InjectionInUpdateValueIsStoredLiterally) {
  EXPECT_EQ(User::objects(db).filter("username", "bob").update({{"email", "x'); DROP TABLE users; --"}}), 1);
  EXPECT_TRUE(users_table_exists());
  EXPECT_EQ(User::objects(db).get("username", "bob").email, "x'); DROP TABLE users; --");
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, InjectionInRawSqlParameterIsBound) {
  auto r = db.execute("SELECT count(*) AS n FROM users WHERE username = ?", {"' OR '1'='1"});
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0]["n"], Value(0));
  EXPECT_TRUE(users_table_exists());
}

TEST_F(BadInput, InjectionAsFieldNameIsFieldError) {
  for (const char* name : {"id; DROP TABLE users", "id\" OR \"1\"=\"1", "id) OR (1=1", "username' --", "id --",
                           "\"users\".\"id\"", "id OR 1=1", "*", ""}) {
    SCOPED_TRACE(name);
    EXPECT_THROW(User::objects(db).filter(name, 1), covet::FieldError);
    EXPECT_THROW(User::objects(db).order_by(name), covet::FieldError);
    EXPECT_THROW(User::objects(db).values(name), covet::FieldError);
    EXPECT_THROW(User::objects(db).update({{name, 1}}), covet::FieldError);
  }
  EXPECT_TRUE(users_table_exists());
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, InjectionAsLookupNameIsFieldError) {
  EXPECT_THROW(User::objects(db).filter("id__gt OR 1=1", 1), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("id__in); DROP TABLE users; --", Array{1}), covet::FieldError);
  EXPECT_TRUE(users_table_exists());
}

TEST_F(BadInput, TwoStatementsInExecuteAreRejected) {
  EXPECT_THROW(db.execute("SELECT 1; DROP TABLE users"), covet::ProgrammingError);
  EXPECT_THROW(db.execute("SELECT 1;DROP TABLE users;"), covet::ProgrammingError);
  EXPECT_THROW(db.execute("DELETE FROM users; SELECT 1"), covet::ProgrammingError);
  EXPECT_TRUE(users_table_exists());
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, OneStatementWithTrailingSemicolonIsAccepted) {
  auto r = db.execute("SELECT 1 AS one; ");
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0]["one"], Value(1));
}

TEST_F(BadInput, SyntaxErrorInRawSqlIsProgrammingError) {
  EXPECT_THROW(db.execute("SELEC 1"), covet::ProgrammingError);
  EXPECT_THROW(db.execute("SELECT * FROM no_such_table"), covet::ProgrammingError);
}

// ---------------------------------------------------------- database URLs
TEST(BadDatabaseUrl, MalformedUrlsAreConfigurationErrors) {
  for (const char* url : {"nonsense", "postgresql://host:99999/db", "foo://x", "", "://x", "sqlite://", "sqlite:",
                          "postgresql://host:abc/db", "postgresql://host:0/db", "sq lite://x"}) {
    SCOPED_TRACE(url);
    EXPECT_THROW(covet::Database db(url), covet::ConfigurationError);
  }
}

TEST(BadDatabaseUrl, UnknownSchemeMessageNamesTheScheme) {
  std::string msg = message_of<covet::ConfigurationError>([] { covet::Database db("foo://x"); });
  EXPECT_TRUE(has(msg, "foo")) << msg;
  EXPECT_TRUE(has(msg, "sqlite")) << msg;
}

TEST(BadDatabaseUrl, PortOutOfRangeMessageNamesThePort) {
  std::string msg = message_of<covet::ConfigurationError>([] { covet::Database db("postgresql://host:99999/db"); });
  EXPECT_TRUE(has(msg, "99999")) << msg;
}

// ------------------------------------------------------------ constraints
TEST_F(BadInput, UniqueViolationIsIntegrityErrorNamingTheColumn) {
  User dup;
  dup.username = "alice";
  dup.email = "other@example.com";
  dup.password_hash = "x";
  try {
    dup.save(db);
    FAIL() << "expected IntegrityError";
  } catch (const covet::IntegrityError& e) {
    EXPECT_EQ(e.constraint(), "users.username") << e.what();
    EXPECT_FALSE(e.code().empty());
  }
  EXPECT_EQ(dup.id, 0);
  EXPECT_EQ(users(), 3);
  EXPECT_EQ(User::objects(db).filter("email", "other@example.com").count(), 0);
}

TEST_F(BadInput, UniqueViolationOnEmailNamesEmail) {
  User dup;
  dup.username = "zed";
  dup.email = "bob@example.com";
  try {
    dup.save(db);
    FAIL() << "expected IntegrityError";
  } catch (const covet::IntegrityError& e) {
    EXPECT_EQ(e.constraint(), "users.email") << e.what();
  }
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, UniqueViolationOnUpdateLeavesRowUnchanged) {
  User bob = User::objects(db).get("username", "bob");
  bob.username = "alice";
  bob.email = "bob2@example.com";
  EXPECT_THROW(bob.save(db), covet::IntegrityError);
  User stored = User::objects(db).get("id", bob.id);
  EXPECT_EQ(stored.username, "bob");
  EXPECT_EQ(stored.email, "bob@example.com");
  EXPECT_THROW(User::objects(db).filter("username", "carol").update({{"username", "alice"}}), covet::IntegrityError);
  EXPECT_EQ(User::objects(db).filter("username", "carol").count(), 1);
}

TEST_F(BadInput, UniqueViolationInCreateKwargsWritesNothing) {
  EXPECT_THROW(User::create(db, {{"username", "bob"}, {"email", "new@example.com"}}), covet::IntegrityError);
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, NotNullViolationViaRawSqlIsIntegrityError) {
  try {
    db.execute("INSERT INTO users (username) VALUES (?)", {"zed"});
    FAIL() << "expected IntegrityError";
  } catch (const covet::IntegrityError& e) {
    EXPECT_EQ(e.constraint(), "users.email") << e.what();
    EXPECT_TRUE(has(e.what(), "NOT NULL")) << e.what();
  }
  EXPECT_THROW(db.execute("UPDATE users SET email = NULL WHERE username = 'bob'"), covet::IntegrityError);
  EXPECT_EQ(users(), 3);
  EXPECT_EQ(User::objects(db).get("username", "bob").email, "bob@example.com");
}

TEST_F(BadInput, CheckConstraintViolationIsIntegrityErrorNamingTheCheck) {
  User shorty;
  shorty.username = "ab";
  shorty.email = "ab@example.com";
  try {
    shorty.save(db);
    FAIL() << "expected IntegrityError";
  } catch (const covet::IntegrityError& e) {
    EXPECT_TRUE(has(e.constraint(), "username_length")) << e.constraint();
    EXPECT_TRUE(has(e.what(), "username_length")) << e.what();
  }
  EXPECT_EQ(shorty.id, 0);
  EXPECT_EQ(users(), 3);
}

TEST_F(BadInput, CheckConstraintViolationOnUpdate) {
  EXPECT_THROW(User::objects(db).filter("username", "bob").update({{"username", "b"}}), covet::IntegrityError);
  EXPECT_EQ(User::objects(db).filter("username", "bob").count(), 1);
}

TEST_F(BadInput, TransactionThatThrowsMidwayLeavesNoRows) {
  try {
    auto tx = db.transaction();
    add("dave", tx);
    add("erin", tx);
    EXPECT_EQ(users(tx), 5);  // visible inside the transaction
    throw std::runtime_error("boom");
    tx.commit();
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "boom");
  }
  EXPECT_EQ(users(), 3);
  EXPECT_EQ(User::objects(db).filter("username__in", Array{"dave", "erin"}).count(), 0);
}

TEST_F(BadInput, TransactionRolledBackByIntegrityErrorMidwayLeavesNoRows) {
  try {
    auto tx = db.transaction();
    add("dave", tx);
    add("alice", tx);  // UNIQUE violation
    tx.commit();
    FAIL() << "expected IntegrityError";
  } catch (const covet::IntegrityError&) {
  }
  EXPECT_EQ(users(), 3);
  EXPECT_FALSE(User::objects(db).filter("username", "dave").exists());
  // The connection is usable afterwards.
  add("frank");
  EXPECT_EQ(users(), 4);
}

TEST_F(BadInput, UpdatesAndDeletesInsideAThrowingTransactionAreUndone) {
  try {
    auto tx = db.transaction();
    User::objects(tx).update({{"is_active", false}});
    User::objects(tx).filter("username", "carol").remove();
    throw std::runtime_error("boom");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(users(), 3);
  EXPECT_EQ(User::objects(db).filter("is_active", true).count(), 3);
}

TEST_F(BadInput, CommittedTransactionKeepsRows) {
  {
    auto tx = db.transaction();
    add("dave", tx);
    tx.commit();
  }
  EXPECT_EQ(users(), 4);
}

}  // namespace
