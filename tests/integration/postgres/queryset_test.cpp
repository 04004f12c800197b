// The QuerySet suite (tests/support/queryset_suite.inc) on PostgreSQL, each
// fixture in a schema of its own.
#include <covet/covet.hpp>

#include "support/services.hpp"

namespace {
covet::Database backend_database() { return test_support::postgres_schema_database(); }
covet::Database backend_pooled_database(const std::string&) { return test_support::postgres_schema_database(); }
}  // namespace

#include "support/queryset_suite.inc"
