#include "covet/db/database.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "covet/core/error.hpp"
#include "covet/sql/compiler.hpp"
#include "covet/schema/registry.hpp"
#include "db/postgres/pg_driver.hpp"
#include "db/sqlite/sqlite_driver.hpp"
#include "db/state.hpp"

namespace covet {

Driver& driver_for(std::string_view scheme) {
  if (scheme == "sqlite") return sqlite_driver();
  if (scheme == "postgresql" || scheme == "postgres") return postgres_driver();
  throw ConfigurationError(
      fmt::format("no driver for database scheme '{}' (available: sqlite, postgresql, postgres)", scheme));
}

namespace detail {
void DatabaseState::log(const std::string& sql, const std::vector<std::string>& params, int64_t took_ns) const {
  std::string line = fmt::format("[covet] {:.3f} ms  {}", static_cast<double>(took_ns) / 1e6, sql);
  if (!params.empty()) line += fmt::format("  -- params: [{}]", fmt::join(params, ", "));
  if (options.logger) options.logger(line);
  else std::fprintf(stderr, "%s\n", line.c_str());
}
}  // namespace detail

namespace {
// The Database's own URL options (the pool's), besides the driver's.
constexpr std::string_view kPoolOptions[] = {"connection_timeout", "echo",         "health_check_interval",
                                             "max_idle_time",      "max_lifetime", "max_overflow",
                                             "min_size",           "pool_size",    "pool_timeout",
                                             "pre_ping",           "readonly"};

int int_option(const std::string& key, const std::string& v) {
  int out = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc() || p != v.data() + v.size() || out < 0)
    throw ConfigurationError(fmt::format("database URL option {} must be a whole number, not '{}'", key, v));
  return out;
}
std::chrono::milliseconds seconds_option(const std::string& key, const std::string& v) {
  double s = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), s);
  if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(s) || s < 0 || s > 1e9)
    throw ConfigurationError(fmt::format("database URL option {} must be seconds (e.g. 2.5), not '{}'", key, v));
  return std::chrono::milliseconds(static_cast<int64_t>(std::llround(s * 1000)));
}
bool bool_option(const std::string& key, const std::string& v) {
  if (v == "true" || v == "1" || v == "yes") return true;
  if (v == "false" || v == "0" || v == "no") return false;
  throw ConfigurationError(fmt::format("database URL option {} must be true or false, not '{}'", key, v));
}

void apply_url_options(const Url& url, DatabaseOptions& o) {
  for (const auto& [key, v] : url.query) {
    if (key == "pool_size") o.pool_size = int_option(key, v);
    else if (key == "max_overflow") o.max_overflow = int_option(key, v);
    else if (key == "min_size") o.min_size = int_option(key, v);
    else if (key == "pool_timeout") o.pool_timeout = seconds_option(key, v);
    else if (key == "max_idle_time") o.max_idle_time = seconds_option(key, v);
    else if (key == "max_lifetime") o.max_lifetime = seconds_option(key, v);
    else if (key == "connection_timeout") o.connection_timeout = seconds_option(key, v);
    else if (key == "health_check_interval") o.health_check_interval = seconds_option(key, v);
    else if (key == "pre_ping") o.pre_ping = bool_option(key, v);
    else if (key == "echo") o.echo = bool_option(key, v);
    else if (key == "readonly") o.readonly = bool_option(key, v);
  }
}

void check_known_options(const Url& url, const Driver& driver) {
  auto known = driver.url_options();
  for (const auto& [key, value] : url.query) {
    bool ok = std::find(known.begin(), known.end(), key) != known.end() ||
              std::find(std::begin(kPoolOptions), std::end(kPoolOptions), key) != std::end(kPoolOptions);
    if (ok) continue;
    std::vector<std::string_view> all(known.begin(), known.end());
    all.insert(all.end(), std::begin(kPoolOptions), std::end(kPoolOptions));
    std::sort(all.begin(), all.end());
    throw ConfigurationError(
        fmt::format("unknown option '{}' in {} database URL (known options: {})", key, url.scheme, fmt::join(all, ", ")));
  }
}
}  // namespace

Database::Database(std::string_view url, DatabaseOptions options) {
  auto st = std::make_shared<detail::DatabaseState>();
  st->url = Url::parse(url);
  Driver& driver = driver_for(st->url.scheme);
  check_known_options(st->url, driver);
  st->url = driver.normalize(std::move(st->url));
  apply_url_options(st->url, options);
  st->options = std::move(options);
  st->driver = &driver;
  st->dialect = &driver.dialect();
  st->returning_keys = st->dialect->returning_for_generated_keys();
  const DatabaseOptions& o = st->options;
  // A driver that takes a connect timeout gets the Database's (seconds, at least 1).
  const auto driver_opts = driver.url_options();
  if (std::find(driver_opts.begin(), driver_opts.end(), "connect_timeout") != driver_opts.end() &&
      !st->url.query.contains("connect_timeout")) {
    auto secs = std::chrono::ceil<std::chrono::seconds>(o.connection_timeout).count();
    st->url.query["connect_timeout"] = std::to_string(std::max<int64_t>(1, secs));
  }
  detail::PoolConfig pc;
  pc.pool_size = o.pool_size;
  pc.max_overflow = o.max_overflow;
  pc.pool_timeout = o.pool_timeout;
  pc.min_size = o.min_size;
  pc.max_idle_time = o.max_idle_time;
  pc.max_lifetime = o.max_lifetime;
  pc.pre_ping = o.pre_ping;
  pc.health_check_interval = o.health_check_interval;
  pc.single_connection = driver.single_connection(st->url);
  if (pc.single_connection)
    pc.timeout_hint =
        "; this SQLite :memory: database has one connection (each memory connection is its own database), held "
        "now by an open Session or Transaction: run the statement through it (save(tx), objects(tx), tx.execute)";
  const Url* u = &st->url;
  st->pool = std::make_unique<detail::Pool>(pc, [u, &driver] { return driver.connect(*u); });
  for (const std::string& r : st->options.replicas) {
    DatabaseOptions ro = st->options;
    ro.replicas.clear();
    ro.readonly = true;  // nothing is ever written through a replica
    Database replica(r, std::move(ro));
    if (replica.state_->dialect != st->dialect)
      throw ConfigurationError(fmt::format("replica {} is not a {} database like its primary",
                                           replica.state_->url.redacted(), st->dialect->name()));
    st->replicas.push_back(replica.state_);
  }
  state_ = std::move(st);
}

Database::~Database() = default;

const std::shared_ptr<detail::DatabaseState>& Database::state() const {
  if (!state_)
    throw UsageError("this Database was moved from: it holds no database any more (copy a Database to share it)");
  return state_;
}

const Dialect& Database::dialect() const { return *state()->dialect; }
const Url& Database::url() const { return state()->url; }
bool Database::echo() const { return state()->options.echo; }
PoolStats Database::pool_stats() const { return state()->pool->stats(); }
std::vector<PoolStats> Database::replica_pool_stats() const {
  std::vector<PoolStats> out;
  for (const auto& r : state()->replicas) out.push_back(r->pool->stats());
  return out;
}
ConnectionStats Database::connection_stats() const { return state()->pool->statement_stats(); }
void Database::check_connections() { state()->pool->health_check(); }

ExecResult Database::execute(std::string_view sql, const std::vector<Value>& params) {
  return Executor(*this).lease(access_of_sql(sql)).execute(sql, params);
}

Session Database::session() {
  const auto& st = state();
  return Session(std::make_shared<detail::SessionState>(st, st->pool->checkout()));
}

// ---------------------------------------------------------------------- DDL
namespace {
// The models and covet's own join tables for their ManyToMany relations.
std::vector<const ModelInfo*> with_join_tables(const std::vector<const ModelInfo*>& models) {
  std::vector<const ModelInfo*> out = models;
  for (const ModelInfo* m : models)
    for (const auto& r : m->relations)
      if (r->kind == RelationInfo::Kind::ManyToMany) {
        const ThroughInfo& t = through_of(*m, *r);
        if (t.automatic && std::find(out.begin(), out.end(), t.model) == out.end()) out.push_back(t.model);
      }
  return in_dependency_order(std::move(out));
}
}  // namespace

void Database::create_tables(const std::vector<const ModelInfo*>& models) {
  Transaction tx = transaction();
  Lease lease = Executor(tx).lease();
  for (const ModelInfo* m : with_join_tables(models))
    for (const std::string& sql : create_table_sql(dialect(), *m)) {
      lease.connection().execute_once(sql);
      if (echo()) state_->log(sql, {}, 0);
    }
  tx.commit();
}

void Database::drop_tables(const std::vector<const ModelInfo*>& models) {
  Transaction tx = transaction();
  Lease lease = Executor(tx).lease();
  lease.connection().clear_statement_cache();
  const std::vector<const ModelInfo*> ordered = with_join_tables(models);
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) {
    std::string sql = drop_table_sql(dialect(), **it);
    lease.connection().execute_once(sql);
    if (echo()) state_->log(sql, {}, 0);
  }
  tx.commit();
}

void Database::create_all() { create_tables(registered_models()); }
void Database::drop_all() { drop_tables(registered_models()); }

}  // namespace covet
