// verify: read, open and validate every revision and the pointer; with --chain, also walk the
// parent links from current. Exit 5 on any problem.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>

#include <sealstate/maintenance.h>

#include "cli/commands.h"
#include "cli/exit_status.h"
#include "store/verify_report_json.h"

namespace sealstate::cli {
namespace {

struct VerifyArgs {
  bool chain = false;
};

// Drops the chain's problems that the report has already (a current naming a missing revision
// is found by both).
void DropReported(const VerifyReport& report, ChainReport& chain) {
  std::erase_if(chain.problems, [&](const VerifyProblem& found) {
    return std::any_of(report.problems.begin(), report.problems.end(), [&](const VerifyProblem& reported) {
      return reported.rev == found.rev && reported.status.message() == found.status.message();
    });
  });
}

std::string Joined(const std::vector<std::string>& revs) {
  std::string text;
  for (const auto& rev : revs) text += (text.empty() ? "" : ", ") + rev;
  return text;
}

void PrintChain(const Output& out, const ChainReport& chain) {
  for (const auto& problem : chain.problems) out.Line(problem.rev + ": " + problem.status.message());
  if (chain.end == ChainEnd::kNoCurrent) {
    out.Line("chain: no current revision, nothing to walk");
  } else if (!chain.chain.empty()) {
    std::string line = "chain: " + std::to_string(chain.chain.size()) + " revisions from current " +
                       chain.chain.front() + " back to " + chain.chain.back() + " (" +
                       std::string(ChainEndName(chain.end));
    if (chain.end == ChainEnd::kPruned) line += " " + chain.pruned_parent + ", removed through sealstate";
    out.Line(line + ")");
  }
  if (!chain.never_current.empty())
    out.Line("chain: never current (written, not committed): " + Joined(chain.never_current));
  if (!chain.off_chain.empty()) {
    out.Line("chain: off the chain (current once: left by a rollback, or older than the walk): " +
             Joined(chain.off_chain));
  }
}

void PrintReport(const Output& out, const VerifyReport& report, const std::optional<ChainReport>& chain) {
  for (const auto& problem : report.problems) out.Line(problem.rev + ": " + problem.status.message());
  for (const auto& stray : report.strays) out.Line("stray: snapshots/" + stray + " is not a revision (left alone)");
  for (const auto& note : report.notes) out.Line("note: " + note);
  if (chain) PrintChain(out, *chain);
  const std::size_t problems = report.problems.size() + (chain ? chain->problems.size() : 0);
  out.Line("verified " + std::to_string(report.revisions) + " revisions, " + std::to_string(problems) + " problems" +
           (report.strays.empty() ? "" : ", " + std::to_string(report.strays.size()) + " strays"));
  out.Document([&](internal::GoJsonWriter& w) {
    WriteVerifyReport(w, report, internal::EmptyStrays::kOmit, chain ? &*chain : nullptr);
  });
}

int RunVerify(const GlobalOptions& g, const Output& out, const VerifyArgs& args) {
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
  std::optional<ChainReport> chain;
  if (args.chain) {
    Result<ChainReport> walked = Status::Internal("verify --chain did not run");
    {
      ProgressLine progress(out, "walking the chain");
      walked = VerifyChain(**backend, progress.Callback());
    }
    if (!walked.ok()) return out.Fail(walked.status());
    chain = std::move(*walked);
    DropReported(*report, *chain);
  }
  PrintReport(out, *report, chain);
  const bool clean = report->problems.empty() && (!chain || chain->problems.empty());
  return clean ? kExitOk : kExitIntegrity;
}

}  // namespace

void RegisterVerify(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* verify = app.add_subcommand("verify", "Read, decrypt and validate every revision and the pointer");
  verify->add_flag("--chain", args->chain,
                   "Also walk the parent links from current back and report a deleted, swapped or reordered revision");
  SetStackCommand(verify, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunVerify(g, out, *args); });
}

}  // namespace sealstate::cli
