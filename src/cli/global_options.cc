#include "cli/global_options.h"

#include <mutex>
#include <utility>

#include <sealstate/backend_registry.h>
#include <sealstate/envelope.h>
#include <sealstate/key_ring.h>
#include <sealstate/local_store.h>
#include <sealstate/maintenance.h>

#include "cli/duration.h"
#include "cli/signals.h"

namespace sealstate::cli {

CLI::Validator DurationValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto parsed = ParseDuration(value);
        return parsed.ok() ? std::string() : parsed.status().message();
      },
      "");
}

CLI::Validator CompressionValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        auto parsed = ParseCompression(value);
        return parsed.ok() ? std::string() : parsed.status().message();
      },
      "");
}

void AddGlobalOptions(CLI::App& app, GlobalOptions& options) {
  app.add_option("--root", options.root, "Store root (default $XDG_DATA_HOME/sealstate)")
      ->envname("SEALSTATE_ROOT")
      ->type_name("DIR");
  app.add_option("--backend", options.backend,
                 "Backend spec NAME:LOCATION, e.g. local:/srv/state or postgres://host/db (wins over --root)")
      ->envname("SEALSTATE_BACKEND")
      ->type_name("SPEC");
  app.add_option("--factory", options.factory, "Factory name")->envname("SEALSTATE_FACTORY")->type_name("NAME");
  app.add_option("--stack", options.stack, "Stack name")->envname("SEALSTATE_STACK")->type_name("NAME");
  app.add_option("--encrypter", options.encrypter,
                 "Key source: noop, env-key, key-file, passphrase, command, box-public or box-key-file")
      ->envname("SEALSTATE_ENCRYPTER")
      ->type_name("NAME")
      ->capture_default_str();
  app.add_option("--key-env", options.key_env, "Variable holding the base64 key for env-key")
      ->type_name("VAR")
      ->capture_default_str();
  app.add_option("--key-file", options.key_file, "Key file for key-file (mode 0600)")
      ->envname("SEALSTATE_KEY_FILE")
      ->type_name("PATH");
  app.add_option("--passphrase-file", options.passphrase_file,
                 "Passphrase file for passphrase (mode 0600; else SEALSTATE_PASSPHRASE or the terminal)")
      ->envname("SEALSTATE_PASSPHRASE_FILE")
      ->type_name("PATH");
  app.add_option("--key-command", options.key_command, "Command for command: prints a key or wraps data keys")
      ->envname("SEALSTATE_KEY_COMMAND")
      ->type_name("CMD");
  app.add_option("--box-public-key", options.box_public_key, "Base64 X25519 public key for box-public")
      ->type_name("BASE64");
  app.add_option("--box-key-file", options.box_key_file, "X25519 secret key file for box-key-file (mode 0600)")
      ->envname("SEALSTATE_BOX_KEY_FILE")
      ->type_name("PATH");
  app.add_option("--key", options.keys,
                 "A key to open with (repeatable; the first also seals): env:VAR, file:PATH, passphrase, "
                 "command:CMD, box-file:PATH")
      ->type_name("SPEC")
      ->allow_extra_args(false);
  app.add_option("--recipient", options.recipients,
                 "A wrap-only key new snapshots are also sealed for (repeatable): a --key SPEC or pub:BASE64")
      ->type_name("SPEC")
      ->allow_extra_args(false);
  app.add_flag("--unobin", options.unobin, "Write and read unobin v1 envelopes");
  app.add_option("--compression", options.compression,
                 "Compress new snapshots: zstd (default) or none; unobin v1 envelopes are never compressed")
      ->envname("SEALSTATE_COMPRESSION")
      ->type_name("ALG")
      ->check(CompressionValidator());
  app.add_flag("--accept-v1", options.accept_v1,
               "The stack was migrated from unobin: read its v1 files (they bind neither stack nor revision)")
      ->envname("SEALSTATE_ACCEPT_V1");
  app.add_flag("--allow-plaintext", options.allow_plaintext, "Read noop (plaintext) snapshots")
      ->envname("SEALSTATE_ALLOW_PLAINTEXT");
  app.add_option("--expect-at-least", options.expect_at_least,
                 "Fail (exit 5) unless the authenticated journal made REV current once (catches a restored "
                 "older copy of the stack)")
      ->envname("SEALSTATE_EXPECT_AT_LEAST")
      ->type_name("REV");
  app.add_flag("--json", options.json, "Print exactly one JSON document on stdout");
  app.add_option("--lock-timeout", options.lock_timeout, "How long to wait for a held lock (250ms, 30s, 5m, 1h)")
      ->envname("SEALSTATE_LOCK_TIMEOUT")
      ->type_name("DUR")
      ->check(DurationValidator())
      ->capture_default_str();
}

std::optional<std::string> MissingStackOption(const GlobalOptions& options) {
  if (options.factory.empty()) return std::string("--factory is required (or set SEALSTATE_FACTORY)");
  if (options.stack.empty()) return std::string("--stack is required (or set SEALSTATE_STACK)");
  return std::nullopt;
}

Result<std::string> ResolvedRoot(const GlobalOptions& options) {
  if (!options.root.empty()) return options.root;
  return DefaultStoreRoot();
}

std::string BackendSpec(const GlobalOptions& options) {
  if (!options.backend.empty()) return options.backend;
  return "local:" + options.root;
}

namespace {

Result<std::shared_ptr<const Encrypter>> CreateEncrypterFromOptions(const GlobalOptions& options) {
  JsonObject config;
  if (options.encrypter == "env-key") {
    config["env-var"] = options.key_env;
  } else if (options.encrypter == "key-file") {
    if (options.key_file.empty()) {
      return Status::InvalidArgument("--key-file is required with --encrypter key-file (or set SEALSTATE_KEY_FILE)");
    }
    config["path"] = options.key_file;
  } else if (options.encrypter == "passphrase" && !options.passphrase_file.empty()) {
    config["file"] = options.passphrase_file;
  } else if (options.encrypter == "command") {
    if (options.key_command.empty())
      return Status::InvalidArgument("--key-command is required with --encrypter command");
    config["command"] = options.key_command;
  } else if (options.encrypter == "box-public") {
    if (options.box_public_key.empty()) {
      return Status::InvalidArgument("--box-public-key is required with --encrypter box-public");
    }
    config["public-key"] = options.box_public_key;
  } else if (options.encrypter == "box-key-file") {
    if (options.box_key_file.empty()) {
      return Status::InvalidArgument("--box-key-file is required with --encrypter box-key-file");
    }
    config["path"] = options.box_key_file;
  }
  SEALSTATE_ASSIGN_OR_RETURN(auto encrypter, EncrypterRegistry::WithBuiltins().Create(options.encrypter, config));
  return std::shared_ptr<const Encrypter>(std::move(encrypter));
}

// The encrypters of `specs` (--key or --recipient); a `passphrase` spec reads --passphrase-file
// when one is given.
Result<std::vector<std::shared_ptr<const Encrypter>>> CreateFromSpecs(const std::vector<std::string>& specs,
                                                                      std::string_view option,
                                                                      const GlobalOptions& options) {
  const EncrypterRegistry registry = EncrypterRegistry::WithBuiltins();
  std::vector<std::shared_ptr<const Encrypter>> created;
  for (const std::string& spec : specs) {
    Result<KeySpec> parsed = ParseKeySpec(spec);
    if (!parsed.ok()) return parsed.status().WithPrefix(std::string(option) + ": ");
    if (parsed->key_source == "passphrase" && !options.passphrase_file.empty()) {
      parsed->config["file"] = options.passphrase_file;
    }
    Result<std::unique_ptr<Encrypter>> encrypter = registry.Create(parsed->key_source, parsed->config);
    if (!encrypter.ok()) return encrypter.status().WithPrefix(std::string(option) + " " + spec + ": ");
    created.push_back(std::shared_ptr<const Encrypter>(std::move(*encrypter)));
  }
  return created;
}

Result<std::shared_ptr<const Encrypter>> BuildEncrypter(const GlobalOptions& options) {
  if (options.keys.empty() && options.recipients.empty()) return CreateEncrypterFromOptions(options);
  std::vector<std::shared_ptr<const Encrypter>> keys;
  if (options.keys.empty()) {
    SEALSTATE_ASSIGN_OR_RETURN(auto only, CreateEncrypterFromOptions(options));
    keys.push_back(std::move(only));
  } else {
    SEALSTATE_ASSIGN_OR_RETURN(keys, CreateFromSpecs(options.keys, "--key", options));
  }
  SEALSTATE_ASSIGN_OR_RETURN(auto recipients, CreateFromSpecs(options.recipients, "--recipient", options));
  SEALSTATE_ASSIGN_OR_RETURN(auto ring, KeyRing::Make(std::move(keys), std::move(recipients)));
  return std::shared_ptr<const Encrypter>(std::move(ring));
}

// What selects the encrypter: equal for two option sets that select the same keys.
std::string KeySelection(const GlobalOptions& o) {
  std::string selection = o.encrypter + '\0' + o.key_env + '\0' + o.key_file + '\0' + o.passphrase_file + '\0' +
                          o.key_command + '\0' + o.box_public_key + '\0' + o.box_key_file;
  for (const auto& spec : o.keys) selection += std::string(1, '\0') + "k" + spec;
  for (const auto& spec : o.recipients) selection += std::string(1, '\0') + "r" + spec;
  return selection;
}

}  // namespace

Result<std::shared_ptr<const Encrypter>> CreateEncrypter(const GlobalOptions& options) {
  static std::mutex mutex;
  static std::string made_for;
  static std::shared_ptr<const Encrypter> made;
  const std::string selection = KeySelection(options);
  std::lock_guard<std::mutex> guard(mutex);
  if (made && made_for == selection) return made;
  SEALSTATE_ASSIGN_OR_RETURN(made, BuildEncrypter(options));
  made_for = selection;
  return made;
}

bool KeyConfigured(const GlobalOptions& options) { return CreateEncrypter(options).ok(); }

namespace {

// --compression into the envelope policy; zstd cannot go with --unobin (v1 is never compressed).
Status ApplyCompression(const GlobalOptions& options, EnvelopePolicy& envelope) {
  if (options.compression.empty()) return Status::OK();
  SEALSTATE_ASSIGN_OR_RETURN(envelope.compression, ParseCompression(options.compression));
  if (options.unobin && envelope.compression != Compression::kNone) {
    return Status::InvalidArgument("--compression " + options.compression +
                                   " cannot be used with --unobin: unobin's v1 envelopes are never compressed "
                                   "(use --compression none or leave it out)");
  }
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<Backend>> OpenStack(const GlobalOptions& options, StackAccess access) {
  SEALSTATE_ASSIGN_OR_RETURN(std::unique_ptr<Backend> backend, OpenStackAt(options, BackendSpec(options), access));
  if (options.expect_at_least.empty()) return backend;
  SEALSTATE_ASSIGN_OR_RETURN(const std::shared_ptr<const Encrypter> key, CreateEncrypter(options));
  SEALSTATE_RETURN_IF_ERROR(CheckExpectAtLeast(*backend, *key, options.expect_at_least));
  return backend;
}

Result<std::unique_ptr<Backend>> OpenStackAt(const GlobalOptions& options, const std::string& spec,
                                             StackAccess access) {
  BackendContext context;
  context.factory = options.factory;
  context.stack = options.stack;
  context.envelope.unobin_compatible = options.unobin;
  context.envelope.accept_v1 = options.accept_v1;
  context.envelope.allow_plaintext = options.allow_plaintext;
  SEALSTATE_RETURN_IF_ERROR(ApplyCompression(options, context.envelope));
  context.create = access.create;
  if (access.need_key) {
    SEALSTATE_ASSIGN_OR_RETURN(context.encrypter, CreateEncrypter(options));
  }
  return BackendRegistry::WithBuiltins().Open(spec, context);
}

Result<LockOptions> MakeLockOptions(const GlobalOptions& options, std::string operation,
                                    const std::string& timeout_text) {
  SEALSTATE_ASSIGN_OR_RETURN(const auto timeout,
                             ParseDuration(timeout_text.empty() ? options.lock_timeout : timeout_text));
  LockOptions lock;
  lock.timeout = timeout;
  lock.cancelled = [] { return CancelRequested(); };
  lock.operation = std::move(operation);
  return lock;
}

}  // namespace sealstate::cli
