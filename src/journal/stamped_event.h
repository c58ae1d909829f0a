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

// What a "write" event records about the revision written (the JournalEvent members of the same
// names).
struct WrittenFacts {
  std::int64_t envelope_version = 0;
  std::int64_t size = -1;
  std::int64_t entries = -1;
  std::string operation;
};

// The "write" event of `rev` under `lock_id`, stamped as StampedEvent stamps, with `facts`.
JournalEvent StampedWriteEvent(const ProcessIdentity& self, std::string rev, std::string lock_id, WrittenFacts facts);

}  // namespace sealstate::internal
