// Snapshots for tests: TestSnapshot and LargeTestSnapshot (sealstate/testing.h).
#include <sealstate/testing.h>

#include <string>

namespace sealstate::testing {
namespace {

Entry LeafEntry(std::string address) {
  Entry entry;
  entry.address = std::move(address);
  entry.entry_kind = "leaf";
  entry.category = "resource";
  entry.binding = Binding{"test", "", "thing"};
  return entry;
}

Snapshot EmptySnapshot(const std::string& factory, const std::string& stack) {
  Snapshot snapshot;
  snapshot.factory = {factory, "v0.0.0-test", "test"};
  snapshot.stack = stack;
  snapshot.generated_at.unix_seconds = 1777550400;  // 2026-04-30T12:00:00Z
  return snapshot;
}

}  // namespace

Snapshot TestSnapshot(const std::string& factory, const std::string& stack, const std::string& mark) {
  Snapshot snapshot = EmptySnapshot(factory, stack);
  Entry entry = LeafEntry("resource.main");
  entry.inputs["size"] = Json(std::int64_t{3});
  entry.outputs["mark"] = Json(mark);
  snapshot.entries.push_back(std::move(entry));
  return snapshot;
}

Snapshot LargeTestSnapshot(const std::string& factory, const std::string& stack, std::size_t min_bytes) {
  Snapshot snapshot = EmptySnapshot(factory, stack);
  // Each entry encodes to well over 500 bytes; the estimate errs on the large side.
  for (std::size_t i = 0, estimate = 0; estimate < min_bytes; ++i, estimate += 500) {
    Entry entry = LeafEntry("resource.r" + std::to_string(i));
    for (int k = 0; k < 10; ++k) {
      entry.outputs["out" + std::to_string(k)] = Json("output-" + std::to_string(i * 17 + k));
    }
    snapshot.entries.push_back(std::move(entry));
  }
  return snapshot;
}

}  // namespace sealstate::testing
