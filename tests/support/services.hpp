#pragma once
// The test servers' URLs: from the environment (COVET_TEST_*_URL), else
// from the build/services.env that `scripts/services start` writes. A
// missing server is a test failure, never a skip: `make test` starts them.
#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cstdio>
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
inline covet::Database postgres_schema_database(covet::DatabaseOptions options = {}) {
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
  return covet::Database(base + "?search_path=" + schema, std::move(options));
}

// A private copy of the Chinook database the test servers load: cloned
// from the `chinook` template (CREATE DATABASE ... TEMPLATE, about 0.1 s;
// FILE_COPY sends no copy of the data through the WAL to the standby),
// dropped when the test process exits. The template must have no other
// sessions while it is cloned: tests only ever connect to their copies.
inline covet::Database postgres_chinook_database() {
  static const std::string template_url = require_service("COVET_TEST_POSTGRES_CHINOOK_URL");
  static const std::string server = template_url.substr(0, template_url.rfind('/') + 1);
  static std::vector<std::string> copies;
  std::string name = "chinook_" + unique_schema();
  covet::Database(server + "postgres").execute("CREATE DATABASE " + name + " TEMPLATE chinook STRATEGY FILE_COPY");
  copies.push_back(name);
  // Registered after covet's driver exists, so it runs before the driver goes.
  static const bool cleanup = [] {
    std::atexit([] {
      for (const std::string& copy : copies) {
        try {
          covet::Database(server + "postgres").execute("DROP DATABASE IF EXISTS " + copy + " WITH (FORCE)");
        } catch (const std::exception& e) {
          std::fprintf(stderr, "dropping %s: %s\n", copy.c_str(), e.what());
        }
      }
    });
    return true;
  }();
  (void)cleanup;
  return covet::Database(server + name);
}

}  // namespace test_support
