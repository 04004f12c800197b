#pragma once
// What the fuzz targets check on every input: ModelSerializer's input side
// (JSON or MessagePack) over a model with every field kind and over a
// registration serializer with options, validators and input fields.
//
// An input may be refused, but only with an exception from covet's
// hierarchy (ParseError, PayloadTooLarge, ValidationError, ...); anything
// else escapes and libFuzzer reports it, as it reports a crash, a leak or a
// sanitizer error. An input that is accepted must round-trip: written as
// JSON and MessagePack and read back, it writes the same JSON again.
#include <covet/covet.hpp>

#include <cstdint>
#include <cstdlib>
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

inline void run(const uint8_t* data, std::size_t size, InputFormat format) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  exercise(everything(), body, format, false, true);
  exercise(everything(), body, format, true, true);
  exercise(registration(), body, format, false, false);
}

}  // namespace covet_fuzz
