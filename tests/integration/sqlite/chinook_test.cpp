// The Chinook suite (tests/support/chinook_suite.inc) on the SQLite file,
// a private copy per test, and what only SQLite has (strftime, GLOB, rowid keys).
#include <covet/covet.hpp>

#include <string>
#include <string_view>

#include "support/chinook_sql.hpp"
#include "support/models.hpp"

using testing_models::Genre;
using testing_models::Invoice;
using testing_models::PlaylistTrack;
using testing_models::Track;

namespace {
covet::Database chinook_database(const std::string& name) { return covet::Database(testing_models::chinook_copy("chinook_" + name)); }

// The file's names are PascalCase ("PlaylistTrack"."TrackId") and SQLite's
// names are case-insensitive, so snake_case SQL reads the same once the
// underscores outside quotes are gone.
std::string chinook_sql(std::string_view sql) { return testing_models::sqlite_chinook_sql(sql); }
}  // namespace

#include "support/chinook_suite.inc"

namespace {

TEST_F(Chinook, InvoiceDatePartsMatchStrftime) {
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__month", 3).count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE strftime('%m', InvoiceDate) = '03'"));
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__day", 1).count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE strftime('%d', InvoiceDate) = '01'"));
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__year__gte", 2024).count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE InvoiceDate >= '2024-01-01'"));
}

TEST_F(Chinook, TrackNameTextLookupsMatchGlobAndLike) {
  EXPECT_EQ(Track::objects(db).filter("name__contains", "Love").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE Name GLOB '*Love*'"));
  EXPECT_EQ(Track::objects(db).filter("name__icontains", "love").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE Name LIKE '%love%'"));
  EXPECT_EQ(Track::objects(db).filter("name__istartswith", "the ").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE Name LIKE 'the %'"));
  EXPECT_EQ(Track::objects(db).filter("name__endswith", ")").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE substr(Name, -1) = ')'"));
}

TEST_F(Chinook, CreateGenreGetsTheNextId) {
  Genre g = Genre::create(db, {{"name", "Chiptune"}});
  EXPECT_EQ(g.id, raw_int("SELECT MAX(GenreId) FROM Genre"));
  EXPECT_EQ(g.id, 26);
  EXPECT_EQ(Genre::objects(db).get("name", "Chiptune").id, 26);
}

}  // namespace
