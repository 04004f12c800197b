#pragma once
// The serializers' built-in text validators (email, URL) and base64
// decoding, in the shapes Django's validators accept (ASCII host names; an
// internationalised domain must come in its xn-- form).
#include <arpa/inet.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <cstring>
#include <cstdint>
#include <string>
#include <string_view>

namespace covet::detail {

inline bool is_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Character classes of ASCII bytes, one table lookup each.
enum : uint8_t { kAlpha = 1, kDigit = 2, kAtextSpecial = 4 };
inline constexpr auto kCharClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = kAlpha;
  for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = kAlpha;
  for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = kDigit;
  for (char c : std::string_view("!#$%&'*+/=?^_`{|}~-")) t[static_cast<unsigned char>(c)] = kAtextSpecial;
  return t;
}();
inline uint8_t char_class(char c) { return kCharClass[static_cast<unsigned char>(c)]; }

// A DNS host name: dot-separated labels of letters, digits and inner
// hyphens (1-63 characters), at most 253 in all; with `need_tld`, at least
// two labels and a last one of letters (or xn--...), as Django's. One pass.
inline bool valid_hostname(std::string_view h, bool need_tld) {
  if (h.empty() || h.size() > 253) return false;
  if (h.back() == '.') h.remove_suffix(1);  // a fully qualified name
  if (h.empty()) return false;
  int labels = 0;
  std::size_t start = 0;  // of the current label
  bool last_alpha = true;  // the current label is letters only
  for (std::size_t i = 0; i <= h.size(); ++i) {
    const char c = i < h.size() ? h[i] : '.';
    if (c == '.') {
      const std::size_t n = i - start;
      if (n == 0 || n > 63 || h[start] == '-' || h[i - 1] == '-') return false;
      ++labels;
      if (i < h.size()) start = i + 1, last_alpha = true;
      continue;
    }
    const uint8_t k = char_class(c);
    if (!(k & (kAlpha | kDigit)) && c != '-') return false;
    last_alpha = last_alpha && (k & kAlpha);
  }
  if (!need_tld) return labels >= 1;
  if (labels < 2) return false;
  std::string_view last = h.substr(start);
  if (last.starts_with("xn--")) return last.size() > 4;
  return last.size() >= 2 && last_alpha;
}

inline bool valid_ipv4(std::string_view s) {
  int parts = 0;
  while (true) {
    std::size_t n = 0;
    unsigned v = 0;
    while (n < s.size() && s[n] >= '0' && s[n] <= '9' && n < 3) v = v * 10 + unsigned(s[n++] - '0');
    if (n == 0 || v > 255 || (n > 1 && s[0] == '0')) return false;
    ++parts;
    s.remove_prefix(n);
    if (s.empty()) return parts == 4;
    if (s[0] != '.' || parts == 4) return false;
    s.remove_prefix(1);
  }
}

// Django's EmailValidator, ASCII: a dot-atom local part (or a quoted one)
// of at most 64 characters, '@', a host name with a top-level domain, or
// an address literal [1.2.3.4].
inline bool valid_email_bytes(std::string_view s) {
  if (s.empty() || s.size() > 254) return false;
  const char* p = s.data();
  std::size_t at;  // of the '@' before the domain
  if (p[0] != '"') {
    // A dot-atom, up to the first '@' (atext excludes it): atext
    // characters, dots only between them.
    const void* found = std::memchr(p, '@', std::min<std::size_t>(s.size(), 65));
    if (!found) return false;
    at = static_cast<std::size_t>(static_cast<const char*>(found) - p);
    if (at == 0 || p[0] == '.' || p[at - 1] == '.') return false;
    char prev = 0;
    for (std::size_t k = 0; k < at; ++k) {
      const char c = p[k];
      if (c == '.' ? prev == '.' : !char_class(c)) return false;
      prev = c;
    }
  } else {
    // A quoted string, which may hold '@': the last one ends it.
    at = s.rfind('@');
    if (at == std::string_view::npos || at < 2 || at > 64 || p[at - 1] != '"') return false;
    for (std::size_t i = 1; i + 1 < at; ++i) {
      const auto c = static_cast<unsigned char>(p[i]);
      if (c < 0x20 || c > 0x7e || c == '"') return false;
      if (c == '\\') {  // a quoted-pair: any ASCII but NUL, CR and LF (and not the closing quote)
        if (++i + 1 == at) return false;
        const auto e = static_cast<unsigned char>(p[i]);
        if (e == 0 || e == '\n' || e == '\r' || e > 0x7f) return false;
      }
    }
  }
  const std::string_view domain(p + at + 1, s.size() - at - 1);
  if (domain.size() > 2 && domain.front() == '[' && domain.back() == ']')
    return valid_ipv4(std::string_view(domain.data() + 1, domain.size() - 2));
  if (!domain.empty() && domain.back() == '.') return false;  // Django's: the domain ends in its TLD
  return valid_hostname(domain, true);
}

// The common address, settled 16 bytes at a time: up to 32 bytes of
// letters, digits and "._+-" in the local part, one '@', and a domain of
// letters, digits, '-' and '.' ending in a letters-only top-level label
// (8 to 32 bytes).
// True only when valid_email_bytes would say so; false means "not
// settled here" (anything else: quoted, IP literal, xn--, other atext,
// longer, or invalid), for the byte-at-a-time check to decide.
inline bool common_email(std::string_view s) {
#if defined(__SSE2__)
  const std::size_t n = s.size();
  if (n < 8 || n > 32) return false;
  // The bytes in one or two registers, straight from the text (overlapping
  // loads: nothing past either end, no copy to stall on); a byte's class
  // lands on its position whatever load it came in.
  const char* p = s.data();
  __m128i lo, hi = _mm_setzero_si128();
  if (n <= 16) {
    uint64_t a, b;
    std::memcpy(&a, p, 8), std::memcpy(&b, p + n - 8, 8);
    lo = _mm_set_epi64x(static_cast<long long>(b), static_cast<long long>(a));
  } else {
    lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
  }
  auto classify = [&](auto&& test) -> uint32_t {
    const auto l = static_cast<uint32_t>(_mm_movemask_epi8(test(lo)));
    if (n <= 16) return (l & 0xFF) | (l >> 8) << (n - 8);
    return l | static_cast<uint32_t>(_mm_movemask_epi8(test(hi))) << (n - 16);
  };
  // Bytes in [first, last]: (x - first) as a signed byte offset from -128.
  auto range = [](char first, char last) {
    return [first, last](__m128i x) {
      const __m128i y = _mm_xor_si128(_mm_sub_epi8(x, _mm_set1_epi8(first)), _mm_set1_epi8(static_cast<char>(0x80)));
      return _mm_cmplt_epi8(y, _mm_set1_epi8(static_cast<char>(-128 + (last - first) + 1)));
    };
  };
  auto byte = [](char c) { return [c](__m128i x) { return _mm_cmpeq_epi8(x, _mm_set1_epi8(c)); }; };
  const uint32_t all = n == 32 ? ~uint32_t{0} : (uint32_t{1} << n) - 1;
  // Letters of both cases in one range: x | 0x20 is in a-z exactly when x
  // is a letter.
  const uint32_t alpha = classify([&](__m128i x) { return range('a', 'z')(_mm_or_si128(x, _mm_set1_epi8(0x20))); });
  const uint32_t alnum = alpha | classify(range('0', '9'));
  const uint32_t dot = classify(byte('.')), hyphen = classify(byte('-')), at = classify(byte('@')) & all;
  const uint32_t extra = classify([&](__m128i x) { return _mm_or_si128(byte('_')(x), byte('+')(x)); });
  if (at == 0 || (at & (at - 1)) != 0) return false;  // one '@'
  const int a = __builtin_ctz(at);
  const uint32_t local = (uint32_t{1} << a) - 1, domain = all & ~(local | at);
  if (a == 0 || domain == 0) return false;
  // Local: those bytes, dots neither first, last nor doubled.
  const uint32_t ldot = dot & local;
  if ((local & ~(alnum | ldot | hyphen | extra)) != 0) return false;
  if ((ldot & 1) || (ldot >> (a - 1) & 1) || (ldot & (ldot >> 1))) return false;
  // Domain: labels of letters, digits and inner hyphens, at least two,
  // none empty; the last of letters, at least two.
  const uint32_t ddot = dot & domain, dhy = hyphen & domain;
  if ((domain & ~(alnum | ddot | dhy)) != 0 || ddot == 0) return false;
  const uint32_t first = uint32_t{1} << (a + 1), last = uint32_t{1} << (n - 1);
  if ((ddot & (first | last)) || (ddot & (ddot >> 1))) return false;
  if ((dhy & (first | last)) || (dhy & (ddot << 1)) || (dhy & (ddot >> 1))) return false;
  const int last_dot = 31 - __builtin_clz(ddot);
  const uint32_t tld = domain & ~((uint32_t{2} << last_dot) - 1);
  return (tld & (tld - 1)) != 0 && (tld & ~alpha) == 0;  // two or more letters (no popcount: a call without -mpopcnt)
#else
  (void)s;
  return false;
#endif
}

// Django's EmailValidator (ASCII): the common address at once, the rest a
// byte at a time.
inline bool valid_email(std::string_view s) { return common_email(s) || valid_email_bytes(s); }

// Django's URLValidator, ASCII: http, https, ftp or ftps; a host (name with
// a top-level domain, localhost, IPv4, or a bracketed IPv6 literal); an
// optional port; then a path, query or fragment without spaces.
inline bool valid_url(std::string_view s) {
  if (s.size() > 2048) return false;
  std::string_view rest;
  for (std::string_view scheme : {"http://", "https://", "ftp://", "ftps://"}) {
    if (s.size() > scheme.size()) {
      bool same = true;
      for (std::size_t i = 0; i < scheme.size(); ++i) {
        char c = s[i] >= 'A' && s[i] <= 'Z' ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
        if (c != scheme[i]) same = false;
      }
      if (same) rest = s.substr(scheme.size());
    }
  }
  if (rest.empty()) return false;
  for (char c : rest)
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f) return false;
  auto end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  if (auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);  // user:pass@
  std::string_view host = authority;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos || close < 3 || close > 46) return false;
    in6_addr addr;
    if (inet_pton(AF_INET6, std::string(host.substr(1, close - 1)).c_str(), &addr) != 1) return false;
    std::string_view after = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!after.empty() && after.front() != ':') return false;
    authority = after;
  } else {
    auto colon = host.rfind(':');
    if (colon != std::string_view::npos) {
      authority = host.substr(colon);
      host = host.substr(0, colon);
    } else {
      authority = {};
    }
    if (!(host == "localhost" || valid_ipv4(host) || valid_hostname(host, true))) return false;
  }
  if (!authority.empty()) {  // ":port"
    std::string_view port = authority.substr(1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port)
      if (c < '0' || c > '9') return false;
  }
  return true;
}

// Standard base64 (RFC 4648 section 4) with padding; false on anything else.
inline bool decode_base64(std::string_view s, std::string& out) {
  if (s.size() % 4 != 0) return false;
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  out.clear();
  out.reserve(s.size() / 4 * 3);
  for (std::size_t i = 0; i < s.size(); i += 4) {
    int pad = (s[i + 3] == '=') + (s[i + 2] == '=' && s[i + 3] == '=');
    if (pad && i + 4 != s.size()) return false;
    int a = val(s[i]), b = val(s[i + 1]), c = pad >= 2 ? 0 : val(s[i + 2]), d = pad >= 1 ? 0 : val(s[i + 3]);
    if (a < 0 || b < 0 || c < 0 || d < 0) return false;
    uint32_t v = (uint32_t(a) << 18) | (uint32_t(b) << 12) | (uint32_t(c) << 6) | uint32_t(d);
    out += static_cast<char>(v >> 16);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xFF);
    if (pad < 1) out += static_cast<char>(v & 0xFF);
  }
  return true;
}

}  // namespace covet::detail
