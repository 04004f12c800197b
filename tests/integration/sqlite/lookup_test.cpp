// The lookup table (tests/support/lookup_suite.inc) on SQLite.
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#define COVET_BACKEND Sqlite
#include "support/lookup_suite.inc"
