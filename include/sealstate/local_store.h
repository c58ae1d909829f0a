// LocalStore: the default Backend, one directory per stack on the local filesystem.
//
// Layout (unobin's, so each tool sees the other's stacks and locks):
//   <root>/<factory>/<stack>/current                   "<rev>\n", replaced atomically
//   <root>/<factory>/<stack>/lock                      the lock marker (see lock.h)
//   <root>/<factory>/<stack>/journal                   the audit journal (JSON lines)
//   <root>/<factory>/<stack>/snapshots/<rev>.json.enc  one sealed, immutable snapshot each
// Directories are created 0700 and files 0600, whatever the umask. Every file is opened relative
// to the stack directory with O_NOFOLLOW: a symlink planted at any name the store uses is
// refused, and nothing is written outside the root. Writes follow the durable recipe (temp file,
// fsync, close, publish without replacing, fsync the directory); see sealstate-format(5).
//
// Thread safety: as Backend.
#pragma once

#include <sealstate/export.h>

#include <memory>
#include <string>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/json.h>
#include <sealstate/status.h>

namespace sealstate {

struct LocalStoreOptions {
  // The store root. Empty: DefaultStoreRoot(). Followed if it is a symlink (it is the caller's
  // choice); nothing below it is.
  std::string root;
  std::string factory;  // validated with ValidateName
  std::string stack;    // validated with ValidateName
  // Seals and opens snapshots. May be null for lock-only and list-only use; reading or writing
  // a snapshot without one fails with kInvalidArgument.
  std::shared_ptr<const Encrypter> encrypter;
  // Write unobin's v1 envelopes, and read them (implies accept_v1).
  bool unobin_compatible = false;
  // The stack was migrated from unobin: read its v1 snapshot files. Without this (and without
  // unobin_compatible), a v1 file is refused as kIntegrity, because v1 binds neither the stack
  // nor the revision: a v1 file sealed with the same key and copied over a v2 revision would
  // otherwise read as that revision. VerifyStack flags such a copy either way, from the
  // journal's record of the version each revision was written with.
  bool accept_v1 = false;
  // Read noop (plaintext) snapshots even though a real encrypter is configured.
  bool allow_plaintext = false;
  // Create missing directories. When false, a missing stack is kNotFound ("no such stack").
  bool create = true;
};

// $XDG_DATA_HOME/sealstate if XDG_DATA_HOME is set to an absolute path, else
// $HOME/.local/share/sealstate. Errors: kInvalidArgument if neither variable is usable.
SEALSTATE_EXPORT Result<std::string> DefaultStoreRoot();

// Opens (and with options.create, creates) a stack. Errors: kInvalidArgument for a bad name or
// root; kNotFound for a missing stack when !create; kIoError, including ELOOP for a symlink
// where a directory of the store should be.
SEALSTATE_EXPORT Result<std::unique_ptr<Backend>> OpenLocalStore(const LocalStoreOptions& options);

// What a backend factory gets besides its configuration.
struct BackendContext {
  std::string factory;
  std::string stack;
  std::shared_ptr<const Encrypter> encrypter;
};

using BackendFactory =
    std::function<Result<std::unique_ptr<Backend>>(const JsonObject& config, const BackendContext& context)>;

// Backends by name, like EncrypterRegistry. A plain object: pass it where backends are made.
class SEALSTATE_EXPORT BackendRegistry {
 public:
  BackendRegistry() = default;
  // Holds "local": config keys "path" (the root; optional, default DefaultStoreRoot()) and
  // "unobin-compatible" (bool, optional).
  static BackendRegistry WithBuiltins();

  // Errors: kAlreadyExists for a taken name; kInvalidArgument for an empty name or null factory.
  Status Register(std::string name, std::string description, BackendFactory factory);
  // Errors: kInvalidArgument "state: no backend named "x"; available: local", or the factory's.
  Result<std::unique_ptr<Backend>> Create(std::string_view name, const JsonObject& config,
                                          const BackendContext& context) const;
  // Registered names, sorted.
  std::vector<std::string> Names() const;

 private:
  struct Kind {
    std::string description;
    BackendFactory factory;
  };
  std::map<std::string, Kind, std::less<>> kinds_;
};

}  // namespace sealstate
