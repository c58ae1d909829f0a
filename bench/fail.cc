#include "fail.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace sealstate::bench {

void Die(std::string_view what) {
  std::fprintf(stderr, "sealstate-bench: %.*s\n", static_cast<int>(what.size()), what.data());
  std::exit(1);
}

void CheckErrno(bool ok, std::string_view what) {
  if (ok) return;
  Die(std::string(what) + ": " + std::strerror(errno));
}

void Must(const Status& status, std::string_view what) {
  if (status.ok()) return;
  Die(std::string(what) + ": " + status.message());
}

}  // namespace sealstate::bench
