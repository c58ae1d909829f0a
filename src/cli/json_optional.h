// JSON fields that are null when the value is absent: the one way the CLI writes "a revision
// or null", "a message or null" and "a count or null".
#pragma once

#include <cstdint>
#include <string_view>

#include "json/go_json_writer.h"

namespace sealstate::cli {

// Writes null when `text` is empty (no revision, no message), else the string.
void WriteStringOrNull(internal::GoJsonWriter& w, std::string_view text);

// Writes null when `count` is negative (not recorded), else the integer.
void WriteCountOrNull(internal::GoJsonWriter& w, std::int64_t count);

}  // namespace sealstate::cli
