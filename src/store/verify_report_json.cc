#include "store/verify_report_json.h"

namespace sealstate::internal {
namespace {

void WriteProblems(GoJsonWriter& w, const std::vector<VerifyProblem>& problems) {
  for (const auto& problem : problems) {
    w.StartObject();
    w.Key("rev");
    w.String(problem.rev);
    w.Key("code");
    w.String(CodeName(problem.status.code()));
    w.Key("message");
    w.String(problem.status.message());
    w.EndObject();
  }
}

void WriteRevisionArray(GoJsonWriter& w, std::string_view key, const std::vector<std::string>& revs) {
  w.Key(key);
  w.StartArray();
  for (const auto& rev : revs) w.String(rev);
  w.EndArray();
}

void WriteChain(GoJsonWriter& w, const ChainReport& chain) {
  w.Key("chain");
  w.StartObject();
  WriteRevisionArray(w, "revisions", chain.chain);
  w.Key("end");
  w.String(ChainEndName(chain.end));
  if (chain.end == ChainEnd::kPruned) {
    w.Key("pruned-parent");
    w.String(chain.pruned_parent);
  }
  WriteRevisionArray(w, "never-current", chain.never_current);
  WriteRevisionArray(w, "off-chain", chain.off_chain);
  w.EndObject();
}

}  // namespace

void WriteVerifyReport(GoJsonWriter& w, const VerifyReport& report, EmptyStrays empty_strays,
                       const ChainReport* chain) {
  w.StartObject();
  w.Key("revisions");
  w.Uint(report.revisions);
  w.Key("problems");
  w.StartArray();
  WriteProblems(w, report.problems);
  if (chain != nullptr) WriteProblems(w, chain->problems);
  w.EndArray();
  if (!report.strays.empty() || empty_strays == EmptyStrays::kWrite) {
    w.Key("strays");
    w.StartArray();
    for (const auto& stray : report.strays) w.String(stray);
    w.EndArray();
  }
  if (!report.notes.empty()) {
    w.Key("notes");
    w.StartArray();
    for (const auto& note : report.notes) w.String(note);
    w.EndArray();
  }
  if (chain != nullptr) WriteChain(w, *chain);
  w.EndObject();
}

}  // namespace sealstate::internal
