// Prune, verify and the force-unlock policy, over any Backend. See maintenance.h.
#include <sealstate/maintenance.h>

#include <algorithm>
#include <map>
#include <set>

#include "journal/journal_mac.h"
#include "lock/holder_text.h"

namespace sealstate {
namespace {

// The current revision, or "" when there is none.
Result<std::string> CurrentOrEmpty(Backend& backend) {
  Result<std::string> current = backend.CurrentRev();
  if (!current.ok() && current.status().code() == Code::kNoCurrent) return std::string();
  return current;
}

Status RefuseLiveOrUnknown(const LockInfo& info) {
  const std::string who = info.holder ? internal::DescribeHolder(*info.holder) : "an unknown holder";
  std::string message = "refusing to force-unlock: the lock is " + std::string(LockStateName(info.state)) + " by " +
                        who + (info.reason.empty() ? "" : " (" + info.reason + ")") + ". ";
  if (info.holder && !info.holder->lock_id.empty()) {
    message += "If you are sure that holder is gone, force-unlock with its lock id " + info.holder->lock_id;
  } else {
    message += "If you are sure that holder is gone, force-unlock with force";
  }
  return Status::Locked(message);
}

// Adds a problem for a lock marker whose record cannot be read (not a regular file, hard-linked,
// garbage). Errors: only from inspecting the lock at all.
Status VerifyLock(Backend& backend, VerifyReport& report) {
  SEALSTATE_ASSIGN_OR_RETURN(const LockInfo lock, backend.GetLockInfo());
  if (lock.state == LockState::kUnknown && !lock.holder) {
    report.problems.push_back({"lock", Status::Integrity("lock marker: " + lock.reason)});
  }
  return Status::OK();
}

// Adds each finding of CheckPermissions (or its failure) to `report` as a "permissions" problem.
void VerifyPermissions(Backend& backend, VerifyReport& report) {
  Result<std::vector<std::string>> loose = backend.CheckPermissions(PermissionScope::kEverything);
  if (!loose.ok()) {
    report.problems.push_back({"permissions", loose.status()});
    return;
  }
  for (std::string& finding : *loose) {
    report.problems.push_back({"permissions", Status::Integrity(std::move(finding))});
  }
}

// The listed revisions (oldest first) and the strays. A revision-named entry that is not a
// snapshot (a directory) is both listed and a stray (with StrayEntry::rev set).
struct Revisions {
  std::vector<std::string> revs;
  std::vector<StrayEntry> strays;
};

Result<Revisions> ListRevisions(Backend& backend) {
  Revisions result;
  SEALSTATE_ASSIGN_OR_RETURN(result.revs, backend.List());
  SEALSTATE_ASSIGN_OR_RETURN(result.strays, backend.StrayEntries());
  return result;
}

// The revisions that are not strays.
std::vector<std::string> RevisionsWithoutStrays(std::vector<std::string> revs, const std::vector<StrayEntry>& strays) {
  std::set<std::string> stray_revs;
  for (const StrayEntry& stray : strays) {
    if (!stray.rev.empty()) stray_revs.insert(stray.rev);
  }
  std::erase_if(revs, [&](const std::string& rev) { return stray_revs.count(rev) != 0; });
  return revs;
}

// The names of the strays.
std::vector<std::string> StrayNames(const std::vector<StrayEntry>& strays) {
  std::vector<std::string> names;
  names.reserve(strays.size());
  for (const StrayEntry& stray : strays) names.push_back(stray.name);
  return names;
}

// The names of the strays that are not listed revisions.
std::vector<std::string> StraysWithoutRevisions(const std::vector<StrayEntry>& strays,
                                                const std::vector<std::string>& revs) {
  const std::set<std::string> listed(revs.begin(), revs.end());
  std::vector<StrayEntry> kept;
  for (const StrayEntry& stray : strays) {
    if (stray.rev.empty() || listed.count(stray.rev) == 0) kept.push_back(stray);
  }
  return StrayNames(kept);
}

// The last "write" event of each revision whose envelope version the journal recorded.
Result<std::map<std::string, JournalEvent>> RecordedWrites(Backend& backend) {
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<JournalEvent> events, backend.Journal(0));
  std::map<std::string, JournalEvent> writes;
  for (JournalEvent& event : events) {
    if (event.event == "write" && event.envelope_version != 0) writes[event.rev] = std::move(event);
  }
  return writes;
}

// A revision written as v2 or v3 whose file is now v1 was replaced (rekey turns v2 into v3): v1 binds nothing, so a v1
// file copied over it would otherwise open as that revision.
Status CheckRecordedVersion(Backend& backend, const std::string& rev,
                            const std::map<std::string, JournalEvent>& writes) {
  const auto write = writes.find(rev);
  if (write == writes.end() || write->second.envelope_version < kEnvelopeV2) return Status::OK();
  Result<EnvelopeHeader> header = backend.ReadHeader(rev);
  if (!header.ok() || header->envelope_version != kEnvelopeV1) return Status::OK();  // Get reports what is wrong
  return Status::Integrity("the journal recorded a v" + std::to_string(write->second.envelope_version) + " write of " +
                           rev + " (seq " + std::to_string(write->second.seq) +
                           "), but its file is a v1 envelope: it was replaced, e.g. by a copy of another revision");
}

// The journal's MAC chain, checked with `journal_keys`.
void VerifyJournalChain(Backend& backend, const std::vector<const Encrypter*>& journal_keys, VerifyReport& report) {
  Result<std::vector<JournalEvent>> events = backend.Journal(0);
  if (!events.ok()) return;  // RecordedWrites reported it
  internal::JournalMacKeys keys;
  for (const Encrypter* encrypter : journal_keys) {
    for (auto& key : internal::JournalMacKeysFor(encrypter)) keys.push_back(std::move(key));
  }
  internal::JournalChainFindings found = internal::CheckJournalChain(*events, keys);
  for (std::string& problem : found.problems) report.problems.push_back({"journal", Status::Integrity(problem)});
  report.notes = std::move(found.notes);
}

}  // namespace

Result<RetentionPlan> PlanRetention(Backend& backend, const RetentionPolicy& policy) {
  SEALSTATE_ASSIGN_OR_RETURN(Revisions listed, ListRevisions(backend));
  // A stray with a revision name (a directory) is never deleted.
  const std::vector<std::string> revs = RevisionsWithoutStrays(std::move(listed.revs), listed.strays);
  Result<std::string> current = CurrentOrEmpty(backend);
  if (!current.ok() && current.status().code() != Code::kIntegrity) return current.status();
  RetentionPlan plan;
  plan.decisions = DecideRetention(revs, current.ok() ? *current : std::string(), policy);
  plan.prune.strays = StrayNames(listed.strays);
  plan.prune.damaged_current = current.status();
  for (RetentionDecision& decision : plan.decisions) {
    if (!current.ok()) decision.reasons.insert(decision.reasons.begin(), {RetentionRule::kDamagedCurrent, ""});
    (decision.kept() ? plan.prune.keep : plan.prune.remove).push_back(decision.rev);
  }
  return plan;
}

Result<PrunePlan> PlanPrune(Backend& backend, std::size_t keep_newest) {
  SEALSTATE_ASSIGN_OR_RETURN(RetentionPlan plan, PlanRetention(backend, {.keep_last = keep_newest}));
  return std::move(plan.prune);
}

Status ExecutePrune(Backend& backend, const PrunePlan& plan, std::string_view lock_id, const ProgressFn& progress) {
  Result<std::string> pointer = CurrentOrEmpty(backend);
  if (!pointer.ok() && pointer.status().code() == Code::kIntegrity) {
    return Status::Integrity("prune: current is damaged (" + pointer.status().message() +
                             "), so any revision may be the real current one; nothing was deleted. Repair it with "
                             "set-current, then prune again");
  }
  SEALSTATE_ASSIGN_OR_RETURN(std::string current, std::move(pointer));
  if (std::find(plan.remove.begin(), plan.remove.end(), current) != plan.remove.end()) {
    return Status::Conflict("prune: current moved to " + current + " since the prune was planned; plan again");
  }
  for (std::size_t i = 0; i < plan.remove.size(); ++i) {
    Status removed = backend.Remove(plan.remove[i], lock_id);
    if (!removed.ok()) {
      return removed.WithPrefix("prune: deleting " + plan.remove[i] + " (after " + std::to_string(i) + " of " +
                                std::to_string(plan.remove.size()) + " deleted): ");
    }
    if (progress) progress(i + 1, plan.remove.size());
  }
  return backend.AppendJournal(
      "prune", "", "deleted " + std::to_string(plan.remove.size()) + ", kept " + std::to_string(plan.keep.size()),
      std::string(lock_id));
}

Result<VerifyReport> VerifyStack(Backend& backend, const ProgressFn& progress,
                                 const std::vector<const Encrypter*>& journal_keys) {
  SEALSTATE_ASSIGN_OR_RETURN(Revisions listed, ListRevisions(backend));
  const std::vector<std::string>& revs = listed.revs;
  VerifyReport report;
  // A listed revision that is not a regular file is a problem (Get says so), not a stray.
  report.strays = StraysWithoutRevisions(listed.strays, revs);
  // A journal that cannot be read (corrupt, not a regular file, hard-linked) is a problem.
  Result<std::map<std::string, JournalEvent>> writes = RecordedWrites(backend);
  if (!writes.ok()) report.problems.push_back({"journal", writes.status()});
  VerifyJournalChain(backend, journal_keys, report);
  for (std::size_t i = 0; i < revs.size(); ++i) {
    Status replaced = writes.ok() ? CheckRecordedVersion(backend, revs[i], *writes) : Status::OK();
    if (!replaced.ok()) {
      report.problems.push_back({revs[i], replaced});
    } else if (Result<Snapshot> snapshot = backend.Get(revs[i]); !snapshot.ok()) {
      report.problems.push_back({revs[i], snapshot.status()});
    }
    ++report.revisions;
    if (progress) progress(i + 1, revs.size());
  }
  Result<std::string> current = CurrentOrEmpty(backend);
  if (!current.ok()) {
    report.problems.push_back({"current", current.status()});
  } else if (!current->empty() && std::find(revs.begin(), revs.end(), *current) == revs.end()) {
    report.problems.push_back(
        {"current", Status::Integrity("current names revision " + *current + ", which does not exist")});
  }
  SEALSTATE_RETURN_IF_ERROR(VerifyLock(backend, report));
  VerifyPermissions(backend, report);
  return report;
}

Status CheckExpectAtLeast(Backend& backend, const Encrypter& key, std::string_view rev) {
  const internal::JournalMacKeys mac_keys = internal::JournalMacKeysFor(&key);
  if (mac_keys.empty()) {
    return Status::InvalidArgument("--expect-at-least needs a key that authenticates the journal (not noop)");
  }
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<JournalEvent> events, backend.Journal(0));
  std::string previous_mac;
  bool chain_intact = true;
  for (const JournalEvent& event : events) {
    const internal::JournalMacKey* mac_key = internal::JournalMacKeyNamed(mac_keys, event.mac_key);
    if (mac_key != nullptr && !internal::JournalMacMatches(event, previous_mac, *mac_key)) chain_intact = false;
    if (chain_intact && event.event == "set-current" && event.rev == rev && mac_key != nullptr) return Status::OK();
    previous_mac = event.mac;
  }
  return Status::Integrity(
      "expected at least " + std::string(rev) + ", but the authenticated journal never made it current" +
      (chain_intact ? "" : " (before a line that does not authenticate)") +
      ": the stack was restored from an older copy, or " + std::string(rev) + " is not of this stack");
}

Result<ForceUnlockOutcome> ForceUnlockWithPolicy(Backend& backend, std::string_view expected_id, bool force) {
  SEALSTATE_ASSIGN_OR_RETURN(LockInfo info, backend.GetLockInfo());
  ForceUnlockOutcome outcome;
  outcome.state = info.state;
  outcome.holder = info.holder;
  if (info.state == LockState::kFree) return outcome;
  const std::string holder_id = info.holder ? info.holder->lock_id : "";
  if (!expected_id.empty() && expected_id != holder_id) {
    return Status::Locked("refusing to force-unlock: the lock is held by " +
                          (info.holder ? internal::DescribeHolder(*info.holder) : std::string("an unknown holder")) +
                          ", not lock id " + std::string(expected_id) + "; nothing was removed");
  }
  const bool allowed = !expected_id.empty() || force || info.state == LockState::kStale;
  if (!allowed) return RefuseLiveOrUnknown(info);
  // Remove only the marker we looked at: if it changed hands meanwhile, the id check refuses.
  SEALSTATE_RETURN_IF_ERROR(backend.ForceUnlock(holder_id));
  outcome.removed = true;
  return outcome;
}

}  // namespace sealstate
