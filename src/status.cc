#include <sealstate/status.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sealstate {

std::string_view CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kInvalidArgument: return "invalid-argument";
    case Code::kNotFound: return "not-found";
    case Code::kNoCurrent: return "no-current";
    case Code::kAlreadyExists: return "already-exists";
    case Code::kLocked: return "locked";
    case Code::kCancelled: return "cancelled";
    case Code::kConflict: return "conflict";
    case Code::kWrongKey: return "wrong-key";
    case Code::kIntegrity: return "integrity";
    case Code::kFormat: return "format";
    case Code::kIoError: return "io-error";
    case Code::kUnsupported: return "unsupported";
    case Code::kIncomplete: return "incomplete";
    case Code::kInternal: return "internal";
  }
  return "unknown";
}

Status Status::IoError(std::string_view operation, std::string path, int err) {
  std::string message(operation);
  message += ' ';
  message += path;
  message += ": ";
  message += std::strerror(err);
  Status status(Code::kIoError, std::move(message));
  status.errno_ = err;
  status.path_ = std::move(path);
  return status;
}

Status Status::Incomplete(std::string_view what_took_effect, const Status& cause) {
  Status status = cause.WithPrefix(what_took_effect);
  status.code_ = Code::kIncomplete;
  return status;
}

Status Status::WithPrefix(std::string_view prefix) const {
  Status copy = *this;
  copy.message_.insert(0, prefix);
  return copy;
}

Status Status::WithSuffix(std::string_view suffix) const {
  Status copy = *this;
  copy.message_.append(suffix);
  return copy;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(CodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

namespace internal {
void DieOnBadResultAccess(const Status& status) {
  std::fprintf(stderr, "sealstate: value() of an error Result: %s\n", status.ToString().c_str());
  std::abort();
}
}  // namespace internal

}  // namespace sealstate
