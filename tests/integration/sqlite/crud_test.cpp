// The CRUD suite (tests/support/crud_suite.inc) on SQLite.
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#include "support/crud_suite.inc"
