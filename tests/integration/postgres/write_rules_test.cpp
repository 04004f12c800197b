// The write-rules suite (tests/support/write_rules_suite.inc) on PostgreSQL,
// each fixture in a schema of its own, and where PostgreSQL's typed columns
// answer differently from SQLite's: numeric keeps every digit, and a value
// the column cannot hold is refused when written, not when read.
#include <covet/covet.hpp>

#include "support/services.hpp"

namespace {
covet::Database backend_database() { return test_support::postgres_schema_database(); }
}  // namespace

#include "support/write_rules_suite.inc"

namespace write_rules {

TEST_F(WriteRules, NumericKeepsEveryDigitSqliteWouldRound) {
  db.create_all<Wide>();
  Wide w;
  w.v = Decimal("12345678901234.56789");  // 19 significant digits: SQLite refuses it, numeric(30, 10) keeps it
  w.save(db);
  EXPECT_EQ(Wide::objects(db).get("id", w.id).v.to_string(), "12345678901234.5678900000");
  EXPECT_EQ(Wide::objects(db).filter("v", Decimal("12345678901234.56789")).count(), 1);
  EXPECT_EQ(db.execute("SELECT $1::numeric AS v", {Decimal("0.1234567890123456789")}).rows.at(0)["v"].as_decimal(),
            Decimal("0.1234567890123456789"));
  w.v = Decimal("123456789012345678901.5");  // 21 digits before the point: beyond decimal(30, 10)
  EXPECT_THROW(w.save(db), ValidationError);
}

TEST_F(WriteRules, AValueTheColumnCannotHoldIsADataErrorWhenWritten) {
  Price p = price("1.00");
  p.save(db);
  EXPECT_THROW(db.execute("UPDATE prices SET small = 3000000000 WHERE id = $1", {p.id}), DataError);
  EXPECT_THROW(db.execute("UPDATE prices SET day = 'not a date' WHERE id = $1", {p.id}), DataError);
  EXPECT_EQ(Price::objects(db).get("id", p.id).small, 0);
}

TEST_F(WriteRules, AnIntegrityErrorInsideATransactionNeedsASavepointToGoOn) {
  auto tx = db.transaction();
  price("1.00").save(tx);
  blog::User u;
  u.username = "dup";
  u.email = "dup@x.org";
  u.save(tx);
  blog::User again = u;
  again.id = 0;
  {
    auto sp = tx.transaction();  // a savepoint: the error rolls back to it
    EXPECT_THROW(again.save(sp), IntegrityError);
  }
  EXPECT_EQ(rows(tx), 1);  // the transaction goes on
  EXPECT_THROW(again.save(tx), IntegrityError);
  EXPECT_THROW(rows(tx), OperationalError);  // aborted: 25P02 until rollback
  tx.rollback();
  EXPECT_EQ(rows(), 0);
}

}  // namespace write_rules
