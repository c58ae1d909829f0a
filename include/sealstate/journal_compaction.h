// Journal compaction on top of any Backend: which events a compaction keeps (a suffix of the
// journal, so seqs stay continuous), which consumers it would leave behind, and the compaction
// itself (Backend::CompactJournal). The CLI's `compact-journal` is a thin layer over these.
//
// Thread safety: each function uses the backend it is given; see Backend.
#pragma once

#include <sealstate/export.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/status.h>

namespace sealstate {

// What a compaction keeps. An event is kept when any rule keeps it, and so is every event after
// it (the kept events are always the newest ones); the newest event is always kept.
struct JournalKeepRules {
  // Keep the N newest events (0: the rule is not used).
  std::uint64_t keep_last = 0;
  // Keep the events at most this much older than the newest event (0: the rule is not used), as
  // prune's --keep-within counts from the newest revision.
  std::chrono::milliseconds keep_within{0};
  // True when neither rule is used.
  bool Empty() const { return keep_last == 0 && keep_within.count() <= 0; }
};

// A consumer (Backend::ListCheckpoints) that has not read every event a compaction drops.
struct JournalConsumerBehind {
  std::string name;
  std::uint64_t checkpoint = 0;  // the seq it has read up to
};

// What a compaction would do.
struct JournalCompactionPlan {
  std::uint64_t first_seq = 0;                // the journal's oldest event (0: an empty journal)
  std::uint64_t last_seq = 0;                 // its newest event
  std::uint64_t first_kept_seq = 0;           // the oldest event kept (== first_seq: nothing to drop)
  std::uint64_t drop = 0;                     // how many events go (seq first_seq .. first_kept_seq - 1)
  std::vector<JournalConsumerBehind> behind;  // consumers that have not read all of those, by name
};

// The plan for `rules` over the stack's journal (Backend::Journal(0)) and its consumers.
// Errors: kInvalidArgument when `rules` is Empty; Journal's and ListCheckpoints' errors.
SEALSTATE_EXPORT Result<JournalCompactionPlan> PlanJournalCompaction(Backend& backend, const JournalKeepRules& rules);

// Carries out `plan` (made under the same lock, `lock_id`): Backend::CompactJournal. Refuses with
// kConflict, dropping nothing, when plan.behind names a consumer and `force` is false (the message
// names each consumer, its checkpoint and what to do). Nothing to drop: OK, nothing written.
// Errors: kConflict; CompactJournal's.
SEALSTATE_EXPORT Result<JournalCompaction> CompactStackJournal(Backend& backend, const JournalCompactionPlan& plan,
                                                               bool force, std::string_view lock_id);

}  // namespace sealstate
