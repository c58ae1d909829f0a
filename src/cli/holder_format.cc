#include "cli/holder_format.h"

#include "cli/duration.h"
#include "cli/time_format.h"

namespace sealstate::cli {

std::string HolderName(const LockHolder& holder) {
  if (holder.bare_pid) return "pid " + std::to_string(holder.pid) + " (bare pid marker)";
  return holder.user + "@" + holder.host + " pid " + std::to_string(holder.pid);
}

std::vector<std::string> HolderLines(const LockHolder& holder) {
  std::vector<std::string> lines = {"holder: " + HolderName(holder)};
  if (holder.bare_pid) return lines;
  lines.push_back("lock id: " + holder.lock_id);
  lines.push_back("operation: " + holder.operation);
  lines.push_back("since: " + FormatUtc(holder.created) + " (held for " + FormatDuration(ElapsedSince(holder.created)) +
                  ")");
  return lines;
}

void WriteHolderJson(internal::GoJsonWriter& w, const std::optional<LockHolder>& holder) {
  if (!holder) {
    w.Null();
    return;
  }
  w.StartObject();
  w.Key("lock-id");
  w.String(holder->lock_id);
  w.Key("pid");
  w.Int(holder->pid);
  w.Key("host");
  w.String(holder->host);
  w.Key("user");
  w.String(holder->user);
  w.Key("boot-id");
  w.String(holder->boot_id);
  w.Key("start-time");
  w.Uint(holder->start_time);
  w.Key("created");
  if (holder->bare_pid) {
    w.Null();
  } else {
    w.String(FormatUtc(holder->created));
  }
  w.Key("operation");
  w.String(holder->operation);
  w.Key("version");
  w.String(holder->version);
  w.Key("bare-pid");
  w.Bool(holder->bare_pid);
  w.EndObject();
}

std::string ShellQuote(const std::string& text) {
  const bool plain = !text.empty() && text.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                          "0123456789@%+=:,./_-") == std::string::npos;
  if (plain) return text;
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

}  // namespace sealstate::cli
