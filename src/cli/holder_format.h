// How lock holders and verdicts are shown (lock-status, force-unlock).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sealstate/lock.h>

#include "json/go_json_writer.h"
#include "lock/holder_text.h"

namespace sealstate::cli {

// Whether the holder record holds only a pid (unobin's bare-pid marker): no lock id, user,
// host, time or operation.
bool RecordsOnlyPid(const LockHolder& holder);

using internal::HolderName;  // "USER@HOST pid PID", or "pid PID (bare pid marker)"

// The text lines describing a holder: "holder: ...", and unless it records only a pid
// "lock id: ID", "operation: OP", "since: TIME (held for 1h2m3s)".
std::vector<std::string> HolderLines(const LockHolder& holder);

// Writes the holder object {"lock-id","pid","host","user","boot-id","start-time","created",
// "operation","version","bare-pid"}, or null when absent. "boot-id" and "start-time" are the
// local store's detail entries ("" and 0 when absent).
void WriteHolderJson(internal::GoJsonWriter& w, const std::optional<LockHolder>& holder);

// `text` quoted for a POSIX shell if it needs it ('...' with embedded quotes escaped), else as is.
std::string ShellQuote(const std::string& text);

}  // namespace sealstate::cli
