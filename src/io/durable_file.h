// Durable, atomic file creation and replacement: the fsync/rename recipe, in one place.
//
// Every step goes through Env, and no error is ignored. A failed fsync is never retried on the
// same file: the operation fails, removes its temp file, and leaves the directory as it was
// (for WriteNewFile, also when the final directory fsync fails: the published name is removed
// again, best effort).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/status.h>
#include <sealstate/stream.h>

#include "io/env.h"
#include "store/stack_layout.h"

namespace sealstate::internal {

// Temp files are named ".<final>.tmp.<pid>.<16 hex>": hidden (list() skips names starting with
// '.') and attributable to the final name and process. While a temp file exists, its writer
// holds an OFD lock on it (from just after creating it until it is published or removed): that,
// not the pid, tells debris cleanup it is alive, since a pid means nothing in another pid
// namespace (see store/debris.h). kTempMarker is in store/stack_layout.h.
//
// A temp name for `final_name`, unique with overwhelming probability.
std::string TempNameFor(std::string_view final_name);

// If `name` is a temp file name, the pid that created it; else 0.
long TempFileOwner(std::string_view name);

// Writes bytes to an fd through Env, buffered, looping over short writes. Every 4 MiB written it
// starts the file's writeback (Env::StartWriteback; its error fails the sink like a write's).
class FdSink final : public ByteSink {
 public:
  // `env` and the fd must outlive the sink. `what` names the file in errors.
  FdSink(Env& env, int fd, std::string what);
  Status Append(std::string_view data) override;
  // Writes out the buffer. Call before fsync.
  Status Flush();

 private:
  Status WriteAll(std::string_view data);
  // Starts writeback (Env::StartWriteback) once kWritebackStep bytes were written since the last.
  Status MaybeStartWriteback();

  Env& env_;
  int fd_;
  std::string what_;
  std::string buffer_;
  std::size_t not_started_ = 0;  // bytes written since writeback was last started
  Status status_;
};

// Runs just before a file is published (after its data is synced); a non-OK result aborts the
// publish and is returned. Used for fencing and compare-and-swap checks.
using BeforePublish = std::function<Status()>;

// Creates `name` in `dir` with the bytes `produce` writes, durably, never replacing an existing
// file: temp (O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC, mode 0600, OFD-locked through a second open
// file description until published), write-all (writeback started
// every 4 MiB, see FdSink), fsync, close, renameat2(RENAME_NOREPLACE) (link + unlink where
// unsupported), fsync(dir).
// Errors: kAlreadyExists if `name` exists (nothing changed); produce's error; kIoError.
Status WriteNewFile(Env& env, const Dir& dir, std::string_view name, const std::function<Status(ByteSink&)>& produce,
                    const BeforePublish& before_publish = nullptr);

// Atomically replaces (or creates) `name` in `dir` with `contents`, durably: temp (OFD-locked as
// for WriteNewFile), write-all,
// fsync, close, renameat, fsync(dir). Readers see the old or the new file, never a mix.
// Errors: kIoError. If the final directory fsync fails the new contents are visible but may not
// survive power loss; the error says so.
Status ReplaceFile(Env& env, const Dir& dir, std::string_view name, std::string_view contents,
                   const BeforePublish& before_publish = nullptr);

// The same, with the bytes `produce` writes (streamed, so memory stays bounded). Errors: also
// produce's (nothing replaced then).
Status ReplaceFile(Env& env, const Dir& dir, std::string_view name, const std::function<Status(ByteSink&)>& produce,
                   const BeforePublish& before_publish = nullptr);

class TempFile;

// ReplaceFile in two steps, so that the temp file's fsync runs while the caller does other work
// (it is started with Env::StartFsync): Prepare writes the temp file (OFD-locked as for
// WriteNewFile) and starts its fsync; Publish waits for it, closes the file, runs
// `before_publish`, renames and fsyncs the directory, with ReplaceFile's guarantee and errors.
// Destroyed unpublished, it removes its temp file (nothing replaced).
class PreparedReplacement {
 public:
  // `env` and `dir` must outlive the object. Errors: kIoError (nothing left behind).
  static Result<std::unique_ptr<PreparedReplacement>> Prepare(Env& env, const Dir& dir, std::string_view name,
                                                              std::string_view contents);
  ~PreparedReplacement();
  PreparedReplacement(const PreparedReplacement&) = delete;
  PreparedReplacement& operator=(const PreparedReplacement&) = delete;

  // Call at most once.
  Status Publish(const BeforePublish& before_publish = nullptr);

 private:
  PreparedReplacement(Env& env, const Dir& dir, std::string_view name);

  Env& env_;
  const Dir& dir_;
  std::string name_;
  std::unique_ptr<TempFile> temp_;
  std::unique_ptr<PendingFsync> sync_;
};

// One file of ReplaceFiles: its name in the directory and what writes its new bytes.
struct FileReplacement {
  std::string name;
  std::function<Status(ByteSink&)> produce;
};

// ReplaceFile for several files of `dir` at once, with the same guarantee for each (a reader,
// also after a crash, sees its old or its new bytes, never a mix), but durable together: every
// temp file is written (its writeback started at once, Env::StartWriteback), then every one is
// fsynced and closed, so their writebacks overlap; then `before_publish`, the renames in order,
// and one fsync of the directory. No file is renamed before all of them are durable. Errors:
// kIoError, a produce's error, before_publish's: nothing replaced, unless a rename or the
// directory fsync failed (the error says how many were replaced; those may not survive a crash).
Status ReplaceFiles(Env& env, const Dir& dir, const std::vector<FileReplacement>& files,
                    const BeforePublish& before_publish = nullptr);

}  // namespace sealstate::internal
