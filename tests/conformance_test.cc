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

// A store root for this process, removed at exit (forked children leave with _exit).
const std::string& LocalRoot() {
  static const std::string root = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "sealstate-conformance-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    std::atexit([] { std::filesystem::remove_all(LocalRoot()); });
    return pattern;
  }();
  return root;
}

sealstate::testing::ConformanceTarget LocalTarget() {
  return {.name = "local",
          .open = [](const BackendContext& context) -> Result<std::unique_ptr<Backend>> {
            return sealstate::OpenLocalStore({.root = LocalRoot(),
                                              .factory = context.factory,
                                              .stack = context.stack,
                                              .encrypter = context.encrypter,
                                              .envelope = context.envelope,
                                              .create = context.create});
          },
          .shared_between_processes = true};
}

}  // namespace

SEALSTATE_BACKEND_CONFORMANCE_TEST("local", LocalTarget())
// The memory backend joins here, e.g. with a target whose `open` calls OpenMemoryStore:
//   SEALSTATE_BACKEND_CONFORMANCE_TEST("memory", MemoryTarget())
