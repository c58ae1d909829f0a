// Validation of the names sealstate turns into paths: factory, stack and revision.
//
// unobin joins these into paths unchecked (so "state pull ../../x" escapes the store);
// sealstate refuses a name that is empty, longer than 128 bytes, contains '/', '\\', NUL or a
// control character (0x00-0x1F, 0x7F), is not valid UTF-8 (names are stored in JSON, which
// cannot carry other bytes), is "." or "..", or starts with ".". Nothing else is checked or
// normalised: look-alikes such as fullwidth dots are ordinary names. Thread-safe.
#pragma once

#include <sealstate/export.h>

#include <cstddef>
#include <string_view>

#include <sealstate/status.h>

namespace sealstate {

inline constexpr std::size_t kMaxNameBytes = 128;

// Returns OK, or kInvalidArgument naming the kind ("factory", "stack", "revision"), the value
// (quoted, control characters escaped) and the rule it breaks, e.g.
//   stack name "../x" is not allowed: it must not contain '/'
SEALSTATE_EXPORT Status ValidateName(std::string_view kind, std::string_view name);

}  // namespace sealstate
