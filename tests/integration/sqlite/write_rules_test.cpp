// What save(), transactions and reads guarantee when input or state is bad:
// a clear covet error, and nothing half-written.
#include <covet/covet.hpp>
#include <gtest/gtest.h>

#include "blog/models.hpp"

using namespace covet;

namespace write_rules {

struct Price : Model<Price> {
  int64_t id = 0;
  Decimal amount;
  int32_t small = 0;
  std::string status = "a";
  Date day;
  Uuid token;
  static void meta(Meta<Price>& m) {
    m.table("prices")
        .field(&Price::amount, decimal(5, 2))
        .field(&Price::status, choices({"a", "b"}), default_value("a"))
        .field(&Price::day, auto_now())
        .field(&Price::token, default_factory([] { return Value(Uuid::v4()); }));
  }
};

struct Wide : Model<Wide> {
  int64_t id = 0;
  Decimal v;
  static void meta(Meta<Wide>& m) { m.table("wide").field(&Wide::v, decimal(30, 10)); }
};

class WriteRules : public ::testing::Test {
 protected:
  Database db{"sqlite://:memory:"};
  void SetUp() override { db.create_all<Price, blog::User>(); }
  int64_t rows() { return Price::objects(db).count(); }
};

Price price(const char* amount) {
  Price p;
  p.amount = Decimal(amount);
  return p;
}

TEST_F(WriteRules, DecimalWithinPrecisionRoundTrips) {
  Price p = price("123.45");
  p.save(db);
  EXPECT_EQ(Price::objects(db).get("id", p.id).amount.to_string(), "123.45");
}

TEST_F(WriteRules, DecimalBeyondMaxDigitsOrPlacesIsAValidationErrorAndNothingIsWritten) {
  for (const char* bad : {"1234.5", "1.005", "123456"}) {
    Price p = price(bad);
    try {
      p.save(db);
      FAIL() << bad;
    } catch (const ValidationError& e) {
      ASSERT_TRUE(e.errors().count("amount")) << bad;
    }
  }
  EXPECT_EQ(rows(), 0);
}

TEST_F(WriteRules, DecimalWithMoreDigitsThanSqliteKeepsIsRefused) {
  db.create_all<Wide>();
  Wide w;
  w.v = Decimal("12345678901234.56789");  // valid for decimal(30, 10), but 19 significant digits
  EXPECT_THROW(w.save(db), DataError);
  EXPECT_EQ(Wide::objects(db).count(), 0);
  w.v = Decimal("123456789012.345");  // 15 digits: exact
  w.save(db);
  EXPECT_EQ(Wide::objects(db).get("id", w.id).v, Decimal("123456789012.345"));
  w.v = Decimal("100000000000000000");  // a whole number is stored exactly as INTEGER
  w.save(db);
  EXPECT_EQ(Wide::objects(db).get("id", w.id).v, Decimal("100000000000000000"));
}

TEST_F(WriteRules, DefaultFactoryFillsAMemberStillAtItsInitializer) {
  Price p = price("1.00");
  p.save(db);
  EXPECT_FALSE(p.token.is_nil());
  Price q = price("2.00");
  Uuid mine = Uuid::v4();
  q.token = mine;
  q.save(db);
  EXPECT_EQ(q.token, mine);
}

TEST_F(WriteRules, AutoNowOnADateFieldWorksForPartialSaves) {
  Price p = price("1.00");
  p.save(db);
  auto partial = Price::objects(db).only("amount").get("id", p.id);
  partial.set(&Price::amount, Decimal("3.00"));
  partial.set(&Price::day, Date(2000, 1, 1));
  EXPECT_NO_THROW(partial.save(db));
  EXPECT_EQ(Price::objects(db).get("id", p.id).day, Date::today());
}

TEST_F(WriteRules, PartialSaveValidatesOnlyLoadedFields) {
  Price p = price("1.00");
  p.status = "b";
  p.save(db);
  auto partial = Price::objects(db).defer("status").get("id", p.id);
  partial.set(&Price::amount, Decimal("4.00"));
  partial.save(db);  // status was never loaded: neither checked nor written
  Price back = Price::objects(db).get("id", p.id);
  EXPECT_EQ(back.status, "b");
  EXPECT_EQ(back.amount, Decimal("4.00"));
}

TEST_F(WriteRules, ChoicesAreCheckedOnSave) {
  Price p = price("1.00");
  p.status = "zzz";
  EXPECT_THROW(p.save(db), ValidationError);
  EXPECT_EQ(rows(), 0);
}

TEST_F(WriteRules, UpdateOrCreateOnAPartialQueryKeepsTheOtherColumns) {
  blog::User u;
  u.username = "bob";
  u.email = "bob@example.com";
  u.password_hash = "secret";
  u.save(db);
  auto [got, created] = blog::User::objects(db).only("email").update_or_create({{"username", "bob"}}, {{"email", "new@example.com"}});
  EXPECT_FALSE(created);
  blog::User back = blog::User::objects(db).get("username", "bob");
  EXPECT_EQ(back.email, "new@example.com");
  EXPECT_EQ(back.password_hash, "secret");
}

TEST_F(WriteRules, GetOrCreateWithTwoMatchesRaises) {
  for (const char* name : {"amy", "ann"}) {
    blog::User u;
    u.username = name;
    u.email = std::string(name) + "@x.org";
    u.save(db);
  }
  EXPECT_THROW(blog::User::get_or_create(db, {{"username__startswith", "a"}}), MultipleObjectsReturned);
}

TEST_F(WriteRules, GetOrCreateAfterAUniqueClashReturnsTheExistingRow) {
  blog::User u;
  u.username = "carl";
  u.email = "carl@x.org";
  u.save(db);
  // The lookup misses (different username case), the insert clashes on the unique email:
  // the clash is not the caller's lookup, so it propagates, and the transaction is clean.
  EXPECT_THROW(blog::User::get_or_create(db, {{"username", "Carl2"}}, {{"email", "carl@x.org"}}), IntegrityError);
  EXPECT_EQ(blog::User::objects(db).count(), 1);
  auto [again, created] = blog::User::get_or_create(db, {{"username", "carl"}});
  EXPECT_FALSE(created);
  EXPECT_EQ(again.id, u.id);
}

TEST_F(WriteRules, TransactionsMustFinishInnermostFirst) {
  auto outer = db.transaction();
  auto inner = db.transaction();
  EXPECT_THROW(outer.commit(), InvalidArgument);
  Price p = price("1.00");
  p.save(db);
  inner.commit();
  outer.commit();
  EXPECT_EQ(rows(), 1);
}

TEST_F(WriteRules, AFailingEchoLoggerDoesNotLeaveATransactionOpen) {
  bool fail = true;
  Database noisy("sqlite://:memory:", DatabaseOptions{.echo = true, .logger = [&](std::string_view) {
                                                          if (fail) throw std::runtime_error("log sink down");
                                                        }});
  EXPECT_THROW(noisy.transaction(), std::runtime_error);
  fail = false;
  auto tx = noisy.transaction();  // BEGIN works again: the first one was rolled back
  tx.commit();
}

TEST_F(WriteRules, Int32ColumnHoldingAWiderValueIsADataErrorOnRead) {
  Price p = price("1.00");
  p.save(db);
  db.execute("UPDATE prices SET small = 3000000000 WHERE id = ?", {p.id});
  try {
    Price::objects(db).get("id", p.id);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("small"), std::string::npos);
  }
}

TEST_F(WriteRules, UnreadableStoredValueNamesTheField) {
  Price p = price("1.00");
  p.save(db);
  db.execute("UPDATE prices SET day = 'not a date' WHERE id = ?", {p.id});
  try {
    Price::objects(db).get("id", p.id);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("Price.day"), std::string::npos) << e.what();
  }
}

TEST_F(WriteRules, IsnullWithNullIsAFieldError) {
  EXPECT_THROW(Price::objects(db).filter("status__isnull", nullptr), FieldError);
}

TEST(SqliteUrlOptions, BadOptionsAreConfigurationErrors) {
  EXPECT_THROW(Database("sqlite://:memory:?timeout=abc"), ConfigurationError);
  EXPECT_THROW(Database("sqlite://:memory:?transaction_mode=sometimes"), ConfigurationError);
  EXPECT_NO_THROW(Database("sqlite://:memory:?timeout=100&transaction_mode=deferred"));
}

TEST(SqliteUrlOptions, TransactionsBeginImmediateByDefault) {
  std::vector<std::string> lines;
  Database db("sqlite://:memory:", DatabaseOptions{.echo = true, .logger = [&](std::string_view l) { lines.emplace_back(l); }});
  db.transaction().commit();
  ASSERT_GE(lines.size(), 2u);
  EXPECT_NE(lines[0].find("BEGIN IMMEDIATE"), std::string::npos) << lines[0];
}

}  // namespace write_rules
