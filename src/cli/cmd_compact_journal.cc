// compact-journal --keep-last N / --keep-within DUR [--dry-run] [--force]: drop the journal's
// oldest events, keeping seqs and the MAC chain (journal_compaction.h), refusing to drop events a
// consumer has not read unless --force.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>

#include <sealstate/journal_compaction.h>

#include "cli/commands.h"
#include "cli/duration.h"
#include "cli/global_options.h"
#include "cli/whole_number.h"
#include "cli/with_lock.h"

namespace sealstate::cli {
namespace {

struct CompactJournalArgs {
  std::int64_t keep_last = 0;
  std::string keep_within = "0";
  bool dry_run = false;
  bool force = false;
};

JournalKeepRules RulesOf(const CompactJournalArgs& args) {
  Result<std::chrono::milliseconds> within = ParseDuration(args.keep_within);  // checked by the option
  return {.keep_last = static_cast<std::uint64_t>(args.keep_last),
          .keep_within = within.ok() ? *within : std::chrono::milliseconds(0)};
}

std::string SeqRange(std::uint64_t from, std::uint64_t to) {
  return from == to ? "seq " + std::to_string(from) : "seq " + std::to_string(from) + " to " + std::to_string(to);
}

void PrintText(const Output& out, const JournalCompactionPlan& plan, const JournalCompaction& done, bool dry_run,
               bool force) {
  for (const JournalConsumerBehind& consumer : plan.behind) {
    out.Line("consumer " + consumer.name + " has read up to seq " + std::to_string(consumer.checkpoint) +
             (force ? ": its unread events are dropped (--force)" : ": it has not read all the events to drop"));
  }
  if (plan.drop == 0) {
    out.Line(plan.last_seq == 0
                 ? std::string("Nothing to drop: the journal is empty.")
                 : "Nothing to drop: every event (" + SeqRange(plan.first_seq, plan.last_seq) + ") is kept.");
    return;
  }
  const std::string dropped =
      std::to_string(plan.drop) + " event(s) (" + SeqRange(plan.first_seq, plan.first_kept_seq - 1) + ")";
  if (dry_run) {
    out.Line("Would drop " + dropped + ", keep " + SeqRange(plan.first_kept_seq, plan.last_seq) +
             (!plan.behind.empty() && !force ? "; refused without --force (consumers behind)." : "."));
    return;
  }
  out.Line("Dropped " + dropped + ", kept " + SeqRange(plan.first_kept_seq, plan.last_seq) +
           "; the journal-compacted event is seq " + std::to_string(done.mark_seq) + ".");
}

void PrintJson(const Output& out, const JournalCompactionPlan& plan, const JournalCompaction& done, bool dry_run,
               bool force) {
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("dry-run");
    w.Bool(dry_run);
    w.Key("forced");
    w.Bool(force);
    w.Key("first-seq");
    w.Uint(plan.first_seq);
    w.Key("last-seq");
    w.Uint(plan.last_seq);
    w.Key("first-kept-seq");
    w.Uint(plan.first_kept_seq);
    w.Key("dropped");
    w.Uint(plan.drop);
    w.Key("compacted-seq");
    w.Uint(done.mark_seq);
    w.Key("consumers-behind");
    w.StartArray();
    for (const JournalConsumerBehind& consumer : plan.behind) {
      w.StartObject();
      w.Key("name");
      w.String(consumer.name);
      w.Key("checkpoint");
      w.Uint(consumer.checkpoint);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

int RunCompactJournal(const GlobalOptions& g, const Output& out, const CompactJournalArgs& args) {
  const JournalKeepRules rules = RulesOf(args);
  if (rules.Empty()) {
    return out.Usage("say what to keep: --keep-last N (N above 0) and/or --keep-within DUR (above 0)");
  }
  auto backend = OpenStack(g, {.create = false, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "compact-journal");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  JournalCompactionPlan plan;
  JournalCompaction done;
  Status status = WithStackLock(**backend, *lock_options, [&](const std::string& lock_id) -> Status {
    SEALSTATE_ASSIGN_OR_RETURN(plan, PlanJournalCompaction(**backend, rules));
    if (args.dry_run) return Status::OK();
    SEALSTATE_ASSIGN_OR_RETURN(done, CompactStackJournal(**backend, plan, args.force, lock_id));
    return Status::OK();
  });
  if (!status.ok()) return out.Fail(status);
  PrintText(out, plan, done, args.dry_run, args.force);
  PrintJson(out, plan, done, args.dry_run, args.force);
  return 0;
}

}  // namespace

void RegisterCompactJournal(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<CompactJournalArgs>();
  CLI::App* compact = app.add_subcommand(
      "compact-journal", "Lock, drop the journal's oldest events (seqs and the MAC chain stay verifiable)");
  compact->add_option("--keep-last", args->keep_last, "Keep the N newest events (combines with --keep-within)")
      ->check(WholeNumberValidator("--keep-last", std::numeric_limits<std::int64_t>::max()))
      ->type_name("N");
  compact
      ->add_option("--keep-within", args->keep_within,
                   "Keep the events at most DUR older than the newest event (e.g. 720h, 90m)")
      ->check(DurationValidator())
      ->type_name("DUR");
  compact->add_flag("--dry-run", args->dry_run, "Print what would be dropped; change nothing");
  compact->add_flag("--force", args->force, "Drop events that journal consumers have not read yet");
  SetStackCommand(compact, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunCompactJournal(g, out, *args); });
}

}  // namespace sealstate::cli
