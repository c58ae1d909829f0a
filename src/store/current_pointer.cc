#include "store/current_pointer.h"

#include <fcntl.h>

#include <sealstate/names.h>
#include <sealstate/revision.h>

#include "text/go_quote.h"

#include "io/read_at_most.h"
#include "io/stack_file.h"
#include "io/unique_fd.h"
#include "text/trim.h"

namespace sealstate::internal {
namespace {

constexpr std::size_t kMaxPointerBytes = 4096;

Result<std::string> ReadSmallFile(Env& env, int fd, const std::string& what) {
  std::string content(kMaxPointerBytes + 1, '\0');
  SEALSTATE_ASSIGN_OR_RETURN(const std::size_t size, ReadAtMost(env, fd, content.data(), content.size(), what));
  if (size > kMaxPointerBytes) return Status::Integrity(what + " is too large to be a current pointer");
  content.resize(size);
  return content;
}

std::string PointerContents(const std::string& rev) { return rev + "\n"; }

}  // namespace

Result<std::string> ReadCurrentRev(Env& env, const Dir& stack_dir) {
  const std::string path = stack_dir.Join(kCurrentFileName);
  Result<int> fd = OpenStackFile(env, stack_dir, kCurrentFileName, O_RDONLY);
  if (!fd.ok() && fd.status().code() == Code::kNotFound) return Status::NoCurrent();
  if (!fd.ok()) return fd.status();
  const UniqueFd file(env, *fd, path);  // only read: its close cannot lose data
  SEALSTATE_ASSIGN_OR_RETURN(std::string content, ReadSmallFile(env, file.get(), path));
  std::string rev(Trim(content, " \n\r\t"));
  if (rev.empty()) return Status::NoCurrent();
  Status valid = ValidateName("revision", rev);
  if (!valid.ok()) return Status::Integrity(path + " names an invalid revision: " + valid.message());
  if (!ParseRevision(rev).valid) {
    return Status::Integrity(path + " names " + GoQuote(rev) + ", which is not a revision name (an RFC 3339 time)");
  }
  return rev;
}

Result<std::string> ReadCurrentRevOrEmpty(Env& env, const Dir& stack_dir) {
  Result<std::string> rev = ReadCurrentRev(env, stack_dir);
  if (!rev.ok() && rev.status().code() == Code::kNoCurrent) return std::string();
  return rev;
}

Status WriteCurrentRev(Env& env, const Dir& stack_dir, const std::string& rev, const BeforePublish& before_publish) {
  return ReplaceFile(env, stack_dir, kCurrentFileName, PointerContents(rev), before_publish);
}

Result<std::unique_ptr<PreparedReplacement>> PrepareCurrentRev(Env& env, const Dir& stack_dir, const std::string& rev) {
  return PreparedReplacement::Prepare(env, stack_dir, kCurrentFileName, PointerContents(rev));
}

}  // namespace sealstate::internal
