// The C ABI's version functions.
#include <sealstate/version.h>

#include "c_api/c_api_internal.h"

extern "C" {

const char* sealstate_version(void) { return SEALSTATE_VERSION; }

int sealstate_abi_version(void) { return SEALSTATE_C_ABI_VERSION; }

}  // extern "C"
