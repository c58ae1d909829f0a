// The JSON form of a VerifyReport, shared by the CLI's `verify --json` and the C ABI.
#pragma once

#include <sealstate/maintenance.h>

#include "json/go_json_writer.h"

namespace sealstate::internal {

// Whether the "strays" key is written when there are none.
enum class EmptyStrays { kOmit, kWrite };

// Writes {"revisions": N, "problems": [{"rev","code","message"}...], "strays": [...]}; "strays"
// is left out when there are none and `empty_strays` is kOmit. With `chain` (verify --chain),
// its problems follow the report's in "problems", and "chain" follows: {"revisions": [newest
// first], "end": ChainEndName, "pruned-parent": REV (only for kPruned), "never-current":
// [oldest first], "off-chain": [oldest first]}.
void WriteVerifyReport(GoJsonWriter& w, const VerifyReport& report, EmptyStrays empty_strays,
                       const ChainReport* chain = nullptr);

}  // namespace sealstate::internal
