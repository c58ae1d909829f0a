// zstd compression inside the v2 envelope: round trips, the header field, and what a reader
// refuses (decompression bombs, corrupt or truncated compressed data, unknown compression).
#include <catch2/catch.hpp>

#include <string>

#include <zstd.h>

#include <sealstate/envelope.h>

#include "envelope/envelope_v2_header.h"
#include "envelope/secretstream.h"
#include "support/envelope_payload.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::EnvKey;
using sealstate::testing::OpenPayload;
using sealstate::testing::SealPayload;

namespace {

const EnvelopeBinding kBinding{"state", "cluster-deploy", "prod-east-alpha", "2026-04-30T12:00:00Z"};

// JSON-like text that compresses as state does (repeated keys, varying values).
std::string JsonLike(std::size_t size) {
  std::string out;
  for (std::size_t i = 0; out.size() < size; ++i) {
    out += "{\"address\": \"resource.r" + std::to_string(i) + "\", \"outputs\": {\"id\": \"i-" +
           std::to_string(i * 2654435761u % 1000003) + "\", \"cidr-block\": \"10.0." + std::to_string(i % 256) +
           ".0/24\"}},\n";
  }
  out.resize(size);
  return out;
}

// Appended in uneven pieces, as an encoder does.
std::string Seal(const Encrypter& enc, std::string_view payload, Compression compression) {
  return SealPayload(enc, payload, kBinding, compression, 7919);
}

Result<std::string> Open(const Encrypter& enc, std::string_view file, OpenOptions options = {}) {
  return OpenPayload(enc, file, kBinding, options, 3000);
}

std::string HeaderLine(const std::string& file) { return file.substr(0, file.find('\n')); }

// A v2 file whose header says `compression` and whose (authenticated) payload is exactly `raw`:
// sealed with the key as SealV2 seals, so only the compressed bytes themselves are hostile.
std::string SealRaw(const Encrypter& enc, std::string_view compression, std::string_view raw) {
  EnvelopeHeader header;
  header.payload_type = kBinding.payload_type;
  header.encrypter_name = enc.Describe().key_source;
  header.encrypter_config = enc.Describe().config;
  header.key_id = enc.Describe().key_id;
  header.cipher = std::string(kCipherSecretstream);
  header.compression = std::string(compression);
  header.factory = kBinding.factory;
  header.stack = kBinding.stack;
  header.rev = kBinding.rev;
  const std::string line = internal::EncodeV2Header(header);
  Result<SecretBytes> key = SecretBytes::Random(32);
  REQUIRE(key.ok());
  Result<std::string> wrapped = enc.WrapKey(*key, "sealstate v2 data key");
  REQUIRE(wrapped.ok());
  std::string out = line + "\n";
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((wrapped->size() >> shift) & 0xff);
  out += *wrapped;
  StringSink sink(out);
  internal::EncryptingSink encrypting(*key, line, kV2ChunkSize, sink);
  REQUIRE(encrypting.Append(raw).ok());
  REQUIRE(encrypting.Finish().ok());
  return out;
}

// `zero_mib` MiB of zeros as one zstd stream: about 30 KiB of compressed bytes per GiB.
std::string ZstdOfZeros(std::size_t zero_mib) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  const std::string zeros(1 << 20, '\0');
  std::string out;
  std::string buffer(ZSTD_CStreamOutSize(), '\0');
  for (std::size_t i = 0; i <= zero_mib; ++i) {
    const bool last = i == zero_mib;
    ZSTD_inBuffer in{zeros.data(), last ? 0 : zeros.size(), 0};
    std::size_t left = 0;
    do {
      ZSTD_outBuffer o{buffer.data(), buffer.size(), 0};
      left = ZSTD_compressStream2(cctx, &o, &in, last ? ZSTD_e_end : ZSTD_e_continue);
      REQUIRE_FALSE(ZSTD_isError(left));
      out.append(buffer.data(), o.pos);
    } while (last ? left != 0 : in.pos < in.size);
  }
  ZSTD_freeCCtx(cctx);
  return out;
}

// `payload` as one zstd stream at `level`, with the frame's window as large as `window_log`.
std::string Zstd(std::string_view payload, int level = 3, int window_log = 0) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  if (window_log != 0) ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, window_log);
  std::string out(ZSTD_compressBound(payload.size()) + 64, '\0');
  ZSTD_outBuffer o{out.data(), out.size(), 0};
  // Continue, then end: the frame does not declare its size, so the window stays as set.
  ZSTD_inBuffer in{payload.data(), payload.size(), 0};
  REQUIRE_FALSE(ZSTD_isError(ZSTD_compressStream2(cctx, &o, &in, ZSTD_e_continue)));
  ZSTD_inBuffer none{nullptr, 0, 0};
  REQUIRE(ZSTD_compressStream2(cctx, &o, &none, ZSTD_e_end) == 0);
  ZSTD_freeCCtx(cctx);
  out.resize(o.pos);
  return out;
}

}  // namespace

TEST_CASE("zstd: v2 round trips with and without compression, and the header records which") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_RT", sealstate::testing::kKeyA);
  for (std::size_t size : {std::size_t{0}, std::size_t{1}, kV2ChunkSize, kV2ChunkSize + 1, std::size_t{3} << 20}) {
    INFO("payload bytes: " << size);
    const std::string payload = JsonLike(size);
    const std::string zstd = Seal(*key, payload, Compression::kZstd);
    const std::string none = Seal(*key, payload, Compression::kNone);
    CHECK(HeaderLine(zstd).find("\"compression\":\"zstd\"") != std::string::npos);
    CHECK(HeaderLine(none).find("\"compression\":\"none\"") != std::string::npos);
    CHECK(Open(*key, zstd).value() == payload);
    CHECK(Open(*key, none).value() == payload);
    if (size >= kV2ChunkSize) CHECK(zstd.size() * 3 < none.size());
  }
}

TEST_CASE("zstd: a noop (plaintext) v2 file is compressed too and opens") {
  auto noop = NewNoopEncrypter();
  const std::string payload = JsonLike(200000);
  const std::string file = Seal(*noop, payload, Compression::kZstd);
  CHECK(HeaderLine(file).find("\"compression\":\"zstd\"") != std::string::npos);
  CHECK(file.size() * 3 < payload.size());
  CHECK(Open(*noop, file).value() == payload);
}

TEST_CASE("zstd: a 17 MiB payload streams through compression and back") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_BIG", sealstate::testing::kKeyA);
  const std::string payload = JsonLike(std::size_t{17} << 20);
  const std::string file = Seal(*key, payload, Compression::kZstd);
  CHECK(file.size() * 3 < payload.size());
  Result<std::string> opened = Open(*key, file);
  REQUIRE(opened.ok());
  CHECK(*opened == payload);
}

TEST_CASE("zstd: snapshots round trip, and v1 is never compressed") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_SNAP", sealstate::testing::kKeyA);
  const Snapshot snapshot = sealstate::testing::LargeSnapshot(300000);
  std::string file;
  StringSink sink(file);
  REQUIRE(SealSnapshot(snapshot, kEnvelopeV2, kBinding, *key, sink, Compression::kZstd).ok());
  StringSource source(file);
  Result<Snapshot> opened = OpenSnapshot(source, kBinding, *key);
  REQUIRE(opened.ok());
  CHECK(*opened == snapshot);

  std::string v1;
  StringSink v1_sink(v1);
  Status refused = SealSnapshot(snapshot, kEnvelopeV1, kBinding, *key, v1_sink, Compression::kZstd);
  CHECK(refused.code() == Code::kInvalidArgument);
  CHECK(v1.empty());
  CHECK(EnvelopePolicy{}.written_compression() == Compression::kZstd);
  CHECK(EnvelopePolicy{.unobin_compatible = true}.written_compression() == Compression::kNone);
}

TEST_CASE("zstd: compression names parse, and an unknown one is refused naming it") {
  CHECK(ParseCompression("zstd").value() == Compression::kZstd);
  CHECK(ParseCompression("none").value() == Compression::kNone);
  CHECK(CompressionName(Compression::kZstd) == "zstd");
  Result<Compression> bad = ParseCompression("gzip");
  CHECK(bad.status().code() == Code::kInvalidArgument);
  CHECK(bad.status().message().find("\"gzip\"") != std::string::npos);
}

TEST_CASE("zstd: a header naming an unknown compression is kFormat naming it") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_UNKNOWN", sealstate::testing::kKeyA);
  const std::string file = SealRaw(*key, "lz4", "{}");
  Result<std::string> opened = Open(*key, file);
  REQUIRE(opened.status().code() == Code::kFormat);
  CHECK(opened.status().message().find("\"lz4\"") != std::string::npos);
}

TEST_CASE("zstd: the compression field is authenticated: flipping it fails") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_FLIP", sealstate::testing::kKeyA);
  const std::string payload = JsonLike(100000);
  for (const auto& [from, to] : {std::pair{Compression::kZstd, "none"}, std::pair{Compression::kNone, "zstd"}}) {
    const std::string file = Seal(*key, payload, from);
    Result<EnvelopeHeader> header = internal::ParseV2Header(HeaderLine(file));
    REQUIRE(header.ok());
    header->compression = to;
    const std::string edited = internal::EncodeV2Header(*header) + file.substr(file.find('\n'));
    Result<std::string> opened = Open(*key, edited);
    REQUIRE(opened.status().code() == Code::kIntegrity);
    CHECK(opened.status().message().find("does not authenticate") != std::string::npos);
  }
}

TEST_CASE("zstd: a decompression bomb sealed with the key is refused while streaming, naming the revision") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_BOMB", sealstate::testing::kKeyA);
  const std::string bomb = ZstdOfZeros(512);  // 512 MiB from a few KiB
  REQUIRE(bomb.size() < 64 * 1024);
  const std::string file = SealRaw(*key, "zstd", bomb);
  std::size_t delivered = 0;
  StringSource source(file);
  Status s = OpenV2(source, kBinding, *key, {}, [&](ByteSource& p) {
    char buf[65536];
    for (;;) {
      SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, p.Read(buf, sizeof buf));
      if (n == 0) return Status::OK();
      delivered += n;
    }
  });
  REQUIRE(s.code() == Code::kIntegrity);
  CHECK(s.message().find("decompression bomb") != std::string::npos);
  CHECK(s.message().find("revision 2026-04-30T12:00:00Z") != std::string::npos);
  // Refused just past the floor, not after decompressing the whole stream.
  CHECK(delivered <= (std::size_t{65} << 20));
}

TEST_CASE("zstd: a frame needing a window beyond the bound is refused before it allocates it") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_WINDOW", sealstate::testing::kKeyA);
  const std::string file = SealRaw(*key, "zstd", Zstd(JsonLike(4096), 3, 30));
  Result<std::string> opened = Open(*key, file);
  REQUIRE(opened.status().code() == Code::kIntegrity);
  CHECK(opened.status().message().find("window larger than 8 MiB") != std::string::npos);
}

TEST_CASE("zstd: a corrupt, truncated or padded compressed payload is kIntegrity naming the revision") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_CORRUPT", sealstate::testing::kKeyA);
  const std::string payload = JsonLike(300000);
  const std::string good = Zstd(payload);
  REQUIRE(Open(*key, SealRaw(*key, "zstd", good)).value() == payload);

  std::string corrupt = good;
  for (std::size_t i = 20; i < corrupt.size(); i += 997) corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  const std::string truncated = good.substr(0, good.size() / 2);
  const std::string padded = good + "trailing";
  for (const auto& [name, raw] : {std::pair{"corrupt", corrupt}, std::pair{"truncated", truncated},
                                  std::pair{"padded", padded}, std::pair{"empty", std::string()}}) {
    INFO(name);
    Result<std::string> opened = Open(*key, SealRaw(*key, "zstd", raw));
    REQUIRE(opened.status().code() == Code::kIntegrity);
    CHECK(opened.status().message().find("revision 2026-04-30T12:00:00Z") != std::string::npos);
  }
}

TEST_CASE("zstd: a writer refuses a payload a reader would refuse as a bomb") {
  auto key = EnvKey("SEALSTATE_TEST_ZSTD_WRITER_BOMB", sealstate::testing::kKeyA);
  const std::string zeros(1 << 20, '\0');
  std::string out;
  StringSink sink(out);
  Status s = SealV2(
      kBinding, *key,
      [&](ByteSink& p) {
        for (int i = 0; i < 200; ++i) SEALSTATE_RETURN_IF_ERROR(p.Append(zeros));
        return Status::OK();
      },
      sink, Compression::kZstd);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("decompression bomb") != std::string::npos);
}
