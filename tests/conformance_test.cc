// The backend conformance suite (sealstate-testing, include/sealstate/testing.h) run against the
// built-in backends. A backend joins with one SEALSTATE_BACKEND_CONFORMANCE_TEST line.
#include <stdlib.h>

#include <filesystem>
#include <string>

#include <sealstate/local_store.h>
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
// The memory backend joins with this line (and #include <sealstate/memory_store.h>):
// SEALSTATE_BACKEND_CONFORMANCE_TEST("memory", StoreTarget("memory", &sealstate::MemoryStoreOptions::name, "conformance", sealstate::OpenMemoryStore, false))
// clang-format on
