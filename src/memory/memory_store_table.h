// The process-wide table of named memory stores: store name -> (factory, stack) -> stack state.
// Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <sealstate/status.h>

#include "memory/memory_stack.h"

namespace sealstate::internal {

// The stack `factory`/`stack` of store `store`, created (with the store) when missing and
// `create`. Every call with the same three names returns the same stack until the store is
// forgotten. Errors: kNotFound ("memory store: no such stack: ...") when missing and !create.
Result<std::shared_ptr<MemoryStack>> FindMemoryStack(std::string_view store, const std::string& factory,
                                                     const std::string& stack, bool create);

// Drops store `store` from the table; its stacks live on while a Backend or Lock holds them.
void ForgetMemoryStoreStacks(std::string_view store);

}  // namespace sealstate::internal
