// The C ABI's error object and code names.
#include "c_api/c_api_internal.h"

extern "C" {

void sealstate_error_free(sealstate_error* error) { delete error; }

int sealstate_error_code(const sealstate_error* error) {
  return error == nullptr ? SEALSTATE_INVALID_ARGUMENT : error->code;
}

const char* sealstate_error_message(const sealstate_error* error) {
  return error == nullptr ? "" : error->message.c_str();
}

int sealstate_error_errno(const sealstate_error* error) { return error == nullptr ? 0 : error->error_number; }

const char* sealstate_error_path(const sealstate_error* error) { return error == nullptr ? "" : error->path.c_str(); }

const char* sealstate_code_name(int code) {
  if (code < SEALSTATE_OK || code > SEALSTATE_INCOMPLETE) return "unknown";
  // CodeName's views are of string literals, so NUL-terminated and static.
  return sealstate::CodeName(static_cast<sealstate::Code>(code)).data();
}

}  // extern "C"
