// Encrypted's sealing and opening: AES-256-GCM through OpenSSL's EVP.
#include "covet/serial/encrypted.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "covet/core/error.hpp"
#include "covet/core/text.hpp"
#include "serial/validators.hpp"

namespace covet {
namespace {

struct Ring {
  std::map<uint32_t, EncryptionKeys::Key> keys;
  uint32_t current = 0;
};

std::atomic<std::shared_ptr<const Ring>>& ring() {
  static std::atomic<std::shared_ptr<const Ring>> r;
  return r;
}

constexpr uint8_t kVersion = 1;
constexpr std::size_t kHeader = 5, kNonce = 12, kTag = 16;

struct CipherContext {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  ~CipherContext() { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

void EncryptionKeys::install(std::map<uint32_t, Key> keys, uint32_t current) {
  if (!keys.count(current)) throw ConfigurationError(fmt::format("encryption keys: the current key id {} is not among them", current));
  auto r = std::make_shared<Ring>();
  r->keys = std::move(keys);
  r->current = current;
  ring().store(std::move(r));
}

void EncryptionKeys::install_from_env(const char* variable) {
  const char* text = std::getenv(variable);
  if (!text || !*text) throw ConfigurationError(fmt::format("encryption keys: {} is not set", variable));
  std::map<uint32_t, Key> keys;
  std::optional<uint32_t> current;
  std::string_view rest = text;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    auto colon = item.find(':');
    std::string raw;
    uint32_t id = 0;
    bool ok = colon != std::string_view::npos && colon > 0 && detail::decode_base64(item.substr(colon + 1), raw) &&
              raw.size() == 32;
    for (char c : item.substr(0, colon == std::string_view::npos ? 0 : colon)) {
      if (c < '0' || c > '9' || id > 400'000'000u) ok = false;
      id = id * 10 + static_cast<uint32_t>(c - '0');
    }
    if (!ok)
      throw ConfigurationError(fmt::format("encryption keys: {} must hold id:base64 pairs of 32-byte keys, "
                                           "separated by commas", variable));
    Key k;
    std::copy(raw.begin(), raw.end(), k.begin());
    keys[id] = k;
    if (!current) current = id;
  }
  install(std::move(keys), *current);
}

void EncryptionKeys::clear() { ring().store(nullptr); }

namespace detail {

Bytes seal(std::string_view plain) {
  if (auto problem = text_problem(plain)) throw InvalidArgument("an Encrypted value must be valid text: it " + *problem);
  std::shared_ptr<const Ring> r = ring().load();
  if (!r)
    throw ConfigurationError("no encryption keys: call covet::EncryptionKeys::install() or set COVET_ENCRYPTION_KEYS "
                             "before writing an Encrypted field");
  const EncryptionKeys::Key& key = r->keys.at(r->current);
  std::vector<uint8_t> out(kHeader + kNonce + plain.size() + kTag);
  out[0] = kVersion;
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<uint8_t>(r->current >> (24 - 8 * i));
  if (RAND_bytes(out.data() + kHeader, kNonce) != 1) throw OperationalError("no random bytes for a nonce", "", "", false);
  CipherContext c;
  int len = 0;
  bool ok = c.ctx && EVP_EncryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) == 1 &&
            EVP_EncryptInit_ex(c.ctx, nullptr, nullptr, key.data(), out.data() + kHeader) == 1 &&
            EVP_EncryptUpdate(c.ctx, nullptr, &len, out.data(), kHeader) == 1 &&  // the header, authenticated
            EVP_EncryptUpdate(c.ctx, out.data() + kHeader + kNonce, &len, reinterpret_cast<const uint8_t*>(plain.data()),
                              static_cast<int>(plain.size())) == 1 &&
            EVP_EncryptFinal_ex(c.ctx, out.data() + kHeader + kNonce + len, &len) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_GET_TAG, kTag, out.data() + out.size() - kTag) == 1;
  if (!ok) throw OperationalError("AES-256-GCM encryption failed", "", "", false);
  return Bytes(std::move(out));
}

std::string open_sealed(const Bytes& sealed) {
  const uint8_t* p = sealed.data();
  const std::size_t n = sealed.size();
  if (n < kHeader + kNonce + kTag || p[0] != kVersion)
    throw InvalidArgument("an encrypted value is truncated or not one covet wrote");
  const uint32_t id = (uint32_t{p[1]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[3]} << 8) | p[4];
  std::shared_ptr<const Ring> r = ring().load();
  if (!r || !r->keys.count(id))
    throw InvalidArgument(fmt::format("an encrypted value was sealed with key {}, which is not installed", id));
  const EncryptionKeys::Key& key = r->keys.at(id);
  const std::size_t body = n - kHeader - kNonce - kTag;
  std::string plain(body, '\0');
  CipherContext c;
  int len = 0;
  std::array<uint8_t, kTag> tag;
  std::copy(p + n - kTag, p + n, tag.begin());
  bool ok = c.ctx && EVP_DecryptInit_ex(c.ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_IVLEN, kNonce, nullptr) == 1 &&
            EVP_DecryptInit_ex(c.ctx, nullptr, nullptr, key.data(), p + kHeader) == 1 &&
            EVP_DecryptUpdate(c.ctx, nullptr, &len, p, kHeader) == 1 &&
            EVP_DecryptUpdate(c.ctx, reinterpret_cast<uint8_t*>(plain.data()), &len, p + kHeader + kNonce,
                              static_cast<int>(body)) == 1 &&
            EVP_CIPHER_CTX_ctrl(c.ctx, EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) == 1 &&
            EVP_DecryptFinal_ex(c.ctx, reinterpret_cast<uint8_t*>(plain.data()) + len, &len) == 1;
  if (!ok) throw InvalidArgument("an encrypted value failed authentication (tampered with, or sealed with another key)");
  if (!is_valid_text(plain)) throw InvalidArgument("an encrypted value does not hold valid text");
  return plain;
}

}  // namespace detail
}  // namespace covet
