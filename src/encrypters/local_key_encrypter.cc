#include "encrypters/local_key_encrypter.h"

#include <atomic>
#include <utility>

#include <sodium.h>

#include "crypto/base64.h"
#include "crypto/sodium_init.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kGcmNonceBytes = crypto_aead_aes256gcm_NPUBBYTES;                // 12
constexpr std::size_t kGcmTagBytes = crypto_aead_aes256gcm_ABYTES;                     // 16
constexpr std::size_t kWrapNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;  // 24
constexpr std::size_t kWrapTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;       // 16
constexpr std::string_view kKeyIdLabel = "sealstate key-id v1";
constexpr std::size_t kKeyIdHashBytes = 16;
constexpr std::size_t kKeyIdBytes = 8;
constexpr std::string_view kAuthenticationFailed = "cipher: message authentication failed";

static_assert(kLocalKeyBytes == crypto_aead_aes256gcm_KEYBYTES);
static_assert(kLocalKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);

// -1: detect; 0: simulate unavailable; 1: force available.
std::atomic<int> aes_gcm_override{-1};

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* Bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

std::string RandomNonce(std::size_t size) {
  std::string nonce(size, '\0');
  randombytes_buf(nonce.data(), nonce.size());
  return nonce;
}

}  // namespace

void SetAesGcmAvailabilityForTesting(std::optional<bool> available) {
  aes_gcm_override.store(available.has_value() ? static_cast<int>(*available) : -1);
}

bool AesGcmAvailable() {
  EnsureSodium();  // CPU features are detected by sodium_init
  const int forced = aes_gcm_override.load();
  if (forced >= 0) return forced == 1;
  return crypto_aead_aes256gcm_is_available() == 1;
}

std::string KeyIdOf(const SecretBytes& key) {
  EnsureSodium();
  unsigned char hash[kKeyIdHashBytes];
  crypto_generichash(hash, sizeof hash, Bytes(kKeyIdLabel), kKeyIdLabel.size(), key.data(), key.size());
  char hex[kKeyIdBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, kKeyIdBytes);
  return std::string(hex, kKeyIdBytes * 2);
}

Result<SecretBytes> DecodeLocalKey(std::string_view key_text, std::string_view subject) {
  Result<SecretBytes> key = Base64DecodeSecret(key_text);
  if (!key.ok()) {
    return key.status().WithPrefix(std::string(subject) + " is not valid base64: ");
  }
  if (key->size() != kLocalKeyBytes) {
    return Status::InvalidArgument(std::string(subject) + " decodes to " + std::to_string(key->size()) +
                                   " bytes, want 32");
  }
  return key;
}

LocalKeyEncrypter::LocalKeyEncrypter(std::string name, JsonObject config, SecretBytes key)
    : name_(std::move(name)), config_(std::move(config)), key_(std::move(key)), key_id_(KeyIdOf(key_)) {}

Status LocalKeyEncrypter::AesGcmUnsupported() const {
  return Status::Unsupported(name_ +
                             " encrypter: AES-256-GCM is unavailable: libsodium needs a CPU with AES-NI and "
                             "PCLMUL, which this machine lacks, so unobin v1 env-key envelopes cannot be read "
                             "or written here; sealstate v2 envelopes (XChaCha20-Poly1305) still work");
}

Result<std::string> LocalKeyEncrypter::Encrypt(std::string_view plaintext, std::string_view associated_data) const {
  if (!AesGcmAvailable()) return AesGcmUnsupported();
  if (plaintext.size() > crypto_aead_aes256gcm_MESSAGEBYTES_MAX) {
    return Status::InvalidArgument(name_ + " encrypter: plaintext too large for AES-256-GCM");
  }
  std::string out = RandomNonce(kGcmNonceBytes);
  out.resize(kGcmNonceBytes + plaintext.size() + kGcmTagBytes);
  unsigned long long sealed_size = 0;
  if (crypto_aead_aes256gcm_encrypt(Bytes(out) + kGcmNonceBytes, &sealed_size, Bytes(plaintext), plaintext.size(),
                                    Bytes(associated_data), associated_data.size(), nullptr, Bytes(out),
                                    key_.data()) != 0) {
    return Status::Internal(name_ + " encrypter: AES-256-GCM encryption failed");
  }
  return out;
}

Result<std::string> LocalKeyEncrypter::Decrypt(std::string_view ciphertext, std::string_view associated_data) const {
  if (!AesGcmAvailable()) return AesGcmUnsupported();
  if (ciphertext.size() < kGcmNonceBytes) {
    return Status::Integrity(name_ + " encrypter: ciphertext shorter than nonce");
  }
  if (ciphertext.size() < kGcmNonceBytes + kGcmTagBytes) return Status::Integrity(std::string(kAuthenticationFailed));
  const std::string_view nonce = ciphertext.substr(0, kGcmNonceBytes);
  const std::string_view sealed = ciphertext.substr(kGcmNonceBytes);
  std::string plaintext(sealed.size() - kGcmTagBytes, '\0');
  unsigned long long opened_size = 0;
  if (crypto_aead_aes256gcm_decrypt(Bytes(plaintext), &opened_size, nullptr, Bytes(sealed), sealed.size(),
                                    Bytes(associated_data), associated_data.size(), Bytes(nonce), key_.data()) != 0) {
    return Status::Integrity(std::string(kAuthenticationFailed));
  }
  return plaintext;
}

EncrypterDescription LocalKeyEncrypter::Describe() const { return {name_, config_, key_id_}; }

Result<std::string> LocalKeyEncrypter::WrapKey(const SecretBytes& data_key, std::string_view associated_data) const {
  EnsureSodium();
  std::string out = RandomNonce(kWrapNonceBytes);
  out.resize(kWrapNonceBytes + data_key.size() + kWrapTagBytes);
  unsigned long long sealed_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_encrypt(Bytes(out) + kWrapNonceBytes, &sealed_size, data_key.data(),
                                                 data_key.size(), Bytes(associated_data), associated_data.size(),
                                                 nullptr, Bytes(out), key_.data()) != 0) {
    return Status::Internal(name_ + " encrypter: XChaCha20-Poly1305 encryption failed");
  }
  return out;
}

Result<SecretBytes> LocalKeyEncrypter::UnwrapKey(std::string_view wrapped, std::string_view associated_data) const {
  EnsureSodium();
  if (wrapped.size() < kWrapNonceBytes) return Status::Integrity(name_ + " encrypter: wrapped key shorter than nonce");
  if (wrapped.size() < kWrapNonceBytes + kWrapTagBytes) return Status::Integrity(std::string(kAuthenticationFailed));
  const std::string_view nonce = wrapped.substr(0, kWrapNonceBytes);
  const std::string_view sealed = wrapped.substr(kWrapNonceBytes);
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, SecretBytes::Allocate(sealed.size() - kWrapTagBytes));
  unsigned long long opened_size = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(data_key.data(), &opened_size, nullptr, Bytes(sealed), sealed.size(),
                                                 Bytes(associated_data), associated_data.size(), Bytes(nonce),
                                                 key_.data()) != 0) {
    return Status::Integrity(std::string(kAuthenticationFailed));
  }
  return data_key;
}

Result<SecretBytes> LocalKeyEncrypter::DeriveKey(std::string_view label) const {
  EnsureSodium();
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes subkey, SecretBytes::Allocate(kLocalKeyBytes));
  if (crypto_generichash(subkey.data(), subkey.size(), Bytes(label), label.size(), key_.data(), key_.size()) != 0) {
    return Status::Internal(name_ + " encrypter: BLAKE2b key derivation failed");
  }
  return subkey;
}

}  // namespace sealstate::internal
