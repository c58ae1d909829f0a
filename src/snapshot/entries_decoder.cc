#include "snapshot/entries_decoder.h"

#include <string>
#include <utility>

namespace sealstate::internal {
namespace {

constexpr std::string_view kFieldNames[] = {
    "address",      "entry-kind",     "category",         "binding",           "binding.alias", "binding.library-path",
    "binding.kind", "schema-version", "sensitive-inputs", "sensitive-outputs", "trigger-hash",  "inputs",
    "outputs",      "depends-on"};

}  // namespace

EntriesDecoder::Field EntriesDecoder::EntryField(std::string_view key) {
  for (std::uint8_t f = kAddress; f < kFieldCount; ++f) {
    if (f == kBindingAlias || f == kBindingLibraryPath || f == kBindingKind) continue;
    if (key == kFieldNames[f]) return static_cast<Field>(f);
  }
  return kUnknown;
}

EntriesDecoder::Field EntriesDecoder::BindingField(std::string_view key) {
  if (key == "alias") return kBindingAlias;
  if (key == "library-path") return kBindingLibraryPath;
  if (key == "kind") return kBindingKind;
  return kUnknown;
}

std::vector<std::string>& EntriesDecoder::StringList(Field field) {
  if (field == kSensitiveInputs) return entry().sensitive_inputs;
  if (field == kSensitiveOutputs) return entry().sensitive_outputs;
  return entry().depends_on;
}

void EntriesDecoder::Begin() { *this = EntriesDecoder(); }

bool EntriesDecoder::StartElement() {
  if (stopped()) return false;
  index_ = count_++;
  return true;
}

void EntriesDecoder::RejectElement() {
  if (StartElement()) {
    error_ = Status::Integrity("snapshot: entries[" + std::to_string(index_) + "] must be an object");
  }
}

void EntriesDecoder::EndMemberValue(FieldError error) {
  if (field_ != kUnknown) field_errors_[field_] = error;
  place_ = place_ == Place::kBindingValue ? Place::kBindingMember : Place::kEntryMember;
}

void EntriesDecoder::SkipContainer(Place after) {
  skip_depth_ = 1;
  after_skip_ = after;
}

void EntriesDecoder::RejectListElement() { field_errors_[field_] = FieldError::kWrongType; }

void EntriesDecoder::ClearField() {
  Entry& e = entry();
  switch (field_) {
    case kAddress: e.address.clear(); break;
    case kEntryKind: e.entry_kind.clear(); break;
    case kCategory: e.category.clear(); break;
    case kBinding:
      e.binding.reset();
      field_errors_[kBindingAlias] = field_errors_[kBindingLibraryPath] = field_errors_[kBindingKind] =
          FieldError::kNone;
      break;
    case kBindingAlias: e.binding->alias.clear(); break;
    case kBindingLibraryPath: e.binding->library_path.clear(); break;
    case kBindingKind: e.binding->kind.clear(); break;
    case kSchemaVersion: e.schema_version = 0; break;
    case kSensitiveInputs:
    case kSensitiveOutputs:
    case kDependsOn: StringList(field_).clear(); break;
    case kTriggerHash: e.trigger_hash.clear(); break;
    case kInputs: e.inputs.clear(); break;
    case kOutputs: e.outputs.clear(); break;
    case kUnknown: break;
  }
}

void EntriesDecoder::Null() {
  if (skip_depth_ > 0) return;
  switch (place_) {
    case Place::kElement:
      if (StartElement()) first_nil_ = index_;
      return;
    case Place::kEntryValue:
    case Place::kBindingValue: ClearField(); return EndMemberValue(FieldError::kNone);
    case Place::kStrings: StringList(field_).emplace_back(); return;  // Go's zero value
    case Place::kTree: tree_.Value(Json()); return;
    case Place::kEntryMember:
    case Place::kBindingMember: return;  // not reached: the parser sends a key first
  }
}

void EntriesDecoder::Bool(bool value) {
  if (skip_depth_ > 0) return;
  switch (place_) {
    case Place::kElement: return RejectElement();
    case Place::kEntryValue:
    case Place::kBindingValue: return EndMemberValue(FieldError::kWrongType);
    case Place::kStrings: return RejectListElement();
    case Place::kTree: tree_.Value(Json(value)); return;
    case Place::kEntryMember:
    case Place::kBindingMember: return;
  }
}

void EntriesDecoder::Number(Json value) {
  if (skip_depth_ > 0) return;
  switch (place_) {
    case Place::kElement: return RejectElement();
    case Place::kEntryValue:
      if (field_ != kSchemaVersion) return EndMemberValue(FieldError::kWrongType);
      if (value.type() == Json::Type::kUint) return EndMemberValue(FieldError::kOutOfInt64Range);
      if (value.type() != Json::Type::kInt) return EndMemberValue(FieldError::kWrongType);
      entry().schema_version = value.as_int();
      return EndMemberValue(FieldError::kNone);
    case Place::kBindingValue: return EndMemberValue(FieldError::kWrongType);
    case Place::kStrings: return RejectListElement();
    case Place::kTree: tree_.Value(std::move(value)); return;
    case Place::kEntryMember:
    case Place::kBindingMember: return;
  }
}

void EntriesDecoder::String(std::string_view value) {
  if (skip_depth_ > 0) return;
  switch (place_) {
    case Place::kElement: return RejectElement();
    case Place::kEntryValue:
    case Place::kBindingValue: return EndMemberValue(AssignString(value));
    case Place::kStrings: StringList(field_).emplace_back(value); return;
    case Place::kTree: tree_.Value(Json(value)); return;
    case Place::kEntryMember:
    case Place::kBindingMember: return;
  }
}

EntriesDecoder::FieldError EntriesDecoder::AssignString(std::string_view value) {
  // Assigned as new strings, not assign(): libstdc++ gives a string growing past its inline
  // buffer twice that capacity, and a decoded snapshot should carry no spare bytes.
  Entry& e = entry();
  switch (field_) {
    case kAddress: e.address = std::string(value); break;
    case kEntryKind: e.entry_kind = std::string(value); break;
    case kCategory: e.category = std::string(value); break;
    case kTriggerHash: e.trigger_hash = std::string(value); break;
    case kBindingAlias: e.binding->alias = std::string(value); break;
    case kBindingLibraryPath: e.binding->library_path = std::string(value); break;
    case kBindingKind: e.binding->kind = std::string(value); break;
    case kUnknown: break;
    default: return FieldError::kWrongType;
  }
  return FieldError::kNone;
}

void EntriesDecoder::StartObject() {
  if (skip_depth_ > 0) {
    ++skip_depth_;
    return;
  }
  if (place_ == Place::kTree) return tree_.StartObject();
  if (place_ == Place::kElement) {
    if (!StartElement()) return SkipContainer(Place::kElement);
    entries_.emplace_back();
    field_errors_.fill(FieldError::kNone);
    place_ = Place::kEntryMember;
    return;
  }
  if (place_ == Place::kEntryValue && field_ == kBinding) {
    ClearField();
    entry().binding.emplace();
    field_errors_[kBinding] = FieldError::kNone;
    place_ = Place::kBindingMember;
    return;
  }
  if (place_ == Place::kEntryValue && (field_ == kInputs || field_ == kOutputs)) {
    tree_.StartObject();
    place_ = Place::kTree;
    return;
  }
  RejectContainer();
}

void EntriesDecoder::RejectContainer() {
  switch (place_) {
    case Place::kElement: RejectElement(); return SkipContainer(Place::kElement);
    case Place::kEntryValue:
    case Place::kBindingValue:
      EndMemberValue(FieldError::kWrongType);  // back to the member place, after the skip
      return SkipContainer(place_);
    case Place::kStrings: RejectListElement(); return SkipContainer(Place::kStrings);
    case Place::kEntryMember:
    case Place::kBindingMember:
    case Place::kTree: return;  // not reached: the callers handle these places
  }
}

bool EntriesDecoder::EndSkippedContainer() {
  if (skip_depth_ == 0) return false;
  if (--skip_depth_ == 0) place_ = after_skip_;
  return true;
}

void EntriesDecoder::Key(std::string_view key) {
  if (skip_depth_ > 0) return;
  switch (place_) {
    case Place::kEntryMember:
      field_ = EntryField(key);
      place_ = Place::kEntryValue;
      return;
    case Place::kBindingMember:
      field_ = BindingField(key);
      place_ = Place::kBindingValue;
      return;
    case Place::kTree: tree_.Key(key); return;
    default: return;  // not reached: keys come only inside objects
  }
}

void EntriesDecoder::EndObject() {
  if (EndSkippedContainer()) return;
  switch (place_) {
    case Place::kTree:
      tree_.End();
      if (tree_.depth() > 0) return;
      (field_ == kInputs ? entry().inputs : entry().outputs) = tree_.TakeObject();
      return EndMemberValue(FieldError::kNone);
    case Place::kBindingMember: place_ = Place::kEntryMember; return;
    case Place::kEntryMember:
      FinishEntry();
      place_ = Place::kElement;
      return;
    default: return;  // not reached: objects close only where keys are expected
  }
}

void EntriesDecoder::StartArray() {
  if (skip_depth_ > 0) {
    ++skip_depth_;
    return;
  }
  if (place_ == Place::kTree) return tree_.StartArray();
  if (place_ == Place::kEntryValue &&
      (field_ == kSensitiveInputs || field_ == kSensitiveOutputs || field_ == kDependsOn)) {
    StringList(field_).clear();
    field_errors_[field_] = FieldError::kNone;
    place_ = Place::kStrings;
    return;
  }
  RejectContainer();
}

void EntriesDecoder::EndArray() {
  if (EndSkippedContainer()) return;
  if (place_ == Place::kStrings) {
    place_ = Place::kEntryMember;
  } else if (place_ == Place::kTree) {
    tree_.End();
  }
}

std::string EntriesDecoder::Describe(Field field, FieldError error) const {
  std::string expected;
  switch (field) {
    case kBinding:
    case kInputs:
    case kOutputs: expected = "an object"; break;
    case kSchemaVersion:
      expected = error == FieldError::kOutOfInt64Range ? "an integer in the int64 range" : "an integer";
      break;
    case kSensitiveInputs:
    case kSensitiveOutputs:
    case kDependsOn: expected = "an array of strings"; break;
    default: expected = "a string"; break;
  }
  return "snapshot: entries[" + std::to_string(index_) + "]." + std::string(kFieldNames[field]) + " must be " +
         expected;
}

void EntriesDecoder::FinishEntry() {
  for (std::uint8_t f = kAddress; f < kFieldCount; ++f) {
    if (field_errors_[f] != FieldError::kNone) {
      error_ = Status::Integrity(Describe(static_cast<Field>(f), field_errors_[f]));
      return;
    }
  }
}

Status EntriesDecoder::Finish(Snapshot& out, std::optional<std::size_t>& first_nil) {
  SEALSTATE_RETURN_IF_ERROR(error_);
  // The flag only matters for an empty list; a non-empty one keeps the default, so a decoded
  // snapshot compares equal to one built in code.
  if (count_ == 0) out.entries_null = false;
  out.entries = std::move(entries_);
  first_nil = first_nil_;
  return Status::OK();
}

}  // namespace sealstate::internal
