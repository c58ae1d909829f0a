// sealstate's v2 envelope: binding, tamper detection, wrong key vs integrity, streaming.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include <sealstate/envelope.h>

#include "encrypters/local_key_encrypter.h"
#include "envelope/envelope_v2_header.h"
#include "support/envelope_payload.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::EnvKey;
using sealstate::testing::OpenPayload;
using sealstate::testing::SealPayload;

namespace {

constexpr std::size_t kChunkOnDisk = kV2ChunkSize + 17;  // plaintext + secretstream ABYTES

const EnvelopeBinding kBinding{"state", "cluster-deploy", "prod-east-alpha", "2026-04-30T12:00:00Z"};

std::string Payload(std::size_t size) {
  std::string out(size, '\0');
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>('a' + (i * 7 + i / 13) % 26);
  return out;
}

std::string Seal(const Encrypter& enc, std::string_view payload, const EnvelopeBinding& binding = kBinding) {
  return SealPayload(enc, payload, binding);
}

Result<std::string> Open(const Encrypter& enc, std::string_view file, const EnvelopeBinding& expected = kBinding,
                         OpenOptions options = {}) {
  return OpenPayload(enc, file, expected, options);
}

std::size_t HeaderEnd(const std::string& file) { return file.find('\n') + 1; }

// Offset of the first secretstream chunk: header line, 4-byte length, wrapped key, stream header.
std::size_t FirstChunk(const std::string& file) {
  const std::size_t h = HeaderEnd(file);
  std::size_t wrapped = 0;
  for (int i = 0; i < 4; ++i) wrapped = (wrapped << 8) | static_cast<unsigned char>(file[h + i]);
  return h + 4 + wrapped + 24;
}

std::string ReplaceHeader(const std::string& file, const EnvelopeHeader& header) {
  return internal::EncodeV2Header(header) + file.substr(HeaderEnd(file) - 1);
}

EnvelopeHeader HeaderOf(const std::string& file) {
  Result<EnvelopeHeader> h = internal::ParseV2Header(file.substr(0, HeaderEnd(file) - 1));
  REQUIRE(h.ok());
  return *h;
}

}  // namespace

TEST_CASE("v2 round trip with env-key, and the file holds no plaintext") {
  auto key = EnvKey("SEALSTATE_TEST_V2_RT", sealstate::testing::kKeyA);
  const Snapshot snapshot = sealstate::testing::FixtureSnapshot();
  std::string file;
  StringSink sink(file);
  REQUIRE(SealSnapshot(snapshot, kEnvelopeV2, kBinding, *key, sink).ok());
  CHECK(file.find("vpc-abc") == std::string::npos);
  CHECK(file.find("10.0.0.0/16") == std::string::npos);
  StringSource source(file);
  Result<Snapshot> opened = OpenSnapshot(source, kBinding, *key);
  REQUIRE(opened.ok());
  CHECK(*opened == snapshot);
}

TEST_CASE("OpenSnapshot of a v2 file replaces invalid UTF-8 and lone surrogates in the payload with U+FFFD") {
  auto key = EnvKey("SEALSTATE_TEST_V2_UTF8", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, sealstate::testing::kInvalidTextSnapshot);
  StringSource source(file);
  Result<Snapshot> opened = OpenSnapshot(source, kBinding, *key);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  REQUIRE(opened->entries.size() == 1);
  CHECK(opened->entries[0].outputs == sealstate::testing::InvalidTextOutputs());
}

TEST_CASE("v2 header records every field, compact, on the first line") {
  auto key = EnvKey("SEALSTATE_TEST_V2_HDR", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, "{}");
  StringSource source(file);
  Result<EnvelopeHeader> h = ReadV2Header(source);
  REQUIRE(h.ok());
  CHECK(h->envelope_version == 2);
  CHECK(h->payload_type == "state");
  CHECK(h->encrypter_name == "env-key");
  CHECK(h->encrypter_config == JsonObject{{"env-var", Json("SEALSTATE_TEST_V2_HDR")}});
  CHECK(h->key_id == key->Describe().key_id);
  CHECK(h->cipher == "xchacha20poly1305-secretstream");
  CHECK(h->chunk_size == 65536);
  CHECK(h->compression == "none");
  CHECK(h->factory == "cluster-deploy");
  CHECK(h->stack == "prod-east-alpha");
  CHECK(h->rev == "2026-04-30T12:00:00Z");
  CHECK(file.rfind("{\"envelope-version\":2,\"payload-type\":\"state\",\"encrypter\":{\"name\":\"env-key\"", 0) == 0);
}

TEST_CASE("v2 every header field edit fails to open") {
  auto key = EnvKey("SEALSTATE_TEST_V2_EDIT", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, Payload(1000));
  const EnvelopeHeader original = HeaderOf(file);
  std::vector<std::pair<std::string, EnvelopeHeader>> edits;
  const auto edit = [&](std::string name, auto change) {
    EnvelopeHeader h = original;
    change(h);
    edits.emplace_back(std::move(name), h);
  };
  edit("envelope-version", [](EnvelopeHeader& h) { h.envelope_version = 3; });
  edit("payload-type", [](EnvelopeHeader& h) { h.payload_type = "plan"; });
  edit("encrypter.name", [](EnvelopeHeader& h) { h.encrypter_name = "key-file"; });
  edit("encrypter.config", [](EnvelopeHeader& h) { h.encrypter_config["env-var"] = Json("OTHER"); });
  edit("key-id", [](EnvelopeHeader& h) { h.key_id = "0000000000000000"; });
  edit("cipher", [](EnvelopeHeader& h) { h.cipher = "aes256gcm"; });
  edit("chunk-size", [](EnvelopeHeader& h) { h.chunk_size = 32768; });
  edit("compression", [](EnvelopeHeader& h) { h.compression = "zstd"; });
  edit("factory", [](EnvelopeHeader& h) { h.factory = "other-factory"; });
  edit("stack", [](EnvelopeHeader& h) { h.stack = "staging"; });
  edit("rev", [](EnvelopeHeader& h) { h.rev = "2026-04-30T12:00:01Z"; });
  for (const auto& [name, header] : edits) {
    INFO("edited field: " << name);
    const std::string edited = ReplaceHeader(file, header);
    // Checked against what the store expects, and with nothing expected (only the AEAD left).
    for (const EnvelopeBinding& expected : {kBinding, EnvelopeBinding{}}) {
      Result<std::string> opened = Open(*key, edited, expected);
      REQUIRE_FALSE(opened.ok());
      const Code code = opened.status().code();
      CHECK((code == Code::kIntegrity || code == Code::kFormat));
    }
  }
  CHECK(edits.size() == 11);
}

TEST_CASE("v2 header records the parent after rev when the binding has one; without one the key is absent") {
  auto key = EnvKey("SEALSTATE_TEST_V2_PARENT", sealstate::testing::kKeyA);
  const std::string digest(2 * kParentDigestBytes, 'a');
  EnvelopeBinding child = kBinding;
  child.parent = EnvelopeParent{.rev = "2026-04-30T11:00:00Z", .blake2b = digest};
  const std::string file = Seal(*key, "{}", child);
  CHECK(HeaderOf(file).parent == child.parent);
  CHECK(file.substr(0, HeaderEnd(file))
            .find("\"rev\":\"2026-04-30T12:00:00Z\",\"parent\":{\"rev\":"
                  "\"2026-04-30T11:00:00Z\",\"blake2b\":\"" +
                  digest + "\"}}\n") != std::string::npos);
  CHECK(*Open(*key, file) == "{}");

  const std::string first = Seal(*key, "{}");  // as every file written before parent links
  CHECK(first.substr(0, HeaderEnd(first)).find("parent") == std::string::npos);
  CHECK_FALSE(HeaderOf(first).parent);
  CHECK(*Open(*key, first) == "{}");
}

TEST_CASE("v2 an added, removed or edited parent fails to open") {
  auto key = EnvKey("SEALSTATE_TEST_V2_PARENT_EDIT", sealstate::testing::kKeyA);
  EnvelopeBinding child = kBinding;
  child.parent = EnvelopeParent{.rev = "2026-04-30T11:00:00Z", .blake2b = std::string(2 * kParentDigestBytes, 'a')};
  const std::string linked = Seal(*key, Payload(1000), child);
  const std::string unlinked = Seal(*key, Payload(1000));
  std::vector<std::pair<std::string, std::string>> edits;
  EnvelopeHeader h = HeaderOf(linked);
  h.parent.reset();
  edits.emplace_back("removed", ReplaceHeader(linked, h));
  h = HeaderOf(linked);
  h.parent->rev = "2026-04-30T10:00:00Z";
  edits.emplace_back("rev", ReplaceHeader(linked, h));
  h = HeaderOf(linked);
  h.parent->blake2b = std::string(2 * kParentDigestBytes, 'b');
  edits.emplace_back("blake2b", ReplaceHeader(linked, h));
  h = HeaderOf(unlinked);
  h.parent = child.parent;
  edits.emplace_back("added", ReplaceHeader(unlinked, h));
  for (const auto& [name, edited] : edits) {
    INFO("parent " << name);
    CHECK(Open(*key, edited).status().code() == Code::kIntegrity);
  }
}

TEST_CASE("v2 header parent must be {rev, blake2b} with a valid name and 64 lower-case hex digits") {
  const std::string good = Seal(*NewNoopEncrypter(), "{}");
  const std::string line = good.substr(0, HeaderEnd(good) - 1);
  const std::string digest(2 * kParentDigestBytes, 'a');
  const auto with_parent = [&](const std::string& parent) {
    return internal::ParseV2Header(line.substr(0, line.size() - 1) + ",\"parent\":" + parent + "}");
  };
  CHECK(with_parent("{\"rev\":\"2026-04-30T11:00:00Z\",\"blake2b\":\"" + digest + "\"}").ok());
  for (const std::string& bad : {std::string("null"), std::string("{}"), std::string("\"x\""),
                                 "{\"rev\":\"2026-04-30T11:00:00Z\",\"blake2b\":\"" + digest + "\",\"x\":1}",
                                 "{\"rev\":\"../x\",\"blake2b\":\"" + digest + "\"}",
                                 "{\"rev\":\"2026-04-30T11:00:00Z\",\"blake2b\":\"" + digest.substr(1) + "\"}",
                                 "{\"rev\":\"2026-04-30T11:00:00Z\",\"blake2b\":\"" + std::string(64, 'A') + "\"}"}) {
    INFO(bad);
    Result<EnvelopeHeader> parsed = with_parent(bad);
    CHECK(parsed.status().code() == Code::kIntegrity);
  }
}

TEST_CASE("v2 an edited key id with the right key is tampering, not a wrong key") {
  auto key = EnvKey("SEALSTATE_TEST_V2_KID", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, "payload");
  EnvelopeHeader h = HeaderOf(file);
  h.key_id = "ffffffffffffffff";
  Result<std::string> opened = Open(*key, ReplaceHeader(file, h));
  REQUIRE(opened.status().code() == Code::kIntegrity);
  CHECK(opened.status().message().find("header was edited") != std::string::npos);
}

TEST_CASE("v2 any flipped header byte fails to open") {
  auto key = EnvKey("SEALSTATE_TEST_V2_FLIP", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, Payload(300));
  const std::size_t header_bytes = HeaderEnd(file) - 1;
  std::size_t failures = 0;
  for (std::size_t i = 0; i < header_bytes; ++i) {
    std::string flipped = file;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x20);
    if (!Open(*key, flipped, EnvelopeBinding{}).ok()) ++failures;
  }
  CHECK(failures == header_bytes);
}

TEST_CASE("v2 a file copied to another stack or revision fails") {
  auto key = EnvKey("SEALSTATE_TEST_V2_SWAP", sealstate::testing::kKeyA);
  const EnvelopeBinding other{"state", "cluster-deploy", "staging", "2026-05-01T00:00:00Z"};
  const std::string file = Seal(*key, "payload");
  SECTION("the header names another stack and revision") {
    Result<std::string> opened = Open(*key, file, other);
    REQUIRE(opened.status().code() == Code::kIntegrity);
    CHECK(opened.status().message().find("copied or renamed") != std::string::npos);
  }
  SECTION("the header is rewritten to match the new place: the AEAD catches it") {
    EnvelopeHeader h = HeaderOf(file);
    h.stack = other.stack;
    h.rev = other.rev;
    Result<std::string> opened = Open(*key, ReplaceHeader(file, h), other);
    REQUIRE(opened.status().code() == Code::kIntegrity);
    CHECK(opened.status().message().find("does not authenticate") != std::string::npos);
  }
  SECTION("a payload spliced under another file's header fails") {
    const std::string second = Seal(*key, "payload", other);
    const std::string spliced = second.substr(0, HeaderEnd(second)) + file.substr(HeaderEnd(file));
    CHECK(Open(*key, spliced, other).status().code() == Code::kIntegrity);
  }
}

TEST_CASE("v2 truncation at every chunk boundary and inside chunks fails") {
  auto key = EnvKey("SEALSTATE_TEST_V2_TRUNC", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, Payload(3 * kV2ChunkSize + 100));
  const std::size_t first = FirstChunk(file);
  REQUIRE(file.size() == first + 3 * kChunkOnDisk + 100 + 17);
  std::vector<std::size_t> cuts = {
      0,          1,         HeaderEnd(file) - 1, HeaderEnd(file), HeaderEnd(file) + 2, HeaderEnd(file) + 4,
      first - 24, first - 1, file.size() - 1};
  for (std::size_t chunk = 0; chunk <= 3; ++chunk) {
    const std::size_t boundary = first + chunk * kChunkOnDisk;
    cuts.insert(cuts.end(), {boundary, boundary + 1, boundary + 17, boundary - 1});
  }
  int failures = 0;
  for (std::size_t cut : cuts) {
    INFO("cut at " << cut << " of " << file.size());
    Result<std::string> opened = Open(*key, file.substr(0, cut));
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == Code::kIntegrity);
    ++failures;
  }
  CHECK(failures == static_cast<int>(cuts.size()));
  CHECK(Open(*key, file).ok());
}

TEST_CASE("v2 reordered, dropped, repeated chunks and trailing bytes fail") {
  auto key = EnvKey("SEALSTATE_TEST_V2_ORDER", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, Payload(3 * kV2ChunkSize + 5));
  const std::size_t first = FirstChunk(file);
  const auto chunk = [&](std::size_t i) { return file.substr(first + i * kChunkOnDisk, kChunkOnDisk); };
  const std::string prefix = file.substr(0, first);
  const std::string last = file.substr(first + 3 * kChunkOnDisk);
  const std::vector<std::string> variants = {
      prefix + chunk(1) + chunk(0) + chunk(2) + last,             // swapped
      prefix + chunk(0) + chunk(2) + last,                        // dropped
      prefix + chunk(0) + chunk(0) + chunk(1) + chunk(2) + last,  // repeated
      prefix + chunk(0) + chunk(1) + chunk(2),                    // final chunk dropped
      file + "x",                                                 // trailing byte
  };
  for (const std::string& variant : variants) CHECK(Open(*key, variant).status().code() == Code::kIntegrity);
}

TEST_CASE("v2 wrong key is reported as wrong key, naming both key ids") {
  auto a = EnvKey("SEALSTATE_TEST_V2_KEYA", sealstate::testing::kKeyA);
  auto b = EnvKey("SEALSTATE_TEST_V2_KEYB", sealstate::testing::kKeyB);
  Result<std::string> opened = Open(*b, Seal(*a, "payload"));
  REQUIRE(opened.status().code() == Code::kWrongKey);
  CHECK(opened.status().message().find(a->Describe().key_id) != std::string::npos);
  CHECK(opened.status().message().find(b->Describe().key_id) != std::string::npos);
}

TEST_CASE("v2 a tampered wrapped key under the right key is an integrity error") {
  auto key = EnvKey("SEALSTATE_TEST_V2_WRAP", sealstate::testing::kKeyA);
  std::string file = Seal(*key, "payload");
  file[HeaderEnd(file) + 10] ^= 0x01;
  CHECK(Open(*key, file).status().code() == Code::kIntegrity);
}

TEST_CASE("v2 tampered payload bytes fail in every chunk") {
  auto key = EnvKey("SEALSTATE_TEST_V2_BODY", sealstate::testing::kKeyA);
  const std::string file = Seal(*key, Payload(2 * kV2ChunkSize + 9));
  for (std::size_t offset : {FirstChunk(file) - 3, FirstChunk(file) + 5,
                             FirstChunk(file) + kChunkOnDisk + 70000 % kChunkOnDisk, file.size() - 1}) {
    std::string tampered = file;
    tampered[offset] ^= 0x40;
    CHECK(Open(*key, tampered).status().code() == Code::kIntegrity);
  }
}

TEST_CASE("v2 payload sizes around the chunk size round-trip") {
  auto key = EnvKey("SEALSTATE_TEST_V2_SIZES", sealstate::testing::kKeyA);
  for (std::size_t size :
       {std::size_t{0}, std::size_t{1}, kV2ChunkSize - 1, kV2ChunkSize, kV2ChunkSize + 1, 2 * kV2ChunkSize}) {
    INFO("payload size " << size);
    const std::string payload = Payload(size);
    Result<std::string> opened = Open(*key, Seal(*key, payload));
    REQUIRE(opened.ok());
    CHECK(*opened == payload);
  }
}

TEST_CASE("v2 noop files hold the plaintext and say so, and are refused under a real key") {
  auto noop = NewNoopEncrypter();
  const std::string file = Seal(*noop, "{\"plain\": true}\n");
  CHECK(HeaderOf(file).cipher == "none");
  CHECK(HeaderOf(file).encrypter_name == "noop");
  CHECK(file.substr(HeaderEnd(file)) == "{\"plain\": true}\n");
  auto key = EnvKey("SEALSTATE_TEST_V2_NOOP", sealstate::testing::kKeyA);
  CHECK(Open(*key, file).status().code() == Code::kIntegrity);
  CHECK(Open(*key, file, kBinding, OpenOptions{.allow_plaintext = true}).ok());
  CHECK(Open(*noop, file).ok());
  CHECK(Open(*noop, Seal(*key, "x")).status().code() == Code::kWrongKey);
}

TEST_CASE("v2 sealing streams in chunk-sized appends") {
  auto key = EnvKey("SEALSTATE_TEST_V2_STREAM", sealstate::testing::kKeyA);
  struct CountingSink final : ByteSink {
    Status Append(std::string_view data) override {
      ++appends;
      largest = std::max(largest, data.size());
      total += data.size();
      return Status::OK();
    }
    std::size_t appends = 0, largest = 0, total = 0;
  } sink;
  const std::string payload = Payload(10 * kV2ChunkSize);
  REQUIRE(SealV2(
              kBinding, *key,
              [&](ByteSink& p) {
                for (std::size_t i = 0; i < payload.size(); i += 1000) {
                  SEALSTATE_RETURN_IF_ERROR(p.Append(std::string_view(payload).substr(i, 1000)));
                }
                return Status::OK();
              },
              sink)
              .ok());
  CHECK(sink.appends >= 10);
  CHECK(sink.largest <= kChunkOnDisk);
}

TEST_CASE("v2 seal refuses names that could escape the stack directory") {
  auto noop = NewNoopEncrypter();
  std::string out;
  StringSink sink(out);
  const auto seal = [&](EnvelopeBinding b) {
    return SealV2(
        b, *noop, [](ByteSink&) { return Status::OK(); }, sink);
  };
  CHECK(seal({"state", "f", "../etc", "r"}).code() == Code::kInvalidArgument);
  CHECK(seal({"state", "f", "s", "a/b"}).code() == Code::kInvalidArgument);
  CHECK(seal({"", "f", "s", "r"}).code() == Code::kInvalidArgument);
  CHECK(out.empty());
}

TEST_CASE("v2 header with an unknown key or a future version is refused") {
  const std::string good = Seal(*NewNoopEncrypter(), "{}");
  std::string extra = good;
  extra.insert(1, "\"x\":1,");
  CHECK(Open(*NewNoopEncrypter(), extra).status().code() == Code::kIntegrity);
  CHECK(DetectEnvelopeVersion("{\"envelope-version\":4}\n").status().code() == Code::kFormat);
  CHECK(*DetectEnvelopeVersion("{\n  \"envelope-version\": 1,") == 1);
  CHECK(*DetectEnvelopeVersion(good) == 2);
}

TEST_CASE("SealSnapshot refuses an invalid snapshot in either version and writes nothing") {
  auto noop = NewNoopEncrypter();
  std::string out;
  StringSink sink(out);
  Snapshot invalid = sealstate::testing::FixtureSnapshot();
  invalid.entries[0].entry_kind = "mystery";
  Status s = SealSnapshot(invalid, GENERATE(kEnvelopeV1, kEnvelopeV2), kBinding, *noop, sink);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(s.message().find("unknown entry-kind") != std::string::npos);
  CHECK(out.empty());
}

TEST_CASE("SealSnapshot refuses a snapshot that names another stack than its binding") {
  auto noop = NewNoopEncrypter();
  std::string out;
  StringSink sink(out);
  EnvelopeBinding binding = kBinding;
  binding.stack = "staging";
  Status s = SealSnapshot(sealstate::testing::FixtureSnapshot(), kEnvelopeV2, binding, *noop, sink);
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(out.empty());
}

TEST_CASE("v2 works on a CPU without AES-NI, where v1 env-key gives a clear error") {
  auto key = EnvKey("SEALSTATE_TEST_V2_NOAES", sealstate::testing::kKeyA);
  internal::SetAesGcmAvailabilityForTesting(false);
  Result<std::string> opened = Open(*key, Seal(*key, "payload"));
  Result<std::string> v1 = SealV1("payload", "state", *key);
  internal::SetAesGcmAvailabilityForTesting(std::nullopt);
  REQUIRE(opened.ok());
  CHECK(*opened == "payload");
  REQUIRE(v1.status().code() == Code::kUnsupported);
  CHECK(v1.status().message().find("AES-NI") != std::string::npos);
}
