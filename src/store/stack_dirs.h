// Opening (and creating) a stack's directories without following symlinks below the root.
#pragma once

#include <memory>
#include <string>

#include <sealstate/status.h>

#include "io/env.h"
#include "store/stack_layout.h"

namespace sealstate::internal {

// The open directories of one stack. Closed by Close() or the destructor.
class StackDirs {
 public:
  StackDirs(Env& env) : env_(env) {}  // NOLINT: used only by OpenStackDirs
  StackDirs(const StackDirs&) = delete;
  StackDirs& operator=(const StackDirs&) = delete;
  ~StackDirs();

  Dir root;       // <root>
  Dir factory;    // <root>/<factory>
  Dir stack;      // <root>/<factory>/<stack>
  Dir snapshots;  // <root>/<factory>/<stack>/snapshots

 private:
  Env& env_;
};

// Opens `root` (creating it and its missing parents, 0700, when `create`), then
// <factory>/<stack>/snapshots below it with O_NOFOLLOW, creating them 0700 when `create`. A new
// directory gets mode 0700 exactly (fchmod, whatever the umask) and its parent is fsynced. Each
// of the four directories is refused if every user may write it (RefuseWorldWritableDir),
// checked before anything is created in it; the directories above the root are the caller's.
// Errors: kNotFound "no such stack ..." when !create and a directory is missing; kIoError
// (ELOOP names a symlink where a directory should be); kInvalidArgument for a non-directory;
// kIntegrity for a world-writable directory.
Result<std::unique_ptr<StackDirs>> OpenStackDirs(Env& env, const std::string& root, const std::string& factory,
                                                 const std::string& stack, bool create);

}  // namespace sealstate::internal
