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

// A member of every kind a serializer writes a query's rows with straight
// from their cells (detail::write_row), each also optional.
struct Cells : covet::Model<Cells> {
  int64_t id = 0;
  int32_t small = 0;
  bool flag = false;
  std::string name;
  covet::DateTime at;
  double ratio = 0;
  std::optional<int64_t> o64;
  std::optional<int32_t> o32;
  std::optional<bool> oflag;
  std::optional<std::string> oname;
  std::optional<covet::DateTime> oat;
  std::optional<double> oratio;
  static void meta(covet::Meta<Cells>& m) { m.table("cells"); }
};

// An Everything with a value of every kind set (text with escapes, a time
// before the epoch, a nested JSON document, bytes with a NUL).
inline Everything sample_everything() {
  Everything e;
  e.id = 3;
  e.small = -3;
  e.big = 9'000'000'000;
  e.real = 0.1;
  e.price = covet::Decimal("19.90");
  e.name = "n\"ame \u00fc";
  e.body = "line1\nline2\t\x01";
  e.flag = true;
  e.day = covet::Date(2023, 12, 31);
  e.at = covet::DateTime(1969, 12, 31, 23, 59, 59, 1);
  e.uid = covet::Uuid::v4();
  e.doc = covet::Json::parse(R"({"k": [true, null, 1.5, "s", {"n": -7}]})");
  e.tags = {"a", "b c"};
  e.numbers = {1, -2};
  e.blob = covet::Bytes::from(std::string("\0\x01\xff", 3));
  e.nickname = "nick";
  e.seen_at = covet::DateTime(2020, 1, 1);
  e.ratio = 1e300;
  return e;
}

// Chinook tables (../shared/data/chinook). The SQLite file names them in
// PascalCase ("Track"."TrackId"), the PostgreSQL script in snake_case
// ("track"."track_id"); the models are the same but for those names.
enum class ChinookNames { Pascal, Snake };

template <ChinookNames N>
constexpr const char* chinook_name(const char* pascal, const char* snake) {
  return N == ChinookNames::Pascal ? pascal : snake;
}

template <ChinookNames N>
struct BasicGenre : covet::Model<BasicGenre<N>> {
  int64_t id = 0;
  std::optional<std::string> name;
  static void meta(covet::Meta<BasicGenre>& m) {
    m.table(chinook_name<N>("Genre", "genre"))
        .field(&BasicGenre::id, covet::primary_key(), covet::db_column(chinook_name<N>("GenreId", "genre_id")))
        .field(&BasicGenre::name, covet::max_length(120), covet::db_column(chinook_name<N>("Name", "name")));
  }
};

template <ChinookNames N>
struct BasicTrack : covet::Model<BasicTrack<N>> {
  int64_t id = 0;
  std::string name;
  std::optional<int64_t> album_id;
  int64_t media_type_id = 0;
  std::optional<int64_t> genre_id;
  std::optional<std::string> composer;
  int64_t milliseconds = 0;
  std::optional<int64_t> bytes;
  covet::Decimal unit_price;
  static void meta(covet::Meta<BasicTrack>& m) {
    auto n = chinook_name<N>;
    m.table(n("Track", "track"))
        .field(&BasicTrack::id, covet::primary_key(), covet::db_column(n("TrackId", "track_id")))
        .field(&BasicTrack::name, covet::max_length(200), covet::db_column(n("Name", "name")))
        .field(&BasicTrack::album_id, covet::db_column(n("AlbumId", "album_id")))
        .field(&BasicTrack::media_type_id, covet::db_column(n("MediaTypeId", "media_type_id")))
        .field(&BasicTrack::genre_id, covet::db_column(n("GenreId", "genre_id")))
        .field(&BasicTrack::composer, covet::max_length(220), covet::db_column(n("Composer", "composer")))
        .field(&BasicTrack::milliseconds, covet::db_column(n("Milliseconds", "milliseconds")))
        .field(&BasicTrack::bytes, covet::db_column(n("Bytes", "bytes")))
        .field(&BasicTrack::unit_price, covet::decimal(10, 2), covet::db_column(n("UnitPrice", "unit_price")));
  }
};

template <ChinookNames N>
struct BasicInvoice : covet::Model<BasicInvoice<N>> {
  int64_t id = 0;
  int64_t customer_id = 0;
  covet::DateTime invoice_date;
  std::optional<std::string> billing_city;
  std::optional<std::string> billing_country;
  covet::Decimal total;
  static void meta(covet::Meta<BasicInvoice>& m) {
    auto n = chinook_name<N>;
    m.table(n("Invoice", "invoice"))
        .field(&BasicInvoice::id, covet::primary_key(), covet::db_column(n("InvoiceId", "invoice_id")))
        .field(&BasicInvoice::customer_id, covet::db_column(n("CustomerId", "customer_id")))
        .field(&BasicInvoice::invoice_date, covet::db_column(n("InvoiceDate", "invoice_date")))
        .field(&BasicInvoice::billing_city, covet::db_column(n("BillingCity", "billing_city")))
        .field(&BasicInvoice::billing_country, covet::db_column(n("BillingCountry", "billing_country")))
        .field(&BasicInvoice::total, covet::decimal(10, 2), covet::db_column(n("Total", "total")));
  }
};

// A composite primary key.
template <ChinookNames N>
struct BasicPlaylistTrack : covet::Model<BasicPlaylistTrack<N>> {
  int64_t playlist_id = 0;
  int64_t track_id = 0;
  static void meta(covet::Meta<BasicPlaylistTrack>& m) {
    auto n = chinook_name<N>;
    m.table(n("PlaylistTrack", "playlist_track"))
        .field(&BasicPlaylistTrack::playlist_id, covet::db_column(n("PlaylistId", "playlist_id")))
        .field(&BasicPlaylistTrack::track_id, covet::db_column(n("TrackId", "track_id")))
        .primary_key(&BasicPlaylistTrack::playlist_id, &BasicPlaylistTrack::track_id);
  }
};

// Chinook with its relations: Artist <- Album <- Track -> Genre.
template <ChinookNames N>
struct RelAlbum;
template <ChinookNames N>
struct RelTrack;

template <ChinookNames N>
struct RelArtist : covet::Model<RelArtist<N>> {
  int64_t id = 0;
  std::optional<std::string> name;
  covet::OneToMany<RelAlbum<N>> albums;
  static void meta(covet::Meta<RelArtist>& m) {
    auto n = chinook_name<N>;
    m.table(n("Artist", "artist"))
        .field(&RelArtist::id, covet::primary_key(), covet::db_column(n("ArtistId", "artist_id")))
        .field(&RelArtist::name, covet::max_length(120), covet::db_column(n("Name", "name")));
  }
};

template <ChinookNames N>
struct RelGenre : covet::Model<RelGenre<N>> {
  int64_t id = 0;
  std::optional<std::string> name;
  static void meta(covet::Meta<RelGenre>& m) {
    auto n = chinook_name<N>;
    m.table(n("Genre", "genre"))
        .field(&RelGenre::id, covet::primary_key(), covet::db_column(n("GenreId", "genre_id")))
        .field(&RelGenre::name, covet::max_length(120), covet::db_column(n("Name", "name")));
  }
};

template <ChinookNames N>
struct RelAlbum : covet::Model<RelAlbum<N>> {
  int64_t id = 0;
  std::string title;
  covet::ForeignKey<RelArtist<N>> artist;
  covet::OneToMany<RelTrack<N>> tracks;
  static void meta(covet::Meta<RelAlbum>& m) {
    auto n = chinook_name<N>;
    m.table(n("Album", "album"))
        .field(&RelAlbum::id, covet::primary_key(), covet::db_column(n("AlbumId", "album_id")))
        .field(&RelAlbum::title, covet::max_length(160), covet::db_column(n("Title", "title")))
        .field(&RelAlbum::artist, covet::db_column(n("ArtistId", "artist_id")), covet::related_name("albums"));
  }
};

template <ChinookNames N>
struct RelTrack : covet::Model<RelTrack<N>> {
  int64_t id = 0;
  std::string name;
  covet::ForeignKey<RelAlbum<N>, std::optional<int64_t>> album;
  covet::ForeignKey<RelGenre<N>, std::optional<int64_t>> genre;
  int64_t milliseconds = 0;
  covet::Decimal unit_price;
  static void meta(covet::Meta<RelTrack>& m) {
    auto n = chinook_name<N>;
    m.table(n("Track", "track"))
        .field(&RelTrack::id, covet::primary_key(), covet::db_column(n("TrackId", "track_id")))
        .field(&RelTrack::name, covet::max_length(200), covet::db_column(n("Name", "name")))
        .field(&RelTrack::album, covet::db_column(n("AlbumId", "album_id")), covet::related_name("tracks"),
               covet::on_delete(covet::OnDelete::SetNull))
        .field(&RelTrack::genre, covet::db_column(n("GenreId", "genre_id")), covet::related_name("tracks"),
               covet::on_delete(covet::OnDelete::SetNull))
        .field(&RelTrack::milliseconds, covet::db_column(n("Milliseconds", "milliseconds")))
        .field(&RelTrack::unit_price, covet::decimal(10, 2), covet::db_column(n("UnitPrice", "unit_price")));
  }
};

template <ChinookNames N>
struct RelEmployee : covet::Model<RelEmployee<N>> {
  int64_t id = 0;
  std::string first_name;
  std::string last_name;
  static void meta(covet::Meta<RelEmployee>& m) {
    auto n = chinook_name<N>;
    m.table(n("Employee", "employee"))
        .field(&RelEmployee::id, covet::primary_key(), covet::db_column(n("EmployeeId", "employee_id")))
        .field(&RelEmployee::first_name, covet::max_length(20), covet::db_column(n("FirstName", "first_name")))
        .field(&RelEmployee::last_name, covet::max_length(20), covet::db_column(n("LastName", "last_name")));
  }
};

template <ChinookNames N>
struct RelCustomer : covet::Model<RelCustomer<N>> {
  int64_t id = 0;
  std::string first_name;
  std::optional<std::string> country;
  covet::ForeignKey<RelEmployee<N>, std::optional<int64_t>> support_rep;
  static void meta(covet::Meta<RelCustomer>& m) {
    auto n = chinook_name<N>;
    m.table(n("Customer", "customer"))
        .field(&RelCustomer::id, covet::primary_key(), covet::db_column(n("CustomerId", "customer_id")))
        .field(&RelCustomer::first_name, covet::max_length(40), covet::db_column(n("FirstName", "first_name")))
        .field(&RelCustomer::country, covet::max_length(40), covet::db_column(n("Country", "country")))
        .field(&RelCustomer::support_rep, covet::db_column(n("SupportRepId", "support_rep_id")),
               covet::related_name("customers"), covet::on_delete(covet::OnDelete::SetNull));
  }
};

template <ChinookNames N>
struct RelInvoiceLine : covet::Model<RelInvoiceLine<N>> {
  int64_t id = 0;
  int64_t invoice_id = 0;
  covet::ForeignKey<RelTrack<N>> track;
  covet::Decimal unit_price;
  int64_t quantity = 0;
  static void meta(covet::Meta<RelInvoiceLine>& m) {
    auto n = chinook_name<N>;
    m.table(n("InvoiceLine", "invoice_line"))
        .field(&RelInvoiceLine::id, covet::primary_key(), covet::db_column(n("InvoiceLineId", "invoice_line_id")))
        .field(&RelInvoiceLine::invoice_id, covet::db_column(n("InvoiceId", "invoice_id")))
        .field(&RelInvoiceLine::track, covet::db_column(n("TrackId", "track_id")), covet::related_name("lines"))
        .field(&RelInvoiceLine::unit_price, covet::decimal(10, 2), covet::db_column(n("UnitPrice", "unit_price")))
        .field(&RelInvoiceLine::quantity, covet::db_column(n("Quantity", "quantity")));
  }
};

using Genre = BasicGenre<ChinookNames::Pascal>;
using Track = BasicTrack<ChinookNames::Pascal>;
using Invoice = BasicInvoice<ChinookNames::Pascal>;
using PlaylistTrack = BasicPlaylistTrack<ChinookNames::Pascal>;

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
