// SQLite figures: covet against the raw sqlite3 C API doing the same work in
// the same run (same in-memory database setup, same structs), plus the
// connection pool's own cost and the heap allocations of a repeated query.
#include <sqlite3.h>

#include <benchmark/benchmark.h>
#include <covet/covet.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <new>
#include <optional>
#include <stdexcept>
#include <thread>

#include "common.hpp"
#include "report.hpp"

// ---- a counting allocator: every operator new in the process is counted ----
namespace {
std::atomic<uint64_t> g_allocations{0};
}
void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
// Over-aligned types (ModelInfo is aligned to a cache line).
void* operator new(std::size_t n, std::align_val_t a) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto align = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(align, (n + align - 1) / align * align)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {
using namespace covet_bench;

void check(int rc, sqlite3* db) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) throw std::runtime_error(sqlite3_errmsg(db));
}

// A covet database with the table filled (100k rows), shared by the read benchmarks.
covet::Database& filled_db(bool long_strings = false) {
  static covet::Database dbs[2] = {covet::Database("sqlite://:memory:"), covet::Database("sqlite://:memory:")};
  static bool filled[2] = {false, false};
  covet::Database& d = dbs[long_strings];
  if (!filled[long_strings]) {
    d.create_all<Row6>();
    auto tx = d.transaction();
    for (Row6 r : input_rows(long_strings)) r.save(tx);
    tx.commit();
    filled[long_strings] = true;
  }
  return d;
}

// The reference opens its connections as covet does (and as a careful C
// programmer with one connection per thread would): without SQLite's
// per-call mutex, which the default "serialized" mode takes on every
// sqlite3_column_* call.
sqlite3* open_raw() {
  sqlite3* d = nullptr;
  sqlite3_open_v2(":memory:", &d, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  return d;
}

constexpr const char* kCreateRaw =
    "CREATE TABLE row6 (id integer NOT NULL PRIMARY KEY AUTOINCREMENT, name text NOT NULL, email text NOT NULL,"
    " age integer NOT NULL, score real NOT NULL, is_active bool NOT NULL CHECK (is_active IN (0, 1)))";
constexpr const char* kInsertRaw = "INSERT INTO row6 (name, email, age, score, is_active) VALUES (?, ?, ?, ?, ?)";

void bind_row(sqlite3_stmt* st, const Row6& r) {
  sqlite3_bind_text(st, 1, r.name.data(), static_cast<int>(r.name.size()), SQLITE_STATIC);
  sqlite3_bind_text(st, 2, r.email.data(), static_cast<int>(r.email.size()), SQLITE_STATIC);
  sqlite3_bind_int(st, 3, r.age);
  sqlite3_bind_double(st, 4, r.score);
  sqlite3_bind_int(st, 5, r.is_active);
}

// The same data in a raw sqlite3 handle.
sqlite3* filled_raw(bool long_strings = false) {
  static sqlite3* dbs[2] = {nullptr, nullptr};
  sqlite3*& d = dbs[long_strings];
  if (!d) {
    d = open_raw();
    sqlite3_exec(d, kCreateRaw, nullptr, nullptr, nullptr);
    sqlite3_exec(d, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* st;
    sqlite3_prepare_v2(d, kInsertRaw, -1, &st, nullptr);
    for (const Row6& r : input_rows(long_strings)) {
      bind_row(st, r);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(d, "COMMIT", nullptr, nullptr, nullptr);
  }
  return d;
}

// What a hand-written raw loop does for one row.
inline void read_row(sqlite3_stmt* st, Row6& r) {
  r.id = sqlite3_column_int64(st, 0);
  r.name.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), static_cast<size_t>(sqlite3_column_bytes(st, 1)));
  r.email.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 2)), static_cast<size_t>(sqlite3_column_bytes(st, 2)));
  r.age = sqlite3_column_int(st, 3);
  r.score = sqlite3_column_double(st, 4);
  r.is_active = sqlite3_column_int(st, 5) != 0;
}
constexpr const char* kSelectRaw = "SELECT id, name, email, age, score, is_active FROM row6";

// Each figure has one function per side doing the work once, and returning
// what must not be optimised away. The _Raw and _Covet benchmarks time each
// side alone for the table; the _Pair benchmark alternates them within every
// iteration (order swapped each time) and reports covet/raw as its "ratio"
// counter, so drift on a shared machine hits both sides alike.

// ---- hydrate 100k rows into structs ----
[[gnu::noinline]] size_t hydrate_raw(bool long_strings) {
  sqlite3* db = filled_raw(long_strings);
  sqlite3_stmt* st;
  check(sqlite3_prepare_v2(db, kSelectRaw, -1, &st, nullptr), db);
  std::vector<Row6> out;
  while (sqlite3_step(st) == SQLITE_ROW) read_row(st, out.emplace_back());
  sqlite3_finalize(st);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

[[gnu::noinline]] size_t hydrate_covet(bool long_strings) {
  std::vector<Row6> out = Row6::objects(filled_db(long_strings)).all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

// ---- insert 100k rows in one transaction ----
// Each side's run() is open() (BEGIN, the statement), insert() of the rows
// in turn and close() (COMMIT): BM_Insert_Pair times it in parts.
struct RawInsert {
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  std::vector<Row6> rows = input_rows();
  RawInsert() {
    db = open_raw();
    sqlite3_exec(db, "PRAGMA foreign_keys = ON", nullptr, nullptr, nullptr);
    sqlite3_exec(db, kCreateRaw, nullptr, nullptr, nullptr);
  }
  ~RawInsert() {
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  void open() {
    check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db);
    check(sqlite3_prepare_v2(db, kInsertRaw, -1, &st, nullptr), db);
  }
  [[gnu::noinline]] void insert(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) {
      Row6& r = rows[i];
      bind_row(st, r);
      check(sqlite3_step(st), db);
      r.id = sqlite3_last_insert_rowid(db);
      sqlite3_reset(st);
    }
  }
  size_t close() {
    sqlite3_finalize(st);
    st = nullptr;
    check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
    return static_cast<size_t>(rows.back().id);
  }
  [[gnu::noinline]] size_t run() {
    open();
    insert(0, rows.size());
    return close();
  }
};

struct CovetInsert {
  covet::Database db{"sqlite://:memory:"};
  std::vector<Row6> rows = input_rows();
  std::optional<covet::Transaction> tx;
  CovetInsert() { db.create_all<Row6>(); }
  void open() { tx.emplace(db.transaction()); }
  [[gnu::noinline]] void insert(size_t from, size_t to) {
    for (size_t i = from; i < to; ++i) rows[i].save(*tx);
  }
  size_t close() {
    tx->commit();
    tx.reset();
    return static_cast<size_t>(rows.back().id);
  }
  [[gnu::noinline]] size_t run() {
    open();
    insert(0, rows.size());
    return close();
  }
};

// bulk_create of the same rows, against the same raw one-row INSERT loop.
struct CovetBulk {
  covet::Database db{"sqlite://:memory:"};
  std::vector<Row6> rows = input_rows();
  CovetBulk() { db.create_all<Row6>(); }
  [[gnu::noinline]] size_t run() {
    Row6::objects(db).bulk_create(rows);
    return static_cast<size_t>(rows.back().id);
  }
};

// ---- a repeated filtered query: build + compile + execute + hydrate 10 rows ----
// The range on the key keeps SQLite's own work small, so covet's overhead shows.
size_t filter_raw(int i) {
  static sqlite3_stmt* st = [] {
    sqlite3_stmt* s;
    check(sqlite3_prepare_v2(filled_raw(),
                             "SELECT id, name, email, age, score, is_active FROM row6 WHERE id > ? AND is_active = ? "
                             "ORDER BY id LIMIT ?",
                             -1, &s, nullptr),
          filled_raw());
    return s;
  }();
  sqlite3_bind_int64(st, 1, (i % 1000) * 97);
  sqlite3_bind_int(st, 2, 1);
  sqlite3_bind_int64(st, 3, 10);
  std::vector<Row6> out;
  out.reserve(10);
  while (sqlite3_step(st) == SQLITE_ROW) read_row(st, out.emplace_back());
  sqlite3_reset(st);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

size_t filter_covet(int i) {
  auto out =
      Row6::objects(filled_db()).filter("id__gt", (i % 1000) * 97).filter("is_active", true).order_by("id").limit(10).all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

// ---- relations: select_related over 10k posts, prefetch against N+1 ----
covet::Database& rel_db() {
  static covet::Database db = [] {
    covet::Database d("sqlite://:memory:");
    fill_relations(d);
    return d;
  }();
  return db;
}
// The raw JOIN on covet's own connection's database file is not reachable
// (a :memory: database is private to its connection), so the reference
// reads its own copy of the same rows.
sqlite3* rel_raw() {
  static sqlite3* d = [] {
    sqlite3* r = open_raw();
    sqlite3_exec(r,
                 "CREATE TABLE bench_users (id integer PRIMARY KEY, name text NOT NULL, email text NOT NULL);"
                 "CREATE TABLE bench_posts (id integer PRIMARY KEY, title text NOT NULL, views integer NOT NULL,"
                 " author_id bigint NOT NULL REFERENCES bench_users (id));",
                 nullptr, nullptr, nullptr);
    sqlite3_exec(r, "BEGIN", nullptr, nullptr, nullptr);
    sqlite3_stmt* st;
    sqlite3_prepare_v2(r, "INSERT INTO bench_users (id, name, email) VALUES (?, ?, ?)", -1, &st, nullptr);
    for (const BUser& u : BUser::objects(rel_db()).order_by("id").all()) {
      sqlite3_bind_int64(st, 1, u.id);
      sqlite3_bind_text(st, 2, u.name.data(), static_cast<int>(u.name.size()), SQLITE_TRANSIENT);
      sqlite3_bind_text(st, 3, u.email.data(), static_cast<int>(u.email.size()), SQLITE_TRANSIENT);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_prepare_v2(r, "INSERT INTO bench_posts (id, title, views, author_id) VALUES (?, ?, ?, ?)", -1, &st, nullptr);
    for (const BPost& p : BPost::objects(rel_db()).order_by("id").all()) {
      sqlite3_bind_int64(st, 1, p.id);
      sqlite3_bind_text(st, 2, p.title.data(), static_cast<int>(p.title.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int(st, 3, p.views);
      sqlite3_bind_int64(st, 4, p.author.id);
      sqlite3_step(st);
      sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_exec(r, "COMMIT", nullptr, nullptr, nullptr);
    return r;
  }();
  return d;
}

// The JOIN a C programmer writes, read into the same structs (the author
// object made as the ForeignKey holds it).
[[gnu::noinline]] size_t select_related_raw() {
  sqlite3* db = rel_raw();
  static sqlite3_stmt* st = [db] {
    sqlite3_stmt* s;
    check(sqlite3_prepare_v2(db,
                             "SELECT p.id, p.title, p.views, p.author_id, u.id, u.name, u.email FROM bench_posts p "
                             "INNER JOIN bench_users u ON p.author_id = u.id WHERE p.id <= ?",
                             -1, &s, nullptr),
          db);
    return s;
  }();
  sqlite3_bind_int64(st, 1, rel_posts_last_key);
  std::vector<BPost> out;
  while (sqlite3_step(st) == SQLITE_ROW) {
    BPost& p = out.emplace_back();
    p.id = sqlite3_column_int64(st, 0);
    p.title.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)), static_cast<size_t>(sqlite3_column_bytes(st, 1)));
    p.views = sqlite3_column_int(st, 2);
    p.author.id = sqlite3_column_int64(st, 3);
    BUser* u = p.author.emplace_loaded();
    u->id = sqlite3_column_int64(st, 4);
    u->name.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 5)), static_cast<size_t>(sqlite3_column_bytes(st, 5)));
    u->email.assign(reinterpret_cast<const char*>(sqlite3_column_text(st, 6)), static_cast<size_t>(sqlite3_column_bytes(st, 6)));
  }
  sqlite3_reset(st);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}
[[gnu::noinline]] size_t select_related_covet() {
  auto out = BPost::objects(rel_db()).filter("id__lte", rel_posts_last_key).select_related("author").all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

// Every user with their posts: one prefetch (2 queries) against the N+1
// loop (a query per user), both through covet.
[[gnu::noinline]] size_t prefetch_covet() {
  auto users = BUser::objects(rel_db()).prefetch_related("posts").all();
  size_t n = 0;
  for (const BUser& u : users) n += u.posts.size();
  return n;
}
[[gnu::noinline]] size_t n_plus_1_covet() {
  auto users = BUser::objects(rel_db()).all();
  size_t n = 0;
  for (BUser& u : users) {
    u.fetch(rel_db(), "posts");
    n += u.posts.size();
  }
  return n;
}

void BM_SelectRelated_Raw(benchmark::State& state) {
  for (auto _ : state) expect(state, select_related_raw(), kRelPosts);
}
void BM_SelectRelated_Covet(benchmark::State& state) {
  for (auto _ : state) expect(state, select_related_covet(), kRelPosts);
}
void BM_SelectRelated_Pair(benchmark::State& state) {
  rel_raw();
  paired(state, nothing, [&] { expect(state, select_related_raw(), kRelPosts); },
         [&] { expect(state, select_related_covet(), kRelPosts); });
}
BENCHMARK(BM_SelectRelated_Raw)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SelectRelated_Covet)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_SelectRelated_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

constexpr size_t kAllPosts = static_cast<size_t>(kRelUsers) * kPostsPerUser;
void BM_Prefetch_Covet(benchmark::State& state) {
  for (auto _ : state) expect(state, prefetch_covet(), kAllPosts);
}
void BM_NPlus1_Covet(benchmark::State& state) {
  for (auto _ : state) expect(state, n_plus_1_covet(), kAllPosts);
}
void BM_Prefetch_Pair(benchmark::State& state) {
  rel_db();
  paired(state, nothing, [&] { expect(state, n_plus_1_covet(), kAllPosts); },
         [&] { expect(state, prefetch_covet(), kAllPosts); });
}
BENCHMARK(BM_Prefetch_Covet)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NPlus1_Covet)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Prefetch_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

template <bool Long>
void BM_Hydrate_Raw(benchmark::State& state) {
  for (auto _ : state) expect(state, hydrate_raw(Long), kRows);
}
template <bool Long>
void BM_Hydrate_Covet(benchmark::State& state) {
  for (auto _ : state) expect(state, hydrate_covet(Long), kRows);
}
template <bool Long>
void BM_Hydrate_Pair(benchmark::State& state) {
  filled_db(Long), filled_raw(Long);
  paired(state, nothing, [&] { expect(state, hydrate_raw(Long), kRows); },
         [&] { expect(state, hydrate_covet(Long), kRows); });
}
BENCHMARK_TEMPLATE(BM_Hydrate_Raw, false)->Name("BM_Hydrate_Raw")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Hydrate_Covet, false)->Name("BM_Hydrate_Covet")->Unit(benchmark::kMillisecond);
// 8 pairs a repetition: one 100k-row query cannot be cut into parts, and
// with the two pairs that fit in 0.2 s, one pair straddling a change of the
// machine's speed moved a repetition's median by several points.
BENCHMARK_TEMPLATE(BM_Hydrate_Pair, false)->Name("BM_Hydrate_Pair")->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(8);
BENCHMARK_TEMPLATE(BM_Hydrate_Raw, true)->Name("BM_HydrateLong_Raw")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Hydrate_Covet, true)->Name("BM_HydrateLong_Covet")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Hydrate_Pair, true)->Name("BM_HydrateLong_Pair")->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(8);

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
// Fresh databases each iteration, built in turns: which is allocated first
// changes where its pages land, worth a few percent either way.
template <class Covet>
void build_in_turns(std::unique_ptr<RawInsert>& rw, std::unique_ptr<Covet>& cw, bool& covet_first) {
  rw.reset();
  cw.reset();
  if ((covet_first = !covet_first)) cw = std::make_unique<Covet>(), rw = std::make_unique<RawInsert>();
  else rw = std::make_unique<RawInsert>(), cw = std::make_unique<Covet>();
}
// save() of 100k rows in one transaction, timed in 10 parts of 10k rows
// (the first part opens the transaction, the last commits it): 80 pairs a
// repetition, each short enough that the machine seldom changes speed
// within it (see paired_parts).
void BM_Insert_Pair(benchmark::State& state) {
  constexpr size_t kParts = 10, kEach = kRows / kParts;
  std::unique_ptr<RawInsert> rw;
  std::unique_ptr<CovetInsert> cw;
  bool covet_first = false;
  auto part = [&](auto& w, size_t k) {
    if (k == 0) w->open();
    w->insert(k * kEach, (k + 1) * kEach);
    if (k + 1 == kParts) expect(state, w->close(), kRows);
  };
  paired_parts(
      state, kParts, [&] { build_in_turns(rw, cw, covet_first); }, [&](size_t k) { part(rw, k); },
      [&](size_t k) { part(cw, k); });
}
// bulk_create of 100k rows is one call, so one pair per iteration.
void BM_BulkCreate_Pair(benchmark::State& state) {
  std::unique_ptr<RawInsert> rw;
  std::unique_ptr<CovetBulk> cw;
  bool covet_first = false;
  paired(
      state, [&] { build_in_turns(rw, cw, covet_first); }, [&] { expect(state, rw->run(), kRows); },
      [&] { expect(state, cw->run(), kRows); });
}
BENCHMARK_TEMPLATE(BM_Insert, RawInsert)->Name("BM_Insert_Raw")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Insert, CovetInsert)->Name("BM_Insert_Covet")->Unit(benchmark::kMillisecond);
// An even number of iterations, so each order of building counts alike.
BENCHMARK(BM_Insert_Pair)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(8);
BENCHMARK_TEMPLATE(BM_Insert, CovetBulk)->Name("BM_BulkCreate_Covet")->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BulkCreate_Pair)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(4);

// Heap allocations per query, counted by the replaced operator new.
template <class F>
void BM_FilterRepeat(benchmark::State& state, F query) {
  int i = 0;
  uint64_t allocs = 0, queries = 0;
  for (auto _ : state) {
    uint64_t before = g_allocations.load(std::memory_order_relaxed);
    expect(state, query(i++), 10);
    allocs += g_allocations.load(std::memory_order_relaxed) - before;
    ++queries;
  }
  state.counters["allocs"] = static_cast<double>(allocs) / static_cast<double>(queries);
}
void BM_FilterRepeat_Raw(benchmark::State& state) { BM_FilterRepeat(state, filter_raw); }
void BM_FilterRepeat_Covet(benchmark::State& state) { BM_FilterRepeat(state, filter_covet); }
// 200 queries per side per iteration: long enough to time, short enough to alternate often.
void BM_FilterRepeat_Pair(benchmark::State& state) {
  // Filled and prepared before the timing: a first iteration holding that
  // work would set the iteration count (and so every repetition) to one pair.
  filter_raw(0), filter_covet(0);
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

// ---- the pool: checkout + return of a connection ----
// Uncontended: one thread, the operation every ORM call starts with.
void BM_PoolCheckout(benchmark::State& state) {
  static covet::Database db("sqlite://:memory:");
  covet::Executor ex(db);
  for (auto _ : state) {
    covet::Lease lease = ex.lease();
    benchmark::DoNotOptimize(&lease.connection());
  }
}
BENCHMARK(BM_PoolCheckout);

// Contended: 4 threads sharing 2 connections of one file database
// (contended_checkouts in bench/common.hpp).
void BM_PoolCheckoutContended(benchmark::State& state) {
  static covet::Database db = [] {
    std::string path = "/tmp/covet_bench_pool.db";
    std::remove(path.c_str());
    return covet::Database("sqlite:///" + path, {.pool_size = 2, .max_overflow = 0, .pool_timeout = std::chrono::seconds(30)});
  }();
  contended_checkouts(state, db);
}
BENCHMARK(BM_PoolCheckoutContended)->UseManualTime()->Iterations(3);

}  // namespace

int main(int argc, char** argv) {
  return covet_bench::run_and_report(
      argc, argv,
      {{"sqlite.hydrate_100k", "BM_Hydrate_Covet", "BM_Hydrate_Raw", "BM_Hydrate_Pair"},
       {"sqlite.hydrate_100k_long", "BM_HydrateLong_Covet", "BM_HydrateLong_Raw", "BM_HydrateLong_Pair"},
       {"sqlite.insert_100k", "BM_Insert_Covet", "BM_Insert_Raw", "BM_Insert_Pair"},
       {"sqlite.filter_repeat", "BM_FilterRepeat_Covet", "BM_FilterRepeat_Raw", "BM_FilterRepeat_Pair"},
       // bulk_create against the same raw one-row INSERT loop as insert_100k.
       {"sqlite.bulk_create_100k", "BM_BulkCreate_Covet", "BM_Insert_Raw", "BM_BulkCreate_Pair"},
       // 10k posts with their authors: select_related against a raw JOIN loop into the same structs.
       {"sqlite.select_related_10k", "BM_SelectRelated_Covet", "BM_SelectRelated_Raw", "BM_SelectRelated_Pair"},
       // 10k users' posts: prefetch_related against the N+1 loop (covet both sides).
       {"sqlite.prefetch_vs_n_plus_1", "BM_Prefetch_Covet", "BM_NPlus1_Covet", "BM_Prefetch_Pair"},
       // PostgreSQL (bench/postgres_bench.cpp), against raw libpq with binary results.
       {"postgres.hydrate_100k", "BM_PgHydrate_Covet", "BM_PgHydrate_Raw", "BM_PgHydrate_Pair"},
       {"postgres.insert_100k_save", "BM_PgInsert_Covet", "BM_PgInsert_Raw", "BM_PgInsert_Pair"},
       {"postgres.filter_repeat", "BM_PgFilter_Covet", "BM_PgFilter_Raw", "BM_PgFilter_Pair"},
       // bulk_create (multi-row INSERT ... RETURNING) against raw binary COPY.
       {"postgres.bulk_create_100k", "BM_PgBulk_Covet", "BM_PgBulk_Raw", "BM_PgBulk_Pair"},
       {"postgres.select_related_10k", "BM_PgSelectRelated_Covet", "BM_PgSelectRelated_Raw", "BM_PgSelectRelated_Pair"},
       {"postgres.prefetch_vs_n_plus_1", "BM_PgPrefetch_Covet", "BM_PgNPlus1_Covet", "BM_PgPrefetch_Pair"},
       // Serialization (bench/serial_bench.cpp): 1,000 seed users to byte-identical JSON.
       {"serial.json_write_vs_rapidjson", "BM_Json_Covet", "BM_Json_RapidJson", "BM_Json_Pair"},
       {"serial.json_write_vs_nlohmann", "BM_Json_Covet", "BM_Json_Nlohmann", "BM_JsonNlohmann_Pair"},
       // SELECT 1,000 users and write them as JSON, against a raw sqlite3 loop writing the same JSON.
       {"e2e.select_1000_to_json_vs_raw", "BM_E2E_Covet", "BM_E2E_Raw", "BM_E2E_Pair"},
       {"serial.msgpack_write_vs_json_write", "BM_Msgpack_Covet", "BM_Json_Covet", "BM_Msgpack_Pair"},
       // Parse + validate + build 1,000 users against simdjson On-Demand's bare walk of the same bytes.
       {"serial.json_read_validate_vs_simdjson_parse", "BM_JsonRead_Covet", "BM_JsonRead_Simdjson", "BM_JsonRead_Pair"},
       // The same users as MessagePack, read the same way, against covet's JSON read.
       {"serial.msgpack_read_vs_json_read", "BM_MsgpackRead_Covet", "BM_JsonRead_Covet", "BM_MsgpackRead_Pair"},
       // For the record: that read (checked, converted, validated) against msgpack-cxx's bare unpack() to a tree.
       {"serial.msgpack_read_vs_msgpack_cxx_unpack", "BM_MsgpackRead_Covet", "BM_MsgpackRead_MsgpackCxx",
        "BM_MsgpackReadCxx_Pair"}},
      {{"alloc", "sqlite.filter_repeat", "BM_FilterRepeat_Covet", "allocs"},
       {"alloc", "sqlite.filter_repeat_raw", "BM_FilterRepeat_Raw", "allocs"},
       {"ns", "pool.checkout_ns", "BM_PoolCheckout", ""},
       {"ns", "pool.checkout_contended_ns", "BM_PoolCheckoutContended", ""},
       {"ns", "postgres.pool.checkout_ns", "BM_PgPoolCheckout", ""},
       {"ns", "postgres.pool.checkout_contended_ns", "BM_PgPoolCheckoutContended", ""},
       {"serial", "json_1000_users_us", "BM_Json_Pair", "covet_us"}});
}
