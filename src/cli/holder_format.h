// How lock holders and verdicts are shown (lock-status, force-unlock).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <sealstate/lock.h>

#include "json/go_json_writer.h"

namespace sealstate::cli {

// "USER@HOST pid PID", or "pid PID (bare pid marker)" for a marker holding only a pid.
std::string HolderName(const LockHolder& holder);

// The text lines describing a holder: "holder: ...", and unless it is a bare pid "lock id: ID",
// "operation: OP", "since: TIME (held for 1h2m3s)".
std::vector<std::string> HolderLines(const LockHolder& holder);

// Writes the holder object {"lock-id","pid","host","user","boot-id","start-time","created",
// "operation","version","bare-pid"}, or null when absent.
void WriteHolderJson(internal::GoJsonWriter& w, const std::optional<LockHolder>& holder);

// `text` quoted for a POSIX shell if it needs it ('...' with embedded quotes escaped), else as is.
std::string ShellQuote(const std::string& text);

}  // namespace sealstate::cli
