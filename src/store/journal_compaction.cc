// PlanJournalCompaction and CompactStackJournal. See journal_compaction.h.
#include <sealstate/journal_compaction.h>

#include <algorithm>

namespace sealstate {
namespace {

// The oldest seq `rules` keep in `events` (non-empty, oldest first).
std::uint64_t FirstKeptSeq(const std::vector<JournalEvent>& events, const JournalKeepRules& rules) {
  std::size_t first = events.size() - 1;  // the newest is always kept
  if (rules.keep_last > 0) {
    first = std::min<std::size_t>(first, events.size() - std::min<std::uint64_t>(rules.keep_last, events.size()));
  }
  if (rules.keep_within.count() > 0) {
    const Timestamp& newest = events.back().time;
    const auto age = [&](const JournalEvent& event) {
      return std::chrono::seconds(newest.unix_seconds - event.time.unix_seconds) +
             std::chrono::nanoseconds(static_cast<std::int64_t>(newest.nanos) -
                                      static_cast<std::int64_t>(event.time.nanos));
    };
    const auto within = std::find_if(events.begin(), events.end(),
                                     [&](const JournalEvent& event) { return age(event) <= rules.keep_within; });
    first = std::min(first, static_cast<std::size_t>(within - events.begin()));
  }
  return events[first].seq;
}

std::string Range(std::uint64_t from, std::uint64_t to) {
  return from == to ? "seq " + std::to_string(from) : "seq " + std::to_string(from) + " to " + std::to_string(to);
}

}  // namespace

Result<JournalCompactionPlan> PlanJournalCompaction(Backend& backend, const JournalKeepRules& rules) {
  if (rules.Empty()) {
    return Status::InvalidArgument("journal compaction: no rule says what to keep (give keep-last and/or keep-within)");
  }
  SEALSTATE_ASSIGN_OR_RETURN(const std::vector<JournalEvent> events, backend.Journal(0));
  JournalCompactionPlan plan;
  if (events.empty()) return plan;
  plan.first_seq = events.front().seq;
  plan.last_seq = events.back().seq;
  plan.first_kept_seq = FirstKeptSeq(events, rules);
  plan.drop = static_cast<std::uint64_t>(
      std::count_if(events.begin(), events.end(), [&](const JournalEvent& e) { return e.seq < plan.first_kept_seq; }));
  if (plan.drop == 0) return plan;
  SEALSTATE_ASSIGN_OR_RETURN(const auto checkpoints, backend.ListCheckpoints());
  for (const auto& [name, checkpoint] : checkpoints) {
    if (checkpoint + 1 < plan.first_kept_seq) plan.behind.push_back({name, checkpoint});
  }
  return plan;
}

Result<JournalCompaction> CompactStackJournal(Backend& backend, const JournalCompactionPlan& plan, bool force,
                                              std::string_view lock_id) {
  if (plan.drop == 0) return JournalCompaction{.first_kept_seq = plan.first_seq, .dropped = 0, .mark_seq = 0};
  if (!plan.behind.empty() && !force) {
    std::string message =
        "journal not compacted: it would drop events " + Range(plan.first_seq, plan.first_kept_seq - 1) + ", which ";
    for (std::size_t i = 0; i < plan.behind.size(); ++i) {
      const JournalConsumerBehind& consumer = plan.behind[i];
      message += (i == 0 ? "" : ", ") + std::string("consumer ") + consumer.name + " (read up to seq " +
                 std::to_string(consumer.checkpoint) + ")";
    }
    message +=
        " has not read yet: run `sealstate log --consumer NAME` for each first, or compact with --force to "
        "drop them unread";
    return Status::Conflict(std::move(message));
  }
  return backend.CompactJournal(plan.first_kept_seq, lock_id);
}

}  // namespace sealstate
