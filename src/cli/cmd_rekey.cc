// rekey [--rev REV]... [--dry-run]: re-wrap every revision (or the given ones) for the key set of
// --key (the first) and --recipient, under the stack lock (RekeyStack).
#include <memory>

#include "cli/commands.h"
#include "cli/rekey_stack.h"

namespace sealstate::cli {
namespace {

int RunRekey(const GlobalOptions& g, const Output& out, const RekeyArgs& args) {
  if (g.keys.empty()) {
    return out.Usage("rekey needs the new key set: --key NEW (the key to wrap for) [--key OLD ...] [--recipient ...]");
  }
  return RunRekeyStack(g, out, args, false);
}

}  // namespace

void RegisterRekey(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<RekeyArgs>();
  CLI::App* rekey = app.add_subcommand(
      "rekey", "Lock, re-wrap every revision's data key for the --key/--recipient key set (payloads untouched)");
  rekey->add_option("--rev", args->revs, "Only this revision (repeatable)")->type_name("REV")->allow_extra_args(false);
  rekey->add_flag("--dry-run", args->dry_run, "Print what would change; change nothing");
  SetStackCommand(rekey, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunRekey(g, out, *args); });
}

}  // namespace sealstate::cli
