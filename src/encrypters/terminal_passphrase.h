// Reading a passphrase from the controlling terminal without echo.
#pragma once

#include <string_view>

#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Writes `prompt` to /dev/tty, turns echo off, reads one line (at most `max_bytes`, without its
// line ending) into guarded memory and restores the terminal. The terminal is restored on every
// path: errors, and SIGINT, SIGTERM, SIGHUP and SIGQUIT while reading (which then end the process
// the default way, as they would have without the prompt) and SIGTSTP (Ctrl-Z: echo comes back
// while stopped and goes off again when continued). The previous handlers are reinstated after.
// Errors: kInvalidArgument "<no_terminal_message> (/dev/tty: ...)" when there is no controlling
// terminal; kInvalidArgument if the line is longer than `max_bytes`; kIoError from reading.
Result<SecretBytes> ReadPassphraseFromTerminal(std::string_view prompt, std::size_t max_bytes,
                                               std::string_view no_terminal_message);

}  // namespace sealstate::internal
