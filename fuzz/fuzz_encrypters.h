// The fixed encrypters the envelope fuzzers open with.
#pragma once

#include <cstdlib>
#include <memory>

#include <sealstate/encrypter.h>

#include "fuzz_common.h"

namespace sealstate::fuzz {

// env-key on kFuzzKeyVar, set to the public fuzz key. Made once per process.
inline const Encrypter& FixedKeyEncrypter() {
  static const std::unique_ptr<Encrypter> encrypter = [] {
    ::setenv(kFuzzKeyVar, kFuzzKeyBase64, 1);
    Result<std::unique_ptr<Encrypter>> made = NewEnvKeyEncrypter(kFuzzKeyVar);
    if (!made.ok()) Violation("the fixed key loads", made.status().message());
    return std::move(*made);
  }();
  return *encrypter;
}

inline const Encrypter& Noop() {
  static const std::unique_ptr<Encrypter> encrypter = NewNoopEncrypter();
  return *encrypter;
}

// What hostile bytes may be reported as: tampered or malformed (kIntegrity), a version this
// build does not read (kFormat), another key (kWrongKey), or a cipher this CPU lacks
// (kUnsupported). Anything else (kInternal, kInvalidArgument, kIoError, ...) is a bug.
inline bool IsHostileInputError(Code code) {
  return code == Code::kIntegrity || code == Code::kFormat || code == Code::kWrongKey || code == Code::kUnsupported;
}

inline void RequireHostileInputError(const Status& status, const char* what) {
  Require(IsHostileInputError(status.code()), what, std::string(CodeName(status.code())) + ": " + status.message());
}

}  // namespace sealstate::fuzz
