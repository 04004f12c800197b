#include "db/sql_text.hpp"

#include <algorithm>
#include <cctype>

namespace covet {

std::string first_keyword(std::string_view sql) {
  std::size_t i = 0;
  for (;;) {
    i = sql.find_first_not_of(" \t\r\n(", i);
    if (i == std::string_view::npos) return {};
    if (sql.substr(i, 2) == "--") {
      i = sql.find('\n', i);
    } else if (sql.substr(i, 2) == "/*") {
      i = sql.find("*/", i);
      if (i != std::string_view::npos) i += 2;
    } else {
      break;
    }
    if (i == std::string_view::npos) return {};
  }
  std::string head;
  for (; i < sql.size() && std::isalpha(static_cast<unsigned char>(sql[i])); ++i)
    head += static_cast<char>(std::toupper(static_cast<unsigned char>(sql[i])));
  return head;
}

long highest_numbered_parameter(std::string_view sql) {
  long highest = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // doubled quotes inside are two strings in a row: the same result
      std::size_t end = sql.find(c, i + 1);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      std::size_t end = sql.find('\n', i);
      if (end == std::string_view::npos) break;
      i = end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      std::size_t end = sql.find("*/", i + 2);
      if (end == std::string_view::npos) break;
      i = end + 1;
    } else if (c == '$' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1])) &&
               (i == 0 || !(std::isalnum(static_cast<unsigned char>(sql[i - 1])) || sql[i - 1] == '_' ||
                            sql[i - 1] == '$' || static_cast<unsigned char>(sql[i - 1]) >= 0x80))) {
      // (after a letter, digit, _ or $ it is part of an identifier: a$1)
      long n = 0;
      std::size_t j = i + 1;
      for (; j < sql.size() && std::isdigit(static_cast<unsigned char>(sql[j])); ++j) n = std::min(n * 10 + (sql[j] - '0'), 1'000'000'000L);
      highest = std::max(highest, n);
      i = j - 1;
    }
  }
  return highest;
}

}  // namespace covet
