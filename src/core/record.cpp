#include "covet/core/record.hpp"

#include "covet/core/error.hpp"

namespace covet {

Record::Record() {
  static const auto none = std::make_shared<const std::vector<std::string>>();
  names_ = none;
}

const Value& Record::operator[](std::string_view name) const {
  for (std::size_t i = 0; i < names_->size(); ++i)
    if ((*names_)[i] == name) return values_[i];
  std::string all;
  for (const auto& n : *names_) all += (all.empty() ? "" : ", ") + n;
  throw FieldError("row has no column '" + std::string(name) + "' (columns: " + all + ")");
}

const Value& Record::operator[](std::size_t i) const {
  if (i >= values_.size())
    throw FieldError("row has no column " + std::to_string(i) + " (it has " + std::to_string(values_.size()) + ")");
  return values_[i];
}

bool Record::contains(std::string_view name) const {
  for (const auto& n : *names_)
    if (n == name) return true;
  return false;
}

}  // namespace covet
