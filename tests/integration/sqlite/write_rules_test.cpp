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

// Defaults given in another spelling of the same value are accepted.
struct Spelled : Model<Spelled> {
  int64_t id = 0;
  Decimal balance = Decimal("0");
  Date since = Date(2020, 1, 1);
  std::optional<std::string> note;
  static void meta(Meta<Spelled>& m) {
    m.field(&Spelled::balance, decimal(8, 2), default_value("0.00"))
        .field(&Spelled::since, default_value("2020-01-01"))
        .field(&Spelled::note, default_value(nullptr));
  }
};

class WriteRules : public ::testing::Test {
 protected:
  Database db{"sqlite://:memory:"};
  void SetUp() override { db.create_all<Price, blog::User>(); }
  int64_t rows() { return Price::objects(db).count(); }
  int64_t rows(const covet::Executor& ex) { return Price::objects(ex).count(); }
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
  auto inner = outer.transaction();
  EXPECT_THROW(outer.commit(), covet::UsageError);
  Price p = price("1.00");
  p.save(inner);
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

TEST_F(WriteRules, DefaultValueIsComparedAfterConversion) {
  EXPECT_NO_THROW(model_info<Spelled>());
}

TEST_F(WriteRules, DestroyingAnOuterTransactionFirstEndsTheInnerOnes) {
  {
    std::vector<Transaction> stack;
    stack.push_back(db.transaction());
    stack.push_back(stack.back().transaction());
    stack.push_back(stack.back().transaction());
    Price p = price("1.00");
    p.save(stack.back());
  }  // the vector destroys the outermost first
  EXPECT_EQ(rows(), 0);
  auto tx = db.transaction();  // a real BEGIN again, not a savepoint of a leftover transaction
  Price p = price("2.00");
  p.save(tx);
  tx.commit();
  EXPECT_EQ(rows(), 1);
  EXPECT_EQ(db.execute("SELECT 1 AS x").rows.size(), 1u);
}

TEST_F(WriteRules, RollingBackTheOuterLevelMakesInnerCommitAnError) {
  auto outer = db.transaction();
  auto inner = outer.transaction();
  outer.rollback();
  EXPECT_FALSE(inner.active());
  EXPECT_THROW(inner.commit(), covet::UsageError);
  EXPECT_THROW(Price::objects(inner).count(), covet::UsageError);
  EXPECT_NO_THROW(db.transaction().commit());
}

TEST_F(WriteRules, AFailedBeginLeavesTheCallersOwnTransactionAlone) {
  auto session = db.session();
  session.execute("BEGIN");
  session.execute("INSERT INTO prices (amount, small, status, day, token) VALUES ('1.00', 0, 'a', '2020-01-01', 'x')");
  EXPECT_THROW(session.transaction(), DatabaseError);  // BEGIN inside BEGIN
  session.execute("COMMIT");
  session.close();
  EXPECT_EQ(rows(), 1);
}

TEST_F(WriteRules, ARawBeginLeftOpenIsRolledBackWhenTheConnectionReturns) {
  db.execute("BEGIN");  // the pooled connection goes back with a transaction open
  db.execute("INSERT INTO prices (amount, small, status, day, token) VALUES ('1.00', 0, 'a', '2020-01-01', 'x')");
  EXPECT_EQ(rows(), 1);  // autocommit: the BEGIN was rolled back when its connection returned
  auto tx = db.transaction();
  tx.commit();
}

TEST_F(WriteRules, RawSqlWithTheWrongNumberOfParametersIsRefused) {
  EXPECT_THROW(db.execute("SELECT ? + ?", {1}), ProgrammingError);
  EXPECT_THROW(db.execute("SELECT ?", {1, 2}), ProgrammingError);
  EXPECT_EQ(db.execute("SELECT ? + ? AS s", {1, 2}).rows[0]["s"].as_int(), 3);
}

TEST_F(WriteRules, RawSqlDecimalSqliteWouldRoundIsRefused) {
  EXPECT_THROW(db.execute("SELECT ? AS v", {Decimal("0.1234567890123456789")}), DataError);
}

TEST_F(WriteRules, QuerySetUpdateChecksDecimalPrecision) {
  Price p = price("1.00");
  p.save(db);
  EXPECT_THROW(Price::objects(db).update({{"amount", Decimal("1.234")}}), ValidationError);
  EXPECT_EQ(Price::objects(db).get("id", p.id).amount, Decimal("1.00"));
}

TEST_F(WriteRules, RowsAffectedCountsDmlAfterAComment) {
  price("1.00").save(db);
  price("2.00").save(db);
  EXPECT_EQ(db.execute("-- purge everything\nDELETE FROM prices").rows_affected, 2);
  EXPECT_EQ(db.execute("/* nothing */ SELECT 1").rows_affected, 0);
}

TEST_F(WriteRules, IterateOverPartialsStartsEachRowAfresh) {
  price("1.00").save(db);
  price("2.00").save(db);
  int n = 0;
  for (auto& part : Price::objects(db).only("amount").order_by("id").iterate()) {
    if (n++ == 0) part.set(&Price::status, std::string("b"));
    else EXPECT_THROW(part.get(&Price::status), FieldError);  // not carried over from the first row
  }
  EXPECT_EQ(n, 2);
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
