// The passphrase key source's wrapped data key: self-contained, carrying the Argon2id salt and
// parameters it was derived with, which are bounded when read so a hostile file cannot ask for
// gigabytes of memory or hours of work.
//
// Layout (integers big-endian):
//   version(1) = 1 || opslimit(4) || memlimit in KiB(4) || salt(16) || nonce(24) || sealed
// where `sealed` is XChaCha20-Poly1305-IETF of the data key (ciphertext || tag(16)) under a key
// derived from the Argon2id output, authenticating the first 25 bytes (version, parameters,
// salt) followed by the caller's associated data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate::internal {

inline constexpr std::uint8_t kPassphraseWrapVersion = 1;
inline constexpr std::size_t kPassphraseSaltBytes = 16;
inline constexpr std::size_t kPassphraseNonceBytes = 24;
inline constexpr std::size_t kPassphraseTagBytes = 16;
// version + opslimit + memlimit + salt: the authenticated prefix.
inline constexpr std::size_t kPassphraseWrapPrefixBytes = 1 + 4 + 4 + kPassphraseSaltBytes;
inline constexpr std::size_t kPassphraseWrapMinBytes =
    kPassphraseWrapPrefixBytes + kPassphraseNonceBytes + kPassphraseTagBytes;
// The largest wrap read: a data key is 32 bytes; anything much longer is not a wrap.
inline constexpr std::size_t kPassphraseWrapMaxBytes = kPassphraseWrapMinBytes + 1024;

// Limits on the Argon2id parameters a wrap may ask for: at most libsodium's "sensitive" level
// (4 passes over 1 GiB, a few seconds), at least libsodium's minimum.
inline constexpr std::uint32_t kPassphraseMinOpsLimit = 1;
inline constexpr std::uint32_t kPassphraseMaxOpsLimit = 4;
inline constexpr std::uint32_t kPassphraseMinMemLimitKiB = 8;
inline constexpr std::uint32_t kPassphraseMaxMemLimitKiB = 1024 * 1024;  // 1 GiB

// Argon2id salt and cost.
struct Argon2idParameters {
  std::string salt;  // kPassphraseSaltBytes bytes
  std::uint32_t opslimit = 0;
  std::uint32_t memlimit_kib = 0;
  friend bool operator==(const Argon2idParameters&, const Argon2idParameters&) = default;
  friend auto operator<=>(const Argon2idParameters&, const Argon2idParameters&) = default;
};

// A parsed wrap: views into the input.
struct PassphraseWrap {
  Argon2idParameters parameters;
  std::string_view authenticated_prefix;  // the first kPassphraseWrapPrefixBytes bytes
  std::string_view nonce;
  std::string_view sealed;  // ciphertext || tag
};

// Checks `parameters` against the limits above. Errors: kIntegrity naming the parameter, its
// value and the limit ("passphrase wrap: Argon2id memlimit 67108864 KiB is above the limit of
// 1048576 KiB (1 GiB); refusing a file that asks for that much").
Status CheckArgon2idParameters(const Argon2idParameters& parameters);

// Parses and bounds a wrap without deriving anything (cheap: safe on hostile input). Errors:
// kFormat for a wrong length ("passphrase wrap: 12 bytes, expected 65 to 1089") or version
// ("passphrase wrap: version 7 is not supported (this build reads version 1)"); kIntegrity from
// CheckArgon2idParameters.
Result<PassphraseWrap> ParsePassphraseWrap(std::string_view wrapped);

// The authenticated prefix for `parameters`. REQUIRES: parameters.salt has kPassphraseSaltBytes.
std::string EncodePassphraseWrapPrefix(const Argon2idParameters& parameters);

}  // namespace sealstate::internal
