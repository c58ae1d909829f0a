// keygen: print a fresh random base64 32-byte key. The only command that prints key material.
#include <sealstate/encrypter.h>

#include "cli/commands.h"

namespace sealstate::cli {
namespace {

int RunKeygen(const Output& out) {
  auto key = GenerateKeyBase64();
  if (!key.ok()) return out.Fail(key.status());
  out.Line(*key);
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("key");
    w.String(*key);
    w.EndObject();
  });
  return 0;
}

}  // namespace

void RegisterKeygen(CLI::App& app, CommandContext& context) {
  CLI::App* command = app.add_subcommand("keygen", "Print a fresh random base64 32-byte key");
  SetCommand(command, context, [](const GlobalOptions&, const Output& out) { return RunKeygen(out); });
}

}  // namespace sealstate::cli
