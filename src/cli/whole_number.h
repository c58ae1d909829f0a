// Whole-number options on the command line (log --since, prune --keep).
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace sealstate::cli {

// A CLI11 check for an option that takes a whole number from 0 to `max`, written in decimal
// digits and nothing else. It refuses what CLI11's own conversion would accept and misread: a
// sign ("-1" would wrap around in an unsigned option, " -1" past a leading-minus check), spaces,
// hex ("0x10"), the empty string, and values past `max`. Its message names `option` and the value
// ("--since must not be negative (got "-1")").
CLI::Validator WholeNumberValidator(std::string option, std::uint64_t max);

}  // namespace sealstate::cli
