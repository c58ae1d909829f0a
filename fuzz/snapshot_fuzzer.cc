// Fuzzes the snapshot decoder (DecodeSnapshot). Properties checked on every input:
// - no crash, leak, undefined behaviour or hang (ASan, UBSan, libFuzzer's timeout);
// - decoding from memory and from a source that delivers the bytes 1 or a few at a time give
//   the same result (the streaming reader has no split-dependent bugs);
// - a decoded snapshot encodes and decodes back; from then on encoding and decoding are exact
//   inverses and the encoding is byte-stable (what the store writes, it reads back unchanged;
//   the first encoding may differ from the input: invalid UTF-8 becomes U+FFFD, as in Go).
#include <sealstate/snapshot.h>

#include "fuzz_common.h"

using namespace sealstate;
using sealstate::fuzz::Require;

namespace {

void CheckSame(const Result<Snapshot>& a, const Result<Snapshot>& b, const char* what) {
  Require(a.ok() == b.ok(), what, a.status().message() + " vs " + b.status().message());
  if (!a.ok()) {
    Require(a.status().code() == b.status().code(), what, a.status().message() + " vs " + b.status().message());
    return;
  }
  Require(*a == *b, what, "different snapshots");
}

void CheckRoundTrip(const Snapshot& snapshot) {
  Result<std::string> first = EncodeSnapshot(snapshot);
  Require(first.ok(), "a decoded snapshot encodes", first.status().message());
  Result<Snapshot> normalised = DecodeSnapshot(*first);
  Require(normalised.ok(), "an encoded snapshot decodes", normalised.status().message());
  Result<std::string> encoded = EncodeSnapshot(*normalised);
  Require(encoded.ok(), "a decoded snapshot encodes", encoded.status().message());
  Result<Snapshot> again = DecodeSnapshot(*encoded);
  Require(again.ok() && *again == *normalised, "encoding then decoding is the identity", *encoded);
  Result<std::string> reencoded = EncodeSnapshot(*again);
  Require(reencoded.ok() && *reencoded == *encoded, "re-encoding is byte-identical", *encoded);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sealstate::fuzz::AsView(data, size);
  const Result<Snapshot> whole = DecodeSnapshot(input);
  sealstate::fuzz::TrickleSource bytewise(input, 1);
  CheckSame(whole, DecodeSnapshot(bytewise), "bytewise decode agrees");
  sealstate::fuzz::TrickleSource chunked(input, 2 + size % 61);
  CheckSame(whole, DecodeSnapshot(chunked), "chunked decode agrees");
  if (whole.ok()) CheckRoundTrip(*whole);
  return 0;
}
