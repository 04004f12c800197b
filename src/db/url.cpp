#include "covet/db/url.hpp"

#include <cctype>
#include <charconv>

#include "covet/core/error.hpp"

namespace covet {

namespace {
std::string percent_decode(std::string_view s, std::string_view whole) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      int v = 0;
      if (i + 2 >= s.size()) throw ConfigurationError("malformed percent-escape in database URL");
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16);
      if (ec != std::errc() || p != s.data() + i + 3)
        throw ConfigurationError("malformed percent-escape in database URL '" + std::string(whole.substr(0, whole.find(':'))) + "://...'");
      if (v == 0) throw ConfigurationError("database URL holds an encoded NUL byte (%00)");
      out += static_cast<char>(v);
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}
}  // namespace

Url Url::parse(std::string_view text) {
  Url u;
  if (text.find('\0') != std::string_view::npos) throw ConfigurationError("database URL holds a NUL byte");
  std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0)
    throw ConfigurationError("database URL has no scheme (expected e.g. sqlite:///app.db or postgresql://host/db)");
  u.scheme = std::string(text.substr(0, sep));
  for (char& c : u.scheme) {  // schemes are case-insensitive (RFC 3986): SQLITE:// is sqlite://
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.'))
      throw ConfigurationError("database URL has an invalid scheme");
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  std::string_view rest = text.substr(sep + 3);
  std::size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    std::string_view qs = rest.substr(q + 1);
    rest = rest.substr(0, q);
    while (!qs.empty()) {
      std::size_t amp = qs.find('&');
      std::string_view kv = qs.substr(0, amp);
      std::size_t eq = kv.find('=');
      if (eq == std::string_view::npos || eq == 0) throw ConfigurationError("malformed query parameter in database URL");
      std::string key = percent_decode(kv.substr(0, eq), text);
      if (u.query.count(key)) throw ConfigurationError("database URL option '" + key + "' is given twice");
      u.query[key] = percent_decode(kv.substr(eq + 1), text);
      if (amp == std::string_view::npos) break;
      qs.remove_prefix(amp + 1);
    }
  }
  if (u.scheme == "sqlite") {
    if (rest == ":memory:" || rest == "/:memory:") {
      u.database = ":memory:";
    } else if (!rest.empty() && rest[0] == '/' && rest.size() > 1) {
      u.database = percent_decode(rest.substr(1), text);  // "/x.db" → "x.db"; "//abs" → "/abs"
    } else {
      throw ConfigurationError("SQLite URLs are sqlite:///relative.db, sqlite:////absolute/path.db or sqlite://:memory:");
    }
    return u;
  }
  std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) u.database = percent_decode(rest.substr(slash + 1), text);
  std::size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string_view userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
    std::size_t colon = userinfo.find(':');
    u.user = percent_decode(userinfo.substr(0, colon), text);
    if (colon != std::string_view::npos) u.password = percent_decode(userinfo.substr(colon + 1), text);
  }
  std::size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), u.port);
    if (ec != std::errc() || p != port.data() + port.size() || u.port <= 0 || u.port > 65535)
      throw ConfigurationError("database URL has an invalid port '" + std::string(port) + "'");
    authority = authority.substr(0, colon);
  }
  u.host = std::string(authority);
  return u;
}

std::string Url::redacted() const {
  if (scheme == "sqlite") return "sqlite:///" + database;
  std::string s = scheme + "://";
  if (!user.empty()) s += user + (password.empty() ? "" : ":***") + "@";
  s += host;
  if (port) s += ":" + std::to_string(port);
  return s + "/" + database;
}

}  // namespace covet
