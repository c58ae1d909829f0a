#include "store/verify_report_json.h"

namespace sealstate::internal {

void WriteVerifyReport(GoJsonWriter& w, const VerifyReport& report, EmptyStrays empty_strays) {
  w.StartObject();
  w.Key("revisions");
  w.Uint(report.revisions);
  w.Key("problems");
  w.StartArray();
  for (const auto& problem : report.problems) {
    w.StartObject();
    w.Key("rev");
    w.String(problem.rev);
    w.Key("code");
    w.String(CodeName(problem.status.code()));
    w.Key("message");
    w.String(problem.status.message());
    w.EndObject();
  }
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
  w.EndObject();
}

}  // namespace sealstate::internal
