#include "text/trim.h"

namespace sealstate::internal {

std::string_view TrimEnd(std::string_view s, std::string_view set) {
  const std::size_t last = s.find_last_not_of(set);
  return last == std::string_view::npos ? s.substr(0, 0) : s.substr(0, last + 1);
}

std::string_view Trim(std::string_view s, std::string_view set) {
  s = TrimEnd(s, set);
  const std::size_t first = s.find_first_not_of(set);
  return first == std::string_view::npos ? s.substr(0, 0) : s.substr(first);
}

}  // namespace sealstate::internal
