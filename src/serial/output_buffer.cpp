// OutputBuffer's growth, shared by the JSON and MessagePack writers.
#include "covet/serial/output_buffer.hpp"

#include <algorithm>

namespace covet::detail {

void OutputBuffer::grow(std::size_t n) {
  std::size_t used = size();
  std::size_t cap = std::max({buf_.size() * 2, used + n, std::size_t{256}});
  buf_.resize(cap);  // never small enough for the string's inline buffer: moves keep cur_ valid
  cur_ = buf_.data() + used;
  end_ = buf_.data() + buf_.size();
}

std::string OutputBuffer::take_bytes() {
  buf_.resize(size());
  std::string out = std::move(buf_);
  buf_ = std::string();
  cur_ = end_ = nullptr;
  return out;
}

}  // namespace covet::detail
