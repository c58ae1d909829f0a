// unobin's v1 envelope: seal/open behaviour, messages, and an independent test vector.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <string>
#include <string_view>

#include <sealstate/envelope.h>

#include "test_support.h"

using namespace sealstate;
using sealstate::testing::EnvKey;
using sealstate::testing::ReadTestFile;

namespace {

// unobin's test encrypter: "encrypts" by reversing the bytes; counts Decrypt calls.
class ReversingEncrypter final : public Encrypter {
 public:
  explicit ReversingEncrypter(JsonObject config = {}) : config_(std::move(config)) {}
  Result<std::string> Encrypt(std::string_view plaintext, std::string_view) const override {
    return std::string(plaintext.rbegin(), plaintext.rend());
  }
  Result<std::string> Decrypt(std::string_view ciphertext, std::string_view) const override {
    ++decrypt_calls;
    return std::string(ciphertext.rbegin(), ciphertext.rend());
  }
  EncrypterDescription Describe() const override { return {"reverse", config_, "0011223344556677"}; }
  mutable int decrypt_calls = 0;

 private:
  JsonObject config_;
};

class FailingEncrypter final : public Encrypter {
 public:
  Result<std::string> Encrypt(std::string_view, std::string_view) const override {
    return Status::Internal("kms unreachable");
  }
  Result<std::string> Decrypt(std::string_view, std::string_view) const override { return Status::Integrity("nope"); }
  EncrypterDescription Describe() const override { return {"failing", {}, ""}; }
};

std::string EnvelopeWith(std::string_view ref_json, std::string_view ciphertext_b64 = "YWJj") {
  std::string out = "{\"envelope-version\": 1, \"payload-type\": \"state\"";
  if (!ref_json.empty()) out += ", \"encrypter\": " + std::string(ref_json);
  return out + ", \"ciphertext\": \"" + std::string(ciphertext_b64) + "\"}";
}

}  // namespace

TEST_CASE("v1 seal writes unobin's pretty layout and records name and body") {
  ReversingEncrypter enc(JsonObject{{"env-var", Json("UB_STATE_KEY")}});
  Result<std::string> sealed = SealV1("abc", "state", enc);
  REQUIRE(sealed.ok());
  CHECK(*sealed ==
        "{\n"
        "  \"envelope-version\": 1,\n"
        "  \"payload-type\": \"state\",\n"
        "  \"encrypter\": {\n"
        "    \"name\": \"reverse\",\n"
        "    \"body\": {\n"
        "      \"env-var\": \"UB_STATE_KEY\"\n"
        "    }\n"
        "  },\n"
        "  \"ciphertext\": \"Y2Jh\"\n"
        "}\n");
}

TEST_CASE("v1 seal omits body for an empty config (noop writes only its name)") {
  Result<std::string> sealed = SealV1("abc", "state", *NewNoopEncrypter());
  REQUIRE(sealed.ok());
  CHECK(sealed->find("\"encrypter\": {\n    \"name\": \"noop\"\n  }") != std::string::npos);
  CHECK(sealed->find("body") == std::string::npos);
}

TEST_CASE("v1 round trip through a byte-reversing encrypter") {
  ReversingEncrypter enc;
  Result<std::string> sealed = SealV1("hello state", "state", enc);
  REQUIRE(sealed.ok());
  Result<std::string> opened = OpenV1(*sealed, "state", enc);
  REQUIRE(opened.ok());
  CHECK(*opened == "hello state");
}

TEST_CASE("v1 seal requires a payload type") {
  Result<std::string> sealed = SealV1("x", "", *NewNoopEncrypter());
  REQUIRE(sealed.status().code() == Code::kInvalidArgument);
  CHECK(sealed.status().message() == "envelope: payload-type is required");
}

TEST_CASE("v1 seal reports an encrypter failure as seal: encrypt:") {
  Result<std::string> sealed = SealV1("x", "state", FailingEncrypter());
  REQUIRE_FALSE(sealed.ok());
  CHECK(sealed.status().message() == "seal: encrypt: kms unreachable");
}

TEST_CASE("v1 open rejects version 99 and a missing version") {
  ReversingEncrypter enc;
  Result<std::string> v99 = OpenV1("{\"envelope-version\": 99, \"ciphertext\": \"\"}", "state", enc);
  REQUIRE(v99.status().code() == Code::kFormat);
  CHECK(v99.status().message() == "envelope: unsupported envelope-version 99 (this build expects 1)");
  Result<std::string> v0 = OpenV1("{\"ciphertext\": \"\"}", "state", enc);
  CHECK(v0.status().message() == "envelope: unsupported envelope-version 0 (this build expects 1)");
}

TEST_CASE("v1 open rejects a plan/state mismatch without decrypting") {
  ReversingEncrypter enc;
  Result<std::string> sealed = SealV1("p", "plan", enc);
  REQUIRE(sealed.ok());
  Result<std::string> opened = OpenV1(*sealed, "state", enc);
  REQUIRE(opened.status().code() == Code::kIntegrity);
  CHECK(opened.status().message() == "envelope: payload-type plan, expected state");
  CHECK(enc.decrypt_calls == 0);
}

TEST_CASE("v1 open accepts a file without payload type, and any type when none is expected") {
  ReversingEncrypter enc;
  CHECK(OpenV1("{\"envelope-version\": 1, \"ciphertext\": \"YWJj\"}", "state", enc).ok());
  Result<std::string> plan = SealV1("p", "plan", enc);
  REQUIRE(plan.ok());
  CHECK(OpenV1(*plan, "", enc).ok());
}

TEST_CASE("v1 decrypt hint names key-id, env-var or only the encrypter") {
  FailingEncrypter enc;
  const auto message = [&](std::string_view ref) { return OpenV1(EnvelopeWith(ref), "state", enc).status().message(); };
  CHECK(message(R"({"name": "kms", "body": {"key-id": "arn:aws:kms:k", "env-var": "X"}})") ==
        "open: decrypt: nope (sealed with kms key-id arn:aws:kms:k)");
  CHECK(message(R"({"name": "env-key", "body": {"env-var": "UB_STATE_KEY"}})") ==
        "open: decrypt: nope (sealed with env-key env-var UB_STATE_KEY)");
  CHECK(message(R"({"name": "failing"})") == "open: decrypt: nope (sealed with failing)");
  CHECK(message(R"({"name": "kms", "body": {"key-id": ""}})") == "open: decrypt: nope (sealed with kms)");
}

TEST_CASE("v1 decrypt failure without a ref mentions decrypt but not sealed with") {
  Result<std::string> opened = OpenV1(EnvelopeWith(""), "state", FailingEncrypter());
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().message().find("decrypt") != std::string::npos);
  CHECK(opened.status().message().find("sealed with") == std::string::npos);
}

TEST_CASE("v1 open reports malformed JSON and bad base64 with the envelope: prefix") {
  ReversingEncrypter enc;
  Result<std::string> bad_json = OpenV1("{\"envelope-version\": 1,", "state", enc);
  REQUIRE(bad_json.status().code() == Code::kIntegrity);
  CHECK(bad_json.status().message().rfind("envelope: ", 0) == 0);
  Result<std::string> bad_b64 = OpenV1(EnvelopeWith("", "!!!!"), "state", enc);
  REQUIRE(bad_b64.status().code() == Code::kIntegrity);
  CHECK(bad_b64.status().message() == "envelope: illegal base64 data at input byte 0");
}

TEST_CASE("v1 noop files are refused under a real encrypter unless plaintext is allowed") {
  Result<std::string> sealed = SealV1("plain state", "state", *NewNoopEncrypter());
  REQUIRE(sealed.ok());
  auto key = EnvKey("SEALSTATE_TEST_V1_PLAIN", sealstate::testing::kKeyA);
  Result<std::string> refused = OpenV1(*sealed, "state", *key);
  REQUIRE(refused.status().code() == Code::kIntegrity);
  CHECK(refused.status().message().find("plaintext") != std::string::npos);
  Result<std::string> allowed = OpenV1(*sealed, "state", *key, OpenOptions{.allow_plaintext = true});
  REQUIRE(allowed.ok());
  CHECK(*allowed == "plain state");
}

TEST_CASE("v1 encrypted files opened with noop say the key is missing") {
  auto key = EnvKey("SEALSTATE_TEST_V1_NOKEY", sealstate::testing::kKeyA);
  Result<std::string> sealed = SealV1("secret", "state", *key);
  REQUIRE(sealed.ok());
  CHECK(OpenV1(*sealed, "state", *NewNoopEncrypter()).status().code() == Code::kWrongKey);
}

TEST_CASE("v1 vector from an independent implementation decrypts, decodes and re-seals") {
  const std::string envelope = ReadTestFile("v1-env-key.json.enc");
  const std::string plain = ReadTestFile("v1-env-key.plain.json");
  REQUIRE_FALSE(envelope.empty());
  auto key = EnvKey("UB_STATE_KEY", sealstate::testing::kVectorKeyBase64);

  Result<std::string> opened = OpenV1(envelope, "state", *key);
  REQUIRE(opened.ok());
  CHECK(*opened == plain);

  Result<Snapshot> snapshot = DecodeSnapshot(*opened);
  REQUIRE(snapshot.ok());
  Result<std::string> reencoded = EncodeSnapshot(*snapshot);
  REQUIRE(reencoded.ok());
  CHECK(*reencoded == plain);  // byte-identical to the Go-style encoding

  Result<std::string> resealed = SealV1(*reencoded, "state", *key);
  REQUIRE(resealed.ok());
  CHECK(resealed->rfind("{\n  \"envelope-version\": 1,\n  \"payload-type\": \"state\",\n", 0) == 0);
  CHECK(resealed->find("\"env-var\": \"UB_STATE_KEY\"") != std::string::npos);
  Result<std::string> reopened = OpenV1(*resealed, "state", *key);
  REQUIRE(reopened.ok());
  CHECK(*reopened == plain);
}

TEST_CASE("v1 vector under the wrong key gives unobin's exact message") {
  auto wrong = EnvKey("UB_STATE_KEY", sealstate::testing::kKeyB);
  Result<std::string> opened = OpenV1(ReadTestFile("v1-env-key.json.enc"), "state", *wrong);
  REQUIRE(opened.status().code() == Code::kIntegrity);
  CHECK(opened.status().message() ==
        "open: decrypt: cipher: message authentication failed (sealed with env-key env-var UB_STATE_KEY)");
}

TEST_CASE("v1 any flipped ciphertext byte fails to open") {
  auto key = EnvKey("SEALSTATE_TEST_V1_FLIP", sealstate::testing::kKeyA);
  const std::string payload = "{\"small\": true}\n";
  Result<std::string> ciphertext = key->Encrypt(payload, "");
  REQUIRE(ciphertext.ok());
  int failures = 0;
  for (std::size_t i = 0; i < ciphertext->size(); ++i) {
    std::string flipped = *ciphertext;
    flipped[i] = static_cast<char>(flipped[i] ^ 0x01);
    if (!key->Decrypt(flipped, "").ok()) ++failures;
  }
  CHECK(failures == static_cast<int>(ciphertext->size()));
}

// unobin never compares a snapshot's stack with the stack it reads, and v1 binds it only inside
// the snapshot: a v1 file found in another stack (a copied or renamed stack directory) opens as
// written, naming the stack it was written for. Only v2 refuses it (envelope_v2_test).
TEST_CASE("OpenSnapshot reads the v1 vector found in another stack as written") {
  auto key = EnvKey("UB_STATE_KEY", sealstate::testing::kVectorKeyBase64);
  const std::string envelope = ReadTestFile("v1-env-key.json.enc");
  StringSource right(envelope);
  Result<Snapshot> ok = OpenSnapshot(right, EnvelopeBinding{"", "cluster-deploy", "prod-east-alpha", ""}, *key);
  REQUIRE(ok.ok());
  CHECK(ok->entries.size() == 1);
  StringSource elsewhere(envelope);
  Result<Snapshot> copied = OpenSnapshot(elsewhere, EnvelopeBinding{"", "other-factory", "staging", ""}, *key);
  INFO(copied.status().ToString());
  REQUIRE(copied.ok());
  CHECK(*copied == *ok);
  CHECK(copied->factory.name == "cluster-deploy");
  CHECK(copied->stack == "prod-east-alpha");
  StringSource strict(envelope);
  const OpenOptions v2_only{.accept_v1 = false};
  Result<Snapshot> refused = OpenSnapshot(strict, EnvelopeBinding{"", "other-factory", "staging", ""}, *key, v2_only);
  CHECK(refused.status().code() == Code::kIntegrity);
}

// unobin's files are read as its Go decoder reads them: invalid UTF-8 and lone surrogates in the
// payload become U+FFFD, and the last of keys equal after that wins.
TEST_CASE("OpenSnapshot of a v1 file replaces invalid UTF-8 and lone surrogates in the payload with U+FFFD") {
  auto key = EnvKey("SEALSTATE_TEST_V1_UTF8", sealstate::testing::kKeyA);
  Result<std::string> sealed = SealV1(sealstate::testing::kInvalidTextSnapshot, "state", *key);
  REQUIRE(sealed.ok());
  StringSource source(*sealed);
  Result<Snapshot> opened = OpenSnapshot(source, EnvelopeBinding{"", "cluster-deploy", "prod-east-alpha", ""}, *key);
  INFO(opened.status().ToString());
  REQUIRE(opened.ok());
  REQUIRE(opened->entries.size() == 1);
  CHECK(opened->entries[0].outputs == sealstate::testing::InvalidTextOutputs());
}

namespace {

// Serves `data` in pieces of at most `chunk` bytes.
class ChunkedSource final : public ByteSource {
 public:
  ChunkedSource(std::string_view data, std::size_t chunk) : data_(data), chunk_(chunk) {}
  Result<std::size_t> Read(char* buffer, std::size_t capacity) override {
    const std::size_t n = std::min({capacity, chunk_, data_.size()});
    std::copy_n(data_.data(), n, buffer);
    data_.remove_prefix(n);
    return n;
  }

 private:
  std::string_view data_;
  std::size_t chunk_;
};

// What OpenV1 gives for `envelope` read in pieces of every size in `chunks` (all the same, or
// a description of the difference).
std::string OpenedInPieces(const std::string& envelope) {
  ReversingEncrypter enc;
  std::string first;
  for (const std::size_t chunk :
       {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{7}, std::size_t{64 * 1024}}) {
    ChunkedSource source(envelope, chunk);
    Result<std::string> opened = OpenV1(source, "state", enc);
    const std::string outcome = opened.ok() ? "ok: " + *opened : "error: " + opened.status().message();
    if (chunk == 1) first = outcome;
    if (outcome != first) return "chunk " + std::to_string(chunk) + " gave " + outcome + ", chunk 1 gave " + first;
  }
  return first;
}

}  // namespace

// The ciphertext's text is taken out of the JSON and decoded as it streams past (no whole-file
// or whole-text copy): the results and messages are those of decoding the parsed value.
TEST_CASE("v1 open streams the ciphertext with the results of parsing it whole, whatever the chunking") {
  const std::string head = "{\"envelope-version\": 1, \"payload-type\": \"state\", ";
  CHECK(OpenedInPieces(EnvelopeWith("")) == "ok: cba");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"\"}") == "ok: ");
  const std::string escaped = OpenedInPieces(head + "\"ciphertext\": \"Y\\u0057J\\/\\nYQ==\"}");
  CHECK(escaped.rfind("ok: ", 0) == 0);
  CHECK(escaped == OpenedInPieces(head + "\"ciphertext\": \"YWJ/YQ==\"}"));
  CHECK(OpenedInPieces("{\"ciphertext\": \"YWJj\", \"envelope-version\": 1}") == "ok: cba");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"eHl6\", \"ciphertext\": \"YWJj\"}") == "ok: cba");
  CHECK(OpenedInPieces(head + "\"ciphe\\u0072text\": \"YWJj\"}") == "ok: cba");
  CHECK(
      OpenedInPieces(
          head + "\"encrypter\": {\"name\": \"r\", \"body\": {\"ciphertext\": \"eHl6\"}}, \"ciphertext\": \"YWJj\"}") ==
      "ok: cba");
  CHECK(OpenedInPieces(head + "\"ciphertext\": 5}") == "error: envelope: \"ciphertext\" must be a string");
  CHECK(OpenedInPieces(head + "\"ciphertext\": null}") == "ok: ");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"YQ==\"}") == "ok: a");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"YQ==YQ==\"}") ==
        "error: envelope: illegal base64 data at input byte 4");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"" + std::string(20000, 'A') + "!AAA\"}") ==
        "error: envelope: illegal base64 data at input byte 20000");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"YW\\qJj\"}").rfind("error: envelope: invalid JSON", 0) == 0);
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"YW\x01Jj\"}").rfind("error: envelope: invalid JSON", 0) == 0);
  // \uXXXX escapes: hex digits of either case; a non-hex digit is invalid JSON; a character past
  // ASCII is never base64.
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"Y\\u0057\\u004aj\"}") == "ok: cba");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"Y\\u0057\\u004Aj\"}") == "ok: cba");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"YW\\u00zzJj\"}") ==
        "error: envelope: invalid JSON in \"ciphertext\" at byte 70: incorrect hex digit after \\u escape in string");
  CHECK(OpenedInPieces(head + "\"ciphertext\": \"YW\\u00e9Jj\"}") ==
        "error: envelope: illegal base64 data at input byte 2");
  // Parser errors after the ciphertext name their byte in the file.
  const std::string after = head + "\"ciphertext\": \"" + std::string(4000, 'A') + "\" x}";
  CHECK(OpenedInPieces(after) == "error: envelope: invalid JSON at byte " + std::to_string(after.rfind('x')) +
                                     ": missing a comma or '}' after an object member");
}

// Newlines inside the ciphertext are skipped (as Go's decoder skips them) but never complete a
// quantum: each byte of the text must be looked at once, not again on every later piece (a
// hostile file of escaped newlines took time quadratic in its length). The bound only catches a
// hang: the linear decoder takes well under a second here.
TEST_CASE("v1 open of a ciphertext padded with a million escaped newlines takes linear time") {
  std::string envelope = "{\"envelope-version\": 1, \"payload-type\": \"state\", \"ciphertext\": \"Y";
  for (int i = 0; i < 1000000; ++i) envelope += "\\n";
  envelope += "WJj\"}";
  ReversingEncrypter enc;
  ChunkedSource source(envelope, 64 * 1024);
  const auto start = std::chrono::steady_clock::now();
  Result<std::string> opened = OpenV1(source, "state", enc);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE(opened.ok());
  CHECK(*opened == "cba");
  CHECK(elapsed < std::chrono::seconds(60));
}
