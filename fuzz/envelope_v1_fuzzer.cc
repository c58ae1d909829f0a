// Fuzzes the v1 (unobin) envelope reader: OpenV1 with a fixed env-key encrypter and with noop
// (plaintext allowed and refused), and OpenSnapshot, which detects the version and decodes.
// Properties:
// - no crash, leak, undefined behaviour or hang;
// - every refusal is a hostile-input error (integrity, format, wrong key, unsupported);
// - allow_plaintext only lifts a refusal: whatever opens without it opens the same with it;
// - a snapshot opened from a v1 file is the decoding of the plaintext OpenV1 returns.
#include <sealstate/envelope.h>
#include <sealstate/snapshot.h>

#include "fuzz_common.h"
#include "fuzz_encrypters.h"

using namespace sealstate;
using namespace sealstate::fuzz;

namespace {

Result<std::string> Open(std::string_view input, std::string_view type, const Encrypter& encrypter, bool plaintext_ok) {
  OpenOptions options;
  options.allow_plaintext = plaintext_ok;
  Result<std::string> opened = OpenV1(input, type, encrypter, options);
  if (!opened.ok()) RequireHostileInputError(opened.status(), "OpenV1 refuses with a hostile-input error");
  return opened;
}

void CheckSnapshot(std::string_view input, const Encrypter& encrypter, const Result<std::string>& plaintext) {
  TrickleSource source(input, 1 + input.size() % 97);
  OpenOptions options;
  options.allow_plaintext = true;
  const Result<Snapshot> snapshot = OpenSnapshot(source, EnvelopeBinding{}, encrypter, options);
  if (!snapshot.ok()) {
    RequireHostileInputError(snapshot.status(), "OpenSnapshot refuses with a hostile-input error");
    return;
  }
  // A v1 file OpenSnapshot accepts is one OpenV1 accepts, and decodes to the same snapshot.
  Require(plaintext.ok(), "OpenSnapshot accepts only what OpenV1 accepts", plaintext.status().message());
  const Result<Snapshot> decoded = DecodeSnapshot(*plaintext);
  Require(decoded.ok() && *decoded == *snapshot, "OpenSnapshot returns the decoded plaintext");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = AsView(data, size);
  if (Result<std::int64_t> version = DetectEnvelopeVersion(input); version.ok() && *version != kEnvelopeV1) return 0;
  const Result<std::string> keyed = Open(input, "state", FixedKeyEncrypter(), false);
  const Result<std::string> keyed_lenient = Open(input, "state", FixedKeyEncrypter(), true);
  const Result<std::string> plain = Open(input, "state", Noop(), false);
  if (keyed.ok()) {
    Require(keyed_lenient.ok() && *keyed_lenient == *keyed, "allow_plaintext only lifts a refusal");
  }
  CheckSnapshot(input, FixedKeyEncrypter(), keyed_lenient);
  CheckSnapshot(input, Noop(), plain);
  return 0;
}
