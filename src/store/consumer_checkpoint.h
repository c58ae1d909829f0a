// Journal consumers' checkpoints in a local stack, and waiting for the journal to grow (the local
// store's Backend::GetCheckpoint, Checkpoint and WaitForJournal).
//
// A checkpoint is the file `consumer.<name>` beside the journal holding "<seq>\n", replaced
// atomically and durably as `current` is. Waiting watches the stack directory with inotify: the
// journal's appends wake the waiter, which then reads the journal again.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include <sealstate/lock.h>
#include <sealstate/status.h>

#include "io/env.h"
#include "journal/journal.h"

namespace sealstate::internal {

// Consumer `name`'s checkpoint, 0 when it has none. Errors: kInvalidArgument (a name
// ValidateName refuses), kIntegrity (not a regular file with one link, or not a decimal seq),
// kIoError.
Result<std::uint64_t> ReadConsumerCheckpoint(Env& env, const Dir& stack_dir, std::string_view name);

// Stores `seq` as consumer `name`'s checkpoint (ReplaceFile). Errors: kInvalidArgument (bad
// name), kIoError.
Status WriteConsumerCheckpoint(Env& env, const Dir& stack_dir, std::string_view name, std::uint64_t seq);

// Every consumer with a checkpoint file in `stack_dir` and its checkpoint, sorted by name
// (Backend::ListCheckpoints). Names that are not valid consumer names are skipped (they are not
// checkpoints). Errors: ReadConsumerCheckpoint's; kIoError listing the directory.
Result<std::vector<std::pair<std::string, std::uint64_t>>> ListConsumerCheckpoints(Env& env, const Dir& stack_dir);

// Backend::WaitForJournal for the journal in `stack_dir`: the watch is set up before the journal
// is first read, so an append between the two is not missed. `cancelled` is asked every
// kJournalCancelPoll at most.
Result<bool> WaitForJournalEvents(Env& env, const Dir& stack_dir, JournalFile& journal, std::uint64_t after_seq,
                                  std::chrono::milliseconds timeout, const CancelCheck& cancelled);

// How often WaitForJournalEvents asks its CancelCheck.
inline constexpr std::chrono::milliseconds kJournalCancelPoll{100};

}  // namespace sealstate::internal
