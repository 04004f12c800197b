// The Chinook suite (tests/support/chinook_suite.inc) on PostgreSQL: each
// test on a database of its own, cloned from the `chinook` database that
// scripts/services loads (CREATE DATABASE ... TEMPLATE, about 0.1 s; FILE_COPY
// sends no copy of the data through the WAL to the standby), and
// dropped when the test process exits. Then what only PostgreSQL has.
#include <covet/covet.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "support/models.hpp"
#include "support/services.hpp"

using Genre = testing_models::BasicGenre<testing_models::ChinookNames::Snake>;
using Track = testing_models::BasicTrack<testing_models::ChinookNames::Snake>;
using Invoice = testing_models::BasicInvoice<testing_models::ChinookNames::Snake>;
using PlaylistTrack = testing_models::BasicPlaylistTrack<testing_models::ChinookNames::Snake>;

namespace {
covet::Database chinook_database(const std::string&) { return test_support::postgres_chinook_database(); }

std::string chinook_sql(std::string_view sql) { return std::string(sql); }
}  // namespace

#include "support/chinook_suite.inc"

namespace {

TEST_F(Chinook, InvoiceDatePartsMatchExtract) {
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__month", 3).count(),
            raw_int("SELECT COUNT(*) FROM invoice WHERE EXTRACT(MONTH FROM invoice_date) = 3"));
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__day", 1).count(),
            raw_int("SELECT COUNT(*) FROM invoice WHERE EXTRACT(DAY FROM invoice_date) = 1"));
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__year__gte", 2024).count(),
            raw_int("SELECT COUNT(*) FROM invoice WHERE EXTRACT(YEAR FROM invoice_date) >= 2024"));
}

TEST_F(Chinook, TrackNameTextLookupsMatchLikeAndIlike) {
  EXPECT_EQ(Track::objects(db).filter("name__contains", "Love").count(),
            raw_int("SELECT COUNT(*) FROM track WHERE name LIKE '%Love%'"));
  EXPECT_EQ(Track::objects(db).filter("name__icontains", "love").count(),
            raw_int("SELECT COUNT(*) FROM track WHERE name ILIKE '%love%'"));
  EXPECT_EQ(Track::objects(db).filter("name__istartswith", "the ").count(),
            raw_int("SELECT COUNT(*) FROM track WHERE name ILIKE 'the %'"));
  EXPECT_EQ(Track::objects(db).filter("name__endswith", ")").count(),
            raw_int("SELECT COUNT(*) FROM track WHERE right(name, 1) = ')'"));
}

TEST_F(Chinook, NumericSumsAreExact) {
  auto r = raw("SELECT count(*) AS n, sum(unit_price) AS total FROM track");
  EXPECT_EQ(r.at(0)["n"].as_int(), 3503);
  EXPECT_EQ(r.at(0)["total"].as_decimal().to_string(), "3680.97");
  auto acdc = raw("SELECT a.title FROM album a JOIN artist ar ON ar.artist_id = a.artist_id WHERE ar.name = $1 ORDER BY a.title",
                  {"AC/DC"});
  ASSERT_EQ(acdc.size(), 2u);
  EXPECT_EQ(acdc[0]["title"].as_string(), "For Those About To Rock We Salute You");
}

// The script's keys are plain INT columns without a default: a row needs
// its key, and the NOT NULL violation writes nothing.
TEST_F(Chinook, CreateGenreWithoutAKeyIsRefusedByTheTable) {
  try {
    Genre::create(db, {{"name", "Chiptune"}});
    ADD_FAILURE() << "genre_id has no default";
  } catch (const covet::IntegrityError& e) {
    EXPECT_EQ(e.sqlstate(), "23502") << e.what();
  }
  EXPECT_EQ(Genre::objects(db).count(), 25);
  Genre g = Genre::create(db, {{"id", 26}, {"name", "Chiptune"}});
  EXPECT_EQ(Genre::objects(db).get("name", "Chiptune").id, 26);
  EXPECT_EQ(raw_int("SELECT MAX(genre_id) FROM genre"), g.id);
}

}  // namespace
