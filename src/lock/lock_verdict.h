// The verdict on a lock marker: free, held, stale or unknown. A pure function of what was seen,
// so every branch can be tested with fake processes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include <sealstate/lock.h>
#include <sealstate/status.h>

#include "lock/lock_record.h"
#include "lock/process_identity.h"

namespace sealstate::internal {

// The verdict on a marker with the record as the local store reads it (lock.h's LockInfo carries
// the generic holder).
struct MarkerInfo {
  LockState state = LockState::kFree;
  std::optional<MarkerHolder> holder;  // absent when free or when the record cannot be parsed
  std::string reason;                  // why this verdict, for people ("pid 4242 is gone", ...)
};

// The public verdict: the same, with the generic holder record (ToLockHolder).
LockInfo ToLockInfo(const MarkerInfo& info);

// The start time of a live process on this host; nullopt when it is gone; 0 when unknown
// (ProcessProbe::StartTimeOf).
using StartTimeLookup = std::function<std::optional<std::uint64_t>(std::int64_t pid)>;

// Classifies a marker.
//   marker: nullopt when there is no marker; else the parsed record or its parse error.
//   ofd_held_elsewhere: another open file description holds the marker's OFD lock.
//   self: this process (its host and boot decide whether pids are comparable).
// Rules, in order: no marker = free; OFD held = held; unreadable, bare pid (unobin), other host
// or unknown boot id = unknown; other boot = stale; pid gone = stale; pid reused (start time
// differs, both known) = stale; otherwise (alive, yet no OFD lock) = held, conservatively.
// The holder is filled in whenever the record parsed; the reason is for people.
MarkerInfo ClassifyLock(const std::optional<Result<MarkerHolder>>& marker, bool ofd_held_elsewhere,
                        const ProcessIdentity& self, const StartTimeLookup& start_time_of);

}  // namespace sealstate::internal
