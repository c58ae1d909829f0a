// Reading a small secret (a key, a passphrase) from a file only its owner can read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Reads the whole of `path` (at most `max_bytes`) into guarded memory, following symlinks
// (Kubernetes secret volumes are symlinks). `subject` starts every message ("key-file encrypter: PATH").
// Errors: kNotFound "<subject> does not exist"; kIoError from the file system, prefixed with
// `source` ("key-file encrypter: "); kInvalidArgument if the file is not a regular file
// ("<subject> is not a regular file"), is readable or writable by group or others ("<subject> is
// accessible by group or others (mode 0644); run: chmod 600 PATH"), or is larger than
// `max_bytes` ("<subject> is larger than N bytes; <what_it_holds>").
Result<SecretBytes> ReadOwnerOnlySecretFile(const std::string& path, std::string_view source, std::string_view subject,
                                            std::size_t max_bytes, std::string_view what_it_holds);

}  // namespace sealstate::internal
