// verify --chain: the walk from current back through the parent links. See maintenance.h.
#include <sealstate/maintenance.h>
#include <sealstate/revision.h>

#include <optional>
#include <set>

#include "backend/parent_link.h"
#include "journal/journal_compaction_mark.h"
#include "store/stack_history.h"

namespace sealstate {
namespace {

// What the journal says about removed revisions: each journaled "remove" (prune, delete, a
// failed commit's clean-up), and, when a compaction dropped the journal's head, the time of the
// first event kept: a removal before it may have been dropped with the head.
struct JournaledRemovals {
  std::set<std::string> removed;
  std::optional<Timestamp> compacted_before;
};

Result<JournaledRemovals> ReadJournaledRemovals(Backend& backend) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<JournalEvent> events, backend.Journal(0));
  JournaledRemovals removals;
  for (const JournalEvent& event : events) {
    if (event.event == "remove") removals.removed.insert(event.rev);
  }
  if (internal::CompactionLineFor(events) != nullptr) removals.compacted_before = events.front().time;
  return removals;
}

// True when `a` is before `b`.
bool Before(const Timestamp& a, const Timestamp& b) {
  return a.unix_seconds != b.unix_seconds ? a.unix_seconds < b.unix_seconds : a.nanos < b.nanos;
}

// The walk's steps. Each parent must be older than its child (revision names sort by time), so
// the walk cannot loop.
class ChainWalk {
 public:
  ChainWalk(Backend& backend, const std::set<std::string>& listed, const JournaledRemovals& removed,
            ChainReport& report)
      : backend_(backend), listed_(listed), removed_(removed), report_(report) {}

  // Follows `rev`'s parent link. Returns the parent to walk next, or "" when the walk ends
  // (report.end says why; for kBroken a problem was added).
  std::string Step(const std::string& rev) {
    Result<EnvelopeHeader> header = backend_.ReadHeader(rev);
    if (!header.ok()) return Broken(rev, header.status().WithPrefix("reading its header: "));
    if (header->envelope_version < kEnvelopeV2) return End(ChainEnd::kV1);
    if (header->rev != rev) {
      return Broken(rev, Status::Integrity("its file is sealed for revision " + header->rev +
                                           ": it was replaced by (or renamed from) another revision's file"));
    }
    if (!header->parent) return End(ChainEnd::kFirst);
    const EnvelopeParent& parent = *header->parent;
    if (CompareRevisions(parent.rev, rev) >= 0) {
      return Broken(rev, Status::Integrity("it names " + parent.rev +
                                           " as its parent, which is not older than it: the chain is out of order "
                                           "(revisions were renamed or reordered)"));
    }
    if (!listed_.contains(parent.rev)) return MissingParent(rev, parent.rev);
    Result<std::string> digest = internal::StoredEnvelopeDigest(backend_, parent.rev);
    if (!digest.ok()) return Broken(parent.rev, digest.status().WithPrefix("hashing its stored envelope: "));
    if (*digest != parent.blake2b) {
      return Broken(parent.rev, Status::Integrity("its stored envelope does not match the digest its child " + rev +
                                                  " recorded (blake2b " + parent.blake2b + ", the file has " + *digest +
                                                  "): it was replaced or swapped, e.g. by a copy of "
                                                  "another revision's file"));
    }
    return parent.rev;
  }

 private:
  std::string MissingParent(const std::string& rev, const std::string& parent) {
    if (removed_.removed.contains(parent) || RemovalCompactedAway(parent)) {
      report_.pruned_parent = parent;
      return End(ChainEnd::kPruned);
    }
    return Broken(parent, Status::Integrity("revision " + parent + ", the parent of " + rev +
                                            ", is missing and the journal records no removal of it: it was deleted "
                                            "behind sealstate's back"));
  }
  // A parent older than the first event a compaction kept: its "remove" may have been dropped.
  bool RemovalCompactedAway(const std::string& parent) const {
    const ParsedRevision parsed = ParseRevision(parent);
    return removed_.compacted_before && parsed.valid && Before(parsed.time, *removed_.compacted_before);
  }
  std::string End(ChainEnd end) {
    report_.end = end;
    return std::string();
  }
  std::string Broken(const std::string& rev, Status status) {
    report_.problems.push_back({rev, std::move(status)});
    return End(ChainEnd::kBroken);
  }

  Backend& backend_;
  const std::set<std::string>& listed_;
  const JournaledRemovals& removed_;
  ChainReport& report_;
};

// Sorts the listed revisions the walk did not reach into never_current and off_chain.
Status ListOffChain(Backend& backend, const std::string& current, ChainReport& report) {
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<internal::RevisionHistory> history,
                             internal::ReadStackHistory(backend, current));
  const std::set<std::string> walked(report.chain.begin(), report.chain.end());
  for (auto entry = history.rbegin(); entry != history.rend(); ++entry) {  // oldest first
    if (walked.contains(entry->rev)) continue;
    (entry->ever_current ? report.off_chain : report.never_current).push_back(entry->rev);
  }
  return Status::OK();
}

}  // namespace

std::string_view ChainEndName(ChainEnd end) {
  switch (end) {
    case ChainEnd::kNoCurrent: return "no current";
    case ChainEnd::kFirst: return "first revision";
    case ChainEnd::kV1: return "v1 revision";
    case ChainEnd::kPruned: return "pruned parent";
    case ChainEnd::kBroken: return "broken";
  }
  return "broken";
}

Result<ChainReport> VerifyChain(Backend& backend, const ProgressFn& progress) {
  ChainReport report;
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<std::string> revs, backend.List());
  const std::set<std::string> listed(revs.begin(), revs.end());
  // A journal that cannot be read (damaged by a crash, edited) is a problem, and then no removal
  // is known: a missing parent is reported.
  Result<JournaledRemovals> journaled = ReadJournaledRemovals(backend);
  if (!journaled.ok()) report.problems.push_back({"journal", journaled.status()});
  const JournaledRemovals removed = journaled.ok() ? *journaled : JournaledRemovals();
  Result<std::string> current = backend.CurrentRev();
  if (!current.ok() && current.status().code() != Code::kNoCurrent) return current.status();
  if (current.ok()) {
    ChainWalk walk(backend, listed, removed, report);
    std::string rev = *current;
    if (!listed.contains(rev)) {
      report.problems.push_back(
          {"current", Status::Integrity("current names revision " + rev + ", which does not exist")});
      report.end = ChainEnd::kBroken;
      rev.clear();
    }
    while (!rev.empty()) {
      report.chain.push_back(rev);
      if (progress) progress(report.chain.size(), revs.size());
      rev = walk.Step(rev);
    }
  }
  if (journaled.ok()) SEALSTATE_RETURN_IF_ERROR(ListOffChain(backend, current.ok() ? *current : std::string(), report));
  return report;
}

}  // namespace sealstate
