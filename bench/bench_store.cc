#include "bench_store.h"

#include <cstdlib>

#include <sealstate/encrypter.h>
#include <sealstate/local_store.h>

#include "fail.h"

namespace sealstate::bench {

void EnsureBenchKey() {
  const char* existing = std::getenv(kKeyVariable);
  if (existing != nullptr && existing[0] != '\0') return;
  const std::string key = Must(GenerateKeyBase64(), "generate a key");
  if (::setenv(kKeyVariable, key.c_str(), 1) != 0) Die("setenv " + std::string(kKeyVariable));
}

std::unique_ptr<Backend> OpenBenchStore(const std::string& root, const std::string& stack, Compression compression) {
  LocalStoreOptions options;
  options.root = root;
  options.factory = kFactory;
  options.stack = stack;
  options.encrypter = Must(NewEnvKeyEncrypter(kKeyVariable), "env-key encrypter");
  options.envelope.compression = compression;
  return Must(OpenLocalStore(options), "open store " + root + " " + stack);
}

std::string StackDir(const std::string& root, const std::string& stack) { return root + "/" + kFactory + "/" + stack; }

std::string SnapshotsDir(const std::string& root, const std::string& stack) {
  return StackDir(root, stack) + "/snapshots";
}

std::string SnapshotFileName(const std::string& rev) { return rev + ".json.enc"; }

LockOptions BenchLockOptions() {
  LockOptions options;
  options.timeout = std::chrono::seconds(10);
  options.operation = "bench";
  return options;
}

}  // namespace sealstate::bench
