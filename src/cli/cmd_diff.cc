// diff [REV_A] [REV_B]: what changed from one revision to another; by default from the revision
// that was current before the last move of the pointer (the journal says which) to the current one.
#include <memory>
#include <string>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/snapshot_diff.h>

#include "cli/commands.h"
#include "cli/diff_format.h"

namespace sealstate::cli {
namespace {

struct DiffArgs {
  std::vector<std::string> revs;  // 0, 1 or 2 revisions as given
  bool show_values = false;       // --show-values
};

// The newest revision other than `current` that a set-current event of the journal names: what
// current named before it last moved. Errors: kNotFound when there is none; the journal's.
Result<std::string> PreviousCurrent(Backend& backend, const std::string& current) {
  SEALSTATE_ASSIGN_OR_RETURN(auto events, backend.Journal(0));
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    if (it->event == "set-current" && !it->rev.empty() && it->rev != current) return it->rev;
  }
  return Status::NotFound("the journal names no previous current revision (current " + current +
                          " is the only one it was ever set to); name the revisions to compare: sealstate diff "
                          "REV_A [REV_B]");
}

// The revisions to compare, as diff's arguments and defaults say.
Result<DiffSides> ResolveSides(Backend& backend, const std::vector<std::string>& revs) {
  if (revs.size() == 2) return DiffSides{revs[0], revs[1]};
  SEALSTATE_ASSIGN_OR_RETURN(std::string current, backend.CurrentRev());
  if (revs.size() == 1) return DiffSides{revs[0], current};
  SEALSTATE_ASSIGN_OR_RETURN(std::string previous, PreviousCurrent(backend, current));
  return DiffSides{previous, current};
}

int RunDiff(const GlobalOptions& g, const Output& out, const DiffArgs& args) {
  auto backend = OpenStack(g, {.create = false, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto sides = ResolveSides(**backend, args.revs);
  if (!sides.ok()) return out.Fail(sides.status());
  auto from = (*backend)->Get(sides->from);
  if (!from.ok() && args.revs.empty()) {
    return out.Fail(
        from.status().WithPrefix("the previous current revision " + sides->from + " (named by the journal): "));
  }
  if (!from.ok()) return out.Fail(from.status());
  auto to = (*backend)->Get(sides->to);
  if (!to.ok()) return out.Fail(to.status());
  const SnapshotDiff diff = DiffSnapshots(*from, *to);
  if (!out.json()) PrintDiffText(out, *sides, diff, args.show_values);
  out.Document([&](internal::GoJsonWriter& w) { WriteDiffJson(w, *sides, diff, args.show_values); });
  return 0;
}

}  // namespace

void RegisterDiff(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* diff = app.add_subcommand(
      "diff", "Show what changed from REV_A to REV_B (default: from the previous current to the current one)");
  diff->add_option("revs", args->revs, "REV_A (default: the previous current), REV_B (default: current)")
      ->expected(0, 2)
      ->type_name("REV");
  diff->add_flag("--show-values", args->show_values, "Print the values of sensitive keys too");
  SetStackCommand(diff, context, [args](const GlobalOptions& g, const Output& out) { return RunDiff(g, out, *args); });
}

}  // namespace sealstate::cli
