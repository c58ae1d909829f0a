// log [--since SEQ]: the stack's audit journal, oldest first.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <sealstate/backend.h>

#include "cli/commands.h"
#include "cli/time_format.h"
#include "cli/whole_number.h"
#include "journal/journal_event_json.h"

namespace sealstate::cli {
namespace {

// "-" stands for an empty field so the text columns stay aligned.
std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string EventLine(const JournalEvent& e) {
  std::string line = std::to_string(e.seq) + " " + FormatUtc(e.time) + " " + e.event + " " + OrDash(e.rev) +
                     " lock=" + OrDash(e.lock_id) + " actor=" + OrDash(e.actor) + " pid=" + std::to_string(e.pid);
  if (!e.detail.empty()) line += " " + e.detail;
  return line;
}

// The event as in the journal, with its time shown in UTC as everywhere in the CLI.
void WriteEvent(internal::GoJsonWriter& w, JournalEvent e) {
  e.time.offset_seconds = 0;
  internal::WriteJournalEvent(w, e);
}

int RunLog(const GlobalOptions& g, const Output& out, std::uint64_t since) {
  auto backend = OpenStack(g, {.create = false, .need_key = false});
  if (!backend.ok()) return out.Fail(backend.status());
  auto events = (*backend)->Journal(since);
  if (!events.ok()) return out.Fail(events.status());
  for (const auto& e : *events) out.Line(EventLine(e));
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("events");
    w.StartArray();
    for (const auto& e : *events) WriteEvent(w, e);
    w.EndArray();
    w.EndObject();
  });
  return 0;
}

}  // namespace

void RegisterLog(CLI::App& app, CommandContext& context) {
  auto since = std::make_shared<std::uint64_t>(0);
  CLI::App* log = app.add_subcommand("log", "Print the stack's audit journal, oldest first");
  log->add_option("--since", *since, "Only events with a sequence number above SEQ")
      ->check(WholeNumberValidator("--since", std::numeric_limits<std::uint64_t>::max()))
      ->type_name("SEQ");
  SetStackCommand(log, context, [since](const GlobalOptions& g, const Output& out) { return RunLog(g, out, *since); });
}

}  // namespace sealstate::cli
