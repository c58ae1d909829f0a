#include "envelope/envelope_v3.h"

#include <sealstate/key_ring.h>

#include <sodium.h>

#include "crypto/sodium_init.h"
#include "envelope/envelope_v2_header.h"
#include "envelope/key_ids.h"

namespace sealstate::internal {
namespace {

// A wrap authenticates the header's sealed part (everything but the recipients), so a wrap
// grafted from another file does not unwrap.
constexpr std::string_view kWrapLabel = "sealstate v3 data key\n";
constexpr std::string_view kMacKeyLabel = "sealstate v3 recipients-mac key";
constexpr std::size_t kMacBytes = 32;

std::string WrapAssociatedData(const EnvelopeHeader& header) {
  return std::string(kWrapLabel) + V3PayloadAssociatedData(header);
}

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

// For an entry without a key id (noop's): whether `key` has none either and is of its key source.
bool OwnsEntryWithoutId(const WrappedDataKey& entry, const Encrypter& key) {
  const EncrypterDescription description = key.Describe();
  return description.key_id.empty() && entry.key_source == description.key_source;
}

// How wrong-key errors write key ids: "A (env-key), B (key-file)", "(none)" for an empty id.
constexpr KeyIdListStyle kWantedKeyIds{.separator = ", ", .empty_id = "(none)", .empty_list = "no key"};
constexpr KeyIdListStyle kOurKeyIds{.separator = ", ", .empty_id = "(none)", .empty_list = ""};

std::string WantedIds(const EnvelopeHeader& header) {
  std::vector<std::string> ids, sources;
  for (const WrappedDataKey& entry : header.recipients) {
    ids.push_back(entry.key_id);
    sources.push_back(entry.key_source);
  }
  return JoinKeyIds(ids, kWantedKeyIds, sources);
}

Status NoMatchingKey(const EnvelopeHeader& header, const std::vector<const Encrypter*>& keys) {
  std::vector<std::string> ids, sources;
  for (const Encrypter* key : keys) {
    const EncrypterDescription description = key->Describe();
    ids.push_back(description.key_id);
    sources.push_back(description.key_source);
  }
  const std::string ours = JoinKeyIds(ids, kOurKeyIds, sources);
  const std::string rev = header.rev.empty() ? "the file" : "revision " + header.rev;
  return Status::WrongKey("envelope: wrong key: " + rev + " is wrapped for key ids " + WantedIds(header) +
                          ", but the configured keys have key ids " + ours + "; give one of its keys (--key)");
}

// Whether one of `keys` unwraps an entry that names another key id of the same key source: then
// the header's key id was edited (kIntegrity), not the key wrong. Only wraps are tried, never the
// payload, and only in this error path.
bool EditedKeyId(const EnvelopeHeader& header, const std::vector<const Encrypter*>& keys,
                 const std::string& associated_data) {
  for (const Encrypter* key : keys) {
    const EncrypterDescription ours = key->Describe();
    for (const WrappedDataKey& entry : header.recipients) {
      if (entry.key_source != ours.key_source) continue;
      if (key->UnwrapKey(entry.wrapped, associated_data).ok()) return true;
    }
  }
  return false;
}

}  // namespace

const WrappedDataKey* OwnedEntry(const EnvelopeHeader& header, const Encrypter& key) {
  for (const WrappedDataKey& entry : header.recipients) {
    if (!entry.key_id.empty() ? key.OwnsWrap(entry.key_id, entry.wrapped) : OwnsEntryWithoutId(entry, key)) {
      return &entry;
    }
  }
  return nullptr;
}

std::string RecipientsMac(const EnvelopeHeader& header, const SecretBytes& data_key) {
  EnsureSodium();
  unsigned char mac_key[crypto_generichash_KEYBYTES];
  crypto_generichash(mac_key, sizeof mac_key, Bytes(kMacKeyLabel), kMacKeyLabel.size(), data_key.data(),
                     data_key.size());
  const std::string input = V3RecipientsMacInput(header);
  unsigned char mac[kMacBytes];
  crypto_generichash(mac, sizeof mac, Bytes(input), input.size(), mac_key, sizeof mac_key);
  sodium_memzero(mac_key, sizeof mac_key);
  char hex[kMacBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return std::string(hex, kMacBytes * 2);
}

Result<EnvelopeHeader> WrapDataKey(EnvelopeHeader header, const SecretBytes& data_key, const Encrypter& encrypter) {
  header.recipients.clear();
  header.recipients_mac.clear();
  const std::string associated_data = WrapAssociatedData(header);
  for (const Encrypter* target : WrapTargets(encrypter)) {
    const EncrypterDescription description = target->Describe();
    Result<std::string> wrapped = target->WrapKey(data_key, associated_data);
    if (!wrapped.ok()) return wrapped.status().WithPrefix("seal: wrap data key for " + description.key_source + ": ");
    header.recipients.push_back(
        WrappedDataKey{description.key_source, description.config, description.key_id, std::move(*wrapped)});
  }
  header.recipients_mac = RecipientsMac(header, data_key);
  return header;
}

Result<SecretBytes> UnwrapDataKey(const EnvelopeHeader& header, const Encrypter& encrypter) {
  const std::vector<const Encrypter*> keys = OpeningKeys(encrypter);
  for (const Encrypter* key : keys) {
    const WrappedDataKey* entry = OwnedEntry(header, *key);
    if (entry == nullptr) continue;
    Result<SecretBytes> data_key = key->UnwrapKey(entry->wrapped, WrapAssociatedData(header));
    if (!data_key.ok() && data_key.status().code() == Code::kIntegrity) {
      return Status::Integrity("envelope: the data key wrapped for key id " + entry->key_id +
                               " does not authenticate: the header was edited or the file is corrupt");
    }
    if (!data_key.ok()) return data_key.status();
    if (data_key->size() != kDataKeyBytes) return Status::Integrity("envelope: the data key has the wrong length");
    const std::string mac = RecipientsMac(header, *data_key);
    if (header.recipients_mac.size() != mac.size() ||
        sodium_memcmp(mac.data(), header.recipients_mac.data(), mac.size()) != 0) {
      return Status::Integrity(
          "envelope: the recipients-mac does not match: a wrapped key was edited, removed, reordered or added");
    }
    return data_key;
  }
  if (EditedKeyId(header, keys, WrapAssociatedData(header))) {
    return Status::Integrity(
        "envelope: a wrapped data key opens with a configured key whose key id the header "
        "does not name: the header was edited");
  }
  return NoMatchingKey(header, keys);
}

}  // namespace sealstate::internal
