// Key rings, the v3 envelope (one wrapped data key per recipient) and RekeyStack.
#include <catch2/catch.hpp>

#include <algorithm>

#include <sealstate/envelope.h>
#include <sealstate/key_ring.h>
#include <sealstate/maintenance.h>
#include <sealstate/memory_store.h>
#include <sealstate/rekey.h>

#include "encrypters/local_key_encrypter.h"
#include "envelope/envelope_v2_header.h"
#include "test_support.h"

using namespace sealstate;
using sealstate::testing::EnvKey;

namespace {

constexpr const char* kKeyC = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";  // 32 x 0x02

const EnvelopeBinding kBinding{"state", "cluster-deploy", "prod-east-alpha", "2026-04-30T12:00:00Z"};

std::shared_ptr<const Encrypter> Key(const char* var, const char* base64) { return EnvKey(var, base64); }

std::shared_ptr<const KeyRing> Ring(std::vector<std::shared_ptr<const Encrypter>> keys,
                                    std::vector<std::shared_ptr<const Encrypter>> recipients = {}) {
  auto ring = KeyRing::Make(std::move(keys), std::move(recipients));
  if (!ring.ok()) FAIL(ring.status().ToString());
  return *ring;
}

std::string SealV3Payload(const Encrypter& enc, std::string_view payload) {
  std::string out;
  StringSink sink(out);
  Status s = SealV3(
      kBinding, enc, [&](ByteSink& p) { return p.Append(payload); }, sink);
  if (!s.ok()) FAIL(s.ToString());
  return out;
}

Result<std::string> Open(const Encrypter& enc, std::string_view file) {
  StringSource source(file);
  std::string got;
  Status s = OpenV2(source, kBinding, enc, {}, [&](ByteSource& p) {
    char buf[1000];
    for (;;) {
      SEALSTATE_ASSIGN_OR_RETURN(std::size_t n, p.Read(buf, sizeof buf));
      if (n == 0) return Status::OK();
      got.append(buf, n);
    }
  });
  if (!s.ok()) return s;
  return got;
}

// A key that seals and opens as `inner` does but cannot derive subkeys (Encrypter::DeriveKey's
// default): the journal lines it writes are unauthenticated.
class NoDerivedKeys final : public Encrypter {
 public:
  explicit NoDerivedKeys(std::shared_ptr<const Encrypter> inner) : inner_(std::move(inner)) {}
  Result<std::string> Encrypt(std::string_view plaintext, std::string_view ad) const override {
    return inner_->Encrypt(plaintext, ad);
  }
  Result<std::string> Decrypt(std::string_view ciphertext, std::string_view ad) const override {
    return inner_->Decrypt(ciphertext, ad);
  }
  EncrypterDescription Describe() const override { return inner_->Describe(); }
  Result<std::string> WrapKey(const SecretBytes& data_key, std::string_view ad) const override {
    return inner_->WrapKey(data_key, ad);
  }
  Result<SecretBytes> UnwrapKey(std::string_view wrapped, std::string_view ad) const override {
    return inner_->UnwrapKey(wrapped, ad);
  }

 private:
  std::shared_ptr<const Encrypter> inner_;
};

std::unique_ptr<Backend> MemoryStack(const std::string& name, std::shared_ptr<const Encrypter> key) {
  auto store = OpenMemoryStore(
      {.name = name, .factory = "cluster-deploy", .stack = "prod-east-alpha", .encrypter = key, .envelope = {}});
  if (!store.ok()) FAIL(store.status().ToString());
  return std::move(store).value();
}

EnvelopeHeader HeaderOf(const std::string& file) {
  auto header = internal::ParseV2Header(std::string_view(file).substr(0, file.find('\n')));
  if (!header.ok()) FAIL(header.status().ToString());
  return *header;
}

std::string WithHeader(const std::string& file, const EnvelopeHeader& header) {
  return internal::EncodeV2Header(header) + file.substr(file.find('\n'));
}

}  // namespace

TEST_CASE("a v3 file is wrapped for the first key and every recipient, and any one opens it") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  auto c = Key("KR_C", kKeyC);
  const std::string file = SealV3Payload(*Ring({a, c}, {b}), "hello");
  const EnvelopeHeader header = HeaderOf(file);
  CHECK(header.envelope_version == kEnvelopeV3);
  REQUIRE(header.recipients.size() == 2);  // c is an opening key, not a wrap target
  CHECK(header.recipients[0].key_id == a->Describe().key_id);
  CHECK(header.recipients[1].key_id == b->Describe().key_id);
  CHECK(header.recipients[0].key_source == "env-key");
  CHECK(Open(*a, file).value() == "hello");
  CHECK(Open(*b, file).value() == "hello");
  CHECK(Open(*Ring({c, b}), file).value() == "hello");
  Result<std::string> wrong = Open(*c, file);
  REQUIRE(wrong.status().code() == Code::kWrongKey);
  CHECK(wrong.status().message().find(a->Describe().key_id) != std::string::npos);
  CHECK(wrong.status().message().find(b->Describe().key_id) != std::string::npos);
}

TEST_CASE("v3 wrap entries cannot be removed, reordered, edited or grafted") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  const std::string file = SealV3Payload(*Ring({a}, {b}), "payload");
  const std::string other = SealV3Payload(*Ring({a}, {b}), "payload");
  EnvelopeHeader header = HeaderOf(file);

  EnvelopeHeader reordered = header;
  std::swap(reordered.recipients[0], reordered.recipients[1]);
  CHECK(Open(*a, WithHeader(file, reordered)).status().code() == Code::kIntegrity);

  EnvelopeHeader removed = header;
  removed.recipients.pop_back();
  CHECK(Open(*a, WithHeader(file, removed)).status().code() == Code::kIntegrity);

  EnvelopeHeader grafted = header;
  grafted.recipients[1] = HeaderOf(other).recipients[1];
  CHECK(Open(*a, WithHeader(file, grafted)).status().code() == Code::kIntegrity);
  grafted = header;
  grafted.recipients[0] = HeaderOf(other).recipients[0];
  CHECK(Open(*a, WithHeader(file, grafted)).status().code() == Code::kIntegrity);

  EnvelopeHeader edited = header;
  edited.recipients[0].wrapped[30] ^= 1;
  CHECK(Open(*a, WithHeader(file, edited)).status().code() == Code::kIntegrity);
  edited = header;
  edited.recipients[1].config["env-var"] = std::string("OTHER");
  CHECK(Open(*a, WithHeader(file, edited)).status().code() == Code::kIntegrity);
  edited = header;
  edited.stack = "prod-east-beta";
  CHECK(Open(*a, WithHeader(file, edited)).status().code() == Code::kIntegrity);

  // A non-canonical line (same meaning, other bytes) is refused.
  std::string spaced = file;
  spaced.insert(1, " ");
  CHECK(Open(*a, spaced).status().code() == Code::kIntegrity);
  CHECK(Open(*a, file).value() == "payload");
}

TEST_CASE("v1 and v2 files still open through a key ring") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  std::string v2;
  StringSink sink(v2);
  REQUIRE(SealV2(
              kBinding, *a, [](ByteSink& p) { return p.Append("two"); }, sink)
              .ok());
  CHECK(Open(*Ring({b, a}), v2).value() == "two");
  CHECK(Open(*Ring({b}), v2).status().code() == Code::kWrongKey);
  if (internal::AesGcmAvailable()) {
    Result<std::string> v1 = SealV1("one", "state", *a);
    REQUIRE(v1.ok());
    CHECK(OpenV1(*v1, "state", *Ring({b, a})).value() == "one");
  }
}

TEST_CASE("KeyRing::Make refuses what cannot work") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  CHECK(KeyRing::Make({}).status().code() == Code::kInvalidArgument);
  CHECK(KeyRing::Make({nullptr}).status().code() == Code::kInvalidArgument);
  CHECK(KeyRing::Make({a}, {std::shared_ptr<const Encrypter>(NewNoopEncrypter())}).status().code() ==
        Code::kInvalidArgument);
  std::vector<std::shared_ptr<const Encrypter>> many(kV3MaxRecipients, a);
  CHECK(KeyRing::Make({a}, many).status().code() == Code::kInvalidArgument);
}

TEST_CASE("ParseKeySpec maps each form to a key source and its configuration") {
  auto spec = ParseKeySpec("env:MY_KEY");
  REQUIRE(spec.ok());
  CHECK(spec->key_source == "env-key");
  CHECK(spec->config.at("env-var").as_string() == "MY_KEY");
  CHECK(ParseKeySpec("file:/k").value().config.at("path").as_string() == "/k");
  CHECK(ParseKeySpec("passphrase").value().key_source == "passphrase");
  CHECK(ParseKeySpec("command:pass show k").value().config.at("command").as_string() == "pass show k");
  CHECK(ParseKeySpec("pub:QUJD").value().key_source == "box-public");
  CHECK(ParseKeySpec("box-file:/b").value().key_source == "box-key-file");
  for (const char* bad : {"", "env:", "vault:x", "passphrase:x", "AAAA"}) {
    Result<KeySpec> refused = ParseKeySpec(bad);
    CHECK(refused.status().code() == Code::kInvalidArgument);
    CHECK(refused.status().message().find("env:VAR, file:PATH, passphrase") != std::string::npos);
  }
}

TEST_CASE("RekeyStack re-wraps every revision of a memory stack, and a rerun changes nothing") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  ForgetMemoryStore("rekey");
  MemoryStoreOptions options{.name = "rekey",
                             .factory = "cluster-deploy",
                             .stack = "prod-east-alpha",
                             .encrypter = a,
                             .envelope = {},
                             .create = true};
  auto store = OpenMemoryStore(options);
  REQUIRE(store.ok());
  const Snapshot snapshot = sealstate::testing::FixtureSnapshot();
  std::vector<std::string> revs;
  for (int i = 0; i < 3; ++i) revs.push_back((*store)->Commit(snapshot, {}, {}).value());
  auto lock = (*store)->AcquireLock({});
  REQUIRE(lock.ok());
  auto rotated = RekeyStack(**store, *Ring({b, a}), (*lock)->id(), {});
  REQUIRE(rotated.ok());
  REQUIRE(rotated->size() == 3);
  for (const RekeyedRevision& r : *rotated) {
    CHECK(r.action == RekeyAction::kRewrapped);
    CHECK(r.key_ids_before == std::vector<std::string>{a->Describe().key_id});
    CHECK(r.key_ids_after == std::vector<std::string>{b->Describe().key_id});
  }
  auto again = RekeyStack(**store, *Ring({b, a}), (*lock)->id(), {});
  REQUIRE(again.ok());
  for (const RekeyedRevision& r : *again) CHECK(r.action == RekeyAction::kUnchanged);
  REQUIRE((*lock)->Unlock().ok());
  options.encrypter = b;
  auto with_b = OpenMemoryStore(options);
  options.encrypter = a;
  auto with_a = OpenMemoryStore(options);
  for (const std::string& rev : revs) {
    CHECK((*with_b)->Get(rev).ok());
    CHECK((*with_a)->Get(rev).status().code() == Code::kWrongKey);
  }
  auto listed = ListRevisionKeys(**store);
  REQUIRE(listed.ok());
  for (const RevisionKeys& r : *listed) CHECK(r.key_ids == std::vector<std::string>{b->Describe().key_id});
  auto journal = (*store)->Journal(0);
  REQUIRE(journal.ok());
  CHECK(std::count_if(journal->begin(), journal->end(), [](const JournalEvent& e) { return e.event == "rekey"; }) == 3);
}

TEST_CASE("a key ring derives subkeys with its first key") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  Result<SecretBytes> from_ring = Ring({a, b})->DeriveKey("label");
  REQUIRE(from_ring.ok());
  const SecretBytes from_a = a->DeriveKey("label").value();
  CHECK(from_ring->Equals(from_a));
  CHECK(!Ring({b, a})->DeriveKey("label").value().Equals(from_a));
  CHECK(Ring({a})->DeriveKey("other").value().Equals(a->DeriveKey("other").value()));
  std::shared_ptr<const Encrypter> noop(NewNoopEncrypter());
  CHECK(Ring({noop})->DeriveKey("label").status().code() == Code::kUnsupported);
}

TEST_CASE("journal lines written through a key ring are authenticated with its first key") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  ForgetMemoryStore("ring-journal");
  auto store = MemoryStack("ring-journal", Ring({a, b}));
  REQUIRE(store->Commit(sealstate::testing::FixtureSnapshot(), {}, {}).ok());
  auto journal = store->Journal(0);
  REQUIRE(journal.ok());
  REQUIRE(!journal->empty());
  for (const JournalEvent& event : *journal) CHECK(event.mac_key == a->Describe().key_id);
  auto report = VerifyStack(*store, nullptr, {a.get()});
  REQUIRE(report.ok());
  CHECK(report->problems.empty());
  CHECK(report->notes.empty());
}

TEST_CASE("verify and --expect-at-least check each line with the ring's key it names") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  ForgetMemoryStore("ring-verify");
  const std::string rev = MemoryStack("ring-verify", a)->Commit(sealstate::testing::FixtureSnapshot(), {}, {}).value();
  auto store = MemoryStack("ring-verify", Ring({b, a}));
  REQUIRE(store->Commit(sealstate::testing::FixtureSnapshot(), {}, {}).ok());  // lines made with b
  auto both = VerifyStack(*store, nullptr, {Ring({b, a}).get()});
  REQUIRE(both.ok());
  CHECK(both->problems.empty());
  CHECK(both->notes.empty());
  auto only_b = VerifyStack(*store, nullptr, {Ring({b}).get()});
  REQUIRE(only_b.ok());
  CHECK(only_b->problems.empty());
  REQUIRE(only_b->notes.size() == 1);
  CHECK(only_b->notes[0].find("not checked: key " + a->Describe().key_id + " not given") != std::string::npos);
  CHECK(CheckExpectAtLeast(*store, *Ring({b, a}), rev).ok());
  CHECK(CheckExpectAtLeast(*store, *Ring({b}), rev).code() == Code::kIntegrity);
}

TEST_CASE("a key ring's reads of current check the rollback mark made with any of its keys") {
  auto a = Key("KR_A", sealstate::testing::kKeyA);
  auto b = Key("KR_B", sealstate::testing::kKeyB);
  ForgetMemoryStore("ring-rollback");
  auto with_a = MemoryStack("ring-rollback", a);
  const std::string first = with_a->Commit(sealstate::testing::FixtureSnapshot(), {}, {}).value();
  REQUIRE(with_a->Commit(sealstate::testing::FixtureSnapshot(), {}, {}).ok());
  // Moved by a key that cannot authenticate the journal: the authenticated mark still says the second.
  REQUIRE(MemoryStack("ring-rollback", std::make_shared<NoDerivedKeys>(a))->SetCurrent(first, {}).ok());
  Result<std::string> through_ring = MemoryStack("ring-rollback", Ring({b, a}))->CurrentRev();
  CHECK(through_ring.status().code() == Code::kIntegrity);
  CHECK(through_ring.status().message().find("rollback detected") != std::string::npos);
  CHECK(MemoryStack("ring-rollback", a)->CurrentRev().status().code() == Code::kIntegrity);
  CHECK(MemoryStack("ring-rollback", Ring({b}))->CurrentRev().value() == first);  // no line of b's to check
}
