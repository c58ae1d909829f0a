// prune --keep N [--dry-run]: keep the current revision and the N newest, delete the rest.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <sealstate/maintenance.h>

#include "cli/commands.h"
#include "cli/damaged_current.h"
#include "cli/whole_number.h"
#include "cli/with_lock.h"

namespace sealstate::cli {
namespace {

struct PruneArgs {
  std::int64_t keep = 10;  // unobin's default
  bool dry_run = false;
};

void WriteRevArray(internal::GoJsonWriter& w, const std::vector<std::string>& revs) {
  w.StartArray();
  for (const auto& rev : revs) w.String(rev);
  w.EndArray();
}

void PrintPlan(const Output& out, const PrunePlan& plan, bool dry_run) {
  for (const auto& stray : plan.strays) out.Warn("left alone: snapshots/" + stray + " is not a revision");
  if (!plan.damaged_current.ok()) out.Warn(DamagedCurrentWarning(plan.damaged_current));
  for (const auto& rev : plan.remove) out.Line((dry_run ? "would delete " : "deleted ") + rev);
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
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "prune");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  PrunePlan plan;
  Status status = WithStackLock(**backend, *lock_options, [&](const std::string& lock_id) -> Status {
    SEALSTATE_ASSIGN_OR_RETURN(plan, PlanPrune(**backend, static_cast<std::size_t>(args.keep)));
    if (args.dry_run) return Status::OK();
    ProgressLine progress(out, "pruning");
    return ExecutePrune(**backend, plan, lock_id, progress.Callback());
  });
  if (!status.ok()) return out.Fail(status);
  PrintPlan(out, plan, args.dry_run);
  return 0;
}

}  // namespace

void RegisterPrune(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<PruneArgs>();
  CLI::App* prune = app.add_subcommand("prune", "Lock, keep current and the N newest revisions, delete the rest");
  prune->add_option("--keep", args->keep, "How many of the newest revisions to keep besides current")
      ->check(WholeNumberValidator("--keep", std::numeric_limits<std::int64_t>::max()))
      ->type_name("N")
      ->capture_default_str();
  prune->add_flag("--dry-run", args->dry_run, "Print what would be deleted; delete nothing");
  SetStackCommand(prune, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunPrune(g, out, *args); });
}

}  // namespace sealstate::cli
