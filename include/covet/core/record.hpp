#pragma once
// Record: one result row as named Values (values(), raw SQL). Column names
// are shared by every Record of a result.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "covet/core/value.hpp"

namespace covet {

class Record {
 public:
  Record();  // no columns
  Record(std::shared_ptr<const std::vector<std::string>> names, std::vector<Value> values)
      : names_(std::move(names)), values_(std::move(values)) {}

  // Throws FieldError naming the available columns when absent.
  const Value& operator[](std::string_view name) const;
  // Checked: FieldError when i is not a column of the row.
  const Value& operator[](std::size_t i) const;
  bool contains(std::string_view name) const;
  std::size_t size() const { return values_.size(); }
  const std::vector<std::string>& names() const { return *names_; }
  const std::vector<Value>& values() const { return values_; }
  auto begin() const { return values_.begin(); }
  auto end() const { return values_.end(); }

 private:
  std::shared_ptr<const std::vector<std::string>> names_;
  std::vector<Value> values_;
};

}  // namespace covet
