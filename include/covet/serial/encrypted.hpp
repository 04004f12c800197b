#pragma once
// Encrypted: a text member stored encrypted (AES-256-GCM, OpenSSL), the
// seed's EncryptedField. The program sees and serializers show the plain
// text; the column (Binary) holds version, key id, a random 96-bit nonce,
// the ciphertext and the 128-bit tag, the header authenticated too.
//
//   struct Patient : covet::Model<Patient> {
//     int64_t id = 0;
//     covet::Encrypted ssn;            // or std::optional<covet::Encrypted>
//   };
//   covet::EncryptionKeys::install({{1, key}}, 1);   // at start-up, or
//   covet::EncryptionKeys::install_from_env();       // COVET_ENCRYPTION_KEYS="2:<base64>,1:<base64>"
//
// Keys rotate by id: new values are sealed with the current key, older
// ones open with the key their header names, and saving a row again
// re-seals it with the current key. A value that was tampered with or cut
// short, or whose key is not installed, is refused when loaded (DataError
// naming the field), never returned as garbage. Equal plain texts give
// different stored bytes, so an encrypted field cannot be filtered on.
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "covet/core/bytes.hpp"
#include "covet/schema/field_type.hpp"

namespace covet {

// The process's key ring. install() replaces it as a whole (readers see
// the old ring or the new one, never a mix); thread-safe.
class EncryptionKeys {
 public:
  using Key = std::array<uint8_t, 32>;
  // ConfigurationError when `current` is not among the keys.
  static void install(std::map<uint32_t, Key> keys, uint32_t current);
  // From an environment variable holding "id:base64key" pairs separated by
  // commas, the first being the current key. ConfigurationError when it is
  // missing or malformed.
  static void install_from_env(const char* variable = "COVET_ENCRYPTION_KEYS");
  // Forgets every key (tests).
  static void clear();
};

struct Encrypted {
  std::string value;
  Encrypted() = default;
  Encrypted(std::string v) : value(std::move(v)) {}
  Encrypted(const char* v) : value(v) {}
  friend bool operator==(const Encrypted&, const Encrypted&) = default;
};

namespace detail {
Bytes seal(std::string_view plain);
std::string open_sealed(const Bytes& sealed);  // InvalidArgument when it does not authenticate
}  // namespace detail

template <>
struct FieldType<Encrypted> {
  using storage = Bytes;
  using wire = std::string;  // serializers read and write the plain text
  static Bytes to_db(const Encrypted& e) { return detail::seal(e.value); }
  static Encrypted from_db(const Bytes& b) { return Encrypted{detail::open_sealed(b)}; }
  static const std::string& to_wire(const Encrypted& e) { return e.value; }
  static Encrypted from_wire(std::string s) { return Encrypted{std::move(s)}; }
};

}  // namespace covet
