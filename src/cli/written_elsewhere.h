// What show says about a v1 (unobin) snapshot whose stack directory was copied or renamed.
#pragma once

#include <optional>
#include <string>

#include <sealstate/snapshot.h>

namespace sealstate::cli {

// When `snapshot`, read as revision `rev` of the stack `factory`/`stack`, names another factory
// or stack (possible only for a v1 file: the library returns it as written, see OpenSnapshot),
// the warning line: "revision REV was written for factory "F", stack "S", not for this stack
// (factory "G", stack "T"): the stack directory was copied or renamed. ...". Otherwise nullopt.
std::optional<std::string> WrittenElsewhereWarning(const std::string& rev, const Snapshot& snapshot,
                                                   const std::string& factory, const std::string& stack);

}  // namespace sealstate::cli
