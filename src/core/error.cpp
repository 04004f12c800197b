#include "covet/core/error.hpp"
#include "covet/serial/json_writer.hpp"

#include <fmt/format.h>

namespace covet {

DatabaseError::DatabaseError(const std::string& message, std::string code, std::string sql,
                             bool poisons_connection, std::string sqlstate)
    : Error(message),
      code_(std::move(code)),
      sql_(std::move(sql)),
      sqlstate_(std::move(sqlstate)),
      poisons_connection_(poisons_connection) {}

std::string_view DatabaseError::sqlstate() const noexcept {
  return sqlstate_.empty() ? default_sqlstate() : std::string_view(sqlstate_);
}

IntegrityError::IntegrityError(const std::string& message, std::string code, std::string sql,
                               std::string constraint, std::string sqlstate)
    : DatabaseError(message, std::move(code), std::move(sql), false, std::move(sqlstate)),
      constraint_(std::move(constraint)) {}

namespace {
std::string describe(const ValidationError::Errors& errors) {
  std::string out = "validation failed:";
  for (const auto& [field, messages] : errors) {
    for (const auto& m : messages) out += fmt::format(" {}: {};", field, m);
  }
  if (!out.empty() && out.back() == ';') out.pop_back();
  return out;
}
}  // namespace

ValidationError::ValidationError(Errors errors) : Error(describe(errors)), errors_(std::move(errors)) {}

ValidationError::ValidationError(const std::string& field, const std::string& message)
    : ValidationError(Errors{{field, {message}}}) {}

ValidationError::ValidationError(const std::string& message) : ValidationError(Errors{{"non_field_errors", {message}}}) {}

std::string ValidationError::to_json() const {
  JsonWriter w;
  w.begin_object();
  for (const auto& [field, messages] : errors_) {
    w.key(field);
    w.value(messages);
  }
  w.end_object();
  return w.take();
}

}  // namespace covet
