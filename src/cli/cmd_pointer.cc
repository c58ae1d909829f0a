// set-current (and its --dry-run), delete: moving the current pointer and removing one revision, under the lock.
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <sealstate/backend.h>
#include <sealstate/snapshot_diff.h>

#include "cli/commands.h"
#include "cli/damaged_current.h"
#include "cli/diff_format.h"
#include "cli/json_optional.h"
#include "cli/with_lock.h"

namespace sealstate::cli {
namespace {

// The arguments of set-current.
struct SetCurrentArgs {
  std::string rev;
  bool dry_run = false;      // --dry-run
  bool show_values = false;  // --show-values (with --dry-run)
};

// What set-current replaced.
struct Replaced {
  std::string previous;  // the previous revision, "" for none or a damaged pointer
  Status damaged;        // why the previous pointer could not be read (kIntegrity), or OK
};

// Moves current to `rev` under the lock `lock_id`: compared with the previous revision, or, when
// the pointer is damaged, replaced (the library journals the repair).
Result<Replaced> MoveCurrent(Backend& backend, const std::string& rev, const std::string& lock_id) {
  Replaced replaced;
  auto current = backend.CurrentRev();
  if (current.ok()) {
    replaced.previous = *current;
  } else if (current.status().code() == Code::kIntegrity) {
    replaced.damaged = current.status();
  } else if (current.status().code() != Code::kNoCurrent) {
    return current.status();
  }
  SetCurrentOptions options{.expected_current = std::nullopt, .lock_id = lock_id};
  if (replaced.damaged.ok()) options.expected_current = replaced.previous;
  SEALSTATE_RETURN_IF_ERROR(backend.SetCurrent(rev, options));
  return replaced;
}

void PrintMoved(const Output& out, const std::string& rev, const Replaced& replaced) {
  const std::string was = !replaced.damaged.ok() ? "a damaged pointer: " + replaced.damaged.message()
                                                 : (replaced.previous.empty() ? "none" : replaced.previous);
  out.Line("current is now " + rev + " (was " + was + ")");
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("rev");
    w.String(rev);
    w.Key("previous");
    WriteStringOrNull(w, replaced.previous);
    if (!replaced.damaged.ok()) {
      w.Key("repaired");
      w.String(replaced.damaged.message());
    }
    w.EndObject();
  });
}

int RunSetCurrent(const GlobalOptions& g, const Output& out, const std::string& rev) {
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "set-current");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  Replaced replaced;
  Status status = WithStackLock(**backend, *lock_options, [&](const std::string& lock_id) -> Status {
    SEALSTATE_ASSIGN_OR_RETURN(replaced, MoveCurrent(**backend, rev, lock_id));
    return Status::OK();
  });
  if (!status.ok()) return out.Fail(status);
  PrintMoved(out, rev, replaced);
  return 0;
}

// The current snapshot for --dry-run, and its revision ("" and an empty snapshot when there is
// none, or when the pointer is damaged: a warning says so, and set-current would replace it).
Result<std::pair<std::string, Snapshot>> CurrentForDryRun(Backend& backend, const Output& out) {
  auto current = backend.CurrentRev();
  if (!current.ok() && current.status().code() == Code::kNoCurrent) return std::pair(std::string(), Snapshot());
  if (!current.ok() && current.status().code() == Code::kIntegrity) {
    out.Warn(DamagedCurrentWarning(current.status()));
    return std::pair(std::string(), Snapshot());
  }
  if (!current.ok()) return current.status();
  auto snapshot = backend.Get(*current);
  if (!snapshot.ok()) return snapshot.status().WithPrefix("set-current --dry-run: current revision " + *current + ": ");
  return std::pair(*current, std::move(*snapshot));
}

// set-current --dry-run: reads current and `rev` and prints the diff between them. Takes no lock,
// moves nothing, journals nothing.
int RunSetCurrentDryRun(const GlobalOptions& g, const Output& out, const std::string& rev, bool show_values) {
  auto backend = OpenStack(g, {.create = false, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto target = (*backend)->Get(rev);
  if (!target.ok()) return out.Fail(target.status().WithPrefix("set-current " + rev + ": "));
  auto current = CurrentForDryRun(**backend, out);
  if (!current.ok()) return out.Fail(current.status());
  const DiffSides sides{current->first, rev};
  const SnapshotDiff diff = DiffSnapshots(current->second, *target);
  out.Line("dry run: set-current " + rev + " would move current from " +
           (sides.from.empty() ? std::string("none") : sides.from) + " to " + rev + "; nothing was changed");
  if (!out.json()) PrintDiffText(out, sides, diff, show_values);
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("dry-run");
    w.Bool(true);
    w.Key("rev");
    w.String(rev);
    w.Key("previous");
    WriteStringOrNull(w, sides.from);
    w.Key("diff");
    WriteDiffJson(w, sides, diff, show_values);
    w.EndObject();
  });
  return 0;
}

int RunDelete(const GlobalOptions& g, const Output& out, const std::string& rev) {
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "delete");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  Status status = WithStackLock(**backend, *lock_options,
                                [&](const std::string& lock_id) { return (*backend)->Remove(rev, lock_id); });
  if (!status.ok()) return out.Fail(status);
  out.Line("deleted " + rev);
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("deleted");
    w.String(rev);
    w.EndObject();
  });
  return 0;
}

}  // namespace

void RegisterPointerCommands(CLI::App& app, CommandContext& context) {
  auto set_args = std::make_shared<SetCurrentArgs>();
  CLI::App* set_current =
      app.add_subcommand("set-current", "Lock, point current at REV (rollback or roll forward), unlock");
  set_current->add_option("rev", set_args->rev, "Revision to make current")->required()->type_name("REV");
  set_current->add_flag("--dry-run", set_args->dry_run,
                        "Print the diff from the current revision to REV; take no lock, change nothing");
  set_current->add_flag("--show-values", set_args->show_values,
                        "With --dry-run: print the values of sensitive keys too");
  SetStackCommand(set_current, context, [set_args](const GlobalOptions& g, const Output& out) {
    if (set_args->dry_run) return RunSetCurrentDryRun(g, out, set_args->rev, set_args->show_values);
    if (set_args->show_values) return out.Usage("set-current: --show-values needs --dry-run (it prints no values)");
    return RunSetCurrent(g, out, set_args->rev);
  });

  auto delete_rev = std::make_shared<std::string>();
  CLI::App* remove = app.add_subcommand("delete", "Lock, delete one revision (never the current one), unlock");
  remove->add_option("rev", *delete_rev, "Revision to delete")->required()->type_name("REV");
  SetStackCommand(remove, context,
                  [delete_rev](const GlobalOptions& g, const Output& out) { return RunDelete(g, out, *delete_rev); });
}

}  // namespace sealstate::cli
