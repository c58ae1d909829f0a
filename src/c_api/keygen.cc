// sealstate_keygen: a fresh key, as `sealstate keygen` prints it.
#include <sealstate/encrypter.h>

#include "c_api/c_api_internal.h"

using sealstate::Status;
using namespace sealstate::internal;

extern "C" int sealstate_keygen(char** key_out, sealstate_error** error) {
  return Guarded(error, [&]() -> Status {
    SEALSTATE_RETURN_IF_ERROR(RequireNonNull(key_out, "sealstate_keygen", "key_out"));
    ClearOutputs(key_out);
    SEALSTATE_ASSIGN_OR_RETURN(std::string key, sealstate::GenerateKeyBase64());
    HandOut(key, key_out, nullptr);
    return Status::OK();
  });
}
