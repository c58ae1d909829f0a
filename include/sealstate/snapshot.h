// The state snapshot: what a stack's infrastructure looked like after an apply step.
//
// The model, field names, validation rules and messages are unobin's (format-version 1), so a
// snapshot sealstate encodes is byte-identical to what unobin encodes for the same data, and the
// other way round, with one deliberate difference: integers up to 64 bits in inputs and outputs
// round-trip exactly (unobin turns them into float64).
//
// Encoding is deterministic and pretty: 2-space indent, fields in unobin's order, map keys
// sorted bytewise, Go's escaping (<, >, & as \u003c \u003e \u0026; U+2028/U+2029 escaped;
// invalid UTF-8 as U+FFFD) and Go's float format, one trailing newline.
//
// Thread safety: the types are values; the functions are pure.
#pragma once

#include <sealstate/export.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/json.h>
#include <sealstate/status.h>
#include <sealstate/stream.h>
#include <sealstate/timestamp.h>

namespace sealstate {

inline constexpr std::int64_t kSnapshotFormatVersion = 1;

// The factory (unobin binary) that produced the snapshot. All three are always encoded.
struct FactoryInfo {
  std::string name;
  std::string version;
  std::string content_revision;  // JSON "content-revision"
  friend bool operator==(const FactoryInfo&, const FactoryInfo&) = default;
};

// How an entry is bound to library code. Encoded as {"alias", "library-path"?, "kind"?}.
struct Binding {
  std::string alias;         // required by validation
  std::string library_path;  // JSON "library-path"; omitted when empty
  std::string kind;          // JSON "kind" (Go field Export); required by validation
  friend bool operator==(const Binding&, const Binding&) = default;
};

// One resource, data source, action or library call. Fields in encode order; "omitted" means
// left out of the JSON when empty or zero.
struct Entry {
  std::string address;                         // required, unique in the snapshot
  std::string entry_kind;                      // leaf | library-call | action | data-source
  std::string category;                        // omitted when empty; see ValidateSnapshot
  std::optional<Binding> binding;              // omitted when absent; required by validation
  std::int64_t schema_version = 0;             // omitted when 0
  std::vector<std::string> sensitive_inputs;   // omitted when empty
  std::vector<std::string> sensitive_outputs;  // omitted when empty
  std::string trigger_hash;                    // omitted when empty
  JsonObject inputs;                           // omitted when empty
  JsonObject outputs;                          // omitted when empty
  std::vector<std::string> depends_on;         // omitted when empty
  friend bool operator==(const Entry&, const Entry&) = default;
};

struct Snapshot {
  std::int64_t format_version = kSnapshotFormatVersion;
  FactoryInfo factory;
  std::string stack;
  Timestamp generated_at;  // absent in JSON reads as Go's zero time 0001-01-01T00:00:00Z
  std::vector<Entry> entries;
  // unobin encodes a nil entry list as `null` and an empty one as `[]`. When `entries` is empty
  // this flag picks `null` (true, the default, like unobin's NewSnapshot) or `[]`. Decoding
  // sets it from the input so re-encoding is byte-identical. Ignored when entries is non-empty.
  bool entries_null = true;
  JsonObject outputs;  // omitted when empty
  friend bool operator==(const Snapshot&, const Snapshot&) = default;
};

// unobin's Validate: the first failing rule wins, with unobin's exact message:
//   snapshot: format-version is N, expected 1
//   snapshot: entries[i] missing address
//   snapshot: duplicate address "<a>"
//   snapshot: entry "<a>" missing entry-kind | has unknown entry-kind "<k>"
//   snapshot: entry "<a>" missing category | has category "<c>"
//   snapshot: entry "<a>" binding missing | binding missing alias | binding missing kind
// Allowed categories: leaf -> resource; library-call -> resource, data-source, action;
// action -> action; data-source -> data-source. Quoting is Go's %q.
// Errors: kInvalidArgument.
SEALSTATE_EXPORT Status ValidateSnapshot(const Snapshot& snapshot);

// Validates, then writes the encoding to `out` in pieces of bounded size (no whole-document
// buffer). Errors: kInvalidArgument from validation (nothing written), or the sink's error.
SEALSTATE_EXPORT Status EncodeSnapshot(const Snapshot& snapshot, ByteSink& out);

// Validates and returns the encoding as a string. Errors: kInvalidArgument.
SEALSTATE_EXPORT Result<std::string> EncodeSnapshot(const Snapshot& snapshot);

// Parses JSON from `in`, checks the format version, then validates. Unknown keys are ignored;
// a repeated key keeps the last value. Errors (all messages start "snapshot: "):
//   kFormat    "snapshot: unsupported format-version N (this build expects 1)"
//   kIntegrity malformed JSON (with its byte offset), a field of the wrong type, or any
//              ValidateSnapshot failure (same messages as above)
//   the source's own error, unchanged.
SEALSTATE_EXPORT Result<Snapshot> DecodeSnapshot(ByteSource& in);

// DecodeSnapshot over bytes in memory.
SEALSTATE_EXPORT Result<Snapshot> DecodeSnapshot(std::string_view json);

}  // namespace sealstate
