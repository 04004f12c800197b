#include "covet/core/json.hpp"

#include <simdjson.h>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/core/value.hpp"

namespace covet {

struct JsonAccess {
  static Json make(std::string validated) { return Json(std::move(validated), Json::Trusted{}); }
};

namespace {
// One parser per thread, reused: its buffers grow once instead of per value.
simdjson::dom::parser& thread_parser() {
  thread_local simdjson::dom::parser parser;
  return parser;
}
}  // namespace

Json Json::parse(std::string_view text) {
  simdjson::padded_string padded(text);
  auto doc = thread_parser().parse(padded);
  if (doc.error()) {
    throw InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(doc.error()));
  }
  return Json(simdjson::minify(doc.value()), Trusted{});
}

namespace {
Value from_element(simdjson::dom::element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: {
      Array out;
      for (auto child : e.get_array()) out.push_back(from_element(child));
      return out;
    }
    case simdjson::dom::element_type::OBJECT: return JsonAccess::make(simdjson::minify(e));  // no re-parse: the parser is busy
    case simdjson::dom::element_type::INT64: return int64_t(e.get_int64());
    case simdjson::dom::element_type::UINT64: return Value(uint64_t(e.get_uint64()));
    case simdjson::dom::element_type::DOUBLE: return double(e.get_double());
    case simdjson::dom::element_type::STRING: return std::string(std::string_view(e.get_string()));
    case simdjson::dom::element_type::BOOL: return bool(e.get_bool());
    case simdjson::dom::element_type::NULL_VALUE: return Value();
  }
  return Value();
}
}  // namespace

namespace {
bool same_element(simdjson::dom::element a, simdjson::dom::element b) {
  using T = simdjson::dom::element_type;
  auto number = [](T t) { return t == T::INT64 || t == T::UINT64 || t == T::DOUBLE; };
  if (number(a.type()) && number(b.type())) {
    if (a.type() == T::DOUBLE || b.type() == T::DOUBLE) return double(a) == double(b);  // 1.0 == 1
    if (a.type() == T::INT64 && b.type() == T::INT64) return int64_t(a) == int64_t(b);
    if (a.type() == T::UINT64 && b.type() == T::UINT64) return uint64_t(a) == uint64_t(b);
    return false;  // one negative, one beyond int64
  }
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case T::ARRAY: {
      simdjson::dom::array x = a, y = b;
      if (x.size() != y.size()) return false;
      for (auto i = x.begin(), j = y.begin(); i != x.end(); ++i, ++j)
        if (!same_element(*i, *j)) return false;
      return true;
    }
    case T::OBJECT: {
      simdjson::dom::object x = a, y = b;
      if (x.size() != y.size()) return false;
      for (auto field : x) {
        auto other = y.at_key(field.key);
        if (other.error() || !same_element(field.value, other.value_unsafe())) return false;
      }
      return true;
    }
    case T::STRING: return std::string_view(a) == std::string_view(b);
    case T::BOOL: return bool(a) == bool(b);
    default: return true;  // null
  }
}
}  // namespace

bool Json::same_value(std::string_view a, std::string_view b) {
  // Two parsers: each document stays alive while the other is read.
  thread_local simdjson::dom::parser pa, pb;
  simdjson::padded_string ta(a), tb(b);
  auto da = pa.parse(ta);
  auto db = pb.parse(tb);
  if (da.error() || db.error()) return false;
  return same_element(da.value(), db.value());
}

Value json_to_value(std::string_view text) {
  simdjson::padded_string padded(text);
  auto doc = thread_parser().parse(padded);
  if (doc.error()) throw InvalidArgument(std::string("invalid JSON: ") + simdjson::error_message(doc.error()));
  return from_element(doc.value());
}

void append_json_string(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  if (auto problem = utf8_problem(s)) throw InvalidArgument("a JSON string must be valid UTF-8; this one " + *problem);
  out += '"';
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

}  // namespace covet
