// history [--limit N]: every revision, newest first, with what the journal recorded about it;
// never opens a revision (no key needed).
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <sealstate/backend.h>

#include "cli/commands.h"
#include "cli/damaged_current.h"
#include "cli/json_optional.h"
#include "cli/size_format.h"
#include "cli/time_format.h"
#include "cli/whole_number.h"
#include "store/stack_history.h"

namespace sealstate::cli {
namespace {

using internal::RevisionHistory;

struct HistoryArgs {
  std::int64_t limit = 0;
  CLI::Option* limit_option = nullptr;
};

// "-" for what the journal did not record.
std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }
std::string CountOrDash(std::int64_t n, const std::string& unit) { return n < 0 ? "-" : std::to_string(n) + unit; }

// "* REV  OPERATION  ACTOR  SIZE  N entries" and "never current" for a revision that never was.
std::string HistoryLine(const RevisionHistory& h) {
  const JournalEvent none;
  const JournalEvent& w = h.write ? *h.write : none;
  std::string line = std::string(h.current ? "* " : "  ") + h.rev + "  " + OrDash(w.operation) + "  " +
                     OrDash(w.actor) + "  " + (w.size < 0 ? "-" : FormatSize(w.size)) + "  " +
                     CountOrDash(w.entries, " entries");
  if (!h.ever_current) line += "  never current";
  return line;
}

void WriteHistoryEntry(internal::GoJsonWriter& w, const RevisionHistory& h) {
  const JournalEvent none;
  const JournalEvent& e = h.write ? *h.write : none;
  w.StartObject();
  w.Key("rev");
  w.String(h.rev);
  w.Key("current");
  w.Bool(h.current);
  w.Key("ever-current");
  w.Bool(h.ever_current);
  w.Key("written");
  WriteStringOrNull(w, h.write ? FormatUtc(e.time) : "");
  w.Key("actor");
  WriteStringOrNull(w, e.actor);
  w.Key("operation");
  WriteStringOrNull(w, e.operation);
  w.Key("size");
  WriteCountOrNull(w, e.size);
  w.Key("entries");
  WriteCountOrNull(w, e.entries);
  w.EndObject();
}

int RunHistory(const GlobalOptions& g, const Output& out, const HistoryArgs& args) {
  auto backend = OpenStack(g, {.create = false, .need_key = false});
  if (!backend.ok()) return out.Fail(backend.status());
  auto current = (*backend)->CurrentRev();
  const bool no_current = !current.ok() && current.status().code() == Code::kNoCurrent;
  if (!current.ok() && !no_current && current.status().code() != Code::kIntegrity) return out.Fail(current.status());
  if (!current.ok() && !no_current) out.Warn(DamagedCurrentWarning(current.status()));
  auto history = internal::ReadStackHistory(**backend, current.ok() ? *current : std::string());
  if (!history.ok()) return out.Fail(history.status());
  const std::size_t count = history->size();
  if (args.limit_option->count() > 0 && history->size() > static_cast<std::size_t>(args.limit)) {
    history->resize(static_cast<std::size_t>(args.limit));
  }
  for (const auto& h : *history) out.Line(HistoryLine(h));
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("revisions");
    w.StartArray();
    for (const auto& h : *history) WriteHistoryEntry(w, h);
    w.EndArray();
    w.Key("count");
    w.Uint(count);
    w.EndObject();
  });
  return 0;
}

}  // namespace

void RegisterHistory(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<HistoryArgs>();
  CLI::App* history = app.add_subcommand(
      "history", "Every revision, newest first, with who wrote it, the operation, size and entries (no key needed)");
  args->limit_option = history->add_option("--limit", args->limit, "Show the newest N revisions only")
                           ->check(WholeNumberValidator("--limit", std::numeric_limits<std::int64_t>::max()))
                           ->type_name("N");
  SetStackCommand(history, context,
                  [args](const GlobalOptions& g, const Output& out) { return RunHistory(g, out, *args); });
}

}  // namespace sealstate::cli
