// copy --to SPEC: the stack, every revision byte for byte, its journal and current, to another
// backend (copy.h).
#include <memory>
#include <string>

#include <sealstate/backend_registry.h>
#include <sealstate/copy.h>

#include "cli/commands.h"
#include "cli/json_optional.h"
#include "cli/signals.h"

namespace sealstate::cli {
namespace {

void PrintCopy(const Output& out, const std::string& shown_target, const CopyReport& report) {
  out.Line("copied " + std::to_string(report.copied) + " revisions to " + shown_target + " (" +
           std::to_string(report.skipped) + " were there already), " + std::to_string(report.journal_events) +
           " journal events; current: " + (report.current.empty() ? std::string("none") : report.current) +
           "; the target verified");
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("to");
    w.String(shown_target);
    w.Key("revisions");
    w.Uint(report.revisions);
    w.Key("copied");
    w.Uint(report.copied);
    w.Key("skipped");
    w.Uint(report.skipped);
    w.Key("journal-events");
    w.Uint(report.journal_events);
    w.Key("current");
    WriteStringOrNull(w, report.current);
    w.Key("verified");
    w.Bool(true);
    w.EndObject();
  });
}

int RunCopy(const GlobalOptions& g, const Output& given_out, const std::string& target_spec) {
  const Output out = given_out.Redacting(target_spec);
  // The source's key is never needed (envelopes are copied as stored); the target's is: its
  // current is set and every revision verified with it.
  auto from = OpenStack(g, {.create = false, .need_key = false});
  if (!from.ok()) return out.Fail(from.status());
  auto to = OpenStackAt(g, target_spec, {.create = true, .need_key = true});
  if (!to.ok()) return out.Fail(to.status().WithPrefix("the target: "));
  auto lock = MakeLockOptions(g, "copy");
  if (!lock.ok()) return out.Fail(lock.status());
  InstallSignalHandlers();
  Result<CopyReport> report = Status::Internal("copy did not run");
  {
    ProgressLine progress(out, "copying");
    report = CopyStack(
        **from, **to,
        CopyOptions{
            .from_name = BackendSpec(g), .to_name = target_spec, .lock = *lock, .progress = progress.Callback()});
  }
  if (!report.ok()) return out.Fail(report.status());
  PrintCopy(out, RedactSpec(target_spec), *report);
  return 0;
}

}  // namespace

void RegisterCopy(CLI::App& app, CommandContext& context) {
  auto target = std::make_shared<std::string>();
  CLI::App* command = app.add_subcommand(
      "copy", "Copy the stack (revisions byte for byte, journal, current) to another backend; resumable, verified");
  command->add_option("--to", *target, "The target backend spec, e.g. postgres://host/db")
      ->required()
      ->type_name("SPEC");
  SetStackCommand(command, context,
                  [target](const GlobalOptions& g, const Output& out) { return RunCopy(g, out, *target); });
}

}  // namespace sealstate::cli
