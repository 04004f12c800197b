// The reference writers of serial_bench.cpp (see serial_data.hpp).
#include <nlohmann/json.hpp>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstring>

#include "serial_data.hpp"

namespace covet_bench {

namespace {
// The references format created_at as a good C programmer would: integer
// date arithmetic and a two-digit table, into a stack buffer (27 bytes).
void format_rfc3339(char* out, int64_t us) {
  static constexpr char d2[] =
      "0001020304050607080910111213141516171819202122232425262728293031323334353637383940414243444546474849"
      "5051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
  int64_t days = us / 86'400'000'000LL, rem = us % 86'400'000'000LL;
  if (rem < 0) rem += 86'400'000'000LL, --days;
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  unsigned doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  unsigned day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
  unsigned year = static_cast<unsigned>(yoe + era * 400 + (month <= 2));
  unsigned secs = static_cast<unsigned>(rem / 1'000'000), frac = static_cast<unsigned>(rem % 1'000'000);
  auto two = [&](char* p, unsigned v) { std::memcpy(p, d2 + 2 * v, 2); };
  two(out, year / 100), two(out + 2, year % 100), out[4] = '-', two(out + 5, month), out[7] = '-', two(out + 8, day);
  out[10] = 'T', two(out + 11, secs / 3600), out[13] = ':', two(out + 14, secs / 60 % 60), out[16] = ':';
  two(out + 17, secs % 60), out[19] = '.', two(out + 20, frac / 10000), two(out + 22, frac / 100 % 100);
  two(out + 24, frac % 100), out[26] = 'Z';
}

}  // namespace

std::size_t write_rapidjson(rapidjson::StringBuffer& buf) {
  buf.Clear();
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  char date[27];
  for (const SeedUser& u : users()) {
    w.StartObject();
    w.Key("id", 2);
    w.Int64(u.id);
    w.Key("username", 8);
    w.String(u.username.data(), static_cast<rapidjson::SizeType>(u.username.size()));
    w.Key("email", 5);
    w.String(u.email.data(), static_cast<rapidjson::SizeType>(u.email.size()));
    w.Key("created_at", 10);
    format_rfc3339(date, u.created_at.unix_micros());
    w.String(date, 27);
    w.Key("is_active", 9);
    w.Bool(u.is_active);
    w.EndObject();
  }
  w.EndArray();
  return buf.GetSize();
}

std::size_t write_nlohmann(std::string& out) {
  nlohmann::ordered_json arr = nlohmann::ordered_json::array();
  char date[27];
  for (const SeedUser& u : users()) {
    format_rfc3339(date, u.created_at.unix_micros());
    arr.push_back({{"id", u.id},
                   {"username", u.username},
                   {"email", u.email},
                   {"created_at", std::string_view(date, 27)},
                   {"is_active", u.is_active}});
  }
  out = arr.dump();
  return out.size();
}

}  // namespace covet_bench
