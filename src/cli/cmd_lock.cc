// lock-status, force-unlock, lock -- CMD: the stack lock. None needs the key; force-unlock and
// lock -- CMD use it when one is configured, so the journal lines they write are authenticated.
#include <memory>
#include <string>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/backend_registry.h>
#include <sealstate/maintenance.h>

#include "cli/child_process.h"
#include "cli/commands.h"
#include "cli/duration.h"
#include "cli/holder_format.h"
#include "cli/json_optional.h"
#include "cli/lock_operation.h"
#include "cli/signals.h"
#include "cli/time_format.h"

namespace sealstate::cli {
namespace {

// `loose` is what Backend::CheckPermissions found (PermissionScope::kStack).
void PrintLockInfo(const Output& out, const LockInfo& info, const std::vector<std::string>& loose) {
  out.Line(LockStateName(info.state));
  if (info.holder) {
    for (const auto& line : HolderLines(*info.holder)) out.Line(line);
  }
  if (info.state != LockState::kFree && !info.reason.empty()) out.Line("reason: " + info.reason);
  for (const auto& finding : loose) out.Line("permissions: " + finding);
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("state");
    w.String(LockStateName(info.state));
    w.Key("holder");
    WriteHolderJson(w, info.holder);
    w.Key("held-for-seconds");
    if (info.holder && !RecordsOnlyPid(*info.holder)) {
      w.Int(ElapsedSince(info.holder->created).count() / 1000);
    } else {
      w.Null();
    }
    w.Key("reason");
    w.String(info.reason);
    w.Key("permissions");
    w.StartArray();
    for (const auto& finding : loose) w.String(finding);
    w.EndArray();
    w.EndObject();
  });
}

int RunLockStatus(const GlobalOptions& g, const Output& out) {
  auto backend = OpenStack(g, {.create = false, .need_key = false});
  if (!backend.ok()) return out.Fail(backend.status());
  auto info = (*backend)->GetLockInfo();
  if (!info.ok()) return out.Fail(info.status());
  // The lock state matters most here: a failed permission check is shown, not fatal.
  auto loose = (*backend)->CheckPermissions(PermissionScope::kStack);
  PrintLockInfo(out, *info,
                loose.ok() ? *loose : std::vector<std::string>{"could not check: " + loose.status().message()});
  return 0;
}

struct ForceUnlockArgs {
  std::string id;
  bool force = false;
};

// The command line that breaks the lock now held: with --id when the holder has one, else
// with --force.
std::string BreakCommand(const GlobalOptions& g, const Backend& backend, const std::optional<LockHolder>& holder) {
  std::string command = "sealstate";
  if (!g.backend.empty()) {
    command += " --backend " + ShellQuote(RedactSpec(g.backend));
  } else if (auto root = ResolvedRoot(g); root.ok()) {
    command += " --root " + ShellQuote(*root);
  }
  command +=
      " --factory " + ShellQuote(backend.factory()) + " --stack " + ShellQuote(backend.stack()) + " force-unlock";
  if (holder && !holder->lock_id.empty()) return command + " --id " + holder->lock_id;
  return command + " --force";
}

// The library's refusal, followed by the exact command that would break the lock now held.
// `given_id` is the --id that did not match, if any.
Status ExplainRefusal(const GlobalOptions& g, Backend& backend, const Status& refusal, const std::string& given_id) {
  auto info = backend.GetLockInfo();
  const std::optional<LockHolder> holder = info.ok() ? info->holder : std::nullopt;
  const std::string command = BreakCommand(g, backend, holder);
  return refusal.WithSuffix(given_id.empty() ? ": " + command : "; to break the current holder's lock: " + command);
}

void PrintForceUnlock(const Output& out, const ForceUnlockOutcome& outcome) {
  if (!outcome.removed) {
    out.Line("no lock");
  } else if (outcome.holder) {
    std::string line = "removed the lock of " + HolderName(*outcome.holder);
    if (!outcome.holder->lock_id.empty()) line += " (lock id " + outcome.holder->lock_id + ")";
    out.Line(line);
  } else {
    out.Line("removed an unreadable lock marker");
  }
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("removed");
    w.Bool(outcome.removed);
    w.Key("state");
    w.String(LockStateName(outcome.state));
    w.Key("holder");
    WriteHolderJson(w, outcome.holder);
    w.EndObject();
  });
}

int RunForceUnlock(const GlobalOptions& g, const Output& out, const ForceUnlockArgs& args) {
  auto backend = OpenStack(g, {.create = false, .need_key = KeyConfigured(g)});
  if (!backend.ok()) return out.Fail(backend.status());
  auto outcome = ForceUnlockWithPolicy(**backend, args.id, args.force);
  if (!outcome.ok() && outcome.status().code() == Code::kLocked) {
    return out.Fail(ExplainRefusal(g, **backend, outcome.status(), args.id));
  }
  if (!outcome.ok()) return out.Fail(outcome.status());
  PrintForceUnlock(out, *outcome);
  return 0;
}

struct LockArgs {
  std::string timeout;
  std::vector<std::string> command;
};

// With --json, after the child ended: {"lock-id":ID,"exit-status":N,"signal":SIG|null,
// "released":BOOL,"release-error":MSG|null}.
void PrintLockRun(const Output& out, const std::string& lock_id, const ChildExit& ended, const Status& unlocked) {
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("lock-id");
    w.String(lock_id);
    w.Key("exit-status");
    w.Int(ended.exit_status);
    w.Key("signal");
    if (ended.signal) {
      w.Int(*ended.signal);
    } else {
      w.Null();
    }
    w.Key("released");
    w.Bool(unlocked.ok());
    w.Key("release-error");
    WriteStringOrNull(w, unlocked.ok() ? std::string() : unlocked.message());
    w.EndObject();
  });
}

int RunLock(const GlobalOptions& g, const Output& out, const LockArgs& args) {
  auto backend = OpenStack(g, {.create = true, .need_key = KeyConfigured(g)});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, LockOperationFor(args.command), args.timeout);
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  InstallSignalHandlers();
  auto lock = (*backend)->AcquireLock(*lock_options);
  if (!lock.ok()) return out.Fail(lock.status());
  auto ended = RunChild(args.command);
  Status unlocked = (*lock)->Unlock();
  if (!ended.ok()) return out.Fail(ended.status());
  if (!unlocked.ok()) out.Warn("releasing the lock after the command: " + unlocked.message());
  PrintLockRun(out, (*lock)->id(), *ended, unlocked);
  return ended->exit_status;
}

void RegisterForceUnlock(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<ForceUnlockArgs>();
  CLI::App* command = app.add_subcommand(
      "force-unlock", "Remove a stale lock; a live or unknown holder only with --id ID or --force (journaled)");
  command->add_option("--id", args->id, "Break the lock only if the holder's lock id is LOCK_ID")->type_name("LOCK_ID");
  command->add_flag("--force", args->force, "Break a live or unknown holder's lock");
  SetStackCommand(command, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunForceUnlock(g, out, *args); });
}

void RegisterLockRun(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<LockArgs>();
  CLI::App* command = app.add_subcommand("lock", "Hold the stack lock while CMD runs; exit with its status");
  command->add_option("--timeout", args->timeout, "How long to wait for the lock (overrides --lock-timeout)")
      ->type_name("DUR")
      ->check(DurationValidator());
  command->add_option("command", args->command, "The command and its arguments, after --")
      ->required()
      ->type_name("CMD [ARGS...]");
  SetStackCommand(command, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunLock(g, out, *args); });
}

}  // namespace

void RegisterLockCommands(CLI::App& app, CommandContext& context) {
  CLI::App* status = app.add_subcommand("lock-status", "Print free, held, stale or unknown, and the holder");
  SetStackCommand(status, context, RunLockStatus);
  RegisterForceUnlock(app, context);
  RegisterLockRun(app, context);
}

}  // namespace sealstate::cli
