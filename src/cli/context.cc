#include "cli/context.h"

#include <utility>

namespace sealstate::cli {

void SetCommand(CLI::App* command, CommandContext& context, CommandBody body) {
  command->callback(
      [&context, body = std::move(body)] { context.exit_status = body(context.globals, context.output()); });
}

void SetStackCommand(CLI::App* command, CommandContext& context, CommandBody body) {
  command->callback([&context, body = std::move(body)] {
    const Output output = context.output();
    if (auto missing = MissingStackOption(context.globals)) {
      context.exit_status = output.Usage(*missing);
      return;
    }
    context.exit_status = body(context.globals, output);
  });
}

}  // namespace sealstate::cli
