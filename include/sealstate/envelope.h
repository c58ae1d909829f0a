// Envelopes: the sealed container a snapshot is stored in. The byte layout of both versions is
// specified in man/sealstate-format.5.scd.
//
// v1 is unobin's: pretty JSON {envelope-version 1, payload-type, encrypter {name, body},
// ciphertext (base64)}. Its header is not authenticated. sealstate always reads v1 and writes
// it only when asked (a store opened in unobin-compatible mode).
//
// v2 is sealstate's default: one line of compact JSON (the header) naming the payload type,
// encrypter, key id, cipher, chunk size, compression, factory, stack and revision, then the
// payload as raw bytes. With a real encrypter the payload is an XChaCha20-Poly1305
// secretstream in 64 KiB chunks under a random per-file data key (wrapped by the encrypter), and
// every chunk authenticates the exact header bytes. So a file copied to another stack or
// revision, an edited header, a truncation and a dropped or reordered chunk all fail as
// kIntegrity, and a key-id mismatch fails as kWrongKey, naming both key ids.
//
// Thread safety: the functions are reentrant; streams and encrypters are borrowed for the call.
#pragma once

#include <sealstate/export.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/encrypter.h>
#include <sealstate/json.h>
#include <sealstate/snapshot.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>

namespace sealstate {

inline constexpr std::int64_t kEnvelopeV1 = 1;
inline constexpr std::int64_t kEnvelopeV2 = 2;
inline constexpr std::int64_t kEnvelopeV3 = 3;
// Most recipients a v3 header may carry (a reader refuses more).
inline constexpr std::size_t kV3MaxRecipients = 32;
inline constexpr std::size_t kV2ChunkSize = 64 * 1024;
inline constexpr std::size_t kV2MaxHeaderBytes = 16 * 1024;
inline constexpr std::string_view kCipherSecretstream = "xchacha20poly1305-secretstream";
inline constexpr std::string_view kCipherNone = "none";
// The size of a parent's BLAKE2b digest (EnvelopeParent::blake2b holds twice as many hex digits).
inline constexpr std::size_t kParentDigestBytes = 32;

// How a v2 payload is compressed before it is encrypted. v1 (unobin) is never compressed.
enum class Compression {
  kNone,  // "none": the payload as produced
  kZstd,  // "zstd": one zstd stream, decompressed with bounds (sealstate-format(5), COMPRESSION)
};

// The name a v2 header records for `compression`: "none" or "zstd".
SEALSTATE_EXPORT std::string_view CompressionName(Compression compression);

// The compression a name selects, as the header and the CLI spell it. Errors: kInvalidArgument
// "unknown compression \"NAME\" (expected zstd or none)".
SEALSTATE_EXPORT Result<Compression> ParseCompression(std::string_view name);

// A v2 revision's parent: the revision `current` named when it was written, and the BLAKE2b-256
// digest (libsodium crypto_generichash, 32 bytes, 64 lower-case hex digits) of that revision's
// stored file: the whole envelope as stored, header included. Recorded in the authenticated
// header, so `verify --chain` (VerifyChain) can tell a deleted, swapped or reordered revision.
struct EnvelopeParent {
  std::string rev;
  std::string blake2b;

  friend bool operator==(const EnvelopeParent&, const EnvelopeParent&) = default;
};

// What a v2 file is bound to. Sealing writes these into the header; opening checks each
// non-empty field against the header (an empty field is not checked).
struct EnvelopeBinding {
  std::string payload_type;  // "state" for snapshots; required when sealing
  std::string factory;
  std::string stack;
  std::string rev;
  // Written into a v2 header when set (none: the first revision, or a current that could not be
  // read); never checked when opening. v1 cannot carry it and ignores it.
  std::optional<EnvelopeParent> parent = std::nullopt;
};

// How strictly to open.
struct OpenOptions {
  // A file sealed with noop (plaintext) is refused with kIntegrity unless this is set or the
  // configured encrypter is itself noop, so nobody can plant plaintext state next to
  // encrypted state (OpenTofu's "enforced").
  bool allow_plaintext = false;
  // Open v1 (unobin) files. v1 binds a file to nothing (not its stack, not its revision), so a
  // v1 file copied over a v2 revision would read as that revision: a reader whose files are v2
  // sets this to false, and OpenSnapshot then refuses a v1 file with kIntegrity. When set, a v1
  // snapshot naming another stack (a copied or renamed unobin stack) opens as written, as unobin
  // reads it (see OpenSnapshot).
  bool accept_v1 = true;
};

// Which envelopes a store writes and which it reads: one store-wide option that every backend
// honours (LocalStoreOptions::envelope, BackendContext::envelope).
struct EnvelopePolicy {
  // Write unobin's v1 envelopes (so unobin reads the stack), and read them (implies accept_v1).
  bool unobin_compatible = false;
  // The stack was migrated from unobin: read its v1 snapshots. Without this (and without
  // unobin_compatible), a v1 snapshot is refused as kIntegrity, because v1 binds neither the
  // stack nor the revision: a v1 file sealed with the same key and copied over a v2 revision
  // would otherwise read as that revision. VerifyStack flags such a copy either way, from the
  // journal's record of the version each revision was written with.
  bool accept_v1 = false;
  // Read noop (plaintext) snapshots even though a real encrypter is configured.
  bool allow_plaintext = false;
  // How new v2 snapshots are compressed (the store default: zstd). Ignored in unobin-compatible
  // mode, whose v1 envelopes are never compressed. Reading accepts either, whatever this says.
  Compression compression = Compression::kZstd;

  // The envelope version new snapshots are sealed with: kEnvelopeV1 or kEnvelopeV3.
  std::int64_t written_version() const { return unobin_compatible ? kEnvelopeV1 : kEnvelopeV3; }
  // The compression new snapshots are sealed with: `compression`, or kNone for v1.
  Compression written_compression() const { return unobin_compatible ? Compression::kNone : compression; }
  // How OpenSnapshot must open a stored snapshot under this policy.
  OpenOptions open_options() const {
    return OpenOptions{.allow_plaintext = allow_plaintext, .accept_v1 = unobin_compatible || accept_v1};
  }
  friend bool operator==(const EnvelopePolicy&, const EnvelopePolicy&) = default;
};

// One recipient of a v3 file: the file's data key wrapped (Encrypter::WrapKey) for one key.
struct WrappedDataKey {
  std::string key_source;  // the registry name of the key's source ("env-key", "key-file", ...)
  JsonObject config;       // that source's non-secret configuration (Describe().config)
  std::string key_id;      // the key's id (Describe().key_id): what a reader matches keys by
  std::string wrapped;     // the wrapped data key (raw bytes; base64 in the header)
  friend bool operator==(const WrappedDataKey&, const WrappedDataKey&) = default;
};

// A parsed v2 or v3 header, as written on the first line of the file.
struct EnvelopeHeader {
  std::int64_t envelope_version = kEnvelopeV2;
  std::string payload_type;
  // v2 only: the one encrypter the data key is wrapped for (v3: recipients).
  std::string encrypter_name;
  JsonObject encrypter_config;
  std::string key_id;
  // v3 only: the data key wrapped for each recipient key (1..kV3MaxRecipients; none for a
  // plaintext file), and the MAC that binds that list, in its order, to the rest of the header
  // (sealstate-format(5), ENVELOPE V3).
  std::vector<WrappedDataKey> recipients;
  std::string recipients_mac;
  std::string cipher;
  std::uint64_t chunk_size = kV2ChunkSize;
  std::string compression = "none";
  std::string factory;
  std::string stack;
  std::string rev;
  std::optional<EnvelopeParent> parent = std::nullopt;  // the "parent" key; absent in older files
};

// Writes the payload into the given sink; called once while sealing.
using PayloadWriter = std::function<Status(ByteSink& payload)>;
// Reads the payload from the given source, to its end; called once while opening. The bytes are
// authenticated only once the whole payload has been read: the caller must discard what it
// built if the open returns an error.
using PayloadReader = std::function<Status(ByteSource& payload)>;

// ---- v1 (unobin) ----

// unobin's Seal: encrypt with no associated data, then describe. Errors: kInvalidArgument
// "envelope: payload-type is required"; encrypter errors prefixed "seal: encrypt: ".
SEALSTATE_EXPORT Result<std::string> SealV1(std::string_view payload, std::string_view payload_type,
                                            const Encrypter& encrypter);

// unobin's Open, in its order: parse ("envelope: ..."; kIntegrity), version ("envelope:
// unsupported envelope-version N (this build expects 1)"; kFormat), type (checked only when both
// sides are set: "envelope: payload-type plan, expected state"; kIntegrity), then the plaintext
// rule of OpenOptions, then decrypt with `encrypter`, whose failure reads
// "open: decrypt: <cause> (sealed with <name>[ key-id|env-var <value>])" (kIntegrity: v1 cannot
// tell a wrong key from tampering).
SEALSTATE_EXPORT Result<std::string> OpenV1(std::string_view envelope, std::string_view expected_type,
                                            const Encrypter& encrypter, const OpenOptions& options = {});
// The same, reading the envelope from `in` as it parses it: what it holds is the ciphertext
// (decoded from base64 as it streams past) and then the plaintext, never the file or the base64
// text. Errors: as above, and "envelope: \"ciphertext\" longer than 1.5 GiB ..." (kIntegrity).
SEALSTATE_EXPORT Result<std::string> OpenV1(ByteSource& in, std::string_view expected_type, const Encrypter& encrypter,
                                            const OpenOptions& options = {});

// ---- v2 (sealstate) ----

// Writes the header line, then the payload produced by `write_payload`, compressed as
// `compression` says (recorded in the header) and sealed in chunks as it is produced. Memory
// stays bounded by the chunk size. Above 1 MiB of payload, `out` is called from a second thread
// (stream.h says exactly when); compression runs on that thread too. Errors: kInvalidArgument
// for an empty payload type, a binding field that fails ValidateName, or a payload a reader
// would refuse as a decompression bomb (sealstate-format(5)); encrypter and sink errors.
SEALSTATE_EXPORT Status SealV2(const EnvelopeBinding& binding, const Encrypter& encrypter,
                               const PayloadWriter& write_payload, ByteSink& out,
                               Compression compression = Compression::kNone);

// ---- v3 (sealstate, several recipient keys) ----

// As SealV2, but the header carries the data key wrapped for each of WrapTargets(encrypter)
// (key_ring.h: a KeyRing's first key and its recipients, or the one encrypter) and the payload
// authenticates the header without those wraps, so they can be replaced (RekeyEnvelope)
// without touching the payload. A noop encrypter writes a plaintext v3 file with no recipients.
SEALSTATE_EXPORT Status SealV3(const EnvelopeBinding& binding, const Encrypter& encrypter,
                               const PayloadWriter& write_payload, ByteSink& out,
                               Compression compression = Compression::kNone);

// ---- v2 and v3 ----

// Reads and checks the header (v2 or v3), then hands the authenticated-as-it-goes payload to
// `read_payload` (decompressed, if the header says so), then checks the stream ended properly.
// Errors: kFormat (not v2, unknown cipher or compression), kIntegrity (malformed or edited
// header, binding mismatch, tampering, truncation, trailing bytes, refused plaintext, a corrupt
// compressed payload or a decompression bomb, naming the revision), kWrongKey (key ids
// differ; for v3, no configured key's id is among the file's recipients, naming the ids it
// wants), reader errors. `encrypter` may be a KeyRing: the key the file names is used.
// Past the first 1 MiB of payload, `in` is read from a second thread (stream.h).
SEALSTATE_EXPORT Status OpenV2(ByteSource& in, const EnvelopeBinding& expected, const Encrypter& encrypter,
                               const OpenOptions& options, const PayloadReader& read_payload);

// Reads only the first line of a v2 or v3 file and parses it, without authenticating it (for
// inspection and diagnostics). Errors: kFormat if the input is a v1 envelope; kIntegrity if
// the header is malformed.
SEALSTATE_EXPORT Result<EnvelopeHeader> ReadV2Header(ByteSource& in);

// ---- version-independent ----

// Which version a file is: 2 or 3 if its first line is a v2 or v3 header, else 1 (v1 is pretty JSON whose
// first line is "{"). Inspects only `first_bytes` (at least the first line, or the whole file
// if shorter). Errors: kFormat for an envelope-version other than 1, 2 or 3.
SEALSTATE_EXPORT Result<std::int64_t> DetectEnvelopeVersion(std::string_view first_bytes);

// The header of a file of either version, without authenticating or decrypting anything: for
// v2 its parsed header line; for v1, whose header is not separate from its ciphertext, an
// EnvelopeHeader with only envelope_version = 1. The version is detected as OpenSnapshot detects
// it (a first line longer than any v2 header is v1). Reads at most the first 16 KiB. Errors:
// kFormat (an unknown envelope-version), kIntegrity (a malformed v2 header), source errors.
SEALSTATE_EXPORT Result<EnvelopeHeader> ReadEnvelopeHeader(ByteSource& in);

// Seals a snapshot: version kEnvelopeV3 (what stores write), kEnvelopeV2 (default here, for
// compatibility) or kEnvelopeV1 (unobin-compatible). The payload is EncodeSnapshot's bytes. For
// v2 and v3, `binding` is written to the header; payload_type
// is forced to "state"; the payload is compressed as `compression` says. Errors: as
// EncodeSnapshot, SealV1/SealV2; kInvalidArgument for v1 with a compression other than kNone.
SEALSTATE_EXPORT Status SealSnapshot(const Snapshot& snapshot, std::int64_t envelope_version,
                                     const EnvelopeBinding& binding, const Encrypter& encrypter, ByteSink& out,
                                     Compression compression = Compression::kNone);

// Opens a snapshot file of either version (detected) and decodes it. For v2, the header and
// then the snapshot's stack and factory name are checked against `expected` (when set): a
// mismatch is kIntegrity, since the file was copied or renamed from elsewhere. A v1 file is
// kIntegrity unless options.accept_v1; v1 binds its stack only inside the snapshot, and unobin
// never checks it, so a v1 snapshot naming another stack or factory (its stack directory was
// copied or renamed) is returned as written: its factory and stack say where it was written,
// and a caller that shows it may warn (SealSnapshot refuses it for `expected` until they are
// changed). v1 records no revision. Errors: as OpenV1/OpenV2 and DecodeSnapshot.
SEALSTATE_EXPORT Result<Snapshot> OpenSnapshot(ByteSource& in, const EnvelopeBinding& expected,
                                               const Encrypter& encrypter, const OpenOptions& options = {});

}  // namespace sealstate
