// Conformance: names that could escape a stack are refused (names.h, backend.h).
#include "conformance_fixture.h"

namespace sealstate::testing::conformance {
namespace {

// Names ValidateName refuses, one per rule.
const std::vector<std::string>& BadNames() {
  static const std::vector<std::string> names = {
      "", ".", "..", "../x", "a/b", "a\\b", ".hidden", std::string("a\0b", 3), "a\nb", "\xff", std::string(129, 'n'),
  };
  return names;
}

}  // namespace

void CheckNames(Fixture& f) {
  SECTION("opening a bad factory or stack name is kInvalidArgument") {
    for (const std::string& bad : BadNames()) {
      INFO("name \"" << bad << "\"");
      BackendContext bad_factory = f.Context(f.key_a);
      bad_factory.factory = bad;
      CHECK(f.target.open(bad_factory).status().code() == Code::kInvalidArgument);
      BackendContext bad_stack = f.Context(f.key_a);
      bad_stack.stack = bad;
      CHECK(f.target.open(bad_stack).status().code() == Code::kInvalidArgument);
    }
  }

  SECTION("Get, ReadHeader, SetCurrent and Remove refuse a bad revision name with kInvalidArgument") {
    Backend& b = *f.backend;
    for (const std::string& bad : BadNames()) {
      INFO("revision \"" << bad << "\"");
      CHECK(b.Get(bad).status().code() == Code::kInvalidArgument);
      Code header = b.ReadHeader(bad).status().code();
      CHECK((header == Code::kInvalidArgument || header == Code::kUnsupported));
      CHECK(b.SetCurrent(bad, SetCurrentOptions{}).code() == Code::kInvalidArgument);
      CHECK(b.Remove(bad, "").code() == Code::kInvalidArgument);
    }
    CHECK(f.Journal().empty());
  }
}

}  // namespace sealstate::testing::conformance
