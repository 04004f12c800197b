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

namespace {
std::string describe_items(const std::vector<ValidationError::Errors>& items) {
  std::string out = "validation failed:";
  for (std::size_t i = 0; i < items.size(); ++i)
    for (const auto& [field, messages] : items[i])
      for (const auto& m : messages) out += fmt::format(" [{}] {}: {};", i, field, m);
  if (out.back() == ';') out.pop_back();
  return out;
}
void write_errors(JsonWriter& w, const ValidationError::Errors& errors) {
  w.begin_object();
  for (const auto& [field, messages] : errors) {
    w.key(field);
    w.value(messages);
  }
  w.end_object();
}
}  // namespace

ValidationError::ValidationError(std::vector<Errors> items) : Error(describe_items(items)), items_(std::move(items)) {}

std::string ValidationError::to_json() const {
  JsonWriter w;
  if (!items_.empty()) {
    w.begin_array();
    for (const Errors& e : items_) write_errors(w, e);
    w.end_array();
  } else {
    write_errors(w, errors_);
  }
  return w.take();
}

}  // namespace covet
