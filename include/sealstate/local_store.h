// LocalStore: the default Backend, one directory per stack on the local filesystem.
//
// Layout (unobin's, so each tool sees the other's stacks and locks):
//   <root>/<factory>/<stack>/current                   "<rev>\n", replaced atomically
//   <root>/<factory>/<stack>/lock                      the lock marker (see "The lock" below)
//   <root>/<factory>/<stack>/journal                   the audit journal (JSON lines)
//   <root>/<factory>/<stack>/snapshots/<rev>.json.enc  one sealed, immutable snapshot each
// Directories are created 0700 and files 0600, whatever the umask. Every file is opened relative
// to the stack directory with O_NOFOLLOW: a symlink planted at any name the store uses is
// refused, and nothing is written outside the root. Writes follow the durable recipe (temp file,
// fsync, close, publish without replacing, fsync the directory); see sealstate-format(5).
//
// The lock: a stack is locked by the marker file `lock` in its directory, created exclusively
// (so unobin, which creates the same file with O_CREAT|O_EXCL, and sealstate exclude each
// other). sealstate writes a JSON holder record into it and, while holding the lock, keeps an
// OFD lock (fcntl F_OFD_SETLK) on the marker's open file description. The kernel drops that
// lock when the holder dies, so "marker present, OFD lock free" means the holder is dead, with
// certainty, on this host. The marker is at most 4096 bytes (longer ones are not read), so
// LockOptions::operation is refused when it would make it longer. The verdicts (lock.h's
// LockState) mean, for the local store:
//   free     no marker;
//   held     another open file description holds the marker's OFD lock, or the holder's process
//            is alive on this host and boot (same pid and /proc start time: assumed held);
//   stale    the OFD lock is free and the record names this host and boot with its pid gone or
//            reused (another /proc/<pid>/stat start time), or a previous boot of this host;
//   unknown  a bare pid (unobin writes only "<pid>\n"), another host, an unknown boot id, or an
//            unreadable record.
// The holder record's local facts are in LockHolder::detail under the kLocalHolder* keys below.
//
// Thread safety: as Backend.
#pragma once

#include <sealstate/export.h>

#include <memory>
#include <string>
#include <string_view>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/status.h>

namespace sealstate {

// LockHolder::detail keys of the local store's holder records.
// The holder's boot (/proc/sys/kernel/random/boot_id of its boot).
inline constexpr std::string_view kLocalHolderBootId = "boot-id";
// The holder process's start time: field 22 of /proc/<pid>/stat, in clock ticks after boot.
inline constexpr std::string_view kLocalHolderStartTime = "start-time";
// "true" for unobin's bare-pid marker ("<pid>\n"; then lock_id is empty), else absent.
inline constexpr std::string_view kLocalHolderBarePid = "bare-pid";

struct LocalStoreOptions {
  // The store root. Empty: DefaultStoreRoot(). Followed if it is a symlink (it is the caller's
  // choice); nothing below it is.
  std::string root;
  std::string factory;  // validated with ValidateName
  std::string stack;    // validated with ValidateName
  // Seals and opens snapshots. May be null for lock-only and list-only use; reading or writing
  // a snapshot without one fails with kInvalidArgument.
  std::shared_ptr<const Encrypter> encrypter;
  // Which envelopes are written and read (unobin's v1, plaintext): see EnvelopePolicy.
  EnvelopePolicy envelope;
  // Create missing directories. When false, a missing stack is kNotFound ("no such stack").
  bool create = true;
};

// $XDG_DATA_HOME/sealstate if XDG_DATA_HOME is set to an absolute path, else
// $HOME/.local/share/sealstate. Errors: kInvalidArgument if neither variable is usable.
SEALSTATE_EXPORT Result<std::string> DefaultStoreRoot();

// Opens (and with options.create, creates) a stack. Also registered as backend "local" (see
// backend_registry.h): spec "local:PATH" opens the root PATH ("local:" alone, the default root). Errors:
// kInvalidArgument for a bad name or root; kNotFound for a missing stack when !create; kIoError, including ELOOP for a
// symlink where a directory of the store should be.
SEALSTATE_EXPORT Result<std::unique_ptr<Backend>> OpenLocalStore(const LocalStoreOptions& options);

}  // namespace sealstate
