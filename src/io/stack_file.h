// Opening the files of a stack that already exist (journal, current, snapshots, lock marker):
// the one way every reader, and the journal's in-place appender, opens them.
//
// Two checks guard every such open. A stack file must be a regular file: a FIFO planted at
// `current` would otherwise block open(2) forever (and EINTR retries it, so one SIGTERM does not
// end it), and a device or socket is never ours. And it must have no hard link but its own:
// another name for the same file, possibly outside the store, would make sealstate read what it
// did not write and write (the journal's repair truncates, its appends extend) a file it does not
// own. The one legitimate second link is the file's own temp name in the same directory while it
// is being published by link + unlink (see io/durable_file.h), which a crash can leave behind.
//
// Both checks are made of Env calls (each Env method is one system call, so a fault can land
// between the steps).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#include <string>
#include <string_view>

#include <sealstate/status.h>

#include "io/env.h"

namespace sealstate::internal {

// What every open of a file in a stack directory adds to its access mode: never follow a
// symlink, never leak the fd to a child, never become a controlling terminal, never block in
// open(2) (a FIFO planted at the name).
inline constexpr int kStackFileFlags = O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// A file's permission bits as chmod writes them, e.g. "0644", for messages.
std::string OctalMode(mode_t mode);

// Checks the open file `fd`, which was opened as `name` in `dir`: it must be a regular file with
// one link, or more only where every extra link is a temp name of `name` (TempNameFor) in `dir`
// referring to the same file. Errors (messages name dir.Join(name) and say what to do):
// kIntegrity "... is not a regular file (a FIFO)" / "... has N hard links ..."; kIoError.
Status CheckStackFile(Env& env, const Dir& dir, std::string_view name, int fd);

// Opens the existing stack file `name` in `dir` with `access` (O_RDONLY or O_RDWR) plus
// O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK (so the open itself cannot block, whatever the
// name refers to), then CheckStackFile; on a refusal the fd is closed again. The caller owns
// the returned fd. Errors: kNotFound when `name` does not exist; kIntegrity as CheckStackFile;
// kIoError (ELOOP for a symlink).
Result<int> OpenStackFile(Env& env, const Dir& dir, std::string_view name, int access);

}  // namespace sealstate::internal
