// Serialization: 1,000 seed users (id, username, email, created_at,
// is_active) written as JSON by covet's ModelSerializer, by RapidJSON's
// Writer and by nlohmann::ordered_json, byte-identical output checked
// before timing. Each side reuses its buffer between runs, as a server
// writing responses would.
#define MSGPACK_NO_BOOST
#include <msgpack.hpp>

#include <benchmark/benchmark.h>
#include <rapidjson/stringbuffer.h>
#include <simdjson.h>
#include <sqlite3.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common.hpp"
#include "serial_data.hpp"

namespace covet_bench {

const std::vector<SeedUser>& users() {
  static const std::vector<SeedUser> v = [] {
    std::vector<SeedUser> out;
    const int64_t base = covet::DateTime(2024, 1, 15, 9, 30, 0).unix_micros();
    for (int i = 0; i < kUsers; ++i) {
      SeedUser& u = out.emplace_back();
      u.id = i + 1;
      u.username = "user" + std::to_string(100000 + i * 7);         // 10 characters
      u.email = "user" + std::to_string(100000 + i * 7) + "@mail.com";  // 19 characters
      u.created_at = covet::DateTime::from_unix_micros(base + int64_t{i} * 86'399'123'457);  // non-zero micros
      u.is_active = i % 5 != 0;
    }
    return out;
  }();
  return v;
}

}  // namespace covet_bench

namespace {
using namespace covet_bench;

const covet::ModelSerializer<SeedUser>& serializer() {
  static const auto s = covet::ModelSerializer<SeedUser>()
                            .fields({"id", "username", "email", "created_at", "is_active"})
                            .read_only({"id", "created_at"});
  return s;
}

std::size_t write_covet(covet::JsonWriter& w) {
  w.clear();
  serializer().write(w, users());
  return w.size();
}

// Byte-identical output, checked once before anything is timed.
bool same_output() {
  static const bool same = [] {
    covet::JsonWriter w;
    rapidjson::StringBuffer rb;
    std::string nl;
    write_covet(w), write_rapidjson(rb), write_nlohmann(nl);
    return w.view() == std::string_view(rb.GetString(), rb.GetSize()) && w.view() == nl;
  }();
  return same;
}

void BM_Json_Covet(benchmark::State& state) {
  if (!same_output()) return state.SkipWithError("covet's JSON differs from RapidJSON's");
  covet::JsonWriter w;
  for (auto _ : state) benchmark::DoNotOptimize(write_covet(w));
  state.counters["bytes"] = static_cast<double>(w.size());
}
void BM_Json_RapidJson(benchmark::State& state) {
  rapidjson::StringBuffer buf;
  for (auto _ : state) benchmark::DoNotOptimize(write_rapidjson(buf));
}
void BM_Json_Nlohmann(benchmark::State& state) {
  std::string out;
  for (auto _ : state) benchmark::DoNotOptimize(write_nlohmann(out));
}
// Each iteration: 20 documents per side, alternating.
void BM_Json_Pair(benchmark::State& state) {
  if (!same_output()) return state.SkipWithError("covet's JSON differs from RapidJSON's");
  covet::JsonWriter w;
  rapidjson::StringBuffer buf;
  std::vector<double> us;
  paired(
      state, nothing,
      [&] {
        for (int k = 0; k < 20; ++k) benchmark::DoNotOptimize(write_rapidjson(buf));
      },
      [&] {
        auto t0 = Clock::now();
        for (int k = 0; k < 20; ++k) benchmark::DoNotOptimize(write_covet(w));
        us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / 20);
      });
  if (us.empty()) return;
  std::nth_element(us.begin(), us.begin() + static_cast<std::ptrdiff_t>(us.size() / 2), us.end());
  state.counters["covet_us"] = us[us.size() / 2];
}
void BM_JsonNlohmann_Pair(benchmark::State& state) {
  if (!same_output()) return state.SkipWithError("covet's JSON differs from nlohmann's");
  covet::JsonWriter w;
  std::string out;
  paired(
      state, nothing, [&] { benchmark::DoNotOptimize(write_nlohmann(out)); },
      [&] {
        for (int k = 0; k < 4; ++k) benchmark::DoNotOptimize(write_covet(w));
      });
  // covet ran 4 documents to nlohmann's one: the ratio is per document.
  if (auto it = state.counters.find("ratio"); it != state.counters.end()) it->second = it->second.value / 4;
}
// ---- MessagePack: the same users packed, against covet's own JSON ----
std::size_t pack_covet(covet::MsgPackWriter& w) {
  w.clear();
  serializer().write(w, users());
  return w.size();
}
void BM_Msgpack_Covet(benchmark::State& state) {
  covet::MsgPackWriter w;
  for (auto _ : state) benchmark::DoNotOptimize(pack_covet(w));
  state.counters["bytes"] = static_cast<double>(w.size());
}
void BM_Msgpack_Pair(benchmark::State& state) {
  covet::MsgPackWriter mw;
  covet::JsonWriter jw;
  paired(
      state, nothing,
      [&] {
        for (int k = 0; k < 20; ++k) benchmark::DoNotOptimize(write_covet(jw));
      },
      [&] {
        for (int k = 0; k < 20; ++k) benchmark::DoNotOptimize(pack_covet(mw));
      });
}
BENCHMARK(BM_Msgpack_Covet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Msgpack_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- input: the same 1,000 users read back ----
// covet: parse (simdjson DOM), convert and validate every field (types,
// max_length, an email check, RFC 3339 times) into 1,000 SeedUser structs.
// Reference: simdjson On-Demand walking the same bytes, reading every value
// and building nothing.
const covet::ModelSerializer<SeedUser>& input_serializer() {
  static const auto s = covet::ModelSerializer<SeedUser>()
                            .fields({"id", "username", "email", "created_at", "is_active"})
                            .options("id", {.read_only = false})
                            .options("email", {.email = true});
  return s;
}
const simdjson::padded_string& users_json() {
  static const simdjson::padded_string json = [] {
    covet::JsonWriter w;
    serializer().write(w, users());
    return simdjson::padded_string(w.view());
  }();
  return json;
}
std::size_t read_covet() {
  auto v = input_serializer().from_json_list(std::string_view(users_json().data(), users_json().size()));
  benchmark::DoNotOptimize(v.data());
  return v.size();
}
std::size_t read_simdjson(simdjson::ondemand::parser& parser) {
  auto doc = parser.iterate(users_json());
  std::size_t n = 0, sum = 0;
  for (auto item : doc.get_array()) {
    for (auto field : item.get_object()) {
      std::string_view key = field.unescaped_key();
      sum += key.size();
      auto v = field.value();
      switch (v.type()) {
        case simdjson::ondemand::json_type::number: sum += static_cast<std::size_t>(int64_t(v.get_int64())); break;
        case simdjson::ondemand::json_type::string: sum += std::string_view(v.get_string()).size(); break;
        case simdjson::ondemand::json_type::boolean: sum += bool(v.get_bool()); break;
        default: break;
      }
    }
    ++n;
  }
  benchmark::DoNotOptimize(sum);
  return n;
}
bool same_input() {
  static const bool same = [] {
    auto v = input_serializer().from_json_list(std::string_view(users_json().data(), users_json().size()));
    if (v.size() != users().size()) return false;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (serializer().to_json(v[i]) != serializer().to_json(users()[i])) return false;
    return true;
  }();
  return same;
}
void BM_JsonRead_Covet(benchmark::State& state) {
  if (!same_input()) return state.SkipWithError("covet read back different users");
  for (auto _ : state) expect(state, read_covet(), kUsers);
}
void BM_JsonRead_Simdjson(benchmark::State& state) {
  simdjson::ondemand::parser parser;
  for (auto _ : state) expect(state, read_simdjson(parser), kUsers);
}
void BM_JsonRead_Pair(benchmark::State& state) {
  if (!same_input()) return state.SkipWithError("covet read back different users");
  simdjson::ondemand::parser parser;
  paired(
      state, nothing,
      [&] {
        for (int k = 0; k < 10; ++k) expect(state, read_simdjson(parser), kUsers);
      },
      [&] {
        for (int k = 0; k < 10; ++k) expect(state, read_covet(), kUsers);
      });
}
BENCHMARK(BM_JsonRead_Covet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_JsonRead_Simdjson)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_JsonRead_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- MessagePack input: the same users packed, read back the same way ----
// covet: check the whole body, convert and validate every field into
// 1,000 SeedUser structs, against covet's own JSON read of the same data.
// msgpack-cxx's unpack() of the same bytes (a tree built, nothing checked
// or converted) is printed for the record.
const std::string& users_msgpack() {
  static const std::string bytes = [] {
    covet::MsgPackWriter w;
    serializer().write(w, users());
    return w.take();
  }();
  return bytes;
}
std::size_t read_covet_msgpack() {
  auto v = input_serializer().from_msgpack_list(users_msgpack());
  benchmark::DoNotOptimize(v.data());
  return v.size();
}
bool same_msgpack_input() {
  static const bool same = [] {
    auto v = input_serializer().from_msgpack_list(users_msgpack());
    if (v.size() != users().size()) return false;
    for (std::size_t i = 0; i < v.size(); ++i)
      if (serializer().to_json(v[i]) != serializer().to_json(users()[i])) return false;
    return true;
  }();
  return same;
}
std::size_t unpack_msgpack_cxx() {
  msgpack::object_handle h = msgpack::unpack(users_msgpack().data(), users_msgpack().size());
  return h.get().via.array.size;
}
void BM_MsgpackRead_Covet(benchmark::State& state) {
  if (!same_msgpack_input()) return state.SkipWithError("covet read back different users");
  for (auto _ : state) expect(state, read_covet_msgpack(), kUsers);
}
void BM_MsgpackRead_MsgpackCxx(benchmark::State& state) {
  for (auto _ : state) expect(state, unpack_msgpack_cxx(), kUsers);
}
void BM_MsgpackRead_Pair(benchmark::State& state) {
  if (!same_msgpack_input() || !same_input()) return state.SkipWithError("covet read back different users");
  paired(
      state, nothing,
      [&] {
        for (int k = 0; k < 10; ++k) expect(state, read_covet(), kUsers);
      },
      [&] {
        for (int k = 0; k < 10; ++k) expect(state, read_covet_msgpack(), kUsers);
      });
}
void BM_MsgpackReadCxx_Pair(benchmark::State& state) {
  if (!same_msgpack_input()) return state.SkipWithError("covet read back different users");
  paired(
      state, nothing,
      [&] {
        for (int k = 0; k < 10; ++k) expect(state, unpack_msgpack_cxx(), kUsers);
      },
      [&] {
        for (int k = 0; k < 10; ++k) expect(state, read_covet_msgpack(), kUsers);
      });
}
BENCHMARK(BM_MsgpackRead_Covet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MsgpackRead_MsgpackCxx)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MsgpackRead_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();
BENCHMARK(BM_MsgpackReadCxx_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- end to end: SELECT 1,000 users and write them as JSON ----
// Both sides read the same SQLite file. covet: a QuerySet streamed through
// the serializer. Reference: a prepared sqlite3 statement stepped by hand,
// each column written with the same JsonWriter (the stored time text
// turned into RFC 3339 in place).
const char* kE2EPath = "/tmp/covet_bench_e2e.db";
covet::Database& e2e_db() {
  static covet::Database db = [] {
    std::remove(kE2EPath);
    covet::Database d(std::string("sqlite:///") + kE2EPath);
    d.create_all<SeedUser>();
    std::vector<SeedUser> copy = users();
    for (auto& u : copy) u.id = 0;
    SeedUser::objects(d).bulk_create(copy);
    return d;
  }();
  return db;
}
std::size_t e2e_covet(covet::JsonWriter& w) {
  w.clear();
  serializer().write(w, SeedUser::objects(e2e_db()).order_by("id"));
  return w.size();
}
std::size_t e2e_raw(covet::JsonWriter& w) {
  static sqlite3* db = [] {
    e2e_db();
    sqlite3* d = nullptr;
    sqlite3_open_v2(kE2EPath, &d, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    return d;
  }();
  static sqlite3_stmt* st = [] {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, "SELECT id, username, email, created_at, is_active FROM seed_users ORDER BY id", -1, &s, nullptr);
    return s;
  }();
  w.clear();
  w.begin_array();
  auto text = [&](int col) {
    return std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(st, col)),
                            static_cast<std::size_t>(sqlite3_column_bytes(st, col)));
  };
  while (sqlite3_step(st) == SQLITE_ROW) {
    w.begin_object();
    w.key("id");
    w.value(sqlite3_column_int64(st, 0));
    w.key("username");
    w.value(text(1));
    w.key("email");
    w.value(text(2));
    w.key("created_at");
    char t[27];  // "YYYY-MM-DD HH:MM:SS[.ffffff]" stored; "YYYY-MM-DDTHH:MM:SS.ffffffZ" written
    std::string_view stored = text(3);
    std::memcpy(t, stored.data(), stored.size());
    if (stored.size() == 19) std::memcpy(t + 19, ".000000", 7);
    t[10] = 'T', t[26] = 'Z';
    w.value(std::string_view(t, 27));
    w.key("is_active");
    w.value(sqlite3_column_int64(st, 4) != 0);
    w.end_object();
  }
  sqlite3_reset(st);
  w.end_array();
  return w.size();
}
bool same_e2e() {
  static const bool same = [] {
    covet::JsonWriter a, b;
    e2e_covet(a), e2e_raw(b);
    return a.view() == b.view() && a.size() > 100'000;
  }();
  return same;
}
void BM_E2E_Covet(benchmark::State& state) {
  if (!same_e2e()) return state.SkipWithError("covet's JSON differs from the raw loop's");
  covet::JsonWriter w;
  for (auto _ : state) benchmark::DoNotOptimize(e2e_covet(w));
}
void BM_E2E_Raw(benchmark::State& state) {
  covet::JsonWriter w;
  for (auto _ : state) benchmark::DoNotOptimize(e2e_raw(w));
}
void BM_E2E_Pair(benchmark::State& state) {
  if (!same_e2e()) return state.SkipWithError("covet's JSON differs from the raw loop's");
  covet::JsonWriter a, b;
  paired(
      state, nothing,
      [&] {
        for (int k = 0; k < 5; ++k) benchmark::DoNotOptimize(e2e_raw(b));
      },
      [&] {
        for (int k = 0; k < 5; ++k) benchmark::DoNotOptimize(e2e_covet(a));
      });
}
BENCHMARK(BM_E2E_Covet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_E2E_Raw)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_E2E_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

BENCHMARK(BM_Json_Covet)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Json_RapidJson)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Json_Nlohmann)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Json_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();
BENCHMARK(BM_JsonNlohmann_Pair)->Unit(benchmark::kMillisecond)->UseManualTime();

}  // namespace
