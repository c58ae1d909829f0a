#include <sealstate/local_store.h>

#include "registry/named_table.h"

namespace sealstate {
namespace {

Status UnknownField(const std::string& key) {
  return Status::InvalidArgument("state: local: unknown configuration field \"" + key +
                                 "\" (known: path, unobin-compatible)");
}

Result<std::unique_ptr<Backend>> CreateLocal(const JsonObject& config, const BackendContext& context) {
  LocalStoreOptions options;
  options.factory = context.factory;
  options.stack = context.stack;
  options.encrypter = context.encrypter;
  for (const auto& [key, value] : config) {
    if (key == "path" && value.type() == Json::Type::kString) {
      options.root = value.as_string();
    } else if (key == "unobin-compatible" && value.type() == Json::Type::kBool) {
      options.unobin_compatible = value.as_bool();
    } else if (key == "path" || key == "unobin-compatible") {
      return Status::InvalidArgument("state: local: \"" + key + "\" has the wrong type");
    } else {
      return UnknownField(key);
    }
  }
  return OpenLocalStore(options);
}

}  // namespace

BackendRegistry BackendRegistry::WithBuiltins() {
  BackendRegistry registry;
  (void)registry.Register("local", "Snapshots in a directory per stack on the local filesystem.",
                          CreateLocal);  // a fresh registry: always OK
  return registry;
}

Status BackendRegistry::Register(std::string name, std::string description, BackendFactory factory) {
  return internal::AddNamed(kinds_, std::move(name), Kind{std::move(description), std::move(factory)},
                            "state: backend");
}

Result<std::unique_ptr<Backend>> BackendRegistry::Create(std::string_view name, const JsonObject& config,
                                                         const BackendContext& context) const {
  const auto found = kinds_.find(name);
  if (found == kinds_.end()) {
    return Status::InvalidArgument("state: no backend named \"" + std::string(name) +
                                   "\"; available: " + internal::JoinNames(Names()));
  }
  return found->second.factory(config, context);
}

std::vector<std::string> BackendRegistry::Names() const { return internal::KeysOf(kinds_); }

}  // namespace sealstate
