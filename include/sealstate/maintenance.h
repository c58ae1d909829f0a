// Stack maintenance on top of any Backend: retention (prune), verification, and the operator's
// force-unlock policy. The CLI is a thin layer over these.
//
// Thread safety: each function uses the backend it is given; see Backend.
#pragma once

#include <sealstate/export.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/lock.h>
#include <sealstate/status.h>

namespace sealstate {

// Called after each revision is handled: (done, total). For progress lines; may be empty.
using ProgressFn = std::function<void(std::size_t done, std::size_t total)>;

// Which revisions a prune keeps and which it deletes.
struct PrunePlan {
  std::vector<std::string> keep;    // the current revision and the `keep_newest` newest, oldest first
  std::vector<std::string> remove;  // everything else, oldest first
  std::vector<std::string> strays;  // names of the entries that are not revisions (Backend::StrayEntries): left alone
  // OK, or why `current` could not be read (kIntegrity: a damaged pointer). Then any revision may
  // be the real current one: every revision is kept and ExecutePrune refuses.
  Status damaged_current;
};

// Plans a prune: keeps the current revision plus the `keep_newest` newest (unobin's gc rule, so
// keep_newest = 0 keeps only current). Only revisions count: strays are listed in plan.strays
// and never deleted. A damaged pointer is not an error here (see PrunePlan::damaged_current).
// Reads the list, the strays (StrayEntries: the local store stats revision-named entries) and
// the pointer; never opens a snapshot.
SEALSTATE_EXPORT Result<PrunePlan> PlanPrune(Backend& backend, std::size_t keep_newest);

// Deletes plan.remove oldest first (each journaled as "remove"), then journals one "prune"
// event. Stops at the first failure, which names the revision; revisions deleted before it stay
// deleted. Refuses (kConflict) if current moved into plan.remove since planning, and
// (kIntegrity, deleting nothing) while current is damaged: repair it with SetCurrent first. The
// caller should hold the stack lock and pass its id as `lock_id` (Lock::id()): each removal is
// fenced by it (kLocked once the lock was broken) and the journal records it.
SEALSTATE_EXPORT Status ExecutePrune(Backend& backend, const PrunePlan& plan, std::string_view lock_id,
                                     const ProgressFn& progress);

// One problem verify found.
struct VerifyProblem {
  std::string rev;  // the revision concerned, or "current", "journal", "lock" or "permissions"
  Status status;
};

struct VerifyReport {
  std::size_t revisions = 0;  // how many revisions were read
  std::vector<VerifyProblem> problems;
  // Entries that are not revisions (Backend::StrayEntries), not problems. One with a revision
  // name that is not a regular file (a directory, a symlink) is listed by List, so it is a
  // problem of that revision instead.
  std::vector<std::string> strays;
};

// Reads, opens (authenticates) and decodes every revision, and checks that `current`, if set,
// names a revision that exists and opens, that the journal reads (a local store also refuses a
// journal that is not a regular file with one link), and that a lock, if held, has a
// readable holder record. A revision the journal recorded as written in v2 whose file is now v1
// is a problem (kIntegrity: the file was replaced), even where v1 files are accepted; journal
// lines that do not record the version are not checked. A journal that cannot be read is a
// problem of rev "journal". Each finding of backend.CheckPermissions(PermissionScope::kEverything)
// is a kIntegrity problem of "permissions". Problems are collected, not returned as errors.
// Errors: only failures to list the stack, read the pointer or inspect the lock at all.
SEALSTATE_EXPORT Result<VerifyReport> VerifyStack(Backend& backend, const ProgressFn& progress = nullptr);

// What ForceUnlockWithPolicy did.
struct ForceUnlockOutcome {
  bool removed = false;              // a lock was broken
  std::optional<LockHolder> holder;  // the holder record before, if any
  LockState state = LockState::kFree;
};

// The operator's force-unlock: no lock: OK (nothing removed). A stale holder: removed. A live
// or unknown holder: refused with kLocked naming the holder and the exact way to break it,
// unless `expected_id` matches the holder's lock id or `force` is set. A non-empty
// `expected_id` that does not match is always refused. Every removal is journaled by the
// backend.
SEALSTATE_EXPORT Result<ForceUnlockOutcome> ForceUnlockWithPolicy(Backend& backend, std::string_view expected_id,
                                                                  bool force);

}  // namespace sealstate
