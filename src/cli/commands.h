// The command groups. Each Register* adds its subcommands to `app` and makes them run against
// `context` (which must outlive `app`).
#pragma once

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace sealstate::cli {

// keygen.
void RegisterKeygen(CLI::App& app, CommandContext& context);
// commit, write, show, list, current.
void RegisterSnapshotCommands(CLI::App& app, CommandContext& context);
// set-current (with --dry-run), delete.
void RegisterPointerCommands(CLI::App& app, CommandContext& context);
// prune.
void RegisterPrune(CLI::App& app, CommandContext& context);
// compact-journal.
void RegisterCompactJournal(CLI::App& app, CommandContext& context);
// verify.
void RegisterVerify(CLI::App& app, CommandContext& context);
// lock-status, force-unlock, lock.
void RegisterLockCommands(CLI::App& app, CommandContext& context);
// log.
void RegisterLog(CLI::App& app, CommandContext& context);
// history.
void RegisterHistory(CLI::App& app, CommandContext& context);
// diff.
void RegisterDiff(CLI::App& app, CommandContext& context);
// migrate-schema.
void RegisterMigrateSchema(CLI::App& app, CommandContext& context);
// rekey.
void RegisterRekey(CLI::App& app, CommandContext& context);
// upgrade.
void RegisterUpgrade(CLI::App& app, CommandContext& context);
// keys.
void RegisterKeys(CLI::App& app, CommandContext& context);
// copy --to SPEC.
void RegisterCopy(CLI::App& app, CommandContext& context);

}  // namespace sealstate::cli
