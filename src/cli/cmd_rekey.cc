// rekey [--rev REV]... [--dry-run]: re-wrap every revision (or the given ones) for the key set of
// --key (the first) and --recipient, under the stack lock (RekeyStack).
// keys: which key ids open which revision, from headers only (ListRevisionKeys).
// upgrade --yes: re-seal a unobin v1 stack's revisions as v3 (RekeyStack with upgrade_v1).
#include <memory>
#include <string>
#include <vector>

#include <sealstate/rekey.h>

#include "cli/commands.h"
#include "cli/global_options.h"
#include "cli/with_lock.h"

namespace sealstate::cli {
namespace {

struct RekeyArgs {
  std::vector<std::string> revs;
  bool dry_run = false;
  bool yes = false;  // upgrade only
};

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + (id.empty() ? std::string("none") : id);
  return out.empty() ? "-" : out;
}

void WriteIds(internal::GoJsonWriter& w, const std::vector<std::string>& ids) {
  w.StartArray();
  for (const std::string& id : ids) w.String(id);
  w.EndArray();
}

void PrintRekey(const Output& out, const std::vector<RekeyedRevision>& done, bool dry_run) {
  std::size_t changed = 0;
  for (const RekeyedRevision& r : done) {
    if (r.action != RekeyAction::kUnchanged && r.action != RekeyAction::kSkippedV1) ++changed;
    out.Line(std::string(dry_run ? "would " : "") + std::string(RekeyActionName(r.action)) + " " + r.rev + ": " +
             JoinIds(r.key_ids_before) + " -> " + JoinIds(r.key_ids_after));
  }
  out.Line((dry_run ? "Would rekey " : "Rekeyed ") + std::to_string(changed) + " of " + std::to_string(done.size()) +
           " revision(s).");
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("dry-run");
    w.Bool(dry_run);
    w.Key("revisions");
    w.StartArray();
    for (const RekeyedRevision& r : done) {
      w.StartObject();
      w.Key("rev");
      w.String(r.rev);
      w.Key("action");
      w.String(RekeyActionName(r.action));
      w.Key("key-ids-before");
      WriteIds(w, r.key_ids_before);
      w.Key("key-ids-after");
      WriteIds(w, r.key_ids_after);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

// Rekeys (or, with `upgrade`, upgrades) under the stack lock and prints what it did.
int RunRekeyStack(const GlobalOptions& g, const Output& out, const RekeyArgs& args, bool upgrade) {
  auto encrypter = CreateEncrypter(g);
  if (!encrypter.ok()) return out.Fail(encrypter.status());
  // The keys are created once (a passphrase is asked once); the store gets them too, so its
  // journal lines (the rekey events) are authenticated with the first key.
  auto backend = OpenStack(g, {.create = false, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, upgrade ? "upgrade" : "rekey");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  std::vector<RekeyedRevision> done;
  Status status = WithStackLock(**backend, *lock_options, [&](const std::string& lock_id) -> Status {
    ProgressLine progress(out, "rekeying");
    RekeyOptions options{
        .revs = args.revs, .dry_run = args.dry_run, .upgrade_v1 = upgrade, .progress = progress.Callback()};
    SEALSTATE_ASSIGN_OR_RETURN(done, RekeyStack(**backend, **encrypter, lock_id, options));
    return Status::OK();
  });
  if (!status.ok()) return out.Fail(status);
  PrintRekey(out, done, args.dry_run);
  return 0;
}

int RunRekey(const GlobalOptions& g, const Output& out, const RekeyArgs& args) {
  if (g.keys.empty()) {
    return out.Usage("rekey needs the new key set: --key NEW (the key to wrap for) [--key OLD ...] [--recipient ...]");
  }
  return RunRekeyStack(g, out, args, false);
}

int RunUpgrade(const GlobalOptions& g, const Output& out, const RekeyArgs& args) {
  if (!args.yes && !args.dry_run) {
    return out.Usage(
        "upgrade re-seals every unobin v1 revision as a sealstate v3 envelope, after which unobin can no longer "
        "read this stack; run it with --yes if that is what you want (--dry-run shows what would change)");
  }
  return RunRekeyStack(g, out, args, true);
}

int RunKeys(const GlobalOptions& g, const Output& out) {
  auto backend = OpenStack(g, {.create = false, .need_key = false});
  if (!backend.ok()) return out.Fail(backend.status());
  auto listed = ListRevisionKeys(**backend);
  if (!listed.ok()) return out.Fail(listed.status());
  out.Line("REV  ENVELOPE  KEY IDS");
  for (const RevisionKeys& r : *listed) {
    std::string ids;
    for (std::size_t i = 0; i < r.key_ids.size(); ++i) {
      ids += (ids.empty() ? "" : ", ") + (r.key_ids[i].empty() ? std::string("none") : r.key_ids[i]) + " (" +
             r.key_sources[i] + ")";
    }
    out.Line(r.rev + "  v" + std::to_string(r.envelope_version) + "  " +
             (r.envelope_version == kEnvelopeV1 ? std::string("unknown (v1 records none)") : ids));
  }
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("revisions");
    w.StartArray();
    for (const RevisionKeys& r : *listed) {
      w.StartObject();
      w.Key("rev");
      w.String(r.rev);
      w.Key("envelope-version");
      w.Int(r.envelope_version);
      w.Key("key-ids");
      WriteIds(w, r.key_ids);
      w.Key("key-sources");
      WriteIds(w, r.key_sources);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
  return 0;
}

}  // namespace

void RegisterKeyCommands(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<RekeyArgs>();
  CLI::App* rekey = app.add_subcommand(
      "rekey", "Lock, re-wrap every revision's data key for the --key/--recipient key set (payloads untouched)");
  rekey->add_option("--rev", args->revs, "Only this revision (repeatable)")->type_name("REV")->allow_extra_args(false);
  rekey->add_flag("--dry-run", args->dry_run, "Print what would change; change nothing");
  SetStackCommand(rekey, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunRekey(g, out, *args); });
  auto upgrade_args = std::make_shared<RekeyArgs>();
  CLI::App* upgrade = app.add_subcommand(
      "upgrade", "Lock, re-seal a unobin v1 stack as v3 envelopes (unobin can no longer read it); needs --yes");
  upgrade->add_flag("--yes", upgrade_args->yes, "Yes, unobin will no longer read this stack");
  upgrade->add_flag("--dry-run", upgrade_args->dry_run, "Print what would change; change nothing");
  SetStackCommand(upgrade, context, [upgrade_args](const GlobalOptions& g, const Output& out) {
    return RunUpgrade(g, out, *upgrade_args);
  });
  CLI::App* keys = app.add_subcommand("keys", "Show which key ids open which revisions (headers only)");
  SetStackCommand(keys, context, [](const GlobalOptions& g, const Output& out) { return RunKeys(g, out); });
}

}  // namespace sealstate::cli
