#pragma once
// Database URLs: scheme://[user[:password]@]host[:port]/database[?k=v&...],
// and for SQLite (SQLAlchemy's convention) sqlite:///relative/path.db,
// sqlite:////absolute/path.db, sqlite://:memory:. Malformed URLs raise
// ConfigurationError; the password never appears in messages or logs.
#include <map>
#include <string>
#include <string_view>

namespace covet {

struct Url {
  std::string scheme;
  std::string user;
  std::string password;
  std::string host;
  int port = 0;
  std::string database;  // for sqlite: the file path, or ":memory:"
  std::map<std::string, std::string> query;

  static Url parse(std::string_view text);
  // The URL with the password replaced by "***".
  std::string redacted() const;
};

}  // namespace covet
