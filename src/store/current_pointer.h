// The `current` pointer file: "<rev>\n", replaced atomically and durably.
#pragma once

#include <memory>
#include <string>

#include <sealstate/status.h>

#include "io/durable_file.h"
#include "io/env.h"
#include "store/stack_layout.h"

namespace sealstate::internal {

// The revision `current` names. Whitespace around it is ignored (unobin trims). Errors:
// kNoCurrent when the file is missing or blank; kIntegrity (a damaged pointer) when it is not a
// regular file, too large, or holds anything but a valid revision name (see revision.h);
// kIoError.
Result<std::string> ReadCurrentRev(Env& env, const Dir& stack_dir);

// As ReadCurrentRev, but "" instead of kNoCurrent.
Result<std::string> ReadCurrentRevOrEmpty(Env& env, const Dir& stack_dir);

// Points `current` at `rev` (temp, fsync, rename, fsync dir). `before_publish` runs after the
// temp is synced, just before the rename.
Status WriteCurrentRev(Env& env, const Dir& stack_dir, const std::string& rev, const BeforePublish& before_publish);

// WriteCurrentRev in two steps (PreparedReplacement): the pointer's temp file naming `rev` is
// written now and its fsync started, so that it overlaps what the caller does before moving the
// pointer; Publish(before_publish) then renames it onto `current` and fsyncs the directory.
Result<std::unique_ptr<PreparedReplacement>> PrepareCurrentRev(Env& env, const Dir& stack_dir, const std::string& rev);

}  // namespace sealstate::internal
