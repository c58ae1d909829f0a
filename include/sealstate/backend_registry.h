// BackendRegistry: backends by name, opened from a spec such as "local:/var/lib/sealstate" or
// "memory:tests".
//
// A spec is "NAME:LOCATION": NAME picks the registered backend (lower-case letters, digits and
// '-'), LOCATION is handed to its factory as is ("local:PATH" -> "PATH"; "memory:NAME" ->
// "NAME"; a URI such as "postgres://host/db" -> "//host/db"). Backends may also be created by
// name with a JSON configuration object (a configuration file's "backend" section).
//
// Thread safety: a registry is a plain value; const member functions may be called from several
// threads once registration is done.
#pragma once

#include <sealstate/export.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/json.h>
#include <sealstate/status.h>

namespace sealstate {

// What every backend is opened with, whatever its kind: the stack, how snapshots are sealed and
// which envelopes are accepted (the store-wide policy every backend honours).
struct BackendContext {
  std::string factory;  // validated by the backend with ValidateName
  std::string stack;    // validated by the backend with ValidateName
  // Seals and opens snapshots; may be null for lock-only and list-only use.
  std::shared_ptr<const Encrypter> encrypter;
  EnvelopePolicy envelope;
  // Create the stack if it is missing. When false, a missing stack is kNotFound.
  bool create = true;
};

// Where one backend of a kind is: the spec's LOCATION (empty when created by name alone) and the
// configuration object (empty when opened from a spec). A factory refuses what it does not
// understand with kInvalidArgument naming the field or location.
struct BackendLocation {
  std::string location;
  JsonObject config;
};

// Opens a backend of one kind. Must not throw.
using BackendFactory =
    std::function<Result<std::unique_ptr<Backend>>(const BackendLocation& where, const BackendContext& context)>;

// What a schema migration did (BackendRegistry::Migrate).
struct MigrationReport {
  int from_version = 0;  // the schema version found (0: none yet)
  int to_version = 0;    // the version it is at now: this build's
  // The migrations applied by this call, in order, e.g. "1: stacks, revisions, journal"; empty
  // when the schema was already current (or another process applied them meanwhile).
  std::vector<std::string> applied;
};

// Brings a backend kind's storage schema to this build's version (for backends with a schema,
// e.g. a database): versioned, idempotent, safe when several processes run it at once. A
// schema newer than this build is kFormat. Must not throw.
using BackendMigrator = std::function<Result<MigrationReport>(const BackendLocation& where)>;

// `spec` with any password removed, for messages, logs and the journal: the password of a URI's
// user information ("postgres://u:SECRET@h/db" -> "postgres://u:***@h/db", also in a LOCATION
// "//u:SECRET@h/db") and the value of a
// "password" query or keyword parameter ("...?password=SECRET" -> "...?password=***").
// Everything else is kept as given.
SEALSTATE_EXPORT std::string RedactSpec(std::string_view spec);

// Backends by name, like EncrypterRegistry. A plain object: pass it where backends are made.
class SEALSTATE_EXPORT BackendRegistry {
 public:
  BackendRegistry() = default;
  // Holds the built-in backends:
  //   "local"  (local_store.h): location = the store root (empty: DefaultStoreRoot()); config
  //            keys "path" (the root) and "unobin-compatible" (bool: EnvelopePolicy's, for
  //            configuration files written for unobin).
  //   "memory" (memory_store.h): location = the shared store's name; config key "name".
  //   "postgres", "postgresql" (postgres_store.h): the spec is a libpq URI ("postgres://u@h/db?
  //            schema=NAME"); config key "spec" (the whole URI). Each has a migrator (Migrate).
  static BackendRegistry WithBuiltins();

  // Errors: kAlreadyExists for a taken name; kInvalidArgument for a name that is not lower-case
  // letters, digits and '-', or a null factory.
  Status Register(std::string name, std::string description, BackendFactory factory);
  // Registers how backend `name` (registered already) migrates its schema. Backends without a
  // migrator have no schema: Migrate reports nothing to do. Errors: kNotFound for an unknown
  // name; kAlreadyExists if it has one; kInvalidArgument for a null migrator.
  Status SetMigrator(std::string_view name, BackendMigrator migrator);
  // Migrates the schema of the backend a spec "NAME:LOCATION" names (see BackendMigrator).
  // Errors: as Open's for the spec; the migrator's.
  Result<MigrationReport> Migrate(std::string_view spec) const;
  // Creates backend `name` from a configuration object. Errors: kInvalidArgument "state: no
  // backend named "x"; available: local, memory, postgres, postgresql", or the factory's.
  Result<std::unique_ptr<Backend>> Create(std::string_view name, const JsonObject& config,
                                          const BackendContext& context) const;
  // Opens a backend from a spec "NAME:LOCATION". Errors: kInvalidArgument for a spec without
  // "NAME:" (the message shows the form) or an unknown NAME (listing the available ones), or
  // the factory's errors.
  Result<std::unique_ptr<Backend>> Open(std::string_view spec, const BackendContext& context) const;
  // Registered names, sorted.
  std::vector<std::string> Names() const;
  // The description a backend was registered with; empty for an unknown name.
  std::string Description(std::string_view name) const;

 private:
  struct Kind {
    std::string description;
    BackendFactory factory;
    BackendMigrator migrator;  // null: no schema
  };
  // The kind a spec names and the spec's LOCATION. Errors: as Open's.
  Result<std::pair<const Kind*, std::string>> FindSpec(std::string_view spec) const;
  Result<const Kind*> Find(std::string_view name) const;
  std::map<std::string, Kind, std::less<>> kinds_;
};

}  // namespace sealstate
