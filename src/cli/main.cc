// sealstate: the operator CLI. Sets up CLI11, dispatches to the commands, and turns parse
// errors into usage errors (exit 2). The only place that catches exceptions.
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include <sealstate/version.h>

#include "cli/commands.h"
#include "cli/context.h"
#include "cli/exit_status.h"
#include "cli/global_options.h"
#include "cli/output.h"

namespace sealstate::cli {
namespace {

// Whether --json appears before any "--" (for errors raised before CLI11 saw the flag).
bool JsonRequested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return false;
    if (arg == "--json") return true;
  }
  return false;
}

void Register(CLI::App& app, CommandContext& context) {
  app.set_version_flag("--version", std::string("sealstate ") + SEALSTATE_VERSION);
  AddGlobalOptions(app, context.globals);
  app.fallthrough();  // before the subcommands, so globals may follow them
  app.require_subcommand(1);
  RegisterKeygen(app, context);
  RegisterSnapshotCommands(app, context);
  RegisterPointerCommands(app, context);
  RegisterPrune(app, context);
  RegisterCompactJournal(app, context);
  RegisterRekey(app, context);
  RegisterUpgrade(app, context);
  RegisterKeys(app, context);
  RegisterVerify(app, context);
  RegisterLockCommands(app, context);
  RegisterLog(app, context);
  RegisterHistory(app, context);
  RegisterDiff(app, context);
  RegisterMigrateSchema(app, context);
  RegisterCopy(app, context);
}

// Flushes stdout; a failed write turns success into exit 1.
int FinishOutput(int status) {
  if (std::fflush(stdout) == 0 && !std::ferror(stdout)) return status;
  std::fputs("sealstate: writing standard output failed\n", stderr);
  return status == kExitOk ? kExitFailure : status;
}

int Run(int argc, char** argv) {
  CommandContext context;
  CLI::App app("Encrypted infrastructure state per stack: snapshots, current pointer, lock and journal", "sealstate");
  Register(app, context);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    WriteError(context.globals.json || JsonRequested(argc, argv), "usage",
               std::string(e.what()) + " (see sealstate --help)");
    return kExitUsage;
  }
  return context.exit_status;
}

}  // namespace
}  // namespace sealstate::cli

int main(int argc, char** argv) {
  int status = sealstate::cli::kExitFailure;
  try {
    status = sealstate::cli::Run(argc, argv);
  } catch (const std::exception& e) {
    sealstate::cli::WriteError(false, "internal", std::string("internal error: ") + e.what());
  }
  return sealstate::cli::FinishOutput(status);
}
