// Tests for the key sources of issue 13: passphrase (Argon2id), box-public / box-key-file
// (crypto_box_seal) and command (an operator's command that prints a key or wraps data keys).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include <catch2/catch.hpp>

#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/key_ring.h>
#include <sealstate/memory_store.h>
#include <sealstate/rekey.h>
#include <sealstate/secret.h>

#include "crypto/base64.h"
#include "encrypters/passphrase_encrypter.h"
#include "encrypters/passphrase_wrap.h"
#include "support/envelope_payload.h"
#include "support/scratch_dir.h"
#include "test_support.h"

namespace sealstate {
namespace {

using internal::Argon2idParameters;
using testing::ScratchDir;

constexpr std::string_view kAd = "sealstate data key";

void WriteFile(const std::string& path, std::string_view contents, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()));
  REQUIRE(::fchmod(fd, mode) == 0);
  REQUIRE(::close(fd) == 0);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Sets (or unsets, for nullptr) an environment variable for the test's lifetime.
class ScopedVariable {
 public:
  ScopedVariable(std::string name, const char* value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    if (value == nullptr) {
      ::unsetenv(name_.c_str());
    } else {
      ::setenv(name_.c_str(), value, 1);
    }
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;
  ~ScopedVariable() {
    if (old_.has_value()) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

SecretBytes Secret(std::string_view text) {
  Result<SecretBytes> secret = SecretBytes::Allocate(text.size());
  REQUIRE(secret.ok());
  std::copy(text.begin(), text.end(), secret->data());
  return std::move(secret).value();
}

SecretBytes DataKey() {
  Result<SecretBytes> key = SecretBytes::Random(32);
  REQUIRE(key.ok());
  return std::move(key).value();
}

// Cheap Argon2id parameters so the tests run fast; the salt is chosen by the test.
Argon2idParameters Cheap(char salt_fill = 's') {
  return Argon2idParameters{std::string(internal::kPassphraseSaltBytes, salt_fill), 1, 64};
}

std::unique_ptr<Encrypter> CheapPassphrase(std::string_view passphrase, char salt_fill = 's') {
  auto encrypter = internal::NewPassphraseEncrypterFor(Secret(passphrase), {}, Cheap(salt_fill));
  REQUIRE(encrypter.ok());
  return std::move(encrypter).value();
}

std::unique_ptr<Encrypter> Created(const std::string& name, const JsonObject& config) {
  auto encrypter = EncrypterRegistry::WithBuiltins().Create(name, config);
  if (!encrypter.ok()) FAIL(encrypter.status().ToString());
  return std::move(encrypter).value();
}

// A wrap with the given parameters (as bytes) and a valid-length rest.
std::string HostileWrap(std::uint32_t opslimit, std::uint32_t memlimit_kib, std::uint8_t version = 1) {
  Argon2idParameters parameters{std::string(internal::kPassphraseSaltBytes, 'x'), opslimit, memlimit_kib};
  std::string wrap = internal::EncodePassphraseWrapPrefix(parameters);
  wrap[0] = static_cast<char>(version);
  wrap += std::string(internal::kPassphraseNonceBytes + 32 + internal::kPassphraseTagBytes, '\x01');
  return wrap;
}

const EnvelopeBinding kEnvelopeBinding{"state", "factory", "stack", "2026-01-01T00:00:00Z"};

std::string SealV2With(const Encrypter& encrypter, std::string_view payload) {
  return testing::SealPayload(encrypter, payload, kEnvelopeBinding);
}

Status OpenV2With(const Encrypter& encrypter, std::string_view file) {
  return testing::OpenPayload(encrypter, file, kEnvelopeBinding).status();
}

}  // namespace

// ---- passphrase --------------------------------------------------------------------------------

TEST_CASE("passphrase: a wrap opens with the same passphrase and carries its salt and parameters", "[passphrase]") {
  const auto encrypter = CheapPassphrase("correct horse battery staple");
  const SecretBytes data_key = DataKey();
  const Result<std::string> wrapped = encrypter->WrapKey(data_key, kAd);
  REQUIRE(wrapped.ok());
  const auto parsed = internal::ParsePassphraseWrap(*wrapped);
  REQUIRE(parsed.ok());
  CHECK(parsed->parameters == Cheap());
  const auto other_instance = CheapPassphrase("correct horse battery staple");
  CHECK(other_instance->Describe().key_id == encrypter->Describe().key_id);
  const Result<SecretBytes> opened = other_instance->UnwrapKey(*wrapped, kAd);
  REQUIRE(opened.ok());
  CHECK(opened->Equals(data_key));
  CHECK(encrypter->Describe().key_source == "passphrase");
}

TEST_CASE("passphrase: a wrong passphrase has another key id and is the wrong-key error in an envelope",
          "[passphrase]") {
  const auto right = CheapPassphrase("right passphrase");
  const auto wrong = CheapPassphrase("wrong passphrase");
  CHECK(right->Describe().key_id != wrong->Describe().key_id);
  CHECK(right->Describe().key_id.size() == 16);
  const Result<std::string> wrapped = right->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  CHECK(wrong->UnwrapKey(*wrapped, kAd).status().code() == Code::kIntegrity);
  const std::string file = SealV2With(*right, "payload");
  CHECK(OpenV2With(*right, file).ok());
  const Status refused = OpenV2With(*wrong, file);
  CHECK(refused.code() == Code::kWrongKey);
  CHECK_THAT(refused.message(), Catch::Contains(right->Describe().key_id));
}

TEST_CASE("passphrase: other associated data or an edited wrap does not authenticate", "[passphrase]") {
  const auto encrypter = CheapPassphrase("pass");
  const Result<std::string> wrapped = encrypter->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  CHECK(encrypter->UnwrapKey(*wrapped, "other").status().code() == Code::kIntegrity);
  for (std::size_t at = 0; at < wrapped->size(); ++at) {
    std::string edited = *wrapped;
    edited[at] = static_cast<char>(edited[at] ^ 0x01);
    const Result<SecretBytes> opened = encrypter->UnwrapKey(edited, kAd);
    INFO("byte " << at);
    CHECK_FALSE(opened.ok());
  }
}

TEST_CASE("passphrase: hostile Argon2id parameters are refused at once, naming the limit", "[passphrase]") {
  const auto encrypter = CheapPassphrase("pass");
  const auto started = std::chrono::steady_clock::now();
  const Status memory = encrypter->UnwrapKey(HostileWrap(1, 64u * 1024 * 1024), kAd).status();  // 64 GiB
  CHECK(memory.code() == Code::kIntegrity);
  CHECK_THAT(memory.message(), Catch::Contains("memlimit 67108864 KiB is above the limit of 1048576 KiB (1 GiB)"));
  const Status passes = encrypter->UnwrapKey(HostileWrap(1000000, 64), kAd).status();
  CHECK(passes.code() == Code::kIntegrity);
  CHECK_THAT(passes.message(), Catch::Contains("opslimit 1000000 is above the limit of 4"));
  CHECK(encrypter->UnwrapKey(HostileWrap(0, 64), kAd).status().code() == Code::kIntegrity);
  CHECK(encrypter->UnwrapKey(HostileWrap(1, 1), kAd).status().code() == Code::kIntegrity);
  const Status version = encrypter->UnwrapKey(HostileWrap(1, 64, 9), kAd).status();
  CHECK(version.code() == Code::kFormat);
  CHECK_THAT(version.message(), Catch::Contains("version 9 is not supported"));
  CHECK(encrypter->UnwrapKey("short", kAd).status().code() == Code::kFormat);
  CHECK(encrypter->UnwrapKey(std::string(5000, '\x01'), kAd).status().code() == Code::kFormat);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(2));
  CHECK(internal::PassphraseDerivationCount(*encrypter) == 0);
}

TEST_CASE("passphrase: reading many wraps costs one Argon2id run per salt and parameters", "[passphrase]") {
  const auto writer = CheapPassphrase("pass");
  const auto reader = CheapPassphrase("pass");
  for (int i = 0; i < 50; ++i) {
    const Result<std::string> wrapped = writer->WrapKey(DataKey(), kAd);
    REQUIRE(wrapped.ok());
    REQUIRE(reader->UnwrapKey(*wrapped, kAd).ok());
  }
  CHECK(internal::PassphraseDerivationCount(*writer) == 1);
  CHECK(internal::PassphraseDerivationCount(*reader) == 1);
  const auto other_salt = CheapPassphrase("pass", 't');
  const Result<std::string> wrapped = other_salt->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  REQUIRE(reader->UnwrapKey(*wrapped, kAd).ok());
  REQUIRE(reader->UnwrapKey(*wrapped, kAd).ok());
  CHECK(internal::PassphraseDerivationCount(*reader) == 2);
}

TEST_CASE("passphrase: from a file (line ending dropped) or SEALSTATE_PASSPHRASE, the same key", "[passphrase]") {
  ScratchDir dir;
  const std::string file = dir.Path("pass");
  WriteFile(file, "open sesame\n", 0600);
  const ScopedVariable variable("SEALSTATE_PASSPHRASE", "open sesame");
  const auto from_file = Created("passphrase", {{"file", Json(file)}});
  const auto from_environment = Created("passphrase", {});
  CHECK(from_file->Describe().config == JsonObject{{"file", Json(file)}});
  CHECK(internal::SealingParameters().memlimit_kib == 128 * 1024);
  CHECK(internal::SealingParameters().opslimit == 3);
  const Result<std::string> wrapped = from_file->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  CHECK(from_environment->OwnsWrap(from_file->Describe().key_id, *wrapped));
  CHECK(from_environment->Describe().key_id == from_file->Describe().key_id);
  CHECK(from_environment->UnwrapKey(*wrapped, kAd).ok());
  CHECK(from_file->Encrypt("x", "").status().code() == Code::kUnsupported);
}

TEST_CASE("passphrase: a new encrypter starts with its own random salt, so key ids differ per stack", "[passphrase]") {
  const Argon2idParameters one = internal::SealingParameters();
  const Argon2idParameters two = internal::SealingParameters();
  CHECK(one.salt.size() == internal::kPassphraseSaltBytes);
  CHECK(one.salt != two.salt);
  CHECK(one.salt != internal::LegacyFixedSalt());
  Argon2idParameters cheap_one = one, cheap_two = two;
  cheap_one.opslimit = cheap_two.opslimit = 1;
  cheap_one.memlimit_kib = cheap_two.memlimit_kib = 64;
  auto first = internal::NewPassphraseEncrypterFor(Secret("same passphrase"), {}, cheap_one);
  auto second = internal::NewPassphraseEncrypterFor(Secret("same passphrase"), {}, cheap_two);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(internal::PassphraseDerivationCount(**first) == 0);  // Argon2id only when needed
  CHECK((*first)->Describe().key_id != (*second)->Describe().key_id);
  const Result<std::string> wrapped = (*first)->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  CHECK(internal::ParsePassphraseWrap(*wrapped)->parameters == cheap_one);
}

TEST_CASE("passphrase: the first wrap an unbound encrypter owns gives it that wrap's salt for its own wraps",
          "[passphrase]") {
  const auto stack_writer = CheapPassphrase("pass", 'a');
  const Result<std::string> stack_wrap = stack_writer->WrapKey(DataKey(), kAd);
  REQUIRE(stack_wrap.ok());
  const std::string stack_key_id = stack_writer->Describe().key_id;

  const auto later_process = CheapPassphrase("pass", 'b');
  CHECK(later_process->OwnsWrap(stack_key_id, *stack_wrap));
  CHECK(later_process->Describe().key_id == stack_key_id);
  const Result<std::string> next_wrap = later_process->WrapKey(DataKey(), kAd);
  REQUIRE(next_wrap.ok());
  CHECK(internal::ParsePassphraseWrap(*next_wrap)->parameters == Cheap('a'));
  CHECK(internal::PassphraseDerivationCount(*later_process) == 1);

  // Bound (it described itself first): it still owns the wrap, but keeps its own salt.
  const auto bound = CheapPassphrase("pass", 'c');
  const std::string own_key_id = bound->Describe().key_id;
  CHECK(bound->OwnsWrap(stack_key_id, *stack_wrap));
  CHECK(bound->Describe().key_id == own_key_id);
  CHECK(internal::ParsePassphraseWrap(bound->WrapKey(DataKey(), kAd).value())->parameters == Cheap('c'));

  // Another passphrase, a wrong key id or another cost: not owned, nothing adopted.
  const auto other = CheapPassphrase("other pass", 'd');
  CHECK_FALSE(other->OwnsWrap(stack_key_id, *stack_wrap));
  CHECK_FALSE(later_process->OwnsWrap("0123456789abcdef", *stack_wrap));
  const auto dearer = internal::NewPassphraseEncrypterFor(
      Secret("pass"), {}, Argon2idParameters{std::string(internal::kPassphraseSaltBytes, 'e'), 2, 64});
  REQUIRE(dearer.ok());
  const auto reader = CheapPassphrase("pass", 'f');
  const Result<std::string> dearer_wrap = (*dearer)->WrapKey(DataKey(), kAd);
  REQUIRE(dearer_wrap.ok());
  CHECK_FALSE(reader->OwnsWrap((*dearer)->Describe().key_id, *dearer_wrap));
  CHECK(internal::PassphraseDerivationCount(*reader) == 0);
  CHECK(other->Describe().key_id != stack_key_id);
}

TEST_CASE("passphrase: a wrap with the old fixed salt opens, but new wraps get a random salt", "[passphrase]") {
  const Argon2idParameters legacy{internal::LegacyFixedSalt(), 1, 64};
  auto old_writer = internal::NewPassphraseEncrypterFor(Secret("pass"), {}, legacy);
  REQUIRE(old_writer.ok());
  const SecretBytes data_key = DataKey();
  const Result<std::string> old_wrap = (*old_writer)->WrapKey(data_key, kAd);
  REQUIRE(old_wrap.ok());
  const auto reader = CheapPassphrase("pass", 'n');
  CHECK(reader->OwnsWrap((*old_writer)->Describe().key_id, *old_wrap));
  // A v2 header names the key id without the wrap: the old salt's key id is recognised.
  CHECK(CheapPassphrase("pass", 'm')->OwnsWrap((*old_writer)->Describe().key_id, ""));
  CHECK_FALSE(CheapPassphrase("pass", 'm')->OwnsWrap("0123456789abcdef", ""));
  const Result<SecretBytes> opened = reader->UnwrapKey(*old_wrap, kAd);
  REQUIRE(opened.ok());
  CHECK(opened->Equals(data_key));
  CHECK(reader->Describe().key_id != (*old_writer)->Describe().key_id);
  CHECK(internal::ParsePassphraseWrap(reader->WrapKey(DataKey(), kAd).value())->parameters == Cheap('n'));
}

TEST_CASE("passphrase: commits by separate encrypters keep one salt per stack; another stack has its own",
          "[passphrase]") {
  const auto commit_with = [](const std::string& stack, char salt_fill) {
    std::shared_ptr<const Encrypter> key = CheapPassphrase("pass", salt_fill);
    Snapshot snapshot = testing::FixtureSnapshot();
    snapshot.stack = stack;
    auto store = OpenMemoryStore({.name = "passphrase-salt",
                                  .factory = snapshot.factory.name,
                                  .stack = stack,
                                  .encrypter = key,
                                  .envelope = {}});
    REQUIRE(store.ok());
    const Result<std::string> rev = (*store)->Commit(snapshot, {}, {});
    INFO(rev.status().ToString());
    REQUIRE(rev.ok());
    const Result<EnvelopeHeader> header = (*store)->ReadHeader(*rev);
    REQUIRE(header.ok());
    REQUIRE(header->recipients.size() == 1);
    return internal::ParsePassphraseWrap(header->recipients[0].wrapped)->parameters.salt;
  };
  const std::string first = commit_with("stack-one", 'a');
  CHECK(first == std::string(internal::kPassphraseSaltBytes, 'a'));
  CHECK(commit_with("stack-one", 'b') == first);  // a later process takes current's salt
  CHECK(commit_with("stack-one", 'c') == first);
  CHECK(commit_with("stack-two", 'd') == std::string(internal::kPassphraseSaltBytes, 'd'));
}

TEST_CASE("passphrase: a rekey to a passphrase run twice finds every revision done the second time", "[passphrase]") {
  std::shared_ptr<const Encrypter> old_key = testing::EnvKey("SEALSTATE_TEST_REKEY_KEY", testing::kKeyA);
  const Snapshot snapshot = testing::FixtureSnapshot();
  auto store = OpenMemoryStore({.name = "passphrase-rekey",
                                .factory = snapshot.factory.name,
                                .stack = snapshot.stack,
                                .encrypter = old_key,
                                .envelope = {}});
  REQUIRE(store.ok());
  for (int i = 0; i < 3; ++i) REQUIRE((*store)->Commit(snapshot, {}, {}).ok());
  auto lock = (*store)->AcquireLock({});
  REQUIRE(lock.ok());
  const auto rekey_with = [&](char salt_fill) {
    std::shared_ptr<const Encrypter> passphrase = CheapPassphrase("pass", salt_fill);
    auto ring = KeyRing::Make({passphrase, old_key}, {});
    REQUIRE(ring.ok());
    auto done = RekeyStack(**store, **ring, (*lock)->id(), {});
    REQUIRE(done.ok());
    REQUIRE(done->size() == 3);
    return *done;
  };
  for (const RekeyedRevision& r : rekey_with('a')) CHECK(r.action == RekeyAction::kRewrapped);
  // Another process (another starting salt) takes the salt the revisions have: nothing to do.
  for (const RekeyedRevision& r : rekey_with('b')) CHECK(r.action == RekeyAction::kUnchanged);
  REQUIRE((*lock)->Unlock().ok());
}

TEST_CASE("passphrase: a file group or others can read, or an empty one, is refused", "[passphrase]") {
  ScratchDir dir;
  const std::string file = dir.Path("pass");
  WriteFile(file, "open sesame\n", 0644);
  const auto open = EncrypterRegistry::WithBuiltins().Create("passphrase", {{"file", Json(file)}});
  CHECK(open.status().code() == Code::kInvalidArgument);
  CHECK_THAT(open.status().message(), Catch::Contains("run: chmod 600 " + file));
  WriteFile(file, "\n", 0600);
  const auto empty = NewPassphraseEncrypter(file);
  CHECK_THAT(empty.status().message(), Catch::Contains("holds an empty passphrase"));
  const auto unknown = EncrypterRegistry::WithBuiltins().Create("passphrase", {{"path", Json(file)}});
  CHECK_THAT(unknown.status().message(), Catch::Contains("unknown configuration field \"path\" (known: file)"));
}

// ---- box-public / box-key-file ------------------------------------------------------------------

TEST_CASE("box: the public key seals, the secret key file opens, both with one key id", "[box]") {
  ScratchDir dir;
  const Result<BoxKeyPair> pair = GenerateBoxKeyPair();
  REQUIRE(pair.ok());
  WriteFile(dir.Path("box"), pair->secret_key_base64 + "\n", 0600);
  const auto sealer = Created("box-public", {{"public-key", Json(pair->public_key_base64)}});
  const auto opener = Created("box-key-file", {{"path", Json(dir.Path("box"))}});
  CHECK(sealer->Describe().key_id == pair->key_id);
  CHECK(opener->Describe().key_id == pair->key_id);
  const SecretBytes data_key = DataKey();
  const Result<std::string> wrapped = sealer->WrapKey(data_key, kAd);
  REQUIRE(wrapped.ok());
  const Result<SecretBytes> opened = opener->UnwrapKey(*wrapped, kAd);
  REQUIRE(opened.ok());
  CHECK(opened->Equals(data_key));
  const Status cannot = sealer->UnwrapKey(*wrapped, kAd).status();
  CHECK(cannot.code() == Code::kWrongKey);
  CHECK_THAT(cannot.message(), Catch::Contains("box-key-file"));
  // The v2 envelope round trip: sealed for the public key, opened with the secret key.
  const std::string file = SealV2With(*sealer, "payload");
  CHECK(OpenV2With(*opener, file).ok());
  CHECK(sealer->Decrypt("x", "").status().code() == Code::kUnsupported);
}

TEST_CASE("box: other associated data, edits and another secret key do not open", "[box]") {
  ScratchDir dir;
  const Result<BoxKeyPair> pair = GenerateBoxKeyPair();
  const Result<BoxKeyPair> other = GenerateBoxKeyPair();
  REQUIRE((pair.ok() && other.ok()));
  WriteFile(dir.Path("box"), pair->secret_key_base64, 0600);
  WriteFile(dir.Path("other"), other->secret_key_base64, 0600);
  const auto opener = Created("box-key-file", {{"path", Json(dir.Path("box"))}});
  const auto stranger = Created("box-key-file", {{"path", Json(dir.Path("other"))}});
  CHECK(opener->Describe().key_id != stranger->Describe().key_id);
  const Result<std::string> wrapped = opener->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  CHECK(opener->UnwrapKey(*wrapped, "other").status().code() == Code::kIntegrity);
  CHECK(stranger->UnwrapKey(*wrapped, kAd).status().code() == Code::kIntegrity);
  for (std::size_t at = 1; at < wrapped->size(); ++at) {
    std::string edited = *wrapped;
    edited[at] = static_cast<char>(edited[at] ^ 0x80);
    INFO("byte " << at);
    CHECK(opener->UnwrapKey(edited, kAd).status().code() == Code::kIntegrity);
  }
  CHECK(opener->UnwrapKey("", kAd).status().code() == Code::kFormat);
}

TEST_CASE("box: a readable secret key file and a bad public key are refused", "[box]") {
  ScratchDir dir;
  const Result<BoxKeyPair> pair = GenerateBoxKeyPair();
  REQUIRE(pair.ok());
  WriteFile(dir.Path("box"), pair->secret_key_base64, 0640);
  const auto readable = NewBoxKeyFileEncrypter(dir.Path("box"));
  CHECK(readable.status().code() == Code::kInvalidArgument);
  CHECK_THAT(readable.status().message(), Catch::Contains("chmod 600"));
  CHECK(NewBoxPublicEncrypter("not base64!").status().code() == Code::kInvalidArgument);
  CHECK_THAT(NewBoxPublicEncrypter(internal::Base64Encode("short")).status().message(),
             Catch::Contains("decodes to 5 bytes, want 32"));
}

// ---- command -----------------------------------------------------------------------------------

namespace {

std::unique_ptr<Encrypter> Command(const std::string& command, int timeout_seconds = 30) {
  auto encrypter = NewCommandEncrypter(CommandOptions{command, timeout_seconds});
  if (!encrypter.ok()) FAIL(encrypter.status().ToString());
  return std::move(encrypter).value();
}

Status CommandError(const std::string& command, int timeout_seconds = 30) {
  return NewCommandEncrypter(CommandOptions{command, timeout_seconds}).status();
}

// A "KMS" for tests: wrap prints the input reversed with a prefix, unwrap undoes it. Each run
// records its argv and environment into DIR/<operation>.argv / .environ, from /proc.
std::string WrapScript(const ScratchDir& dir) {
  const std::string script = dir.Path("kms.sh");
  WriteFile(script,
            "tr '\\0' ' ' < /proc/$$/cmdline > \"$(dirname \"$0\")/$SEALSTATE_KEY_OPERATION.argv\"\n"
            "tr '\\0' '\\n' < /proc/$$/environ > \"$(dirname \"$0\")/$SEALSTATE_KEY_OPERATION.environ\"\n"
            "case \"$SEALSTATE_KEY_OPERATION\" in\n"
            "  key) echo 'sealstate-wrap-command v1 key-id=test-kms/key-1' ;;\n"
            "  wrap) printf 'kms:'; rev ;;\n"
            "  unwrap) cut -c5- | rev ;;\n"
            "  *) echo \"unknown operation $SEALSTATE_KEY_OPERATION\" >&2; exit 2 ;;\n"
            "esac\n",
            0700);
  return script;
}

}  // namespace

TEST_CASE("command: a command that prints a key works like key-file with that key", "[command]") {
  ScratchDir dir;
  const std::string key = internal::Base64Encode(std::string(32, 'k'));
  WriteFile(dir.Path("key"), key + "\n", 0600);
  const auto from_command = Command("printf '%s\\n' " + key);
  const auto from_file = Created("key-file", {{"path", Json(dir.Path("key"))}});
  CHECK(from_command->Describe().key_id == from_file->Describe().key_id);
  CHECK(from_command->Describe().key_source == "command");
  const Result<std::string> wrapped = from_command->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  CHECK(from_file->UnwrapKey(*wrapped, kAd).ok());
}

TEST_CASE("command: a wrap command wraps and unwraps, with a key id from the id it reports", "[command]") {
  ScratchDir dir;
  const std::string script = WrapScript(dir);
  const auto encrypter = Created("command", {{"command", Json("sh " + script)}, {"timeout-seconds", Json(10)}});
  const auto again = Command("sh " + script);
  CHECK(encrypter->Describe().key_id == again->Describe().key_id);
  CHECK(encrypter->Describe().key_id.size() == 16);
  CHECK(encrypter->Describe().key_id != Command("echo 'sealstate-wrap-command v1 key-id=other'")->Describe().key_id);
  const SecretBytes data_key = DataKey();
  const Result<std::string> wrapped = encrypter->WrapKey(data_key, kAd);
  REQUIRE(wrapped.ok());
  CHECK(wrapped->starts_with("kms:"));
  const Result<SecretBytes> opened = again->UnwrapKey(*wrapped, kAd);
  REQUIRE(opened.ok());
  CHECK(opened->Equals(data_key));
  CHECK(again->UnwrapKey(*wrapped, "other").status().code() == Code::kIntegrity);
  const std::string file = SealV2With(*encrypter, "payload");
  CHECK(OpenV2With(*again, file).ok());
}

TEST_CASE("command: no key reaches the command's argv or environment", "[command]") {
  ScratchDir dir;
  const std::string script = WrapScript(dir);
  const std::string env_key = internal::Base64Encode(std::string(32, 'e'));
  const ScopedVariable key_variable("SEALSTATE_KEY", env_key.c_str());
  const ScopedVariable passphrase_variable("SEALSTATE_PASSPHRASE", "a passphrase in our environment");
  const auto encrypter = Command("sh " + script);
  const SecretBytes data_key = DataKey();
  const std::string data_key_text =
      internal::Base64Encode(std::string_view(reinterpret_cast<const char*>(data_key.data()), 32));
  const Result<std::string> wrapped = encrypter->WrapKey(data_key, kAd);
  REQUIRE(wrapped.ok());
  REQUIRE(encrypter->UnwrapKey(*wrapped, kAd).ok());
  for (const std::string operation : {"key", "wrap", "unwrap"}) {
    const std::string argv = ReadFile(dir.Path(operation + ".argv"));
    const std::string environment = ReadFile(dir.Path(operation + ".environ"));
    INFO(operation);
    CHECK_THAT(argv, Catch::Contains(script));
    CHECK_THAT(environment, Catch::Contains("SEALSTATE_KEY_OPERATION=" + operation));
    for (const std::string& secret : {env_key, std::string("a passphrase in our environment"), *wrapped}) {
      CHECK_THAT(argv, !Catch::Contains(secret));
      CHECK_THAT(environment, !Catch::Contains(secret));
    }
    // The data key travels inside a base64 text whose bytes are shifted; check its raw key too.
    CHECK_THAT(environment, !Catch::Contains(data_key_text.substr(0, 20)));
  }
}

TEST_CASE("command: a failing command is an error naming it, with its stderr", "[command]") {
  const Status failed = CommandError("echo 'vault: permission denied' >&2; exit 3");
  CHECK(failed.code() == Code::kInvalidArgument);
  CHECK_THAT(failed.message(), Catch::Contains("key command \"echo 'vault: permission denied' >&2; exit 3\""));
  CHECK_THAT(failed.message(), Catch::Contains("exited with status 3; its stderr: vault: permission denied"));
  const Status killed = CommandError("kill -9 $$");
  CHECK_THAT(killed.message(), Catch::Contains("was killed by signal 9"));
  const Status missing = CommandError("/nonexistent/kms");
  CHECK_THAT(missing.message(), Catch::Contains("exited with status 127"));
}

TEST_CASE("command: a command that does not finish in time is killed", "[command]") {
  const auto started = std::chrono::steady_clock::now();
  const Status slow = CommandError("echo waiting >&2; sleep 30", 1);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  CHECK_THAT(slow.message(), Catch::Contains("did not finish within 1 seconds (killed); its stderr: waiting"));
}

TEST_CASE("command: garbage, too much output and too much stderr are refused", "[command]") {
  const Status garbage = CommandError("echo hello");
  CHECK(garbage.code() == Code::kInvalidArgument);
  CHECK_THAT(garbage.message(), Catch::Contains("not valid base64"));
  CHECK_THAT(garbage.message(), Catch::Contains("sealstate-wrap-command v1 key-id=ID"));
  const Status flood = CommandError("head -c 1000000 /dev/zero");
  CHECK_THAT(flood.message(), Catch::Contains("printed more than 65536 bytes on stdout (killed)"));
  const Status noisy = CommandError("head -c 100000 /dev/zero | tr '\\0' x >&2; exit 1");
  CHECK_THAT(noisy.message(), Catch::Contains("[stderr cut at 4096 bytes]"));
  CHECK(noisy.message().size() < 4096 + 200);
  const Status bad_id = CommandError("echo 'sealstate-wrap-command v1 key-id=has space'");
  CHECK_THAT(bad_id.message(), Catch::Contains("invalid key id"));
  const auto bad_timeout =
      EncrypterRegistry::WithBuiltins().Create("command", {{"command", Json("true")}, {"timeout-seconds", Json(0)}});
  CHECK_THAT(bad_timeout.status().message(), Catch::Contains("\"timeout-seconds\" must be a whole number"));
}

TEST_CASE("command: an unwrap that prints something else is an integrity error", "[command]") {
  const auto encrypter = Command(
      "case $SEALSTATE_KEY_OPERATION in key) echo 'sealstate-wrap-command v1 key-id=k';; wrap) cat;; "
      "unwrap) echo garbage;; esac");
  const Result<std::string> wrapped = encrypter->WrapKey(DataKey(), kAd);
  REQUIRE(wrapped.ok());
  const Status garbage = encrypter->UnwrapKey(*wrapped, kAd).status();
  CHECK(garbage.code() == Code::kIntegrity);
  CHECK_THAT(garbage.message(), Catch::Contains("did not print the base64 text it was given"));
}

}  // namespace sealstate
