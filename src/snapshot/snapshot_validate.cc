// unobin's Snapshot.Validate, rule for rule and message for message.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>

#include <sealstate/snapshot.h>

#include "text/go_quote.h"

namespace sealstate {
namespace {

using internal::GoQuote;

// The categories an entry kind may have, or nullopt for an unknown kind.
std::optional<std::span<const std::string_view>> AllowedCategories(std::string_view entry_kind) {
  static constexpr std::string_view kLeaf[] = {"resource"};
  static constexpr std::string_view kLibraryCall[] = {"resource", "data-source", "action"};
  static constexpr std::string_view kAction[] = {"action"};
  static constexpr std::string_view kDataSource[] = {"data-source"};
  if (entry_kind == "leaf") return kLeaf;
  if (entry_kind == "library-call") return kLibraryCall;
  if (entry_kind == "action") return kAction;
  if (entry_kind == "data-source") return kDataSource;
  return std::nullopt;
}

Status EntryError(const Entry& entry, std::string_view problem) {
  return Status::InvalidArgument("snapshot: entry " + GoQuote(entry.address) + " " + std::string(problem));
}

Status ValidateCategory(const Entry& entry, std::span<const std::string_view> allowed) {
  if (entry.category.empty()) return EntryError(entry, "missing category");
  for (std::string_view category : allowed) {
    if (entry.category == category) return Status::OK();
  }
  return EntryError(entry, "has category " + GoQuote(entry.category));
}

Status ValidateBinding(const Entry& entry) {
  if (!entry.binding) return EntryError(entry, "binding missing");
  if (entry.binding->alias.empty()) return EntryError(entry, "binding missing alias");
  if (entry.binding->kind.empty()) return EntryError(entry, "binding missing kind");
  return Status::OK();
}

// Entry kind, then category, then binding (unobin's Entry.validate).
Status ValidateEntry(const Entry& entry) {
  if (entry.entry_kind.empty()) return EntryError(entry, "missing entry-kind");
  const auto allowed = AllowedCategories(entry.entry_kind);
  if (!allowed) return EntryError(entry, "has unknown entry-kind " + GoQuote(entry.entry_kind));
  SEALSTATE_RETURN_IF_ERROR(ValidateCategory(entry, *allowed));
  return ValidateBinding(entry);
}

}  // namespace

Status ValidateSnapshot(const Snapshot& snapshot) {
  if (snapshot.format_version != kSnapshotFormatVersion) {
    return Status::InvalidArgument("snapshot: format-version is " + std::to_string(snapshot.format_version) +
                                   ", expected " + std::to_string(kSnapshotFormatVersion));
  }
  std::unordered_set<std::string_view> seen;
  for (std::size_t i = 0; i < snapshot.entries.size(); ++i) {
    const Entry& entry = snapshot.entries[i];
    if (entry.address.empty()) {
      return Status::InvalidArgument("snapshot: entries[" + std::to_string(i) + "] missing address");
    }
    if (!seen.insert(entry.address).second) {
      return Status::InvalidArgument("snapshot: duplicate address " + GoQuote(entry.address));
    }
    SEALSTATE_RETURN_IF_ERROR(ValidateEntry(entry));
  }
  return Status::OK();
}

}  // namespace sealstate
