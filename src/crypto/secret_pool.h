// The pool small secrets (data keys, derived keys) live in.
//
// sodium_malloc maps at least three pages per call (guard pages on both sides, mlock) and
// sodium_free unmaps them: about ten system calls, page faults and TLB flushes for a 32-byte
// key, which was a third of a small commit's seal (perf of the pg-small-commit bench row).
// Like OpenSSL's secure heap, the pool takes arenas from sodium_malloc (guard pages around
// each arena, locked in memory where the limit allows) and hands out fixed-size slots. A
// returned slot is wiped and kept for the next secret. What is lost against one sodium_malloc
// per secret: an overflow past a slot reaches the next slot instead of a guard page.
// Arenas are never unmapped; their number is bounded by the most secrets alive at once.
// Thread-safe.
#pragma once

#include <cstddef>

namespace sealstate::internal {

// The largest secret the pool holds; larger ones get their own sodium_malloc.
inline constexpr std::size_t kSecretSlotBytes = 128;

// A zeroed slot of kSecretSlotBytes bytes, or nullptr if no arena could be allocated.
unsigned char* TakeSecretSlot();

// If `bytes` is a slot TakeSecretSlot returned, wipes it, takes it back and returns true;
// otherwise (another allocation, or nullptr) returns false and does nothing.
bool ReturnSecretSlot(unsigned char* bytes);

}  // namespace sealstate::internal
