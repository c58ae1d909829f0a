#include "encrypters/passphrase_encrypter.h"

#include <cstdlib>
#include <cstring>
#include <utility>

#include <sodium.h>

#include "crypto/sodium_init.h"
#include "encrypters/secret_file.h"
#include "encrypters/terminal_passphrase.h"

namespace sealstate::internal {
namespace {

// The salt every wrap had before salts were per stack (see LegacyFixedSalt).
constexpr std::string_view kLegacySaltLabel = "sealstate passphrase salt v1";
constexpr std::string_view kWrapKeyLabel = "sealstate passphrase wrap v1";
constexpr std::string_view kKeyIdLabel = "sealstate passphrase key-id v1";
constexpr std::size_t kDerivedBytes = 32;
constexpr std::size_t kKeyIdHashBytes = 16;
constexpr std::size_t kKeyIdBytes = 8;
// Derivations kept per encrypter; beyond this (a store written with many salts) they are redone.
constexpr std::size_t kMaxCachedDerivations = 64;
constexpr std::string_view kAuthenticationFailed = "cipher: message authentication failed";

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

// What one Argon2id run gives: the key wraps are sealed with, and the key id.
struct Derivation {
  SecretBytes wrap_key;
  std::string key_id;
};

Result<Derivation> Derive(const SecretBytes& passphrase, const Argon2idParameters& parameters) {
  EnsureSodium();
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes root, SecretBytes::Allocate(kDerivedBytes));
  if (crypto_pwhash(root.data(), root.size(), reinterpret_cast<const char*>(passphrase.data()), passphrase.size(),
                    Bytes(parameters.salt), parameters.opslimit,
                    static_cast<std::size_t>(parameters.memlimit_kib) * 1024, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Internal("passphrase encrypter: Argon2id could not allocate " +
                            std::to_string(parameters.memlimit_kib) + " KiB of memory");
  }
  Derivation derived;
  SEALSTATE_ASSIGN_OR_RETURN(derived.wrap_key, SecretBytes::Allocate(kDerivedBytes));
  crypto_generichash(derived.wrap_key.data(), derived.wrap_key.size(), Bytes(kWrapKeyLabel), kWrapKeyLabel.size(),
                     root.data(), root.size());
  unsigned char hash[kKeyIdHashBytes];
  crypto_generichash(hash, sizeof hash, Bytes(kKeyIdLabel), kKeyIdLabel.size(), root.data(), root.size());
  char hex[kKeyIdBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, kKeyIdBytes);
  derived.key_id = std::string(hex, kKeyIdBytes * 2);
  return derived;
}

class PassphraseEncrypter final : public Encrypter {
 public:
  // `fresh`: the cost of every wrap it makes, and the salt it uses if it adopts none.
  PassphraseEncrypter(SecretBytes passphrase, JsonObject config, Argon2idParameters fresh)
      : passphrase_(std::move(passphrase)), config_(std::move(config)), sealing_(std::move(fresh)) {}

  Result<std::string> Encrypt(std::string_view, std::string_view) const override { return Unsupported(); }
  Result<std::string> Decrypt(std::string_view, std::string_view) const override { return Unsupported(); }

  // Binds the sealing salt if nothing bound it yet; the key id is empty only if Argon2id could
  // not get its memory (WrapKey then says so).
  EncrypterDescription Describe() const override {
    std::lock_guard<std::mutex> lock(mutex_);
    const Result<const Derivation*> bound = BoundLocked();
    return {"passphrase", config_, bound.ok() ? (*bound)->key_id : std::string()};
  }

  Result<std::string> WrapKey(const SecretBytes& data_key, std::string_view associated_data) const override {
    std::lock_guard<std::mutex> lock(mutex_);
    SEALSTATE_ASSIGN_OR_RETURN(const Derivation* derived, BoundLocked());
    std::string out = EncodePassphraseWrapPrefix(sealing_);
    const std::string associated = out + std::string(associated_data);
    const std::size_t nonce_at = out.size();
    out.resize(nonce_at + kPassphraseNonceBytes);
    randombytes_buf(out.data() + nonce_at, kPassphraseNonceBytes);
    out.resize(nonce_at + kPassphraseNonceBytes + data_key.size() + kPassphraseTagBytes);
    auto* sealed = reinterpret_cast<unsigned char*>(out.data()) + nonce_at + kPassphraseNonceBytes;
    unsigned long long sealed_size = 0;
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(
            sealed, &sealed_size, data_key.data(), data_key.size(), Bytes(associated), associated.size(), nullptr,
            Bytes(std::string_view(out).substr(nonce_at)), derived->wrap_key.data()) != 0) {
      return Status::Internal("passphrase encrypter: XChaCha20-Poly1305 encryption failed");
    }
    return out;
  }

  Result<SecretBytes> UnwrapKey(std::string_view wrapped, std::string_view associated_data) const override {
    SEALSTATE_ASSIGN_OR_RETURN(const PassphraseWrap wrap, ParsePassphraseWrap(wrapped));
    const std::string associated = std::string(wrap.authenticated_prefix) + std::string(associated_data);
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, SecretBytes::Allocate(wrap.sealed.size() - kPassphraseTagBytes));
    std::lock_guard<std::mutex> lock(mutex_);
    SEALSTATE_ASSIGN_OR_RETURN(const Derivation* derived, DerivationFor(wrap.parameters));
    unsigned long long opened_size = 0;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(data_key.data(), &opened_size, nullptr, Bytes(wrap.sealed),
                                                   wrap.sealed.size(), Bytes(associated), associated.size(),
                                                   Bytes(wrap.nonce), derived->wrap_key.data()) != 0) {
      return Status::Integrity(std::string(kAuthenticationFailed));
    }
    return data_key;
  }

  // The key id for the wrap's salt and parameters, derived (once per salt) only for wraps with
  // this encrypter's cost, so a hostile header cannot make it run Argon2id at another cost. The
  // first wrap it owns gives it its sealing salt, unless that is the legacy fixed salt. Without
  // the wrap (a v2 header's key id), the key ids of the salts it already derived and of the
  // legacy salt, which every v2 file has.
  bool OwnsWrap(std::string_view key_id, std::string_view wrapped) const override {
    if (key_id.size() != kKeyIdBytes * 2) return false;  // not one of ours: nothing to derive
    std::lock_guard<std::mutex> lock(mutex_);
    if (wrapped.empty()) return KnownKeyIdLocked(key_id) || LegacyKeyIdLocked(key_id);
    const Result<PassphraseWrap> wrap = ParsePassphraseWrap(wrapped);
    if (!wrap.ok() || !SameCost(wrap->parameters, sealing_)) return false;
    const Result<const Derivation*> derived = DerivationFor(wrap->parameters);
    if (!derived.ok() || (*derived)->key_id != key_id) return false;
    if (!bound_ && wrap->parameters.salt != LegacyFixedSalt()) {
      sealing_ = wrap->parameters;
      bound_ = true;
    }
    return true;
  }

  // It has no key to derive from that outlives a salt: the journal stays unauthenticated.
  Result<SecretBytes> DeriveKey(std::string_view) const override {
    return Status::Unsupported("passphrase encrypter: cannot derive a subkey");
  }

  // How many Argon2id runs this encrypter made, for tests of the cache.
  std::size_t derivation_count() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return derivation_count_;
  }

 private:
  static Status Unsupported() {
    return Status::Unsupported(
        "passphrase encrypter: only wraps data keys (sealstate v2 envelopes and later); unobin v1 envelopes "
        "need env-key or key-file");
  }

  static bool SameCost(const Argon2idParameters& a, const Argon2idParameters& b) {
    return a.opslimit == b.opslimit && a.memlimit_kib == b.memlimit_kib;
  }

  // The sealing derivation, binding the salt it has now if none was bound. REQUIRES: mutex_ held.
  Result<const Derivation*> BoundLocked() const {
    SEALSTATE_ASSIGN_OR_RETURN(const Derivation* derived, DerivationFor(sealing_));
    bound_ = true;
    return derived;
  }

  // Whether `key_id` is the key id of a salt already derived. REQUIRES: mutex_ held.
  bool KnownKeyIdLocked(std::string_view key_id) const {
    for (const auto& [parameters, derived] : derivations_) {
      if (derived.key_id == key_id) return true;
    }
    return false;
  }

  // Whether `key_id` is this passphrase's with the legacy salt at its cost. REQUIRES: mutex_ held.
  bool LegacyKeyIdLocked(std::string_view key_id) const {
    const Argon2idParameters legacy{LegacyFixedSalt(), sealing_.opslimit, sealing_.memlimit_kib};
    const Result<const Derivation*> derived = DerivationFor(legacy);
    return derived.ok() && (*derived)->key_id == key_id;
  }

  // The cached derivation for `parameters`, deriving it if needed. REQUIRES: mutex_ held.
  Result<const Derivation*> DerivationFor(const Argon2idParameters& parameters) const {
    const auto found = derivations_.find(parameters);
    if (found != derivations_.end()) return &found->second;
    SEALSTATE_ASSIGN_OR_RETURN(Derivation derived, Derive(passphrase_, parameters));
    ++derivation_count_;
    if (derivations_.size() >= kMaxCachedDerivations) {
      // Keep the sealing derivation; drop another to make room.
      for (auto it = derivations_.begin(); it != derivations_.end(); ++it) {
        if (!(it->first == sealing_)) {
          derivations_.erase(it);
          break;
        }
      }
    }
    return &derivations_.emplace(parameters, std::move(derived)).first->second;
  }

  SecretBytes passphrase_;
  JsonObject config_;
  mutable std::mutex mutex_;
  // The salt and cost of the wraps it makes; the salt may change until bound_.
  mutable Argon2idParameters sealing_;
  mutable bool bound_ = false;
  mutable std::map<Argon2idParameters, Derivation> derivations_;
  mutable std::size_t derivation_count_ = 0;
};

// A passphrase file's text without its trailing line ending(s).
SecretBytes WithoutLineEnding(SecretBytes text) {
  std::size_t length = text.size();
  while (length > 0 && (text.data()[length - 1] == '\n' || text.data()[length - 1] == '\r')) --length;
  text.Truncate(length);
  return text;
}

Result<SecretBytes> PassphraseFromEnvironment() {
  const char* value = std::getenv("SEALSTATE_PASSPHRASE");
  const std::size_t length = value == nullptr ? 0 : std::strlen(value);
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes passphrase, SecretBytes::Allocate(length));
  if (length > 0) std::memcpy(passphrase.data(), value, length);
  return passphrase;
}

// From the file if one is configured, else SEALSTATE_PASSPHRASE, else the terminal.
Result<SecretBytes> ReadPassphrase(const std::string& file) {
  if (!file.empty()) {
    const std::string subject = "passphrase encrypter: " + file;
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes text,
                               ReadOwnerOnlySecretFile(file, "passphrase encrypter: ", subject, kMaxPassphraseBytes,
                                                       "it should hold one passphrase"));
    SecretBytes passphrase = WithoutLineEnding(std::move(text));
    if (passphrase.size() == 0) return Status::InvalidArgument(subject + " holds an empty passphrase");
    return passphrase;
  }
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes from_environment, PassphraseFromEnvironment());
  if (from_environment.size() > 0) return from_environment;
  SEALSTATE_ASSIGN_OR_RETURN(
      SecretBytes typed, ReadPassphraseFromTerminal("sealstate passphrase: ", kMaxPassphraseBytes,
                                                    "passphrase encrypter: no passphrase: give a passphrase file, set "
                                                    "SEALSTATE_PASSPHRASE, or run on a terminal to type it"));
  if (typed.size() == 0) return Status::InvalidArgument("passphrase encrypter: the passphrase typed is empty");
  return typed;
}

}  // namespace

std::string LegacyFixedSalt() {
  EnsureSodium();
  unsigned char salt[kPassphraseSaltBytes];
  crypto_generichash(salt, sizeof salt, Bytes(kLegacySaltLabel), kLegacySaltLabel.size(), nullptr, 0);
  return std::string(reinterpret_cast<const char*>(salt), sizeof salt);
}

Argon2idParameters SealingParameters() {
  EnsureSodium();
  Argon2idParameters parameters;
  parameters.salt.resize(kPassphraseSaltBytes);
  randombytes_buf(parameters.salt.data(), parameters.salt.size());
  parameters.opslimit = 3;
  parameters.memlimit_kib = 128 * 1024;
  return parameters;
}

Result<std::unique_ptr<Encrypter>> NewPassphraseEncrypterFor(SecretBytes passphrase, JsonObject config,
                                                             Argon2idParameters sealing) {
  SEALSTATE_RETURN_IF_ERROR(CheckArgon2idParameters(sealing));
  return std::unique_ptr<Encrypter>(
      std::make_unique<PassphraseEncrypter>(std::move(passphrase), std::move(config), std::move(sealing)));
}

std::size_t PassphraseDerivationCount(const Encrypter& encrypter) {
  const auto* passphrase = dynamic_cast<const PassphraseEncrypter*>(&encrypter);
  return passphrase == nullptr ? 0 : passphrase->derivation_count();
}

}  // namespace sealstate::internal

namespace sealstate {

Result<std::unique_ptr<Encrypter>> NewPassphraseEncrypter(std::string file) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes passphrase, internal::ReadPassphrase(file));
  JsonObject config;
  if (!file.empty()) config["file"] = Json(std::move(file));
  return internal::NewPassphraseEncrypterFor(std::move(passphrase), std::move(config), internal::SealingParameters());
}

}  // namespace sealstate
