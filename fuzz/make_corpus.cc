// Writes the seed corpora in fuzz/corpus/ (small real inputs for each target), so libFuzzer
// starts from files sealstate really writes. The corpora are committed; rerun this only to
// regenerate them (the encrypted seeds change: nonces and data keys are random):
//   ninja -C build-fuzz fuzz/make_corpus && build-fuzz/fuzz/make_corpus fuzz/corpus
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <sealstate/envelope.h>
#include <sealstate/key_ring.h>
#include <sealstate/snapshot.h>

#include "fuzz_common.h"
#include "fuzz_encrypters.h"
#include "journal/journal_event_json.h"
#include "lock/lock_record.h"

using namespace sealstate;
using namespace sealstate::fuzz;

namespace {

std::filesystem::path g_out;

void Write(const std::string& target, const std::string& name, const std::string& bytes) {
  const std::filesystem::path dir = g_out / target;
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) Violation("make_corpus", result.status().message());
  return std::move(*result);
}

Timestamp At(std::int64_t unix_seconds, std::int32_t nanos = 0, std::int32_t offset = 0) {
  Timestamp t;
  t.unix_seconds = unix_seconds;
  t.nanos = nanos;
  t.offset_seconds = offset;
  return t;
}

Entry MakeEntry(const std::string& address, const std::string& kind, const std::string& category) {
  Entry e;
  e.address = address;
  e.entry_kind = kind;
  e.category = category;
  e.binding = Binding{"aws", "", "vpc"};
  return e;
}

// A small snapshot of the stack the v2 seeds are bound to.
Snapshot Small() {
  Snapshot s;
  s.factory = {kFactory, "v2.0.3", "abc123def456"};
  s.stack = kStack;
  s.generated_at = At(1777550400);  // 2026-04-30T12:00:00Z
  Entry e = MakeEntry("resource.main", "leaf", "resource");
  e.schema_version = 1;
  e.inputs["cidr-block"] = Json("10.0.0.0/16");
  e.outputs["id"] = Json("vpc-abc");
  s.entries.push_back(e);
  return s;
}

// Every field and JSON type the decoder knows.
Snapshot Rich() {
  Snapshot s = Small();
  s.generated_at = At(1777550400, 123456789, 2 * 3600);
  Entry call = MakeEntry("call.lib", "library-call", "data-source");
  call.binding = Binding{"lib", "./lib/net", "lookup"};
  call.sensitive_inputs = {"token"};
  call.sensitive_outputs = {"secret"};
  call.trigger_hash = "sha256:00ff";
  call.depends_on = {"resource.main"};
  call.inputs["n"] = Json(std::int64_t{-9007199254740993});
  call.inputs["f"] = Json(1.5e-7);
  call.inputs["b"] = Json(true);
  call.inputs["z"] = Json();
  call.inputs["s"] = Json("<&> \u2028 caf\u00e9");
  call.outputs["list"] = Json(JsonArray{Json(std::int64_t{1}), Json("two"), Json(JsonObject{{"k", Json(false)}})});
  s.entries.push_back(call);
  s.entries.push_back(MakeEntry("action.ping", "action", "action"));
  s.entries.push_back(MakeEntry("data.zone", "data-source", "data-source"));
  s.outputs["endpoint"] = Json("https://example.invalid");
  return s;
}

Snapshot Empty(bool null_entries) {
  Snapshot s = Small();
  s.entries.clear();
  s.entries_null = null_entries;
  return s;
}

std::string SealedV2(const Snapshot& snapshot, const Encrypter& encrypter,
                     Compression compression = Compression::kNone) {
  std::string out;
  StringSink sink(out);
  const EnvelopeBinding binding{"state", kFactory, kStack, kRev};
  const Status status = SealSnapshot(snapshot, kEnvelopeV2, binding, encrypter, sink, compression);
  if (!status.ok()) Violation("make_corpus", status.message());
  return out;
}

// As SealedV2, as a v3 envelope (what stores write): the data key wrapped for each of
// WrapTargets(encrypter).
std::string SealedV3(const Snapshot& snapshot, const Encrypter& encrypter,
                     Compression compression = Compression::kNone) {
  std::string out;
  StringSink sink(out);
  const EnvelopeBinding binding{"state", kFactory, kStack, kRev};
  const Status status = SealSnapshot(snapshot, kEnvelopeV3, binding, encrypter, sink, compression);
  if (!status.ok()) Violation("make_corpus", status.message());
  return out;
}

// {the fixed key, a second env-key}: a v3 file with two recipients, the fixed key's first.
std::shared_ptr<const Encrypter> TwoRecipients() {
  ::setenv("SEALSTATE_FUZZ_OTHER_KEY", "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=", 1);
  std::shared_ptr<const Encrypter> fixed(&FixedKeyEncrypter(), [](const Encrypter*) {});
  std::shared_ptr<const Encrypter> other(Must(NewEnvKeyEncrypter("SEALSTATE_FUZZ_OTHER_KEY")));
  return Must(KeyRing::Make({fixed}, {other}));
}

void SnapshotSeeds() {
  Write("snapshot", "small.json", Must(EncodeSnapshot(Small())));
  Write("snapshot", "rich.json", Must(EncodeSnapshot(Rich())));
  Write("snapshot", "entries-null.json", Must(EncodeSnapshot(Empty(true))));
  Write("snapshot", "entries-empty.json", Must(EncodeSnapshot(Empty(false))));
  Write("snapshot", "compact-unknown-keys.json",
        R"({"format-version":1,"x":[1,{"y":null}],"factory":{"name":"f","version":"v","content-revision":"r"},)"
        R"("stack":"s","entries":[{"address":"a","entry-kind":"leaf","category":"resource",)"
        R"("binding":{"alias":"x","kind":"k"},"inputs":{"a":"\ud83d\ude00\u0000"}}]})");
  Write("snapshot", "format-2.json", R"({"format-version":2})");
}

void EnvelopeSeeds() {
  const std::string small = Must(EncodeSnapshot(Small()));
  Write("envelope_v1", "env-key.json", Must(SealV1(small, "state", FixedKeyEncrypter())));
  Write("envelope_v1", "env-key-rich.json", Must(SealV1(Must(EncodeSnapshot(Rich())), "state", FixedKeyEncrypter())));
  Write("envelope_v1", "noop.json", Must(SealV1(small, "state", Noop())));
  Write("envelope_v1", "plan.json", Must(SealV1("{}", "plan", Noop())));
  Write("envelope_v1", "no-encrypter.json", "{\"envelope-version\": 1, \"ciphertext\": \"e30=\"}\n");
  Write("envelope_v1", "version-3.json", "{\n  \"envelope-version\": 3\n}\n");

  Write("envelope_v2", "env-key.enc", SealedV2(Small(), FixedKeyEncrypter()));
  Write("envelope_v2", "env-key-rich.enc", SealedV2(Rich(), FixedKeyEncrypter()));
  Write("envelope_v2", "env-key-empty.enc", SealedV2(Empty(true), FixedKeyEncrypter()));
  Write("envelope_v2", "noop.json", SealedV2(Small(), Noop()));
  const std::string sealed = SealedV2(Small(), FixedKeyEncrypter());
  Write("envelope_v2", "truncated.enc", sealed.substr(0, sealed.size() - 17));
  // zstd inside the envelope: with noop the compressed bytes are the fuzzer's to mutate.
  Write("envelope_v2", "env-key-zstd.enc", SealedV2(Rich(), FixedKeyEncrypter(), Compression::kZstd));
  Write("envelope_v2", "noop-zstd.json", SealedV2(Rich(), Noop(), Compression::kZstd));
  Write("envelope_v2", "noop-zstd-small.json", SealedV2(Small(), Noop(), Compression::kZstd));

  Write("envelope_v3", "env-key.enc", SealedV3(Small(), FixedKeyEncrypter()));
  Write("envelope_v3", "env-key-zstd.enc", SealedV3(Rich(), FixedKeyEncrypter(), Compression::kZstd));
  Write("envelope_v3", "two-recipients.enc", SealedV3(Small(), *TwoRecipients()));
  Write("envelope_v3", "noop.json", SealedV3(Small(), Noop()));
}

void LockSeeds() {
  internal::MarkerHolder holder;
  holder.lock_id = "00112233445566778899aabbccddeeff";
  holder.pid = 4242;
  holder.host = "ci-runner-7";
  holder.user = "deploy";
  holder.boot_id = "5b3c8f0e-1d2a-4c3b-9e8f-7a6b5c4d3e2f";
  holder.start_time = 123456789;
  holder.created = At(1777550400, 5000, -5 * 3600);
  holder.operation = "commit";
  holder.version = "0.1.0";
  Write("lock_record", "holder.json", internal::EncodeLockRecord(holder));
  holder.host = "h\u00f6st \"quoted\" \\ \t";
  holder.operation = "";
  Write("lock_record", "escapes.json", internal::EncodeLockRecord(holder));
  Write("lock_record", "bare-pid", "4242\n");
  Write("lock_record", "bare-pid-huge", "99999999999999999999\n");
  Write("lock_record", "torn", R"({"lock-id":"0011","pid":42,"ho)");
}

void JournalSeeds() {
  JournalEvent event;
  event.seq = 1;
  event.time = At(1777550400, 1, 0);
  event.event = "write";
  event.rev = "2026-04-30T12:00:00Z";
  event.lock_id = "00112233445566778899aabbccddeeff";
  event.actor = "deploy@ci-runner-7";
  event.pid = 4242;
  std::string lines = internal::EncodeJournalEvent(event) + "\n";
  event.seq = 2;
  event.event = "lock-break";
  event.rev = "";
  event.detail = "pid 4242 on ci-runner-7 is gone";
  event.time = At(1777550460, 0, 3600);
  lines += internal::EncodeJournalEvent(event) + "\n";
  Write("journal", "two-events", lines);
  Write("journal", "minimal", R"({"seq":7,"time":"2026-04-30T12:00:00Z","pid":null,"extra":[1,2]})");
  Write("journal", "torn-tail", lines + R"({"seq":3,"time":"2026-04-30T12:)");
}

void RevisionSeeds() {
  Write("revision", "plain", "2026-05-12T15:30:00Z\n2026-05-12T15:30:00.123456789Z\n2026-05-12T15:30:00Z_2");
  Write("revision", "offsets", "2026-05-12T17:30:00+02:00\n2026-05-12T15:30:00Z_10\n2026-05-12T10:30:00.5-05:00");
  Write("revision", "suffixes", "2026-05-12T15:30:00Z_+07\n2026-05-12T15:30:00Z_0\n2026-05-12T15:30:00Z_-1");
  Write("revision", "limits", "0000-01-01T00:00:00+23:59\n9999-12-31T23:59:59.999999999-23:59\n2024-02-29T23:59:59Z");
  Write("revision", "names", "prod-east-alpha\n..\n.hidden");
  Write("revision", "hostile", std::string("a/b\n\x7f\n") + std::string("x\0y", 3));
  Write("revision", "long", std::string(128, 'n') + "\n" + std::string(129, 'n') + "\nstack\\name");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: make_corpus OUT_DIR (normally fuzz/corpus)\n";
    return 2;
  }
  g_out = argv[1];
  SnapshotSeeds();
  EnvelopeSeeds();
  LockSeeds();
  JournalSeeds();
  RevisionSeeds();
  std::cout << "seed corpora written to " << g_out << "\n";
  return 0;
}
