#pragma once
// Raw SQL written with the PostgreSQL script's snake_case names, for the
// Chinook SQLite file's PascalCase ones (track_id is TrackId): SQLite's
// identifiers are case-insensitive, so dropping the underscores outside
// quotes is enough.
#include <string>
#include <string_view>

namespace testing_models {

inline std::string sqlite_chinook_sql(std::string_view sql) {
  std::string out;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '_') {
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace testing_models
