// The passphrase key source: data keys wrapped under a key derived from a passphrase with
// Argon2id (libsodium crypto_pwhash), salt and parameters in each wrap (passphrase_wrap.h).
//
// Cost: a process derives each (salt, parameters) once and caches the result, so reading any
// number of revisions sealed with the same salt and parameters costs one Argon2id run. Sealing
// uses one fixed salt and fixed parameters (kSealingParameters), the same in every process, so
// every revision a passphrase sealed shares them and a whole stack costs one run to read. The key
// id is a BLAKE2b fingerprint of that same Argon2id output, so a reader matches wraps by key id
// without trying them, and checking a guess against a key id costs one Argon2id run, as checking
// it against a wrap does. The price of the fixed salt: one precomputed dictionary serves against
// every sealstate passphrase, so a passphrase must be strong on its own (see sealstate(1)).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <sealstate/encrypter.h>
#include <sealstate/json.h>
#include <sealstate/secret.h>

#include "encrypters/passphrase_wrap.h"

namespace sealstate::internal {

// The longest passphrase read from a file or a terminal.
inline constexpr std::size_t kMaxPassphraseBytes = 1024;

// The salt and parameters new wraps use: a fixed sealstate salt, 3 passes over 128 MiB.
Argon2idParameters SealingParameters();

// REQUIRES: `passphrase` non-empty; `sealing` within the limits of CheckArgon2idParameters.
// Derives once (Argon2id with `sealing`) for the key id. `config` is what Describe() reports.
// Errors: kInternal if Argon2id cannot get its memory.
Result<std::unique_ptr<Encrypter>> NewPassphraseEncrypterFor(SecretBytes passphrase, JsonObject config,
                                                             Argon2idParameters sealing);

// How many Argon2id runs `encrypter` (a passphrase encrypter) made since it was created, the
// one for its key id included; 0 for any other encrypter. For tests of the cache.
std::size_t PassphraseDerivationCount(const Encrypter& encrypter);

}  // namespace sealstate::internal
