#include "cli/exit_status.h"

namespace sealstate::cli {

int ExitStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return kExitOk;
    case Code::kInvalidArgument: return kExitUsage;
    case Code::kNotFound:
    case Code::kNoCurrent: return kExitNotFound;
    case Code::kLocked: return kExitLocked;
    case Code::kIncomplete: return kExitIncomplete;
    case Code::kWrongKey:
    case Code::kIntegrity:
    case Code::kFormat: return kExitIntegrity;
    default: return kExitFailure;
  }
}

}  // namespace sealstate::cli
