// Prune, verify and the force-unlock policy, over any Backend. See maintenance.h.
#include <sealstate/maintenance.h>

#include <algorithm>
#include <set>

#include "json/go_json_writer.h"

namespace sealstate {
namespace {

// The current revision, or "" when there is none.
Result<std::string> CurrentOrEmpty(Backend& backend) {
  Result<std::string> current = backend.CurrentRev();
  if (!current.ok() && current.status().code() == Code::kNoCurrent) return std::string();
  return current;
}

std::string Who(const LockHolder& holder) {
  if (holder.bare_pid) return "pid " + std::to_string(holder.pid) + " (a unobin marker)";
  if (holder.lock_id.empty()) return "an unreadable holder record";
  return holder.user + "@" + holder.host + " pid " + std::to_string(holder.pid) + " (lock id " + holder.lock_id + ")";
}

Status RefuseLiveOrUnknown(const LockInfo& info) {
  const std::string who = info.holder ? Who(*info.holder) : "an unknown holder";
  std::string message = "refusing to force-unlock: the lock is " + std::string(LockStateName(info.state)) + " by " +
                        who + (info.reason.empty() ? "" : " (" + info.reason + ")") + ". ";
  if (info.holder && !info.holder->lock_id.empty()) {
    message += "If you are sure that holder is gone, force-unlock with its lock id " + info.holder->lock_id;
  } else {
    message += "If you are sure that holder is gone, force-unlock with force";
  }
  return Status::Locked(message);
}

// The revisions, oldest first, without the strays; the strays. A revision-named entry that is not
// a regular file (a directory) is listed by List but is a stray (the local store's "<rev>.json.enc").
struct Revisions {
  std::vector<std::string> revs;
  std::vector<std::string> strays;
};

Result<Revisions> ListRevisions(Backend& backend) {
  Revisions result;
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> listed, backend.List());
  SEALSTATE_ASSIGN_OR_RETURN(result.strays, backend.StrayEntries());
  const std::set<std::string> strays(result.strays.begin(), result.strays.end());
  for (std::string& rev : listed) {
    if (strays.count(rev + ".json.enc") == 0) result.revs.push_back(std::move(rev));
  }
  return result;
}

}  // namespace

Result<PrunePlan> PlanPrune(Backend& backend, std::size_t keep_newest) {
  SEALSTATE_ASSIGN_OR_RETURN(Revisions listed, ListRevisions(backend));
  std::vector<std::string>& revs = listed.revs;
  Result<std::string> current = CurrentOrEmpty(backend);
  if (!current.ok() && current.status().code() != Code::kIntegrity) return current.status();
  const std::size_t newest_from = revs.size() > keep_newest ? revs.size() - keep_newest : 0;
  PrunePlan plan;
  plan.strays = std::move(listed.strays);
  plan.damaged_current = current.status();
  for (std::size_t i = 0; i < revs.size(); ++i) {
    const bool keep = !current.ok() || i >= newest_from || revs[i] == *current;
    (keep ? plan.keep : plan.remove).push_back(std::move(revs[i]));
  }
  return plan;
}

Status ExecutePrune(Backend& backend, const PrunePlan& plan, const ProgressFn& progress) {
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
    Status removed = backend.Remove(plan.remove[i]);
    if (!removed.ok()) {
      return removed.WithPrefix("prune: deleting " + plan.remove[i] + " (after " + std::to_string(i) + " of " +
                                std::to_string(plan.remove.size()) + " deleted): ");
    }
    if (progress) progress(i + 1, plan.remove.size());
  }
  return backend.AppendJournal("prune", "",
                               "deleted " + std::to_string(plan.remove.size()) + ", kept " +
                                   std::to_string(plan.keep.size()));
}

Result<VerifyReport> VerifyStack(Backend& backend, const ProgressFn& progress) {
  SEALSTATE_ASSIGN_OR_RETURN(Revisions listed, ListRevisions(backend));
  const std::vector<std::string>& revs = listed.revs;
  VerifyReport report;
  report.strays = std::move(listed.strays);
  for (std::size_t i = 0; i < revs.size(); ++i) {
    Result<Snapshot> snapshot = backend.Get(revs[i]);
    if (!snapshot.ok()) report.problems.push_back({revs[i], snapshot.status()});
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
  return report;
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
                          (info.holder ? Who(*info.holder) : std::string("an unknown holder")) + ", not lock id " +
                          std::string(expected_id) + "; nothing was removed");
  }
  const bool allowed = !expected_id.empty() || force || info.state == LockState::kStale;
  if (!allowed) return RefuseLiveOrUnknown(info);
  // Remove only the marker we looked at: if it changed hands meanwhile, the id check refuses.
  SEALSTATE_RETURN_IF_ERROR(backend.ForceUnlock(holder_id));
  outcome.removed = true;
  return outcome;
}

}  // namespace sealstate
