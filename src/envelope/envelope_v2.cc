// sealstate's v2 and v3 envelopes: header line, then (v2) a wrapped data key and a
// secretstream, or (v3, whose header carries the wrapped data keys) the secretstream; for noop,
// the plaintext. See envelope.h for the contract and man/sealstate-format.5.scd for the layout.
#include <sealstate/envelope.h>

#include <sealstate/key_ring.h>
#include <sealstate/names.h>

#include <optional>

#include "envelope/buffered_source.h"
#include "envelope/encrypter_checks.h"
#include "envelope/envelope_v2_header.h"
#include "envelope/envelope_v3.h"
#include "envelope/secretstream.h"
#include "envelope/zstd_stream.h"
#include "pipeline/pipelined_sink.h"
#include "pipeline/prefetching_source.h"
#include "text/go_quote.h"

namespace sealstate {
namespace {

// Associated data for wrapping the per-file data key. Deliberately not the header: if the key
// unwraps but the header's key id differs, the header was edited (kIntegrity); if it does not
// unwrap and the key ids differ, the key is wrong (kWrongKey).
constexpr std::string_view kDataKeyLabel = "sealstate v2 data key";
using internal::kDataKeyBytes;
constexpr std::size_t kMaxWrappedKeyBytes = 64 * 1024;

std::string EncodeLength(std::size_t n) {
  std::string out(4, '\0');
  for (int i = 3; i >= 0; --i, n >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xff);
  return out;
}

std::size_t DecodeLength(std::string_view bytes) {
  std::size_t n = 0;
  for (unsigned char c : bytes) n = (n << 8) | c;
  return n;
}

Status ValidateBinding(const EnvelopeBinding& binding) {
  if (binding.payload_type.empty()) return Status::InvalidArgument("envelope: payload-type is required");
  if (!binding.factory.empty()) SEALSTATE_RETURN_IF_ERROR(ValidateName("factory", binding.factory));
  if (!binding.stack.empty()) SEALSTATE_RETURN_IF_ERROR(ValidateName("stack", binding.stack));
  if (!binding.rev.empty()) SEALSTATE_RETURN_IF_ERROR(ValidateName("revision", binding.rev));
  return Status::OK();
}

// The header of a new file of `version` (kEnvelopeV2 or kEnvelopeV3); a v3 header gets its
// recipients from WrapDataKey.
EnvelopeHeader MakeHeader(std::int64_t version, const EnvelopeBinding& binding, const EncrypterDescription& description,
                          bool plaintext, Compression compression) {
  EnvelopeHeader header;
  header.envelope_version = version;
  header.payload_type = binding.payload_type;
  if (version == kEnvelopeV2) {
    header.encrypter_name = description.key_source;
    header.encrypter_config = description.config;
    header.key_id = description.key_id;
  }
  header.cipher = std::string(plaintext ? kCipherNone : kCipherSecretstream);
  header.chunk_size = kV2ChunkSize;
  header.compression = std::string(CompressionName(compression));
  header.factory = binding.factory;
  header.stack = binding.stack;
  header.rev = binding.rev;
  header.parent = binding.parent;
  return header;
}

// Runs `write_payload` into `out`, through a compressor if `compression` asks for one.
Status WriteCompressed(const PayloadWriter& write_payload, Compression compression, ByteSink& out) {
  if (compression == Compression::kNone) return write_payload(out);
  internal::CompressingSink compressing(out);
  SEALSTATE_RETURN_IF_ERROR(write_payload(compressing));
  return compressing.Finish();
}

Status SealPlaintext(std::int64_t version, const EnvelopeBinding& binding, const Encrypter& encrypter,
                     const PayloadWriter& write_payload, ByteSink& out, Compression compression) {
  const std::string header =
      internal::EncodeV2Header(MakeHeader(version, binding, encrypter.Describe(), true, compression));
  SEALSTATE_RETURN_IF_ERROR(out.Append(header + "\n"));
  return WriteCompressed(write_payload, compression, out);
}

// The compressor between the pipeline and the encrypting sink: on the pipeline's worker thread.
class CompressThenEncrypt final : public ByteSink {
 public:
  CompressThenEncrypt(internal::EncryptingSink& encrypting, Compression compression) : encrypting_(encrypting) {
    if (compression != Compression::kNone) compressing_.emplace(encrypting);
  }
  Status Append(std::string_view data) override {
    return compressing_ ? compressing_->Append(data) : encrypting_.Append(data);
  }
  // Ends the compressed stream, then the encrypted one.
  Status Finish() {
    if (compressing_) SEALSTATE_RETURN_IF_ERROR(compressing_->Finish());
    return encrypting_.Finish();
  }

 private:
  internal::EncryptingSink& encrypting_;
  std::optional<internal::CompressingSink> compressing_;
};

// Encrypts what `write_payload` produces under `data_key`, authenticating `associated_data`.
Status WriteSealedPayload(const SecretBytes& data_key, std::string_view associated_data,
                          const PayloadWriter& write_payload, ByteSink& out, Compression compression) {
  internal::EncryptingSink sink(data_key, associated_data, kV2ChunkSize, out);
  CompressThenEncrypt payload(sink, compression);
  {
    // A big payload is compressed, encrypted and written on a second thread while it is being
    // produced.
    internal::PipelinedSink pipelined(payload);
    SEALSTATE_RETURN_IF_ERROR(write_payload(pipelined));
    SEALSTATE_RETURN_IF_ERROR(pipelined.Finish());
  }
  return payload.Finish();
}

Status SealEncryptedV2(const EnvelopeBinding& binding, const Encrypter& encrypter, const PayloadWriter& write_payload,
                       ByteSink& out, Compression compression) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, SecretBytes::Random(kDataKeyBytes));
  Result<std::string> wrapped = encrypter.WrapKey(data_key, kDataKeyLabel);
  if (!wrapped.ok()) return wrapped.status().WithPrefix("seal: wrap data key: ");
  const std::string header =
      internal::EncodeV2Header(MakeHeader(kEnvelopeV2, binding, encrypter.Describe(), false, compression));
  SEALSTATE_RETURN_IF_ERROR(out.Append(header + "\n"));
  SEALSTATE_RETURN_IF_ERROR(out.Append(EncodeLength(wrapped->size()) + *wrapped));
  return WriteSealedPayload(data_key, header, write_payload, out, compression);
}

Status SealEncryptedV3(const EnvelopeBinding& binding, const Encrypter& encrypter, const PayloadWriter& write_payload,
                       ByteSink& out, Compression compression) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, SecretBytes::Random(kDataKeyBytes));
  const EnvelopeHeader sealed = MakeHeader(kEnvelopeV3, binding, encrypter.Describe(), false, compression);
  SEALSTATE_ASSIGN_OR_RETURN(const EnvelopeHeader header, internal::WrapDataKey(sealed, data_key, encrypter));
  SEALSTATE_RETURN_IF_ERROR(out.Append(internal::EncodeV2Header(header) + "\n"));
  return WriteSealedPayload(data_key, internal::V3PayloadAssociatedData(header), write_payload, out, compression);
}

Status CheckField(std::string_view what, const std::string& actual, const std::string& expected) {
  if (expected.empty() || actual == expected) return Status::OK();
  return Status::Integrity("envelope: sealed for " + std::string(what) + " " + internal::GoQuote(actual) +
                           ", expected " + internal::GoQuote(expected) +
                           ": the file was copied or renamed from elsewhere");
}

Status CheckBinding(const EnvelopeHeader& header, const EnvelopeBinding& expected) {
  if (!expected.payload_type.empty() && header.payload_type != expected.payload_type) {
    return Status::Integrity("envelope: payload-type " + header.payload_type + ", expected " + expected.payload_type);
  }
  SEALSTATE_RETURN_IF_ERROR(CheckField("factory", header.factory, expected.factory));
  SEALSTATE_RETURN_IF_ERROR(CheckField("stack", header.stack, expected.stack));
  return CheckField("revision", header.rev, expected.rev);
}

Status CheckSupported(const EnvelopeHeader& header) {
  if (!ParseCompression(header.compression).ok()) {
    return Status::Format("envelope: unsupported compression " + internal::GoQuote(header.compression) +
                          " (this build reads zstd and none)");
  }
  if (header.cipher != kCipherNone && header.cipher != kCipherSecretstream) {
    return Status::Format("envelope: unsupported cipher " + internal::GoQuote(header.cipher));
  }
  if (header.chunk_size < internal::kMinChunkSize || header.chunk_size > internal::kMaxChunkSize) {
    return Status::Integrity("envelope: chunk-size " + std::to_string(header.chunk_size) + " is out of range");
  }
  return Status::OK();
}

// The key of `configured` (a KeyRing or one encrypter) that owns the v2 file's wrap (the id its
// header names), or nullptr.
const Encrypter* V2KeyFor(const EnvelopeHeader& header, std::string_view wrapped, const Encrypter& configured) {
  for (const Encrypter* key : OpeningKeys(configured)) {
    if (!header.key_id.empty() && key->OwnsWrap(header.key_id, wrapped)) return key;
  }
  return nullptr;
}

// Unwraps the data key and tells a wrong key apart from an edited header (see kDataKeyLabel).
Result<SecretBytes> UnwrapV2DataKey(const EnvelopeHeader& header, std::string_view wrapped,
                                    const Encrypter& configured) {
  const Encrypter* owner = V2KeyFor(header, wrapped, configured);  // before Describe: it may adopt a salt
  // Without an owner, the first key, whose id then explains the refusal.
  const Encrypter& encrypter = owner != nullptr ? *owner : *OpeningKeys(configured).front();
  const EncrypterDescription ours = encrypter.Describe();
  const bool ids_differ = !ours.key_id.empty() && owner == nullptr;
  Result<SecretBytes> key = encrypter.UnwrapKey(wrapped, kDataKeyLabel);
  if (!key.ok() && key.status().code() != Code::kIntegrity) return key.status();
  if (!key.ok() && ids_differ) {
    return Status::WrongKey("envelope: wrong key: the file was sealed with " + header.encrypter_name + " key id " +
                            header.key_id + ", but the configured " + ours.key_source + " key has key id " +
                            ours.key_id);
  }
  if (!key.ok()) return Status::Integrity("envelope: the wrapped data key does not authenticate: the file is corrupt");
  if (ids_differ) {
    return Status::Integrity("envelope: the header names key id " + header.key_id + " but the file was sealed with " +
                             ours.key_id + ": the header was edited");
  }
  if (key->size() != kDataKeyBytes) return Status::Integrity("envelope: the data key has the wrong length");
  return key;
}

// What a file says it is sealed with, for the plaintext rule's messages.
std::string SealedWith(const EnvelopeHeader& header) {
  if (header.envelope_version == kEnvelopeV3) {
    return header.recipients.empty() ? "noop" : header.recipients.front().key_source;
  }
  return header.encrypter_name.empty() ? "an unnamed encrypter" : header.encrypter_name;
}

// What errors about the payload call it: its revision, when the header names one.
std::string PayloadName(const EnvelopeHeader& header) {
  return header.rev.empty() ? std::string("the payload") : "revision " + header.rev;
}

// Runs `read_payload` over `in`, through a decompressor if the header names one (which then
// checks that the compressed stream ends where the document does).
Status ReadDecompressed(const EnvelopeHeader& header, ByteSource& in, const PayloadReader& read_payload) {
  if (header.compression == CompressionName(Compression::kNone)) return read_payload(in);
  internal::DecompressingSource decompressing(in, PayloadName(header));
  SEALSTATE_RETURN_IF_ERROR(read_payload(decompressing));
  return internal::ExpectPayloadEnd(decompressing);
}

// Decrypts the payload under `data_key` (authenticating `associated_data`) into `read_payload`.
Status ReadSealedPayload(internal::BufferedSource& in, const SecretBytes& data_key, std::string_view associated_data,
                         const EnvelopeHeader& header, const PayloadReader& read_payload) {
  internal::DecryptingSource decrypting(data_key, associated_data, header.chunk_size, in);
  std::optional<internal::DecompressingSource> decompressing;
  if (header.compression != CompressionName(Compression::kNone)) decompressing.emplace(decrypting, PayloadName(header));
  ByteSource& payload = decompressing ? static_cast<ByteSource&>(*decompressing) : decrypting;
  // A big payload is read, decrypted and decompressed on a second thread while it is being
  // consumed; reading on to the end checks the compressed stream ends where the document does.
  internal::PrefetchingSource prefetched(payload);
  SEALSTATE_RETURN_IF_ERROR(read_payload(prefetched));
  return internal::ExpectPayloadEnd(prefetched);
}

Status OpenEncrypted(internal::BufferedSource& in, std::string_view header_line, const EnvelopeHeader& header,
                     const Encrypter& encrypter, const PayloadReader& read_payload) {
  if (header.envelope_version == kEnvelopeV3) {
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, internal::UnwrapDataKey(header, encrypter));
    return ReadSealedPayload(in, data_key, internal::V3PayloadAssociatedData(header), header, read_payload);
  }
  SEALSTATE_ASSIGN_OR_RETURN(std::string length, in.ReadExact(4, "wrapped key length"));
  const std::size_t wrapped_size = DecodeLength(length);
  if (wrapped_size > kMaxWrappedKeyBytes) return Status::Integrity("envelope: the wrapped key length is implausible");
  SEALSTATE_ASSIGN_OR_RETURN(std::string wrapped, in.ReadExact(wrapped_size, "wrapped key"));
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, UnwrapV2DataKey(header, wrapped, encrypter));
  return ReadSealedPayload(in, data_key, header_line, header, read_payload);
}

// A plaintext v3 file names no recipients: a list there was added.
Status CheckPlaintextRecipients(const EnvelopeHeader& header) {
  if (header.envelope_version != kEnvelopeV3 || (header.recipients.empty() && header.recipients_mac.empty())) {
    return Status::OK();
  }
  return Status::Integrity("envelope: a plaintext v3 file names recipients: the header was edited");
}

}  // namespace

std::string_view CompressionName(Compression compression) {
  return compression == Compression::kZstd ? "zstd" : "none";
}

Result<Compression> ParseCompression(std::string_view name) {
  if (name == "zstd") return Compression::kZstd;
  if (name == "none") return Compression::kNone;
  return Status::InvalidArgument("unknown compression " + internal::GoQuote(name) + " (expected zstd or none)");
}

Status SealV2(const EnvelopeBinding& binding, const Encrypter& encrypter, const PayloadWriter& write_payload,
              ByteSink& out, Compression compression) {
  SEALSTATE_RETURN_IF_ERROR(ValidateBinding(binding));
  if (encrypter.is_plaintext()) return SealPlaintext(kEnvelopeV2, binding, encrypter, write_payload, out, compression);
  return SealEncryptedV2(binding, encrypter, write_payload, out, compression);
}

Status SealV3(const EnvelopeBinding& binding, const Encrypter& encrypter, const PayloadWriter& write_payload,
              ByteSink& out, Compression compression) {
  SEALSTATE_RETURN_IF_ERROR(ValidateBinding(binding));
  if (encrypter.is_plaintext()) return SealPlaintext(kEnvelopeV3, binding, encrypter, write_payload, out, compression);
  return SealEncryptedV3(binding, encrypter, write_payload, out, compression);
}

Result<EnvelopeHeader> ReadV2Header(ByteSource& in) {
  internal::BufferedSource buffered(in, 4096);
  Result<std::string_view> line = buffered.PeekLine(kV2MaxHeaderBytes);
  if (!line.ok()) return line.status().WithPrefix("envelope: ");
  SEALSTATE_ASSIGN_OR_RETURN(std::int64_t version, DetectEnvelopeVersion(*line));
  if (version == kEnvelopeV1) return Status::Format("envelope: not a v2 envelope (version 1)");
  return internal::ParseV2Header(*line);
}

Status OpenV2(ByteSource& in, const EnvelopeBinding& expected, const Encrypter& encrypter, const OpenOptions& options,
              const PayloadReader& read_payload) {
  internal::BufferedSource buffered(in);
  Result<std::string_view> peeked = buffered.PeekLine(kV2MaxHeaderBytes);
  if (!peeked.ok()) return peeked.status().WithPrefix("envelope: ");
  const std::string header_line(*peeked);
  buffered.Skip(header_line.size() + 1);
  SEALSTATE_ASSIGN_OR_RETURN(EnvelopeHeader header, internal::ParseV2Header(header_line));
  SEALSTATE_RETURN_IF_ERROR(CheckBinding(header, expected));
  SEALSTATE_RETURN_IF_ERROR(CheckSupported(header));
  const bool plaintext = header.cipher == kCipherNone;
  if (plaintext) SEALSTATE_RETURN_IF_ERROR(CheckPlaintextRecipients(header));
  const std::string sealed_with = SealedWith(header);
  SEALSTATE_RETURN_IF_ERROR(internal::CheckPlaintextRule(plaintext, sealed_with, encrypter, options));
  if (plaintext) return ReadDecompressed(header, buffered, read_payload);
  return OpenEncrypted(buffered, header_line, header, encrypter, read_payload);
}

}  // namespace sealstate
