#pragma once
// What the fuzz targets check on every input: ModelSerializer's input side
// (JSON or MessagePack) over a model with every field kind and over a
// registration serializer with options, validators and input fields.
//
// The same bodies are also created in a rolled-back transaction (the
// database checks), and the MessagePack target reads its bytes as a
// covet::Record of Values too (the Value source).
//
// An input may be refused, but only with an exception from covet's
// hierarchy (ParseError, PayloadTooLarge, ValidationError, ...); anything
// else escapes and libFuzzer reports it, as it reports a crash, a leak or a
// sanitizer error. An input that is accepted must round-trip: written as
// JSON and MessagePack and read back, it writes the same JSON again.
#include <covet/covet.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "support/models.hpp"  // Everything: one member of every field kind

namespace covet_fuzz {

using covet::InputFormat;
using covet::ModelSerializer;
using covet::ReadOptions;
using testing_models::Everything;

struct Account : covet::Model<Account> {
  int64_t id = 0;
  std::string username;
  std::string email;
  std::string password_hash;
  int32_t age = 0;
  std::optional<std::string> website;
  static void meta(covet::Meta<Account>& m) {
    m.table("accounts").field(&Account::username, covet::max_length(20));
  }
};

// Every field writable, so that what is read can be read back.
inline const ModelSerializer<Everything>& everything() {
  static const auto s = ModelSerializer<Everything>()
                            .options("id", {.read_only = false})
                            .options("body", {.allow_blank = true})
                            .options("nickname", {.allow_blank = true, .min_length = 2});
  return s;
}

inline const ModelSerializer<Account>& registration() {
  static const auto s =
      ModelSerializer<Account>()
          .input_field("password", covet::FieldKind::Text, {.min_length = 8})
          .input_field("password_confirm", covet::FieldKind::Text)
          .fields({"id", "username", "email", "age", "website", "password", "password_confirm"})
          .read_only({"id"})
          .options("username", {.regex = "[a-z][a-z0-9_]*"})
          .options("email", {.email = true})
          .options("website", {.url = true})
          .options("age", {.min_value = 0, .max_value = 150})
          .validator("email",
                     [](std::string& e) {
                       for (char& c : e)
                         if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                     })
          .validate([](covet::Input<Account>& in) {
            if (in.extra("password") != in.extra("password_confirm")) return in.error("Passwords do not match");
            in.object().password_hash = "hashed:" + in.extra("password").as_string();
            in.erase_extra("password_confirm");
          });
  return s;
}

[[noreturn]] inline void round_trip_failed(std::string_view what, const std::string& a, const std::string& b) {
  std::fprintf(stderr, "round trip changed the data (%.*s):\n  %s\n  %s\n", static_cast<int>(what.size()), what.data(),
               a.c_str(), b.c_str());
  std::abort();
}

template <class T>
void round_trip(const ModelSerializer<T>& s, const T& obj) {
  std::string json;
  try {
    json = s.to_json(obj);
  } catch (const covet::InvalidArgument&) {
    return;  // a value JSON cannot hold: refused, as documented
  }
  // From here nothing may fail: covet reads back what it wrote.
  try {
    const ReadOptions all{.max_bytes = 1 << 24, .max_string_bytes = 1 << 24};
    std::string again = s.to_json(s.from_json(json, all));
    if (again != json) round_trip_failed("JSON", json, again);
    std::string packed = s.to_json(s.from_msgpack(s.to_msgpack(obj), all));
    if (packed != json) round_trip_failed("MessagePack", json, packed);
    std::string named = s.to_json(s.from_record(s.to_record(obj), all));
    if (named != json) round_trip_failed("Record", json, named);
  } catch (const covet::Error& e) {
    round_trip_failed(std::string("refused: ") + e.what(), json, "");
  }
}

// `round`: whether what this serializer accepts can be read back (not when
// it takes write-only input fields, which its output leaves out).
template <class T>
void exercise(const ModelSerializer<T>& s, std::string_view body, InputFormat format, bool partial, bool round) {
  try {
    auto in = s.read(body, {.format = format, .partial = partial});
    if (round && !partial) round_trip(s, in.object());
  } catch (const covet::Error&) {
  }
  if (partial) return;
  std::vector<T> list;
  try {
    list = format == InputFormat::Json ? s.from_json_list(body) : s.from_msgpack_list(body);
  } catch (const covet::Error&) {
  }
  if (round)
    for (const T& obj : list) round_trip(s, obj);
}

// The database paths: create() and create_list() in a transaction rolled
// back afterwards, so the unique checks (against the table, and among a
// list's items) and the binding of whatever was accepted run on every
// input without the table growing.
inline covet::Database& database() {
  static covet::Database db = [] {
    covet::Database d("sqlite://:memory:");
    d.create_all<Everything>();
    d.create_all<Account>();
    return d;
  }();
  return db;
}

template <class T>
void exercise_database(const ModelSerializer<T>& s, std::string_view body, InputFormat format) {
  auto tx = database().transaction();
  try {
    s.create(tx, body, {.format = format});
  } catch (const covet::Error&) {
  }
  try {
    s.create_list(tx, body, {.format = format});
  } catch (const covet::Error&) {
  }
  tx.rollback();
}

// A Record made from the input's bytes: names of the serializer's fields
// (and some it does not have, and repeats) with Values of every type, text
// that is not UTF-8 included, read through the Value source.
inline covet::Record record_from(std::string_view bytes, const std::vector<std::string>& names) {
  auto keys = std::make_shared<std::vector<std::string>>();
  std::vector<covet::Value> values;
  std::size_t at = 0;
  auto byte = [&]() -> uint8_t { return at < bytes.size() ? static_cast<uint8_t>(bytes[at++]) : 0; };
  auto take = [&](std::size_t n) {
    std::string_view t = bytes.substr(std::min(at, bytes.size()), n);
    at += t.size();
    return t;
  };
  auto int64 = [&] {
    int64_t v = 0;
    std::string_view t = take(8);
    std::memcpy(&v, t.data(), t.size());
    return v;
  };
  while (at < bytes.size() && keys->size() < 16) {
    const uint8_t k = byte();
    keys->push_back(k < 2 * names.size() ? names[k % names.size()] : "unknown" + std::to_string(k % 4));
    const std::size_t len = byte() % 48;
    try {
      switch (byte() % 13) {
        case 0: values.emplace_back(); break;
        case 1: values.emplace_back(int64()); break;
        case 2: values.emplace_back(std::bit_cast<double>(int64())); break;
        case 3: values.emplace_back(std::string(take(len))); break;
        case 4: values.emplace_back((byte() & 1) != 0); break;
        case 5: values.emplace_back(covet::Bytes::from(take(len))); break;
        case 6: values.emplace_back(covet::DateTime::from_unix_micros(int64() % covet::DateTime::kMaxMicros)); break;
        case 7: values.emplace_back(covet::Date::from_days(static_cast<int32_t>(int64() % 2'900'000))); break;
        case 8: {
          std::array<uint8_t, 16> b{};
          std::string_view t = take(16);
          std::memcpy(b.data(), t.data(), t.size());
          values.emplace_back(covet::Uuid(b));
          break;
        }
        case 9: values.emplace_back(covet::Decimal(take(len))); break;
        case 10: values.emplace_back(covet::Json::parse(take(len))); break;
        case 11: values.emplace_back(covet::Array{covet::Value(int64()), covet::Value(std::string(take(len)))}); break;
        default: values.emplace_back(std::vector<std::string>{std::string(take(len))}); break;
      }
    } catch (const covet::Error&) {  // bytes that make no such value
      values.emplace_back(std::string(take(len)));
    }
  }
  keys->resize(values.size());
  return covet::Record(std::move(keys), std::move(values));
}

template <class T>
void exercise_record(const ModelSerializer<T>& s, std::string_view bytes, bool round) {
  static const std::vector<std::string> names = [&] {
    std::vector<std::string> n;
    for (const auto& f : s.plan().fields) n.push_back(f.name);
    return n;
  }();
  const covet::Record r = record_from(bytes, names);
  for (bool partial : {false, true}) {
    try {
      T obj = s.from_record(r, {.partial = partial});
      if (round && !partial) round_trip(s, obj);
    } catch (const covet::Error&) {
    }
  }
}

// The lists' direct paths (a plain serializer) against the general paths
// (the same serializer with a validator that changes nothing, which keeps
// it there): the same objects or the same error, for every body.
inline std::string list_outcome(const ModelSerializer<Account>& s, std::string_view body, InputFormat format) {
  try {
    return "ok " + s.to_json(format == InputFormat::Json ? s.from_json_list(body) : s.from_msgpack_list(body));
  } catch (const covet::ValidationError& e) {
    return "invalid " + e.to_json();
  } catch (const covet::Error& e) {
    return std::string("error ") + e.what();
  }
}

inline void compare_list_paths(std::string_view body, InputFormat format) {
  static const auto direct =
      ModelSerializer<Account>().options("email", {.email = true}).options("age", {.min_value = 0, .max_value = 150});
  static const auto dom = direct.validator("age", [](int32_t&) {});
  if (!direct.plan().lean_input || dom.plan().lean_input) std::abort();  // each serializer on its path
  const std::string a = list_outcome(direct, body, format), b = list_outcome(dom, body, format);
  if (a != b) {
    std::fprintf(stderr, "the direct path and the general path differ:\n  %s\n  %s\n", a.c_str(), b.c_str());
    std::abort();
  }
}

inline void run(const uint8_t* data, std::size_t size, InputFormat format) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  compare_list_paths(body, format);
  exercise(everything(), body, format, false, true);
  exercise(everything(), body, format, true, true);
  exercise(registration(), body, format, false, false);
  exercise_database(everything(), body, format);
  exercise_database(registration(), body, format);
  if (format == InputFormat::MsgPack) {  // one target reads the bytes as Records too
    exercise_record(everything(), body, true);
    exercise_record(registration(), body, false);
  }
}

}  // namespace covet_fuzz
