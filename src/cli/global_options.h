// The global options (each with an environment fallback) and what they open: the store root,
// the encrypter, the stack, and the lock options of the commands that lock.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/lock.h>
#include <sealstate/status.h>

namespace sealstate::cli {

// The parsed global options. Empty strings mean "not given".
struct GlobalOptions {
  std::string root;                       // --root / SEALSTATE_ROOT; empty: DefaultStoreRoot()
  std::string backend;                    // --backend / SEALSTATE_BACKEND: a spec; empty: local at root
  std::string factory;                    // --factory / SEALSTATE_FACTORY
  std::string stack;                      // --stack / SEALSTATE_STACK
  std::string encrypter = "env-key";      // --encrypter / SEALSTATE_ENCRYPTER
  std::string key_env = "SEALSTATE_KEY";  // --key-env
  std::string key_file;                   // --key-file / SEALSTATE_KEY_FILE
  std::string passphrase_file;            // --passphrase-file / SEALSTATE_PASSPHRASE_FILE (passphrase)
  std::string key_command;                // --key-command / SEALSTATE_KEY_COMMAND (command)
  std::string box_public_key;             // --box-public-key (box-public)
  std::string box_key_file;               // --box-key-file / SEALSTATE_BOX_KEY_FILE (box-key-file)
  std::vector<std::string> keys;          // --key SPEC (repeatable): wins over --encrypter
  std::vector<std::string> recipients;    // --recipient SPEC (repeatable): wrap-only keys
  bool unobin = false;                    // --unobin
  std::string compression;                // --compression / SEALSTATE_COMPRESSION; empty: the store default
  bool accept_v1 = false;                 // --accept-v1 / SEALSTATE_ACCEPT_V1
  bool allow_plaintext = false;           // --allow-plaintext / SEALSTATE_ALLOW_PLAINTEXT
  bool json = false;                      // --json
  std::string lock_timeout = "0";         // --lock-timeout / SEALSTATE_LOCK_TIMEOUT, validated DUR
  std::string expect_at_least;            // --expect-at-least REV / SEALSTATE_EXPECT_AT_LEAST; empty: none
};

// A CLI11 validator accepting what ParseDuration accepts; its message names the value.
CLI::Validator DurationValidator();

// A CLI11 validator accepting what ParseCompression accepts (zstd, none); its message names the
// value.
CLI::Validator CompressionValidator();

// Registers the global options on `app`, writing into `options` (which must outlive `app`).
void AddGlobalOptions(CLI::App& app, GlobalOptions& options);

// The usage message for the first missing of --factory and --stack
// ("--stack is required (or set SEALSTATE_STACK)"), or nullopt when both are set.
std::optional<std::string> MissingStackOption(const GlobalOptions& options);

// The store root the options select: --root, else DefaultStoreRoot(). Errors: as DefaultStoreRoot.
Result<std::string> ResolvedRoot(const GlobalOptions& options);

// The backend spec the options select: --backend (or SEALSTATE_BACKEND), which wins over
// --root; else "local:ROOT" with --root (empty: the default root), as before --backend existed.
std::string BackendSpec(const GlobalOptions& options);

// Creates the encrypter the options select through EncrypterRegistry::WithBuiltins(): with
// --key or --recipient, a KeyRing of the --key specs (ParseKeySpec; none: the --encrypter key)
// and the --recipient specs; else the one --encrypter key. Errors: kInvalidArgument for a
// missing --key-file with key-file, a bad spec, or the registry's (e.g. "env-key encrypter:
// SEALSTATE_KEY is not set"). Made once per process for the same key options and shared
// afterwards, so a passphrase is asked for (and derived) once however many parts of a command
// need the key.
Result<std::shared_ptr<const Encrypter>> CreateEncrypter(const GlobalOptions& options);

// True when the options configure a key that can be made (CreateEncrypter succeeds): commands
// that work without the key use it then, to check the pointer against the authenticated journal
// or to authenticate the journal lines they write. With the passphrase source on a terminal it
// asks for the passphrase (once per process, as CreateEncrypter).
bool KeyConfigured(const GlobalOptions& options);

// How a command uses its stack.
struct StackAccess {
  bool create = false;    // create a missing stack (writers); else a missing stack is kNotFound
  bool need_key = false;  // create the encrypter (commands that read or write snapshots)
};

// Opens the stack the options name, on the backend BackendSpec(options) names, through
// BackendRegistry::WithBuiltins(). REQUIRES: !MissingStackOption(options). With
// --expect-at-least REV, then checks CheckExpectAtLeast (maintenance.h) with the encrypter
// (created for it when `access` does not need the key). Errors: as CreateEncrypter,
// BackendRegistry::Open and CheckExpectAtLeast; kInvalidArgument for --compression zstd with
// --unobin.
Result<std::unique_ptr<Backend>> OpenStack(const GlobalOptions& options, StackAccess access);

// As OpenStack, on the backend `spec` names instead of the options'.
Result<std::unique_ptr<Backend>> OpenStackAt(const GlobalOptions& options, const std::string& spec, StackAccess access);

// Lock options for `operation`: the timeout (`timeout_text` if non-empty, else --lock-timeout)
// and the cancel flag of signals.h. Errors: kInvalidArgument for a bad duration.
Result<LockOptions> MakeLockOptions(const GlobalOptions& options, std::string operation,
                                    const std::string& timeout_text = "");

}  // namespace sealstate::cli
