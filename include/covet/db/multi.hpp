#pragma once
// Several databases under aliases (Django's DATABASES): each model is routed
// to the database its meta names (`m.database("users")`, "default" when it
// names none), and `bind("alias")` picks one explicitly.
//
//   covet::MultiDB dbs({{"default", "postgresql://app@db/main"},
//                       {"users", "postgresql://app@users-db/users"},
//                       {"cache", "sqlite:///var/cache/app.db"}});
//   dbs.create_all<User, Post, CacheEntry>();   // each in its own database
//   User::objects(dbs).filter("is_active", true).all();   // on "users"
//   dbs.bind("cache").execute("DELETE FROM cache_entry");
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "covet/db/database.hpp"
#include "covet/schema/model_info.hpp"

namespace covet {

class MultiDB {
 public:
  // alias → URL, with the same options for each.
  explicit MultiDB(const std::vector<std::pair<std::string, std::string>>& urls, const DatabaseOptions& options = {});
  // alias → an existing Database (its own options, replicas, ...).
  explicit MultiDB(std::vector<std::pair<std::string, Database>> databases);

  // The database under `alias` (a handle sharing it); ConfigurationError
  // naming the aliases there are.
  Database bind(std::string_view alias) const;
  // The database a model belongs to (its meta's database, else "default").
  Database for_model(const ModelInfo& m) const;
  template <class T>
  Database for_model() const {
    return for_model(model_info<T>());
  }
  std::vector<std::string> aliases() const;

  // Creates (drops) each model's table in its own database only.
  template <class... T>
  void create_all() {
    create_tables({&model_info<T>()...});
  }
  template <class... T>
  void drop_all() {
    drop_tables({&model_info<T>()...});
  }
  void create_tables(const std::vector<const ModelInfo*>& models);
  void drop_tables(const std::vector<const ModelInfo*>& models);

 private:
  std::map<std::string, Database, std::less<>> dbs_;
};

}  // namespace covet
