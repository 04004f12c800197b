#include "covet/db/multi.hpp"

#include <fmt/format.h>

#include "covet/core/error.hpp"

namespace covet {

MultiDB::MultiDB(const std::vector<std::pair<std::string, std::string>>& urls, const DatabaseOptions& options) {
  for (const auto& [alias, url] : urls) {
    if (alias.empty()) throw ConfigurationError("MultiDB: a database alias may not be empty");
    if (!dbs_.emplace(alias, Database(url, options)).second)
      throw ConfigurationError(fmt::format("MultiDB: the alias '{}' is given twice", alias));
  }
}

MultiDB::MultiDB(std::vector<std::pair<std::string, Database>> databases) {
  for (auto& [alias, db] : databases) {
    if (alias.empty()) throw ConfigurationError("MultiDB: a database alias may not be empty");
    if (!dbs_.emplace(alias, std::move(db)).second)
      throw ConfigurationError(fmt::format("MultiDB: the alias '{}' is given twice", alias));
  }
}

Database MultiDB::bind(std::string_view alias) const {
  auto it = dbs_.find(alias);
  if (it == dbs_.end())
    throw ConfigurationError(fmt::format("MultiDB has no database '{}' (aliases: {})", alias, fmt::join(aliases(), ", ")));
  return it->second;
}

Database MultiDB::for_model(const ModelInfo& m) const {
  auto it = dbs_.find(m.database);
  if (it == dbs_.end())
    throw ConfigurationError(fmt::format("model {} belongs to database '{}', which this MultiDB does not have (aliases: {})",
                                         m.name, m.database, fmt::join(aliases(), ", ")));
  return it->second;
}

std::vector<std::string> MultiDB::aliases() const {
  std::vector<std::string> out;
  for (const auto& [alias, db] : dbs_) out.push_back(alias);
  return out;
}

namespace {
template <class F>
void per_database(const MultiDB& multi, const std::vector<const ModelInfo*>& models, F&& f) {
  // Grouped by database, each group in the order given (foreign keys later).
  std::map<std::string, std::vector<const ModelInfo*>> groups;
  for (const ModelInfo* m : models) {
    (void)multi.for_model(*m);  // an unknown alias fails before anything is created
    groups[m->database].push_back(m);
  }
  for (auto& [alias, ms] : groups) {
    Database db = multi.bind(alias);
    f(db, ms);
  }
}
}  // namespace

void MultiDB::create_tables(const std::vector<const ModelInfo*>& models) {
  per_database(*this, models, [](Database& db, const std::vector<const ModelInfo*>& ms) { db.create_tables(ms); });
}
void MultiDB::drop_tables(const std::vector<const ModelInfo*>& models) {
  per_database(*this, models, [](Database& db, const std::vector<const ModelInfo*>& ms) { db.drop_tables(ms); });
}

}  // namespace covet
