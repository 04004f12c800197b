#pragma once
// What every backend's benchmarks share: the row, its data, and the paired
// timing that alternates covet and the reference in each iteration.
#include <benchmark/benchmark.h>
#include <covet/covet.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <string>
#include <vector>

namespace covet_bench {

// The realistic row: a user with short strings (they fit std::string's
// 15-byte small-string buffer, as most names and emails in real tables
// do), so per-column costs are not hidden behind allocations.
struct Row6 : covet::Model<Row6> {
  int64_t id = 0;
  std::string name;
  std::string email;
  int32_t age = 0;
  double score = 0;
  bool is_active = false;
  static void meta(covet::Meta<Row6>& m) { m.table("row6"); }
};

constexpr int kRows = 100'000;

// Relations: a user with short strings and their posts.
struct BPost;
struct BUser : covet::Model<BUser> {
  int64_t id = 0;
  std::string name;
  std::string email;
  covet::OneToMany<BPost> posts;
  static void meta(covet::Meta<BUser>& m) { m.table("bench_users"); }
};
struct BPost : covet::Model<BPost> {
  int64_t id = 0;
  std::string title;
  int32_t views = 0;
  covet::ForeignKey<BUser> author;
  static void meta(covet::Meta<BPost>& m) { m.table("bench_posts").field(&BPost::author, covet::related_name("posts")); }
};
constexpr int kRelUsers = 10'000;
constexpr int kPostsPerUser = 2;
constexpr int kRelPosts = 10'000;  // select_related reads this many posts (the first ones)
// The key of the kRelPosts-th post (keys need not start at 1: a sequence
// may have drawn others before), set by fill_relations.
inline int64_t rel_posts_last_key = kRelPosts;

// Fills both tables through covet (the reference reads the same tables).
inline void fill_relations(covet::Database& db) {
  db.create_all<BUser, BPost>();
  std::vector<BUser> users(kRelUsers);
  for (int i = 0; i < kRelUsers; ++i) {
    users[static_cast<std::size_t>(i)].name = "Name " + std::to_string(i);
    users[static_cast<std::size_t>(i)].email = "u" + std::to_string(i) + "@ex.io";
  }
  BUser::objects(db).bulk_create(users);
  std::vector<BPost> posts;
  for (int k = 0; k < kPostsPerUser; ++k)
    for (const BUser& u : users) {
      BPost& p = posts.emplace_back();
      p.title = "Post " + std::to_string(posts.size());
      p.views = static_cast<int32_t>(posts.size() % 1000);
      p.author = u.id;
    }
  BPost::objects(db).bulk_create(posts);
  rel_posts_last_key = posts[kRelPosts - 1].id;
}

inline Row6 make_row(int i, bool long_strings) {
  Row6 r;
  if (long_strings) {
    r.name = "user number " + std::to_string(i) + " with a longer display name";
    r.email = "user.number." + std::to_string(i) + "@example-mail-provider.com";
  } else {
    r.name = "Name " + std::to_string(i);                // ~10 characters
    r.email = "u" + std::to_string(i) + "@ex.io";        // ~12 characters
  }
  r.age = 18 + i % 60;
  r.score = i * 0.5;
  r.is_active = i % 3 != 0;
  return r;
}

inline const std::vector<Row6>& input_rows(bool long_strings = false) {
  static const std::vector<Row6> rows[2] = {[] {
                                              std::vector<Row6> v;
                                              for (int i = 0; i < kRows; ++i) v.push_back(make_row(i, false));
                                              return v;
                                            }(),
                                            [] {
                                              std::vector<Row6> v;
                                              for (int i = 0; i < kRows; ++i) v.push_back(make_row(i, true));
                                              return v;
                                            }()};
  return rows[long_strings];
}


// ---- the benchmarks ----
using Clock = std::chrono::steady_clock;

template <class F>
double seconds(F&& f) {
  auto t0 = Clock::now();
  f();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

inline void expect(benchmark::State& state, size_t got, size_t want) {
  if (got != want) state.SkipWithError("wrong result size");
}

// Times `raw(k)` and `covet(k)` alternately for each part k of an
// iteration (order swapped every time), after `setup()` (untimed), and
// reports the median of all the parts' covet/raw ratios as the "ratio"
// counter: each pair ran back to back, so drift hits both of its sides,
// and one pair that a page-fault storm or another process hit (on either
// side) does not move the median. Shorter parts make better pairs: this
// shared machine switches between speeds (the same 100k inserts take 150
// or 280 ms), and a pair that straddles a switch gives a ratio of 0.6 or
// 1.8, so a long run is cut into parts where its work allows it.
template <class Setup, class Raw, class Covet>
void paired_parts(benchmark::State& state, std::size_t parts, Setup setup, Raw raw, Covet covet) {
  std::vector<double> ratios;
  double tr = 0, tc = 0;
  std::size_t iterations = 0;
  bool flip = false;
  for (auto _ : state) {
    setup();
    double spent = 0;
    for (std::size_t k = 0; k < parts; ++k) {
      double r, c;
      if ((flip = !flip)) r = seconds([&] { raw(k); }), c = seconds([&] { covet(k); });
      else c = seconds([&] { covet(k); }), r = seconds([&] { raw(k); });
      ratios.push_back(c / r);
      tr += r, tc += c, spent += r + c;
    }
    ++iterations;
    state.SetIterationTime(spent);
  }
  if (ratios.empty()) return;
  auto mid = ratios.begin() + static_cast<std::ptrdiff_t>(ratios.size() / 2);
  std::nth_element(ratios.begin(), mid, ratios.end());
  double median = *mid;
  if (ratios.size() % 2 == 0) median = (median + *std::max_element(ratios.begin(), mid)) / 2;
  state.counters["ratio"] = median;
  state.counters["raw_ms"] = tr * 1e3 / static_cast<double>(iterations);
  state.counters["cov_ms"] = tc * 1e3 / static_cast<double>(iterations);
}
// The same with the whole iteration as one part.
template <class Setup, class Raw, class Covet>
void paired(benchmark::State& state, Setup setup, Raw raw, Covet covet) {
  paired_parts(state, 1, setup, [&](std::size_t) { raw(); }, [&](std::size_t) { covet(); });
}
inline void nothing() {}

// The pool under contention: 4 threads sharing the database's connections
// (2 in the benchmarks). The figure is wall time divided by all checkouts
// made (the pool's throughput as ns per checkout), median over repetitions.
inline void contended_checkouts(benchmark::State& state, const covet::Database& db) {
  constexpr int kThreads = 4, kEach = 50'000;
  for (auto _ : state) {
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&] {
        covet::Executor ex(db);
        while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
        for (int k = 0; k < kEach; ++k) {
          covet::Lease lease = ex.lease();
          benchmark::DoNotOptimize(&lease.connection());
        }
      });
    auto t0 = std::chrono::steady_clock::now();
    go.store(true, std::memory_order_release);
    for (auto& th : threads) th.join();
    double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(wall / (kThreads * kEach));
  }
}

}  // namespace covet_bench
