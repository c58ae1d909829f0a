// upgrade --yes: re-seal a unobin v1 stack's revisions as v3 (RekeyStack with upgrade_v1).
#include <memory>

#include "cli/commands.h"
#include "cli/rekey_stack.h"

namespace sealstate::cli {
namespace {

int RunUpgrade(const GlobalOptions& g, const Output& out, const RekeyArgs& args) {
  if (!args.yes && !args.dry_run) {
    return out.Usage(
        "upgrade re-seals every unobin v1 revision as a sealstate v3 envelope, after which unobin can no longer "
        "read this stack; run it with --yes if that is what you want (--dry-run shows what would change)");
  }
  return RunRekeyStack(g, out, args, true);
}

}  // namespace

void RegisterUpgrade(CLI::App& app, CommandContext& context) {
  auto upgrade_args = std::make_shared<RekeyArgs>();
  CLI::App* upgrade = app.add_subcommand(
      "upgrade", "Lock, re-seal a unobin v1 stack as v3 envelopes (unobin can no longer read it); needs --yes");
  upgrade->add_flag("--yes", upgrade_args->yes, "Yes, unobin will no longer read this stack");
  upgrade->add_flag("--dry-run", upgrade_args->dry_run, "Print what would change; change nothing");
  SetStackCommand(upgrade, context, [upgrade_args](const GlobalOptions& g, const Output& out) {
    return RunUpgrade(g, out, *upgrade_args);
  });
}

}  // namespace sealstate::cli
