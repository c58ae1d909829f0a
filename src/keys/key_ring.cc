// KeyRing: see key_ring.h.
#include <sealstate/key_ring.h>

#include <sealstate/envelope.h>

#include <algorithm>
#include <utility>

namespace sealstate {
namespace {

bool AnyNull(const std::vector<std::shared_ptr<const Encrypter>>& encrypters) {
  return std::any_of(encrypters.begin(), encrypters.end(), [](const auto& e) { return e == nullptr; });
}

// Plaintext (noop) keys cannot be combined with real ones: a file is either encrypted or not.
Status CheckPlaintextNotMixed(const std::vector<std::shared_ptr<const Encrypter>>& keys,
                              const std::vector<std::shared_ptr<const Encrypter>>& recipients) {
  std::size_t plaintext = 0;
  for (const auto& key : keys) plaintext += key->is_plaintext() ? 1 : 0;
  for (const auto& key : recipients) plaintext += key->is_plaintext() ? 1 : 0;
  if (plaintext == 0 || plaintext == keys.size() + recipients.size()) return Status::OK();
  return Status::InvalidArgument("key ring: the noop (plaintext) key source cannot be combined with real keys");
}

}  // namespace

Result<std::shared_ptr<const KeyRing>> KeyRing::Make(std::vector<std::shared_ptr<const Encrypter>> keys,
                                                     std::vector<std::shared_ptr<const Encrypter>> recipients) {
  if (keys.empty()) return Status::InvalidArgument("key ring: at least one key is required (--key)");
  if (AnyNull(keys) || AnyNull(recipients)) return Status::InvalidArgument("key ring: a key is null");
  if (1 + recipients.size() > kV3MaxRecipients) {
    return Status::InvalidArgument("key ring: at most " + std::to_string(kV3MaxRecipients) +
                                   " keys to wrap for (the first --key and every --recipient)");
  }
  SEALSTATE_RETURN_IF_ERROR(CheckPlaintextNotMixed(keys, recipients));
  return std::shared_ptr<const KeyRing>(new KeyRing(std::move(keys), std::move(recipients)));
}

Result<std::string> KeyRing::Encrypt(std::string_view plaintext, std::string_view associated_data) const {
  return keys_.front()->Encrypt(plaintext, associated_data);
}

Result<std::string> KeyRing::Decrypt(std::string_view ciphertext, std::string_view associated_data) const {
  Result<std::string> first = keys_.front()->Decrypt(ciphertext, associated_data);
  if (first.ok() || first.status().code() != Code::kIntegrity) return first;
  for (std::size_t i = 1; i < keys_.size(); ++i) {
    Result<std::string> opened = keys_[i]->Decrypt(ciphertext, associated_data);
    if (opened.ok()) return opened;
  }
  return first;
}

EncrypterDescription KeyRing::Describe() const { return keys_.front()->Describe(); }

bool KeyRing::is_plaintext() const { return keys_.front()->is_plaintext(); }

Result<std::string> KeyRing::WrapKey(const SecretBytes& data_key, std::string_view associated_data) const {
  return keys_.front()->WrapKey(data_key, associated_data);
}

Result<SecretBytes> KeyRing::UnwrapKey(std::string_view wrapped, std::string_view associated_data) const {
  return keys_.front()->UnwrapKey(wrapped, associated_data);
}

bool KeyRing::OwnsWrap(std::string_view key_id, std::string_view wrapped) const {
  return keys_.front()->OwnsWrap(key_id, wrapped);
}

Result<SecretBytes> KeyRing::DeriveKey(std::string_view label) const { return keys_.front()->DeriveKey(label); }

std::vector<const Encrypter*> OpeningKeys(const Encrypter& encrypter) {
  const auto* ring = dynamic_cast<const KeyRing*>(&encrypter);
  if (ring == nullptr) return {&encrypter};
  std::vector<const Encrypter*> keys;
  for (const auto& key : ring->keys()) keys.push_back(key.get());
  return keys;
}

std::vector<const Encrypter*> WrapTargets(const Encrypter& encrypter) {
  const auto* ring = dynamic_cast<const KeyRing*>(&encrypter);
  if (ring == nullptr) return {&encrypter};
  std::vector<const Encrypter*> targets{ring->keys().front().get()};
  std::vector<std::string> ids{targets.front()->Describe().key_id};
  for (const auto& recipient : ring->recipients()) {
    const std::string id = recipient->Describe().key_id;
    if (!id.empty() && std::find(ids.begin(), ids.end(), id) != ids.end()) continue;
    targets.push_back(recipient.get());
    ids.push_back(id);
  }
  return targets;
}

}  // namespace sealstate
