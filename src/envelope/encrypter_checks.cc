#include "envelope/encrypter_checks.h"

#include <string>

namespace sealstate::internal {

Status CheckPlaintextRule(bool file_is_plaintext, std::string_view sealed_with, const Encrypter& encrypter,
                          const OpenOptions& options) {
  const bool configured_plaintext = encrypter.is_plaintext();
  if (file_is_plaintext && !configured_plaintext && !options.allow_plaintext) {
    return Status::Integrity("envelope: refusing a plaintext (noop) file while encrypter " +
                             encrypter.Describe().key_source +
                             " is configured: it may have been planted; allow plaintext explicitly to read it");
  }
  if (!file_is_plaintext && configured_plaintext && !sealed_with.empty()) {
    return Status::WrongKey("envelope: sealed with " + std::string(sealed_with) +
                            ", but the configured encrypter is noop; configure the encrypter and key it was "
                            "sealed with");
  }
  return Status::OK();
}

}  // namespace sealstate::internal
