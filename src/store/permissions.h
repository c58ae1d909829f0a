// Who may change a stack: refusing world-writable store directories, and finding looser modes
// and foreign owners (ssh's StrictModes, applied from the store root down to each stack file).
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/status.h>

#include "io/env.h"
#include "store/stack_dirs.h"

namespace sealstate::internal {

// OK unless `dir` (a store directory: the root, a factory, a stack or its snapshots) is writable
// by every user, sticky bit or not: then anyone could replace or plant the stack's files, and the
// store refuses it as ssh refuses a world-writable home. Errors: kIntegrity "DIR is writable by
// every user (mode 0777) ...; run: chmod o-w DIR"; kIoError from fstat.
Status RefuseWorldWritableDir(Env& env, const Dir& dir);

// What in the stack others could change or read, checking the directories `dirs` holds (root,
// factory, stack, snapshots), the entries of the stack directory and, with
// PermissionScope::kEverything, those of snapshots/. One message per finding, naming the path
// and the command that fixes it: a directory writable
// by group or others ("run: chmod go-w DIR"), a regular file readable or writable by group or
// others ("run: chmod 600 FILE"), or either owned by neither `self` nor root ("owned by uid N").
// Directories readable by others are fine (unobin makes them 0755); symlinks and other kinds of
// entries are left to the code that opens them. Errors: kIoError from fstat, listing or lstat.
Result<std::vector<std::string>> FindLoosePermissions(Env& env, const StackDirs& dirs, uid_t self,
                                                      PermissionScope scope);

}  // namespace sealstate::internal
