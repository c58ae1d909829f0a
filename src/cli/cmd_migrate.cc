// migrate-schema: bring the selected backend's storage schema to this build's version.
#include <string>

#include <sealstate/backend_registry.h>

#include "cli/commands.h"

namespace sealstate::cli {
namespace {

void PrintMigration(const Output& out, const std::string& shown_spec, const MigrationReport& report) {
  if (report.to_version == 0 && report.applied.empty()) {
    out.Line("nothing to migrate: " + shown_spec + " has no schema");
  } else if (report.applied.empty()) {
    out.Line("schema of " + shown_spec + " is at version " + std::to_string(report.to_version) +
             " already: nothing to migrate");
  } else {
    for (const auto& applied : report.applied) out.Line("applied " + applied);
    out.Line("schema of " + shown_spec + " migrated from version " + std::to_string(report.from_version) + " to " +
             std::to_string(report.to_version));
  }
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("backend");
    w.String(shown_spec);
    w.Key("from-version");
    w.Int(report.from_version);
    w.Key("to-version");
    w.Int(report.to_version);
    w.Key("applied");
    w.StartArray();
    for (const auto& applied : report.applied) w.String(applied);
    w.EndArray();
    w.EndObject();
  });
}

int RunMigrateSchema(const GlobalOptions& g, const Output& out) {
  const std::string spec = BackendSpec(g);
  auto report = BackendRegistry::WithBuiltins().Migrate(spec);
  if (!report.ok()) return out.Fail(report.status());
  PrintMigration(out, RedactSpec(spec), *report);
  return 0;
}

}  // namespace

void RegisterMigrateSchema(CLI::App& app, CommandContext& context) {
  CLI::App* command = app.add_subcommand(
      "migrate-schema", "Create or upgrade the backend's schema (--backend); local and memory have none");
  SetCommand(command, context, RunMigrateSchema);
}

}  // namespace sealstate::cli
