// log [--since SEQ | --consumer NAME] [--follow]: the stack's audit journal, oldest first; for a
// consumer, the events after its checkpoint, which then advances; with --follow, new events as
// they are appended, until interrupted.
#include <chrono>
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

struct LogArgs {
  std::uint64_t since = 0;
  std::string consumer;
  bool follow = false;
};

// "-" stands for an empty field so the text columns stay aligned.
std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

std::string EventLine(const JournalEvent& e) {
  std::string line = std::to_string(e.seq) + " " + FormatUtc(e.time) + " " + e.event + " " + OrDash(e.rev) +
                     " lock=" + OrDash(e.lock_id) + " actor=" + OrDash(e.actor) + " pid=" + std::to_string(e.pid);
  if (!e.detail.empty()) line += " " + e.detail;
  return line;
}

// The event as in the journal, with its time shown in UTC as everywhere in the CLI, without the
// journal's authentication members (verify checks them; the output is the same on every backend).
void WriteEvent(internal::GoJsonWriter& w, JournalEvent e) {
  e.time.offset_seconds = 0;
  e.current.reset();
  e.mac_key.clear();
  e.mac.clear();
  internal::WriteJournalEvent(w, e);
}

// The one --json document of a run without --follow.
void WriteEventsDocument(const Output& out, const std::vector<JournalEvent>& events, const LogArgs& args,
                         std::uint64_t checkpoint) {
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("events");
    w.StartArray();
    for (const auto& e : events) WriteEvent(w, e);
    w.EndArray();
    if (!args.consumer.empty()) {
      w.Key("consumer");
      w.String(args.consumer);
      w.Key("checkpoint");
      w.Uint(checkpoint);
    }
    w.EndObject();
  });
}

// Prints a batch as --follow does: a text line, or with --json one document per event (JSON
// lines).
void PrintFollowed(const Output& out, const std::vector<JournalEvent>& events) {
  for (const auto& e : events) {
    out.Line(EventLine(e));
    out.Document([&e](internal::GoJsonWriter& w) { WriteEvent(w, e); });
  }
}

// After `events` were written and flushed: moves the consumer's checkpoint to the last of them
// (at-least-once: a failure before this point prints them again next time).
Status Advance(Backend& backend, const LogArgs& args, const std::vector<JournalEvent>& events, const Output& out) {
  SEALSTATE_RETURN_IF_ERROR(out.Flush());
  if (args.consumer.empty() || events.empty()) return Status::OK();
  const Status stored = backend.Checkpoint(args.consumer, events.back().seq);
  if (stored.ok()) return stored;
  return stored.WithPrefix("printed the events up to seq " + std::to_string(events.back().seq) +
                           ", but could not store consumer " + args.consumer +
                           "'s checkpoint (they will be printed again): ");
}

// Prints new events as they are appended, forever (until a signal ends the process) or an error.
int Follow(Backend& backend, const LogArgs& args, const Output& out, std::uint64_t last) {
  for (;;) {
    auto woken = backend.WaitForJournal(last, std::chrono::milliseconds(-1), nullptr);
    if (!woken.ok()) return out.Fail(woken.status());
    auto events = backend.Journal(last);
    if (!events.ok()) return out.Fail(events.status());
    if (events->empty()) continue;
    PrintFollowed(out, *events);
    const Status advanced = Advance(backend, args, *events, out);
    if (!advanced.ok()) return out.Fail(advanced);
    last = events->back().seq;
  }
}

int RunLog(const GlobalOptions& g, const Output& out, const LogArgs& args) {
  auto backend = OpenStack(g, {.create = false, .need_key = false});
  if (!backend.ok()) return out.Fail(backend.status());
  std::uint64_t start = args.since;
  if (!args.consumer.empty()) {
    auto checkpoint = (*backend)->GetCheckpoint(args.consumer);
    if (!checkpoint.ok()) return out.Fail(checkpoint.status());
    start = *checkpoint;
  }
  auto events = (*backend)->Journal(start);
  if (!events.ok()) return out.Fail(events.status());
  const std::uint64_t last = events->empty() ? start : events->back().seq;
  if (args.follow) {
    PrintFollowed(out, *events);
  } else {
    for (const auto& e : *events) out.Line(EventLine(e));
    WriteEventsDocument(out, *events, args, last);
  }
  const Status advanced = Advance(**backend, args, *events, out);
  if (!advanced.ok()) return out.Fail(advanced);
  return args.follow ? Follow(**backend, args, out, last) : 0;
}

}  // namespace

void RegisterLog(CLI::App& app, CommandContext& context) {
  auto args = std::make_shared<LogArgs>();
  CLI::App* log = app.add_subcommand("log", "Print the stack's audit journal, oldest first");
  CLI::Option* since = log->add_option("--since", args->since, "Only events with a sequence number above SEQ")
                           ->check(WholeNumberValidator("--since", std::numeric_limits<std::uint64_t>::max()))
                           ->type_name("SEQ");
  log->add_option("--consumer", args->consumer,
                  "Print the events after consumer NAME's checkpoint, then move its checkpoint past them")
      ->type_name("NAME")
      ->excludes(since);
  log->add_flag("--follow", args->follow,
                "After the events so far, print new ones as they are appended, until interrupted");
  SetStackCommand(log, context, [args](const GlobalOptions& g, const Output& out) { return RunLog(g, out, *args); });
}

}  // namespace sealstate::cli
