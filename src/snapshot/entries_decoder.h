// Decoding a snapshot's "entries" array straight from parser events into Entry structs, so no
// JSON tree is built for the entries themselves (only for each entry's inputs and outputs,
// which are JSON values in the model). This is most of a snapshot's decoding time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/snapshot.h>
#include <sealstate/status.h>

#include "json/json_reader.h"
#include "json/json_tree_builder.h"

namespace sealstate::internal {

// Gives the same result as converting each element's JSON tree the way the rest of the snapshot
// is converted: an absent or null member leaves the field at its zero value; a repeated member
// keeps the last value; unknown members (e.g. the legacy node-kind) are ignored; type errors
// name the member by path ("snapshot: entries[3].schema-version must be an integer"), and an
// entry with several is reported by the first in field order (address, entry-kind, category,
// binding, schema-version, sensitive-inputs, sensitive-outputs, trigger-hash, inputs, outputs,
// depends-on), not document order. A null element is Go's nil *Entry, which validation reports;
// the first one's index is kept. After the first nil or error, later elements are dropped.
class EntriesDecoder final : public ArrayElementHandler {
 public:
  void Begin() override;
  void Null() override;
  void Bool(bool value) override;
  void Number(Json value) override;
  void String(std::string_view value) override;
  void StartObject() override;
  void Key(std::string_view key) override;
  void EndObject() override;
  void StartArray() override;
  void EndArray() override;

  // Moves the decoded entries into `out` (setting entries_null = false when the array was
  // present and empty) and the first nil element's index into `first_nil`, or returns the first
  // error (kIntegrity). Call only when the "entries" member was an array.
  Status Finish(Snapshot& out, std::optional<std::size_t>& first_nil);

 private:
  // Entry members and the binding's, in the order their errors are reported.
  enum Field : std::uint8_t {
    kAddress,
    kEntryKind,
    kCategory,
    kBinding,
    kBindingAlias,
    kBindingLibraryPath,
    kBindingKind,
    kSchemaVersion,
    kSensitiveInputs,
    kSensitiveOutputs,
    kTriggerHash,
    kInputs,
    kOutputs,
    kDependsOn,
    kFieldCount,
    kUnknown = kFieldCount
  };
  enum class FieldError : std::uint8_t { kNone, kWrongType, kOutOfInt64Range };
  // Where the next event lands.
  enum class Place : std::uint8_t {
    kElement,        // the next element of the array
    kEntryMember,    // a key or the end of the current entry
    kEntryValue,     // the value of entry member field_
    kBindingMember,  // a key or the end of the binding object
    kBindingValue,   // the value of binding member field_
    kStrings,        // an element or the end of the string array in field_
    kTree,           // part of the inputs or outputs object being built
  };

  static Field EntryField(std::string_view key);
  static Field BindingField(std::string_view key);

  Entry& entry() { return entries_.back(); }
  std::vector<std::string>& StringList(Field field);
  bool stopped() const { return first_nil_.has_value() || !error_.ok(); }
  // Counts an element starting now; false when elements are being dropped.
  bool StartElement();
  // An element that is not an object or null: the decode's error, unless already stopped.
  void RejectElement();
  // A member value done: records its error state (kNone clears an earlier occurrence's) and
  // returns to the enclosing object. Members of unknown name record nothing.
  void EndMemberValue(FieldError error);
  // Starts ignoring the container just opened; the place after it is `after`.
  void SkipContainer(Place after);
  // A container opening where the place takes none of its kind: the place's type error, and
  // the container is skipped.
  void RejectContainer();
  // A container closing while skipping; false when not skipping.
  bool EndSkippedContainer();
  // A scalar or container of the wrong type where a string-list element is expected.
  void RejectListElement();
  // Sets string field field_; kWrongType when field_ is not a string.
  FieldError AssignString(std::string_view value);
  // Resets field_ to its zero value, as an absent or null member leaves it.
  void ClearField();
  void FinishEntry();
  std::string Describe(Field field, FieldError error) const;

  std::vector<Entry> entries_;
  std::size_t count_ = 0;  // elements started until the decode stopped
  std::size_t index_ = 0;  // the current element's
  std::optional<std::size_t> first_nil_;
  Status error_;

  Place place_ = Place::kElement;
  Field field_ = kUnknown;
  std::array<FieldError, kFieldCount> field_errors_{};
  std::size_t skip_depth_ = 0;  // > 0: inside a container being ignored
  Place after_skip_ = Place::kElement;
  JsonTreeBuilder tree_;  // inputs or outputs (field_) while place_ is kTree
};

}  // namespace sealstate::internal
