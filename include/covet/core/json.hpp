#pragma once
// A JSON document held as validated, compact text. covet stores it as-is in
// JSON columns and reads it back without re-encoding. Json{} is `null`.
// A value type; thread-safe.
#include <string>
#include <string_view>

namespace covet {

class Json {
 public:
  Json() : text_("null") {}
  // Validates with simdjson; throws InvalidArgument naming the parse error.
  static Json parse(std::string_view text);
  // An empty object / array: the initializer for a member that should
  // start as {} (Django's default=dict): `covet::Json settings = covet::Json::object();`
  static Json object() { return Json("{}", Trusted{}); }
  static Json array() { return Json("[]", Trusted{}); }

  const std::string& text() const { return text_; }
  bool is_null() const { return text_ == "null"; }

  // Equal when they are the same JSON value: object members in any order
  // (PostgreSQL's jsonb stores them reordered), numbers by value.
  friend bool operator==(const Json& a, const Json& b) { return a.text_ == b.text_ || same_value(a.text_, b.text_); }

 private:
  friend struct JsonAccess;  // json.cpp builds values from text it has validated
  static bool same_value(std::string_view a, std::string_view b);
  struct Trusted {};
  Json(std::string text, Trusted) : text_(std::move(text)) {}
  std::string text_;
};

class Value;
// Parses JSON into a Value: arrays become Array, scalars their Value type,
// objects stay Json. Throws InvalidArgument on malformed text.
Value json_to_value(std::string_view text);

// Appends `s` to `out` as a JSON string literal (quotes included). Throws
// InvalidArgument when `s` is not valid UTF-8 (JSON text must be).
void append_json_string(std::string& out, std::string_view s);

}  // namespace covet
