// SQLite figures: covet against the raw sqlite3 C API doing the same work in
// the same run (same in-memory database setup, same structs).
#include <sqlite3.h>

#include <benchmark/benchmark.h>
#include <covet/covet.hpp>

#include <chrono>
#include <memory>
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
    for (Row6 r : input_rows()) r.save(tx);
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

// Each figure has one function per side doing the work once, and returning
// what must not be optimised away. The _Raw and _Covet benchmarks time each
// side alone for the table; the _Pair benchmark alternates them within every
// iteration (order swapped each time) and reports covet/raw as its "ratio"
// counter, so drift on a shared machine hits both sides alike.

// ---- hydrate 100k rows into structs ----
size_t hydrate_raw() {
  sqlite3* db = filled_raw();
  sqlite3_stmt* st;
  check(sqlite3_prepare_v2(db, "SELECT id, name, email, score, active, views FROM row6", -1, &st, nullptr), db);
  std::vector<Row6> out;
  while (sqlite3_step(st) == SQLITE_ROW) read_row(st, out.emplace_back());
  sqlite3_finalize(st);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

size_t hydrate_covet() {
  std::vector<Row6> out = Row6::objects(filled_db()).all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

// ---- insert 100k rows in one transaction ----
struct RawInsert {
  sqlite3* db = nullptr;
  std::vector<Row6> rows = input_rows();
  RawInsert() {
    sqlite3_open(":memory:", &db);
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
    sqlite3_exec(db,
                 "CREATE TABLE row6 (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name text NOT NULL, email text NOT NULL,"
                 " score real NOT NULL, active bool NOT NULL CHECK (active IN (0, 1)), views bigint NOT NULL)",
                 nullptr, nullptr, nullptr);
  }
  ~RawInsert() { sqlite3_close(db); }
  size_t run() {
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
    return static_cast<size_t>(rows.back().id);
  }
};

struct CovetInsert {
  covet::Database db{"sqlite://:memory:"};
  std::vector<Row6> rows = input_rows();
  CovetInsert() { db.create_all<Row6>(); }
  size_t run() {
    auto tx = db.transaction();
    for (Row6& r : rows) r.save(tx);
    tx.commit();
    return static_cast<size_t>(rows.back().id);
  }
};

// ---- a repeated filtered query: compile + execute + hydrate 10 rows ----
// The range on the key keeps SQLite's own work small, so covet's overhead shows.
size_t filter_raw(int i) {
  static sqlite3_stmt* st = [] {
    sqlite3_stmt* s;
    check(sqlite3_prepare_v2(filled_raw(),
                             "SELECT id, name, email, score, active, views FROM row6 WHERE id > ? AND active = ? "
                             "ORDER BY id LIMIT ?",
                             -1, &s, nullptr),
          filled_raw());
    return s;
  }();
  sqlite3_bind_int64(st, 1, (i % 1000) * 97);
  sqlite3_bind_int(st, 2, 1);
  sqlite3_bind_int64(st, 3, 10);
  std::vector<Row6> out;
  while (sqlite3_step(st) == SQLITE_ROW) read_row(st, out.emplace_back());
  sqlite3_reset(st);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

size_t filter_covet(int i) {
  auto out = Row6::objects(filled_db()).filter("id__gt", (i % 1000) * 97).filter("active", true).order_by("id").limit(10).all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

// ---- the benchmarks ----
using Clock = std::chrono::steady_clock;

template <class F>
double seconds(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void expect(benchmark::State& state, size_t got, size_t want) {
  if (got != want) state.SkipWithError("wrong result size");
}

// Times `raw()` and `covet()` alternately (order swapped every iteration),
// after `setup()` (untimed), and reports covet/raw as the "ratio" counter.
template <class Setup, class Raw, class Covet>
void paired(benchmark::State& state, Setup setup, Raw raw, Covet covet) {
  double raw_s = 0, covet_s = 0;
  bool flip = false;
  for (auto _ : state) {
    setup();
    double r, c;
    if ((flip = !flip)) r = seconds(raw), c = seconds(covet);
    else c = seconds(covet), r = seconds(raw);
    raw_s += r, covet_s += c;
    state.SetIterationTime(r + c);
  }
  state.counters["ratio"] = covet_s / raw_s;
}
void nothing() {}

void BM_Hydrate_Raw(benchmark::State& state) {
  for (auto _ : state) expect(state, hydrate_raw(), kRows);
}
void BM_Hydrate_Covet(benchmark::State& state) {
  for (auto _ : state) expect(state, hydrate_covet(), kRows);
}
void BM_Hydrate_Pair(benchmark::State& state) {
  paired(state, nothing, [&] { expect(state, hydrate_raw(), kRows); }, [&] { expect(state, hydrate_covet(), kRows); });
}
BENCHMARK(BM_Hydrate_Raw)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Hydrate_Covet)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Hydrate_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

// Each insert run gets a fresh database and a fresh copy of the rows, made untimed.
template <class Inserter>
void BM_Insert(benchmark::State& state) {
  std::unique_ptr<Inserter> w;
  for (auto _ : state) {
    state.PauseTiming();
    w = std::make_unique<Inserter>();
    state.ResumeTiming();
    expect(state, w->run(), kRows);
    state.PauseTiming();
    w.reset();
    state.ResumeTiming();
  }
}
void BM_Insert_Pair(benchmark::State& state) {
  std::unique_ptr<RawInsert> rw;
  std::unique_ptr<CovetInsert> cw;
  paired(
      state,
      [&] {
        rw = std::make_unique<RawInsert>();
        cw = std::make_unique<CovetInsert>();
      },
      [&] { expect(state, rw->run(), kRows); }, [&] { expect(state, cw->run(), kRows); });
}
BENCHMARK_TEMPLATE(BM_Insert, RawInsert)->Name("BM_Insert_Raw")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Insert, CovetInsert)->Name("BM_Insert_Covet")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Insert_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

void BM_FilterRepeat_Raw(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) expect(state, filter_raw(i++), 10);
}
void BM_FilterRepeat_Covet(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) expect(state, filter_covet(i++), 10);
}
// 200 queries per side per iteration: long enough to time, short enough to alternate often.
void BM_FilterRepeat_Pair(benchmark::State& state) {
  int i = 0;
  paired(
      state, [&] { i += 200; },
      [&] {
        for (int k = 0; k < 200; ++k) expect(state, filter_raw(i + k), 10);
      },
      [&] {
        for (int k = 0; k < 200; ++k) expect(state, filter_covet(i + k), 10);
      });
}
BENCHMARK(BM_FilterRepeat_Raw);
BENCHMARK(BM_FilterRepeat_Covet);
BENCHMARK(BM_FilterRepeat_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

}  // namespace

int main(int argc, char** argv) {
  return covet_bench::run_and_report(argc, argv,
                                     {{"sqlite.hydrate_100k", "BM_Hydrate_Covet", "BM_Hydrate_Raw", "BM_Hydrate_Pair"},
                                      {"sqlite.insert_100k", "BM_Insert_Covet", "BM_Insert_Raw", "BM_Insert_Pair"},
                                      {"sqlite.filter_repeat", "BM_FilterRepeat_Covet", "BM_FilterRepeat_Raw",
                                       "BM_FilterRepeat_Pair"}});
}
