#include <memory>
#include <string>
#include <string_view>

#include <sealstate/encrypter.h>

namespace sealstate {
namespace {

// Pass-through: the "ciphertext" is the plaintext. Associated data is ignored.
class NoopEncrypter final : public Encrypter {
 public:
  Result<std::string> Encrypt(std::string_view plaintext, std::string_view /*associated_data*/) const override {
    return std::string(plaintext);
  }
  Result<std::string> Decrypt(std::string_view ciphertext, std::string_view /*associated_data*/) const override {
    return std::string(ciphertext);
  }
  EncrypterDescription Describe() const override { return {"noop", {}, ""}; }
  bool is_plaintext() const override { return true; }
};

}  // namespace

std::unique_ptr<Encrypter> NewNoopEncrypter() { return std::make_unique<NoopEncrypter>(); }

}  // namespace sealstate
