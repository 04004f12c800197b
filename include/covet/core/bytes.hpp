#pragma once
// Binary data (a Binary field / BLOB column). May hold any byte, NUL included.
#include <cstdint>
#include <string_view>
#include <vector>

namespace covet {

class Bytes {
 public:
  Bytes() = default;
  Bytes(std::vector<uint8_t> data) : data_(std::move(data)) {}
  Bytes(std::initializer_list<uint8_t> data) : data_(data) {}
  static Bytes from(std::string_view raw) { return Bytes(std::vector<uint8_t>(raw.begin(), raw.end())); }

  const uint8_t* data() const { return data_.data(); }
  size_t size() const { return data_.size(); }
  bool empty() const { return data_.empty(); }
  std::string_view view() const { return {reinterpret_cast<const char*>(data_.data()), data_.size()}; }
  std::vector<uint8_t>& vector() { return data_; }
  const std::vector<uint8_t>& vector() const { return data_; }

  friend bool operator==(const Bytes&, const Bytes&) = default;

 private:
  std::vector<uint8_t> data_;
};

}  // namespace covet
