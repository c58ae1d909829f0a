// A journal event stamped with who makes it, as every backend records its own events.
#pragma once

#include <cstdint>
#include <string>

#include <sealstate/backend.h>

#include "lock/process_identity.h"

namespace sealstate::internal {

// The event with actor "USER@HOST" and pid from `self`; seq and time are left for the journal
// to assign. `envelope_version`: see JournalEvent (for "write" events; else 0).
JournalEvent StampedEvent(const ProcessIdentity& self, std::string event, std::string rev, std::string lock_id,
                          std::string detail, std::int64_t envelope_version = 0);

}  // namespace sealstate::internal
