// The JSON floor: what RapidJSON alone costs to serialise and parse a document.
//
// Serialising writes the same fields sealstate encodes, in the same pretty shape (2-space
// indent), so both sides produce documents of nearly the same size; it skips what only
// sealstate does (validation, Go's escaping and float format, sorted-key checks). Parsing builds
// a RapidJSON DOM and destroys it, as a reader that turns bytes into a usable tree must.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <sealstate/snapshot.h>

namespace sealstate::bench {

// Serialises `snapshot` with rapidjson::PrettyWriter (indent 2) into `out` (cleared first; its
// capacity is reused).
void RapidSerialize(const Snapshot& snapshot, std::string& out);

// Parses `json` into a DOM, then frees it. Returns the number of entries, or dies on a parse
// error.
std::size_t RapidParse(std::string_view json);

}  // namespace sealstate::bench
