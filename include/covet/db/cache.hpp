#pragma once
// The query result cache: QuerySet::cache(ttl) keeps a query's result for
// `ttl`, keyed by the database, the compiled SQL and its parameters; the
// seed's @cache(ttl=300) is covet::cached(key, ttl, fn). Writes made
// through covet to a table (save, update, delete, bulk operations,
// many-to-many changes, and raw SQL that names the table) drop the entries
// that read it, and deletes those of the tables whose rows cascade. Inside
// a transaction nothing is cached or read from the cache (its rows may not
// be committed). The backend is pluggable: an in-process LRU bounded in
// entries and bytes by default.
//
//   auto top = Post::objects(db).order_by("-views").limit(10).cache(std::chrono::seconds(60)).all();
//   auto stats = covet::cached("dashboard", std::chrono::minutes(5), [&] { return build_stats(db); }, {"posts"});
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

namespace covet {

struct CacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  uint64_t entries = 0;
  uint64_t bytes = 0;          // estimated
  uint64_t evictions = 0;      // dropped for room
  uint64_t invalidations = 0;  // dropped by a write to a table they read
};

// Where cached results live. An in-process backend keeps the objects
// themselves; a remote one (Redis, later) will keep their serialized form.
class QueryCacheBackend {
 public:
  virtual ~QueryCacheBackend() = default;
  // The value stored under `key` if it is there, unexpired, and of `type`.
  virtual std::shared_ptr<const void> get(const std::string& key, const std::type_info& type) = 0;
  // Stores `value` (of `type`, about `bytes` big) for `ttl`; a write to any
  // of `tables` drops it.
  virtual void put(const std::string& key, std::shared_ptr<const void> value, const std::type_info& type,
                   std::size_t bytes, std::chrono::milliseconds ttl, const std::vector<std::string>& tables) = 0;
  // Drops every entry that read `table`.
  virtual void invalidate(std::string_view table) = 0;
  // Raw SQL that writes: drops every entry that read a table the text
  // names (as a word, any case). The default drops everything.
  virtual void invalidate_named_in(std::string_view sql) {
    (void)sql;
    clear();
  }
  virtual void clear() = 0;
  virtual CacheStats stats() const = 0;
};

// The default backend: least recently used entries go first when either
// bound is reached. Thread-safe.
class LruQueryCache : public QueryCacheBackend {
 public:
  explicit LruQueryCache(std::size_t max_entries = 10'000, std::size_t max_bytes = 64u << 20);
  ~LruQueryCache() override;
  std::shared_ptr<const void> get(const std::string& key, const std::type_info& type) override;
  void put(const std::string& key, std::shared_ptr<const void> value, const std::type_info& type, std::size_t bytes,
           std::chrono::milliseconds ttl, const std::vector<std::string>& tables) override;
  void invalidate(std::string_view table) override;
  void invalidate_named_in(std::string_view sql) override;
  void clear() override;
  CacheStats stats() const override;

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The process's query cache (an LruQueryCache until replaced).
std::shared_ptr<QueryCacheBackend> query_cache();
void set_query_cache(std::shared_ptr<QueryCacheBackend> backend);

namespace detail {
// True once anything was cached: until then writes skip invalidation
// (one relaxed load on save()'s path).
inline std::atomic<bool> query_cache_in_use{false};
inline bool query_cache_used() { return query_cache_in_use.load(std::memory_order_relaxed); }
inline void note_query_cache_used() { query_cache_in_use.store(true, std::memory_order_relaxed); }
// Drops the entries that read `table` (no-op while the cache is unused).
void invalidate_table(std::string_view table);
// Raw SQL that writes: drops the entries that read a table the text names.
void invalidate_tables_named_in(std::string_view sql);
}  // namespace detail

// The seed's @cache(ttl=300): fn()'s result under `key` for `ttl`, dropped
// early by a write to any of `tables`.
template <class F>
auto cached(const std::string& key, std::chrono::milliseconds ttl, F&& fn, const std::vector<std::string>& tables = {})
    -> std::remove_cvref_t<decltype(fn())> {
  using R = std::remove_cvref_t<decltype(fn())>;
  const std::string k = "fn\x1f" + key;
  if (auto hit = query_cache()->get(k, typeid(R))) return *static_cast<const R*>(hit.get());
  detail::note_query_cache_used();
  auto value = std::make_shared<const R>(fn());
  query_cache()->put(k, value, typeid(R), sizeof(R), ttl, tables);
  return *value;
}

}  // namespace covet
