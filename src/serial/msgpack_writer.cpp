// MsgPackWriter's out-of-line parts.
#include "covet/serial/msgpack_writer.hpp"

#include <simdjson.h>

#include <algorithm>
#include <bit>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "covet/core/value.hpp"
#include "serial/text_format.hpp"

namespace covet {

void MsgPackWriter::too_long(std::size_t n) {
  throw InvalidArgument("cannot write MessagePack: " + std::to_string(n) + " items or bytes, more than the 2^32-1 it allows");
}

void MsgPackWriter::value(double v) {
  char* p = room(9);
  *p = static_cast<char>(0xcb);
  put_be(p + 1, std::bit_cast<uint64_t>(v), 8);
  cur_ = p + 9;
}

void MsgPackWriter::value(std::string_view s) {
  if (!detail::is_ascii(s))
    if (auto problem = utf8_problem(s)) throw InvalidArgument("cannot write MessagePack: text " + *problem);
  char* p = put_str_header(room(s.size() + 5), checked(s.size()));
  std::memcpy(p, s.data(), s.size());
  cur_ = p + s.size();
}

void MsgPackWriter::value(const DateTime& t) { cur_ = put_timestamp(room(15), t.unix_micros()); }

void MsgPackWriter::value(const Date& d) {
  char* p = put_str_header(room(11), 10);
  cur_ = detail::write_date(p, d.days_since_epoch());
}

void MsgPackWriter::value(const Uuid& u) {
  char* p = put_str_header(room(2 + 36), 36);  // str8: 36 is past fixstr's 31
  cur_ = detail::write_uuid(p, u.bytes().data());
}

void MsgPackWriter::value(const Decimal& d) { value(std::string_view(d.to_string())); }

void MsgPackWriter::value(const Bytes& b) {
  const std::size_t n = checked(b.size());
  char* p = room(n + 5);
  if (n < 256) p[0] = static_cast<char>(0xc4), p[1] = static_cast<char>(n), p += 2;
  else if (n < 65536) *p = static_cast<char>(0xc5), put_be(p + 1, n, 2), p += 3;
  else *p = static_cast<char>(0xc6), put_be(p + 1, n, 4), p += 5;
  if (n) std::memcpy(p, b.data(), n);
  cur_ = p + n;
}

namespace {
void write_element(MsgPackWriter& w, simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::ARRAY: {
      simdjson::dom::array a = e.get_array();
      std::size_t n = a.size();
      if (n == 0xFFFFFF) n = static_cast<std::size_t>(std::distance(a.begin(), a.end()));  // size() saturates there
      w.begin_array(n);
      for (simdjson::dom::element x : a) write_element(w, x);
      return;
    }
    case T::OBJECT: {
      simdjson::dom::object o = e.get_object();
      std::size_t n = o.size();
      if (n == 0xFFFFFF) n = static_cast<std::size_t>(std::distance(o.begin(), o.end()));
      w.begin_map(n);
      for (auto [k, v] : o) {
        w.key(k);
        write_element(w, v);
      }
      return;
    }
    case T::INT64: return w.value(int64_t(e));
    case T::UINT64: return w.value(uint64_t(e));
    case T::DOUBLE: return w.value(double(e));
    case T::STRING: return w.value(std::string_view(e));
    case T::BOOL: return w.value(bool(e));
    case T::NULL_VALUE: return w.null();
  }
}
}  // namespace

void MsgPackWriter::value(const Json& j) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string text(j.text());
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) throw InvalidArgument("cannot write MessagePack: invalid JSON member");
  write_element(*this, root);
}

void MsgPackWriter::value(const Value& v) {
  switch (v.type()) {
    case Value::Type::Null: return null();
    case Value::Type::Bool: return value(v.as_bool());
    case Value::Type::Int: return value(v.as_int());
    case Value::Type::Double: return value(v.as_double());
    case Value::Type::String: return value(std::string_view(v.as_string()));
    case Value::Type::Bytes: return value(v.as_bytes());
    case Value::Type::Decimal: return value(*v.get_if<Decimal>());
    case Value::Type::Date: return value(*v.get_if<Date>());
    case Value::Type::DateTime: return value(*v.get_if<DateTime>());
    case Value::Type::Uuid: return value(*v.get_if<Uuid>());
    case Value::Type::Json: return value(v.as_json());
    case Value::Type::Array:
      begin_array(v.as_array().size());
      for (const Value& e : v.as_array()) value(e);
      return;
  }
}

}  // namespace covet
