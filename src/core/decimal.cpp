#include "covet/core/decimal.hpp"

#include <cstdlib>
#include <fmt/format.h>

#include "covet/core/error.hpp"

namespace covet {

namespace {
// Canonicalizes a validated decimal: sign, integer digits (no leading zeros,
// at least one), fraction digits as given; "-0" becomes "0".
std::string canonical(bool neg, std::string ip, std::string fp) {
  size_t nz = ip.find_first_not_of('0');
  ip = nz == std::string::npos ? "0" : ip.substr(nz);
  bool zero = ip == "0" && fp.find_first_not_of('0') == std::string::npos;
  std::string out = (neg && !zero) ? "-" : "";
  out += ip;
  if (!fp.empty()) out += "." + fp;
  return out;
}
}  // namespace

// Strict and symmetric: [+-]digits[.digits][(e|E)[+-]digits], at least one
// digit before or after the point, one sign at most in each place, nothing
// else (no blanks, no "inf"/"nan", no "1e+-5").
Decimal::Decimal(std::string_view text) {
  auto bad = [&] { throw InvalidArgument("invalid decimal '" + std::string(text) + "'"); };
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) neg = s[0] == '-', s.remove_prefix(1);
  std::string ip, fp;
  size_t i = 0;
  while (i < s.size() && is_digit(s[i])) ip += s[i++];
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) fp += s[i++];
  }
  if (ip.empty() && fp.empty()) bad();
  long exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool exp_neg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_neg = s[i++] == '-';
    if (i == s.size()) bad();
    for (; i < s.size(); ++i) {
      if (!is_digit(s[i])) bad();
      exp = exp * 10 + (s[i] - '0');
      if (exp > 1000) bad();
    }
    if (exp_neg) exp = -exp;
  }
  if (i != s.size()) bad();
  // Shift the point by the exponent.
  for (; exp > 0; --exp) {
    ip += fp.empty() ? '0' : fp[0];
    if (!fp.empty()) fp.erase(0, 1);
  }
  for (; exp < 0; ++exp) {
    fp.insert(fp.begin(), ip.empty() ? '0' : ip.back());
    if (!ip.empty()) ip.pop_back();
  }
  text_ = canonical(neg, ip, fp);
}

Decimal Decimal::from_double(double v, int decimal_places) {
  return Decimal(fmt::format("{:.{}f}", v, decimal_places < 0 ? 0 : decimal_places));
}

double Decimal::to_double() const { return std::strtod(text_.c_str(), nullptr); }

int Decimal::integer_digits() const {
  size_t start = text_[0] == '-';
  size_t dot = text_.find('.');
  size_t end = dot == std::string::npos ? text_.size() : dot;
  std::string_view ip(text_.data() + start, end - start);
  return ip == "0" ? 0 : static_cast<int>(ip.size());
}

int Decimal::fraction_digits() const {
  size_t dot = text_.find('.');
  return dot == std::string::npos ? 0 : static_cast<int>(text_.size() - dot - 1);
}

Decimal Decimal::quantize(int places) const {
  bool neg = text_[0] == '-';
  size_t dot = text_.find('.');
  std::string ip = text_.substr(neg, (dot == std::string::npos ? text_.size() : dot) - neg);
  std::string fp = dot == std::string::npos ? "" : text_.substr(dot + 1);
  if (static_cast<int>(fp.size()) <= places) {
    fp.append(static_cast<size_t>(places) - fp.size(), '0');
    return Decimal(std::string(neg ? "-" : "") + ip + (places ? "." + fp : ""));
  }
  bool round_up = fp[static_cast<size_t>(places)] >= '5';
  std::string digits = ip + fp.substr(0, static_cast<size_t>(places));
  if (round_up) {
    int k = static_cast<int>(digits.size()) - 1;
    while (k >= 0 && digits[static_cast<size_t>(k)] == '9') digits[static_cast<size_t>(k--)] = '0';
    if (k < 0) digits.insert(digits.begin(), '1');
    else ++digits[static_cast<size_t>(k)];
  }
  std::string int_part = digits.substr(0, digits.size() - static_cast<size_t>(places));
  std::string out = std::string(neg ? "-" : "") + (int_part.empty() ? "0" : int_part);
  if (places) out += "." + digits.substr(digits.size() - static_cast<size_t>(places));
  return Decimal(out);
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) {
  auto split = [](const std::string& t, bool& neg, std::string& ip, std::string& fp) {
    neg = t[0] == '-';
    size_t dot = t.find('.');
    ip = t.substr(neg, (dot == std::string::npos ? t.size() : dot) - neg);
    fp = dot == std::string::npos ? "" : t.substr(dot + 1);
    while (!fp.empty() && fp.back() == '0') fp.pop_back();
  };
  bool na, nb;
  std::string ia, fa, ib, fb;
  split(a.text_, na, ia, fa);
  split(b.text_, nb, ib, fb);
  bool za = ia == "0" && fa.empty(), zb = ib == "0" && fb.empty();
  if (za && zb) return std::strong_ordering::equal;
  if (na != nb) return na ? std::strong_ordering::less : std::strong_ordering::greater;
  std::strong_ordering mag = std::strong_ordering::equal;
  if (ia.size() != ib.size()) mag = ia.size() <=> ib.size();
  else if (int c = ia.compare(ib); c != 0) mag = c <=> 0;
  else {
    size_t n = std::max(fa.size(), fb.size());
    fa.resize(n, '0');
    fb.resize(n, '0');
    mag = fa.compare(fb) <=> 0;
  }
  if (na) return 0 <=> mag;
  return mag;
}

}  // namespace covet
