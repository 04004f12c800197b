#include "covet/db/cache.hpp"

#include <atomic>
#include <cctype>
#include <list>
#include <mutex>
#include <unordered_map>


namespace covet {

struct LruQueryCache::State {
  struct Entry {
    std::string key;
    std::shared_ptr<const void> value;
    const std::type_info* type;
    std::size_t bytes;
    std::chrono::steady_clock::time_point expires;
    std::vector<std::string> tables;
  };
  std::size_t max_entries, max_bytes;
  mutable std::mutex mutex;
  std::list<Entry> lru;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index;
  CacheStats stats;

  void drop(std::list<Entry>::iterator it) {
    stats.bytes -= it->bytes;
    index.erase(it->key);
    lru.erase(it);
    stats.entries = lru.size();
  }
};

LruQueryCache::LruQueryCache(std::size_t max_entries, std::size_t max_bytes) : s_(std::make_unique<State>()) {
  s_->max_entries = max_entries ? max_entries : 1;
  s_->max_bytes = max_bytes;
}
LruQueryCache::~LruQueryCache() = default;

std::shared_ptr<const void> LruQueryCache::get(const std::string& key, const std::type_info& type) {
  std::lock_guard lock(s_->mutex);
  auto it = s_->index.find(key);
  if (it == s_->index.end()) {
    ++s_->stats.misses;
    return nullptr;
  }
  if (it->second->expires <= std::chrono::steady_clock::now() || *it->second->type != type) {
    s_->drop(it->second);
    ++s_->stats.misses;
    return nullptr;
  }
  s_->lru.splice(s_->lru.begin(), s_->lru, it->second);
  ++s_->stats.hits;
  return it->second->value;
}

void LruQueryCache::put(const std::string& key, std::shared_ptr<const void> value, const std::type_info& type,
                        std::size_t bytes, std::chrono::milliseconds ttl, const std::vector<std::string>& tables) {
  std::lock_guard lock(s_->mutex);
  if (auto it = s_->index.find(key); it != s_->index.end()) s_->drop(it->second);
  if (bytes > s_->max_bytes) return;  // would push out everything else
  while (!s_->lru.empty() && (s_->lru.size() >= s_->max_entries || s_->stats.bytes + bytes > s_->max_bytes)) {
    s_->drop(std::prev(s_->lru.end()));
    ++s_->stats.evictions;
  }
  s_->lru.push_front(State::Entry{key, std::move(value), &type, bytes, std::chrono::steady_clock::now() + ttl, tables});
  s_->index[key] = s_->lru.begin();
  s_->stats.bytes += bytes;
  s_->stats.entries = s_->lru.size();
}

void LruQueryCache::invalidate(std::string_view table) {
  std::lock_guard lock(s_->mutex);
  for (auto it = s_->lru.begin(); it != s_->lru.end();) {
    auto next = std::next(it);
    for (const std::string& t : it->tables)
      if (t == table) {
        s_->drop(it);
        ++s_->stats.invalidations;
        break;
      }
    it = next;
  }
}

void LruQueryCache::invalidate_named_in(std::string_view sql) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  auto lower = [](std::string_view x) {
    std::string out(x);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string text = lower(sql);
  auto named = [&](const std::string& table) {
    const std::string t = lower(table);
    for (std::size_t at = text.find(t); at != std::string::npos; at = text.find(t, at + 1))
      if ((at == 0 || !word(text[at - 1])) && (at + t.size() == text.size() || !word(text[at + t.size()]))) return true;
    return false;
  };
  std::lock_guard lock(s_->mutex);
  for (auto it = s_->lru.begin(); it != s_->lru.end();) {
    auto next = std::next(it);
    for (const std::string& t : it->tables)
      if (named(t)) {
        s_->drop(it);
        ++s_->stats.invalidations;
        break;
      }
    it = next;
  }
}

void LruQueryCache::clear() {
  std::lock_guard lock(s_->mutex);
  s_->lru.clear();
  s_->index.clear();
  s_->stats.entries = 0;
  s_->stats.bytes = 0;
}

CacheStats LruQueryCache::stats() const {
  std::lock_guard lock(s_->mutex);
  return s_->stats;
}

namespace {
struct Global {
  std::mutex mutex;
  std::shared_ptr<QueryCacheBackend> backend = std::make_shared<LruQueryCache>();
};
Global& global() {
  static Global* g = new Global;  // never destroyed: writes at exit may still invalidate
  return *g;
}
}  // namespace

std::shared_ptr<QueryCacheBackend> query_cache() {
  Global& g = global();
  std::lock_guard lock(g.mutex);
  return g.backend;
}

void set_query_cache(std::shared_ptr<QueryCacheBackend> backend) {
  Global& g = global();
  std::lock_guard lock(g.mutex);
  g.backend = backend ? std::move(backend) : std::make_shared<LruQueryCache>();
}

namespace detail {
void invalidate_table(std::string_view table) {
  if (query_cache_used()) query_cache()->invalidate(table);
}

void invalidate_tables_named_in(std::string_view sql) {
  if (query_cache_used()) query_cache()->invalidate_named_in(sql);
}
}  // namespace detail

}  // namespace covet
