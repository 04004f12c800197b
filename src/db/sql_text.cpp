#include "db/sql_text.hpp"

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

}  // namespace covet
