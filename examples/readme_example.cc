#include <cstdio>
#include <sealstate/sealstate.h>

using namespace sealstate;

// Prints a failed Status with its category (kWrongKey, kLocked, kIntegrity, kIoError, ...).
static int Fail(const char* what, const Status& status) {
  std::fprintf(stderr, "%s (%s): %s\n", what, std::string(CodeName(status.code())).c_str(), status.message().c_str());
  return 1;
}

int main(int argc, char** argv) {
  // The key: 32 random bytes, base64, in an environment variable. Never in code or logs.
  Result<std::unique_ptr<Encrypter>> key = NewEnvKeyEncrypter("SEALSTATE_EXAMPLE_KEY");
  if (!key.ok()) return Fail("key", key.status());

  // Open (creating if needed) the stack "prod" of the factory "network".
  LocalStoreOptions options;
  options.root = argc > 1 ? argv[1] : "";  // empty: $XDG_DATA_HOME/sealstate
  options.factory = "network";
  options.stack = "prod";
  options.encrypter = std::move(*key);
  Result<std::unique_ptr<Backend>> store = OpenLocalStore(options);
  if (!store.ok()) return Fail("open", store.status());

  // What the infrastructure looks like after an apply step.
  Snapshot snapshot;
  snapshot.factory = {"network", "v1.4.0", "9f2c1e"};
  snapshot.stack = "prod";
  snapshot.generated_at = NowUtc();
  Entry vpc;
  vpc.address = "resource.vpc";
  vpc.entry_kind = "leaf";
  vpc.category = "resource";
  vpc.binding = Binding{"aws", "", "vpc"};
  vpc.inputs["cidr-block"] = Json("10.0.0.0/16");
  vpc.outputs["id"] = Json("vpc-0a1b2c3d");
  vpc.outputs["owner-account"] = Json(std::uint64_t{18446744073709551615u});  // exact, all 64 bits
  snapshot.entries.push_back(vpc);

  // Commit: lock the stack, write a new encrypted snapshot durably, point current at it, unlock.
  LockOptions lock;
  lock.timeout = std::chrono::seconds(30);
  lock.operation = "apply";
  Result<std::string> rev = (*store)->Commit(snapshot, lock, {});
  if (!rev.ok()) return Fail("commit", rev.status());

  // Read current back.
  Result<Snapshot> current = (*store)->Current();
  if (!current.ok()) return Fail("current", current.status());
  std::printf("committed revision %s of network/prod; current has %zu entry, vpc id %s\n", rev->c_str(),
              current->entries.size(), std::string(current->entries[0].outputs["id"].as_string()).c_str());
  return *current == snapshot ? 0 : 1;
}
