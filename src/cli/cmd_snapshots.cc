// commit, write, show, list, current: writing and reading snapshots and the current revision.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include <sealstate/backend.h>
#include <sealstate/snapshot.h>

#include "cli/authenticated_plaintext.h"
#include "cli/commands.h"
#include "cli/damaged_current.h"
#include "cli/json_optional.h"
#include "cli/keep_until_exit.h"
#include "cli/signals.h"
#include "cli/snapshot_input.h"
#include "cli/whole_number.h"
#include "cli/written_elsewhere.h"
#include "json/json_reader.h"

namespace sealstate::cli {
namespace {

// Prints a revision: "<rev>\n" or {"rev":REV}.
void PrintRev(const Output& out, const std::string& rev) {
  out.Line(rev);
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("rev");
    w.String(rev);
    w.EndObject();
  });
}

// The arguments of commit and write.
struct WriteArgs {
  std::string input;     // FILE or "-"
  bool new_key = false;  // --new-key
};

int RunCommit(const GlobalOptions& g, const Output& out, const WriteArgs& args) {
  auto snapshot = ReadSnapshotInput(args.input);
  if (!snapshot.ok()) return out.Fail(snapshot.status());
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto lock_options = MakeLockOptions(g, "commit");
  if (!lock_options.ok()) return out.Fail(lock_options.status());
  InstallSignalHandlers();
  auto rev = (*backend)->Commit(*snapshot, *lock_options,
                                WriteOptions{.new_key = args.new_key, .lock_id = "", .operation = ""});
  if (!rev.ok()) return out.Fail(rev.status());
  PrintRev(out, *rev);
  KeepUntilExit(std::move(*snapshot));
  return 0;
}

int RunWrite(const GlobalOptions& g, const Output& out, const WriteArgs& args) {
  auto snapshot = ReadSnapshotInput(args.input);
  if (!snapshot.ok()) return out.Fail(snapshot.status());
  auto backend = OpenStack(g, {.create = true, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  auto rev = (*backend)->Write(*snapshot, WriteOptions{.new_key = args.new_key, .lock_id = "", .operation = ""});
  if (!rev.ok()) return out.Fail(rev.status());
  PrintRev(out, *rev);
  return 0;
}

// Prints the snapshot: its encoding as is, or {"rev":REV,"snapshot":DOC}.
int PrintSnapshot(const Output& out, const std::string& rev, const Snapshot& snapshot) {
  if (!out.json()) {
    // Streamed: EncodeSnapshot validates before it writes, so a failure prints nothing.
    Status printed = out.TextStream([&](ByteSink& sink) { return EncodeSnapshot(snapshot, sink); });
    return printed.ok() ? 0 : out.Fail(printed);
  }
  auto encoded = EncodeSnapshot(snapshot);
  if (!encoded.ok()) return out.Fail(encoded.status());
  auto document = internal::ParseJson(*encoded);
  if (!document.ok()) return out.Fail(document.status());
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("rev");
    w.String(rev);
    w.Key("snapshot");
    w.Value(*document);
    w.EndObject();
  });
  return 0;
}

// `requested` is absent when no REV was given; an explicitly empty REV is refused like any other
// invalid name (so `show "$REV"` with an empty variable does not silently show current).
int RunShow(const GlobalOptions& g, const Output& out, const std::optional<std::string>& requested) {
  auto backend = OpenStack(g, {.create = false, .need_key = true});
  if (!backend.ok()) return out.Fail(backend.status());
  std::string rev = requested.value_or("");
  if (!requested) {
    auto current = (*backend)->CurrentRev();
    if (!current.ok()) return out.Fail(current.status());
    rev = *current;
  }
  if (!out.json()) {
    if (auto plaintext = AuthenticatedV2Plaintext::Open(g, **backend, rev)) {
      Status printed = out.TextStream([&](ByteSink& sink) { return plaintext->WriteTo(sink); });
      return printed.ok() ? 0 : out.Fail(printed);
    }
  }
  auto snapshot = (*backend)->Get(rev);
  if (!snapshot.ok()) return out.Fail(snapshot.status());
  if (auto warning = WrittenElsewhereWarning(rev, *snapshot, g.factory, g.stack)) out.Warn(*warning);
  const int status = PrintSnapshot(out, rev, *snapshot);
  KeepUntilExit(std::move(*snapshot));
  return status;
}

// The current revision, or "" when there is none.
Result<std::string> CurrentRevOrEmpty(Backend& backend) {
  auto current = backend.CurrentRev();
  if (!current.ok() && current.status().code() == Code::kNoCurrent) return std::string();
  return current;
}

// The arguments of list: which page of the revisions to print, in which order.
struct ListArgs {
  bool newest_first = false;
  std::int64_t offset = 0;  // how many to skip, in the order printed
  std::int64_t limit = 0;   // at most this many, once --limit was given
  CLI::Option* limit_option = nullptr;
};

// The page of `revs` (oldest first) that `args` asks for.
std::vector<std::string> PageOf(std::vector<std::string> revs, const ListArgs& args) {
  if (args.newest_first) std::reverse(revs.begin(), revs.end());
  const std::size_t offset = std::min(static_cast<std::size_t>(args.offset), revs.size());
  revs.erase(revs.begin(), revs.begin() + static_cast<std::ptrdiff_t>(offset));
  if (args.limit_option->count() > 0 && revs.size() > static_cast<std::size_t>(args.limit)) {
    revs.resize(static_cast<std::size_t>(args.limit));
  }
  return revs;
}

// `page` is what to print, `count` how many revisions the stack has. `damaged` is why the
// pointer cannot be read (kIntegrity), or OK.
void PrintList(const Output& out, const std::vector<std::string>& page, std::size_t count, const std::string& current,
               const Status& damaged) {
  if (!damaged.ok()) out.Warn(DamagedCurrentWarning(damaged));
  for (const auto& rev : page) out.Line((rev == current ? "* " : "  ") + rev);
  out.Document([&](internal::GoJsonWriter& w) {
    w.StartObject();
    w.Key("current");
    WriteStringOrNull(w, current);
    if (!damaged.ok()) {
      w.Key("current-damaged");
      w.String(damaged.message());
    }
    w.Key("revisions");
    w.StartArray();
    for (const auto& rev : page) {
      w.StartObject();
      w.Key("rev");
      w.String(rev);
      w.Key("current");
      w.Bool(rev == current);
      w.EndObject();
    }
    w.EndArray();
    w.Key("count");
    w.Uint(count);
    w.EndObject();
  });
}

int RunList(const GlobalOptions& g, const Output& out, const ListArgs& args) {
  auto backend = OpenStack(g, {.create = false, .need_key = false});
  if (!backend.ok()) return out.Fail(backend.status());
  auto revs = (*backend)->List();
  if (!revs.ok()) return out.Fail(revs.status());
  // A damaged pointer does not hide the revisions: they are what the operator needs to repair it.
  auto current = CurrentRevOrEmpty(**backend);
  if (!current.ok() && current.status().code() != Code::kIntegrity) return out.Fail(current.status());
  PrintList(out, PageOf(*revs, args), revs->size(), current.ok() ? *current : std::string(), current.status());
  return 0;
}

int RunCurrent(const GlobalOptions& g, const Output& out) {
  // With a key configured, the pointer is checked against the journal's authenticated mark
  // (rollback detection); without one it is printed unchecked.
  const bool key_given = CreateEncrypter(g).ok();
  auto backend = OpenStack(g, {.create = false, .need_key = key_given});
  if (!backend.ok()) return out.Fail(backend.status());
  auto current = (*backend)->CurrentRev();
  if (!current.ok()) return out.Fail(current.status());
  PrintRev(out, *current);
  return 0;
}

// Adds the optional FILE positional and --new-key of commit and write.
void AddWriteArguments(CLI::App* command, WriteArgs& args) {
  command->add_option("file", args.input, "Snapshot JSON file, or - for standard input (the default)")
      ->type_name("FILE|-");
  command->add_flag("--new-key", args.new_key,
                    "The key is meant to change: seal even though it cannot open the current revision");
}

}  // namespace

void RegisterSnapshotCommands(CLI::App& app, CommandContext& context) {
  auto commit_args = std::make_shared<WriteArgs>();
  CLI::App* commit = app.add_subcommand("commit", "Lock, write a snapshot, make it current, unlock; print its rev");
  AddWriteArguments(commit, *commit_args);
  SetStackCommand(commit, context,
                  [commit_args](const GlobalOptions& g, const Output& out) { return RunCommit(g, out, *commit_args); });

  auto write_args = std::make_shared<WriteArgs>();
  CLI::App* write = app.add_subcommand("write", "Write a snapshot without moving current; print its rev");
  AddWriteArguments(write, *write_args);
  SetStackCommand(write, context,
                  [write_args](const GlobalOptions& g, const Output& out) { return RunWrite(g, out, *write_args); });

  auto show_rev = std::make_shared<std::string>();
  CLI::App* show = app.add_subcommand("show", "Print a snapshot (default: the current one) as JSON");
  CLI::Option* show_rev_option = show->add_option("rev", *show_rev, "Revision to show")->type_name("REV");
  SetStackCommand(show, context, [show_rev, show_rev_option](const GlobalOptions& g, const Output& out) {
    return RunShow(g, out, show_rev_option->count() > 0 ? std::optional<std::string>(*show_rev) : std::nullopt);
  });

  auto list_args = std::make_shared<ListArgs>();
  CLI::App* list = app.add_subcommand("list", "List revisions oldest first; * marks the current one");
  list->add_flag("--newest-first", list_args->newest_first, "List the newest revision first");
  list->add_option("--offset", list_args->offset, "Skip the first K revisions (in the order listed)")
      ->check(WholeNumberValidator("--offset", std::numeric_limits<std::int64_t>::max()))
      ->type_name("K");
  list_args->limit_option = list->add_option("--limit", list_args->limit, "List at most N revisions")
                                ->check(WholeNumberValidator("--limit", std::numeric_limits<std::int64_t>::max()))
                                ->type_name("N");
  SetStackCommand(list, context,
                  [list_args](const GlobalOptions& g, const Output& out) { return RunList(g, out, *list_args); });

  CLI::App* current = app.add_subcommand("current", "Print the current revision");
  SetStackCommand(current, context, RunCurrent);
}

}  // namespace sealstate::cli
