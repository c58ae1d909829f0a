// verify: read, open and validate every revision and the pointer; exit 5 on any problem.
#include <string>

#include <sealstate/maintenance.h>

#include "cli/commands.h"
#include "cli/exit_status.h"
#include "store/verify_report_json.h"

namespace sealstate::cli {
namespace {

void PrintReport(const Output& out, const VerifyReport& report) {
  for (const auto& problem : report.problems) out.Line(problem.rev + ": " + problem.status.message());
  for (const auto& stray : report.strays) out.Line("stray: snapshots/" + stray + " is not a revision (left alone)");
  for (const auto& note : report.notes) out.Line("note: " + note);
  out.Line("verified " + std::to_string(report.revisions) + " revisions, " + std::to_string(report.problems.size()) +
           " problems" + (report.strays.empty() ? "" : ", " + std::to_string(report.strays.size()) + " strays"));
  out.Document([&](internal::GoJsonWriter& w) { WriteVerifyReport(w, report, internal::EmptyStrays::kOmit); });
}

int RunVerify(const GlobalOptions& g, const Output& out) {
  auto backend = OpenStack(g, {.create = false, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto encrypter = CreateEncrypter(g);
  if (!encrypter.ok()) return out.Fail(encrypter.status());
  Result<VerifyReport> report = Status::Internal("verify did not run");
  {
    ProgressLine progress(out, "verifying");
    report = VerifyStack(**backend, progress.Callback(), {encrypter->get()});
  }
  if (!report.ok()) return out.Fail(report.status());
  PrintReport(out, *report);
  return report->problems.empty() ? kExitOk : kExitIntegrity;
}

}  // namespace

void RegisterVerify(CLI::App& app, CommandContext& context) {
  CLI::App* verify = app.add_subcommand("verify", "Read, decrypt and validate every revision and the pointer");
  SetStackCommand(verify, context, RunVerify);
}

}  // namespace sealstate::cli
