// Stack maintenance on top of any Backend: retention (prune), verification, and the operator's
// force-unlock policy. The CLI is a thin layer over these.
//
// Thread safety: each function uses the backend it is given; see Backend.
#pragma once

#include <sealstate/export.h>

#include <chrono>
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

// A retention policy, as restic's `forget` combines its rules: a revision kept by any rule is
// kept, and the current revision always is. Times come from the revision names (revision.h), in
// UTC. Each bucket rule (hourly, daily, weekly, monthly) keeps the newest revision of each of the
// N newest buckets that hold a revision; buckets without a revision do not count. A rule set to 0
// is off. The empty policy (every rule 0) keeps only current, like PlanPrune(backend, 0); restic
// refuses an empty policy, and so does the CLI: a caller that wants that checks Empty() itself.
struct RetentionPolicy {
  std::size_t keep_last = 0;                 // the N newest revisions
  std::chrono::milliseconds keep_within{0};  // revisions at most this much older than the newest
  std::size_t keep_hourly = 0;               // hour buckets: 2026-12-05T14 (UTC)
  std::size_t keep_daily = 0;                // day buckets: 2026-12-05 (UTC)
  std::size_t keep_weekly = 0;               // ISO 8601 weeks, Monday to Sunday (UTC): 2026-W49
  std::size_t keep_monthly = 0;              // calendar months (UTC): 2026-12

  // True when every rule is off.
  bool Empty() const {
    return keep_last == 0 && keep_within.count() == 0 && keep_hourly == 0 && keep_daily == 0 && keep_weekly == 0 &&
           keep_monthly == 0;
  }
};

// A rule that keeps a revision.
enum class RetentionRule {
  kCurrent,         // it is the current revision
  kDamagedCurrent,  // current is damaged, so any revision may be the real current one
  kUndated,         // its name holds no time (a backend listed a name revision.h does not parse)
  kLast,            // keep_last
  kWithin,          // keep_within
  kHourly,
  kDaily,
  kWeekly,
  kMonthly,
};

// One reason to keep a revision: the rule, and for a bucket rule the bucket ("2026-12-05").
struct RetentionReason {
  RetentionRule rule;
  std::string bucket;  // empty except for kHourly, kDaily, kWeekly and kMonthly

  friend bool operator==(const RetentionReason&, const RetentionReason&) = default;
};

// The rule's name: "current", "damaged current", "undated", "last", "within", "hourly", "daily",
// "weekly" or "monthly".
SEALSTATE_EXPORT std::string_view RetentionRuleName(RetentionRule rule);

// The reason as one line: the rule's name, then the bucket if any ("daily 2026-12-05"). For
// kWithin, `within_text` follows the name if not empty ("within 1h").
SEALSTATE_EXPORT std::string DescribeRetentionReason(const RetentionReason& reason, std::string_view within_text = {});

// What the policy does with one revision.
struct RetentionDecision {
  std::string rev;
  std::vector<RetentionReason> reasons;  // every rule that keeps it, in RetentionRule order; empty: removed

  bool kept() const { return !reasons.empty(); }
  friend bool operator==(const RetentionDecision&, const RetentionDecision&) = default;
};

// Applies `policy` to `revs` with `current` the current revision ("" for none). Returns one
// decision per revision, in the same order. Pure: reads nothing. REQUIRES: `revs` is in
// SortRevisions order (oldest first, as Backend::List returns them), strays already left out.
SEALSTATE_EXPORT std::vector<RetentionDecision> DecideRetention(const std::vector<std::string>& revs,
                                                                std::string_view current,
                                                                const RetentionPolicy& policy);

// A planned retention: why each revision is kept or removed, and the prune that carries it out.
struct RetentionPlan {
  std::vector<RetentionDecision> decisions;  // every revision (strays left out), oldest first
  PrunePlan prune;                           // the same decisions, for ExecutePrune
};

// Plans a prune by `policy`, as PlanPrune does (same reads; strays listed and never deleted; a
// damaged pointer keeps every revision, each for kDamagedCurrent, and ExecutePrune then refuses).
// PlanPrune(backend, n) is PlanRetention(backend, {.keep_last = n}).prune.
SEALSTATE_EXPORT Result<RetentionPlan> PlanRetention(Backend& backend, const RetentionPolicy& policy);

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
  // What verify could not check, not problems: journal lines written unauthenticated (before
  // sealstate authenticated its journal, or without a key), or with a key not given.
  std::vector<std::string> notes;
};

// Reads, opens (authenticates) and decodes every revision, and checks that `current`, if set,
// names a revision that exists and opens, that the journal reads (a local store also refuses a
// journal that is not a regular file with one link), and that a lock, if held, has a
// readable holder record. A revision the journal recorded as written in v2 whose file is now v1
// is a problem (kIntegrity: the file was replaced), even where v1 files are accepted; journal
// lines that do not record the version are not checked. A journal that cannot be read is a
// problem of rev "journal". Each finding of backend.CheckPermissions(PermissionScope::kEverything)
// is a kIntegrity problem of "permissions". The journal's MAC chain (sealstate-format(5),
// "Journal authentication") is checked with the keys in `journal_keys` (the stack's key, and old
// keys after a rotation; a KeyRing gives all its opening keys), each line with the key whose id it
// names: an edited, removed, inserted or re-ordered line is a kIntegrity
// problem of "journal" naming its seq; lines made with a key not given, and unauthenticated
// lines, are notes. A current the journal's authenticated record contradicts (a rollback made
// behind sealstate's back) is a problem of "current" (Backend::CurrentRev). Problems are
// collected, not returned as errors. Errors: only failures to list the stack, read the pointer
// or inspect the lock at all.
SEALSTATE_EXPORT Result<VerifyReport> VerifyStack(Backend& backend, const ProgressFn& progress = nullptr,
                                                  const std::vector<const Encrypter*>& journal_keys = {});

// For callers that keep their own record of the newest revision they saw current (state outside
// the stack, which is what catches a restored older copy of the whole stack): OK if the journal
// records, in a line authenticated with `key` (a KeyRing: with any of its opening keys, the one
// whose id the line names) whose chain back to the start is intact, that `rev` became current (its
// "set-current" line); kIntegrity otherwise ("expected at least REV, but the
// authenticated journal never made it current: the stack was restored from an older copy, or
// REV is not of this stack"); kInvalidArgument when no key of `key` can authenticate a journal (noop).
// Reads the whole journal. Errors: as Backend::Journal.
SEALSTATE_EXPORT Status CheckExpectAtLeast(Backend& backend, const Encrypter& key, std::string_view rev);

// Why VerifyChain's walk from current stopped.
enum class ChainEnd {
  kNoCurrent,  // no current revision: nothing to walk
  kFirst,      // a revision without a parent: the first one, or one written before parent links
               // (or while current could not be read)
  kV1,         // a v1 (unobin) revision, which cannot record a parent
  kPruned,     // a parent the journal records as removed ("remove": prune or delete)
  kBroken,     // a finding (a problem in ChainReport::problems) stopped the walk
};

// "no current", "first revision", "v1 revision", "pruned parent" or "broken".
SEALSTATE_EXPORT std::string_view ChainEndName(ChainEnd end);

// What VerifyChain found.
struct ChainReport {
  std::vector<std::string> chain;  // the revisions walked, newest (current) first
  ChainEnd end = ChainEnd::kNoCurrent;
  std::string pruned_parent;  // for kPruned: the removed parent's revision
  // Listed revisions the walk did not reach, oldest first, in two kinds (neither is a problem):
  std::vector<std::string> never_current;  // never current: written but not committed
  std::vector<std::string> off_chain;      // current once: left by a set-current rollback, or
                                           // older than where the walk stopped
  std::vector<VerifyProblem> problems;     // tampering found, each naming the revision
};

// verify --chain: walks from current back through each revision's parent link (its header's
// "parent": the revision current named when it was written, and the BLAKE2b digest of that
// revision's stored envelope) until a revision without one. Reads headers (ReadHeader) and
// hashes each parent's stored bytes (ReadEnvelope); decrypts nothing, so a header is trusted as
// stored: VerifyStack, which authenticates every revision, is what catches an edited header.
// kIntegrity problems, each naming the revision: a parent that is missing while the journal
// records no "remove" of it (deleted behind sealstate's back); a parent whose stored bytes do
// not match the digest (replaced or swapped, e.g. by another genuine revision's file); a file
// sealed for another revision than its name; a parent that is not older than its child, or a
// link back into the walked chain (reordered); a header that cannot be read. The walk stops at
// the first problem. A parent removed through sealstate (prune, delete: journaled "remove") ends
// the walk quietly (kPruned). A journal that cannot be read is a problem of rev "journal"; then
// no removal is known (a missing parent is reported) and the revisions off the chain are not
// listed. `progress` is called per revision walked, with total = the number of listed
// revisions. Errors: List's, and CurrentRev's other than kNoCurrent.
SEALSTATE_EXPORT Result<ChainReport> VerifyChain(Backend& backend, const ProgressFn& progress = nullptr);

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
