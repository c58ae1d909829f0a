#include "crypto/secret_pool.h"

#include <functional>
#include <mutex>
#include <vector>

#include <sodium.h>

#include "crypto/sodium_init.h"

namespace sealstate::internal {
namespace {

// Four pages: 128 slots per arena.
constexpr std::size_t kArenaBytes = 16 * 1024;
static_assert(kArenaBytes % kSecretSlotBytes == 0);

struct SecretPool {
  std::mutex mutex;
  std::vector<unsigned char*> arenas;
  std::vector<unsigned char*> free_slots;

  // Adds one arena's slots to free_slots. False if sodium_malloc failed.
  bool Grow() {
    auto* arena = static_cast<unsigned char*>(sodium_malloc(kArenaBytes));
    if (arena == nullptr) return false;
    sodium_memzero(arena, kArenaBytes);
    arenas.push_back(arena);
    for (std::size_t offset = kArenaBytes; offset > 0; offset -= kSecretSlotBytes) {
      free_slots.push_back(arena + offset - kSecretSlotBytes);
    }
    return true;
  }

  bool Owns(const unsigned char* bytes) const {
    const std::less_equal<const unsigned char*> at_or_before;
    const std::less<const unsigned char*> before;
    for (const unsigned char* arena : arenas) {
      if (at_or_before(arena, bytes) && before(bytes, arena + kArenaBytes)) return true;
    }
    return false;
  }
};

// Never destroyed: a secret in a static object may be released after other statics are gone.
SecretPool& Pool() {
  static auto* pool = new SecretPool;
  return *pool;
}

}  // namespace

unsigned char* TakeSecretSlot() {
  EnsureSodium();
  SecretPool& pool = Pool();
  const std::lock_guard<std::mutex> lock(pool.mutex);
  if (pool.free_slots.empty() && !pool.Grow()) return nullptr;
  unsigned char* slot = pool.free_slots.back();
  pool.free_slots.pop_back();
  return slot;
}

bool ReturnSecretSlot(unsigned char* bytes) {
  if (bytes == nullptr) return false;
  SecretPool& pool = Pool();
  const std::lock_guard<std::mutex> lock(pool.mutex);
  if (!pool.Owns(bytes)) return false;
  sodium_memzero(bytes, kSecretSlotBytes);
  pool.free_slots.push_back(bytes);
  return true;
}

}  // namespace sealstate::internal
