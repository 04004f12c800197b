// The QuerySet suite (tests/support/queryset_suite.inc) on SQLite.
#include <covet/covet.hpp>

#include <cstdio>
#include <string>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
covet::Database backend_pooled_database(const std::string& tag) {
  std::string path = std::string(COVET_TEST_TMP) + "/queryset_" + tag + ".db";
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  return covet::Database("sqlite:///" + path);
}
}  // namespace

#include "support/queryset_suite.inc"
