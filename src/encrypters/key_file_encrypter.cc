#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <sealstate/encrypter.h>

#include "encrypters/local_key_encrypter.h"
#include "encrypters/secret_file.h"
#include "text/trim.h"

namespace sealstate {
namespace {

// A key file holds one line of base64; anything bigger is not a key file.
constexpr std::size_t kMaxKeyFileBytes = 4096;

std::string Subject(const std::string& path) { return "key-file encrypter: " + path; }

// The text between leading and trailing ASCII whitespace, as a view into `contents`.
std::string_view TrimmedText(const SecretBytes& contents) {
  const std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  return internal::Trim(text, internal::kAsciiWhitespace);
}

}  // namespace

Result<std::unique_ptr<Encrypter>> NewKeyFileEncrypter(std::string path) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes contents,
                             internal::ReadOwnerOnlySecretFile(path, "key-file encrypter: ", Subject(path),
                                                               kMaxKeyFileBytes, "it should hold one base64 key"));
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes key, internal::DecodeLocalKey(TrimmedText(contents), Subject(path)));
  JsonObject config{{"path", Json(std::move(path))}};
  return std::unique_ptr<Encrypter>(
      std::make_unique<internal::LocalKeyEncrypter>("key-file", std::move(config), std::move(key)));
}

}  // namespace sealstate
