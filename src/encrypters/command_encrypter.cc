// The command key source (see NewCommandEncrypter in encrypter.h for the protocol).
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sodium.h>

#include <sealstate/encrypter.h>

#include "crypto/base64.h"
#include "crypto/sodium_init.h"
#include "encrypters/command_runner.h"
#include "encrypters/local_key_encrypter.h"
#include "text/go_quote.h"
#include "text/trim.h"

namespace sealstate {
namespace {

constexpr std::string_view kWrapModeLine = "sealstate-wrap-command v1 key-id=";
constexpr std::size_t kMaxReportedIdBytes = 128;
constexpr std::size_t kAssociatedHashBytes = 32;
constexpr std::size_t kDataKeyBytes = 32;
constexpr std::string_view kKeyIdLabel = "sealstate command key-id v1";
constexpr std::size_t kKeyIdHashBytes = 16;
constexpr std::size_t kKeyIdBytes = 8;

const unsigned char* Bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }

std::string_view TextOf(const SecretBytes& bytes) {
  return internal::Trim(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                        internal::kAsciiWhitespace);
}

bool IsReportedIdCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("._:/@+-").find(c) != std::string_view::npos;
}

std::string CommandKeyIdOf(std::string_view reported) {
  internal::EnsureSodium();
  unsigned char hash[kKeyIdHashBytes];
  crypto_generichash(hash, sizeof hash, Bytes(std::string(kKeyIdLabel) + "\n" + std::string(reported)),
                     kKeyIdLabel.size() + 1 + reported.size(), nullptr, 0);
  char hex[kKeyIdBytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, kKeyIdBytes);
  return std::string(hex, kKeyIdBytes * 2);
}

// Base64 text of `bytes` in guarded memory, with a newline; the ordinary-memory copy is wiped.
Result<SecretBytes> Base64Line(const SecretBytes& bytes) {
  std::string text =
      internal::Base64Encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  text.push_back('\n');
  Result<SecretBytes> line = SecretBytes::Allocate(text.size());
  if (line.ok()) std::copy(text.begin(), text.end(), line->data());
  sodium_memzero(text.data(), text.size());
  return line;
}

// Wrap mode: the command wraps and unwraps; sealstate never sees its key.
class WrapCommandEncrypter final : public Encrypter {
 public:
  WrapCommandEncrypter(CommandOptions options, JsonObject config, std::string key_id)
      : options_(std::move(options)), config_(std::move(config)), key_id_(std::move(key_id)) {}

  Result<std::string> Encrypt(std::string_view, std::string_view) const override { return Unsupported(); }
  Result<std::string> Decrypt(std::string_view, std::string_view) const override { return Unsupported(); }
  EncrypterDescription Describe() const override { return {"command", config_, key_id_}; }

  Result<std::string> WrapKey(const SecretBytes& data_key, std::string_view associated_data) const override {
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes message, SecretBytes::Allocate(kAssociatedHashBytes + data_key.size()));
    crypto_generichash(message.data(), kAssociatedHashBytes, Bytes(associated_data), associated_data.size(), nullptr,
                       0);
    if (data_key.size() > 0)
      std::copy(data_key.data(), data_key.data() + data_key.size(), message.data() + kAssociatedHashBytes);
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes input, Base64Line(message));
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes output, Run("wrap", input));
    const std::string_view wrapped = TextOf(output);
    if (wrapped.empty()) return Status::InvalidArgument(What("wrap") + " printed nothing");
    return std::string(wrapped);
  }

  Result<SecretBytes> UnwrapKey(std::string_view wrapped, std::string_view associated_data) const override {
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes input, SecretBytes::Allocate(wrapped.size() + 1));
    std::copy(wrapped.begin(), wrapped.end(), input.data());
    input.data()[wrapped.size()] = '\n';
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes output, Run("unwrap", input));
    Result<SecretBytes> message = internal::Base64DecodeSecret(TextOf(output));
    if (!message.ok() || message->size() != kAssociatedHashBytes + kDataKeyBytes) {
      return Status::Integrity(What("unwrap") + " did not print the base64 text it was given when wrapping");
    }
    unsigned char expected[kAssociatedHashBytes];
    crypto_generichash(expected, sizeof expected, Bytes(associated_data), associated_data.size(), nullptr, 0);
    if (sodium_memcmp(expected, message->data(), kAssociatedHashBytes) != 0) {
      return Status::Integrity("cipher: message authentication failed");
    }
    SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, SecretBytes::Allocate(kDataKeyBytes));
    std::copy(message->data() + kAssociatedHashBytes, message->data() + message->size(), data_key.data());
    return data_key;
  }

 private:
  std::string What(std::string_view operation) const {
    return "key command " + internal::GoQuote(options_.command) + " (operation " + std::string(operation) + ")";
  }
  Result<SecretBytes> Run(std::string_view operation, const SecretBytes& input) const {
    return internal::RunKeyCommand(options_.command, operation, input, std::chrono::seconds(options_.timeout_seconds));
  }
  static Status Unsupported() {
    return Status::Unsupported(
        "command encrypter: a wrap command only wraps data keys (sealstate v2 envelopes and later); unobin v1 "
        "envelopes need a key (env-key, key-file, or a command that prints one)");
  }

  CommandOptions options_;
  JsonObject config_;
  std::string key_id_;
};

}  // namespace

Result<std::unique_ptr<Encrypter>> NewCommandEncrypter(CommandOptions options) {
  if (options.command.empty()) return Status::InvalidArgument("command encrypter: the command is empty");
  if (options.timeout_seconds < 1 || options.timeout_seconds > 3600) {
    return Status::InvalidArgument("command encrypter: the timeout must be 1 to 3600 seconds");
  }
  SEALSTATE_ASSIGN_OR_RETURN(
      SecretBytes output,
      internal::RunKeyCommand(options.command, "key", SecretBytes(), std::chrono::seconds(options.timeout_seconds)));
  JsonObject config{{"command", Json(options.command)}};
  const std::string_view text = TextOf(output);
  const std::string subject = "key command " + internal::GoQuote(options.command);
  if (text.starts_with(kWrapModeLine)) {
    const std::string_view reported = text.substr(kWrapModeLine.size());
    bool valid = !reported.empty() && reported.size() <= kMaxReportedIdBytes;
    for (char c : reported) valid = valid && IsReportedIdCharacter(c);
    if (!valid) {
      return Status::InvalidArgument(subject +
                                     " announced wrap mode with an invalid key id: want 1 to 128 "
                                     "characters of A-Z a-z 0-9 . _ : / @ + -");
    }
    std::string key_id = CommandKeyIdOf(reported);
    return std::unique_ptr<Encrypter>(
        std::make_unique<WrapCommandEncrypter>(std::move(options), std::move(config), std::move(key_id)));
  }
  Result<SecretBytes> key = internal::DecodeLocalKey(text, subject + " output");
  if (!key.ok()) {
    return key.status().WithSuffix(
        " (a key command prints a base64 32-byte key, or the line \"sealstate-wrap-command v1 key-id=ID\")");
  }
  return std::unique_ptr<Encrypter>(
      std::make_unique<internal::LocalKeyEncrypter>("command", std::move(config), std::move(*key)));
}

}  // namespace sealstate
