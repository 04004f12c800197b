// The lookup table (tests/support/lookup_suite.inc) on PostgreSQL: the same
// cases, the same expected rows as on SQLite, in a schema of this test
// process's own, dropped when it exits.
#include <covet/covet.hpp>

#include "support/services.hpp"

namespace {
covet::Database backend_database() { return test_support::postgres_schema_database(); }
}  // namespace

#define COVET_BACKEND Postgres
#include "support/lookup_suite.inc"
