#include "cli/lock_operation.h"

#include <string_view>

namespace sealstate::cli {
namespace {

constexpr std::string_view kEllipsis = "...";

bool IsUtf8Continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string LockOperationFor(const std::vector<std::string>& command) {
  std::string operation = "lock:";
  for (const auto& arg : command) operation += " " + arg;
  if (operation.size() <= kMaxLockOperationBytes) return operation;
  std::size_t cut = kMaxLockOperationBytes - kEllipsis.size();
  while (cut > 0 && IsUtf8Continuation(operation[cut])) --cut;  // operation[cut] starts a character
  operation.resize(cut);
  operation += kEllipsis;
  return operation;
}

}  // namespace sealstate::cli
