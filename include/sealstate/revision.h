// Revision names: how unobin names snapshots, and the order it lists them in.
//
// A revision is the UTC time the snapshot was written, as RFC3339Nano with trailing zeros
// trimmed ("2026-05-12T15:30:00Z", "2026-05-12T15:30:00.123456789Z"). Writers that pick a name
// already taken retry with "<base>_1" ... "<base>_99". Thread-safe (pure functions).
#pragma once

#include <sealstate/export.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/status.h>
#include <sealstate/timestamp.h>

namespace sealstate {

// How many names a writer tries for one timestamp before giving up (unobin: 100).
inline constexpr int kMaxRevisionAttempts = 100;

// The name for `attempt` (0 .. kMaxRevisionAttempts-1) at time `now`: the base for attempt 0,
// "<base>_<attempt>" after. `now` is converted to UTC first.
SEALSTATE_EXPORT std::string MakeRevision(const Timestamp& now, int attempt);

// A revision name understood as unobin's SortRevisions understands it.
struct ParsedRevision {
  bool valid = false;       // base parses as RFC 3339 and the suffix (if any) is an integer >= 1
  Timestamp time;           // meaningful only when valid
  std::int64_t suffix = 0;  // 0 when there is no "_"
};

// Splits at the first '_'; the suffix must parse like Go's strconv.Atoi (optional sign, leading
// zeros allowed, fits int64) and be >= 1, and the base must parse as RFC 3339. Never fails:
// anything else is returned as invalid.
SEALSTATE_EXPORT ParsedRevision ParseRevision(std::string_view rev);

// unobin's order: valid before invalid; two valid ones by instant (offsets normalised), then
// suffix, then bytewise; two invalid ones bytewise. Returns <0, 0 or >0.
SEALSTATE_EXPORT int CompareRevisions(std::string_view a, std::string_view b);

// Returns a sorted copy (oldest first) and leaves `revs` unchanged. Stable for equal names.
SEALSTATE_EXPORT std::vector<std::string> SortRevisions(const std::vector<std::string>& revs);

}  // namespace sealstate
