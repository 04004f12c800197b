// The bad-input suite (tests/support/bad_input_suite.inc) on SQLite, and
// malformed database URLs (no server needed).
#include <covet/covet.hpp>

namespace {
covet::Database backend_database() { return covet::Database("sqlite://:memory:"); }
}  // namespace

#include "support/bad_input_suite.inc"

namespace {
using test_support::has;
using test_support::message_of;

// ---------------------------------------------------------- database URLs
TEST(BadDatabaseUrl, MalformedUrlsAreConfigurationErrors) {
  for (const char* url : {"nonsense", "postgresql://host:99999/db", "foo://x", "", "://x", "sqlite://", "sqlite:",
                          "postgresql://host:abc/db", "postgresql://host:0/db", "sq lite://x"}) {
    SCOPED_TRACE(url);
    EXPECT_THROW(covet::Database db(url), covet::ConfigurationError);
  }
}

TEST(BadDatabaseUrl, UnknownSchemeMessageNamesTheScheme) {
  std::string msg = message_of<covet::ConfigurationError>([] { covet::Database db("foo://x"); });
  EXPECT_TRUE(has(msg, "foo")) << msg;
  EXPECT_TRUE(has(msg, "sqlite")) << msg;
}

TEST(BadDatabaseUrl, PortOutOfRangeMessageNamesThePort) {
  std::string msg = message_of<covet::ConfigurationError>([] { covet::Database db("postgresql://host:99999/db"); });
  EXPECT_TRUE(has(msg, "99999")) << msg;
}

}  // namespace
