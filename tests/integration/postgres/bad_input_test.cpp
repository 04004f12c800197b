// The bad-input suite (tests/support/bad_input_suite.inc) on PostgreSQL:
// each fixture in a schema of its own, dropped when the test process exits.
#include <covet/covet.hpp>

#include "support/services.hpp"

namespace {
covet::Database backend_database() { return test_support::postgres_schema_database(); }
}  // namespace

#include "support/bad_input_suite.inc"
