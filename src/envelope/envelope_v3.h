// The v3 envelope's recipients: the per-file data key wrapped for each recipient key, and the
// MAC that binds that list (its entries and their order) to the rest of the header. The header
// layout is in envelope_v2_header.h; the rules in man/sealstate-format.5.scd, ENVELOPE V3.
#pragma once

#include <string>

#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Bytes in a data key.
inline constexpr std::size_t kDataKeyBytes = 32;

// `header` (a v3 header whose other fields are final) with `data_key` wrapped for each of
// WrapTargets(encrypter) and the recipients-mac set. Errors: the encrypters' WrapKey errors,
// prefixed "seal: wrap data key for KEY-SOURCE: ".
Result<EnvelopeHeader> WrapDataKey(EnvelopeHeader header, const SecretBytes& data_key, const Encrypter& encrypter);

// The data key of a v3 file, unwrapped with the first of OpeningKeys(encrypter) whose key id the
// header names, after which the recipients-mac is checked. Errors: kWrongKey "envelope: wrong
// key: the file is wrapped for key ids A (env-key), B (key-file), but the configured keys have
// key ids C" when no key matches (unless one of them unwraps an entry of its own key source that
// names another id: kIntegrity, the id was edited); kIntegrity when the matching entry does not unwrap, the data
// key has the wrong length, or the MAC does not match (an entry edited, removed, reordered or
// grafted from another file); the encrypter's other errors.
Result<SecretBytes> UnwrapDataKey(const EnvelopeHeader& header, const Encrypter& encrypter);

// The entry of `header`'s recipients that `key` owns (Encrypter::OwnsWrap, which may let a
// passphrase key adopt the entry's salt); for a key without a key id (noop), the entry without
// one from the same key source. nullptr if none.
const WrappedDataKey* OwnedEntry(const EnvelopeHeader& header, const Encrypter& key);

// The recipients-mac of `header` under `data_key` (64 lower-case hex digits).
std::string RecipientsMac(const EnvelopeHeader& header, const SecretBytes& data_key);

}  // namespace sealstate::internal
