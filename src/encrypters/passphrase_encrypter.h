// The passphrase key source: data keys wrapped under a key derived from a passphrase with
// Argon2id (libsodium crypto_pwhash), salt and parameters in each wrap (passphrase_wrap.h).
//
// Salt: each stack has its own random salt, so no dictionary precomputed once serves against
// every sealstate passphrase; a guess must be tried with Argon2id per stack. No stack record holds
// the salt: the wraps do. An encrypter starts with a fresh random salt, unbound; the first wrap
// it recognises as its own (OwnsWrap: readers pick entries with it, and a commit first checks that
// the key opens current with it) gives it that wrap's salt instead. Once it wraps or describes
// itself the salt is bound and never changes. So the first commit of a stack picks its salt and
// later commits, in any process, keep it. Wraps with the fixed salt that every wrap had before
// (LegacyFixedSalt) still open, but that salt is never adopted: the next commit starts a random one.
//
// Cost: a process derives each (salt, parameters) once and caches the result, so reading any
// number of revisions of a stack costs one Argon2id run. The key id is a BLAKE2b fingerprint of
// that Argon2id output, so it is per salt: the same passphrase has one key id per stack, and a
// reader matches wraps by key id without trying them (one Argon2id run for the salt). Checking a
// guess against a key id costs one Argon2id run, as checking it against a wrap does.
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

// The salt and parameters a new encrypter starts with: a fresh random salt, 3 passes over 128 MiB.
Argon2idParameters SealingParameters();

// The fixed salt, BLAKE2b-128("sealstate passphrase salt v1"), that every passphrase wrap had
// before salts were per stack: still read, never adopted for new wraps.
std::string LegacyFixedSalt();

// REQUIRES: `passphrase` non-empty; `sealing` within the limits of CheckArgon2idParameters.
// `sealing`: the cost of every wrap it makes and the salt it starts with (see above); runs no
// Argon2id yet. `config` is what Describe() reports. Errors: as CheckArgon2idParameters
// for `sealing`. Argon2id failing to get its memory later is WrapKey's kInternal.
Result<std::unique_ptr<Encrypter>> NewPassphraseEncrypterFor(SecretBytes passphrase, JsonObject config,
                                                             Argon2idParameters sealing);

// How many Argon2id runs `encrypter` (a passphrase encrypter) made since it was created, the
// one for its key id included; 0 for any other encrypter. For tests of the cache.
std::size_t PassphraseDerivationCount(const Encrypter& encrypter);

}  // namespace sealstate::internal
