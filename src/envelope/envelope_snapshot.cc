// Sealing and opening snapshots in either envelope version.
#include <sealstate/envelope.h>

#include <optional>

#include "envelope/buffered_source.h"
#include "envelope/seal_validated.h"
#include "json/json_reader.h"
#include "snapshot/encode_validated.h"
#include "text/go_quote.h"
#include "text/trim.h"

namespace sealstate {
namespace {

constexpr std::string_view kStatePayload = "state";

std::string_view FirstLine(std::string_view bytes) { return bytes.substr(0, bytes.find('\n')); }

// The snapshot must describe the stack and factory it is sealed for / found in.
Status CheckSnapshotBinding(const Snapshot& snapshot, const EnvelopeBinding& binding, Code code) {
  std::string problem;
  if (!binding.stack.empty() && snapshot.stack != binding.stack) {
    problem = "stack " + internal::GoQuote(snapshot.stack) + ", expected " + internal::GoQuote(binding.stack);
  } else if (!binding.factory.empty() && snapshot.factory.name != binding.factory) {
    problem =
        "factory " + internal::GoQuote(snapshot.factory.name) + ", expected " + internal::GoQuote(binding.factory);
  } else {
    return Status::OK();
  }
  if (code == Code::kInvalidArgument) return Status::InvalidArgument("snapshot: the snapshot names " + problem);
  return Status::Integrity("snapshot: the snapshot names " + problem + ": the file was copied from elsewhere");
}

Result<Snapshot> OpenSnapshotV1(ByteSource& in, const Encrypter& encrypter, const OpenOptions& options) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string plaintext, OpenV1(in, kStatePayload, encrypter, options));
  return DecodeSnapshot(plaintext);
}

Result<Snapshot> OpenSnapshotV2(ByteSource& in, const EnvelopeBinding& expected, const Encrypter& encrypter,
                                const OpenOptions& options) {
  EnvelopeBinding binding = expected;
  binding.payload_type = std::string(kStatePayload);
  std::optional<Snapshot> snapshot;
  SEALSTATE_RETURN_IF_ERROR(OpenV2(in, binding, encrypter, options, [&](ByteSource& payload) {
    Result<Snapshot> decoded = DecodeSnapshot(payload);
    if (decoded.ok()) snapshot = std::move(*decoded);
    return decoded.status();
  }));
  return std::move(*snapshot);
}

}  // namespace

Result<std::int64_t> DetectEnvelopeVersion(std::string_view first_bytes) {
  const std::string_view line = internal::Trim(FirstLine(first_bytes), " \t\r");
  if (line.empty() || line == "{") return kEnvelopeV1;  // unobin's pretty JSON
  Result<Json> parsed = internal::ParseJson(line);
  if (!parsed.ok() || parsed->type() != Json::Type::kObject) return kEnvelopeV1;  // let OpenV1 explain
  const auto it = parsed->as_object().find("envelope-version");
  if (it == parsed->as_object().end() || it->second.type() != Json::Type::kInt) return kEnvelopeV1;
  const std::int64_t version = it->second.as_int();
  if (version == kEnvelopeV1 || version == kEnvelopeV2 || version == kEnvelopeV3) return version;
  return Status::Format("envelope: unsupported envelope-version " + std::to_string(version) +
                        " (this build expects 1, 2 or 3)");
}

namespace internal {

Status SealValidatedSnapshot(const Snapshot& snapshot, std::int64_t envelope_version, const EnvelopeBinding& binding,
                             const Encrypter& encrypter, ByteSink& out, Compression compression) {
  SEALSTATE_RETURN_IF_ERROR(CheckSnapshotBinding(snapshot, binding, Code::kInvalidArgument));
  if (envelope_version == kEnvelopeV1 && compression != Compression::kNone) {
    return Status::InvalidArgument("envelope: v1 (unobin) envelopes are never compressed: seal with compression none");
  }
  if (envelope_version == kEnvelopeV1) {
    std::string encoded;
    StringSink encoded_sink(encoded);
    SEALSTATE_RETURN_IF_ERROR(EncodeValidatedSnapshot(snapshot, encoded_sink));
    SEALSTATE_ASSIGN_OR_RETURN(std::string sealed, SealV1(encoded, kStatePayload, encrypter));
    return out.Append(sealed);
  }
  if (envelope_version != kEnvelopeV2 && envelope_version != kEnvelopeV3) {
    return Status::InvalidArgument("envelope: cannot write envelope-version " + std::to_string(envelope_version) +
                                   " (this build writes 1, 2 or 3)");
  }
  EnvelopeBinding state_binding = binding;
  state_binding.payload_type = std::string(kStatePayload);
  const PayloadWriter write = [&](ByteSink& payload) { return EncodeValidatedSnapshot(snapshot, payload); };
  if (envelope_version == kEnvelopeV3) return SealV3(state_binding, encrypter, write, out, compression);
  return SealV2(state_binding, encrypter, write, out, compression);
}

}  // namespace internal

Status SealSnapshot(const Snapshot& snapshot, std::int64_t envelope_version, const EnvelopeBinding& binding,
                    const Encrypter& encrypter, ByteSink& out, Compression compression) {
  SEALSTATE_RETURN_IF_ERROR(ValidateSnapshot(snapshot));
  return internal::SealValidatedSnapshot(snapshot, envelope_version, binding, encrypter, out, compression);
}

namespace {

// The version of the file `buffered` starts, from its first line (peeked, not consumed).
Result<std::int64_t> DetectFileVersion(internal::BufferedSource& buffered) {
  Result<std::string_view> line = buffered.PeekLine(kV2MaxHeaderBytes);
  if (line.ok()) return DetectEnvelopeVersion(*line);
  if (line.status().code() != Code::kIntegrity) return line.status();
  return kEnvelopeV1;  // a first line longer than any v2 header is not v2
}

}  // namespace

Result<EnvelopeHeader> ReadEnvelopeHeader(ByteSource& in) {
  internal::BufferedSource buffered(in, 4096);
  SEALSTATE_ASSIGN_OR_RETURN(std::int64_t version, DetectFileVersion(buffered));
  if (version != kEnvelopeV1) return ReadV2Header(buffered);
  EnvelopeHeader v1;
  v1.envelope_version = kEnvelopeV1;
  return v1;
}

Result<Snapshot> OpenSnapshot(ByteSource& in, const EnvelopeBinding& expected, const Encrypter& encrypter,
                              const OpenOptions& options) {
  internal::BufferedSource buffered(in);
  SEALSTATE_ASSIGN_OR_RETURN(const std::int64_t version, DetectFileVersion(buffered));
  if (version != kEnvelopeV1) {
    SEALSTATE_ASSIGN_OR_RETURN(Snapshot snapshot, OpenSnapshotV2(buffered, expected, encrypter, options));
    SEALSTATE_RETURN_IF_ERROR(CheckSnapshotBinding(snapshot, expected, Code::kIntegrity));
    return snapshot;
  }
  if (!options.accept_v1) {
    return Status::Integrity(
        "envelope: refusing a v1 (unobin) file where v2 files are expected: v1 binds neither stack nor revision, "
        "so it may be a copy of another revision; if the stack holds unobin history, accept v1 files explicitly "
        "(sealstate --accept-v1)");
  }
  // v1 names its stack only inside the snapshot, and unobin never compares it with the stack it
  // reads: a v1 snapshot of a stack directory that was copied or renamed is returned as written.
  return OpenSnapshotV1(buffered, encrypter, options);
}

}  // namespace sealstate
