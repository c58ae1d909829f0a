// A backend defined outside the sealstate library, as a third party writes one: "wrapped", a
// wrapper around another registered backend ("local") that forwards every operation except
// Commit, so Backend::Commit's default does the commits. Built against the installed headers by
// tests/out_of_tree_test.sh, which runs the conformance suite on it.
#pragma once

#include <sealstate/backend_registry.h>
#include <sealstate/status.h>

// Registers "wrapped" in `registry`: spec "wrapped:PATH" opens the stack through `registry`'s
// "local" backend at "local:PATH". Errors: as BackendRegistry::Register.
sealstate::Status RegisterWrappedBackend(sealstate::BackendRegistry& registry);
