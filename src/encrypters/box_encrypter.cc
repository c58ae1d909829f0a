// box-public and box-key-file: data keys sealed for an X25519 public key with libsodium's
// crypto_box_seal (an anonymous sender: ephemeral key pair, X25519 + XSalsa20-Poly1305), so a
// writer needs only the public key and only the holder of the secret key can open.
//
// Wrap layout: version(1) = 1 || crypto_box_seal(BLAKE2b-256(associated data) || data key).
// crypto_box_seal takes no associated data, so its hash travels inside the sealed box and is
// compared when opening.
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sodium.h>

#include <sealstate/encrypter.h>

#include "crypto/base64.h"
#include "crypto/sodium_init.h"
#include "encrypters/secret_file.h"
#include "text/trim.h"

namespace sealstate {
namespace {

constexpr unsigned char kBoxWrapVersion = 1;
constexpr std::size_t kBoxKeyBytes = crypto_box_PUBLICKEYBYTES;  // 32, as crypto_box_SECRETKEYBYTES
constexpr std::size_t kAssociatedHashBytes = 32;
constexpr std::size_t kMaxBoxKeyFileBytes = 4096;
constexpr std::string_view kKeyIdLabel = "sealstate box key-id v1";
constexpr std::size_t kKeyIdHashBytes = 16;
constexpr std::size_t kKeyIdBytes = 8;
constexpr std::string_view kAuthenticationFailed = "cipher: message authentication failed";

static_assert(crypto_box_SECRETKEYBYTES == kBoxKeyBytes);

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

std::string BoxKeyIdOf(std::string_view public_key) {
  internal::EnsureSodium();
  unsigned char hash[kKeyIdHashBytes];
  crypto_generichash(hash, sizeof hash, Bytes(kKeyIdLabel), kKeyIdLabel.size(), Bytes(public_key), public_key.size());
  char hex[kKeyIdBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, kKeyIdBytes);
  return std::string(hex, kKeyIdBytes * 2);
}

void HashAssociatedData(std::string_view associated_data, unsigned char* out) {
  crypto_generichash(out, kAssociatedHashBytes, Bytes(associated_data), associated_data.size(), nullptr, 0);
}

class BoxEncrypter final : public Encrypter {
 public:
  // `secret_key` empty for box-public (wraps only).
  BoxEncrypter(std::string name, JsonObject config, std::string public_key, SecretBytes secret_key)
      : name_(std::move(name)),
        config_(std::move(config)),
        public_key_(std::move(public_key)),
        secret_key_(std::move(secret_key)),
        key_id_(BoxKeyIdOf(public_key_)) {}

  Result<std::string> Encrypt(std::string_view, std::string_view) const override { return Unsupported(); }
  Result<std::string> Decrypt(std::string_view, std::string_view) const override { return Unsupported(); }
  EncrypterDescription Describe() const override { return {name_, config_, key_id_}; }

  Result<std::string> WrapKey(const SecretBytes& data_key, std::string_view associated_data) const override {
    internal::EnsureSodium();
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes message, SecretBytes::Allocate(kAssociatedHashBytes + data_key.size()));
    HashAssociatedData(associated_data, message.data());
    if (data_key.size() > 0)
      std::copy(data_key.data(), data_key.data() + data_key.size(), message.data() + kAssociatedHashBytes);
    std::string out(1 + crypto_box_SEALBYTES + message.size(), '\0');
    out[0] = static_cast<char>(kBoxWrapVersion);
    if (crypto_box_seal(reinterpret_cast<unsigned char*>(out.data()) + 1, message.data(), message.size(),
                        Bytes(public_key_)) != 0) {
      return Status::Internal(name_ + " encrypter: crypto_box_seal failed");
    }
    return out;
  }

  Result<SecretBytes> UnwrapKey(std::string_view wrapped, std::string_view associated_data) const override {
    internal::EnsureSodium();
    if (secret_key_.size() == 0) {
      return Status::WrongKey(name_ + " encrypter: holds only the public key (key id " + key_id_ +
                              "), which seals but cannot open; open with box-key-file and the secret key");
    }
    if (wrapped.empty() || static_cast<unsigned char>(wrapped[0]) != kBoxWrapVersion) {
      return Status::Format(name_ + " encrypter: unsupported wrap version (this build reads version 1)");
    }
    const std::string_view sealed = wrapped.substr(1);
    if (sealed.size() < crypto_box_SEALBYTES + kAssociatedHashBytes || sealed.size() > crypto_box_SEALBYTES + 1024) {
      return Status::Integrity(std::string(kAuthenticationFailed));
    }
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes message, SecretBytes::Allocate(sealed.size() - crypto_box_SEALBYTES));
    if (crypto_box_seal_open(message.data(), Bytes(sealed), sealed.size(), Bytes(public_key_), secret_key_.data()) !=
        0) {
      return Status::Integrity(std::string(kAuthenticationFailed));
    }
    unsigned char expected[kAssociatedHashBytes];
    HashAssociatedData(associated_data, expected);
    if (sodium_memcmp(expected, message.data(), kAssociatedHashBytes) != 0) {
      return Status::Integrity(std::string(kAuthenticationFailed));
    }
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, SecretBytes::Allocate(message.size() - kAssociatedHashBytes));
    if (data_key.size() > 0)
      std::copy(message.data() + kAssociatedHashBytes, message.data() + message.size(), data_key.data());
    return data_key;
  }

 private:
  Status Unsupported() const {
    return Status::Unsupported(name_ +
                               " encrypter: only wraps data keys (sealstate v2 envelopes and later); unobin v1 "
                               "envelopes need env-key or key-file");
  }

  std::string name_;
  JsonObject config_;
  std::string public_key_;
  SecretBytes secret_key_;
  std::string key_id_;
};

}  // namespace

Result<std::unique_ptr<Encrypter>> NewBoxPublicEncrypter(std::string public_key_base64) {
  const std::string subject = "box-public encrypter: public key";
  const std::string_view text = internal::Trim(public_key_base64, internal::kAsciiWhitespace);
  Result<std::string> public_key = internal::Base64Decode(text);
  if (!public_key.ok()) return public_key.status().WithPrefix(subject + " is not valid base64: ");
  if (public_key->size() != kBoxKeyBytes) {
    return Status::InvalidArgument(subject + " decodes to " + std::to_string(public_key->size()) + " bytes, want 32");
  }
  JsonObject config{{"public-key", Json(internal::Base64Encode(*public_key))}};
  return std::unique_ptr<Encrypter>(
      std::make_unique<BoxEncrypter>("box-public", std::move(config), std::move(*public_key), SecretBytes()));
}

Result<std::unique_ptr<Encrypter>> NewBoxKeyFileEncrypter(std::string path) {
  const std::string subject = "box-key-file encrypter: " + path;
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes contents, internal::ReadOwnerOnlySecretFile(
                                                       path, "box-key-file encrypter: ", subject, kMaxBoxKeyFileBytes,
                                                       "it should hold one base64 secret key"));
  const std::string_view text = internal::Trim(
      std::string_view(reinterpret_cast<const char*>(contents.data()), contents.size()), internal::kAsciiWhitespace);
  Result<SecretBytes> secret_key = internal::Base64DecodeSecret(text);
  if (!secret_key.ok()) return secret_key.status().WithPrefix(subject + " is not valid base64: ");
  if (secret_key->size() != kBoxKeyBytes) {
    return Status::InvalidArgument(subject + " decodes to " + std::to_string(secret_key->size()) + " bytes, want 32");
  }
  std::string public_key(kBoxKeyBytes, '\0');
  crypto_scalarmult_base(reinterpret_cast<unsigned char*>(public_key.data()), secret_key->data());
  JsonObject config{{"path", Json(std::move(path))}};
  return std::unique_ptr<Encrypter>(
      std::make_unique<BoxEncrypter>("box-key-file", std::move(config), std::move(public_key), std::move(*secret_key)));
}

Result<BoxKeyPair> GenerateBoxKeyPair() {
  internal::EnsureSodium();
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes secret_key, SecretBytes::Allocate(kBoxKeyBytes));
  std::string public_key(kBoxKeyBytes, '\0');
  crypto_box_keypair(reinterpret_cast<unsigned char*>(public_key.data()), secret_key.data());
  BoxKeyPair pair;
  pair.secret_key_base64 =
      internal::Base64Encode(std::string_view(reinterpret_cast<const char*>(secret_key.data()), secret_key.size()));
  pair.public_key_base64 = internal::Base64Encode(public_key);
  pair.key_id = BoxKeyIdOf(public_key);
  return pair;
}

}  // namespace sealstate
