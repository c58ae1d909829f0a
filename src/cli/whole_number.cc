#include "cli/whole_number.h"

#include <string_view>

#include "text/go_quote.h"

namespace sealstate::cli {
namespace {

// Why `text` is not a decimal number from 0 to `max`, or "" when it is one.
std::string WholeNumberProblem(const std::string& option, std::string_view text, std::uint64_t max) {
  const std::string got = " (got " + internal::GoQuote(text) + ")";
  if (text.find('-') != std::string_view::npos && text.find_first_of("0123456789") != std::string_view::npos &&
      text.find_first_not_of(" \t-0123456789") == std::string_view::npos) {
    return option + " must not be negative" + got;
  }
  const std::string expected =
      option + " must be a whole number from 0 to " + std::to_string(max) + ", in decimal digits" + got;
  if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return expected;
  std::uint64_t value = 0;
  for (char c : text) {
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (digit > max || value > (max - digit) / 10) return expected;
    value = value * 10 + digit;
  }
  return std::string();
}

}  // namespace

CLI::Validator WholeNumberValidator(std::string option, std::uint64_t max) {
  return CLI::Validator(
      [option = std::move(option), max](std::string& value) { return WholeNumberProblem(option, value, max); }, "");
}

}  // namespace sealstate::cli
