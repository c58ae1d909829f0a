// set-current, delete: moving the current pointer and removing one revision, under the lock.
#include <memory>
#include <optional>
#include <string>

#include <sealstate/backend.h>

#include "cli/commands.h"
#include "cli/with_lock.h"

namespace sealstate::cli {
namespace {

// Moves current to `rev` and returns the previous one ("" for none).
Result<std::string> MoveCurrent(Backend& backend, const std::string& rev) {
  std::string previous;
  auto current = backend.CurrentRev();
  if (current.ok()) {
    previous = *current;
  } else if (current.status().code() != Code::kNoCurrent) {
    return current.status();
  }
  SEALSTATE_RETURN_IF_ERROR(backend.SetCurrent(rev, previous));
  return previous;
}

void PrintMoved(const Output& out, const std::string& rev, const std::string& previous) {
  out.Line("current is now " + rev + " (was " + (previous.empty() ? "none" : previous) + ")");
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("rev");
    w.String(rev);
    w.Key("previous");
    if (previous.empty()) {
      w.Null();
    } else {
      w.String(previous);
    }
    w.EndObject();
  });
}

int RunSetCurrent(const GlobalOptions& g, const Output& out, const std::string& rev) {
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "set-current");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  std::string previous;
  Status status = WithStackLock(**backend, *lock_options, [&]() -> Status {
    SEALSTATE_ASSIGN_OR_RETURN(previous, MoveCurrent(**backend, rev));
    return Status::OK();
  });
  if (!status.ok()) return out.Fail(status);
  PrintMoved(out, rev, previous);
  return 0;
}

int RunDelete(const GlobalOptions& g, const Output& out, const std::string& rev) {
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "delete");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  Status status = WithStackLock(**backend, *lock_options, [&] { return (*backend)->Remove(rev); });
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
  auto set_rev = std::make_shared<std::string>();
  CLI::App* set_current = app.add_subcommand("set-current", "Lock, point current at REV (rollback or roll forward), unlock");
  set_current->add_option("rev", *set_rev, "Revision to make current")->required()->type_name("REV");
  SetStackCommand(set_current, context,
                  [set_rev](const GlobalOptions& g, const Output& out) { return RunSetCurrent(g, out, *set_rev); });

  auto delete_rev = std::make_shared<std::string>();
  CLI::App* remove = app.add_subcommand("delete", "Lock, delete one revision (never the current one), unlock");
  remove->add_option("rev", *delete_rev, "Revision to delete")->required()->type_name("REV");
  SetStackCommand(remove, context,
                  [delete_rev](const GlobalOptions& g, const Output& out) { return RunDelete(g, out, *delete_rev); });
}

}  // namespace sealstate::cli
