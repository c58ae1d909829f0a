#include "cli/holder_format.h"

#include <charconv>
#include <cstdint>

#include <sealstate/local_store.h>

#include "cli/duration.h"
#include "cli/time_format.h"

namespace sealstate::cli {
namespace {

std::string DetailOr(const LockHolder& holder, std::string_view key, std::string fallback) {
  const auto found = holder.detail.find(std::string(key));
  return found == holder.detail.end() ? std::move(fallback) : found->second;
}

// The local store's start time (a decimal detail entry); 0 when absent or not a number.
std::uint64_t StartTime(const LockHolder& holder) {
  const std::string text = DetailOr(holder, kLocalHolderStartTime, "0");
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() ? value : 0;
}

}  // namespace

bool RecordsOnlyPid(const LockHolder& holder) { return holder.lock_id.empty(); }

std::string HolderName(const LockHolder& holder) {
  if (RecordsOnlyPid(holder)) return "pid " + std::to_string(holder.pid) + " (bare pid marker)";
  return holder.user + "@" + holder.host + " pid " + std::to_string(holder.pid);
}

std::vector<std::string> HolderLines(const LockHolder& holder) {
  std::vector<std::string> lines = {"holder: " + HolderName(holder)};
  if (RecordsOnlyPid(holder)) return lines;
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
  w.String(DetailOr(*holder, kLocalHolderBootId, ""));
  w.Key("start-time");
  w.Uint(StartTime(*holder));
  w.Key("created");
  if (RecordsOnlyPid(*holder)) {
    w.Null();
  } else {
    w.String(FormatUtc(holder->created));
  }
  w.Key("operation");
  w.String(holder->operation);
  w.Key("version");
  w.String(holder->version);
  w.Key("bare-pid");
  w.Bool(RecordsOnlyPid(*holder));
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
