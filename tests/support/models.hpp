#pragma once
// Models shared by the tests.
#include <covet/covet.hpp>

#include <filesystem>
#include <string>

namespace testing_models {

// One member of every field kind.
struct Everything : covet::Model<Everything> {
  int64_t id = 0;
  int32_t small = 0;
  int64_t big = 0;
  double real = 0;
  covet::Decimal price;
  std::string name;
  std::string body;
  bool flag = false;
  covet::Date day;
  covet::DateTime at;
  covet::Uuid uid;
  covet::Json doc;
  std::vector<std::string> tags;
  std::vector<int64_t> numbers;
  covet::Bytes blob;
  std::optional<std::string> nickname;
  std::optional<int64_t> score;
  std::optional<covet::DateTime> seen_at;
  std::optional<double> ratio;

  static void meta(covet::Meta<Everything>& m) {
    m.table("everything")
        .field(&Everything::price, covet::decimal(12, 2))
        .field(&Everything::name, covet::max_length(20))
        .field(&Everything::nickname, covet::max_length(30));
  }
};

// Chinook tables (../shared/data/chinook), with covet names mapped to the
// original PascalCase columns through db_column.
struct Genre : covet::Model<Genre> {
  int64_t id = 0;
  std::optional<std::string> name;
  static void meta(covet::Meta<Genre>& m) {
    m.table("Genre").field(&Genre::id, covet::primary_key(), covet::db_column("GenreId"))
        .field(&Genre::name, covet::max_length(120), covet::db_column("Name"));
  }
};

struct Track : covet::Model<Track> {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> album_id;
  int64_t media_type_id = 0;
  std::optional<int64_t> genre_id;
  std::optional<std::string> composer;
  int64_t milliseconds = 0;
  std::optional<int64_t> bytes;
  covet::Decimal unit_price;
  static void meta(covet::Meta<Track>& m) {
    m.table("Track")
        .field(&Track::id, covet::primary_key(), covet::db_column("TrackId"))
        .field(&Track::name, covet::max_length(200), covet::db_column("Name"))
        .field(&Track::album_id, covet::db_column("AlbumId"))
        .field(&Track::media_type_id, covet::db_column("MediaTypeId"))
        .field(&Track::genre_id, covet::db_column("GenreId"))
        .field(&Track::composer, covet::max_length(220), covet::db_column("Composer"))
        .field(&Track::milliseconds, covet::db_column("Milliseconds"))
        .field(&Track::bytes, covet::db_column("Bytes"))
        .field(&Track::unit_price, covet::decimal(10, 2), covet::db_column("UnitPrice"));
  }
};

struct Invoice : covet::Model<Invoice> {
  int64_t id = 0;
  int64_t customer_id = 0;
  covet::DateTime invoice_date;
  std::optional<std::string> billing_city;
  std::optional<std::string> billing_country;
  covet::Decimal total;
  static void meta(covet::Meta<Invoice>& m) {
    m.table("Invoice")
        .field(&Invoice::id, covet::primary_key(), covet::db_column("InvoiceId"))
        .field(&Invoice::customer_id, covet::db_column("CustomerId"))
        .field(&Invoice::invoice_date, covet::db_column("InvoiceDate"))
        .field(&Invoice::billing_city, covet::db_column("BillingCity"))
        .field(&Invoice::billing_country, covet::db_column("BillingCountry"))
        .field(&Invoice::total, covet::decimal(10, 2), covet::db_column("Total"));
  }
};

// A composite primary key.
struct PlaylistTrack : covet::Model<PlaylistTrack> {
  int64_t playlist_id = 0;
  int64_t track_id = 0;
  static void meta(covet::Meta<PlaylistTrack>& m) {
    m.table("PlaylistTrack")
        .field(&PlaylistTrack::playlist_id, covet::db_column("PlaylistId"))
        .field(&PlaylistTrack::track_id, covet::db_column("TrackId"))
        .primary_key(&PlaylistTrack::playlist_id, &PlaylistTrack::track_id);
  }
};

// A private copy of the Chinook database for one test (the original is read-only).
inline std::string chinook_copy(const std::string& name) {
  namespace fs = std::filesystem;
  fs::path dst = fs::path(COVET_TEST_TMP) / (name + ".sqlite");
  fs::remove(dst);
  fs::remove(dst.string() + "-wal");
  fs::remove(dst.string() + "-shm");
  fs::copy_file(COVET_CHINOOK_SQLITE, dst);
  fs::permissions(dst, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::add);
  return "sqlite:///" + dst.string();
}

}  // namespace testing_models
