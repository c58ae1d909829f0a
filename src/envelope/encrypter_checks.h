// Rules shared by the v1 and v2 openers about which encrypter may open which file.
#pragma once

#include <string_view>

#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Refuses a plaintext (noop) file when a real encrypter is configured, unless
// options.allow_plaintext (kIntegrity: it may have been planted), and refuses an encrypted file
// when the configured encrypter is noop (kWrongKey: the key is missing, not the data broken).
// `sealed_with` is the encrypter name the file records ("" if none).
Status CheckPlaintextRule(bool file_is_plaintext, std::string_view sealed_with, const Encrypter& encrypter,
                          const OpenOptions& options);

}  // namespace sealstate::internal
