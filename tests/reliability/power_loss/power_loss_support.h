// Pieces the power-loss sweeps share: a scratch tree for each crash state and the process probe
// of a machine that rebooted.
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

#include "lock/process_identity.h"

namespace sealstate::testing {

// A temporary directory tree, removed on destruction. On /dev/shm when it is usable: the crash
// env simulates durability itself, so the real fsyncs need not reach a disk (on ext4 they made
// the sweep ten times slower); /tmp otherwise.
class TempTree {
 public:
  TempTree() {
    for (const char* parent : {"/dev/shm", "/tmp"}) {
      std::string templ = std::string(parent) + "/sealstate-power-XXXXXX";
      if (::mkdtemp(templ.data()) != nullptr) {
        path_ = templ;
        return;
      }
    }
    std::abort();
  }
  TempTree(const TempTree&) = delete;
  TempTree& operator=(const TempTree&) = delete;
  ~TempTree() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// After the power cut the machine rebooted: another boot id, and no process from before is alive.
class RebootedProbe : public internal::ProcessProbe {
 public:
  const internal::ProcessIdentity& Self() override {
    if (!self_) {
      self_ = internal::ProcessProbe::Default()->Self();
      self_->boot_id += "-rebooted";
    }
    return *self_;
  }
  std::optional<std::uint64_t> StartTimeOf(std::int64_t) override { return std::nullopt; }

 private:
  std::optional<internal::ProcessIdentity> self_;
};

}  // namespace sealstate::testing
