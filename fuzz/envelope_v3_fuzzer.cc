// Fuzzes the v3 envelope's header and its recipients (the data key wrapped per recipient key):
// ParseV2Header on the first line, internal::UnwrapDataKey with the fixed key alone and with a
// KeyRing {other key, fixed key}, and OpenSnapshot with both. The seeds are v3 files sealed for
// the fixed key, alone or with a second recipient (make_corpus.cc). Properties:
// - no crash, leak, undefined behaviour or hang;
// - every refusal is a hostile-input error (integrity, format, wrong key, unsupported);
// - a v3 header line that parses is canonical: EncodeV2Header gives back exactly its bytes, and
//   it carries at most kV3MaxRecipients recipients;
// - a data key unwraps only from a header that names one of the keys' ids among its recipients,
//   is kDataKeyBytes long, and the header's recipients-mac is the MAC of the header under it
//   (an entry edited, removed, reordered or grafted is refused);
// - what the key alone unwraps or opens, the ring (which picks the entry by key id) unwraps to
//   the same data key and opens the same; whole and bytewise reads agree;
// - what OpenSnapshot opens had a data key that unwraps, and is bound to the expected payload
//   type, factory, stack and revision.
#include <algorithm>
#include <memory>
#include <optional>

#include <sealstate/envelope.h>
#include <sealstate/key_ring.h>
#include <sealstate/snapshot.h>

#include "envelope/envelope_v2_header.h"
#include "envelope/envelope_v3.h"
#include "fuzz_common.h"
#include "fuzz_encrypters.h"

using namespace sealstate;
using namespace sealstate::fuzz;

namespace {

constexpr const char* kOtherKeyVar = "SEALSTATE_FUZZ_OTHER_KEY";
constexpr const char* kOtherKeyBase64 = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";  // 0x20..0x3f

// {a second env-key, the fixed key}: opens what the fixed key opens, choosing by key id.
const Encrypter& Ring() {
  static const std::shared_ptr<const Encrypter> ring = [] {
    ::setenv(kOtherKeyVar, kOtherKeyBase64, 1);
    Result<std::unique_ptr<Encrypter>> other = NewEnvKeyEncrypter(kOtherKeyVar);
    if (!other.ok()) Violation("the other key loads", other.status().message());
    std::shared_ptr<const Encrypter> fixed(&FixedKeyEncrypter(), [](const Encrypter*) {});
    Result<std::shared_ptr<const KeyRing>> made = KeyRing::Make({std::move(*other), fixed});
    if (!made.ok()) Violation("the ring is made", made.status().message());
    return std::shared_ptr<const Encrypter>(*made);
  }();
  return *ring;
}

const EnvelopeBinding& Expected() {
  static const EnvelopeBinding binding{"state", kFactory, kStack, kRev};
  return binding;
}

// The parsed first line, if it is a v3 header; checks that it is canonical.
std::optional<EnvelopeHeader> V3Header(std::string_view input) {
  const std::string_view line = input.substr(0, input.find('\n'));
  Result<EnvelopeHeader> header = internal::ParseV2Header(line);
  if (!header.ok()) {
    RequireHostileInputError(header.status(), "ParseV2Header refuses with a hostile-input error");
    return std::nullopt;
  }
  if (header->envelope_version != kEnvelopeV3) return std::nullopt;
  Require(internal::EncodeV2Header(*header) == line, "a v3 header that parses is canonical");
  Require(header->recipients.size() <= kV3MaxRecipients, "a v3 header carries at most kV3MaxRecipients");
  return std::move(*header);
}

// True if `header` names the key id of one of OpeningKeys(keys) among its recipients.
bool NamesKeyOf(const EnvelopeHeader& header, const Encrypter& keys) {
  for (const Encrypter* key : OpeningKeys(keys)) {
    const std::string id = key->Describe().key_id;
    for (const WrappedDataKey& entry : header.recipients) {
      if (entry.key_id == id) return true;
    }
  }
  return false;
}

bool SameBytes(const SecretBytes& a, const SecretBytes& b) {
  return a.size() == b.size() && std::equal(a.data(), a.data() + a.size(), b.data());
}

// Unwraps with `keys`; checks what an unwrapped data key implies.
Result<SecretBytes> Unwrap(const EnvelopeHeader& header, const Encrypter& keys) {
  Result<SecretBytes> key = internal::UnwrapDataKey(header, keys);
  if (!key.ok()) {
    RequireHostileInputError(key.status(), "UnwrapDataKey refuses with a hostile-input error");
    return key;
  }
  Require(NamesKeyOf(header, keys), "a data key unwraps only for a header naming one of the keys' ids");
  Require(key->size() == internal::kDataKeyBytes, "an unwrapped data key has the data key's length");
  Require(internal::RecipientsMac(header, *key) == header.recipients_mac, "an unwrapped header's MAC matches");
  return key;
}

Result<Snapshot> Open(std::string_view input, std::size_t step, const Encrypter& keys) {
  TrickleSource source(input, step);
  Result<Snapshot> snapshot = OpenSnapshot(source, Expected(), keys, OpenOptions{});
  if (!snapshot.ok()) RequireHostileInputError(snapshot.status(), "OpenSnapshot refuses with a hostile-input error");
  return snapshot;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = AsView(data, size);
  const std::optional<EnvelopeHeader> header = V3Header(input);
  bool unwraps = false;
  if (header) {
    const Result<SecretBytes> alone = Unwrap(*header, FixedKeyEncrypter());
    const Result<SecretBytes> ring = Unwrap(*header, Ring());
    // The MAC binds every entry: whichever entry a key set picks, the data key is the same one.
    if (alone.ok())
      Require(ring.ok() && SameBytes(*ring, *alone), "the ring unwraps the same data key as the key alone");
    unwraps = alone.ok();
  }
  const Result<Snapshot> whole = Open(input, input.size() + 1, FixedKeyEncrypter());
  const Result<Snapshot> bytewise = Open(input, 1 + input.size() % 61, FixedKeyEncrypter());
  Require(whole.ok() == bytewise.ok(), "whole and bytewise reads agree",
          whole.status().message() + " vs " + bytewise.status().message());
  if (whole.ok()) {
    Require(*whole == *bytewise, "whole and bytewise reads give the same snapshot");
    const Result<Snapshot> ring = Open(input, 1 + input.size() % 29, Ring());
    Require(ring.ok() && *ring == *whole, "what the key alone opens, the ring opens the same");
    const Result<std::int64_t> version = DetectEnvelopeVersion(input);
    if (version.ok() && *version == kEnvelopeV3) {
      Require(header.has_value() && unwraps, "OpenSnapshot opens a v3 file only if its data key unwraps");
      Require(header->payload_type == "state" && header->factory == kFactory && header->stack == kStack &&
                  header->rev == kRev,
              "an opened v3 file is bound to what was expected");
    }
    Require(whole->stack == kStack && whole->factory.name == kFactory, "the snapshot names the expected stack");
  }
  return 0;
}
