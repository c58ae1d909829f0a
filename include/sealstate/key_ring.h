// Key rings: the keys a stack opens with and the keys its new snapshots are wrapped for.
//
// A KeyRing is itself an Encrypter, so a store, the C API and the bindings take one wherever
// they take a single encrypter (LocalStoreOptions::encrypter, BackendContext::encrypter, ...);
// a single encrypter behaves as a ring of just that key. v3 envelopes (sealstate-format(5))
// wrap each file's data key for WrapTargets(): the first key, then every recipient. Opening
// matches the keys' ids against the ids a file names (no trial decryption of the payload).
//
// Thread safety: immutable after Make; every method is const and safe to call concurrently.
#pragma once

#include <sealstate/export.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/encrypter.h>
#include <sealstate/status.h>

namespace sealstate {

class SEALSTATE_EXPORT KeyRing final : public Encrypter {
 public:
  // `keys` open files, in order; the first also wraps new ones. `recipients` are wrap-only keys
  // (e.g. a break-glass key kept in a safe, or a public key): new files are wrapped for them
  // too, but they are never asked to unwrap. Errors (kInvalidArgument): no keys; a null
  // encrypter; more than kV3MaxRecipients keys to wrap for; a noop (plaintext) key mixed with
  // real ones.
  static Result<std::shared_ptr<const KeyRing>> Make(std::vector<std::shared_ptr<const Encrypter>> keys,
                                                     std::vector<std::shared_ptr<const Encrypter>> recipients = {});

  // The opening keys, first = the key new files are wrapped for.
  const std::vector<std::shared_ptr<const Encrypter>>& keys() const { return keys_; }
  // The wrap-only keys.
  const std::vector<std::shared_ptr<const Encrypter>>& recipients() const { return recipients_; }

  // v1 (unobin) sealing: with the first key.
  Result<std::string> Encrypt(std::string_view plaintext, std::string_view associated_data) const override;
  // v1 (unobin) opening, which names no key id to match: each key in order, until one
  // authenticates; else the first key's error.
  Result<std::string> Decrypt(std::string_view ciphertext, std::string_view associated_data) const override;
  // The first key's description.
  EncrypterDescription Describe() const override;
  bool is_plaintext() const override;
  // With the first key.
  Result<std::string> WrapKey(const SecretBytes& data_key, std::string_view associated_data) const override;
  // With the first key.
  Result<SecretBytes> UnwrapKey(std::string_view wrapped, std::string_view associated_data) const override;
  // The first key's (as UnwrapKey).
  bool OwnsWrap(std::string_view key_id, std::string_view wrapped) const override;
  // With the first key, so a ring authenticates what it writes (the journal's lines) as its first
  // key alone does. Checks of what was authenticated with another key of the ring go through
  // OpeningKeys and the key id it records.
  Result<SecretBytes> DeriveKey(std::string_view label) const override;

 private:
  KeyRing(std::vector<std::shared_ptr<const Encrypter>> keys, std::vector<std::shared_ptr<const Encrypter>> recipients)
      : keys_(std::move(keys)), recipients_(std::move(recipients)) {}

  std::vector<std::shared_ptr<const Encrypter>> keys_;
  std::vector<std::shared_ptr<const Encrypter>> recipients_;
};

// The keys `encrypter` opens files with: a KeyRing's keys, else `encrypter` alone. The pointers
// live as long as `encrypter`.
SEALSTATE_EXPORT std::vector<const Encrypter*> OpeningKeys(const Encrypter& encrypter);

// The keys a new file is wrapped for: a KeyRing's first key then its recipients, else
// `encrypter` alone; a key whose id appears earlier in the list is left out.
SEALSTATE_EXPORT std::vector<const Encrypter*> WrapTargets(const Encrypter& encrypter);

// A key spec as the CLI's --key and --recipient take it, resolved to a key source name and its
// configuration (for EncrypterRegistry::Create). A spec says where a key is, never the key:
//   env:VAR       -> env-key      {"env-var": VAR}
//   file:PATH     -> key-file     {"path": PATH}
//   passphrase    -> passphrase   {}
//   command:CMD   -> command      {"command": CMD}
//   pub:BASE64    -> box-public   {"public-key": BASE64}   (a public key: wrap only)
//   box-file:PATH -> box-key-file {"path": PATH}
struct KeySpec {
  std::string key_source;
  JsonObject config;
};

// Parses a spec. Errors: kInvalidArgument "key spec "X": unknown form; use one of env:VAR,
// file:PATH, passphrase, command:CMD, pub:BASE64, box-file:PATH" (also for an empty value).
SEALSTATE_EXPORT Result<KeySpec> ParseKeySpec(std::string_view spec);

}  // namespace sealstate
