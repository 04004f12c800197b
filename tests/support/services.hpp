#pragma once
// The test servers' URLs: from the environment (COVET_TEST_*_URL), else
// from the build/services.env that `scripts/services start` writes. A
// missing server is a test failure, never a skip: `make test` starts them.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <covet/covet.hpp>

namespace test_support {

inline std::string service_setting(const std::string& name) {
  if (const char* v = std::getenv(name.c_str()); v && *v) return v;
  std::ifstream in(COVET_SERVICES_ENV);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(name + "=", 0) == 0) return line.substr(name.size() + 1);
  return {};
}

// The URL, or a fatal test failure naming how to start the servers.
inline std::string require_service(const std::string& name) {
  std::string url = service_setting(name);
  if (url.empty())
    ADD_FAILURE() << name << " is not set and " << COVET_SERVICES_ENV
                  << " does not name it: start the test servers with `scripts/services start` (make test does)";
  return url;
}

// A schema name no other test process uses at the same time.
inline std::string unique_schema() {
  static std::atomic<int> n{0};
  return "t_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
}

// A PostgreSQL database in a fresh schema of its own (search_path), for a
// suite shared with SQLite; the schemas are dropped when the process exits.
inline covet::Database postgres_schema_database() {
  static const std::string base = require_service("COVET_TEST_POSTGRES_URL");
  static std::vector<std::string> schemas;
  std::string schema = unique_schema();
  covet::Database(base).execute("CREATE SCHEMA " + schema);
  schemas.push_back(schema);
  // Registered after covet's driver exists, so it runs before the driver goes.
  static const bool cleanup = [] {
    std::atexit([] {
      for (const std::string& s : schemas) {
        try {
          covet::Database(base).execute("DROP SCHEMA IF EXISTS " + s + " CASCADE");
        } catch (...) {
        }
      }
    });
    return true;
  }();
  (void)cleanup;
  return covet::Database(base + "?search_path=" + schema);
}

}  // namespace test_support
