// Row "rekey": RekeyStack (sealstate rekey: each revision's data key re-wrapped for a new key,
// the payload bytes untouched) of a stack of config.rekey_revisions revisions of ~1 MiB each
// vs re-sealing the same revisions for the new key by hand (open each, seal it again as v3,
// replace it), both under the stack lock and through ReplaceEnvelope (so both are equally
// durable). The key alternates between two keys, so every run changes every revision; the runs
// are interleaved (rekey, reseal, reseal, rekey, ...). After each run the first and the last
// revision must open with the new key alone and equal what was committed.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>

#include <sealstate/envelope.h>
#include <sealstate/key_ring.h>
#include <sealstate/local_store.h>
#include <sealstate/rekey.h>

#include "bench_store.h"
#include "clock.h"
#include "document.h"
#include "fail.h"
#include "rows.h"

namespace sealstate::bench {
namespace {

constexpr const char* kStack = "rekey";
constexpr const char* kSecondKeyVariable = "SEALSTATE_BENCH_SECOND_KEY";

// The two keys the stack alternates between, and a ring per direction ({to, from}).
struct Keys {
  std::shared_ptr<const Encrypter> first;
  std::shared_ptr<const Encrypter> second;
  std::shared_ptr<const Encrypter> to_first;
  std::shared_ptr<const Encrypter> to_second;
};

Keys MakeKeys() {
  if (std::getenv(kSecondKeyVariable) == nullptr) {
    const std::string key = Must(GenerateKeyBase64(), "generate a key");
    if (::setenv(kSecondKeyVariable, key.c_str(), 1) != 0) Die("setenv " + std::string(kSecondKeyVariable));
  }
  Keys keys;
  keys.first = Must(NewEnvKeyEncrypter(kKeyVariable), "env-key encrypter");
  keys.second = Must(NewEnvKeyEncrypter(kSecondKeyVariable), "second env-key encrypter");
  keys.to_first = Must(KeyRing::Make({keys.first, keys.second}), "key ring");
  keys.to_second = Must(KeyRing::Make({keys.second, keys.first}), "key ring");
  return keys;
}

std::unique_ptr<Backend> OpenWith(const std::string& root, std::shared_ptr<const Encrypter> key) {
  LocalStoreOptions options;
  options.root = root;
  options.factory = kFactory;
  options.stack = kStack;
  options.encrypter = std::move(key);
  options.envelope.compression = Compression::kNone;
  return Must(OpenLocalStore(options), "open store " + root);
}

// The comparison: each revision opened, sealed again for `keys`, and replaced.
Status ResealAll(Backend& store, const std::vector<std::string>& revs, const Encrypter& keys,
                 const std::string& lock_id) {
  for (const std::string& rev : revs) {
    std::string stored;
    StringSink stored_sink(stored);
    SEALSTATE_RETURN_IF_ERROR(store.ReadEnvelope(rev, stored_sink));
    const EnvelopeBinding binding{"state", store.factory(), store.stack(), rev};
    StringSource stored_source(stored);
    SEALSTATE_ASSIGN_OR_RETURN(Snapshot snapshot, OpenSnapshot(stored_source, binding, keys, OpenOptions{}));
    std::string sealed;
    StringSink sealed_sink(sealed);
    SEALSTATE_RETURN_IF_ERROR(SealSnapshot(snapshot, kEnvelopeV3, binding, keys, sealed_sink, Compression::kNone));
    StringSource sealed_source(sealed);
    SEALSTATE_RETURN_IF_ERROR(store.ReplaceEnvelope(rev, sealed_source, lock_id));
  }
  return Status::OK();
}

// Times `run` (given the lock id) under the stack lock.
double TimeLocked(Backend& store, const std::function<Status(const std::string&)>& run, const char* what) {
  return TimeMs([&] {
    std::unique_ptr<Lock> lock = Must(store.AcquireLock(BenchLockOptions()), "lock");
    Must(run(lock->id()), what);
    Must(lock->Unlock(), "unlock");
  });
}

// The first and the last revision open with `key` alone and equal `doc`.
void CheckOpens(const std::string& root, const std::vector<std::string>& revs, std::shared_ptr<const Encrypter> key,
                const Snapshot& doc) {
  std::unique_ptr<Backend> store = OpenWith(root, std::move(key));
  for (const std::string& rev : {revs.front(), revs.back()}) {
    if (!(Must(store->Get(rev), "get " + rev) == doc)) Die("rekey: revision " + rev + " reads back different");
  }
}

}  // namespace

Row RekeyRow(const Config& config) {
  const std::string root = config.dir + "/store";
  const Keys keys = MakeKeys();
  const Snapshot doc = MakeDocument({config.rekey_resources, 11, kFactory, kStack});
  std::unique_ptr<Backend> store = OpenWith(root, keys.to_first);
  std::vector<std::string> revs;
  for (std::size_t i = 0; i < config.rekey_revisions; ++i) {
    revs.push_back(Must(store->Commit(doc, BenchLockOptions(), {}), "commit"));
  }
  const double file_mib =
      static_cast<double>(std::filesystem::file_size(SnapshotsDir(root, kStack) + "/" + SnapshotFileName(revs[0]))) /
      (1024.0 * 1024.0);
  bool on_first = true;  // which key the stack is wrapped for now
  std::vector<double> ours, floor;
  const auto rekey = [&] {
    const Encrypter& to = on_first ? *keys.to_second : *keys.to_first;
    ours.push_back(TimeLocked(
        *store, [&](const std::string& id) { return RekeyStack(*store, to, id, RekeyOptions{}).status(); }, "rekey"));
    on_first = !on_first;
    CheckOpens(root, revs, on_first ? keys.first : keys.second, doc);
  };
  const auto reseal = [&] {
    const Encrypter& to = on_first ? *keys.to_second : *keys.to_first;
    floor.push_back(TimeLocked(
        *store, [&](const std::string& id) { return ResealAll(*store, revs, to, id); }, "reseal"));
    on_first = !on_first;
    CheckOpens(root, revs, on_first ? keys.first : keys.second, doc);
  };
  for (int i = 0; i < config.rekey_iterations; ++i) {
    if (i % 2 == 0) {
      rekey();
      reseal();
    } else {
      reseal();
      rekey();
    }
  }
  char title[80];
  std::snprintf(title, sizeof title, "rekey, %zu revisions x %.1f MiB", config.rekey_revisions, file_mib);
  Row row = NewRow("rekey", title, "ms", Summarize(ours),
                   "re-sealing the same revisions for the new key (open, seal v3, replace)", Summarize(floor));
  // The "a small fraction of re-sealing them", read as a quarter.
  JudgeRatio(row, "<= 0.25x", 0.25);
  char note[160];
  std::snprintf(note, sizeof note, "%zu revisions of %.2f MiB sealed (%zu resources, no compression), %d runs of each",
                config.rekey_revisions, file_mib, config.rekey_resources, config.rekey_iterations);
  row.note = note;
  return row;
}

}  // namespace sealstate::bench
