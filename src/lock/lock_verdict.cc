#include "lock/lock_verdict.h"

#include <string>

namespace sealstate {

std::string_view LockStateName(LockState state) {
  switch (state) {
    case LockState::kFree: return "free";
    case LockState::kHeld: return "held";
    case LockState::kStale: return "stale";
    case LockState::kUnknown: return "unknown";
  }
  return "unknown";
}

}  // namespace sealstate

namespace sealstate::internal {

LockInfo ToLockInfo(const MarkerInfo& info) {
  LockInfo out;
  out.state = info.state;
  if (info.holder) out.holder = ToLockHolder(*info.holder);
  out.reason = info.reason;
  return out;
}

namespace {

MarkerInfo Verdict(LockState state, std::optional<MarkerHolder> holder, std::string reason) {
  MarkerInfo info;
  info.state = state;
  info.holder = std::move(holder);
  info.reason = std::move(reason);
  return info;
}

std::string PidText(const MarkerHolder& holder) { return "pid " + std::to_string(holder.pid); }

// A complete sealstate record from this host and boot whose OFD lock is free: is its pid alive?
MarkerInfo ClassifyByProcess(const MarkerHolder& holder, const StartTimeLookup& start_time_of) {
  const std::optional<std::uint64_t> start_time = start_time_of(holder.pid);
  if (!start_time) return Verdict(LockState::kStale, holder, PidText(holder) + " is gone");
  const bool both_known = *start_time != 0 && holder.start_time != 0;
  if (both_known && *start_time != holder.start_time) {
    return Verdict(LockState::kStale, holder, PidText(holder) + " was reused by another process");
  }
  return Verdict(LockState::kHeld, holder,
                 PidText(holder) + " is alive (its lock on the marker is not held; treated as held)");
}

MarkerInfo ClassifyRecord(const MarkerHolder& holder, const ProcessIdentity& self,
                          const StartTimeLookup& start_time_of) {
  if (holder.bare_pid) {
    return Verdict(LockState::kUnknown, holder,
                   "bare " + PidText(holder) + " (unobin): cannot prove the holder is dead");
  }
  if (holder.host != self.host) {
    return Verdict(LockState::kUnknown, holder,
                   "held on another host (" + holder.host + "): cannot check its process from here");
  }
  if (holder.boot_id.empty() || self.boot_id.empty()) {
    return Verdict(LockState::kUnknown, holder, "boot id unknown: cannot compare " + PidText(holder));
  }
  if (holder.boot_id != self.boot_id) return Verdict(LockState::kStale, holder, "held by a previous boot");
  return ClassifyByProcess(holder, start_time_of);
}

}  // namespace

MarkerInfo ClassifyLock(const std::optional<Result<MarkerHolder>>& marker, bool ofd_held_elsewhere,
                        const ProcessIdentity& self, const StartTimeLookup& start_time_of) {
  if (!marker) return Verdict(LockState::kFree, std::nullopt, "no lock marker");
  std::optional<MarkerHolder> holder;
  if (marker->ok()) holder = marker->value();
  if (ofd_held_elsewhere) return Verdict(LockState::kHeld, holder, "the holder has the marker locked");
  if (!holder) {
    return Verdict(LockState::kUnknown, std::nullopt, "holder record unreadable: " + marker->status().message());
  }
  return ClassifyRecord(*holder, self, start_time_of);
}

}  // namespace sealstate::internal
