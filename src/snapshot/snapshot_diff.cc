#include <sealstate/snapshot_diff.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>

namespace sealstate {
namespace {

// Entries by address (the last one wins if an address repeats).
std::map<std::string_view, const Entry*> ByAddress(const Snapshot& snapshot) {
  std::map<std::string_view, const Entry*> entries;
  for (const Entry& entry : snapshot.entries) entries[entry.address] = &entry;
  return entries;
}

bool Contains(const std::vector<std::string>& names, std::string_view name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// A field as it is encoded, or nothing when it is omitted (empty or zero).
std::optional<Json> StringField(const std::string& value) {
  if (value.empty()) return std::nullopt;
  return Json(value);
}

std::optional<Json> ListField(const std::vector<std::string>& values) {
  if (values.empty()) return std::nullopt;
  return std::optional<Json>(std::in_place, JsonArray(values.begin(), values.end()));
}

std::optional<Json> BindingField(const std::optional<Binding>& binding) {
  if (!binding) return std::nullopt;
  std::optional<Json> field(std::in_place, JsonObject());
  JsonObject& object = field->as_object();
  object.emplace("alias", binding->alias);
  object.emplace("kind", binding->kind);
  if (!binding->library_path.empty()) object.emplace("library-path", binding->library_path);
  return field;
}

std::optional<Json> SchemaVersionField(std::int64_t version) {
  if (version == 0) return std::nullopt;
  return Json(version);
}

// The fields other than address, inputs and outputs, by JSON name in bytewise order.
std::map<std::string, std::optional<Json>> OtherFields(const Entry& entry) {
  return {
      {"binding", BindingField(entry.binding)},
      {"category", StringField(entry.category)},
      {"depends-on", ListField(entry.depends_on)},
      {"entry-kind", StringField(entry.entry_kind)},
      {"schema-version", SchemaVersionField(entry.schema_version)},
      {"sensitive-inputs", ListField(entry.sensitive_inputs)},
      {"sensitive-outputs", ListField(entry.sensitive_outputs)},
      {"trigger-hash", StringField(entry.trigger_hash)},
  };
}

std::vector<ValueChange> DiffFields(const Entry& from, const Entry& to) {
  std::vector<ValueChange> changes;
  const auto old_fields = OtherFields(from);
  const auto new_fields = OtherFields(to);
  for (const auto& [name, old_value] : old_fields) {
    const auto& new_value = new_fields.at(name);
    if (old_value != new_value) changes.push_back({name, old_value, new_value, false});
  }
  return changes;
}

std::optional<Json> Lookup(const JsonObject& object, const std::string& key) {
  auto it = object.find(key);
  if (it == object.end()) return std::nullopt;
  return it->second;
}

// `marked`: the sensitive-inputs (or -outputs) lists of both sides.
ValueChange MakeChange(const std::string& key, std::optional<Json> old_value, std::optional<Json> new_value,
                       const std::vector<std::string>& old_marked, const std::vector<std::string>& new_marked) {
  const bool marked = Contains(old_marked, key) || Contains(new_marked, key);
  const bool sensitive = (old_value && IsSensitiveValue(key, marked, *old_value)) ||
                         (new_value && IsSensitiveValue(key, marked, *new_value));
  return {key, std::move(old_value), std::move(new_value), sensitive};
}

// Key-by-key changes from `from` to `to`, sorted by key (both maps are sorted).
std::vector<ValueChange> DiffObjects(const JsonObject& from, const JsonObject& to,
                                     const std::vector<std::string>& old_marked,
                                     const std::vector<std::string>& new_marked) {
  std::vector<ValueChange> changes;
  std::map<std::string_view, bool> keys;
  for (const auto& [key, value] : from) keys[key] = true;
  for (const auto& [key, value] : to) keys[key] = true;
  for (const auto& [key_view, unused] : keys) {
    const std::string key(key_view);
    auto old_value = Lookup(from, key);
    auto new_value = Lookup(to, key);
    if (old_value == new_value) continue;
    changes.push_back(MakeChange(key, std::move(old_value), std::move(new_value), old_marked, new_marked));
  }
  return changes;
}

EntryChange DiffEntry(const Entry& from, const Entry& to) {
  return EntryChange{
      .address = to.address,
      .fields = DiffFields(from, to),
      .inputs = DiffObjects(from.inputs, to.inputs, from.sensitive_inputs, to.sensitive_inputs),
      .outputs = DiffObjects(from.outputs, to.outputs, from.sensitive_outputs, to.sensitive_outputs),
  };
}

bool ContainsIgnoringCase(std::string_view text, std::string_view word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != text.end();
}

bool HoldsSecretLookingKey(const Json& value) {
  if (value.type() == Json::Type::kArray) {
    const auto& array = value.as_array();
    return std::any_of(array.begin(), array.end(), HoldsSecretLookingKey);
  }
  if (value.type() != Json::Type::kObject) return false;
  for (const auto& [key, member] : value.as_object()) {
    if (IsSecretLookingKey(key) || HoldsSecretLookingKey(member)) return true;
  }
  return false;
}

}  // namespace

SnapshotDiff DiffSnapshots(const Snapshot& from, const Snapshot& to) {
  SnapshotDiff diff;
  const auto old_entries = ByAddress(from);
  const auto new_entries = ByAddress(to);
  for (const auto& [address, entry] : old_entries) {
    auto match = new_entries.find(address);
    if (match == new_entries.end()) {
      diff.removed.emplace_back(address);
    } else if (!(*entry == *match->second)) {
      diff.changed.push_back(DiffEntry(*entry, *match->second));
    }
  }
  for (const auto& [address, entry] : new_entries) {
    if (!old_entries.contains(address)) diff.added.emplace_back(address);
  }
  diff.outputs = DiffObjects(from.outputs, to.outputs, {}, {});
  return diff;
}

bool IsSecretLookingKey(std::string_view key) {
  static constexpr std::array<std::string_view, 12> kSecretWords = {
      "password",   "passwd",  "secret",  "token",  "private_key", "private-key",
      "privatekey", "api_key", "api-key", "apikey", "credential",  "passphrase"};
  return std::any_of(kSecretWords.begin(), kSecretWords.end(),
                     [&](std::string_view word) { return ContainsIgnoringCase(key, word); });
}

bool IsSensitiveValue(std::string_view key, bool marked, const Json& value) {
  return marked || IsSecretLookingKey(key) || HoldsSecretLookingKey(value);
}

}  // namespace sealstate
