// JSON form of one journal line: compact, members in the order
// seq, time, event, rev, lock-id, actor, pid, detail (time as RFC 3339 with nanoseconds), then
// envelope-version when it is recorded (non-zero), size and entries when recorded (not -1),
// operation when recorded (non-empty), then current when recorded, mac-key and mac when
// non-empty (see JournalEvent).
#pragma once

#include <string>
#include <string_view>

#include <sealstate/backend.h>
#include <sealstate/status.h>

namespace sealstate::internal {

class GoJsonWriter;

// Writes the event as a JSON object (members in the order above, all of them) to `writer`, e.g.
// as an element of a larger document. REQUIRES: event.time's year is within 0000-9999.
void WriteJournalEvent(GoJsonWriter& writer, const JournalEvent& event);

// The event as one line of compact JSON, without the trailing newline. All members are always
// written, except those recorded only for writes (see above). REQUIRES: event.time's year is within 0000-9999.
std::string EncodeJournalEvent(const JournalEvent& event);

// Parses one line (without its newline). "seq" (an integer >= 1) and "time" (RFC 3339) are
// required; the string members, "pid" and "envelope-version" may be absent or null (then empty /
// 0), "size" and "entries" absent (then -1) but not negative, "operation", "mac-key" and "mac"
// absent (empty), "current" absent (std::nullopt); unknown
// members are ignored. Errors: kIntegrity with a message without prefix (the caller adds
// "journal: line N: ").
Result<JournalEvent> DecodeJournalEvent(std::string_view line);

}  // namespace sealstate::internal
