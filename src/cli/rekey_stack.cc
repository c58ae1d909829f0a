// RunRekeyStack: see rekey_stack.h.
#include "cli/rekey_stack.h"

#include <sealstate/rekey.h>

#include "cli/with_lock.h"

namespace sealstate::cli {
namespace {

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + (id.empty() ? std::string("none") : id);
  return out.empty() ? "-" : out;
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
      WriteKeyIds(w, r.key_ids_before);
      w.Key("key-ids-after");
      WriteKeyIds(w, r.key_ids_after);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
}

}  // namespace

void WriteKeyIds(internal::GoJsonWriter& w, const std::vector<std::string>& ids) {
  w.StartArray();
  for (const std::string& id : ids) w.String(id);
  w.EndArray();
}

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

}  // namespace sealstate::cli
