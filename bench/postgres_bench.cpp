// PostgreSQL figures: covet against raw libpq doing the same work in the
// same run, on the server scripts/services starts (bench/run starts it).
// The reference is what a careful C programmer writes: one prepared
// statement, binary parameters and binary results decoded straight into
// the same structs.
#include <libpq-fe.h>

#include <benchmark/benchmark.h>
#include <covet/covet.hpp>

#include <bit>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>

#include "common.hpp"

namespace {
using namespace covet_bench;

// The server's URL: COVET_TEST_POSTGRES_URL, or build/services.env.
std::string pg_url() {
  if (const char* v = std::getenv("COVET_TEST_POSTGRES_URL"); v && *v) return v;
  std::ifstream in(COVET_SERVICES_ENV);
  std::string line, key = "COVET_TEST_POSTGRES_URL=";
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) return line.substr(key.size());
  throw std::runtime_error("no PostgreSQL server: run scripts/services start (make bench does)");
}
constexpr const char* kSchema = "covet_bench";
constexpr const char* kInsertSchema = "covet_bench_insert";
covet::Database& insert_db() {
  static covet::Database db(pg_url() + "?search_path=" + kInsertSchema);
  return db;
}

// One round trip per inserted row (about 40 us on loopback): 100k rows are
// about 4 s a side, one paired iteration per repetition.
constexpr int kInsertRows = 100'000;

PGconn* raw_conn() {
  static PGconn* c = [] {
    // libpq takes the same URL (it knows postgresql://), plus the schema.
    std::string conninfo = pg_url() + "?options=-csearch_path%3D" + kSchema;
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn) != CONNECTION_OK) throw std::runtime_error(PQerrorMessage(conn));
    return conn;
  }();
  return c;
}
void ok(PGresult* r) {
  ExecStatusType s = PQresultStatus(r);
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r);
    PQclear(r);
    throw std::runtime_error(msg);
  }
  PQclear(r);
}
void exec(const char* sql) { ok(PQexec(raw_conn(), sql)); }

// covet's database, in its own schema, with the table filled (100k rows).
covet::Database& pg_db() {
  static covet::Database db = [] {
    covet::Database(pg_url()).execute(std::string("DROP SCHEMA IF EXISTS ") + kSchema + " CASCADE");
    covet::Database(pg_url()).execute(std::string("DROP SCHEMA IF EXISTS ") + kInsertSchema + " CASCADE");
    covet::Database(pg_url()).execute(std::string("CREATE SCHEMA ") + kSchema);
    covet::Database d(pg_url() + "?search_path=" + kSchema);
    d.create_all<Row6>();
    auto tx = d.transaction();
    for (Row6 r : input_rows()) r.save(tx);
    tx.commit();
    fill_relations(d);
    d.execute("VACUUM ANALYZE row6");
    d.execute("VACUUM ANALYZE bench_users");
    d.execute("VACUUM ANALYZE bench_posts");
    // The insert benchmarks' own tables, the same shape.
    d.execute("CREATE TABLE row6_raw_insert (LIKE row6 INCLUDING ALL)");
    // covet's insert target: the same model in a schema of its own.
    covet::Database(pg_url()).execute(std::string("CREATE SCHEMA ") + kInsertSchema);
    insert_db().create_all<Row6>();
    return d;
  }();
  return db;
}


template <class T>
T be(const char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  if constexpr (sizeof(T) == 8) return static_cast<T>(__builtin_bswap64(static_cast<uint64_t>(v)));
  else if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(static_cast<uint32_t>(v)));
  else return v;
}
void read_row(const PGresult* r, int i, Row6& x) {
  x.id = be<int64_t>(PQgetvalue(r, i, 0));
  x.name.assign(PQgetvalue(r, i, 1), static_cast<std::size_t>(PQgetlength(r, i, 1)));
  x.email.assign(PQgetvalue(r, i, 2), static_cast<std::size_t>(PQgetlength(r, i, 2)));
  x.age = be<int32_t>(PQgetvalue(r, i, 3));
  x.score = std::bit_cast<double>(be<uint64_t>(PQgetvalue(r, i, 4)));
  x.is_active = *PQgetvalue(r, i, 5) != 0;
}
void prepare(const char* name, const char* sql) { ok(PQprepare(raw_conn(), name, sql, 0, nullptr)); }
void prepared_once() {
  static bool once = [] {
    pg_db();
    prepare("hydrate", "SELECT id, name, email, age, score, is_active FROM row6");
    prepare("filter",
            "SELECT id, name, email, age, score, is_active FROM row6 WHERE id > $1 AND is_active = $2 ORDER BY id LIMIT $3");
    prepare("select_related",
            "SELECT p.id, p.title, p.views, p.author_id, u.id, u.name, u.email FROM bench_posts p "
            "INNER JOIN bench_users u ON p.author_id = u.id WHERE p.id <= $1");
    prepare("insert",
            "INSERT INTO row6_raw_insert (name, email, age, score, is_active) VALUES ($1, $2, $3, $4, $5) RETURNING id");
    return true;
  }();
  (void)once;
}

// ---- hydrate 100k rows ----
[[gnu::noinline]] size_t pg_hydrate_raw() {
  prepared_once();
  PGresult* r = PQexecPrepared(raw_conn(), "hydrate", 0, nullptr, nullptr, nullptr, 1);
  int n = PQntuples(r);
  std::vector<Row6> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) read_row(r, i, out.emplace_back());
  PQclear(r);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}
[[gnu::noinline]] size_t pg_hydrate_covet() {
  prepared_once();
  std::vector<Row6> out = Row6::objects(pg_db()).all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

// ---- 10k posts with their authors: select_related against the raw JOIN ----
[[gnu::noinline]] size_t pg_select_related_raw() {
  prepared_once();
  char limit[8];
  uint64_t b = __builtin_bswap64(static_cast<uint64_t>(rel_posts_last_key));
  std::memcpy(limit, &b, 8);
  const char* values[1] = {limit};
  int lengths[1] = {8}, formats[1] = {1};
  PGresult* r = PQexecPrepared(raw_conn(), "select_related", 1, values, lengths, formats, 1);
  int n = PQntuples(r);
  std::vector<BPost> out;
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    BPost& p = out.emplace_back();
    p.id = be<int64_t>(PQgetvalue(r, i, 0));
    p.title.assign(PQgetvalue(r, i, 1), static_cast<std::size_t>(PQgetlength(r, i, 1)));
    p.views = be<int32_t>(PQgetvalue(r, i, 2));
    p.author.id = be<int64_t>(PQgetvalue(r, i, 3));
    BUser* u = p.author.emplace_loaded();
    u->id = be<int64_t>(PQgetvalue(r, i, 4));
    u->name.assign(PQgetvalue(r, i, 5), static_cast<std::size_t>(PQgetlength(r, i, 5)));
    u->email.assign(PQgetvalue(r, i, 6), static_cast<std::size_t>(PQgetlength(r, i, 6)));
  }
  PQclear(r);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}
[[gnu::noinline]] size_t pg_select_related_covet() {
  prepared_once();
  auto out = BPost::objects(pg_db()).filter("id__lte", rel_posts_last_key).select_related("author").all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}
void BM_PgSelectRelated_Raw(benchmark::State& state) {
  for (auto _ : state) expect(state, pg_select_related_raw(), kRelPosts);
}
void BM_PgSelectRelated_Covet(benchmark::State& state) {
  for (auto _ : state) expect(state, pg_select_related_covet(), kRelPosts);
}
void BM_PgSelectRelated_Pair(benchmark::State& state) {
  prepared_once();
  paired(state, nothing, [&] { expect(state, pg_select_related_raw(), kRelPosts); },
         [&] { expect(state, pg_select_related_covet(), kRelPosts); });
}
BENCHMARK(BM_PgSelectRelated_Raw)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PgSelectRelated_Covet)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PgSelectRelated_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- 10k users' posts: prefetch_related against the N+1 loop (a round trip per user) ----
[[gnu::noinline]] size_t pg_prefetch_covet() {
  auto users = BUser::objects(pg_db()).prefetch_related("posts").all();
  size_t n = 0;
  for (const BUser& u : users) n += u.posts.size();
  return n;
}
[[gnu::noinline]] size_t pg_n_plus_1_covet() {
  auto users = BUser::objects(pg_db()).all();
  size_t n = 0;
  for (BUser& u : users) {
    u.fetch(pg_db(), "posts");
    n += u.posts.size();
  }
  return n;
}
constexpr size_t kAllPosts = static_cast<size_t>(kRelUsers) * kPostsPerUser;
void BM_PgPrefetch_Covet(benchmark::State& state) {
  prepared_once();
  for (auto _ : state) expect(state, pg_prefetch_covet(), kAllPosts);
}
void BM_PgNPlus1_Covet(benchmark::State& state) {
  prepared_once();
  for (auto _ : state) expect(state, pg_n_plus_1_covet(), kAllPosts);
}
void BM_PgPrefetch_Pair(benchmark::State& state) {
  prepared_once();
  paired(state, nothing, [&] { expect(state, pg_n_plus_1_covet(), kAllPosts); },
         [&] { expect(state, pg_prefetch_covet(), kAllPosts); });
}
BENCHMARK(BM_PgPrefetch_Covet)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PgNPlus1_Covet)->Unit(benchmark::kMillisecond)->Iterations(1);
BENCHMARK(BM_PgPrefetch_Pair)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(1);

// ---- a repeated filtered query (10 rows) ----
size_t filter_raw(int i) {
  prepared_once();
  char id[8], active = 1, limit[8];
  int64_t idv = static_cast<int64_t>((i % 1000) * 97), lim = 10;
  uint64_t a = __builtin_bswap64(static_cast<uint64_t>(idv)), b = __builtin_bswap64(static_cast<uint64_t>(lim));
  std::memcpy(id, &a, 8);
  std::memcpy(limit, &b, 8);
  const char* values[3] = {id, &active, limit};
  int lengths[3] = {8, 1, 8}, formats[3] = {1, 1, 1};
  PGresult* r = PQexecPrepared(raw_conn(), "filter", 3, values, lengths, formats, 1);
  int n = PQntuples(r);
  std::vector<Row6> out;
  out.reserve(10);
  for (int k = 0; k < n; ++k) read_row(r, k, out.emplace_back());
  PQclear(r);
  benchmark::DoNotOptimize(out.data());
  return out.size();
}
size_t filter_covet(int i) {
  prepared_once();
  auto out = Row6::objects(pg_db()).filter("id__gt", (i % 1000) * 97).filter("is_active", true).order_by("id").limit(10).all();
  benchmark::DoNotOptimize(out.data());
  return out.size();
}

// ---- save() of 100k rows, one INSERT ... RETURNING each, in one transaction ----
size_t insert_raw(std::vector<Row6>& rows) {
  exec("BEGIN");
  for (Row6& x : rows) {
    char age[4], score[8], active = x.is_active ? 1 : 0;
    uint32_t a = __builtin_bswap32(static_cast<uint32_t>(x.age));
    uint64_t s = __builtin_bswap64(std::bit_cast<uint64_t>(x.score));
    std::memcpy(age, &a, 4);
    std::memcpy(score, &s, 8);
    const char* values[5] = {x.name.c_str(), x.email.c_str(), age, score, &active};
    int lengths[5] = {static_cast<int>(x.name.size()), static_cast<int>(x.email.size()), 4, 8, 1};
    int formats[5] = {1, 1, 1, 1, 1};
    PGresult* r = PQexecPrepared(raw_conn(), "insert", 5, values, lengths, formats, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) ok(r);
    x.id = be<int64_t>(PQgetvalue(r, 0, 0));
    PQclear(r);
  }
  exec("COMMIT");
  return static_cast<size_t>(rows.size());
}
size_t insert_covet(std::vector<Row6>& rows) {
  auto tx = insert_db().transaction();
  for (Row6& x : rows) x.save(tx);
  tx.commit();
  return rows.size();
}
// ---- 100k rows at once: raw binary COPY against covet's bulk_create ----
// The reference a C programmer writes for loading rows fast: one COPY
// row6_raw_insert FROM STDIN in binary, the rows encoded into a buffer sent
// in 64 KB chunks, in one transaction. It gets no keys back.
void put_be(std::string& out, const void* p, std::size_t n) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = n; i > 0; --i) out.push_back(static_cast<char>(b[i - 1]));
}
size_t bulk_raw(std::vector<Row6>& rows) {
  exec("BEGIN");
  PGresult* copy = PQexec(raw_conn(), "COPY row6_raw_insert (name, email, age, score, is_active) FROM STDIN (FORMAT binary)");
  if (PQresultStatus(copy) != PGRES_COPY_IN) ok(copy);
  else PQclear(copy);
  std::string buf("PGCOPY\n\377\r\n\0", 11);
  const int32_t zero = 0;
  put_be(buf, &zero, 4);  // flags
  put_be(buf, &zero, 4);  // header extension
  auto flush = [&](bool last) {
    if (buf.size() < 65536 && !last) return;
    if (PQputCopyData(raw_conn(), buf.data(), static_cast<int>(buf.size())) != 1) throw std::runtime_error("COPY");
    buf.clear();
  };
  for (const Row6& x : rows) {
    const int16_t fields = 5;
    put_be(buf, &fields, 2);
    for (const std::string* t : {&x.name, &x.email}) {
      const auto n = static_cast<int32_t>(t->size());
      put_be(buf, &n, 4);
      buf += *t;
    }
    const int32_t four = 4, eight = 8, one = 1;
    put_be(buf, &four, 4);
    put_be(buf, &x.age, 4);
    put_be(buf, &eight, 4);
    put_be(buf, &x.score, 8);
    put_be(buf, &one, 4);
    buf.push_back(x.is_active ? 1 : 0);
    flush(false);
  }
  const int16_t end = -1;
  put_be(buf, &end, 2);
  flush(true);
  if (PQputCopyEnd(raw_conn(), nullptr) != 1) throw std::runtime_error("COPY end");
  ok(PQgetResult(raw_conn()));
  while (PGresult* r = PQgetResult(raw_conn())) PQclear(r);
  exec("COMMIT");
  return rows.size();
}
size_t bulk_covet(std::vector<Row6>& rows) {
  Row6::objects(insert_db()).bulk_create(rows);
  return rows.size();
}

// The first kInsertRows input rows, keys unset (each side inserts its own copy).
std::vector<Row6> insert_rows() { return {input_rows().begin(), input_rows().begin() + kInsertRows}; }
void empty_insert_tables() {
  prepared_once();
  exec((std::string("TRUNCATE row6_raw_insert, ") + kInsertSchema + ".row6").c_str());
}

// ---- the benchmarks ----
void BM_PgHydrate_Raw(benchmark::State& state) {
  for (auto _ : state) expect(state, pg_hydrate_raw(), kRows);
}
void BM_PgHydrate_Covet(benchmark::State& state) {
  for (auto _ : state) expect(state, pg_hydrate_covet(), kRows);
}
void BM_PgHydrate_Pair(benchmark::State& state) {
  prepared_once();
  paired(state, nothing, [&] { expect(state, pg_hydrate_raw(), kRows); }, [&] { expect(state, pg_hydrate_covet(), kRows); });
}
BENCHMARK(BM_PgHydrate_Raw)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PgHydrate_Covet)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_PgHydrate_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

void BM_PgFilter_Raw(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) expect(state, filter_raw(i++), 10);
}
void BM_PgFilter_Covet(benchmark::State& state) {
  int i = 0;
  for (auto _ : state) expect(state, filter_covet(i++), 10);
}
void BM_PgFilter_Pair(benchmark::State& state) {
  int i = 0;
  paired(
      state, [&] { i += 100; },
      [&] {
        for (int k = 0; k < 100; ++k) expect(state, filter_raw(i + k), 10);
      },
      [&] {
        for (int k = 0; k < 100; ++k) expect(state, filter_covet(i + k), 10);
      });
}
BENCHMARK(BM_PgFilter_Raw)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgFilter_Covet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_PgFilter_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

// Each insert run starts from empty tables and a fresh copy of the rows, made untimed.
template <size_t (*Insert)(std::vector<Row6>&)>
void BM_PgInsertInto(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    empty_insert_tables();
    auto rows = insert_rows();
    state.ResumeTiming();
    expect(state, Insert(rows), kInsertRows);
  }
}
template <size_t (*Raw)(std::vector<Row6>&), size_t (*Covet)(std::vector<Row6>&)>
void BM_PgInsertPair(benchmark::State& state) {
  std::vector<Row6> raw, cov;
  paired(
      state,
      [&] {
        empty_insert_tables();
        raw = insert_rows();
        cov = insert_rows();
      },
      [&] { expect(state, Raw(raw), kInsertRows); }, [&] { expect(state, Covet(cov), kInsertRows); });
}
BENCHMARK_TEMPLATE(BM_PgInsertInto, insert_raw)->Name("BM_PgInsert_Raw")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_PgInsertInto, insert_covet)->Name("BM_PgInsert_Covet")->Unit(benchmark::kMillisecond);
// Two pairs a repetition, so each side runs first once.
BENCHMARK_TEMPLATE(BM_PgInsertPair, insert_raw, insert_covet)
    ->Name("BM_PgInsert_Pair")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(2);
BENCHMARK_TEMPLATE(BM_PgInsertInto, bulk_raw)->Name("BM_PgBulk_Raw")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_PgInsertInto, bulk_covet)->Name("BM_PgBulk_Covet")->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_PgInsertPair, bulk_raw, bulk_covet)
    ->Name("BM_PgBulk_Pair")
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(4);

// The pool's checkout and return on a PostgreSQL database (no round trip:
// pre_ping is off), as pool.checkout_ns measures it on SQLite.
void BM_PgPoolCheckout(benchmark::State& state) {
  prepared_once();
  covet::Executor ex(pg_db());
  for (auto _ : state) {
    covet::Lease lease = ex.lease();
    benchmark::DoNotOptimize(&lease.connection());
  }
}
BENCHMARK(BM_PgPoolCheckout);

// Contended: 4 threads sharing 2 PostgreSQL connections.
void BM_PgPoolCheckoutContended(benchmark::State& state) {
  static covet::Database db(pg_url(), {.pool_size = 2, .max_overflow = 0, .pool_timeout = std::chrono::seconds(30)});
  contended_checkouts(state, db);
}
BENCHMARK(BM_PgPoolCheckoutContended)->UseManualTime()->Iterations(3);

}  // namespace
