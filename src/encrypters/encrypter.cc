#include <sealstate/encrypter.h>

#include <cstring>
#include <string>

#include <sodium.h>

#include "crypto/base64.h"
#include "crypto/sodium_init.h"

namespace sealstate {

namespace {

constexpr std::size_t kGeneratedKeyBytes = 32;

// Overwrites a string's bytes in a way the compiler cannot elide.
void Wipe(std::string& text) { sodium_memzero(text.data(), text.size()); }

}  // namespace

// A third-party encrypter only offers Encrypt(std::string_view), so the data key has to pass
// through ordinary memory for the duration of the call. The copy is wiped straight after; the
// built-in key encrypters override this and never make it.
Result<std::string> Encrypter::WrapKey(const SecretBytes& data_key, std::string_view associated_data) const {
  internal::EnsureSodium();
  std::string transient(reinterpret_cast<const char*>(data_key.data()), data_key.size());
  Result<std::string> wrapped = Encrypt(transient, associated_data);
  Wipe(transient);
  return wrapped;
}

Result<SecretBytes> Encrypter::UnwrapKey(std::string_view wrapped, std::string_view associated_data) const {
  internal::EnsureSodium();
  // Wiped in place, inside the Result, so no moved-from copy is left behind.
  Result<std::string> transient = Decrypt(wrapped, associated_data);
  if (!transient.ok()) return transient.status();
  Result<SecretBytes> data_key = SecretBytes::Allocate(transient->size());
  if (data_key.ok() && !transient->empty()) std::memcpy(data_key->data(), transient->data(), transient->size());
  Wipe(*transient);
  return data_key;
}

bool Encrypter::OwnsWrap(std::string_view key_id, std::string_view /*wrapped*/) const {
  return key_id == Describe().key_id;
}

Result<SecretBytes> Encrypter::DeriveKey(std::string_view /*label*/) const {
  return Status::Unsupported(Describe().key_source + " encrypter: cannot derive a subkey");
}

Result<std::string> GenerateKeyBase64() {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes key, SecretBytes::Random(kGeneratedKeyBytes));
  return internal::Base64Encode(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

}  // namespace sealstate
