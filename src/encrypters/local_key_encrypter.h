// The encrypter behind env-key and key-file: a 32-byte key held in guarded memory.
//
// Encrypt/Decrypt are unobin's env-key cipher, AES-256-GCM: nonce(12) || ciphertext || tag(16)
// with a fresh random nonce per call. WrapKey/UnwrapKey (v2 envelopes) use
// XChaCha20-Poly1305-IETF instead: nonce(24) || ciphertext || tag(16), which needs no AES-NI.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <sealstate/encrypter.h>
#include <sealstate/json.h>
#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Bytes in a local key.
inline constexpr std::size_t kLocalKeyBytes = 32;

// Overrides CPU detection of AES-256-GCM support: false simulates a CPU without AES-NI/PCLMUL,
// true forces "available", nullopt restores real detection. For tests only; thread-safe.
void SetAesGcmAvailabilityForTesting(std::optional<bool> available);

// Whether Encrypt/Decrypt can run here (libsodium's check, unless overridden for tests).
bool AesGcmAvailable();

// The key's public fingerprint: 16 lower-case hex digits, the first 8 bytes of BLAKE2b keyed
// with `key` over the label "sealstate key-id v1". REQUIRES: key.size() == kLocalKeyBytes.
std::string KeyIdOf(const SecretBytes& key);

// Decodes standard base64 key text straight into guarded memory and checks it is 32 bytes.
// `subject` starts every message ("env-key encrypter: VAR"). Errors (kInvalidArgument):
//   "<subject> is not valid base64: illegal base64 data at input byte N"
//   "<subject> decodes to N bytes, want 32"
Result<SecretBytes> DecodeLocalKey(std::string_view key_text, std::string_view subject);

// An encrypter holding one local key. Thread-safe: all methods are const and the key is never
// modified after construction. Never prints, logs or returns the key.
class LocalKeyEncrypter final : public Encrypter {
 public:
  // `name` is the key source ("env-key", "key-file"), used in Describe() and error prefixes;
  // `config` is its non-secret configuration. REQUIRES: key.size() == kLocalKeyBytes.
  LocalKeyEncrypter(std::string name, JsonObject config, SecretBytes key);

  // AES-256-GCM seal. Errors: kUnsupported without AES-NI; kInvalidArgument if too large.
  Result<std::string> Encrypt(std::string_view plaintext, std::string_view associated_data) const override;
  // AES-256-GCM open. Errors: kIntegrity ("<name> encrypter: ciphertext shorter than nonce",
  // "cipher: message authentication failed"); kUnsupported without AES-NI.
  Result<std::string> Decrypt(std::string_view ciphertext, std::string_view associated_data) const override;
  // {name, config, key id}.
  EncrypterDescription Describe() const override;
  // XChaCha20-Poly1305 seal of a data key: nonce(24) || ciphertext || tag(16).
  Result<std::string> WrapKey(const SecretBytes& data_key, std::string_view associated_data) const override;
  // Inverse of WrapKey, into guarded memory. Errors: kIntegrity as for Decrypt.
  Result<SecretBytes> UnwrapKey(std::string_view wrapped, std::string_view associated_data) const override;
  // BLAKE2b-256 keyed with the key over `label`, into guarded memory.
  Result<SecretBytes> DeriveKey(std::string_view label) const override;

 private:
  // kUnsupported explaining why unobin v1 (AES-GCM) envelopes cannot be used here.
  Status AesGcmUnsupported() const;

  std::string name_;
  JsonObject config_;
  SecretBytes key_;
  std::string key_id_;
};

}  // namespace sealstate::internal
