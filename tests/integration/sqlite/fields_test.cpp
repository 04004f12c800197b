// The field-kind suite (tests/support/fields_suite.inc) on SQLite.
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#include "support/fields_suite.inc"
