// prune --keep N [--dry-run]: keep the current revision and the N newest, delete the rest.
// prune --keep-last/--keep-within/--keep-hourly/daily/weekly/monthly [--dry-run]: keep what a
// retention policy keeps (restic's forget rules), naming for each revision the rules that keep it.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <sealstate/maintenance.h>

#include "cli/commands.h"
#include "cli/damaged_current.h"
#include "cli/duration.h"
#include "cli/global_options.h"
#include "cli/whole_number.h"
#include "cli/with_lock.h"

namespace sealstate::cli {
namespace {

struct PruneArgs {
  std::int64_t keep = 10;  // unobin's default
  bool dry_run = false;
  std::int64_t keep_last = 0;
  std::string keep_within = "0";  // as typed: the reasons quote it ("within 1h")
  std::int64_t keep_hourly = 0;
  std::int64_t keep_daily = 0;
  std::int64_t keep_weekly = 0;
  std::int64_t keep_monthly = 0;
  CLI::Option* keep_option = nullptr;
  std::vector<CLI::Option*> policy_options;  // --keep-last ... --keep-monthly
};

// True when a retention option was given: prune then plans by policy and explains each revision.
bool UsesPolicy(const PruneArgs& args) {
  return std::any_of(args.policy_options.begin(), args.policy_options.end(),
                     [](const CLI::Option* option) { return option->count() > 0; });
}

// The policy the options ask for. --keep N, given with a policy option, is --keep-last N.
RetentionPolicy PolicyOf(const PruneArgs& args) {
  const bool keep_given = args.keep_option->count() > 0;
  Result<std::chrono::milliseconds> within = ParseDuration(args.keep_within);  // checked by the option
  return {.keep_last = static_cast<std::size_t>(keep_given ? args.keep : args.keep_last),
          .keep_within = within.ok() ? *within : std::chrono::milliseconds(0),
          .keep_hourly = static_cast<std::size_t>(args.keep_hourly),
          .keep_daily = static_cast<std::size_t>(args.keep_daily),
          .keep_weekly = static_cast<std::size_t>(args.keep_weekly),
          .keep_monthly = static_cast<std::size_t>(args.keep_monthly)};
}

void WriteRevArray(internal::GoJsonWriter& w, const std::vector<std::string>& revs) {
  w.StartArray();
  for (const auto& rev : revs) w.String(rev);
  w.EndArray();
}

// The reasons that keep `decision`, joined by ", " ("current, last, within 1h").
std::string ReasonsText(const RetentionDecision& decision, const std::string& within_text) {
  std::string text;
  for (const RetentionReason& reason : decision.reasons) {
    text += (text.empty() ? "" : ", ") + DescribeRetentionReason(reason, within_text);
  }
  return text;
}

void WriteDecisions(internal::GoJsonWriter& w, const std::vector<RetentionDecision>& decisions,
                    const std::string& within_text) {
  w.StartArray();
  for (const RetentionDecision& decision : decisions) {
    w.StartObject();
    w.Key("rev");
    w.String(decision.rev);
    w.Key("keep");
    w.Bool(decision.kept());
    w.Key("reasons");
    w.StartArray();
    for (const RetentionReason& reason : decision.reasons) w.String(DescribeRetentionReason(reason, within_text));
    w.EndArray();
    w.EndObject();
  }
  w.EndArray();
}

// Without a policy (`decisions` null): one line per deleted revision, as prune always printed.
// With one: every revision, oldest first, with the rules that keep it or "remove"/"deleted".
void PrintRevisionLines(const Output& out, const PrunePlan& plan, const std::vector<RetentionDecision>* decisions,
                        const std::string& within_text, bool dry_run) {
  if (decisions == nullptr) {
    for (const auto& rev : plan.remove) out.Line((dry_run ? "would delete " : "deleted ") + rev);
    return;
  }
  for (const RetentionDecision& decision : *decisions) {
    out.Line(decision.kept() ? "keep " + decision.rev + ": " + ReasonsText(decision, within_text)
                             : (dry_run ? "remove " : "deleted ") + decision.rev);
  }
}

void PrintPlan(const Output& out, const PrunePlan& plan, const std::vector<RetentionDecision>* decisions,
               const std::string& within_text, bool dry_run) {
  for (const auto& stray : plan.strays) out.Warn("left alone: snapshots/" + stray + " is not a revision");
  if (!plan.damaged_current.ok()) out.Warn(DamagedCurrentWarning(plan.damaged_current));
  PrintRevisionLines(out, plan, decisions, within_text, dry_run);
  const std::string d = std::to_string(plan.remove.size());
  const std::string k = std::to_string(plan.keep.size());
  out.Line(dry_run ? "Would delete " + d + " snapshot(s), keep " + k + "."
                   : "Deleted " + d + " snapshot(s), kept " + k + ".");
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("dry-run");
    w.Bool(dry_run);
    w.Key("deleted");
    WriteRevArray(w, plan.remove);
    w.Key("kept");
    WriteRevArray(w, plan.keep);
    if (decisions != nullptr) {
      w.Key("revisions");
      WriteDecisions(w, *decisions, within_text);
    }
    if (!plan.strays.empty()) {
      w.Key("strays");
      WriteRevArray(w, plan.strays);
    }
    if (!plan.damaged_current.ok()) {
      w.Key("current-damaged");
      w.String(plan.damaged_current.message());
    }
    w.EndObject();
  });
}

int RunPrune(const GlobalOptions& g, const Output& out, const PruneArgs& args) {
  const bool by_policy = UsesPolicy(args);
  const RetentionPolicy policy =
      by_policy ? PolicyOf(args) : RetentionPolicy{.keep_last = static_cast<std::size_t>(args.keep)};
  if (by_policy && policy.Empty()) {
    return out.Usage(
        "every --keep-* rule is 0, which would keep only the current revision; give a rule above 0, or --keep 0 "
        "alone if that is what you want");
  }
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "prune");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  RetentionPlan plan;
  Status status = WithStackLock(**backend, *lock_options, [&](const std::string& lock_id) -> Status {
    SEALSTATE_ASSIGN_OR_RETURN(plan, PlanRetention(**backend, policy));
    if (args.dry_run) return Status::OK();
    ProgressLine progress(out, "pruning");
    return ExecutePrune(**backend, plan.prune, lock_id, progress.Callback());
  });
  if (!status.ok()) return out.Fail(status);
  PrintPlan(out, plan.prune, by_policy ? &plan.decisions : nullptr, args.keep_within, args.dry_run);
  return 0;
}

// Adds --keep-<name> N, a retention rule counted in whole numbers.
CLI::Option* AddRuleCount(CLI::App& prune, const std::string& name, std::int64_t& value, const std::string& help) {
  return prune.add_option("--keep-" + name, value, help)
      ->check(WholeNumberValidator("--keep-" + name, std::numeric_limits<std::int64_t>::max()))
      ->type_name("N");
}

void AddPolicyOptions(CLI::App& prune, PruneArgs& args) {
  CLI::Option* last = AddRuleCount(prune, "last", args.keep_last,
                                   "Keep the N newest revisions (combines with the other --keep-* rules)");
  CLI::Option* within = prune
                            .add_option("--keep-within", args.keep_within,
                                        "Keep the revisions at most DUR older than the newest (e.g. 1h, 90m)")
                            ->check(DurationValidator())
                            ->type_name("DUR");
  args.policy_options = {
      last,
      within,
      AddRuleCount(prune, "hourly", args.keep_hourly, "Keep the newest revision of each of the N newest hours (UTC)"),
      AddRuleCount(prune, "daily", args.keep_daily, "Keep the newest revision of each of the N newest days (UTC)"),
      AddRuleCount(prune, "weekly", args.keep_weekly,
                   "Keep the newest revision of each of the N newest ISO weeks (UTC, Monday to Sunday)"),
      AddRuleCount(prune, "monthly", args.keep_monthly,
                   "Keep the newest revision of each of the N newest months (UTC)"),
  };
  last->excludes(args.keep_option);
}

}  // namespace

void RegisterPrune(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<PruneArgs>();
  CLI::App* prune = app.add_subcommand(
      "prune", "Lock, keep current and the N newest revisions (or what the --keep-* rules keep), delete the rest");
  args->keep_option =
      prune->add_option("--keep", args->keep, "How many of the newest revisions to keep besides current")
          ->check(WholeNumberValidator("--keep", std::numeric_limits<std::int64_t>::max()))
          ->type_name("N")
          ->capture_default_str();
  AddPolicyOptions(*prune, *args);
  prune->add_flag("--dry-run", args->dry_run, "Print what would be deleted; delete nothing");
  SetStackCommand(prune, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunPrune(g, out, *args); });
}

}  // namespace sealstate::cli
