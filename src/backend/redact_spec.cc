// RedactSpec: a backend spec without its password. See backend_registry.h.
#include <sealstate/backend_registry.h>

namespace sealstate {
namespace {

constexpr std::string_view kMask = "***";

// The URI's user-information password ("scheme://user:PASSWORD@host", or a LOCATION
// "//user:PASSWORD@host" as the registry hands it to a factory), masked.
std::string MaskUserInfoPassword(std::string spec) {
  const std::size_t slashes = spec.find("//");
  if (slashes == std::string::npos) return spec;
  const std::size_t authority = slashes + 2;
  const std::size_t authority_end = spec.find_first_of("/?#", authority);
  const std::size_t at = spec.rfind('@', authority_end == std::string::npos ? std::string::npos : authority_end - 1);
  if (at == std::string::npos || at < authority) return spec;
  const std::size_t colon = spec.find(':', authority);
  if (colon == std::string::npos || colon > at) return spec;
  return spec.replace(colon + 1, at - colon - 1, kMask);
}

// Where a "password=" value that starts at `start` ends: at '&', whitespace or the end; a value
// in single quotes (libpq keyword form) ends after its closing quote (backslash escapes).
std::size_t ValueEnd(const std::string& spec, std::size_t start) {
  if (start < spec.size() && spec[start] == '\'') {
    for (std::size_t i = start + 1; i < spec.size(); ++i) {
      if (spec[i] == '\\') {
        ++i;
      } else if (spec[i] == '\'') {
        return i + 1;
      }
    }
    return spec.size();
  }
  const std::size_t end = spec.find_first_of("& \t\n", start);
  return end == std::string::npos ? spec.size() : end;
}

bool StartsParameter(const std::string& spec, std::size_t at) {
  if (at == 0) return true;
  const char before = spec[at - 1];
  return before == '?' || before == '&' || before == ' ' || before == '\t' || before == ':';
}

// Every "password=VALUE" parameter (URI query or keyword form), its value masked.
std::string MaskPasswordParameters(std::string spec) {
  constexpr std::string_view kKey = "password=";
  std::size_t from = 0;
  while ((from = spec.find(kKey, from)) != std::string::npos) {
    const std::size_t value = from + kKey.size();
    if (StartsParameter(spec, from)) {
      spec.replace(value, ValueEnd(spec, value) - value, kMask);
    }
    from = value;
  }
  return spec;
}

}  // namespace

std::string RedactSpec(std::string_view spec) {
  return MaskPasswordParameters(MaskUserInfoPassword(std::string(spec)));
}

}  // namespace sealstate
