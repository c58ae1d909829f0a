// Fuzzes the lock-marker parser (internal::ParseLockRecord): a marker is written by whoever
// created the lock, possibly another version, another tool or an attacker with write access to
// the stack directory. Properties:
// - no crash, leak, undefined behaviour or hang;
// - a parsed holder has a positive pid (the stale check signals it: 0 or negative would name
//   a process group);
// - a parsed (non-bare) holder whose encoding fits the marker limit encodes and parses back; from then on encoding and
// parsing are
//   exact inverses (the first encoding may differ from the input: invalid UTF-8 becomes U+FFFD,
//   as in Go).
#include "lock/lock_record.h"

#include "fuzz_common.h"

using namespace sealstate;
using sealstate::fuzz::Require;
using sealstate::internal::MarkerHolder;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const Result<MarkerHolder> holder = internal::ParseLockRecord(sealstate::fuzz::AsView(data, size));
  if (!holder.ok()) {
    Require(holder.status().code() == Code::kIntegrity, "a bad marker is an integrity error",
            holder.status().message());
    return 0;
  }
  Require(holder->pid > 0, "a holder's pid is positive", std::to_string(holder->pid));
  if (holder->bare_pid) return 0;
  const std::string first = internal::EncodeLockRecord(*holder);
  // Each invalid UTF-8 byte becomes the 6-byte escape \ufffd: the encoding may exceed the limit.
  // sealstate never writes one (MarkerLock::Acquire refuses it; lock_test checks that).
  if (first.size() > internal::kMaxLockRecordBytes) return 0;
  const Result<MarkerHolder> normalised = internal::ParseLockRecord(first);
  Require(normalised.ok(), "an encoded holder parses", normalised.status().message() + ": " + first);
  const std::string encoded = internal::EncodeLockRecord(*normalised);
  const Result<MarkerHolder> again = internal::ParseLockRecord(encoded);
  Require(again.ok() && *again == *normalised, "encoding then parsing is the identity", encoded);
  return 0;
}
