// The write-rules suite (tests/support/write_rules_suite.inc) on SQLite, and
// what only SQLite needs: its 15-digit REAL for decimals, values of any type
// in any column, BEGIN IMMEDIATE, its URL options.
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#include "support/write_rules_suite.inc"

namespace write_rules {

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
  db.execute("UPDATE prices SET small = 3000000000 WHERE id = $1", {p.id});
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
  db.execute("UPDATE prices SET day = 'not a date' WHERE id = $1", {p.id});
  try {
    Price::objects(db).get("id", p.id);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("Price.day"), std::string::npos) << e.what();
  }
  // values() reads through the field's kind too.
  try {
    Price::objects(db).values("day").all();
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("column 'day'"), std::string::npos) << e.what();
  }
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

TEST_F(WriteRules, RawSqlWithTheWrongNumberOfQuestionMarksIsRefused) {
  EXPECT_THROW(db.execute("SELECT ? + ?", {1}), ProgrammingError);
  EXPECT_THROW(db.execute("SELECT ?", {1, 2}), ProgrammingError);
  EXPECT_EQ(db.execute("SELECT ? + ? AS s", {1, 2}).rows[0]["s"].as_int(), 3);
}

TEST_F(WriteRules, RawSqlDecimalSqliteWouldRoundIsRefused) {
  EXPECT_THROW(db.execute("SELECT ? AS v", {Decimal("0.1234567890123456789")}), DataError);
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
