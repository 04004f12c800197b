#pragma once
// The growable byte buffer under JsonWriter and MsgPackWriter: a
// std::string whose size is the capacity, and a cursor into it, so a
// writer checks room once and then stores bytes without bounds checks.
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace covet::detail {

class OutputBuffer {
 public:
  OutputBuffer(const OutputBuffer&) = delete;
  OutputBuffer& operator=(const OutputBuffer&) = delete;

  std::string_view view() const { return {buf_.data(), size()}; }
  std::size_t size() const { return cur_ ? static_cast<std::size_t>(cur_ - buf_.data()) : 0; }
  bool empty() const { return size() == 0; }
  // Makes room for n more bytes without growing later.
  void reserve(std::size_t n) { room(n); }

  // ---- for writers keeping their own cursor ----
  // The next `n` bytes may be written at the returned pointer; commit(p)
  // marks everything before p written.
  char* room(std::size_t n) {
    if (end_ - cur_ < static_cast<std::ptrdiff_t>(n)) [[unlikely]]  // signed: a miscount past the end still grows
      grow(n);
    return cur_;
  }
  void commit(char* p) { cur_ = p; }
  // Bytes writable at the cursor before the buffer grows.
  std::size_t available() const { return static_cast<std::size_t>(end_ - cur_); }
  // Bytes the caller vouches for, as they are.
  void append(std::string_view s) {
    char* p = room(s.size());
    std::memcpy(p, s.data(), s.size());
    cur_ = p + s.size();
  }

 protected:
  explicit OutputBuffer(std::size_t reserve) { grow(reserve); }
  OutputBuffer(OutputBuffer&& o) noexcept { *this = std::move(o); }
  OutputBuffer& operator=(OutputBuffer&& o) noexcept {
    buf_ = std::move(o.buf_);  // never in the string's inline buffer: cur_ stays valid
    cur_ = o.cur_, end_ = o.end_;
    o.buf_.clear(), o.cur_ = o.end_ = nullptr;
    return *this;
  }
  ~OutputBuffer() = default;
  // Forgets what was written; keeps the memory.
  void clear_bytes() {
    if (cur_) cur_ = buf_.data();  // (no buffer yet after take())
  }
  // The bytes written, moved out; the buffer starts over empty.
  std::string take_bytes();
  void grow(std::size_t n);

  std::string buf_;
  char* cur_ = nullptr;
  char* end_ = nullptr;
};

}  // namespace covet::detail
