// Trimming bytes from the ends of a string. The set of bytes trimmed is always the caller's
// choice: files written by other tools are read with the set their format allows.
#pragma once

#include <string_view>

namespace sealstate::internal {

// The bytes isspace() accepts in the "C" locale: space, \t, \n, \v, \f, \r.
inline constexpr std::string_view kAsciiWhitespace = " \t\n\v\f\r";

// `s` without its leading and trailing bytes that are in `set`; a view into `s` (empty when
// every byte is in `set`).
std::string_view Trim(std::string_view s, std::string_view set);

// `s` without its trailing bytes that are in `set`; a view into `s`.
std::string_view TrimEnd(std::string_view s, std::string_view set);

}  // namespace sealstate::internal
