#include "cli/written_elsewhere.h"

#include "text/go_quote.h"

namespace sealstate::cli {

std::optional<std::string> WrittenElsewhereWarning(const std::string& rev, const Snapshot& snapshot,
                                                   const std::string& factory, const std::string& stack) {
  if (snapshot.factory.name == factory && snapshot.stack == stack) return std::nullopt;
  const auto names = [](const std::string& f, const std::string& s) {
    return "factory " + internal::GoQuote(f) + ", stack " + internal::GoQuote(s);
  };
  return "revision " + rev + " was written for " + names(snapshot.factory.name, snapshot.stack) +
         ", not for this stack (" + names(factory, stack) +
         "): the stack directory was copied or renamed. It is shown as written; to commit it here, first change "
         "its factory name and stack";
}

}  // namespace sealstate::cli
