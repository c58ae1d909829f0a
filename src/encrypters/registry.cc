#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sealstate/encrypter.h>

#include "registry/named_table.h"

namespace sealstate {
namespace {

std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

Result<std::unique_ptr<Encrypter>> CreateNoop(const JsonObject& config) {
  if (!config.empty()) return Status::InvalidArgument("encryption: \"noop\" accepts no configuration fields");
  return NewNoopEncrypter();
}

// Returns the one required string field of a key source's config, rejecting any other field.
Result<std::string> RequiredStringField(std::string_view source, const JsonObject& config, std::string_view field) {
  const std::string prefix = "encryption: " + std::string(source) + ": ";
  for (const auto& [name, value] : config) {
    if (name != field) {
      return Status::InvalidArgument(prefix + "unknown configuration field " + Quoted(name) +
                                     " (known: " + std::string(field) + ")");
    }
  }
  const auto found = config.find(field);
  if (found == config.end()) return Status::InvalidArgument(prefix + Quoted(field) + " is required");
  if (found->second.type() != Json::Type::kString) {
    return Status::InvalidArgument(prefix + Quoted(field) + " must be a string");
  }
  if (found->second.as_string().empty()) return Status::InvalidArgument(prefix + Quoted(field) + " is required");
  return std::string(found->second.as_string());
}

Result<std::unique_ptr<Encrypter>> CreateEnvKey(const JsonObject& config) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string env_var, RequiredStringField("env-key", config, "env-var"));
  return NewEnvKeyEncrypter(std::move(env_var));
}

Result<std::unique_ptr<Encrypter>> CreateKeyFile(const JsonObject& config) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string path, RequiredStringField("key-file", config, "path"));
  return NewKeyFileEncrypter(std::move(path));
}

Result<std::unique_ptr<Encrypter>> CreateBoxPublic(const JsonObject& config) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string public_key, RequiredStringField("box-public", config, "public-key"));
  return NewBoxPublicEncrypter(std::move(public_key));
}

Result<std::unique_ptr<Encrypter>> CreateBoxKeyFile(const JsonObject& config) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string path, RequiredStringField("box-key-file", config, "path"));
  return NewBoxKeyFileEncrypter(std::move(path));
}

// Rejects every field of `config` not in `known` (listed in messages as written there).
Status OnlyKnownFields(std::string_view source, const JsonObject& config, const std::vector<std::string>& known) {
  for (const auto& [name, value] : config) {
    bool found = false;
    for (const std::string& field : known) found = found || field == name;
    if (!found) {
      return Status::InvalidArgument("encryption: " + std::string(source) + ": unknown configuration field " +
                                     Quoted(name) + " (known: " + internal::JoinNames(known) + ")");
    }
  }
  return Status::OK();
}

Result<std::unique_ptr<Encrypter>> CreatePassphrase(const JsonObject& config) {
  SEALSTATE_RETURN_IF_ERROR(OnlyKnownFields("passphrase", config, {"file"}));
  if (config.empty()) return NewPassphraseEncrypter("");
  SEALSTATE_ASSIGN_OR_RETURN(std::string file, RequiredStringField("passphrase", config, "file"));
  return NewPassphraseEncrypter(std::move(file));
}

Result<std::unique_ptr<Encrypter>> CreateCommand(const JsonObject& config) {
  SEALSTATE_RETURN_IF_ERROR(OnlyKnownFields("command", config, {"command", "timeout-seconds"}));
  JsonObject command_only = config;
  CommandOptions options;
  const auto timeout = config.find("timeout-seconds");
  if (timeout != config.end()) {
    const Json& value = timeout->second;
    const bool whole = value.type() == Json::Type::kInt && value.as_int() >= 1 && value.as_int() <= 3600;
    if (!whole) {
      return Status::InvalidArgument("encryption: command: \"timeout-seconds\" must be a whole number from 1 to 3600");
    }
    options.timeout_seconds = static_cast<int>(value.as_int());
    command_only.erase("timeout-seconds");
  }
  SEALSTATE_ASSIGN_OR_RETURN(options.command, RequiredStringField("command", command_only, "command"));
  return NewCommandEncrypter(std::move(options));
}

// Registration of a built-in cannot fail on a fresh registry; a failure is a bug.
void RegisterBuiltin(EncrypterRegistry& registry, std::string name, std::string description, EncrypterFactory factory) {
  const Status status = registry.Register(std::move(name), std::move(description), std::move(factory));
  (void)status;  // unique non-empty names and non-null factories: always OK
}

}  // namespace

EncrypterRegistry EncrypterRegistry::WithBuiltins() {
  EncrypterRegistry registry;
  RegisterBuiltin(registry, "noop", "No encryption; state is written as plaintext.", CreateNoop);
  RegisterBuiltin(registry, "env-key",
                  "XChaCha20-Poly1305 (v2) / AES-256-GCM (v1) with a base64 key read from an environment "
                  "variable.",
                  CreateEnvKey);
  RegisterBuiltin(registry, "key-file",
                  "XChaCha20-Poly1305 (v2) / AES-256-GCM (v1) with a base64 key read from a file only its "
                  "owner can read.",
                  CreateKeyFile);
  RegisterBuiltin(registry, "passphrase",
                  "Data keys wrapped under an Argon2id derivation of a passphrase from a file, "
                  "SEALSTATE_PASSPHRASE or the terminal.",
                  CreatePassphrase);
  RegisterBuiltin(registry, "command",
                  "A key printed by an operator's command, or data keys wrapped and unwrapped by it (a KMS CLI).",
                  CreateCommand);
  RegisterBuiltin(registry, "box-public",
                  "Data keys sealed (crypto_box_seal) for an X25519 public key; cannot open them.", CreateBoxPublic);
  RegisterBuiltin(registry, "box-key-file",
                  "Data keys sealed for and opened with an X25519 secret key read from a file only its owner can "
                  "read.",
                  CreateBoxKeyFile);
  return registry;
}

Status EncrypterRegistry::Register(std::string name, std::string description, EncrypterFactory factory) {
  return internal::AddNamed(kinds_, std::move(name), Kind{std::move(description), std::move(factory)},
                            "encryption: key-source");
}

Result<std::unique_ptr<Encrypter>> EncrypterRegistry::Create(std::string_view name, const JsonObject& config) const {
  const auto found = kinds_.find(name);
  if (found == kinds_.end()) {
    return Status::InvalidArgument("encryption: no key-source named " + Quoted(name) +
                                   "; available: " + internal::JoinNames(Names()));
  }
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Encrypter> encrypter, found->second.factory(config));
  if (encrypter == nullptr) {
    return Status::Internal("encryption: key-source " + Quoted(name) + " returned no encrypter");
  }
  return encrypter;
}

std::vector<std::string> EncrypterRegistry::Names() const { return internal::KeysOf(kinds_); }

std::string EncrypterRegistry::Description(std::string_view name) const {
  const auto found = kinds_.find(name);
  return found == kinds_.end() ? std::string() : found->second.description;
}

}  // namespace sealstate
