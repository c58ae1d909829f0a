// What every command gets: the parsed global options, its Output, and where its exit status goes.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "cli/global_options.h"
#include "cli/output.h"

namespace sealstate::cli {

struct CommandContext {
  GlobalOptions globals;
  int exit_status = 0;  // set by the command that ran

  // The Output the --json flag selects, redacting the --backend spec (valid once parsing is done).
  Output output() const { return Output(globals.json).Redacting(BackendSpec(globals)); }
};

// A command body: returns the exit status, reporting errors through the Output it is given.
using CommandBody = std::function<int(const GlobalOptions&, const Output&)>;

// Makes `body` the callback of `command`, for commands that need no stack (keygen).
void SetCommand(CLI::App* command, CommandContext& context, CommandBody body);

// As SetCommand, but first refuses a missing --factory or --stack with a usage error (exit 2).
void SetStackCommand(CLI::App* command, CommandContext& context, CommandBody body);

}  // namespace sealstate::cli
