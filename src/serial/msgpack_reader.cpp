// ModelSerializer's MessagePack input, read in place from the body's bytes.
//
// The body is checked whole first, in one pass with no allocation per
// value: every header complete, every size within the bytes left, text
// valid UTF-8, map keys text, nesting within max_depth, nothing after the
// root value. The fields are then decoded straight from the bytes.
// (msgpack-cxx's unpack() was not used: it builds a tree in a zone and
// allocates a claimed count of items before reading them, so a 5-byte body
// claiming 2^32 items asks for gigabytes; a reader must check first anyway,
// and then needs no tree.)
#include <algorithm>
#include <array>
#include <cmath>
#include <bit>
#include <cstring>

#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "serial/reader.hpp"
#include "serial/text_format.hpp"

namespace covet::detail {
namespace {

using Byte = unsigned char;

// A big-endian integer of n (1, 2, 4 or 8) bytes.
inline uint64_t be(const Byte* p, int n) {
  switch (n) {
    case 1: return p[0];
    case 2: {
      uint16_t v;
      std::memcpy(&v, p, 2);
      return __builtin_bswap16(v);
    }
    case 4: {
      uint32_t v;
      std::memcpy(&v, p, 4);
      return __builtin_bswap32(v);
    }
    default: {
      uint64_t v;
      std::memcpy(&v, p, 8);
      return __builtin_bswap64(v);
    }
  }
}

[[noreturn, gnu::noinline]] void malformed(std::string_view why) {
  throw ParseError(fmt::format("MessagePack parse error - {}", why));
}

// One value's header: what it is, how many header bytes (an ext's type
// byte included) and n: the payload's bytes for str/bin/ext and numbers,
// the items for an array, the pairs for a map.
struct Header {
  enum Kind : uint8_t { Nil, Bool, UInt, Int, Float32, Float64, Str, Bin, Ext, Array, Map, Invalid } kind;
  uint8_t head;
  uint64_t n;
  bool container() const { return kind == Array || kind == Map; }
  uint64_t payload() const { return container() ? 0 : n; }  // bytes after the header
};

// Per first byte: the kind, the header's bytes, the bytes of its length
// field (0: n is in the table).
struct Code {
  Header::Kind kind;
  uint8_t head, len_bytes, n;
};
constexpr std::array<Code, 256> kCodes = [] {
  std::array<Code, 256> t{};
  for (int b = 0; b < 256; ++b) {
    auto u = static_cast<uint8_t>(b);
    Code c{Header::Invalid, 1, 0, 0};
    if (b <= 0x7f) c = {Header::UInt, 1, 0, 0};
    else if (b >= 0xe0) c = {Header::Int, 1, 0, 0};
    else if (b <= 0x8f) c = {Header::Map, 1, 0, static_cast<uint8_t>(u & 0x0f)};
    else if (b <= 0x9f) c = {Header::Array, 1, 0, static_cast<uint8_t>(u & 0x0f)};
    else if (b <= 0xbf) c = {Header::Str, 1, 0, static_cast<uint8_t>(u & 0x1f)};
    else {
      switch (b) {
        case 0xc0: c = {Header::Nil, 1, 0, 0}; break;
        case 0xc2: case 0xc3: c = {Header::Bool, 1, 0, 0}; break;
        case 0xc4: c = {Header::Bin, 2, 1, 0}; break;
        case 0xc5: c = {Header::Bin, 3, 2, 0}; break;
        case 0xc6: c = {Header::Bin, 5, 4, 0}; break;
        case 0xc7: c = {Header::Ext, 3, 1, 0}; break;
        case 0xc8: c = {Header::Ext, 4, 2, 0}; break;
        case 0xc9: c = {Header::Ext, 6, 4, 0}; break;
        case 0xca: c = {Header::Float32, 1, 0, 4}; break;
        case 0xcb: c = {Header::Float64, 1, 0, 8}; break;
        case 0xcc: c = {Header::UInt, 1, 0, 1}; break;
        case 0xcd: c = {Header::UInt, 1, 0, 2}; break;
        case 0xce: c = {Header::UInt, 1, 0, 4}; break;
        case 0xcf: c = {Header::UInt, 1, 0, 8}; break;
        case 0xd0: c = {Header::Int, 1, 0, 1}; break;
        case 0xd1: c = {Header::Int, 1, 0, 2}; break;
        case 0xd2: c = {Header::Int, 1, 0, 4}; break;
        case 0xd3: c = {Header::Int, 1, 0, 8}; break;
        case 0xd4: c = {Header::Ext, 2, 0, 1}; break;
        case 0xd5: c = {Header::Ext, 2, 0, 2}; break;
        case 0xd6: c = {Header::Ext, 2, 0, 4}; break;
        case 0xd7: c = {Header::Ext, 2, 0, 8}; break;
        case 0xd8: c = {Header::Ext, 2, 0, 16}; break;
        case 0xd9: c = {Header::Str, 2, 1, 0}; break;
        case 0xda: c = {Header::Str, 3, 2, 0}; break;
        case 0xdb: c = {Header::Str, 5, 4, 0}; break;
        case 0xdc: c = {Header::Array, 3, 2, 0}; break;
        case 0xdd: c = {Header::Array, 5, 4, 0}; break;
        case 0xde: c = {Header::Map, 3, 2, 0}; break;
        case 0xdf: c = {Header::Map, 5, 4, 0}; break;
        default: break;  // 0xc1, never used
      }
    }
    t[static_cast<std::size_t>(b)] = c;
  }
  return t;
}();

// The header at p, in a checked body (its length field is there).
inline Header header(const Byte* p) {
  const Code c = kCodes[*p];
  return {c.kind, c.head, c.len_bytes ? be(p + 1, c.len_bytes) : c.n};
}

[[gnu::noinline]] void check_utf8(const Byte* p, uint64_t n) {
  if (auto problem = utf8_problem(std::string_view(reinterpret_cast<const char*>(p), n))) malformed("text " + *problem);
}

// One value's header at p (bounds and type checked); a scalar's payload is
// checked and skipped. Returns the items of a non-empty container (a map's
// keys and values both count), 0 for anything else.

[[gnu::always_inline]] inline uint64_t check_value(const Byte*& p, const Byte* end, bool key) {
  if (p >= end) malformed("the input ends inside a value");
  const Code c = kCodes[*p];
  if (c.kind == Header::Invalid) malformed("byte 0xc1 is not a MessagePack type");
  if (static_cast<std::size_t>(end - p) < c.head) malformed("the input ends inside a value");
  if (key && c.kind != Header::Str) malformed("a map key is not text");
  const uint64_t n = c.len_bytes ? be(p + 1, c.len_bytes) : c.n;
  p += c.head;
  const auto left = static_cast<uint64_t>(end - p);
  if (c.kind == Header::Array || c.kind == Header::Map) {
    const uint64_t items = c.kind == Header::Map ? 2 * n : n;
    if (items > left) malformed("a size larger than the input");  // every item takes a byte at least
    return items;
  }
  if (n > left) malformed("the input ends inside a value");
  if (c.kind == Header::Str && !is_ascii(std::string_view(reinterpret_cast<const char*>(p), n))) [[unlikely]]
    check_utf8(p, n);
  p += n;
  return 0;
}

// Checks the whole body (see the top of the file); throws ParseError.
void check(const Byte* p, const Byte* end, std::size_t max_depth) {
  struct Frame {
    uint64_t left;  // items still to come (a map's keys and values both count)
    bool map;
  };
  std::vector<Frame> stack;
  const Byte* root = p;
  if (uint64_t items = check_value(p, end, false)) {
    if (max_depth < 1) malformed(fmt::format("nested deeper than {} levels", max_depth));
    stack.push_back({items, kCodes[*root].kind == Header::Map});
  }
  while (!stack.empty()) {
    Frame& top = stack.back();
    const bool is_key = top.map && top.left % 2 == 0;
    const Byte* at = p;
    const uint64_t items = check_value(p, end, is_key);
    --top.left;
    if (items) {
      if (stack.size() + 1 > max_depth) malformed(fmt::format("nested deeper than {} levels", max_depth));
      stack.push_back({items, kCodes[*at].kind == Header::Map});
      continue;
    }
    // One item done: close every container it completed.
    while (!stack.empty() && stack.back().left == 0) stack.pop_back();
  }
  if (p != end) malformed("content after the value");
}

// The byte after the value at p (the body is checked).
const Byte* skip_container(const Byte* p);
inline const Byte* skip(const Byte* p) {
  const Header h = header(p);
  if (!h.container()) [[likely]]
    return p + h.head + h.n;
  return skip_container(p);
}
const Byte* skip_container(const Byte* p) {
  uint64_t left = 1;
  while (left) {
    --left;
    const Header h = header(p);
    p += h.head;
    if (h.kind == Header::Array) left += h.n;
    else if (h.kind == Header::Map) left += 2 * h.n;
    else p += h.n;
  }
  return p;
}

std::string_view text_at(const Header& h, const Byte* p) {
  return {reinterpret_cast<const char*>(p + h.head), static_cast<std::size_t>(h.n)};
}

void write_json(JsonWriter& w, const Byte*& p);

// A value of a checked body as reader.hpp's source element.
struct PackElement {
  const Byte* p;
  Header h;  // decoded once

  explicit PackElement(const Byte* at) : p(at), h(header(at)) {}
  PackElement(const Byte* at, const Header& head) : p(at), h(head) {}
  const Header& head() const { return h; }
  // The byte after this value.
  const Byte* end() const { return h.container() ? skip_container(p) : p + h.head + h.n; }
  bool is_null() const { return *p == 0xc0; }
  bool string(std::string_view& s) const {
    if (h.kind != Header::Str) return false;
    s = text_at(h, p);
    return true;
  }
  bool int64(int64_t& v) const {
    const Byte b = *p;
    if (b <= 0x7f) return v = b, true;
    if (b >= 0xe0) return v = static_cast<int8_t>(b), true;
    if (h.kind == Header::UInt) {
      const uint64_t u = be(p + 1, static_cast<int>(h.n));
      if (u > static_cast<uint64_t>(INT64_MAX)) return false;
      return v = static_cast<int64_t>(u), true;
    }
    if (h.kind == Header::Int) {
      const uint64_t u = be(p + 1, static_cast<int>(h.n));
      switch (h.n) {
        case 1: v = static_cast<int8_t>(u); break;
        case 2: v = static_cast<int16_t>(u); break;
        case 4: v = static_cast<int32_t>(u); break;
        default: v = static_cast<int64_t>(u); break;
      }
      return true;
    }
    return false;
  }
  bool too_big() const { return *p == 0xcf && be(p + 1, 8) > static_cast<uint64_t>(INT64_MAX); }
  bool uint64(uint64_t& u) const { return *p == 0xcf && (u = be(p + 1, 8), true); }
  bool number(double& d) const {
    if (*p == 0xcb) return d = std::bit_cast<double>(be(p + 1, 8)), true;
    if (*p == 0xca) return d = std::bit_cast<float>(static_cast<uint32_t>(be(p + 1, 4))), true;
    int64_t i;
    if (int64(i)) return d = static_cast<double>(i), true;
    if (*p == 0xcf) return d = static_cast<double>(be(p + 1, 8)), true;
    return false;
  }
  bool boolean(bool& b) const {
    if (*p != 0xc2 && *p != 0xc3) return false;
    b = *p == 0xc3;
    return true;
  }
  // The timestamp extension (type -1) in its 32-, 64- or 96-bit form, as
  // microseconds (nanoseconds below a microsecond dropped).
  bool timestamp(int64_t& us) const {
    if (h.kind != Header::Ext || static_cast<int8_t>(p[h.head - 1]) != -1) return false;
    const Byte* d = p + h.head;
    uint64_t nsec;
    int64_t sec;
    if (h.n == 4) {
      nsec = 0, sec = static_cast<int64_t>(be(d, 4));
    } else if (h.n == 8) {
      const uint64_t v = be(d, 8);
      nsec = v >> 34, sec = static_cast<int64_t>(v & ((uint64_t{1} << 34) - 1));
    } else if (h.n == 12) {
      nsec = be(d, 4), sec = static_cast<int64_t>(be(d + 4, 8));
    } else {
      return false;
    }
    constexpr int64_t kMaxSec = DateTime::kMaxMicros / 1'000'000 + 1, kMinSec = DateTime::kMinMicros / 1'000'000 - 1;
    if (nsec >= 1'000'000'000 || sec > kMaxSec || sec < kMinSec) return false;
    us = sec * 1'000'000 + static_cast<int64_t>(nsec / 1000);
    return true;
  }
  bool bytes(std::string_view& s) const {
    if (h.kind != Header::Bin) return false;
    s = text_at(h, p);
    return true;
  }
  bool native(FieldKind, Value&) const { return false; }
  Json json() const {
    JsonWriter w;
    const Byte* q = p;
    write_json(w, q);
    return Json::parse(w.view());
  }
  template <class F>
  bool array(F&& each) const {
    if (h.kind != Header::Array) return false;
    const Byte* q = p + h.head;
    for (uint64_t i = 0; i < h.n; ++i) {
      const PackElement x(q);
      each(x);
      q = x.end();
    }
    return true;
  }
  std::string_view type_name() const {
    switch (h.kind) {
      case Header::Nil: return "null";
      case Header::Bool: return "bool";
      case Header::Str: return "str";
      case Header::Bin: return "bytes";
      case Header::Ext: return "extension";
      case Header::Array: return "list";
      case Header::Map: return "dict";
      default: return "number";
    }
  }
};

// A value of a checked body written as JSON (a Json member's input): maps
// as objects, bin as base64 text, a timestamp as RFC 3339 text; other
// extensions have no JSON form (InvalidArgument, a field error).
void write_json(JsonWriter& w, const Byte*& p) {
  const PackElement e{p};
  const Header h = e.head();
  int64_t i;
  double d;
  switch (h.kind) {
    case Header::Nil: w.null(); break;
    case Header::Bool: w.value(*p == 0xc3); break;
    case Header::Str: w.value(text_at(h, p)); break;
    case Header::Bin: w.value(Bytes::from(text_at(h, p))); break;
    case Header::Ext:
      if (!e.timestamp(i)) throw InvalidArgument("a MessagePack extension other than a timestamp has no JSON form");
      w.value(DateTime::from_unix_micros(i));
      break;
    case Header::Array:
    case Header::Map: {
      p += h.head;
      h.kind == Header::Map ? w.begin_object() : w.begin_array();
      for (uint64_t k = 0; k < h.n; ++k) {
        if (h.kind == Header::Map) {
          w.key(text_at(header(p), p));
          p = skip(p);
        }
        write_json(w, p);
      }
      h.kind == Header::Map ? w.end_object() : w.end_array();
      return;
    }
    default:
      if (e.int64(i)) w.value(i);
      else if (*p == 0xcf) w.value(be(p + 1, 8));
      else if (e.number(d)) w.value(d);  // NaN and infinities: InvalidArgument
      break;
  }
  p = skip(p);
}

struct PackObject {
  const Byte* p;  // a map header
  const Byte** end = nullptr;  // set to the byte after the map
  template <class F>
  void each(F&& f) const {
    const Header h = header(p);
    const Byte* q = p + h.head;
    for (uint64_t i = 0; i < h.n; ++i) {
      const Header k = header(q);
      std::string_view key = text_at(k, q);
      q += k.head + k.n;
      const PackElement v(q);
      f(key, v);
      q = v.end();
    }
    if (end) *end = q;
  }
};

const Byte* checked_body(std::string_view body, const ReadOptions& o) {
  if (body.size() > o.max_bytes)
    throw PayloadTooLarge(fmt::format("the input has {} bytes, more than the {} accepted", body.size(), o.max_bytes));
  const auto* p = reinterpret_cast<const Byte*>(body.data());
  check(p, p + body.size(), o.max_depth);
  return p;
}

// A value of the checked body as direct_member's source.
struct PackSource {
  const PackElement& e;
  bool null() const { return e.is_null(); }
  bool integer(int64_t& x) const { return e.int64(x); }
  bool number(double& x) const { return e.number(x) && std::isfinite(x); }  // MessagePack has NaN and infinities
  bool boolean(bool& b) const { return e.boolean(b); }
  bool text(std::string_view& s, bool& may_hold_nul) const { return may_hold_nul = true, e.string(s); }
  bool datetime(DateTime& t) const {
    int64_t us;
    if (!e.timestamp(us)) {
      std::string_view s;
      return e.string(s) && datetime_text(s, t);
    }
    if (us < DateTime::kMinMicros || us > DateTime::kMaxMicros) return false;
    return t = DateTime::from_unix_micros(us), true;
  }
};

// ---- The list's direct path (see json_direct.cpp) ----
// The body is read once, checked as it goes as check() checks it (each
// header and payload within the bytes, text UTF-8, map keys text, nothing
// after the list), each map's keys expected in field order, each value
// read as its member's op wants it. Anything else (a container where a
// scalar belongs, an unknown key, a value of another type, a failed check)
// is given up on: the objects go, `in` is reset, and the general path
// checks and reads the body and reports.

// A container header of `kind` at q, within the bytes: its count (a map's
// pairs), q moved past it.
inline bool direct_container(const Byte*& q, const Byte* end, Header::Kind kind, uint64_t& n) {
  if (q >= end) return false;
  const Code c = kCodes[*q];
  if (c.kind != kind || static_cast<std::size_t>(end - q) < c.head) return false;
  n = c.len_bytes ? be(q + 1, c.len_bytes) : c.n;
  q += c.head;
  return (kind == Header::Map ? 2 * n : n) <= static_cast<uint64_t>(end - q);  // every item takes a byte at least
}

// The scalar at q checked, its header decoded into h: the byte after it,
// or null (a container, 0xc1, a value past the end, text not UTF-8).
inline const Byte* direct_scalar(const Byte* q, const Byte* end, Header& h) {
  if (q >= end) return nullptr;
  const Code c = kCodes[*q];
  static_assert(Header::Array < Header::Map && Header::Map < Header::Invalid && Header::Invalid == Header::Kind(11));
  if (c.kind >= Header::Array || static_cast<std::size_t>(end - q) < c.head) return nullptr;  // a container, 0xc1
  const uint64_t n = c.len_bytes ? be(q + 1, c.len_bytes) : c.n;
  h = {c.kind, c.head, n};
  q += c.head;
  if (n > static_cast<uint64_t>(end - q)) return nullptr;
  const std::string_view text(reinterpret_cast<const char*>(q), static_cast<std::size_t>(n));
  if (c.kind == Header::Str && !is_ascii(text) && utf8_problem(text)) return nullptr;
  return q + n;
}

bool read_msgpack_list_direct(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                              FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop) {
  const auto* q = reinterpret_cast<const Byte*>(body.data());
  const Byte* const end = q + body.size();
  const std::size_t n = p.fields.size();
  std::size_t made = 0;
  uint64_t count;
  if (!direct_container(q, end, Header::Array, count) || count > o.max_items) return direct_give_up(in, made, drop);
  for (uint64_t item = 0; item < count; ++item) {
    uint64_t pairs;
    if (!direct_container(q, end, Header::Map, pairs)) return direct_give_up(in, made, drop);
    // Room for the items the header claims, up to 4096 (past it the vector
    // grows as vectors do): a body that gives up later has not reserved
    // what the general path, which checks first, never would.
    void* obj = next(static_cast<std::size_t>(std::min<uint64_t>(count, 4096)));
    ++made;
    std::size_t expect = 0;
    uint64_t given = 0;
    for (uint64_t k = 0; k < pairs; ++k) {
      if (q >= end) return direct_give_up(in, made, drop);
      // The key: the expected name as a fixstr (ASCII, so valid UTF-8), or
      // any text, checked and looked up.
      std::size_t i = expect;
      const Byte* value;
      if (const unsigned len = *q & 0x1fu; i < n && (*q & 0xe0) == 0xa0 && len < static_cast<std::size_t>(end - q) &&
                                             same_name({reinterpret_cast<const char*>(q + 1), len}, p.fields[i].name)) {
        value = q + 1 + len;
      } else {
        Header kh;
        value = direct_scalar(q, end, kh);
        if (!value || kh.kind != Header::Str) return direct_give_up(in, made, drop);  // keys are text
        const SerialField* named = find_field_for_key(p, in, text_at(kh, q));
        if (!named) return direct_give_up(in, made, drop);
        i = static_cast<std::size_t>(named - p.fields.data());
      }
      expect = i + 1;
      const uint64_t bit = uint64_t{1} << i;
      if (given & bit) return direct_give_up(in, made, drop);
      given |= bit;
      Header vh;
      const Byte* after = direct_scalar(value, end, vh);
      if (!after) return direct_give_up(in, made, drop);
      const SerialField& f = p.fields[i];
      // (A read-only field's value is ignored, as read_object ignores it.)
      if (!f.read_only) {
        const PackElement e(value, vh);
        PackSource src{e};
        if (!direct_member(p, f, src, obj, in, o)) return direct_give_up(in, made, drop);
      }
      q = after;
    }
    if (!direct_finish(p, o, obj, given)) return direct_give_up(in, made, drop);
  }
  if (q != end) return direct_give_up(in, made, drop);  // content after the list
  return true;
}

}  // namespace

void read_msgpack(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                  const Executor* db, bool updating) {
  const Byte* root = checked_body(body, o);
  const PackElement e{root};
  if (e.head().kind != Header::Map) throw ValidationError(not_an_object(e.type_name()));
  read_object(p, PackObject{root}, o, in, db, updating);
}

void read_msgpack_list(const SerializerPlan& p, std::string_view body, const ReadOptions& o, InputData& in,
                       FunctionRef<void*(std::size_t)> next, FunctionRef<void()> drop, const Executor* db) {
  // The direct path: a plain plan, no database checks, the depth of a
  // list of maps allowed.
  if (p.lean_input && !db && o.max_depth >= 2 && body.size() <= o.max_bytes &&
      read_msgpack_list_direct(p, body, o, in, next, drop))
    return;
  const Byte* root = checked_body(body, o);
  const Header h = header(root);
  if (h.kind != Header::Array)
    throw ValidationError(fmt::format("Expected a list of items but got type \"{}\".", PackElement{root}.type_name()));
  check_list_size(static_cast<std::size_t>(h.n), o);
  ListReader list(p, in, next, drop, static_cast<std::size_t>(h.n), db);
  const Byte* q = root + h.head;
  for (uint64_t i = 0; i < h.n; ++i) {
    list.begin();
    const PackElement item{q};
    if (item.head().kind != Header::Map) {
      in.error(not_an_object(item.type_name()));
      q = skip(q);
    } else {
      read_object(p, PackObject{q, &q}, o, in, db, false);
    }
    list.end();
  }
  list.finish();
}

}  // namespace covet::detail
