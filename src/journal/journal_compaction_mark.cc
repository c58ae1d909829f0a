#include "journal/journal_compaction_mark.h"

#include <charconv>

namespace sealstate::internal {
namespace {

constexpr std::string_view kKeptPrefix = "kept seq ";
constexpr std::string_view kDroppedPrefix = " and later, dropped ";
constexpr std::string_view kChainPrefix = " line(s); chain-from ";
constexpr std::string_view kNoMac = "-";

// Reads a decimal number at the start of `text` and removes it; false if there is none.
bool TakeNumber(std::string_view& text, std::uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

bool TakePrefix(std::string_view& text, std::string_view prefix) {
  if (!text.starts_with(prefix)) return false;
  text.remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::string FormatCompactionDetail(const JournalCompactionMark& mark) {
  return std::string(kKeptPrefix) + std::to_string(mark.first_kept_seq) + std::string(kDroppedPrefix) +
         std::to_string(mark.dropped) + std::string(kChainPrefix) +
         (mark.chain_from.empty() ? std::string(kNoMac) : mark.chain_from);
}

std::optional<JournalCompactionMark> ParseCompactionMark(const JournalEvent& event) {
  if (event.event != kJournalCompactedEvent) return std::nullopt;
  std::string_view text = event.detail;
  JournalCompactionMark mark;
  if (!TakePrefix(text, kKeptPrefix) || !TakeNumber(text, mark.first_kept_seq) || !TakePrefix(text, kDroppedPrefix) ||
      !TakeNumber(text, mark.dropped) || !TakePrefix(text, kChainPrefix) || text.empty() ||
      text.find(' ') != std::string_view::npos) {
    return std::nullopt;
  }
  if (mark.first_kept_seq < 2) return std::nullopt;
  mark.chain_from = text == kNoMac ? std::string() : std::string(text);
  return mark;
}

const JournalEvent* CompactionLineFor(const std::vector<JournalEvent>& events) {
  if (events.empty() || events.front().seq <= 1) return nullptr;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const std::optional<JournalCompactionMark> mark = ParseCompactionMark(*it);
    if (mark && mark->first_kept_seq == events.front().seq) return &*it;
  }
  return nullptr;
}

}  // namespace sealstate::internal
