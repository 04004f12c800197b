// The field-kind suite (tests/support/fields_suite.inc) on PostgreSQL, each
// fixture in a schema of its own.
#include <covet/covet.hpp>

#include "support/services.hpp"

namespace {
covet::Database backend_database() { return test_support::postgres_schema_database(); }
}  // namespace

#include "support/fields_suite.inc"
