#include "pipeline/worker_thread.h"

#include <atomic>
#include <system_error>
#include <utility>

namespace sealstate::internal {
namespace {

std::atomic<bool> fail_thread_creation{false};

}  // namespace

std::optional<std::thread> TryStartThread(std::function<void()> body) {
  if (fail_thread_creation.load(std::memory_order_relaxed)) return std::nullopt;
  try {
    return std::thread(std::move(body));
  } catch (const std::system_error&) {
    return std::nullopt;
  }
}

void FailThreadCreationForTesting(bool fail) { fail_thread_creation.store(fail, std::memory_order_relaxed); }

}  // namespace sealstate::internal
