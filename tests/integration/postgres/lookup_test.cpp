// The lookup table (tests/support/lookup_suite.inc) on PostgreSQL: the same
// cases, the same expected rows as on SQLite.
#include <covet/covet.hpp>

#include <cstdio>
#include <cstdlib>

#include "support/services.hpp"

namespace {
// A schema of this test process's own, dropped when it exits.
covet::Database backend_database() {
  static const std::string base = test_support::require_service("COVET_TEST_POSTGRES_URL");
  static const std::string schema = test_support::unique_schema();
  covet::Database(base).execute("CREATE SCHEMA " + schema);
  std::atexit([] {
    try {
      covet::Database(base).execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "dropping %s: %s\n", schema.c_str(), e.what());
    }
  });
  return covet::Database(base + "?search_path=" + schema);
}
}  // namespace

#define COVET_BACKEND Postgres
#include "support/lookup_suite.inc"
