// Large decoded values the CLI is done with, left for the process's exit to reclaim.
#pragma once

#include <sealstate/snapshot.h>

namespace sealstate::cli {

// Keeps `snapshot` alive until the process exits instead of freeing it now: a decoded snapshot
// is hundreds of thousands of map nodes and strings (a 16 MiB state: about 750,000), and freeing
// them one by one took about an eighth of a 16 MiB `commit`, where the exit unmaps the heap at
// once. For a command's last use of a snapshot only (commit, show). It stays reachable (from a
// static pointer), so leak checkers do not report it.
void KeepUntilExit(Snapshot snapshot);

}  // namespace sealstate::cli
