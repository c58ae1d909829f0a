// The "journal-compacted" line a journal compaction appends: which seq the kept journal starts
// at and the MAC of the last dropped line, from which the kept lines' MAC chain continues
// (sealstate-format(5), "Journal compaction").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/backend.h>

namespace sealstate::internal {

// The event name of the compaction line.
inline constexpr std::string_view kJournalCompactedEvent = "journal-compacted";

// What a compaction line records.
struct JournalCompactionMark {
  std::uint64_t first_kept_seq = 0;  // the oldest line kept
  std::uint64_t dropped = 0;         // how many lines were dropped (seq 1 .. first_kept_seq - 1 at most)
  std::string chain_from;            // the `mac` of the line before first_kept_seq ("" or "none" when it had none)
};

// The detail text of a compaction line: "kept seq K and later, dropped N line(s); chain-from MAC"
// (MAC "-" when the dropped line had none).
std::string FormatCompactionDetail(const JournalCompactionMark& mark);

// The mark `event` records, or std::nullopt when it is not a well-formed compaction line.
std::optional<JournalCompactionMark> ParseCompactionMark(const JournalEvent& event);

// The compaction line of `events` (a whole journal, oldest first) that names events.front().seq
// as its first kept seq (the newest such line), or nullptr (also when the journal starts at seq 1).
const JournalEvent* CompactionLineFor(const std::vector<JournalEvent>& events);

}  // namespace sealstate::internal
