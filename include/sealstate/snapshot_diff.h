// What changed between two snapshots: entries (keyed by address) added, removed or changed, and
// for a changed entry which fields and which inputs/outputs keys changed, with old and new values;
// and which keys of the snapshot's own outputs changed. Used by `sealstate diff` and
// `sealstate set-current --dry-run`; a pure function, so bindings can offer it too.
//
// What counts as changed (the comparison is Json's structural equality, so 1 and 1.0 differ):
//   - an entry is changed when any of its fields differs (Entry's operator==);
//   - inputs and outputs are compared key by key (top-level keys; a change anywhere inside a
//     nested value is a change of that key, shown with its whole old and new value);
//   - the other entry fields (entry-kind, category, binding, schema-version, sensitive-inputs,
//     sensitive-outputs, trigger-hash, depends-on) are reported by their JSON names, with the
//     value as it is encoded (binding as {"alias","library-path","kind"}, lists as arrays), and
//     a field that is absent (omitted when encoded) as no value;
//   - the snapshot's factory, stack, generated-at and format-version are not compared: they say
//     who wrote the snapshot and when, not what the infrastructure looks like.
//
// Secret values. A value change is `sensitive` when IsSensitiveValue says so; callers that print
// a diff show such a change as changed without its values unless the operator asks for them.
//
// Thread safety: the types are values; the functions are pure.
#pragma once

#include <sealstate/export.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/json.h>
#include <sealstate/snapshot.h>

namespace sealstate {

// One key (or entry field) whose value differs.
struct ValueChange {
  std::string key;                // the inputs/outputs key, or the entry field's JSON name
  std::optional<Json> old_value;  // absent: the key was added
  std::optional<Json> new_value;  // absent: the key was removed
  bool sensitive = false;         // see IsSensitiveValue; never set for entry fields
  friend bool operator==(const ValueChange&, const ValueChange&) = default;
};

// An entry present in both snapshots that differs. Each list is sorted bytewise by key; at least
// one is non-empty.
struct EntryChange {
  std::string address;
  std::vector<ValueChange> fields;   // entry fields other than inputs and outputs
  std::vector<ValueChange> inputs;   // changed inputs keys
  std::vector<ValueChange> outputs;  // changed outputs keys
  friend bool operator==(const EntryChange&, const EntryChange&) = default;
};

// The difference from one snapshot (`from`) to another (`to`). Every list is sorted bytewise (by
// address, or by key).
struct SnapshotDiff {
  std::vector<std::string> added;    // addresses only in `to`
  std::vector<std::string> removed;  // addresses only in `from`
  std::vector<EntryChange> changed;  // addresses in both whose entries differ
  std::vector<ValueChange> outputs;  // changed keys of the snapshot's own outputs
  // True when the snapshots do not differ in anything compared.
  bool empty() const { return added.empty() && removed.empty() && changed.empty() && outputs.empty(); }
  friend bool operator==(const SnapshotDiff&, const SnapshotDiff&) = default;
};

// The difference from `from` to `to`. Addresses are unique in a valid snapshot; should one
// repeat, its last entry counts.
SEALSTATE_EXPORT SnapshotDiff DiffSnapshots(const Snapshot& from, const Snapshot& to);

// Whether a key name looks secret: it contains, ignoring ASCII case, one of "password",
// "passwd", "secret", "token", "private_key", "private-key", "privatekey", "api_key",
// "api-key", "apikey", "credential" or "passphrase". The one place this rule is defined.
SEALSTATE_EXPORT bool IsSecretLookingKey(std::string_view key);

// Whether the value of `key` must not be printed unasked: when `marked` (the snapshot model's
// own marker: the key is listed in the entry's sensitive-inputs or sensitive-outputs, in either
// snapshot), when the key looks secret (IsSecretLookingKey), or when `value` holds, at any
// depth, an object key that looks secret.
SEALSTATE_EXPORT bool IsSensitiveValue(std::string_view key, bool marked, const Json& value);

}  // namespace sealstate
