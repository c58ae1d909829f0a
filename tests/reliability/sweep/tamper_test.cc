// The reliability suite's tampering test: every bit of a small v2 and of a small v1
// snapshot file flipped, every truncation, and snapshots swapped between revisions, stacks,
// factories and keys. Each mutated file is opened two ways: OpenSnapshot on the bytes with the
// binding the store would expect, and the store's Get() after the file is planted in a real
// stack directory. None may crash (the test runs in-process) and none may open to a different
// plaintext.
//
// Which error categories are correct (asserted below):
//   v2 payload (everything after the header line): only kIntegrity. The secretstream and the
//     wrapped data key are authenticated (each chunk authenticates the exact header bytes too).
//   v2 header line: kIntegrity, or kFormat when the flip turns a field the reader must
//     understand before it can check anything into something unknown: envelope-version (2 -> 3,
//     0, 6, ...), cipher or compression name. That is the honest answer ("this build cannot
//     read it"), and still a refusal. Never kWrongKey: a flipped key id with the right key
//     unwraps fine and is reported as an edited header (kIntegrity); kWrongKey is reserved for a
//     file really sealed under another key (the swap test checks that).
//   v1 (unobin's format, header not authenticated): kIntegrity (v1 cannot tell a wrong key from
//     tampering), or kFormat for an envelope-version that is no longer 1. A flip in the JSON
//     header that still parses and leaves the ciphertext intact (a key name unobin ignores when
//     missing, such as "payload-type" or "encrypter", the env-var named in the body) or in the
//     unused low bits of the last base64 character before "=" padding (Go's decoder, which
//     unobin uses, accepts them too) legitimately opens the SAME plaintext: counted and reported
//     separately, never as wrong plaintext. Likewise cutting only v1's final newline leaves
//     complete JSON. A v2 file has no such cases: 100% of flips and cuts are rejected.
//   Swaps: v2 binds factory, stack and revision in the authenticated header: every swap is
//     kIntegrity; a file sealed under another key is kWrongKey. v1 binds nothing outside the
//     snapshot, whose own factory and stack names unobin never checks (a copied or renamed stack
//     directory reads): a swap between stacks or factories opens the genuine snapshot, which
//     still names the stack it was written for (a reader can tell; the CLI warns); another key
//     is kIntegrity; a swap between two revisions of the SAME stack opens the other revision's
//     (genuine) content, which nothing in the file can tell apart. Both are limitations of
//     unobin's format, reported as counts, not failures.
//
// Sizes: every bit and every length, default and long alike (a few thousand cases each).
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <optional>

#include <sealstate/envelope.h>
#include <sealstate/local_store.h>

#include "sweep_util.h"
#include "test_support.h"

using namespace sealstate;

namespace {

constexpr const char* kFactory = "tamper-factory";
constexpr const char* kStack = "tamper-stack";

std::shared_ptr<const Encrypter> Key(const char* key_base64) {
  return std::shared_ptr<const Encrypter>(sealstate::testing::EnvKey("SEALSTATE_TAMPER_KEY", key_base64));
}

Snapshot SmallSnapshot(const std::string& factory, const std::string& stack, int n) {
  Snapshot s = sealstate::testing::FixtureSnapshot();
  s.factory.name = factory;
  s.stack = stack;
  s.entries[0].outputs["id"] = Json("vpc-" + std::to_string(n));
  return s;
}

// A store and one genuine revision in it; mutated bytes are planted at that revision's file.
class Planted {
 public:
  Planted(const std::string& root, bool v1, std::shared_ptr<const Encrypter> encrypter,
          const std::string& factory = kFactory, const std::string& stack = kStack)
      : root_(root) {
    LocalStoreOptions o;
    o.root = root;
    o.factory = factory;
    o.stack = stack;
    o.encrypter = std::move(encrypter);
    o.envelope.unobin_compatible = v1;
    Result<std::unique_ptr<Backend>> store = OpenLocalStore(o);
    REQUIRE(store.ok());
    store_ = std::move(*store);
    dir_ = root + "/" + factory + "/" + stack + "/snapshots/";
  }

  Backend& store() { return *store_; }

  // Writes a new revision; returns it.
  std::string Add(const Snapshot& s) {
    Result<std::string> rev = store_->Write(s, {});
    REQUIRE(rev.ok());
    return *rev;
  }
  std::string File(const std::string& rev) const { return dir_ + rev + ".json.enc"; }
  std::string Bytes(const std::string& rev) const { return sealstate::testing::ReadWholeFile(File(rev)); }
  void Plant(const std::string& rev, const std::string& bytes) const {
    sealstate::testing::WriteWholeFile(File(rev), bytes);
  }

 private:
  std::string root_;
  std::string dir_;
  std::unique_ptr<Backend> store_;
};

// Outcomes of opening mutated files, tallied.
struct Tally {
  std::map<std::string, std::uint64_t> by_code;  // "header/integrity", "payload/integrity", ...
  std::uint64_t cases = 0;
  std::uint64_t rejected = 0;
  std::uint64_t same_plaintext = 0;   // opened to the original snapshot (v1 header flips)
  std::uint64_t wrong_plaintext = 0;  // opened to anything else: never allowed
  std::uint64_t bad_category = 0;     // rejected with a code this region must not produce
  std::vector<std::string> samples;

  void Note(const std::string& what) {
    if (samples.size() < 10) samples.push_back(what);
  }
  std::string Codes() const {
    std::string out;
    for (const auto& [code, n] : by_code) out += (out.empty() ? "" : ", ") + code + " " + std::to_string(n);
    return out;
  }
};

// Records one open; `allowed` are the codes correct for where the mutation is.
void Record(Tally& tally, const Result<Snapshot>& opened, const Snapshot& original, const std::string& region,
            const std::vector<Code>& allowed, const std::string& what) {
  ++tally.cases;
  if (opened.ok()) {
    if (*opened == original) {
      ++tally.same_plaintext;
    } else {
      ++tally.wrong_plaintext;
      tally.Note("WRONG PLAINTEXT: " + what);
    }
    return;
  }
  ++tally.rejected;
  const Code code = opened.status().code();
  ++tally.by_code[region + "/" + std::string(CodeName(code))];
  if (std::find(allowed.begin(), allowed.end(), code) == allowed.end()) {
    ++tally.bad_category;
    tally.Note("unexpected category: " + what + ": " + opened.status().ToString());
  }
}

Result<Snapshot> OpenBytes(const std::string& bytes, const std::string& rev, const Encrypter& encrypter,
                           const std::string& factory = kFactory, const std::string& stack = kStack) {
  StringSource source(bytes);
  return OpenSnapshot(source, EnvelopeBinding{"state", factory, stack, rev}, encrypter);
}

void Print(const std::string& label, const Tally& t) {
  for (const std::string& s : t.samples) std::cout << "  " << s << std::endl;
  std::cout << label << ": " << t.cases << " cases, " << t.rejected << " rejected (" << t.Codes() << "), "
            << t.same_plaintext << " opened the same plaintext, " << t.wrong_plaintext << " wrong plaintext, "
            << t.bad_category << " in a wrong category" << std::endl;
}

// Flips every bit of one genuine file; opens each directly and through Get().
Tally FlipEveryBit(bool v1, const std::vector<Code>& header_codes, const std::vector<Code>& payload_codes) {
  sealstate::testing::FastScratch scratch;
  const std::shared_ptr<const Encrypter> key = Key(sealstate::testing::kKeyA);
  Planted planted(scratch.Join("root"), v1, key);
  const Snapshot original = SmallSnapshot(kFactory, kStack, 1);
  const std::string rev = planted.Add(original);
  const std::string genuine = planted.Bytes(rev);
  REQUIRE(planted.store().Get(rev).ok());
  // v2: the header is the first line. v1: the ciphertext is the value of "ciphertext"; the rest
  // is the unauthenticated JSON header.
  const std::size_t header_end = genuine.find('\n');
  const std::size_t ct_begin = genuine.find("\"ciphertext\": \"") + 15;
  const std::size_t ct_end = genuine.rfind('"');
  Tally tally;
  for (std::size_t byte = 0; byte < genuine.size(); ++byte) {
    const bool in_header = v1 ? (byte < ct_begin || byte >= ct_end) : byte <= header_end;
    const std::string region = in_header ? "header" : (v1 ? "ciphertext" : "payload");
    const std::vector<Code>& allowed = in_header ? header_codes : payload_codes;
    for (int bit = 0; bit < 8; ++bit) {
      std::string mutated = genuine;
      mutated[byte] = static_cast<char>(mutated[byte] ^ (1 << bit));
      const std::string what = "byte " + std::to_string(byte) + " bit " + std::to_string(bit) + " (" + region + ")";
      Record(tally, OpenBytes(mutated, rev, *key), original, region, allowed, what + " direct");
      planted.Plant(rev, mutated);
      Record(tally, planted.store().Get(rev), original, region, allowed, what + " via Get");
    }
  }
  std::cout << "  (" << (v1 ? "v1" : "v2") << " file: " << genuine.size() << " bytes, "
            << (v1 ? ct_end - ct_begin : genuine.size() - header_end - 1) << " of them "
            << (v1 ? "base64 ciphertext" : "binary payload") << ")" << std::endl;
  return tally;
}

// Cuts one genuine file at every length; opens each directly and through Get().
Tally TruncateEveryLength(bool v1, const std::vector<Code>& allowed) {
  sealstate::testing::FastScratch scratch;
  const std::shared_ptr<const Encrypter> key = Key(sealstate::testing::kKeyA);
  Planted planted(scratch.Join("root"), v1, key);
  const Snapshot original = SmallSnapshot(kFactory, kStack, 1);
  const std::string rev = planted.Add(original);
  const std::string genuine = planted.Bytes(rev);
  Tally tally;
  for (std::size_t length = 0; length < genuine.size(); ++length) {
    const std::string cut = genuine.substr(0, length);
    const std::string what = "length " + std::to_string(length);
    Record(tally, OpenBytes(cut, rev, *key), original, "cut", allowed, what + " direct");
    planted.Plant(rev, cut);
    Record(tally, planted.store().Get(rev), original, "cut", allowed, what + " via Get");
  }
  return tally;
}

}  // namespace

// Every single-bit corruption of a v2 file is refused, in the right category; none opens.
TEST_CASE("every bit flip of a small v2 snapshot is rejected", "[reliability][tamper]") {
  const auto start = std::chrono::steady_clock::now();
  const Tally t = FlipEveryBit(false, {Code::kIntegrity, Code::kFormat}, {Code::kIntegrity});
  Print("tamper v2 bit flips", t);
  CHECK(t.cases > 8000);
  CHECK(t.rejected == t.cases);  // 100%: the v2 header is authenticated
  CHECK(t.wrong_plaintext == 0);
  CHECK(t.bad_category == 0);
  std::cout << "  (" << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() << " s)"
            << std::endl;
}

// Every single-bit corruption of a v1 file is refused, or (header only) opens the same
// plaintext; none opens to anything else.
TEST_CASE("every bit flip of a small v1 snapshot is rejected or harmless", "[reliability][tamper]") {
  const Tally t = FlipEveryBit(true, {Code::kIntegrity, Code::kFormat}, {Code::kIntegrity});
  Print("tamper v1 bit flips", t);
  CHECK(t.cases > 8000);
  CHECK(t.wrong_plaintext == 0);
  CHECK(t.bad_category == 0);
  CHECK(t.rejected + t.same_plaintext == t.cases);
}

// Every proper prefix of a v1 or v2 file is refused as kIntegrity (v1: except the one cut of
// its final newline, which leaves complete JSON and opens the same plaintext).
TEST_CASE("every truncation of a v1 and a v2 snapshot is rejected", "[reliability][tamper]") {
  for (const bool v1 : {false, true}) {
    const Tally t = TruncateEveryLength(v1, {Code::kIntegrity});
    Print(std::string("tamper ") + (v1 ? "v1" : "v2") + " truncations", t);
    CHECK(t.cases > 1000);
    CHECK(t.wrong_plaintext == 0);
    CHECK(t.bad_category == 0);
    CHECK(t.same_plaintext == (v1 ? 2u : 0u));  // the newline cut, opened directly and via Get
    CHECK(t.rejected + t.same_plaintext == t.cases);
  }
}

namespace {

// One swapped file: what opening it gave, and what it must give.
struct SwapCase {
  std::string what;
  Result<Snapshot> opened;
  std::optional<Code> want;             // the error required; nullopt: see `may_open_as`
  std::optional<Snapshot> may_open_as;  // v1: the genuine content of the file swapped in
  bool other_stack = false;             // swapped in from another stack or factory
};

// `limitation` counts the v1 swaps that opened another revision of the same stack; `elsewhere`
// those that opened a snapshot of another stack or factory.
void CheckSwaps(const std::string& label, const std::vector<SwapCase>& cases, std::uint64_t& limitation,
                std::uint64_t& elsewhere) {
  std::map<std::string, std::uint64_t> codes;
  for (const SwapCase& c : cases) {
    INFO(label << ": " << c.what << ": " << c.opened.status().ToString());
    if (c.opened.ok()) {
      REQUIRE(c.may_open_as.has_value());
      CHECK(*c.opened == *c.may_open_as);
      ++(c.other_stack ? elsewhere : limitation);
      continue;
    }
    ++codes[std::string(CodeName(c.opened.status().code()))];
    REQUIRE(c.want.has_value());
    CHECK(c.opened.status().code() == *c.want);
  }
  std::string summary;
  for (const auto& [code, n] : codes) summary += " " + code + " " + std::to_string(n);
  std::cout << label << ": " << cases.size() << " swaps, rejected:" << summary << std::endl;
}

std::shared_ptr<const Encrypter> KeyOn(const std::string& var, const char* key_base64) {
  return std::shared_ptr<const Encrypter>(sealstate::testing::EnvKey(var, key_base64));
}

}  // namespace

// A genuine file moved to another revision, stack or factory, or sealed under another key, or
// sealed in plaintext, is refused; SetCurrent refuses it and current does not move. v1 cannot
// refuse a move (see the top of this file): what it opens is the genuine snapshot moved there.
TEST_CASE("snapshots swapped between revisions, stacks, factories and keys are rejected", "[reliability][tamper]") {
  std::uint64_t total = 0;
  std::uint64_t limitation = 0;
  std::uint64_t elsewhere = 0;
  for (const bool v1 : {false, true}) {
    sealstate::testing::FastScratch scratch;
    const auto key_a = KeyOn("SEALSTATE_TAMPER_KEY_A", sealstate::testing::kKeyA);
    const auto key_b = KeyOn("SEALSTATE_TAMPER_KEY_B", sealstate::testing::kKeyB);
    const auto noop = std::shared_ptr<const Encrypter>(NewNoopEncrypter());
    Planted a(scratch.Join("root"), v1, key_a, kFactory, "stack-a");
    Planted b(scratch.Join("root"), v1, key_a, kFactory, "stack-b");
    Planted g(scratch.Join("root"), v1, key_a, "other-factory", "stack-a");
    Planted k(scratch.Join("root-key-b"), v1, key_b, kFactory, "stack-a");
    Planted p(scratch.Join("root-plain"), v1, noop, kFactory, "stack-a");
    const Snapshot a1_snap = SmallSnapshot(kFactory, "stack-a", 1);
    const std::string a1 = a.Add(a1_snap);
    const std::string a2 = a.Add(SmallSnapshot(kFactory, "stack-a", 2));
    const std::string b1 = b.Add(SmallSnapshot(kFactory, "stack-b", 1));
    const std::string b2 = b.Add(SmallSnapshot(kFactory, "stack-b", 2));
    REQUIRE(b.store().SetCurrent(b2, {}).ok());
    const std::string g1 = g.Add(SmallSnapshot("other-factory", "stack-a", 1));
    const std::string k1 = k.Add(SmallSnapshot(kFactory, "stack-a", 3));
    const std::string p1 = p.Add(SmallSnapshot(kFactory, "stack-a", 4));
    const std::string genuine = a.Bytes(a1);
    // v2 binds the revision; v1 cannot, and opens the other (genuine) revision instead.
    const std::optional<Code> rev_swap = v1 ? std::nullopt : std::optional<Code>(Code::kIntegrity);
    const std::optional<Snapshot> rev_swap_opens = v1 ? std::optional<Snapshot>(a1_snap) : std::nullopt;
    // v2 binds the stack and factory; v1 opens the genuine a1, which names stack-a of kFactory.
    const std::optional<Code> stack_swap = v1 ? std::nullopt : std::optional<Code>(Code::kIntegrity);
    std::vector<SwapCase> cases;
    a.Plant(a2, genuine);
    cases.push_back({"a1 copied over a2", a.store().Get(a2), rev_swap, rev_swap_opens});
    const std::string renamed = a1 + "_7";
    a.Plant(renamed, genuine);
    cases.push_back({"a1 copied to a new revision name", a.store().Get(renamed), rev_swap, rev_swap_opens});
    b.Plant(b1, genuine);
    cases.push_back({"stack-a's a1 copied over stack-b's b1", b.store().Get(b1), stack_swap, rev_swap_opens, true});
    const Status set = b.store().SetCurrent(b1, {});
    cases.push_back({"set-current to the swapped b1", set.ok() ? b.store().Current() : Result<Snapshot>(set),
                     stack_swap, rev_swap_opens, true});
    CHECK(b.store().CurrentRev().value() == (v1 ? b1 : b2));
    b.Plant(a1, genuine);
    cases.push_back({"a1 copied to stack-b under its own name", b.store().Get(a1), stack_swap, rev_swap_opens, true});
    g.Plant(g1, genuine);
    cases.push_back({"a1 copied over another factory's g1", g.store().Get(g1), stack_swap, rev_swap_opens, true});
    g.Plant(a1, genuine);
    cases.push_back(
        {"a1 copied to another factory under its own name", g.store().Get(a1), stack_swap, rev_swap_opens, true});
    // Same factory, stack and revision, other key: v2 names both key ids; v1 cannot tell.
    a.Plant(k1, k.Bytes(k1));
    cases.push_back(
        {"a file sealed under another key", a.store().Get(k1), v1 ? Code::kIntegrity : Code::kWrongKey, std::nullopt});
    // A plaintext (noop) file planted next to encrypted state.
    a.Plant(p1, p.Bytes(p1));
    cases.push_back(
        {"a plaintext file planted in an encrypted stack", a.store().Get(p1), Code::kIntegrity, std::nullopt});
    CheckSwaps(std::string("tamper ") + (v1 ? "v1" : "v2") + " swaps", cases, limitation, elsewhere);
    total += cases.size();
  }
  std::cout << "tamper swaps: " << total << " cases, " << limitation
            << " opened another genuine revision of the same stack (v1 only: unobin's format binds no revision), "
            << elsewhere
            << " opened a genuine snapshot of another stack or factory, naming it (v1 only: unobin's format "
               "binds the stack only inside the snapshot, and unobin reads copied stacks)"
            << std::endl;
  CHECK(limitation == 2);
  CHECK(elsewhere == 5);
}
