// Queries over the real Chinook database (a private copy per test). Expected
// numbers come from raw SQL on the same database where possible; a few
// well-known constants of the data set are asserted too.
#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "support/models.hpp"

using namespace covet;
using testing_models::Genre;
using testing_models::Invoice;
using testing_models::PlaylistTrack;
using testing_models::Track;

namespace {

class Chinook : public ::testing::Test {
 protected:
  static std::string url() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    return testing_models::chinook_copy(std::string("chinook_") + info->name());
  }
  int64_t raw_int(const std::string& sql, const std::vector<Value>& params = {}) {
    auto rows = db.execute(sql, params).rows;
    EXPECT_EQ(rows.size(), 1u) << sql;
    return rows.at(0)[0].as_int();
  }
  std::vector<int64_t> raw_ints(const std::string& sql, const std::vector<Value>& params = {}) {
    std::vector<int64_t> out;
    for (const auto& r : db.execute(sql, params).rows) out.push_back(r[0].as_int());
    return out;
  }

  Database db{url()};
};

TEST_F(Chinook, KnownTableSizes) {
  EXPECT_EQ(Track::objects(db).count(), 3503);
  EXPECT_EQ(Invoice::objects(db).count(), 412);
  EXPECT_EQ(Genre::objects(db).count(), 25);
  EXPECT_EQ(PlaylistTrack::objects(db).count(), raw_int("SELECT COUNT(*) FROM PlaylistTrack"));
  EXPECT_EQ(PlaylistTrack::objects(db).count(), 8715);
}

TEST_F(Chinook, AllHydratesEveryTrack) {
  auto tracks = Track::objects(db).all();
  ASSERT_EQ(tracks.size(), 3503u);
  int64_t ms = 0;
  std::set<int64_t> ids;
  for (const auto& t : tracks) {
    ms += t.milliseconds;
    ids.insert(t.id);
  }
  EXPECT_EQ(ids.size(), 3503u);
  EXPECT_EQ(ms, raw_int("SELECT SUM(Milliseconds) FROM Track"));
}

TEST_F(Chinook, GetTrackByPrimaryKeyMapsColumns) {
  auto r = db.execute("SELECT Name, AlbumId, MediaTypeId, GenreId, Composer, Milliseconds, Bytes FROM Track WHERE TrackId = 1").rows;
  ASSERT_EQ(r.size(), 1u);
  Track t = Track::objects(db).get("id", 1);
  EXPECT_EQ(t.id, 1);
  EXPECT_EQ(t.name, r[0]["Name"].as_string());
  EXPECT_EQ(t.album_id, std::optional<int64_t>(r[0]["AlbumId"].as_int()));
  EXPECT_EQ(t.media_type_id, r[0]["MediaTypeId"].as_int());
  EXPECT_EQ(t.genre_id, std::optional<int64_t>(r[0]["GenreId"].as_int()));
  EXPECT_EQ(t.composer, std::optional<std::string>(r[0]["Composer"].as_string()));
  EXPECT_EQ(t.milliseconds, r[0]["Milliseconds"].as_int());
  EXPECT_EQ(t.bytes, std::optional<int64_t>(r[0]["Bytes"].as_int()));
  EXPECT_EQ(t.unit_price, Decimal("0.99"));
  EXPECT_EQ(t.unit_price.to_string(), "0.99");
  // "pk" names the primary key too.
  EXPECT_EQ(Track::objects(db).get("pk", 1).name, t.name);
}

TEST_F(Chinook, TracksByGenreNamePattern) {
  auto genre_rows = Genre::objects(db).filter("name__icontains", "rock").order_by("id").values_list("id");
  std::vector<int64_t> genre_ids;
  for (const auto& row : genre_rows) genre_ids.push_back(row.at(0).as_int());
  EXPECT_EQ(genre_ids, raw_ints("SELECT GenreId FROM Genre WHERE Name LIKE '%rock%' ORDER BY GenreId"));
  EXPECT_EQ(genre_ids.size(), 2u);  // Rock, Rock And Roll

  int64_t n = Track::objects(db).filter("genre_id__in", genre_ids).count();
  int64_t expected = raw_int(
      "SELECT COUNT(*) FROM Track WHERE GenreId IN (SELECT GenreId FROM Genre WHERE Name LIKE '%rock%')");
  EXPECT_EQ(n, expected);
  EXPECT_GT(n, 1000);
  // The typed form agrees.
  EXPECT_EQ(Track::objects(db).filter(col(&Track::genre_id).in(genre_ids)).count(), expected);
  // Case-sensitive contains finds only the capitalised names.
  EXPECT_EQ(Genre::objects(db).filter("name__contains", "rock").count(), 0);
  EXPECT_EQ(Genre::objects(db).filter("name__contains", "Rock").count(), 2);
}

TEST_F(Chinook, ExcludeGenresComplementsTheCount) {
  std::vector<int64_t> ids{1, 5};
  int64_t in = Track::objects(db).filter("genre_id__in", ids).count();
  int64_t out = Track::objects(db).exclude("genre_id__in", ids).count();
  int64_t null_genre = raw_int("SELECT COUNT(*) FROM Track WHERE GenreId IS NULL");
  EXPECT_EQ(in + out + null_genre, 3503);
  EXPECT_EQ(out, raw_int("SELECT COUNT(*) FROM Track WHERE GenreId NOT IN (1, 5)"));
}

TEST_F(Chinook, InvoicesInADateRange) {
  DateTime from(2022, 1, 1), to(2022, 12, 31, 23, 59, 59);
  int64_t expected = raw_int("SELECT COUNT(*) FROM Invoice WHERE InvoiceDate BETWEEN ? AND ?",
                             {"2022-01-01 00:00:00", "2022-12-31 23:59:59"});
  EXPECT_GT(expected, 0);
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__range", Array{from, to}).count(), expected);
  EXPECT_EQ(Invoice::objects(db).filter(col(&Invoice::invoice_date).range(from, to)).count(), expected);
  EXPECT_EQ(Invoice::objects(db)
                .filter("invoice_date__gte", DateTime(2022, 1, 1))
                .filter("invoice_date__lt", DateTime(2023, 1, 1))
                .count(),
            expected);
  // ISO strings are converted to DateTime.
  EXPECT_EQ(Invoice::objects(db)
                .filter({{"invoice_date__gte", "2022-01-01"}, {"invoice_date__lt", "2023-01-01T00:00:00"}})
                .count(),
            expected);
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__year", 2022).count(), expected);
  EXPECT_EQ(Invoice::objects(db).filter(col(&Invoice::invoice_date).year() == 2022).count(), expected);
}

TEST_F(Chinook, InvoiceDatePartsMatchStrftime) {
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__month", 3).count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE strftime('%m', InvoiceDate) = '03'"));
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__day", 1).count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE strftime('%d', InvoiceDate) = '01'"));
  EXPECT_EQ(Invoice::objects(db).filter("invoice_date__year__gte", 2024).count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE InvoiceDate >= '2024-01-01'"));
  int64_t per_year = 0;
  for (int y = 2000; y <= 2030; ++y) per_year += Invoice::objects(db).filter("invoice_date__year", y).count();
  EXPECT_EQ(per_year, 412);
}

TEST_F(Chinook, InvoiceDatesHydrateAsDateTime) {
  auto first = Invoice::objects(db).order_by("invoice_date", "id").first();
  ASSERT_TRUE(first.has_value());
  auto raw = db.execute("SELECT InvoiceId, InvoiceDate FROM Invoice ORDER BY InvoiceDate, InvoiceId LIMIT 1").rows;
  EXPECT_EQ(first->id, raw[0]["InvoiceId"].as_int());
  EXPECT_EQ(first->invoice_date.to_string(), raw[0]["InvoiceDate"].as_string());
  EXPECT_EQ(first->invoice_date.hour(), 0u);
}

TEST_F(Chinook, ComposerIsNullCounts) {
  int64_t nulls = raw_int("SELECT COUNT(*) FROM Track WHERE Composer IS NULL");
  EXPECT_EQ(nulls, 977);
  EXPECT_EQ(Track::objects(db).filter("composer__isnull", true).count(), nulls);
  EXPECT_EQ(Track::objects(db).filter("composer__isnull", false).count(), 3503 - nulls);
  EXPECT_EQ(Track::objects(db).filter("composer", nullptr).count(), nulls);  // exact None is IS NULL
  EXPECT_EQ(Track::objects(db).filter(col(&Track::composer).is_null()).count(), nulls);
  auto none = Track::objects(db).filter("composer__isnull", true).order_by("id").first();
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->composer.has_value());
}

TEST_F(Chinook, DecimalUnitPriceComparisons) {
  int64_t dear = raw_int("SELECT COUNT(*) FROM Track WHERE UnitPrice > 0.99");
  EXPECT_EQ(dear, 213);
  EXPECT_EQ(Track::objects(db).filter("unit_price__gt", "0.99").count(), dear);
  EXPECT_EQ(Track::objects(db).filter("unit_price__gt", Decimal("0.99")).count(), dear);
  EXPECT_EQ(Track::objects(db).filter(col(&Track::unit_price) > Decimal("0.99")).count(), dear);
  EXPECT_EQ(Track::objects(db).filter("unit_price", Decimal("0.99")).count(), 3503 - dear);
  EXPECT_EQ(Track::objects(db).filter("unit_price__lte", "0.99").count(), 3503 - dear);
  EXPECT_EQ(Track::objects(db).filter("unit_price__gte", Decimal("1.99")).count(), dear);
  EXPECT_EQ(Track::objects(db).filter("unit_price__range", Array{Decimal("1.00"), Decimal("2.00")}).count(), dear);
  for (const Track& t : Track::objects(db).filter("unit_price__gt", "0.99").limit(20).iterate())
    EXPECT_EQ(t.unit_price.to_string(), "1.99");
}

TEST_F(Chinook, InvoiceTotalsAsDecimal) {
  auto big = Invoice::objects(db).order_by("-total", "id").first();
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->total, Decimal("25.86"));
  EXPECT_EQ(Invoice::objects(db).filter("total__gte", Decimal("20")).count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE Total >= 20"));
  double sum = 0;
  for (const Invoice& inv : Invoice::objects(db).iterate()) sum += inv.total.to_double();
  double raw = db.execute("SELECT SUM(Total) FROM Invoice").rows.at(0)[0].as_double();
  EXPECT_NEAR(sum, raw, 1e-6);
}

TEST_F(Chinook, OrderByWithLimit) {
  auto longest = Track::objects(db).order_by("-milliseconds", "id").limit(5).all();
  auto expected = raw_ints("SELECT TrackId FROM Track ORDER BY Milliseconds DESC, TrackId LIMIT 5");
  ASSERT_EQ(longest.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(longest[i].id, expected[i]);
  EXPECT_EQ(longest[0].name, "Occupation / Precipice");
  EXPECT_TRUE(std::is_sorted(longest.begin(), longest.end(),
                             [](const Track& a, const Track& b) { return a.milliseconds > b.milliseconds; }));
  // Next page of the same ordering.
  auto next = Track::objects(db).order_by("-milliseconds", "id").offset(5).limit(5).all();
  auto expected_next = raw_ints("SELECT TrackId FROM Track ORDER BY Milliseconds DESC, TrackId LIMIT 5 OFFSET 5");
  ASSERT_EQ(next.size(), 5u);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(next[i].id, expected_next[i]);
}

TEST_F(Chinook, DistinctBillingCountries) {
  auto countries = Invoice::objects(db).distinct().order_by("billing_country").values("billing_country");
  int64_t expected = raw_int("SELECT COUNT(DISTINCT BillingCountry) FROM Invoice");
  EXPECT_EQ(static_cast<int64_t>(countries.size()), expected);
  EXPECT_EQ(expected, 24);
  std::set<std::string> names;
  for (const auto& r : countries) names.insert(r["billing_country"].as_string());
  EXPECT_EQ(names.size(), countries.size());
  EXPECT_TRUE(names.count("Germany"));
  EXPECT_TRUE(names.count("USA"));
  EXPECT_EQ(countries.front()["billing_country"].as_string(),
            db.execute("SELECT MIN(BillingCountry) AS c FROM Invoice").rows.at(0)["c"].as_string());
  // Without distinct every invoice has a row.
  EXPECT_EQ(Invoice::objects(db).values("billing_country").size(), 412u);
  EXPECT_EQ(Invoice::objects(db).filter("billing_country", "USA").count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE BillingCountry = 'USA'"));
}

TEST_F(Chinook, NonAsciiTextLookups) {
  int64_t expected = raw_int("SELECT COUNT(*) FROM Invoice WHERE BillingCity = ?", {"São Paulo"});
  EXPECT_EQ(expected, 14);
  EXPECT_EQ(Invoice::objects(db).filter("billing_city", "São Paulo").count(), expected);
  EXPECT_EQ(Invoice::objects(db).filter("billing_city__startswith", "São").count(),
            raw_int("SELECT COUNT(*) FROM Invoice WHERE substr(BillingCity, 1, 3) = ?", {"São"}));
  EXPECT_GT(Invoice::objects(db).filter("billing_city__startswith", "São").count(), expected);  // São José dos Campos too
}

TEST_F(Chinook, TrackNameTextLookupsMatchRawSql) {
  EXPECT_EQ(Track::objects(db).filter("name__contains", "Love").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE Name GLOB '*Love*'"));
  EXPECT_EQ(Track::objects(db).filter("name__icontains", "love").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE Name LIKE '%love%'"));
  EXPECT_EQ(Track::objects(db).filter("name__istartswith", "the ").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE Name LIKE 'the %'"));
  EXPECT_EQ(Track::objects(db).filter("name__endswith", ")").count(),
            raw_int("SELECT COUNT(*) FROM Track WHERE substr(Name, -1) = ')'"));
}

TEST_F(Chinook, CombinedConditions) {
  auto q = Track::objects(db).filter((Q("genre_id", 1) | Q("genre_id", 3)) & Q("milliseconds__gt", 300000))
               .exclude("composer__isnull", true);
  EXPECT_EQ(q.count(), raw_int("SELECT COUNT(*) FROM Track WHERE (GenreId = 1 OR GenreId = 3) AND Milliseconds > 300000 "
                               "AND Composer IS NOT NULL"));
  auto typed = Track::objects(db).filter((col(&Track::genre_id) == 1 || col(&Track::genre_id) == 3) &&
                                         col(&Track::milliseconds) > 300000 && !col(&Track::composer).is_null());
  EXPECT_EQ(typed.count(), q.count());
}

TEST_F(Chinook, CompositeKeyPlaylistTrack) {
  EXPECT_EQ(PlaylistTrack::objects(db).filter("playlist_id", 1).count(),
            raw_int("SELECT COUNT(*) FROM PlaylistTrack WHERE PlaylistId = 1"));
  auto pair = db.execute("SELECT PlaylistId, TrackId FROM PlaylistTrack WHERE PlaylistId = 17 ORDER BY TrackId LIMIT 1").rows;
  ASSERT_EQ(pair.size(), 1u);
  int64_t p = pair[0]["PlaylistId"].as_int(), t = pair[0]["TrackId"].as_int();
  PlaylistTrack pt = PlaylistTrack::objects(db).get({{"playlist_id", p}, {"track_id", t}});
  EXPECT_EQ(pt.playlist_id, p);
  EXPECT_EQ(pt.track_id, t);
  EXPECT_THROW(PlaylistTrack::objects(db).get({{"playlist_id", 17}, {"track_id", -1}}), DoesNotExist);
  // The playlists of one track.
  EXPECT_EQ(PlaylistTrack::objects(db).filter("track_id", t).count(),
            raw_int("SELECT COUNT(*) FROM PlaylistTrack WHERE TrackId = ?", {t}));
  // Ordering by the composite key.
  auto first = PlaylistTrack::objects(db).first();
  auto last = PlaylistTrack::objects(db).last();
  ASSERT_TRUE(first && last);
  auto raw_first = db.execute("SELECT PlaylistId, TrackId FROM PlaylistTrack ORDER BY PlaylistId, TrackId LIMIT 1").rows;
  auto raw_last = db.execute("SELECT PlaylistId, TrackId FROM PlaylistTrack ORDER BY PlaylistId DESC, TrackId DESC LIMIT 1").rows;
  EXPECT_EQ(first->playlist_id, raw_first[0][0].as_int());
  EXPECT_EQ(first->track_id, raw_first[0][1].as_int());
  EXPECT_EQ(last->playlist_id, raw_last[0][0].as_int());
  EXPECT_EQ(last->track_id, raw_last[0][1].as_int());
}

TEST_F(Chinook, CompositeKeyRemoveAndSaveOnRealData) {
  int64_t before = raw_int("SELECT COUNT(*) FROM PlaylistTrack");
  PlaylistTrack pt = PlaylistTrack::objects(db).filter("playlist_id", 18).get();  // playlist 18 has one track
  pt.remove(db);
  EXPECT_EQ(raw_int("SELECT COUNT(*) FROM PlaylistTrack"), before - 1);
  EXPECT_FALSE(PlaylistTrack::objects(db).filter("playlist_id", 18).exists());
  pt.save(db);  // re-inserts the same key
  EXPECT_EQ(raw_int("SELECT COUNT(*) FROM PlaylistTrack"), before);
  pt.save(db);  // and again is no duplicate
  EXPECT_EQ(raw_int("SELECT COUNT(*) FROM PlaylistTrack"), before);
}

TEST_F(Chinook, PaginateTracks) {
  auto q = Track::objects(db).order_by("id");
  auto p = q.paginate(71, 50);
  EXPECT_EQ(p.total, 3503);
  EXPECT_EQ(p.pages, 71);
  EXPECT_EQ(p.items.size(), 3u);
  EXPECT_FALSE(p.has_next);
  EXPECT_EQ(p.items.back().id, raw_int("SELECT MAX(TrackId) FROM Track"));
  EXPECT_TRUE(q.paginate(72, 50).items.empty());
}

TEST_F(Chinook, InBulkTracks) {
  auto m = Track::objects(db).in_bulk(std::vector<int64_t>{1, 2, 3, 999999});
  EXPECT_EQ(m.size(), 3u);
  EXPECT_EQ(m.at(2).name, db.execute("SELECT Name FROM Track WHERE TrackId = 2").rows.at(0)[0].as_string());
}

TEST_F(Chinook, IterateAllTracksWithoutBuildingAList) {
  int64_t n = 0, ms = 0;
  for (const Track& t : Track::objects(db).iterate()) {
    ++n;
    ms += t.milliseconds;
  }
  EXPECT_EQ(n, 3503);
  EXPECT_EQ(ms, raw_int("SELECT SUM(Milliseconds) FROM Track"));
}

TEST_F(Chinook, BulkUpdateAndDeleteOnTheCopy) {
  int64_t rock = raw_int("SELECT COUNT(*) FROM Track WHERE GenreId = 1");
  EXPECT_EQ(Track::objects(db).filter("genre_id", 1).update({{"unit_price", Decimal("1.29")}}), rock);
  EXPECT_EQ(raw_int("SELECT COUNT(*) FROM Track WHERE UnitPrice = 1.29"), rock);
  EXPECT_EQ(Track::objects(db).filter("unit_price", "1.29").count(), rock);
  EXPECT_EQ(Track::objects(db).filter("genre_id", 1).first()->unit_price, Decimal("1.29"));
  // Invoices are not referenced by other rows once their lines go.
  int64_t lines = raw_int("SELECT COUNT(*) FROM InvoiceLine WHERE InvoiceId IN (SELECT InvoiceId FROM Invoice WHERE BillingCountry = 'Norway')");
  db.execute("DELETE FROM InvoiceLine WHERE InvoiceId IN (SELECT InvoiceId FROM Invoice WHERE BillingCountry = 'Norway')");
  EXPECT_GT(lines, 0);
  int64_t norway = raw_int("SELECT COUNT(*) FROM Invoice WHERE BillingCountry = 'Norway'");
  EXPECT_EQ(Invoice::objects(db).filter("billing_country", "Norway").remove(), norway);
  EXPECT_EQ(Invoice::objects(db).count(), 412 - norway);
}

TEST_F(Chinook, ForeignKeysAreEnforced) {
  // The copy is opened with foreign_keys = ON: deleting a referenced genre fails.
  EXPECT_THROW(Genre::objects(db).filter("id", 1).remove(), IntegrityError);
  EXPECT_EQ(Genre::objects(db).count(), 25);
}

TEST_F(Chinook, SaveUpdatesAnExistingTrack) {
  Track t = Track::objects(db).get("id", 10);
  t.name = "Renamed";
  t.composer = std::nullopt;
  t.save(db);
  auto r = db.execute("SELECT Name, Composer FROM Track WHERE TrackId = 10").rows;
  EXPECT_EQ(r.at(0)["Name"].as_string(), "Renamed");
  EXPECT_TRUE(r.at(0)["Composer"].is_null());
  EXPECT_EQ(Track::objects(db).count(), 3503);
}

TEST_F(Chinook, CreateGenreGetsTheNextId) {
  Genre g = Genre::create(db, {{"name", "Chiptune"}});
  EXPECT_EQ(g.id, raw_int("SELECT MAX(GenreId) FROM Genre"));
  EXPECT_EQ(g.id, 26);
  EXPECT_EQ(Genre::objects(db).get("name", "Chiptune").id, 26);
}

}  // namespace
