#include "cli/holder_format.h"

#include "cli/duration.h"
#include "cli/time_format.h"
#include "lock/holder_text.h"
#include "lock/lock_record.h"

namespace sealstate::cli {
bool RecordsOnlyPid(const LockHolder& holder) { return holder.lock_id.empty(); }

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
  internal::MarkerHolder fields = internal::FromLockHolder(*holder);
  fields.created.offset_seconds = 0;  // shown in UTC, as every time the CLI prints
  fields.bare_pid = RecordsOnlyPid(*holder);
  internal::WriteHolderFields(w, fields);
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
