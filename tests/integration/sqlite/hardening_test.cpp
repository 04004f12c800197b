// Regression tests for the hardening issue, on SQLite: each case failed on
// the foundation (silent wrong results, unreadable rows, statements that ran
// more than they said, Django semantics that differed) and now gets the
// right answer or a clear covet error with nothing written.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "blog/models.hpp"
#include "support/helpers.hpp"
#include "support/models.hpp"

namespace hardening_models {
struct Victim {
  int64_t id = 0;
};
struct Sneaky {
  int64_t id = 0;
  int64_t x = 0;
  static void meta(covet::Meta<Sneaky>& m) {
    m.check("x_positive", "x >= 0)); DROP TABLE victim; CREATE TABLE zz (y CHECK (1");
  }
};
struct Money {
  int64_t id = 0;
  covet::Decimal amount;
  static void meta(covet::Meta<Money>& m) { m.field(&Money::amount, covet::decimal(18, 0)); }
};
}  // namespace hardening_models

namespace {

using test_support::has;
using test_support::message_of;

using blog::User;
using covet::Array;
using covet::DateTime;
using covet::Q;
using covet::Value;
using testing_models::Everything;
using namespace std::chrono_literals;



class Hardening : public ::testing::Test {
 protected:
  void SetUp() override {
    db.create_all<User, Everything>();
    for (const char* name : {"admin", "Ádám", "Ώρα", "İpek", "Ǆemal", "Արամ"}) add(name);
  }
  User add(const std::string& name) {
    User u = test_support::make_user(name, "x");
    u.save(db);
    return u;
  }
  int64_t users() { return User::objects(db).count(); }
  covet::Database db{"sqlite://:memory:"};
};

// ---------------------------------------------------- silent wrong results
TEST_F(Hardening, NulInsideATextLookupValueIsRefusedForEveryLookup) {
  std::string with_nul("admin\0-x", 8);
  for (const char* lookup : {"exact", "iexact", "contains", "icontains", "startswith", "istartswith", "endswith",
                             "iendswith"}) {
    std::string msg = message_of<covet::FieldError>(
        [&] { User::objects(db).filter(std::string("username__") + lookup, with_nul).count(); });
    EXPECT_TRUE(has(msg, "NUL byte")) << lookup << ": " << msg;
  }
  // Before: endswith "\0" matched every row.
  EXPECT_THROW(User::objects(db).filter("username__endswith", std::string(1, '\0')).count(), covet::FieldError);
  EXPECT_THROW(User::objects(db).filter("username__in", Array{Value(with_nul)}).count(), covet::FieldError);
}

TEST_F(Hardening, InvalidUtf8InALookupValueIsRefused) {
  EXPECT_THROW(User::objects(db).filter("username__icontains", std::string("\xff")).count(), covet::FieldError);
}

TEST_F(Hardening, TextFieldsHoldValidUtf8OnlyAndNothingIsWritten) {
  User u;
  u.username = "a" + std::string(1'000'000, '\x80');  // counted as one character before
  u.email = "e@example.com";
  auto err = [&] {
    try {
      u.save(db);
    } catch (const covet::ValidationError& e) {
      return e.errors();
    }
    return covet::ValidationError::Errors{};
  }();
  ASSERT_EQ(err.count("username"), 1u);
  EXPECT_TRUE(has(err["username"][0], "not valid UTF-8")) << err["username"][0];
  EXPECT_EQ(u.id, 0);
  EXPECT_EQ(users(), 6);

  u.username = std::string("nul\0inside", 10);
  EXPECT_THROW(u.save(db), covet::ValidationError);
  EXPECT_THROW(User::create(db, {{"username", std::string("x\xc3")}, {"email", "x@example.com"}}), covet::ValidationError);
  EXPECT_THROW(User::objects(db).update({{"email", std::string("\xff")}}), covet::ValidationError);
  EXPECT_EQ(users(), 6);
  EXPECT_EQ(User::objects(db).filter("email__endswith", "@example.com").count(), 6);
}

TEST_F(Hardening, ArrayOfTextAndNullableTextAreCheckedToo) {
  Everything e;
  e.name = "ok";
  e.tags = {"fine", std::string("\xfe")};
  auto errors = [&] {
    try {
      e.save(db);
    } catch (const covet::ValidationError& v) {
      return v.errors();
    }
    return covet::ValidationError::Errors{};
  }();
  ASSERT_EQ(errors.count("tags"), 1u);
  EXPECT_TRUE(has(errors["tags"][0], "Item 1")) << errors["tags"][0];
  // The same through kwargs and update(): a ValidationError naming the field.
  EXPECT_THROW(Everything::create(db, {{"name", "k"}, {"tags", Array{Value("ok"), Value(std::string("\0", 1))}}}),
               covet::ValidationError);
  EXPECT_THROW(Everything::objects(db).update({{"tags", Array{Value(std::string("\xff"))}}}), covet::ValidationError);
  e.tags = {"fine"};
  e.nickname = std::string("\0", 1);
  EXPECT_THROW(e.save(db), covet::ValidationError);
  e.nickname.reset();
  e.save(db);
  EXPECT_EQ(Everything::objects(db).count(), 1);
}

TEST_F(Hardening, DateTimesOutsideYears1To9999AreRefusedBeforeWriting) {
  for (const char* bad : {"0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"}) {
    EXPECT_THROW(Everything::create(db, {{"name", "x"}, {"at", bad}}), covet::Error) << bad;
    EXPECT_THROW(Everything::objects(db).filter("at__lt", bad).count(), covet::FieldError) << bad;
  }
  EXPECT_EQ(Everything::objects(db).count(), 0);
  Everything::create(db, {{"name", "edge"}, {"at", "9999-12-31T22:30:00-01:00"}});
  auto all = Everything::objects(db).all();  // every row still reads
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].at.to_string(), "9999-12-31 23:30:00");
}

TEST_F(Hardening, StoredDatetimesOutOfRangeReadAsDataErrorNotGarbage) {
  Everything::create(db, {{"name", "x"}});
  db.execute("UPDATE everything SET at = ?", {Value(int64_t{9'000'000'000'000'000})});  // seconds: would overflow micros
  EXPECT_THROW(Everything::objects(db).all(), covet::DataError);
  db.execute("UPDATE everything SET at = '10000-01-01 00:00:00'");
  EXPECT_THROW(Everything::objects(db).all(), covet::DataError);
}

TEST_F(Hardening, ILookupsFoldEveryAlphabetLikePostgresLower) {
  EXPECT_EQ(User::objects(db).filter("username__iexact", "ÁDÁM").count(), 1);
  EXPECT_EQ(User::objects(db).filter("username__iexact", "ώρα").count(), 1);
  EXPECT_EQ(User::objects(db).filter("username__istartswith", "ipek").count(), 1);  // İ → i
  EXPECT_EQ(User::objects(db).filter("username__iexact", "ǆemal").count(), 1);
  EXPECT_EQ(User::objects(db).filter("username__iexact", "ǅEMAL").count(), 1);
  EXPECT_EQ(User::objects(db).filter("username__icontains", "ՐԱ").count(), 1);
}

// ----------------------------------------------------------------- crashes
TEST_F(Hardening, DeepQTreesGetAClearErrorNeverACrash) {
  Q q("id", 1);
  EXPECT_THROW(
      {
        for (int i = 0; i < 40000; ++i) q = (i % 2 ? (q & Q("id__gt", i)) : (q | Q("username", "x")));
      },
      covet::InvalidArgument);
  EXPECT_GE(User::objects(db).filter(q).count(), 0);  // the deepest accepted tree runs
}

TEST_F(Hardening, RecordIndexOutOfRangeIsAnError) {
  auto rows = User::objects(db).values("id", "username");
  ASSERT_FALSE(rows.empty());
  EXPECT_THROW(rows[0][2], covet::FieldError);
  auto raw = db.execute("SELECT 1 AS one").rows;
  EXPECT_THROW(raw[0][1], covet::FieldError);
}

// --------------------------------------- statements that run more than they say
TEST_F(Hardening, CheckExpressionCannotInjectStatements) {
  db.create_all<hardening_models::Victim>();
  std::string msg = message_of<covet::ConfigurationError>([&] { covet::model_info<hardening_models::Sneaky>(); });
  EXPECT_TRUE(has(msg, "x_positive")) << msg;
  EXPECT_TRUE(has(msg, "one SQL expression")) << msg;
  EXPECT_EQ(db.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'victim'").rows[0]["n"], Value(1));
  EXPECT_EQ(db.execute("SELECT count(*) AS n FROM sqlite_master WHERE name = 'zz'").rows[0]["n"], Value(0));
}

TEST_F(Hardening, RawSqlAllowsATrailingCommentButNotASecondStatementOrANul) {
  EXPECT_EQ(db.execute("SELECT 1 AS one; -- comment").rows[0]["one"], Value(1));
  EXPECT_EQ(db.execute("SELECT 1 AS one; /* done */ ;").rows[0]["one"], Value(1));
  EXPECT_EQ(db.execute("SELECT 1 AS one -- no semicolon").rows[0]["one"], Value(1));
  EXPECT_THROW(db.execute("SELECT 1; DELETE FROM users"), covet::ProgrammingError);
  EXPECT_THROW(db.execute("SELECT 1; -- x\nDELETE FROM users"), covet::ProgrammingError);
  EXPECT_THROW(db.execute(std::string("SELECT 1\0; DELETE FROM users", 28)), covet::ProgrammingError);
  EXPECT_THROW(db.execute("CREATE TABLE a (x); CREATE TABLE b (y)"), covet::ProgrammingError);
  EXPECT_EQ(users(), 6);
  EXPECT_EQ(db.execute("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a', 'b')").rows[0]["n"], Value(0));
}

// ---------------------------------------------------- Django semantics
TEST(HardeningChinook, ColumnNamesAreNotFieldNames) {
  covet::Database db(testing_models::chinook_copy("hardening_columns"));
  using testing_models::Track;
  std::string msg = message_of<covet::FieldError>([&] { Track::objects(db).filter("Milliseconds__gt", 1).count(); });
  EXPECT_TRUE(has(msg, "'Milliseconds' is the database column of field 'milliseconds'")) << msg;
  EXPECT_THROW(Track::objects(db).values("Name"), covet::FieldError);
  EXPECT_THROW(Track::objects(db).order_by("-Milliseconds"), covet::FieldError);
  auto rows = Track::objects(db).filter("milliseconds__gt", 1'000'000).order_by("id").values("name", "milliseconds");
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows[0].names(), (std::vector<std::string>{"name", "milliseconds"}));
}

TEST_F(Hardening, FilteringOrOrderingAfterASliceIsRefused) {
  auto sliced = User::objects(db).order_by("id").limit(5);
  std::string msg = message_of<covet::InvalidArgument>([&] { sliced.filter("id__gt", 3); });
  EXPECT_TRUE(has(msg, "cannot filter a query once a slice has been taken")) << msg;
  EXPECT_THROW(sliced.exclude("id", 1), covet::InvalidArgument);
  EXPECT_THROW(sliced.order_by("-id"), covet::InvalidArgument);
  EXPECT_THROW(User::objects(db).offset(2).filter(Q("id", 1)), covet::InvalidArgument);
  EXPECT_THROW(sliced.get("id", 1), covet::InvalidArgument);
  EXPECT_EQ(sliced.filter(Q()).count(), 5);  // an empty condition is not a filter (Django's rule)
  // What still works on a slice: its terminals, first/last, paginate.
  EXPECT_EQ(sliced.count(), 5);
  EXPECT_EQ(sliced.first()->username, "admin");
  EXPECT_EQ(sliced.paginate(1, 2).items.size(), 2u);
}

TEST_F(Hardening, LimitAndOffsetAreIndependentOfCallOrder) {
  for (int i = 0; i < 14; ++i) add("user" + std::to_string(i));
  auto ids = [](const std::vector<User>& v) {
    std::vector<int64_t> out;
    for (const auto& u : v) out.push_back(u.id);
    return out;
  };
  auto base = User::objects(db).order_by("id");
  auto a = ids(base.limit(10).offset(5).all());
  auto b = ids(base.offset(5).limit(10).all());
  EXPECT_EQ(a, b);
  ASSERT_EQ(a.size(), 10u);
  EXPECT_EQ(a.front(), ids(base.all())[5]);
}

TEST_F(Hardening, UpdateOrCreateNamingAFieldTwiceIsRefused) {
  EXPECT_THROW(User::objects(db).update({{"email", "a@x.com"}, {"email", "b@x.com"}}), covet::InvalidArgument);
  EXPECT_THROW(User::objects(db).filter("username", "admin").update({{"id", 7}, {"pk", 8}}), covet::InvalidArgument);
  EXPECT_THROW(User::create(db, {{"username", "zed"}, {"username", "zod"}, {"email", "z@x.com"}}), covet::InvalidArgument);
  EXPECT_EQ(User::objects(db).filter("email", "a@x.com").count(), 0);
  EXPECT_EQ(users(), 6);
}

TEST_F(Hardening, NegativeAndPositiveEighteenDigitDecimalsBothRoundTrip) {
  using hardening_models::Money;
  db.create_all<Money>();
  for (const char* v : {"-999999999999999999", "999999999999999999"}) {
    Money m;
    m.amount = covet::Decimal(v);
    covet::save(db, m);
    Money back = covet::objects<Money>(db).get("id", m.id);
    EXPECT_EQ(back.amount.to_string(), v);
  }
  EXPECT_EQ(covet::objects<Money>(db).filter("amount__lt", "-1e17").count(), 1);
}

// ------------------------------------------------------------------ URLs
TEST(HardeningUrls, UnknownOptionsAreRefusedNamingTheKnownOnes) {
  std::string msg = message_of<covet::ConfigurationError>([] { covet::Database db("sqlite://:memory:?unknown=1"); });
  EXPECT_TRUE(has(msg, "unknown option 'unknown'")) << msg;
  EXPECT_TRUE(has(msg, "mode, pool_size, pool_timeout, pre_ping, readonly, timeout, transaction_mode")) << msg;
  EXPECT_THROW(covet::Database("sqlite://:memory:?timout=5"), covet::ConfigurationError);
  EXPECT_THROW(covet::Database("sqlite:///never_created.db?mode=readonly"), covet::ConfigurationError);
  EXPECT_FALSE(std::filesystem::exists("never_created.db"));
  covet::Database ok("sqlite://:memory:?timeout=100&transaction_mode=deferred");
  EXPECT_EQ(ok.execute("SELECT 2 AS two").rows[0]["two"], Value(2));
}

TEST(HardeningUrls, SchemeIsCaseInsensitiveAndNulIsRefused) {
  covet::Database db("SQLITE://:memory:");
  EXPECT_EQ(db.execute("SELECT 1 AS one").rows[0]["one"], Value(1));
  EXPECT_THROW(covet::Database("sqlite:///x%00.db"), covet::ConfigurationError);
}

TEST(HardeningUrls, AFileNamedLikeAnSqliteUriStaysAFile) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(COVET_TEST_TMP) / "uri_path";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::path old = fs::current_path();
  fs::current_path(dir);
  {
    covet::Database db("sqlite:///file:x.db%3Fmode%3Dmemory");
    db.execute("CREATE TABLE t (x integer)");
    db.execute("INSERT INTO t VALUES (1)");
  }
  bool exists = fs::exists(dir / "file:x.db?mode=memory");
  {
    covet::Database again("sqlite:///file:x.db%3Fmode%3Dmemory");  // the data persisted: a file, not memory
    EXPECT_EQ(again.execute("SELECT count(*) AS n FROM t").rows[0]["n"], Value(1));
  }
  fs::current_path(old);
  EXPECT_TRUE(exists);
}

// ------------------------------------------------------- runtime-built calls
TEST_F(Hardening, KwargsBuiltAtRunTimeWorkEverywhere) {
  std::map<std::string, Value> filter = {{"username__startswith", "adm"}, {"is_active", "true"}};
  EXPECT_EQ(User::objects(db).filter(filter).count(), 1);
  std::vector<std::pair<std::string, Value>> exclude = {{"username", "admin"}};
  EXPECT_EQ(User::objects(db).exclude(exclude).count(), 5);
  EXPECT_EQ(User::objects(db).get(filter).username, "admin");
  EXPECT_EQ(User::objects(db).filter(Q(covet::KwargsView(filter))).count(), 1);

  std::unordered_map<std::string, Value> sets = {{"is_active", false}};
  EXPECT_EQ(User::objects(db).filter(filter).update(sets), 1);
  EXPECT_EQ(User::objects(db).filter("is_active", false).count(), 1);

  std::map<std::string, std::string> fields = {{"username", "newbie"}, {"email", "n@example.com"}};  // any value type
  User created = User::create(db, fields);
  EXPECT_GT(created.id, 0);

  std::vector<std::pair<std::string, Value>> lookup = {{"username", "gina"}};
  std::map<std::string, Value> defaults = {{"email", "gina@example.com"}};
  auto [gina, made] = User::get_or_create(db, lookup, defaults);
  EXPECT_TRUE(made);
  EXPECT_EQ(gina.email, "gina@example.com");
  auto [gina2, made2] = User::update_or_create(db, lookup, std::map<std::string, Value>{{"email", "g@example.com"}});
  EXPECT_FALSE(made2);
  EXPECT_EQ(gina2.id, gina.id);
  EXPECT_EQ(User::objects(db).get("username", "gina").email, "g@example.com");
  // Braced lists still choose the braced overloads.
  EXPECT_EQ(User::objects(db).filter({{"username", "gina"}, {"is_active", true}}).count(), 1);
  EXPECT_EQ(User::objects(db).filter(Q({{"username", "gina"}})).count(), 1);
}

TEST_F(Hardening, GetOrCreateDefaultsWinOverTheLookupAsInDjango) {
  auto [u, made] = User::get_or_create(db, {{"username", "hal"}, {"email", "lookup@example.com"}},
                                       {{"email", "defaults@example.com"}});
  EXPECT_TRUE(made);
  EXPECT_EQ(u.email, "defaults@example.com");
}

TEST_F(Hardening, NameListsBuiltAtRunTimeWorkEverywhere) {
  std::vector<std::string> names = {"id", "username"};
  auto rows = User::objects(db).order_by(std::vector<std::string>{"-id"}).values(names);
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[0].names(), names);
  EXPECT_EQ(rows[0]["username"], Value("Արամ"));
  auto list = User::objects(db).order_by(std::vector<std::string_view>{"id"}).values_list(names);
  EXPECT_EQ(list[0][1], Value("admin"));
  auto partial = User::objects(db).only(std::vector<std::string>{"username"}).first();
  ASSERT_TRUE(partial.has_value());
  EXPECT_TRUE(partial->is_loaded("username"));
  EXPECT_FALSE(partial->is_loaded("email"));
  auto deferred = User::objects(db).defer(std::vector<std::string>{"email", "password_hash"}).first();
  EXPECT_FALSE(deferred->is_loaded("email"));
  EXPECT_TRUE(deferred->is_loaded("username"));
  EXPECT_THROW(User::objects(db).values(std::vector<std::string>{"nope"}), covet::FieldError);
}

TEST_F(Hardening, TypedDateTimeColumnsCompareWithChronoTimePoints) {
  auto now = std::chrono::system_clock::now();
  EXPECT_EQ(User::objects(db).filter(covet::col(&User::created_at) <= now + 1min).count(), 6);
  EXPECT_EQ(User::objects(db).filter("created_at__lt", now - std::chrono::hours(24 * 365)).count(), 0);
  EXPECT_EQ(User::objects(db).filter("created_at__gte", DateTime::now() - 1h).count(), 6);
}

}  // namespace
