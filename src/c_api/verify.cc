// sealstate_verify: VerifyStack's report as a JSON object (the shape of `sealstate verify --json`).
#include <string>

#include <sealstate/maintenance.h>
#include <sealstate/stream.h>

#include "c_api/c_api_internal.h"
#include "json/go_json_writer.h"
#include "store/verify_report_json.h"

using sealstate::Status;
using namespace sealstate::internal;

namespace {

Status EncodeReport(const sealstate::VerifyReport& report, std::string& json) {
  sealstate::StringSink sink(json);
  GoJsonWriter w(sink, GoJsonWriter::Style::kCompact);
  WriteVerifyReport(w, report, EmptyStrays::kWrite);
  return w.Finish();
}

}  // namespace

extern "C" int sealstate_verify(sealstate_store* store, char** json_out, size_t* json_len, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(json_out, "sealstate_verify", "json_out"));
    ClearOutputs(json_out, json_len);
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(store, "sealstate_verify", "store"));
    SEALSTATE_ASSIGN_OR_RETURN(const sealstate::VerifyReport report,
                               sealstate::VerifyStack(*store->backend, nullptr, {store->encrypter.get()}));
    std::string json;
    SEALSTATE_RETURN_IF_ERROR(EncodeReport(report, json));
    HandOut(json, json_out, json_len);
    return Status::OK();
  });
}
