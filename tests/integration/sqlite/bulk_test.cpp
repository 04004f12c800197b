// The bulk suite (tests/support/bulk_suite.inc) on SQLite.
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#include "support/bulk_suite.inc"
