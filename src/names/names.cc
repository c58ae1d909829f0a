// Name validation: refuses factory, stack and revision names that could escape or confuse the
// paths they are joined into.
#include <sealstate/names.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "text/go_quote.h"
#include "text/go_utf8.h"

namespace sealstate {
namespace {

bool IsControl(unsigned char byte) { return byte < 0x20 || byte == 0x7f; }

bool ContainsControl(std::string_view name) {
  for (const char c : name) {
    if (IsControl(static_cast<unsigned char>(c))) return true;
  }
  return false;
}

// The rule `name` breaks, or empty when it breaks none. REQUIRES: !name.empty().
std::string BrokenRule(std::string_view name) {
  if (name.size() > kMaxNameBytes) return "it is longer than " + std::to_string(kMaxNameBytes) + " bytes";
  if (name.find('/') != std::string_view::npos) return "it must not contain '/'";
  if (name.find('\\') != std::string_view::npos) return "it must not contain '\\'";
  if (ContainsControl(name)) return "it must not contain a control character";
  // Names are written into JSON (envelope headers, snapshots), which replaces invalid UTF-8:
  // such a name could never match its own files again.
  if (!internal::IsValidUtf8(name)) return "it must be valid UTF-8";
  if (name == "." || name == "..") return "it must not be \".\" or \"..\"";
  if (name.front() == '.') return "it must not start with '.'";
  return {};
}

}  // namespace

Status ValidateName(std::string_view kind, std::string_view name) {
  if (name.empty()) return Status::InvalidArgument(std::string(kind) + " name is empty");
  const std::string rule = BrokenRule(name);
  if (rule.empty()) return Status::OK();
  return Status::InvalidArgument(std::string(kind) + " name " + internal::GoQuote(name) + " is not allowed: " + rule);
}

}  // namespace sealstate
