#include "cli/damaged_current.h"

namespace sealstate::cli {

std::string DamagedCurrentWarning(const Status& damaged) {
  return "current is damaged (" + damaged.message() + "); repair it with: sealstate set-current REV";
}

}  // namespace sealstate::cli
