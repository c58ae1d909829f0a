// Sealing a payload into a v2 or v3 envelope held in a string, and opening one back, for the
// Catch2 suites that test envelopes (kept out of test_support.h, which programs without Catch2
// include too).
#pragma once

#include <catch2/catch.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/envelope.h>

namespace sealstate::testing {

// SealPayload's `piece` for a payload appended in one piece.
inline constexpr std::size_t kWholePayload = std::string_view::npos;

// SealV2 or SealV3: they take the same arguments.
using EnvelopeSealer = Status (*)(const EnvelopeBinding&, const Encrypter&, const PayloadWriter&, ByteSink&,
                                  Compression);

// The envelope `seal` writes of `payload` for `binding` with `encrypter`, compressed as
// `compression` says; the payload is appended in pieces of at most `piece` bytes (kWholePayload:
// one Append, even when empty), as an encoder appends. Fails the test case if sealing fails.
inline std::string SealPayload(const Encrypter& encrypter, std::string_view payload, const EnvelopeBinding& binding,
                               Compression compression = Compression::kNone, std::size_t piece = kWholePayload,
                               EnvelopeSealer seal = SealV2) {
  std::string out;
  StringSink sink(out);
  const auto write = [&](ByteSink& p) {
    if (piece == kWholePayload) return p.Append(payload);
    for (std::size_t at = 0; at < payload.size(); at += piece) {
      SEALSTATE_RETURN_IF_ERROR(p.Append(payload.substr(at, piece)));
    }
    return Status::OK();
  };
  Status s = seal(binding, encrypter, write, sink, compression);
  if (!s.ok()) FAIL(s.ToString());
  return out;
}

// The payload of the v2 or v3 envelope `file`, opened with `encrypter` and `options` for
// `expected`, read `read_size` bytes at a time. Errors: OpenV2's.
inline Result<std::string> OpenPayload(const Encrypter& encrypter, std::string_view file,
                                       const EnvelopeBinding& expected, const OpenOptions& options = {},
                                       std::size_t read_size = 1000) {
  StringSource source(file);
  std::string got;
  Status s = OpenV2(source, expected, encrypter, options, [&](ByteSource& p) {
    std::string buffer(read_size, '\0');
    for (;;) {
      SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, p.Read(buffer.data(), buffer.size()));
      if (n == 0) return Status::OK();
      got.append(buffer.data(), n);
    }
  });
  if (!s.ok()) return s;
  return got;
}

}  // namespace sealstate::testing
