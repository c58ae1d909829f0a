// KeepUntilExit: see keep_until_exit.h.
#include "cli/keep_until_exit.h"

#include <utility>
#include <vector>

namespace sealstate::cli {

void KeepUntilExit(Snapshot snapshot) {
  // Never destroyed: a pointer in static storage, so the snapshots stay reachable to the end.
  static auto* kept = new std::vector<Snapshot>();
  kept->push_back(std::move(snapshot));
}

}  // namespace sealstate::cli
