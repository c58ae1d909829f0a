// The JSON form of a VerifyReport, shared by the CLI's `verify --json` and the C ABI.
#pragma once

#include <sealstate/maintenance.h>

#include "json/go_json_writer.h"

namespace sealstate::internal {

// Whether the "strays" key is written when there are none.
enum class EmptyStrays { kOmit, kWrite };

// Writes {"revisions": N, "problems": [{"rev","code","message"}...], "strays": [...]}; "strays"
// is left out when there are none and `empty_strays` is kOmit.
void WriteVerifyReport(GoJsonWriter& w, const VerifyReport& report, EmptyStrays empty_strays);

}  // namespace sealstate::internal
