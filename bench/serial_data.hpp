#pragma once
// The serialization benchmarks' data: 1,000 seed users (serial_bench.cpp),
// and the reference writers, built in their own translation unit
// (serial_reference.cpp) so where covet's code lands in the bench's object
// file does not move them.
#include <covet/covet.hpp>
#include <rapidjson/fwd.h>

#include <string>
#include <vector>

namespace covet_bench {

struct SeedUser : covet::Model<SeedUser> {
  int64_t id = 0;
  std::string username;
  std::string email;
  covet::DateTime created_at;
  bool is_active = true;
  static void meta(covet::Meta<SeedUser>& m) {
    m.table("seed_users").field(&SeedUser::username, covet::max_length(50), covet::unique());
  }
};

constexpr int kUsers = 1000;
const std::vector<SeedUser>& users();

// The same JSON as covet's serializer, by RapidJSON's Writer and by
// nlohmann::ordered_json; each returns the size written.
std::size_t write_rapidjson(rapidjson::StringBuffer& buf);
std::size_t write_nlohmann(std::string& out);

}  // namespace covet_bench
