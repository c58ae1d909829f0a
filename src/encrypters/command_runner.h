// Running an operator's key command (the command key source): /bin/sh -c COMMAND with a given
// stdin, its stdout captured into guarded memory, its stderr kept for error messages, and a
// timeout after which its whole process group is killed.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/secret.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// Output limits: more stdout than this fails the run; stderr beyond this is dropped from messages.
inline constexpr std::size_t kMaxKeyCommandOutputBytes = 64 * 1024;
inline constexpr std::size_t kMaxKeyCommandStderrShown = 4096;

// Runs `command` with /bin/sh -c in a process group of its own, with the environment of this
// process minus SEALSTATE_KEY and SEALSTATE_PASSPHRASE, plus SEALSTATE_KEY_OPERATION=`operation`.
// Writes `input` to its stdin and closes it; returns everything it printed on stdout.
// Errors (kInvalidArgument, each naming the command and ending with its stderr, if any):
//   "key command "CMD" (operation wrap) exited with status 3; its stderr: ..."
//   "... was killed by signal 9", "... did not finish within 30 seconds (killed)",
//   "... printed more than 65536 bytes on stdout (killed)";
// kIoError if a pipe or the fork fails.
Result<SecretBytes> RunKeyCommand(const std::string& command, std::string_view operation, const SecretBytes& input,
                                  std::chrono::seconds timeout);

}  // namespace sealstate::internal
