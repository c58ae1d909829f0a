#include "config.h"

namespace sealstate::bench {

Config FullConfig() { return Config{}; }

Config SmokeConfig() {
  Config c;
  c.smoke = true;
  c.small_iterations = 3;
  c.large_resources = 1'000;
  c.large_iterations = 2;
  c.memory_rows = false;
  c.lock_samples = 10;
  c.list_revisions = 1'000;
  c.list_iterations = 2;
  c.rekey_revisions = 3;
  c.rekey_resources = 50;
  c.rekey_iterations = 1;
  return c;
}

bool WantsRow(const Config& config, const std::string& id) {
  if (config.rows.empty()) return true;
  const std::string list = "," + config.rows + ",";
  return list.find("," + id + ",") != std::string::npos;
}

}  // namespace sealstate::bench
