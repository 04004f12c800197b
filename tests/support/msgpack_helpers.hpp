#pragma once
// MessagePack test helpers over msgpack-cxx (without Boost).
#define MSGPACK_NO_BOOST
#include <msgpack.hpp>

#include <cstdint>
#include <stdexcept>

namespace testing_msgpack {

// The timestamp extension (type -1) decoded by hand: msgpack-cxx's chrono
// adaptor needs Boost.
inline int64_t timestamp_micros(const msgpack::object& o) {
  if (o.type != msgpack::type::EXT || o.via.ext.type() != -1) throw std::runtime_error("not a timestamp");
  auto be = [&](std::size_t at, int n) {
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 8 | static_cast<unsigned char>(o.via.ext.data()[at + i]);
    return v;
  };
  switch (o.via.ext.size) {
    case 4: return static_cast<int64_t>(be(0, 4)) * 1'000'000;
    case 8: {
      uint64_t v = be(0, 8);
      return static_cast<int64_t>(v & ((uint64_t{1} << 34) - 1)) * 1'000'000 + static_cast<int64_t>(v >> 34) / 1000;
    }
    case 12: return static_cast<int64_t>(be(4, 8)) * 1'000'000 + static_cast<int64_t>(be(0, 4)) / 1000;
  }
  throw std::runtime_error("bad timestamp size");
}

}  // namespace testing_msgpack
