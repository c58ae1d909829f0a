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
  return found->second.as_string();
}

Result<std::unique_ptr<Encrypter>> CreateEnvKey(const JsonObject& config) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string env_var, RequiredStringField("env-key", config, "env-var"));
  return NewEnvKeyEncrypter(std::move(env_var));
}

Result<std::unique_ptr<Encrypter>> CreateKeyFile(const JsonObject& config) {
  SEALSTATE_ASSIGN_OR_RETURN(std::string path, RequiredStringField("key-file", config, "path"));
  return NewKeyFileEncrypter(std::move(path));
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
