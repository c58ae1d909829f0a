// The C ABI's boundary: Status -> code number and error object.
#include <new>
#include <string>

#include "c_api/c_api_internal.h"

namespace sealstate::internal {

// The C codes are sealstate::Code's numbers, which never change.
static_assert(SEALSTATE_OK == static_cast<int>(Code::kOk));
static_assert(SEALSTATE_INVALID_ARGUMENT == static_cast<int>(Code::kInvalidArgument));
static_assert(SEALSTATE_NOT_FOUND == static_cast<int>(Code::kNotFound));
static_assert(SEALSTATE_NO_CURRENT == static_cast<int>(Code::kNoCurrent));
static_assert(SEALSTATE_ALREADY_EXISTS == static_cast<int>(Code::kAlreadyExists));
static_assert(SEALSTATE_LOCKED == static_cast<int>(Code::kLocked));
static_assert(SEALSTATE_CANCELLED == static_cast<int>(Code::kCancelled));
static_assert(SEALSTATE_CONFLICT == static_cast<int>(Code::kConflict));
static_assert(SEALSTATE_WRONG_KEY == static_cast<int>(Code::kWrongKey));
static_assert(SEALSTATE_INTEGRITY == static_cast<int>(Code::kIntegrity));
static_assert(SEALSTATE_FORMAT == static_cast<int>(Code::kFormat));
static_assert(SEALSTATE_IO_ERROR == static_cast<int>(Code::kIoError));
static_assert(SEALSTATE_UNSUPPORTED == static_cast<int>(Code::kUnsupported));
static_assert(SEALSTATE_INTERNAL == static_cast<int>(Code::kInternal));
static_assert(SEALSTATE_INCOMPLETE == static_cast<int>(Code::kIncomplete));

int ReportStatus(const Status& status, sealstate_error** error) noexcept {
  const int code = static_cast<int>(status.code());
  if (status.ok() || error == nullptr) return code;
  try {
    auto* object = new sealstate_error;
    object->code = code;
    object->error_number = status.error_number();
    try {
      object->message = status.message();
      object->path = status.path();
    } catch (const std::bad_alloc&) {
      delete object;
      throw;
    }
    *error = object;
  } catch (const std::bad_alloc&) {
    *error = nullptr;  // the code is still returned
  }
  return code;
}

Status RequireNonNull(const void* pointer, std::string_view function, std::string_view parameter) {
  if (pointer != nullptr) return Status::OK();
  return Status::InvalidArgument(std::string(function) + ": " + std::string(parameter) + " is NULL");
}

}  // namespace sealstate::internal
