// Fuzzes the v2 (sealstate) envelope reader: OpenV2 and OpenSnapshot with a fixed env-key
// encrypter and the binding the seeds were sealed for, the same with noop (plaintext allowed),
// and ReadV2Header. With noop, a "compression":"zstd" file (seeds noop-zstd*) hands the
// fuzzer's bytes to the zstd decompressor and its bounds. Properties:
// - no crash, leak, undefined behaviour or hang;
// - every refusal is a hostile-input error (integrity, format, wrong key, unsupported);
// - reading the file whole or a byte at a time gives the same result (no split-dependent bugs);
// - what opens with the key is bound to the expected payload type, factory, stack and revision,
//   is really encrypted (cipher secretstream, never plaintext slipped past the plaintext rule)
//   and names the key's id; what opens with noop is a plaintext file;
// - OpenSnapshot returns exactly the decoding of the payload OpenV2 authenticated, and the
//   snapshot names the expected stack and factory.
#include <optional>

#include <sealstate/envelope.h>
#include <sealstate/snapshot.h>

#include "fuzz_common.h"
#include "fuzz_encrypters.h"

using namespace sealstate;
using namespace sealstate::fuzz;

namespace {

const EnvelopeBinding& Expected() {
  static const EnvelopeBinding binding{"state", kFactory, kStack, kRev};
  return binding;
}

// The authenticated payload, or the refusal.
Result<std::string> OpenPayload(std::string_view input, std::size_t step, const EnvelopeBinding& expected,
                                const Encrypter& encrypter, bool plaintext_ok) {
  TrickleSource source(input, step);
  OpenOptions options;
  options.allow_plaintext = plaintext_ok;
  std::string payload;
  const Status status = OpenV2(source, expected, encrypter, options, [&](ByteSource& in) -> Status {
    char block[4096];
    for (;;) {
      SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, in.Read(block, sizeof block));
      if (n == 0) return Status::OK();
      payload.append(block, n);
    }
  });
  if (!status.ok()) {
    RequireHostileInputError(status, "OpenV2 refuses with a hostile-input error");
    return status;
  }
  return payload;
}

std::optional<EnvelopeHeader> Header(std::string_view input) {
  TrickleSource source(input, input.size() + 1);
  Result<EnvelopeHeader> header = ReadV2Header(source);
  if (!header.ok()) {
    RequireHostileInputError(header.status(), "ReadV2Header refuses with a hostile-input error");
    return std::nullopt;
  }
  return std::move(*header);
}

void CheckSame(const Result<std::string>& a, const Result<std::string>& b) {
  Require(a.ok() == b.ok(), "whole and bytewise reads agree", a.status().message() + " vs " + b.status().message());
  if (a.ok()) Require(*a == *b, "whole and bytewise reads give the same payload");
}

void CheckKeyed(const std::optional<EnvelopeHeader>& header) {
  Require(header.has_value(), "an opened file has a readable header");
  Require(
      header->payload_type == "state" && header->factory == kFactory && header->stack == kStack && header->rev == kRev,
      "an opened file is bound to what was expected");
  Require(header->cipher == kCipherSecretstream, "the key opens only encrypted files", header->cipher);
  Require(header->key_id == FixedKeyEncrypter().Describe().key_id, "the key opens only files naming its id");
}

void CheckSnapshot(std::string_view input, const Encrypter& encrypter, bool plaintext_ok,
                   const Result<std::string>& payload) {
  TrickleSource source(input, 1 + input.size() % 89);
  OpenOptions options;
  options.allow_plaintext = plaintext_ok;
  const Result<Snapshot> snapshot = OpenSnapshot(source, Expected(), encrypter, options);
  if (!snapshot.ok()) {
    RequireHostileInputError(snapshot.status(), "OpenSnapshot refuses with a hostile-input error");
    return;
  }
  Require(snapshot->stack == kStack && snapshot->factory.name == kFactory, "the snapshot names the expected stack");
  const Result<std::int64_t> version = DetectEnvelopeVersion(input);
  if (version.ok() && *version == kEnvelopeV1) return;  // OpenSnapshot read it as v1: the v1 fuzzer's business
  Require(payload.ok(), "OpenSnapshot accepts only what OpenV2 accepts", payload.status().message());
  const Result<Snapshot> decoded = DecodeSnapshot(*payload);
  Require(decoded.ok() && *decoded == *snapshot, "OpenSnapshot returns the decoded payload");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = AsView(data, size);
  const std::optional<EnvelopeHeader> header = Header(input);

  const Result<std::string> keyed = OpenPayload(input, input.size() + 1, Expected(), FixedKeyEncrypter(), false);
  CheckSame(keyed, OpenPayload(input, 1, Expected(), FixedKeyEncrypter(), false));
  if (keyed.ok()) CheckKeyed(header);
  CheckSnapshot(input, FixedKeyEncrypter(), false, keyed);

  const Result<std::string> plain = OpenPayload(input, 7, EnvelopeBinding{}, Noop(), true);
  if (plain.ok()) Require(header.has_value() && header->cipher == kCipherNone, "noop opens only plaintext files");
  const Result<std::string> plain_bound = OpenPayload(input, 13, Expected(), Noop(), true);
  CheckSnapshot(input, Noop(), true, plain_bound);
  return 0;
}
