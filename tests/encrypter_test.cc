// Tests for the crypto primitives and the built-in encrypters. The env-key cases port unobin's
// pkg/encrypters/envkey_test.go; the rest cover sealstate's additions.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <sodium.h>
#include <catch2/catch.hpp>

#include <sealstate/encrypter.h>
#include <sealstate/secret.h>

#include "crypto/base64.h"
#include "crypto/secret_pool.h"
#include "crypto/sodium_init.h"
#include "encrypters/local_key_encrypter.h"

namespace sealstate {
namespace {

using internal::Base64Decode;
using internal::Base64DecodeSecret;
using internal::Base64Encode;

// Sets a uniquely named environment variable for the test's lifetime.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::string_view value) : name_(UniqueName()) {
    ::setenv(name_.c_str(), std::string(value).c_str(), 1);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  ~ScopedEnv() { ::unsetenv(name_.c_str()); }
  const std::string& name() const { return name_; }

  static std::string UniqueName() {
    static std::atomic<int> counter{0};
    return "SEALSTATE_TEST_KEY_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  }

 private:
  std::string name_;
};

// A mkdtemp directory removed with its contents at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sealstate-encrypter-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Writes `contents` to `path` with exactly `mode` (fchmod, so the umask does not interfere).
void WriteFile(const std::string& path, std::string_view contents, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  REQUIRE(::write(fd, contents.data(), contents.size()) == static_cast<ssize_t>(contents.size()));
  REQUIRE(::fchmod(fd, mode) == 0);
  REQUIRE(::close(fd) == 0);
}

std::string KeyText(unsigned char fill) { return Base64Encode(std::string(32, static_cast<char>(fill))); }

std::unique_ptr<Encrypter> EnvKeyEncrypter(const ScopedEnv& env) {
  Result<std::unique_ptr<Encrypter>> encrypter = NewEnvKeyEncrypter(env.name());
  REQUIRE(encrypter.ok());
  return std::move(encrypter).value();
}

Result<SecretBytes> SecretFrom(std::string_view bytes) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes secret, SecretBytes::Allocate(bytes.size()));
  std::copy(bytes.begin(), bytes.end(), secret.data());
  return secret;
}

// AES-256-GCM needs AES-NI; on a CPU without it the AES cases cannot run (the kUnsupported
// path is tested separately with the simulation hook).
bool AesGcmHere() {
  if (internal::AesGcmAvailable()) return true;
  WARN("AES-256-GCM unavailable on this CPU: skipping an AES-GCM case");
  return false;
}

// Restores real CPU detection when a test that simulates one ends.
struct AesGcmSimulation {
  explicit AesGcmSimulation(bool available) { internal::SetAesGcmAvailabilityForTesting(available); }
  AesGcmSimulation(const AesGcmSimulation&) = delete;
  AesGcmSimulation& operator=(const AesGcmSimulation&) = delete;
  ~AesGcmSimulation() { internal::SetAesGcmAvailabilityForTesting(std::nullopt); }
};

bool IsLowerHex(std::string_view text) { return text.find_first_not_of("0123456789abcdef") == std::string_view::npos; }

}  // namespace

// ---- SecretBytes -------------------------------------------------------------------------------

TEST_CASE("SecretBytes Allocate zero-fills and Random fills", "[secret]") {
  Result<SecretBytes> zeros = SecretBytes::Allocate(64);
  REQUIRE(zeros.ok());
  REQUIRE(zeros->size() == 64);
  for (std::size_t i = 0; i < zeros->size(); ++i) CHECK(zeros->data()[i] == 0);
  Result<SecretBytes> random = SecretBytes::Random(64);
  REQUIRE(random.ok());
  CHECK_FALSE(random->Equals(*zeros));
}

TEST_CASE("SecretBytes: a small secret's slot is wiped before the next secret gets it", "[secret]") {
  const unsigned char* slot = nullptr;
  {
    Result<SecretBytes> first = SecretBytes::Random(32);
    REQUIRE(first.ok());
    std::memset(first->data(), 0xA5, first->size());
    slot = first->data();
  }
  // The pool hands out the slot returned last first: the same memory, zeroed.
  Result<SecretBytes> second = SecretBytes::Allocate(internal::kSecretSlotBytes);
  REQUIRE(second.ok());
  CHECK(second->data() == slot);
  for (std::size_t i = 0; i < second->size(); ++i) CHECK(second->data()[i] == 0);
}

TEST_CASE("SecretBytes: many secrets alive at once, small and large, keep their own bytes", "[secret]") {
  // More small secrets than one arena holds, and some larger than a slot (their own allocation).
  std::vector<SecretBytes> secrets;
  for (std::size_t i = 0; i < 300; ++i) {
    const std::size_t size = i % 10 == 0 ? internal::kSecretSlotBytes + 1 + i : 1 + i % internal::kSecretSlotBytes;
    Result<SecretBytes> secret = SecretBytes::Allocate(size);
    REQUIRE(secret.ok());
    REQUIRE(secret->size() == size);
    for (std::size_t j = 0; j < size; ++j) REQUIRE(secret->data()[j] == 0);
    std::memset(secret->data(), static_cast<int>(i & 0xff), size);
    secrets.push_back(std::move(*secret));
  }
  for (std::size_t i = 0; i < secrets.size(); ++i) {
    for (std::size_t j = 0; j < secrets[i].size(); ++j) REQUIRE(secrets[i].data()[j] == (i & 0xff));
  }
}

TEST_CASE("SecretBytes from several threads at once", "[secret]") {
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int round = 0; round < 500; ++round) {
        Result<SecretBytes> secret = SecretBytes::Allocate(32);
        if (!secret.ok()) {
          ++wrong;
          continue;
        }
        std::memset(secret->data(), t + 1, secret->size());
        std::this_thread::yield();
        for (std::size_t i = 0; i < secret->size(); ++i) {
          if (secret->data()[i] != t + 1) ++wrong;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(wrong == 0);
}

TEST_CASE("SecretBytes of size zero is valid and equals another empty secret", "[secret]") {
  Result<SecretBytes> empty = SecretBytes::Allocate(0);
  REQUIRE(empty.ok());
  CHECK(empty->size() == 0);
  CHECK(empty->Equals(SecretBytes()));
}

TEST_CASE("SecretBytes Equals compares sizes then contents", "[secret]") {
  Result<SecretBytes> a = SecretFrom("abcd");
  Result<SecretBytes> b = SecretFrom("abcd");
  Result<SecretBytes> c = SecretFrom("abce");
  Result<SecretBytes> d = SecretFrom("abc");
  REQUIRE((a.ok() && b.ok() && c.ok() && d.ok()));
  CHECK(a->Equals(*b));
  CHECK_FALSE(a->Equals(*c));
  CHECK_FALSE(a->Equals(*d));
}

TEST_CASE("SecretBytes Truncate shrinks and keeps the prefix", "[secret]") {
  Result<SecretBytes> secret = SecretFrom("abcdef");
  Result<SecretBytes> prefix = SecretFrom("abc");
  REQUIRE((secret.ok() && prefix.ok()));
  secret->Truncate(3);
  CHECK(secret->size() == 3);
  CHECK(secret->Equals(*prefix));
}

TEST_CASE("SecretBytes moves leave the source empty", "[secret]") {
  Result<SecretBytes> secret = SecretFrom("abc");
  REQUIRE(secret.ok());
  SecretBytes moved = std::move(secret).value();
  CHECK(moved.size() == 3);
  SecretBytes assigned;
  assigned = std::move(moved);
  CHECK(assigned.size() == 3);
  CHECK(moved.size() == 0);  // NOLINT(bugprone-use-after-move): checking the moved-from state
  CHECK(moved.data() == nullptr);
}

// ---- Base64 ------------------------------------------------------------------------------------

TEST_CASE("Base64 encodes standard padded", "[base64]") {
  CHECK(Base64Encode("") == "");
  CHECK(Base64Encode("A") == "QQ==");
  CHECK(Base64Encode("AB") == "QUI=");
  CHECK(Base64Encode("ABC") == "QUJD");
  CHECK(Base64Encode("\xfb\xff") == "+/8=");
}

TEST_CASE("Base64 round-trips every length up to 70", "[base64]") {
  std::string bytes;
  for (int n = 0; n < 70; ++n) {
    Result<std::string> decoded = Base64Decode(Base64Encode(bytes));
    REQUIRE(decoded.ok());
    CHECK(*decoded == bytes);
    bytes.push_back(static_cast<char>(n * 37 + 11));
  }
}

TEST_CASE("Base64 decoding skips CR and LF anywhere, as Go does", "[base64]") {
  Result<std::string> decoded = Base64Decode("\r\nQU\nJD\r\nQQ\n=\r\n=\n");
  REQUIRE(decoded.ok());
  CHECK(*decoded == "ABCA");
}

TEST_CASE("Base64 decoding ignores non-zero trailing bits, as Go does", "[base64]") {
  Result<std::string> decoded = Base64Decode("QR==");
  REQUIRE(decoded.ok());
  CHECK(*decoded == "A");
}

TEST_CASE("Base64 errors name the byte Go names", "[base64]") {
  // Expected positions follow Go's encoding/base64 (StdEncoding.DecodeString).
  const std::pair<std::string_view, int> cases[] = {
      {"!!!not-base64!!!", 0},
      {"AAAAAAA", 4},
      {"AAAA AAA", 4},
      {"!!!!", 0},
      {"====", 0},
      {"x===", 1},
      {"=AAA", 0},
      {"A=AA", 1},
      {"AA=A", 2},
      {"AA==A", 4},
      {"AAA=AAAA", 4},
      {"AAAAA", 4},
      {"AAAAAA", 4},
      {"A=", 1},
      {"A==", 1},
      {"AA=", 3},
      {"AAAAAA=", 7},
      {"YWJjZA=====", 8},
      {"A!\n", 1},
      {"A=\n", 1},
      {"QQ", 0},
      {"aGVsb?8=", 5},
      {"dGhpcyBpcyBhI@HRlc3Qgc3RyaW5nLg==", 13},
      {std::string_view("QUJD\0", 5), 4},
  };
  for (const auto& [text, position] : cases) {
    INFO("input: " << text);
    Result<std::string> decoded = Base64Decode(text);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.status().code() == Code::kInvalidArgument);
    CHECK(decoded.status().message() == "illegal base64 data at input byte " + std::to_string(position));
  }
}

TEST_CASE("Base64 accepts what Go accepts", "[base64]") {
  for (std::string_view text : {"", "\n", "AAA=\n", "AAAA\n", "AA==", "AAA=", "AAAA"}) {
    INFO("input: " << text);
    CHECK(Base64Decode(text).ok());
  }
}

TEST_CASE("Base64DecodeSecret decodes into guarded memory", "[base64]") {
  Result<SecretBytes> secret = Base64DecodeSecret("QUJDRA==");
  Result<SecretBytes> expected = SecretFrom("ABCD");
  REQUIRE((secret.ok() && expected.ok()));
  CHECK(secret->Equals(*expected));
  Result<SecretBytes> bad = Base64DecodeSecret("QUJD!");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message() == "illegal base64 data at input byte 4");
}

// ---- noop --------------------------------------------------------------------------------------

TEST_CASE("noop passes bytes through and Describes exactly {noop}", "[noop]") {
  std::unique_ptr<Encrypter> noop = NewNoopEncrypter();
  const std::string bytes("plain\0text", 10);
  Result<std::string> sealed = noop->Encrypt(bytes, "ignored associated data");
  REQUIRE(sealed.ok());
  CHECK(*sealed == bytes);
  Result<std::string> opened = noop->Decrypt(*sealed, "other associated data");
  REQUIRE(opened.ok());
  CHECK(*opened == bytes);
  CHECK(noop->Describe() == EncrypterDescription{"noop", {}, ""});
  CHECK(noop->is_plaintext());
}

// ---- env-key (unobin's envkey_test.go) -----------------------------------------------------------

TEST_CASE("env-key Describe names the key source, the variable and the key id", "[env-key]") {
  ScopedEnv env(KeyText(1));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  const EncrypterDescription description = encrypter->Describe();
  CHECK(description.key_source == "env-key");
  CHECK(description.config == JsonObject{{"env-var", Json(env.name())}});
  CHECK(description.key_id.size() == 16);
  CHECK_FALSE(encrypter->is_plaintext());
}

TEST_CASE("env-key round trip", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env(KeyText(2));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  for (const std::string& plaintext : {std::string(), std::string("{\"version\":4}"), std::string(100000, 'x')}) {
    Result<std::string> sealed = encrypter->Encrypt(plaintext, "");
    REQUIRE(sealed.ok());
    CHECK(sealed->size() == 12 + plaintext.size() + 16);
    Result<std::string> opened = encrypter->Decrypt(*sealed, "");
    REQUIRE(opened.ok());
    CHECK(*opened == plaintext);
  }
}

TEST_CASE("env-key uses a fresh nonce per call: two encryptions differ", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env(KeyText(3));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  Result<std::string> first = encrypter->Encrypt("same plaintext", "");
  Result<std::string> second = encrypter->Encrypt("same plaintext", "");
  REQUIRE((first.ok() && second.ok()));
  CHECK(*first != *second);
  CHECK(first->substr(0, 12) != second->substr(0, 12));
}

TEST_CASE("env-key: a flipped last byte fails authentication", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env(KeyText(4));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  Result<std::string> sealed = encrypter->Encrypt("hello", "");
  REQUIRE(sealed.ok());
  sealed->back() ^= 0x01;
  Result<std::string> opened = encrypter->Decrypt(*sealed, "");
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == Code::kIntegrity);
  CHECK(opened.status().message() == "cipher: message authentication failed");
}

TEST_CASE("env-key: flipping any single byte of a ciphertext fails", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env(KeyText(5));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  Result<std::string> sealed = encrypter->Encrypt("tamper with every byte of me", "");
  REQUIRE(sealed.ok());
  for (std::size_t i = 0; i < sealed->size(); ++i) {
    std::string tampered = *sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x80);
    Result<std::string> opened = encrypter->Decrypt(tampered, "");
    INFO("flipped byte " << i);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == Code::kIntegrity);
  }
}

TEST_CASE("env-key: \"nope\" fails as shorter than the nonce", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env(KeyText(6));
  Result<std::string> opened = EnvKeyEncrypter(env)->Decrypt("nope", "");
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == Code::kIntegrity);
  CHECK(opened.status().message() == "env-key encrypter: ciphertext shorter than nonce");
}

TEST_CASE("env-key: 12 to 27 byte input fails authentication", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env(KeyText(7));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  for (std::size_t size = 12; size <= 27; ++size) {
    Result<std::string> opened = encrypter->Decrypt(std::string(size, 'n'), "");
    INFO("size " << size);
    REQUIRE_FALSE(opened.ok());
    CHECK(opened.status().code() == Code::kIntegrity);
    CHECK(opened.status().message() == "cipher: message authentication failed");
  }
}

TEST_CASE("env-key: an empty or unset variable is not set", "[env-key]") {
  ScopedEnv env("");
  Result<std::unique_ptr<Encrypter>> empty = NewEnvKeyEncrypter(env.name());
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().code() == Code::kInvalidArgument);
  CHECK(empty.status().message() == "env-key encrypter: " + env.name() + " is not set");
  const std::string unset_name = ScopedEnv::UniqueName();
  Result<std::unique_ptr<Encrypter>> unset = NewEnvKeyEncrypter(unset_name);
  REQUIRE_FALSE(unset.ok());
  CHECK(unset.status().message() == "env-key encrypter: " + unset_name + " is not set");
}

TEST_CASE("env-key: !!!not-base64!!! is a base64 error at byte 0", "[env-key]") {
  ScopedEnv env("!!!not-base64!!!");
  Result<std::unique_ptr<Encrypter>> encrypter = NewEnvKeyEncrypter(env.name());
  REQUIRE_FALSE(encrypter.ok());
  CHECK(encrypter.status().code() == Code::kInvalidArgument);
  CHECK(encrypter.status().message() ==
        "env-key encrypter: " + env.name() + " is not valid base64: illegal base64 data at input byte 0");
}

TEST_CASE("env-key: a 16-byte key decodes to 16 bytes, want 32", "[env-key]") {
  ScopedEnv env(Base64Encode(std::string(16, 'k')));
  Result<std::unique_ptr<Encrypter>> encrypter = NewEnvKeyEncrypter(env.name());
  REQUIRE_FALSE(encrypter.ok());
  CHECK(encrypter.status().code() == Code::kInvalidArgument);
  CHECK(encrypter.status().message() == "env-key encrypter: " + env.name() + " decodes to 16 bytes, want 32");
}

TEST_CASE("env-key: ciphertext from key A fails under key B", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env_a(KeyText(8));
  ScopedEnv env_b(KeyText(9));
  Result<std::string> sealed = EnvKeyEncrypter(env_a)->Encrypt("secret state", "");
  REQUIRE(sealed.ok());
  Result<std::string> opened = EnvKeyEncrypter(env_b)->Decrypt(*sealed, "");
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == Code::kIntegrity);
  CHECK(opened.status().message() == "cipher: message authentication failed");
}

// ---- sealstate additions -----------------------------------------------------------------------

TEST_CASE("env-key authenticates associated data: a different AD fails", "[env-key]") {
  if (!AesGcmHere()) return;
  ScopedEnv env(KeyText(10));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  Result<std::string> sealed = encrypter->Encrypt("payload", "stack=prod rev=41");
  REQUIRE(sealed.ok());
  CHECK(encrypter->Decrypt(*sealed, "stack=prod rev=41").ok());
  Result<std::string> moved = encrypter->Decrypt(*sealed, "stack=prod rev=42");
  REQUIRE_FALSE(moved.ok());
  CHECK(moved.status().code() == Code::kIntegrity);
  CHECK_FALSE(encrypter->Decrypt(*sealed, "").ok());
}

TEST_CASE("AES-GCM output is unobin's nonce||ct||tag: libsodium opens it with the known key", "[env-key]") {
  if (!AesGcmHere()) return;
  const std::string key(32, '\x2a');
  ScopedEnv env(Base64Encode(key));
  Result<std::string> sealed = EnvKeyEncrypter(env)->Encrypt("layout check", "");
  REQUIRE(sealed.ok());
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed->data());
  std::string plaintext(sealed->size() - 12 - 16, '\0');
  unsigned long long plaintext_size = 0;
  REQUIRE(crypto_aead_aes256gcm_decrypt(reinterpret_cast<unsigned char*>(plaintext.data()), &plaintext_size, nullptr,
                                        bytes + 12, sealed->size() - 12, nullptr, 0, bytes,
                                        reinterpret_cast<const unsigned char*>(key.data())) == 0);
  CHECK(plaintext_size == plaintext.size());
  CHECK(plaintext == "layout check");
}

TEST_CASE("WrapKey/UnwrapKey round trip with XChaCha20-Poly1305", "[wrap]") {
  ScopedEnv env(KeyText(11));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  Result<SecretBytes> data_key = SecretBytes::Random(32);
  REQUIRE(data_key.ok());
  Result<std::string> wrapped = encrypter->WrapKey(*data_key, "header");
  REQUIRE(wrapped.ok());
  CHECK(wrapped->size() == 24 + 32 + 16);
  Result<SecretBytes> unwrapped = encrypter->UnwrapKey(*wrapped, "header");
  REQUIRE(unwrapped.ok());
  CHECK(unwrapped->Equals(*data_key));
}

TEST_CASE("UnwrapKey fails with a wrong key, a wrong AD or a tampered blob", "[wrap]") {
  ScopedEnv env_a(KeyText(12));
  ScopedEnv env_b(KeyText(13));
  Result<SecretBytes> data_key = SecretBytes::Random(32);
  REQUIRE(data_key.ok());
  Result<std::string> wrapped = EnvKeyEncrypter(env_a)->WrapKey(*data_key, "header");
  REQUIRE(wrapped.ok());
  Result<SecretBytes> wrong_key = EnvKeyEncrypter(env_b)->UnwrapKey(*wrapped, "header");
  REQUIRE_FALSE(wrong_key.ok());
  CHECK(wrong_key.status().code() == Code::kIntegrity);
  CHECK(wrong_key.status().message() == "cipher: message authentication failed");
  CHECK_FALSE(EnvKeyEncrypter(env_a)->UnwrapKey(*wrapped, "other header").ok());
  std::string tampered = *wrapped;
  tampered[30] = static_cast<char>(tampered[30] ^ 1);
  CHECK_FALSE(EnvKeyEncrypter(env_a)->UnwrapKey(tampered, "header").ok());
  Result<SecretBytes> short_blob = EnvKeyEncrypter(env_a)->UnwrapKey(wrapped->substr(0, 30), "header");
  REQUIRE_FALSE(short_blob.ok());
  CHECK(short_blob.status().code() == Code::kIntegrity);
}

TEST_CASE("WrapKey uses a fresh nonce per call", "[wrap]") {
  ScopedEnv env(KeyText(14));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  Result<SecretBytes> data_key = SecretBytes::Random(32);
  REQUIRE(data_key.ok());
  Result<std::string> first = encrypter->WrapKey(*data_key, "");
  Result<std::string> second = encrypter->WrapKey(*data_key, "");
  REQUIRE((first.ok() && second.ok()));
  CHECK(*first != *second);
}

TEST_CASE("Default WrapKey/UnwrapKey go through Encrypt/Decrypt (noop shows it)", "[wrap]") {
  std::unique_ptr<Encrypter> noop = NewNoopEncrypter();
  Result<SecretBytes> data_key = SecretFrom("0123456789abcdef0123456789abcdef");
  REQUIRE(data_key.ok());
  Result<std::string> wrapped = noop->WrapKey(*data_key, "");
  REQUIRE(wrapped.ok());
  CHECK(*wrapped == "0123456789abcdef0123456789abcdef");
  Result<SecretBytes> unwrapped = noop->UnwrapKey(*wrapped, "");
  REQUIRE(unwrapped.ok());
  CHECK(unwrapped->Equals(*data_key));
}

TEST_CASE("key id is 16 hex chars, stable, differs between keys and does not reveal the key", "[key-id]") {
  const std::string key_a(32, '\x11');
  ScopedEnv env_a(Base64Encode(key_a));
  ScopedEnv env_a_again(Base64Encode(key_a));
  ScopedEnv env_b(KeyText(0x22));
  const std::string id_a = EnvKeyEncrypter(env_a)->Describe().key_id;
  CHECK(id_a.size() == 16);
  CHECK(IsLowerHex(id_a));
  CHECK(EnvKeyEncrypter(env_a_again)->Describe().key_id == id_a);
  CHECK(EnvKeyEncrypter(env_b)->Describe().key_id != id_a);
  std::string key_hex(64, '\0');
  for (std::size_t i = 0; i < key_a.size(); ++i) {
    static constexpr char kHex[] = "0123456789abcdef";
    key_hex[2 * i] = kHex[(key_a[i] >> 4) & 0xf];
    key_hex[2 * i + 1] = kHex[key_a[i] & 0xf];
  }
  CHECK(key_hex.find(id_a) == std::string::npos);
  CHECK(Base64Encode(key_a).find(id_a) == std::string::npos);
}

TEST_CASE("key id is keyed BLAKE2b over the label, first 8 bytes", "[key-id]") {
  const std::string key(32, '\x33');
  ScopedEnv env(Base64Encode(key));
  const std::string_view label = "sealstate key-id v1";
  unsigned char hash[16];
  REQUIRE(crypto_generichash(hash, sizeof hash, reinterpret_cast<const unsigned char*>(label.data()), label.size(),
                             reinterpret_cast<const unsigned char*>(key.data()), key.size()) == 0);
  char hex[17];
  sodium_bin2hex(hex, sizeof hex, hash, 8);
  CHECK(EnvKeyEncrypter(env)->Describe().key_id == std::string(hex));
}

TEST_CASE("Without AES-NI, Encrypt/Decrypt are kUnsupported while WrapKey still works", "[env-key]") {
  ScopedEnv env(KeyText(15));
  std::unique_ptr<Encrypter> encrypter = EnvKeyEncrypter(env);
  AesGcmSimulation no_aes_ni(false);
  Result<std::string> sealed = encrypter->Encrypt("x", "");
  REQUIRE_FALSE(sealed.ok());
  CHECK(sealed.status().code() == Code::kUnsupported);
  CHECK_THAT(sealed.status().message(), Catch::Contains("AES-NI") && Catch::Contains("v2"));
  Result<std::string> opened = encrypter->Decrypt(std::string(40, 'x'), "");
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.status().code() == Code::kUnsupported);
  Result<SecretBytes> data_key = SecretBytes::Random(32);
  REQUIRE(data_key.ok());
  Result<std::string> wrapped = encrypter->WrapKey(*data_key, "ad");
  REQUIRE(wrapped.ok());
  Result<SecretBytes> unwrapped = encrypter->UnwrapKey(*wrapped, "ad");
  REQUIRE(unwrapped.ok());
  CHECK(unwrapped->Equals(*data_key));
}

// ---- key-file ----------------------------------------------------------------------------------

TEST_CASE("key-file: a 0600 file works and Describes its path", "[key-file]") {
  TempDir dir;
  const std::string path = dir.File("key");
  WriteFile(path, KeyText(16), 0600);
  Result<std::unique_ptr<Encrypter>> encrypter = NewKeyFileEncrypter(path);
  REQUIRE(encrypter.ok());
  const EncrypterDescription description = (*encrypter)->Describe();
  CHECK(description.key_source == "key-file");
  CHECK(description.config == JsonObject{{"path", Json(path)}});
  CHECK(description.key_id.size() == 16);
  Result<SecretBytes> data_key = SecretBytes::Random(32);
  REQUIRE(data_key.ok());
  Result<std::string> wrapped = (*encrypter)->WrapKey(*data_key, "");
  REQUIRE(wrapped.ok());
  CHECK((*encrypter)->UnwrapKey(*wrapped, "").ok());
  if (!AesGcmHere()) return;
  Result<std::string> sealed = (*encrypter)->Encrypt("state", "");
  REQUIRE(sealed.ok());
  Result<std::string> opened = (*encrypter)->Decrypt(*sealed, "");
  REQUIRE(opened.ok());
  CHECK(*opened == "state");
  Result<std::string> short_input = (*encrypter)->Decrypt("nope", "");
  REQUIRE_FALSE(short_input.ok());
  CHECK(short_input.status().message() == "key-file encrypter: ciphertext shorter than nonce");
}

TEST_CASE("key-file: group- or other-accessible files are refused with the chmod hint", "[key-file]") {
  TempDir dir;
  const std::string path = dir.File("key");
  for (const auto& [mode, shown] :
       {std::pair<mode_t, std::string_view>{0640, "0640"}, {0604, "0604"}, {0644, "0644"}, {0660, "0660"}}) {
    WriteFile(path, KeyText(17), mode);
    Result<std::unique_ptr<Encrypter>> encrypter = NewKeyFileEncrypter(path);
    REQUIRE_FALSE(encrypter.ok());
    CHECK(encrypter.status().code() == Code::kInvalidArgument);
    CHECK(encrypter.status().message() == "key-file encrypter: " + path + " is accessible by group or others (mode " +
                                              std::string(shown) + "); run: chmod 600 " + path);
  }
  WriteFile(path, KeyText(17), 0400);
  CHECK(NewKeyFileEncrypter(path).ok());
}

TEST_CASE("key-file: a missing file is kNotFound", "[key-file]") {
  TempDir dir;
  const std::string path = dir.File("absent");
  Result<std::unique_ptr<Encrypter>> encrypter = NewKeyFileEncrypter(path);
  REQUIRE_FALSE(encrypter.ok());
  CHECK(encrypter.status().code() == Code::kNotFound);
  CHECK(encrypter.status().message() == "key-file encrypter: " + path + " does not exist");
}

TEST_CASE("key-file: a directory is refused", "[key-file]") {
  TempDir dir;
  const std::string path = dir.File("subdir");
  REQUIRE(::mkdir(path.c_str(), 0700) == 0);
  Result<std::unique_ptr<Encrypter>> encrypter = NewKeyFileEncrypter(path);
  REQUIRE_FALSE(encrypter.ok());
  CHECK(encrypter.status().code() == Code::kInvalidArgument);
  CHECK(encrypter.status().message() == "key-file encrypter: " + path + " is not a regular file");
}

TEST_CASE("key-file: a symlink to a 0600 file is followed", "[key-file]") {
  TempDir dir;
  const std::string target = dir.File("key");
  const std::string link = dir.File("link");
  WriteFile(target, KeyText(18), 0600);
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  CHECK(NewKeyFileEncrypter(link).ok());
}

TEST_CASE("key-file: whitespace and newlines around the key are accepted", "[key-file]") {
  TempDir dir;
  const std::string path = dir.File("key");
  WriteFile(path, " \t\n" + KeyText(19) + "\r\n\n", 0600);
  CHECK(NewKeyFileEncrypter(path).ok());
  WriteFile(path, "\v\f" + KeyText(19) + "\f\v", 0600);  // all of C isspace()
  CHECK(NewKeyFileEncrypter(path).ok());
}

TEST_CASE("key-file: bad key text gives the env-key messages with the path", "[key-file]") {
  TempDir dir;
  const std::string path = dir.File("key");
  WriteFile(path, "!!!not-base64!!!\n", 0600);
  Result<std::unique_ptr<Encrypter>> bad_base64 = NewKeyFileEncrypter(path);
  REQUIRE_FALSE(bad_base64.ok());
  CHECK(bad_base64.status().message() ==
        "key-file encrypter: " + path + " is not valid base64: illegal base64 data at input byte 0");
  WriteFile(path, Base64Encode(std::string(16, 'k')), 0600);
  Result<std::unique_ptr<Encrypter>> short_key = NewKeyFileEncrypter(path);
  REQUIRE_FALSE(short_key.ok());
  CHECK(short_key.status().message() == "key-file encrypter: " + path + " decodes to 16 bytes, want 32");
  WriteFile(path, std::string(5000, 'A'), 0600);
  Result<std::unique_ptr<Encrypter>> huge = NewKeyFileEncrypter(path);
  REQUIRE_FALSE(huge.ok());
  CHECK(huge.status().code() == Code::kInvalidArgument);
}

TEST_CASE("key-file and env-key with the same key have the same key id and interoperate", "[key-file]") {
  TempDir dir;
  const std::string path = dir.File("key");
  const std::string key_text = KeyText(20);
  WriteFile(path, key_text + "\n", 0600);
  ScopedEnv env(key_text);
  Result<std::unique_ptr<Encrypter>> from_file = NewKeyFileEncrypter(path);
  REQUIRE(from_file.ok());
  std::unique_ptr<Encrypter> from_env = EnvKeyEncrypter(env);
  CHECK((*from_file)->Describe().key_id == from_env->Describe().key_id);
  Result<SecretBytes> data_key = SecretBytes::Random(32);
  REQUIRE(data_key.ok());
  Result<std::string> wrapped = (*from_file)->WrapKey(*data_key, "");
  REQUIRE(wrapped.ok());
  CHECK(from_env->UnwrapKey(*wrapped, "").ok());
}

// ---- registry ----------------------------------------------------------------------------------

TEST_CASE("registry builtins are the seven key sources, sorted, with descriptions", "[registry]") {
  const EncrypterRegistry registry = EncrypterRegistry::WithBuiltins();
  CHECK(registry.Names() ==
        std::vector<std::string>{"box-key-file", "box-public", "command", "env-key", "key-file", "noop", "passphrase"});
  CHECK(registry.Description("noop") == "No encryption; state is written as plaintext.");
  CHECK_THAT(registry.Description("env-key"), Catch::Contains("environment variable"));
  CHECK_THAT(registry.Description("key-file"), Catch::Contains("file"));
  CHECK(registry.Description("nope").empty());
  Result<std::unique_ptr<Encrypter>> noop = registry.Create("noop", {});
  REQUIRE(noop.ok());
  CHECK((*noop)->is_plaintext());
}

TEST_CASE("registry creates env-key and key-file from their config", "[registry]") {
  const EncrypterRegistry registry = EncrypterRegistry::WithBuiltins();
  ScopedEnv env(KeyText(21));
  Result<std::unique_ptr<Encrypter>> env_key = registry.Create("env-key", {{"env-var", Json(env.name())}});
  REQUIRE(env_key.ok());
  CHECK((*env_key)->Describe().key_source == "env-key");
  TempDir dir;
  const std::string path = dir.File("key");
  WriteFile(path, KeyText(21), 0600);
  Result<std::unique_ptr<Encrypter>> key_file = registry.Create("key-file", {{"path", Json(path)}});
  REQUIRE(key_file.ok());
  CHECK((*key_file)->Describe().key_id == (*env_key)->Describe().key_id);
}

TEST_CASE("registry: an unknown name lists the available ones", "[registry]") {
  Result<std::unique_ptr<Encrypter>> encrypter = EncrypterRegistry::WithBuiltins().Create("x", {});
  REQUIRE_FALSE(encrypter.ok());
  CHECK(encrypter.status().code() == Code::kInvalidArgument);
  CHECK(encrypter.status().message() ==
        "encryption: no key-source named \"x\"; available: box-key-file, box-public, "
        "command, env-key, key-file, noop, passphrase");
}

TEST_CASE("registry: noop refuses configuration", "[registry]") {
  Result<std::unique_ptr<Encrypter>> encrypter =
      EncrypterRegistry::WithBuiltins().Create("noop", {{"env-var", Json("X")}});
  REQUIRE_FALSE(encrypter.ok());
  CHECK(encrypter.status().code() == Code::kInvalidArgument);
  CHECK(encrypter.status().message() == "encryption: \"noop\" accepts no configuration fields");
}

TEST_CASE("registry: an unknown configuration field is refused", "[registry]") {
  const EncrypterRegistry registry = EncrypterRegistry::WithBuiltins();
  Result<std::unique_ptr<Encrypter>> env_key = registry.Create("env-key", {{"env-var", Json("A")}, {"x", Json(1)}});
  REQUIRE_FALSE(env_key.ok());
  CHECK(env_key.status().code() == Code::kInvalidArgument);
  CHECK(env_key.status().message() == "encryption: env-key: unknown configuration field \"x\" (known: env-var)");
  Result<std::unique_ptr<Encrypter>> key_file = registry.Create("key-file", {{"key", Json("A")}});
  REQUIRE_FALSE(key_file.ok());
  CHECK(key_file.status().message() == "encryption: key-file: unknown configuration field \"key\" (known: path)");
}

TEST_CASE("registry: a missing, empty or non-string required field is refused", "[registry]") {
  const EncrypterRegistry registry = EncrypterRegistry::WithBuiltins();
  Result<std::unique_ptr<Encrypter>> missing = registry.Create("env-key", {});
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == Code::kInvalidArgument);
  CHECK(missing.status().message() == "encryption: env-key: \"env-var\" is required");
  Result<std::unique_ptr<Encrypter>> empty = registry.Create("key-file", {{"path", Json("")}});
  REQUIRE_FALSE(empty.ok());
  CHECK(empty.status().message() == "encryption: key-file: \"path\" is required");
  Result<std::unique_ptr<Encrypter>> number = registry.Create("env-key", {{"env-var", Json(7)}});
  REQUIRE_FALSE(number.ok());
  CHECK(number.status().message() == "encryption: env-key: \"env-var\" must be a string");
}

TEST_CASE("registry: a custom registration is used by Create", "[registry]") {
  EncrypterRegistry registry = EncrypterRegistry::WithBuiltins();
  JsonObject seen;
  REQUIRE(registry
              .Register("custom", "A test key source.",
                        [&seen](const JsonObject& config) -> Result<std::unique_ptr<Encrypter>> {
                          seen = config;
                          return NewNoopEncrypter();
                        })
              .ok());
  CHECK(registry.Names() == std::vector<std::string>{"box-key-file", "box-public", "command", "custom", "env-key",
                                                     "key-file", "noop", "passphrase"});
  CHECK(registry.Description("custom") == "A test key source.");
  Result<std::unique_ptr<Encrypter>> encrypter = registry.Create("custom", {{"region", Json("eu")}});
  REQUIRE(encrypter.ok());
  CHECK(seen == JsonObject{{"region", Json("eu")}});
}

TEST_CASE("registry: duplicate, empty names and null factories are refused", "[registry]") {
  EncrypterRegistry registry = EncrypterRegistry::WithBuiltins();
  const Status duplicate =
      registry.Register("noop", "again", [](const JsonObject&) { return NewEnvKeyEncrypter("X"); });
  CHECK(duplicate.code() == Code::kAlreadyExists);
  CHECK(registry.Description("noop") == "No encryption; state is written as plaintext.");
  const Status empty = registry.Register("", "no name", [](const JsonObject&) { return NewEnvKeyEncrypter("X"); });
  CHECK(empty.code() == Code::kInvalidArgument);
  const Status null_factory = registry.Register("null", "no factory", nullptr);
  CHECK(null_factory.code() == Code::kInvalidArgument);
  CHECK(registry.Names().size() == 7);
}

TEST_CASE("registry: an empty registry says so for unknown names", "[registry]") {
  Result<std::unique_ptr<Encrypter>> encrypter = EncrypterRegistry().Create("noop", {});
  REQUIRE_FALSE(encrypter.ok());
  CHECK(encrypter.status().code() == Code::kInvalidArgument);
}

// ---- GenerateKeyBase64 -------------------------------------------------------------------------

TEST_CASE("GenerateKeyBase64 decodes to 32 bytes and two calls differ", "[keygen]") {
  Result<std::string> first = GenerateKeyBase64();
  Result<std::string> second = GenerateKeyBase64();
  REQUIRE((first.ok() && second.ok()));
  CHECK(first->size() == 44);
  CHECK(*first != *second);
  Result<std::string> decoded = Base64Decode(*first);
  REQUIRE(decoded.ok());
  CHECK(decoded->size() == 32);
  ScopedEnv env(*first);
  CHECK(NewEnvKeyEncrypter(env.name()).ok());
}

}  // namespace sealstate
