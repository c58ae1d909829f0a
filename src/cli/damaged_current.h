// What the recovery commands (list, prune) say when the `current` pointer is damaged.
#pragma once

#include <string>

#include <sealstate/status.h>

namespace sealstate::cli {

// "current is damaged (<why>); repair it with: sealstate set-current REV", for the warning line.
// `damaged` is the kIntegrity error reading the pointer gave. REQUIRES: !damaged.ok().
std::string DamagedCurrentWarning(const Status& damaged);

}  // namespace sealstate::cli
