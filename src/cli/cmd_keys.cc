// keys: which key ids open which revision, from headers only (ListRevisionKeys).
#include <string>

#include <sealstate/envelope.h>
#include <sealstate/rekey.h>

#include "cli/commands.h"
#include "cli/global_options.h"
#include "cli/rekey_stack.h"

namespace sealstate::cli {
namespace {

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
      WriteKeyIds(w, r.key_ids);
      w.Key("key-sources");
      WriteKeyIds(w, r.key_sources);
      w.EndObject();
    }
    w.EndArray();
    w.EndObject();
  });
  return 0;
}

}  // namespace

void RegisterKeys(CLI::App& app, CommandContext& context) {
  CLI::App* keys = app.add_subcommand("keys", "Show which key ids open which revisions (headers only)");
  SetStackCommand(keys, context, [](const GlobalOptions& g, const Output& out) { return RunKeys(g, out); });
}

}  // namespace sealstate::cli
