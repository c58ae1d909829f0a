// sealstate error model: every fallible call returns a Status or a Result<T>.
//
// sealstate never throws across its API (std::bad_alloc aside). A Status carries a Code that
// callers branch on, a human-readable message that names the thing that failed and what to do,
// and, for I/O failures, the errno and the path. The CLI maps each Code to an exit status in
// exactly one place.
//
// Thread safety: Status and Result are values; distinct objects may be used from distinct
// threads without synchronisation.
#pragma once

#include <sealstate/export.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace sealstate {

// The categories callers branch on. Switch on the codes you handle and keep a default:
// later versions may add codes.
enum class Code : std::uint8_t {
  kOk = 0,
  kInvalidArgument,  // a bad name, option, config field or snapshot given by the caller
  kNotFound,         // no such stack, revision or file
  kNoCurrent,        // the stack has no current snapshot (message "no current snapshot")
  kAlreadyExists,    // the name is taken and will not be overwritten
  kLocked,           // the stack is locked by someone else, or waiting for it timed out
  kCancelled,        // the caller cancelled the operation
  kConflict,         // the state moved under the caller (e.g. current changed): re-read, retry
  kWrongKey,         // sealed with a different key than the one configured (key ids differ)
  kIntegrity,        // tampered, truncated, swapped or corrupt data; refused plaintext
  kFormat,           // a format or envelope version this build does not understand
  kIoError,          // an operating-system call failed; see error_number() and path()
  kUnsupported,      // the machine or filesystem lacks something required (e.g. AES-NI)
  kInternal,         // a sealstate bug: an invariant did not hold
  kIncomplete,       // the change took effect (e.g. current names the new revision), but a step
                     // after it failed (journaling it, releasing the lock): do not retry it; the
                     // message starts with what took effect, then the failure (errno and path kept)
  // New codes are added here, at the end: a code's number never changes.
};

// Returns the stable lower-case name of a code ("invalid-argument", "wrong-key", ...), used in
// JSON error documents. Never returns an empty string.
SEALSTATE_EXPORT std::string_view CodeName(Code code);

// The outcome of an operation: OK, or an error with a code and message.
class [[nodiscard]] SEALSTATE_EXPORT Status {
 public:
  // Constructs OK.
  Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string message) { return {Code::kInvalidArgument, std::move(message)}; }
  static Status NotFound(std::string message) { return {Code::kNotFound, std::move(message)}; }
  // Always carries the message "no current snapshot" (unobin's ErrNoCurrent text).
  static Status NoCurrent() { return {Code::kNoCurrent, "no current snapshot"}; }
  static Status AlreadyExists(std::string message) { return {Code::kAlreadyExists, std::move(message)}; }
  static Status Locked(std::string message) { return {Code::kLocked, std::move(message)}; }
  static Status Cancelled(std::string message) { return {Code::kCancelled, std::move(message)}; }
  static Status Conflict(std::string message) { return {Code::kConflict, std::move(message)}; }
  static Status WrongKey(std::string message) { return {Code::kWrongKey, std::move(message)}; }
  static Status Integrity(std::string message) { return {Code::kIntegrity, std::move(message)}; }
  static Status Format(std::string message) { return {Code::kFormat, std::move(message)}; }
  static Status Unsupported(std::string message) { return {Code::kUnsupported, std::move(message)}; }
  // kIncomplete: "<what_took_effect><cause's message>", keeping the cause's errno and path.
  // REQUIRES: !cause.ok().
  static Status Incomplete(std::string_view what_took_effect, const Status& cause);
  static Status Internal(std::string message) { return {Code::kInternal, std::move(message)}; }
  // An operating-system failure: the message reads "<operation> <path>: <strerror(err)>".
  // REQUIRES: err != 0.
  static Status IoError(std::string_view operation, std::string path, int err);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  // Empty for OK.
  const std::string& message() const { return message_; }
  // The errno of an I/O error, else 0.
  int error_number() const { return errno_; }
  // The path an I/O error concerns, else empty.
  const std::string& path() const { return path_; }

  // Returns a copy whose message is "<prefix><message>"; code, errno and path are kept.
  // Used to add context ("local store: open REV: ") as an error travels up.
  Status WithPrefix(std::string_view prefix) const;
  // Returns a copy whose message is "<message><suffix>"; code, errno and path are kept.
  Status WithSuffix(std::string_view suffix) const;

  // "<code name>: <message>", or "ok".
  std::string ToString() const;

 private:
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
  int errno_ = 0;
  std::string path_;
};

// Either a value of type T or a non-OK Status (the shape of absl::StatusOr / std::expected).
// Check ok() before using value(), * or ->: reading the value of an error Result is a bug and
// aborts.
template <typename T>
class [[nodiscard]] Result {
 public:
  // REQUIRES: !status.ok(). An OK status without a value is turned into kInternal.
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    if (std::get<Status>(state_).ok()) state_ = Status::Internal("Result constructed from OK status without a value");
  }
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  // OK when a value is held.
  Status status() const { return ok() ? Status::OK() : std::get<Status>(state_); }

  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

 private:
  T& Checked();
  std::variant<Status, T> state_;
};

namespace internal {
[[noreturn]] SEALSTATE_EXPORT void DieOnBadResultAccess(const Status& status);
}  // namespace internal

template <typename T>
T& Result<T>::Checked() {
  if (!ok()) internal::DieOnBadResultAccess(std::get<Status>(state_));
  return std::get<T>(state_);
}

}  // namespace sealstate

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define SEALSTATE_RETURN_IF_ERROR(expr)                    \
  do {                                                     \
    ::sealstate::Status sealstate_status_ = (expr);        \
    if (!sealstate_status_.ok()) return sealstate_status_; \
  } while (0)

#define SEALSTATE_CONCAT_INNER_(a, b) a##b
#define SEALSTATE_CONCAT_(a, b) SEALSTATE_CONCAT_INNER_(a, b)

// `lhs` = value of the Result `rexpr`, or return its Status from the enclosing function.
#define SEALSTATE_ASSIGN_OR_RETURN(lhs, rexpr) \
  SEALSTATE_ASSIGN_OR_RETURN_IMPL_(SEALSTATE_CONCAT_(sealstate_result_, __LINE__), lhs, rexpr)
#define SEALSTATE_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                     \
  if (!tmp.ok()) return tmp.status();                     \
  lhs = std::move(tmp).value()
