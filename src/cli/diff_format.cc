#include "cli/diff_format.h"
#include "cli/json_optional.h"

#include <optional>
#include <string_view>
#include <vector>

#include <sealstate/stream.h>

namespace sealstate::cli {
namespace {

constexpr std::string_view kIndent = "    ";

// The compact JSON of a value.
std::string CompactJson(const Json& value) {
  std::string text;
  StringSink sink(text);
  internal::GoJsonWriter writer(sink, internal::GoJsonWriter::Style::kCompact);
  writer.Value(value);
  (void)writer.Finish();  // a StringSink never fails
  return text;
}

std::string_view ChangeName(const ValueChange& change) {
  if (!change.old_value) return "added";
  if (!change.new_value) return "removed";
  return "changed";
}

bool ShowValues(const ValueChange& change, bool show_values) { return !change.sensitive || show_values; }

// "~ NAME: OLD -> NEW", "+ NAME: NEW", "- NAME: OLD"; a hidden sensitive value as "(sensitive ...)".
void PrintChange(const Output& out, std::string_view indent, const std::string& name, const ValueChange& change,
                 bool show_values) {
  const bool shown = ShowValues(change, show_values);
  std::string line(indent);
  if (!change.old_value) {
    line += "+ " + name + ": " + (shown ? CompactJson(*change.new_value) : "(sensitive value)");
    out.Line(line, Tint::kAdded);
  } else if (!change.new_value) {
    line += "- " + name + ": " + (shown ? CompactJson(*change.old_value) : "(sensitive value)");
    out.Line(line, Tint::kRemoved);
  } else {
    line += "~ " + name + ": " +
            (shown ? CompactJson(*change.old_value) + " -> " + CompactJson(*change.new_value)
                   : "(sensitive value changed; --show-values prints it)");
    out.Line(line, Tint::kChanged);
  }
}

void PrintChanges(const Output& out, std::string_view indent, std::string_view prefix,
                  const std::vector<ValueChange>& changes, bool show_values) {
  for (const auto& change : changes) PrintChange(out, indent, std::string(prefix) + change.key, change, show_values);
}

std::string Summary(const DiffSides& sides, const SnapshotDiff& diff) {
  const std::string from = sides.from.empty() ? "(none)" : sides.from;
  if (diff.empty()) return "no differences from " + from + " to " + sides.to;
  return "from " + from + " to " + sides.to + ": " + std::to_string(diff.added.size()) + " added, " +
         std::to_string(diff.removed.size()) + " removed, " + std::to_string(diff.changed.size()) + " changed, " +
         std::to_string(diff.outputs.size()) + " stack outputs changed";
}

void WriteStrings(internal::GoJsonWriter& w, const std::vector<std::string>& values) {
  w.StartArray();
  for (const auto& value : values) w.String(value);
  w.EndArray();
}

// {"key","change","sensitive","old"?,"new"?}: old and new only when present and shown.
void WriteChanges(internal::GoJsonWriter& w, const std::vector<ValueChange>& changes, bool show_values) {
  w.StartArray();
  for (const auto& change : changes) {
    w.StartObject();
    w.Key("key");
    w.String(change.key);
    w.Key("change");
    w.String(ChangeName(change));
    w.Key("sensitive");
    w.Bool(change.sensitive);
    if (ShowValues(change, show_values)) {
      if (change.old_value) {
        w.Key("old");
        w.Value(*change.old_value);
      }
      if (change.new_value) {
        w.Key("new");
        w.Value(*change.new_value);
      }
    }
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

void PrintDiffText(const Output& out, const DiffSides& sides, const SnapshotDiff& diff, bool show_values) {
  out.Line(Summary(sides, diff));
  for (const auto& address : diff.added) out.Line("+ " + address, Tint::kAdded);
  for (const auto& address : diff.removed) out.Line("- " + address, Tint::kRemoved);
  for (const auto& entry : diff.changed) {
    out.Line("~ " + entry.address, Tint::kChanged);
    PrintChanges(out, kIndent, "", entry.fields, show_values);
    PrintChanges(out, kIndent, "inputs.", entry.inputs, show_values);
    PrintChanges(out, kIndent, "outputs.", entry.outputs, show_values);
  }
  if (diff.outputs.empty()) return;
  out.Line("stack outputs:");
  PrintChanges(out, kIndent, "", diff.outputs, show_values);
}

void WriteDiffJson(internal::GoJsonWriter& w, const DiffSides& sides, const SnapshotDiff& diff, bool show_values) {
  w.StartObject();
  w.Key("from");
  WriteStringOrNull(w, sides.from);
  w.Key("to");
  w.String(sides.to);
  w.Key("added");
  WriteStrings(w, diff.added);
  w.Key("removed");
  WriteStrings(w, diff.removed);
  w.Key("changed");
  w.StartArray();
  for (const auto& entry : diff.changed) {
    w.StartObject();
    w.Key("address");
    w.String(entry.address);
    w.Key("fields");
    WriteChanges(w, entry.fields, show_values);
    w.Key("inputs");
    WriteChanges(w, entry.inputs, show_values);
    w.Key("outputs");
    WriteChanges(w, entry.outputs, show_values);
    w.EndObject();
  }
  w.EndArray();
  w.Key("outputs");
  WriteChanges(w, diff.outputs, show_values);
  w.EndObject();
}

}  // namespace sealstate::cli
