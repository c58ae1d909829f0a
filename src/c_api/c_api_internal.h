// What the C ABI's functions (sealstate_c.h) share: the opaque objects behind its handles, the
// boundary that turns a Status (or an exception) into a code and an error object, and the
// buffers handed to the caller.
#pragma once

#include <sealstate/sealstate_c.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/lock.h>
#include <sealstate/status.h>

struct sealstate_store {
  std::unique_ptr<sealstate::Backend> backend;
  // The store's key, also for checking the journal's MACs (sealstate_verify).
  std::shared_ptr<const sealstate::Encrypter> encrypter;
};

struct sealstate_lock {
  std::unique_ptr<sealstate::Lock> lock;
};

struct sealstate_error {
  int code = SEALSTATE_INTERNAL;
  std::string message;
  int error_number = 0;
  std::string path;
};

namespace sealstate::internal {

// Returns status's code number; when `error` is non-null, *error becomes a new error object
// holding the status (or stays null for OK, or when allocating it fails).
int ReportStatus(const Status& status, sealstate_error** error) noexcept;

// kInvalidArgument "FUNCTION: PARAMETER is NULL" unless `pointer` is non-null.
Status RequireNonNull(const void* pointer, std::string_view function, std::string_view parameter);

// A copy of `bytes` for the caller, NUL-terminated, freed (and wiped) by sealstate_free.
// Throws std::bad_alloc when out of memory (the boundary reports it).
char* NewCallerBuffer(std::string_view bytes);

// Stores NewCallerBuffer(bytes) in *out and its length in *length (when length is non-null).
void HandOut(std::string_view bytes, char** out, std::size_t* length);

// Sets *out to null and *length to 0, for the outputs that are non-null.
void ClearOutputs(char** out, std::size_t* length = nullptr);

// The lock options of sealstate_lock_acquire and sealstate_commit: `timeout_ms` (negative:
// forever), `operation` (NULL: "lock"), and `cancel` polled with `cancel_data` (NULL: never).
LockOptions MakeLockOptions(std::int64_t timeout_ms, const char* operation, sealstate_cancel_fn cancel,
                            void* cancel_data);

// Runs `body` (returning a Status) at the boundary: clears *error, reports the status, and turns
// std::bad_alloc into kInternal "out of memory" and any other exception into kInternal, so
// nothing throws across the C ABI.
template <typename Body>
int Guarded(sealstate_error** error, Body&& body) noexcept {
  if (error != nullptr) *error = nullptr;
  try {
    return ReportStatus(body(), error);
  } catch (const std::bad_alloc&) {
    return ReportStatus(Status::Internal("out of memory"), error);
  } catch (...) {
    return ReportStatus(Status::Internal("an unexpected exception reached the C API"), error);
  }
}

}  // namespace sealstate::internal
