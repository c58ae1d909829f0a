#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include <sealstate/encrypter.h>

#include "encrypters/local_key_encrypter.h"

namespace sealstate {

// The value is read once, here; later changes to the environment do not affect the encrypter.
Result<std::unique_ptr<Encrypter>> NewEnvKeyEncrypter(std::string env_var) {
  const std::string subject = "env-key encrypter: " + env_var;
  const char* value = std::getenv(env_var.c_str());
  if (value == nullptr || *value == '\0') return Status::InvalidArgument(subject + " is not set");
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes key, internal::DecodeLocalKey(value, subject));
  JsonObject config{{"env-var", Json(std::move(env_var))}};
  return std::unique_ptr<Encrypter>(
      std::make_unique<internal::LocalKeyEncrypter>("env-key", std::move(config), std::move(key)));
}

}  // namespace sealstate
