// MsgPackWriter: every size class of every form, byte for byte where the
// spec fixes the bytes, and read back by msgpack-cxx (an independent
// implementation) for the rest.
#include "support/msgpack_helpers.hpp"

#include <gtest/gtest.h>

#include <covet/covet.hpp>

#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <string>

namespace {

using namespace covet;
using testing_msgpack::timestamp_micros;

std::string pack(auto&& f) {
  MsgPackWriter w;
  f(w);
  return w.take();
}

std::string hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) out += d[c >> 4], out += d[c & 15];
  return out;
}

msgpack::object_handle unpack(const std::string& bytes) { return msgpack::unpack(bytes.data(), bytes.size()); }

TEST(MsgPackWriter, IntegersTakeTheSmallestForm) {
  const std::pair<int64_t, const char*> cases[] = {
      {0, "00"},
      {127, "7f"},
      {128, "cc80"},
      {255, "ccff"},
      {256, "cd0100"},
      {65535, "cdffff"},
      {65536, "ce00010000"},
      {4294967295LL, "ceffffffff"},
      {4294967296LL, "cf0000000100000000"},
      {-1, "ff"},
      {-32, "e0"},
      {-33, "d0df"},
      {-128, "d080"},
      {-129, "d1ff7f"},
      {-32768, "d18000"},
      {-32769, "d2ffff7fff"},
      {INT32_MIN, "d280000000"},
      {int64_t{INT32_MIN} - 1, "d3ffffffff7fffffff"},
      {std::numeric_limits<int64_t>::min(), "d38000000000000000"},
  };
  for (auto [v, want] : cases) {
    std::string bytes = pack([&](MsgPackWriter& w) { w.value(v); });
    EXPECT_EQ(hex(bytes), want) << v;
    EXPECT_EQ(unpack(bytes).get().as<int64_t>(), v);
  }
  EXPECT_EQ(hex(pack([](MsgPackWriter& w) { w.value(std::numeric_limits<uint64_t>::max()); })), "cfffffffffffffffff");
}

TEST(MsgPackWriter, StringsBytesArraysAndMapsHaveTheirHeaders) {
  for (std::size_t n : {0u, 31u, 32u, 255u, 256u, 65535u, 65536u}) {
    std::string s(n, 'x');
    std::string bytes = pack([&](MsgPackWriter& w) { w.value(s); });
    EXPECT_EQ(unpack(bytes).get().as<std::string>(), s) << n;
    EXPECT_EQ(bytes.size() - n, n < 32 ? 1u : n < 256 ? 2u : n < 65536 ? 3u : 5u) << n;
    Bytes b = Bytes::from(s);
    std::string packed = pack([&](MsgPackWriter& w) { w.value(b); });
    EXPECT_EQ(unpack(packed).get().as<std::vector<char>>().size(), n);
  }
  EXPECT_THROW(pack([](MsgPackWriter& w) { w.value(std::string("\xC3\x28")); }), InvalidArgument);
  EXPECT_EQ(hex(pack([](MsgPackWriter& w) {
              w.begin_map(2);
              w.key("a");
              w.value(true);
              w.key("b");
              w.begin_array(3);
              w.null();
              w.value(false);
              w.value(1.5);
            })),
            "82a161c3a16293c0c2cb3ff8000000000000");
  std::string big = pack([](MsgPackWriter& w) {
    w.begin_array(16);
    for (int i = 0; i < 16; ++i) w.value(i);
  });
  EXPECT_EQ(hex(big.substr(0, 3)), "dc0010");
  EXPECT_EQ(unpack(big).get().as<std::vector<int>>().size(), 16u);
}

TEST(MsgPackWriter, TimesAreTheTimestampExtensionInItsSmallestForm) {
  // Whole seconds from 1970 to 2106: 32-bit; with a fraction before 2514: 64-bit; else 96-bit.
  EXPECT_EQ(hex(pack([](MsgPackWriter& w) { w.value(DateTime::from_unix_micros(0)); })), "d6ff00000000");
  EXPECT_EQ(hex(pack([](MsgPackWriter& w) { w.value(DateTime::from_unix_micros(1'500'000)); })).substr(0, 4), "d7ff");
  EXPECT_EQ(hex(pack([](MsgPackWriter& w) { w.value(DateTime(1969, 12, 31, 23, 59, 59)); })).substr(0, 6), "c70cff");
  for (DateTime t : {DateTime(2024, 1, 15, 10, 30, 0, 123456), DateTime(1969, 12, 31, 23, 59, 59, 999999),
                     DateTime(1, 1, 1), DateTime(9999, 12, 31, 23, 59, 59, 999999), DateTime(2200, 1, 1, 0, 0, 0, 1)}) {
    std::string bytes = pack([&](MsgPackWriter& w) { w.value(t); });
    EXPECT_EQ(timestamp_micros(unpack(bytes).get()), t.unix_micros()) << t.to_iso();
  }
}

TEST(MsgPackWriter, EveryFreeSpaceBeforeAFixedFormIsEnough) {
  // A UUID is a 38-byte str8: with any free space before it, the buffer
  // grows in time (a miscount once wrote past it).
  Uuid u = Uuid::v4();
  for (std::size_t pad = 0; pad < 300; ++pad) {
    MsgPackWriter w;
    w.value(std::string(pad, 'a'));
    w.value(u);
    w.value(DateTime(1900, 1, 1, 0, 0, 0, 1));
    w.value(std::string(1000, 'b'));
    std::size_t head = pad < 32 ? 1 : pad < 256 ? 2 : 3;
    EXPECT_EQ(w.size(), head + pad + 38 + 15 + 3 + 1000) << pad;
  }
}

TEST(MsgPackWriter, OtherKindsMatchTheirJsonForms) {
  EXPECT_EQ(unpack(pack([](MsgPackWriter& w) { w.value(Date(2024, 2, 29)); })).get().as<std::string>(), "2024-02-29");
  EXPECT_EQ(unpack(pack([](MsgPackWriter& w) { w.value(Decimal("-1.50")); })).get().as<std::string>(), "-1.50");
  Uuid u = Uuid::parse("123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(unpack(pack([&](MsgPackWriter& w) { w.value(u); })).get().as<std::string>(), u.to_string());
  auto doc = unpack(pack([](MsgPackWriter& w) { w.value(Json::parse(R"({"a":[1,-2,1.5,"s",null,true]})")); }));  // kept alive
  auto m = doc.get().as<std::map<std::string, msgpack::object>>();
  ASSERT_EQ(m.count("a"), 1u);
  EXPECT_EQ(m["a"].via.array.size, 6u);
  EXPECT_EQ(m["a"].via.array.ptr[1].as<int>(), -2);
  double nan = std::nan("");
  EXPECT_TRUE(std::isnan(unpack(pack([&](MsgPackWriter& w) { w.value(nan); })).get().as<double>()));
}

// A serializer copies ASCII text in the loads that check it: every length
// (short words, 16-byte blocks, the overlapping last block) comes out
// whole, and text with other bytes goes through the UTF-8 check.
struct Named : Model<Named> {
  int64_t id = 0;
  std::string name;
};

TEST(MsgPackWriter, ASerializersTextIsCopiedWholeAtEveryLength) {
  auto s = ModelSerializer<Named>();
  for (std::size_t n = 0; n < 80; ++n) {
    for (int at = -1; at < static_cast<int>(n); ++at) {
      Named x;
      for (std::size_t i = 0; i < n; ++i) x.name += static_cast<char>('a' + i % 26);
      if (at >= 0) x.name.replace(static_cast<std::size_t>(at), 1, "\xC3\xA9");  // é: two bytes past ASCII
      auto doc = unpack(s.to_msgpack(x));
      auto m = doc.get().as<std::map<std::string, msgpack::object>>();
      EXPECT_EQ(m["name"].as<std::string>(), x.name) << n << " " << at;
    }
  }
  Named bad;
  bad.name = "abcdefghijklmnopq\xff";
  EXPECT_THROW(s.to_msgpack(bad), InvalidArgument);
}

}  // namespace
