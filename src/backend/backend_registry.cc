// BackendRegistry and the built-in backends' factories. See backend_registry.h.
#include <sealstate/backend_registry.h>

#include <sealstate/local_store.h>
#include <sealstate/memory_store.h>
#include <sealstate/postgres_store.h>

#include "registry/named_table.h"

namespace sealstate {
namespace {

constexpr std::string_view kSpecForm = "write NAME:LOCATION, e.g. local:/var/lib/sealstate or memory:tests";

bool IsBackendName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Status UnknownField(std::string_view backend, std::string_view key, std::string_view known) {
  return Status::InvalidArgument("state: " + std::string(backend) + ": unknown configuration field \"" +
                                 std::string(key) + "\" (known: " + std::string(known) + ")");
}

Status WrongType(std::string_view backend, std::string_view key) {
  return Status::InvalidArgument("state: " + std::string(backend) + ": \"" + std::string(key) +
                                 "\" has the wrong type");
}

// A built-in store's options (LocalStoreOptions, MemoryStoreOptions) with the context's fields.
template <typename Options>
Options OptionsFor(const BackendContext& context) {
  Options options;
  options.factory = context.factory;
  options.stack = context.stack;
  options.encrypter = context.encrypter;
  options.envelope = context.envelope;
  options.create = context.create;
  return options;
}

Result<std::unique_ptr<Backend>> CreateLocal(const BackendLocation& where, const BackendContext& context) {
  LocalStoreOptions options = OptionsFor<LocalStoreOptions>(context);
  options.root = where.location;
  for (const auto& [key, value] : where.config) {
    if (key == "path" && value.type() == Json::Type::kString) {
      options.root = value.as_string();
    } else if (key == "unobin-compatible" && value.type() == Json::Type::kBool) {
      options.envelope.unobin_compatible = value.as_bool();
    } else if (key == "path" || key == "unobin-compatible") {
      return WrongType("local", key);
    } else {
      return UnknownField("local", key, "path, unobin-compatible");
    }
  }
  return OpenLocalStore(options);
}

Result<std::unique_ptr<Backend>> CreateMemory(const BackendLocation& where, const BackendContext& context) {
  MemoryStoreOptions options = OptionsFor<MemoryStoreOptions>(context);
  options.name = where.location;
  for (const auto& [key, value] : where.config) {
    if (key == "name" && value.type() == Json::Type::kString) {
      options.name = value.as_string();
    } else if (key == "name") {
      return WrongType("memory", key);
    } else {
      return UnknownField("memory", key, "name");
    }
  }
  return OpenMemoryStore(options);
}

// The factory of "postgres" and "postgresql": the spec is the URI again (SCHEME:LOCATION); the
// config key "spec" gives it whole.
BackendFactory PostgresFactory(std::string scheme) {
  return [scheme](const BackendLocation& where, const BackendContext& context) -> Result<std::unique_ptr<Backend>> {
    PostgresStoreOptions options = OptionsFor<PostgresStoreOptions>(context);
    options.spec = where.location.empty() ? "" : scheme + ":" + where.location;
    for (const auto& [key, value] : where.config) {
      if (key == "spec" && value.type() == Json::Type::kString) {
        options.spec = value.as_string();
      } else if (key == "spec") {
        return WrongType(scheme, key);
      } else {
        return UnknownField(scheme, key, "spec");
      }
    }
    return OpenPostgresStore(options);
  };
}

BackendMigrator PostgresMigrator(std::string scheme) {
  return [scheme](const BackendLocation& where) { return MigratePostgres(scheme + ":" + where.location); };
}

}  // namespace

BackendRegistry BackendRegistry::WithBuiltins() {
  BackendRegistry registry;
  // A fresh registry: always succeeds.
  (void)registry.Register("local", "Snapshots in a directory per stack on the local filesystem.", CreateLocal);
  (void)registry.Register("memory", "Snapshots in this process's memory, shared by name: for tests.", CreateMemory);
  for (const char* scheme : {"postgres", "postgresql"}) {
    (void)registry.Register(scheme, "Snapshots, lock and journal in a PostgreSQL schema, shared by a team.",
                            PostgresFactory(scheme));
    (void)registry.SetMigrator(scheme, PostgresMigrator(scheme));
  }
  return registry;
}

Status BackendRegistry::Register(std::string name, std::string description, BackendFactory factory) {
  if (!name.empty() && !IsBackendName(name)) {
    return Status::InvalidArgument("state: backend name \"" + name +
                                   "\" must be lower-case letters, digits and '-' (it starts a spec NAME:LOCATION)");
  }
  return internal::AddNamed(kinds_, std::move(name), Kind{std::move(description), std::move(factory), nullptr},
                            "state: backend");
}

Result<const BackendRegistry::Kind*> BackendRegistry::Find(std::string_view name) const {
  const auto found = kinds_.find(name);
  if (found == kinds_.end()) {
    return Status::InvalidArgument("state: no backend named \"" + std::string(name) +
                                   "\"; available: " + internal::JoinNames(Names()));
  }
  return &found->second;
}

Result<std::unique_ptr<Backend>> BackendRegistry::Create(std::string_view name, const JsonObject& config,
                                                         const BackendContext& context) const {
  SEALSTATE_ASSIGN_OR_RETURN(const Kind* kind, Find(name));
  return kind->factory(BackendLocation{.location = "", .config = config}, context);
}

Result<std::pair<const BackendRegistry::Kind*, std::string>> BackendRegistry::FindSpec(std::string_view spec) const {
  const std::size_t colon = spec.find(':');
  if (colon == std::string_view::npos || !IsBackendName(spec.substr(0, colon))) {
    return Status::InvalidArgument("state: backend spec \"" + RedactSpec(spec) +
                                   "\" does not start with a backend name; " + std::string(kSpecForm));
  }
  SEALSTATE_ASSIGN_OR_RETURN(const Kind* kind, Find(spec.substr(0, colon)));
  return std::pair<const Kind*, std::string>(kind, std::string(spec.substr(colon + 1)));
}

Result<std::unique_ptr<Backend>> BackendRegistry::Open(std::string_view spec, const BackendContext& context) const {
  SEALSTATE_ASSIGN_OR_RETURN(auto found, FindSpec(spec));
  return found.first->factory(BackendLocation{.location = std::move(found.second), .config = {}}, context);
}

Status BackendRegistry::SetMigrator(std::string_view name, BackendMigrator migrator) {
  const auto found = kinds_.find(name);
  if (found == kinds_.end()) {
    return Status::NotFound("state: no backend named \"" + std::string(name) + "\" to set a migrator for");
  }
  if (!migrator) return Status::InvalidArgument("state: backend \"" + std::string(name) + "\": null migrator");
  if (found->second.migrator) {
    return Status::AlreadyExists("state: backend \"" + std::string(name) + "\" has a migrator already");
  }
  found->second.migrator = std::move(migrator);
  return Status::OK();
}

Result<MigrationReport> BackendRegistry::Migrate(std::string_view spec) const {
  SEALSTATE_ASSIGN_OR_RETURN(auto found, FindSpec(spec));
  if (!found.first->migrator) return MigrationReport{};
  return found.first->migrator(BackendLocation{.location = std::move(found.second), .config = {}});
}

std::vector<std::string> BackendRegistry::Names() const { return internal::KeysOf(kinds_); }

std::string BackendRegistry::Description(std::string_view name) const {
  const auto found = kinds_.find(name);
  return found == kinds_.end() ? std::string() : found->second.description;
}

}  // namespace sealstate
