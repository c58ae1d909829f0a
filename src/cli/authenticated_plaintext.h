// show's shortcut for v2 revisions: the authenticated plaintext, without decoding it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sealstate/backend.h>

#include "cli/global_options.h"

namespace sealstate::cli {

// The plaintext of revision `rev` when it is a v2 file that opens with the options' key and
// authenticates whole (every chunk and the final tag, checked before Open returns): that is the
// snapshot's encoding as sealstate wrote it (sealstate-format(5), SNAPSHOT), so `show` can print
// it without decoding and re-encoding it. Like the decoding path, it requires the snapshot to
// name the backend's factory and stack.
class AuthenticatedV2Plaintext {
 public:
  // nullopt for anything else (v1, a backend that cannot read headers or envelopes, a wrong key,
  // a damaged file): the caller takes the decoding path, which reports it. Never holds
  // unauthenticated bytes.
  static std::optional<AuthenticatedV2Plaintext> Open(const GlobalOptions& options, Backend& backend,
                                                      const std::string& rev);
  // Writes the plaintext to `sink`. Errors: the sink's.
  Status WriteTo(ByteSink& sink) const;

 private:
  std::vector<std::string> blocks_;
};

}  // namespace sealstate::cli
