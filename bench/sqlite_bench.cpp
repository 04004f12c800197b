// SQLite figures: covet against the raw sqlite3 C API doing the same work in
// the same run (same in-memory database setup, same structs).
#include <sqlite3.h>

#include <benchmark/benchmark.h>
#include <covet/covet.hpp>

#include <stdexcept>

#include "report.hpp"

namespace {

struct Row6 : covet::Model<Row6> {
  int64_t id = 0;
  std::string name;
  std::string email;
  double score = 0;
  bool active = false;
  int64_t views = 0;
  static void meta(covet::Meta<Row6>& m) { m.table("row6"); }
};

constexpr int kRows = 100'000;

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db));
}

Row6 make_row(int i) {
  Row6 r;
  r.name = "user number " + std::to_string(i);
  r.email = "user" + std::to_string(i) + "@example.com";
  r.score = i * 0.5;
  r.active = i % 3 != 0;
  r.views = i * 7;
  return r;
}

const std::vector<Row6>& input_rows() {
  static const std::vector<Row6> rows = [] {
    std::vector<Row6> v;
    v.reserve(kRows);
    for (int i = 0; i < kRows; ++i) v.push_back(make_row(i));
    return v;
  }();
  return rows;
}

// A covet database with the table filled (100k rows), shared by the read benchmarks.
covet::Database& filled_db() {
  static covet::Database db = [] {
    covet::Database d("sqlite://:memory:");
    d.create_all<Row6>();
    auto tx = d.transaction();
    for (Row6 r : input_rows()) r.save(d);
    tx.commit();
    return d;
  }();
  return db;
}

// The same data in a raw sqlite3 handle.
sqlite3* filled_raw() {
  static sqlite3* db = [] {
    sqlite3* d = nullptr;
    sqlite3_open(":memory:", &d);
    sqlite3_exec(d,
                 "CREATE TABLE row6 (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name text NOT NULL, email text NOT NULL,"
                 " score real NOT NULL, active bool NOT NULL, views bigint NOT NULL)",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(d, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* st;
    sqlite3_prepare_v2(d, "INSERT INTO row6 (name, email, score, active, views) VALUES (?, ?, ?, ?, ?)", -1, &st, nullptr);
    for (const Row6& r : input_rows()) {
      sqlite3_bind_text(st, 1, r.name.data(), static_cast<int>(r.name.size()), SQLITE_STATIC);
      sqlite3_bind_text(st, 2, r.email.data(), static_cast<int>(r.email.size()), SQLITE_STATIC);
      sqlite3_bind_double(st, 3, r.score);
      sqlite3_bind_int(st, 4, r.active);
      sqlite3_bind_int64(st, 5, r.views);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(d, "COMMIT", nullptr, nullptr, nullptr);
    return d;
  }();
  return db;
}

// What a hand-written raw loop does for one row.
inline void read_row(sqlite3_stmt* st, Row6& r) {
  r.id = sqlite3_column_int64(st, 0);
  r.name.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), static_cast<size_t>(sqlite3_column_bytes(st, 1)));
  r.email.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 2)), static_cast<size_t>(sqlite3_column_bytes(st, 2)));
  r.score = sqlite3_column_double(st, 3);
  r.active = sqlite3_column_int(st, 4) != 0;
  r.views = sqlite3_column_int64(st, 5);
}

// ---- hydrate 100k rows into structs ----
void BM_Hydrate_Raw(benchmark::State& state) {
  sqlite3* db = filled_raw();
  for (auto _ : state) {
    sqlite3_stmt* st;
    check(sqlite3_prepare_v2(db, "SELECT id, name, email, score, active, views FROM row6", -1, &st, nullptr), db);
    std::vector<Row6> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      read_row(st, out.emplace_back());
    }
    sqlite3_finalize(st);
    if (out.size() != kRows) state.SkipWithError("wrong row count");
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Hydrate_Raw)->Unit(benchmark::kMillisecond);

void BM_Hydrate_Covet(benchmark::State& state) {
  covet::Database& db = filled_db();
  for (auto _ : state) {
    std::vector<Row6> out = Row6::objects(db).all();
    if (out.size() != kRows) state.SkipWithError("wrong row count");
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Hydrate_Covet)->Unit(benchmark::kMillisecond);

// ---- insert 100k rows in one transaction ----
void BM_Insert_Raw(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    sqlite3* db = nullptr;
    sqlite3_open(":memory:", &db);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
    sqlite3_exec(db,
                 "CREATE TABLE row6 (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name text NOT NULL, email text NOT NULL,"
                 " score real NOT NULL, active bool NOT NULL CHECK (active IN (0, 1)), views bigint NOT NULL)",
                 nullptr, nullptr, nullptr);
    std::vector<Row6> rows = input_rows();
    state.ResumeTiming();
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db);
    sqlite3_stmt* st;
    check(sqlite3_prepare_v2(db, "INSERT INTO row6 (name, email, score, active, views) VALUES (?, ?, ?, ?, ?)", -1, &st, nullptr), db);
    for (Row6& r : rows) {
      sqlite3_bind_text(st, 1, r.name.data(), static_cast<int>(r.name.size()), SQLITE_STATIC);
      sqlite3_bind_text(st, 2, r.email.data(), static_cast<int>(r.email.size()), SQLITE_STATIC);
      sqlite3_bind_double(st, 3, r.score);
      sqlite3_bind_int(st, 4, r.active);
      sqlite3_bind_int64(st, 5, r.views);
      check(sqlite3_step(st), db);
      r.id = sqlite3_last_insert_rowid(db);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
    state.PauseTiming();
    sqlite3_close(db);
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Insert_Raw)->Unit(benchmark::kMillisecond);

void BM_Insert_Covet(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    auto db = std::make_unique<covet::Database>("sqlite://:memory:");
    db->create_all<Row6>();
    std::vector<Row6> rows = input_rows();
    state.ResumeTiming();
    auto tx = db->transaction();
    for (Row6& r : rows) r.save(*db);
    tx.commit();
    state.PauseTiming();
    if (rows.back().id != kRows) state.SkipWithError("ids not filled");
    db.reset();
    state.ResumeTiming();
  }
}
BENCHMARK(BM_Insert_Covet)->Unit(benchmark::kMillisecond);

// ---- a repeated filtered query: compile + execute + hydrate 10 rows ----
// The range on the key keeps SQLite's own work small, so covet's overhead shows.
void BM_FilterRepeat_Raw(benchmark::State& state) {
  sqlite3* db = filled_raw();
  sqlite3_stmt* st;
  check(sqlite3_prepare_v2(db,
                           "SELECT id, name, email, score, active, views FROM row6 WHERE id > ? AND active = ? "
                           "ORDER BY id LIMIT ?",
                           -1, &st, nullptr),
        db);
  int i = 0;
  for (auto _ : state) {
    sqlite3_bind_int64(st, 1, (i++ % 1000) * 97);
    sqlite3_bind_int(st, 2, 1);
    sqlite3_bind_int64(st, 3, 10);
    std::vector<Row6> out;
    while (sqlite3_step(st) == SQLITE_ROW) {
      read_row(st, out.emplace_back());
    }
    sqlite3_reset(st);
    if (out.size() != 10) state.SkipWithError("wrong row count");
    benchmark::DoNotOptimize(out.data());
  }
  sqlite3_finalize(st);
}
BENCHMARK(BM_FilterRepeat_Raw);

void BM_FilterRepeat_Covet(benchmark::State& state) {
  covet::Database& db = filled_db();
  int i = 0;
  for (auto _ : state) {
    auto out = Row6::objects(db)
                   .filter("id__gt", (i++ % 1000) * 97)
                   .filter("active", true)
                   .order_by("id")
                   .limit(10)
                   .all();
    if (out.size() != 10) state.SkipWithError("wrong row count");
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_FilterRepeat_Covet);

}  // namespace

int main(int argc, char** argv) {
  return covet_bench::run_and_report(argc, argv,
                                     {{"sqlite.hydrate_100k", "BM_Hydrate_Covet", "BM_Hydrate_Raw"},
                                      {"sqlite.insert_100k", "BM_Insert_Covet", "BM_Insert_Raw"},
                                      {"sqlite.filter_repeat", "BM_FilterRepeat_Covet", "BM_FilterRepeat_Raw"}});
}
