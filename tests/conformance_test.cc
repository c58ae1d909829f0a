// The backend conformance suite (sealstate-testing, include/sealstate/testing.h) run against the
// built-in backends, and the library's test helpers. A backend joins with one
// SEALSTATE_BACKEND_CONFORMANCE_TEST line.
#include <stdlib.h>

#include <filesystem>
#include <string>

#include <sealstate/local_store.h>
#include <sealstate/memory_store.h>
#include <sealstate/testing.h>

namespace {

using sealstate::Backend;
using sealstate::BackendContext;
using sealstate::Result;

// A store root for this process, removed when the process exits normally (forked children
// leave with _exit and keep it).
class ScratchRoot {
 public:
  ScratchRoot() : path_((std::filesystem::temp_directory_path() / "sealstate-conformance-XXXXXX").string()) {
    if (::mkdtemp(path_.data()) == nullptr) std::abort();
  }
  ~ScratchRoot() { std::filesystem::remove_all(path_); }
  ScratchRoot(const ScratchRoot&) = delete;
  ScratchRoot& operator=(const ScratchRoot&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string& LocalRoot() {
  static const ScratchRoot root;
  return root.path();
}

// A target whose stacks `open_store` (OpenLocalStore, OpenMemoryStore) opens with the context the
// suite gives and the option `where` (the root, the store's name) set to `location`.
template <typename Options>
sealstate::testing::ConformanceTarget StoreTarget(std::string name, std::string Options::*where, std::string location,
                                                  Result<std::unique_ptr<Backend>> (*open_store)(const Options&),
                                                  bool shared_between_processes) {
  sealstate::testing::ConformanceTarget target;
  target.name = std::move(name);
  target.open = [where, location, open_store](const BackendContext& context) {
    Options options;
    options.*where = location;
    options.factory = context.factory;
    options.stack = context.stack;
    options.encrypter = context.encrypter;
    options.envelope = context.envelope;
    options.create = context.create;
    return open_store(options);
  };
  target.shared_between_processes = shared_between_processes;
  return target;
}

}  // namespace

// One line per backend (kept unwrapped so that adding one is a one-line change).
// clang-format off
SEALSTATE_BACKEND_CONFORMANCE_TEST("local", StoreTarget("local", &sealstate::LocalStoreOptions::root, LocalRoot(), sealstate::OpenLocalStore, true))
SEALSTATE_BACKEND_CONFORMANCE_TEST("memory", StoreTarget("memory", &sealstate::MemoryStoreOptions::name, "conformance", sealstate::OpenMemoryStore, false))
// clang-format on

namespace {

std::unique_ptr<Backend> OpenLocalStack(const std::string& stack) {
  Result<std::unique_ptr<Backend>> backend = sealstate::OpenLocalStore({.root = LocalRoot(),
                                                                        .factory = "helpers",
                                                                        .stack = stack,
                                                                        .encrypter = sealstate::NewNoopEncrypter(),
                                                                        .envelope = {},
                                                                        .create = true});
  REQUIRE(backend.ok());
  return std::move(*backend);
}

}  // namespace

TEST_CASE("SeedStack writes the snapshots in order and sets current; ReadBack returns everything") {
  using sealstate::testing::TestSnapshot;
  std::unique_ptr<Backend> backend = OpenLocalStack("seeded");
  std::vector<sealstate::Snapshot> snapshots = {TestSnapshot("helpers", "seeded", "a"),
                                                TestSnapshot("helpers", "seeded", "b"),
                                                TestSnapshot("helpers", "seeded", "c")};
  Result<std::vector<std::string>> revs = sealstate::testing::SeedStack(*backend, snapshots, 1);
  REQUIRE(revs.ok());
  REQUIRE(revs->size() == 3);
  Result<sealstate::testing::StackContents> contents = sealstate::testing::ReadBack(*backend);
  REQUIRE(contents.ok());
  CHECK(contents->revisions == *revs);
  CHECK(contents->current == (*revs)[1]);
  REQUIRE(contents->snapshots.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(contents->snapshots.at((*revs)[i]) == snapshots[i]);
  REQUIRE(contents->journal.size() == 4);
  CHECK(contents->journal[3].event == "set-current");
  CHECK(contents->journal[3].rev == (*revs)[1]);
  CHECK(contents->lock.state == sealstate::LockState::kFree);
}

TEST_CASE("SeedStack without a current index leaves no current; an index out of range writes nothing") {
  std::unique_ptr<Backend> backend = OpenLocalStack("unseeded");
  std::vector<sealstate::Snapshot> one = {sealstate::testing::TestSnapshot("helpers", "unseeded", "a")};
  CHECK(sealstate::testing::SeedStack(*backend, one, 1).status().code() == sealstate::Code::kInvalidArgument);
  Result<sealstate::testing::StackContents> empty = sealstate::testing::ReadBack(*backend);
  REQUIRE(empty.ok());
  CHECK(empty->revisions.empty());
  REQUIRE(sealstate::testing::SeedStack(*backend, one, std::nullopt).ok());
  Result<sealstate::testing::StackContents> contents = sealstate::testing::ReadBack(*backend);
  REQUIRE(contents.ok());
  CHECK(contents->revisions.size() == 1);
  CHECK_FALSE(contents->current.has_value());
}

TEST_CASE("LargeTestSnapshot encodes to at least the size asked for and is valid") {
  sealstate::Snapshot large = sealstate::testing::LargeTestSnapshot("helpers", "large", 3 << 20);
  Result<std::string> encoded = sealstate::EncodeSnapshot(large);
  REQUIRE(encoded.ok());
  CHECK(encoded->size() >= (3u << 20));
  CHECK(encoded->size() < (6u << 20));
}
