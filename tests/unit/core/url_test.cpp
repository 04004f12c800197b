#include <covet/core/error.hpp>
#include <covet/db/url.hpp>
#include <gtest/gtest.h>

using namespace covet;

TEST(Url, SqliteFormsFollowSqlAlchemy) {
  EXPECT_EQ(Url::parse("sqlite://:memory:").database, ":memory:");
  EXPECT_EQ(Url::parse("sqlite:///app.db").database, "app.db");
  EXPECT_EQ(Url::parse("sqlite:////var/lib/app.db").database, "/var/lib/app.db");
  EXPECT_EQ(Url::parse("sqlite:///app.db?timeout=100").query.at("timeout"), "100");
}

TEST(Url, ServerFormsSplitIntoParts) {
  Url u = Url::parse("postgresql://bob:s%40cret@db.example:6543/main?sslmode=require");
  EXPECT_EQ(u.scheme, "postgresql");
  EXPECT_EQ(u.user, "bob");
  EXPECT_EQ(u.password, "s@cret");
  EXPECT_EQ(u.host, "db.example");
  EXPECT_EQ(u.port, 6543);
  EXPECT_EQ(u.database, "main");
  EXPECT_EQ(u.query.at("sslmode"), "require");
}

TEST(Url, RedactedNeverShowsThePassword) {
  Url u = Url::parse("postgresql://bob:hunter2@h/db");
  EXPECT_EQ(u.redacted().find("hunter2"), std::string::npos);
  EXPECT_NE(u.redacted().find("***"), std::string::npos);
}

TEST(Url, MalformedUrlsRaiseConfigurationError) {
  for (const char* bad : {"nonsense", "://x", "sqlite:/x.db", "sqlite://", "postgresql://h:99999/db",
                          "postgresql://h:port/db", "postgresql://h/db?novalue", "postgresql://h/%zz"}) {
    EXPECT_THROW(Url::parse(bad), ConfigurationError) << bad;
  }
}

TEST(Url, ErrorsDoNotLeakThePassword) {
  try {
    Url::parse("postgresql://bob:hunter2@h:0/db");
    FAIL();
  } catch (const ConfigurationError& e) {
    EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos);
  }
}
