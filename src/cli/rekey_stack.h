// What rekey and upgrade share: their arguments, the run under the stack lock, and key id lists in
// --json.
#pragma once

#include <string>
#include <vector>

#include "cli/global_options.h"
#include "cli/output.h"

namespace sealstate::cli {

// The arguments of rekey and upgrade.
struct RekeyArgs {
  std::vector<std::string> revs;
  bool dry_run = false;
  bool yes = false;  // upgrade only
};

// Rekeys (or, with `upgrade`, upgrades) every revision of `args.revs` (all when empty) under the
// stack lock (RekeyStack) for the key set of --key/--recipient, and prints what it did (a line per
// revision and a summary; --json: {"dry-run":B,"revisions":[{"rev","action","key-ids-before",
// "key-ids-after"}]}). Returns the exit status.
int RunRekeyStack(const GlobalOptions& g, const Output& out, const RekeyArgs& args, bool upgrade);

// Writes `ids` as a JSON array of strings.
void WriteKeyIds(internal::GoJsonWriter& w, const std::vector<std::string>& ids);

}  // namespace sealstate::cli
