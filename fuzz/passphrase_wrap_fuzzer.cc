// Fuzzes the wrapped data keys of the passphrase and box key sources, which a store holds in
// file headers anyone with write access could have edited. Properties:
// - no crash, leak, undefined behaviour or hang, and no Argon2id run asking for more than the
//   limits (ParsePassphraseWrap bounds the parameters before anything is derived);
// - a parsed wrap's parameters are within the limits and its prefix encodes back to the input's;
// - a wrap that does not parse is a format or integrity error;
// - nothing a fuzzer makes opens: UnwrapKey with a fixed passphrase (for wraps with cheap
//   parameters) and a fixed box secret key fails with a format or integrity error, and the
//   passphrase key does not own it (Encrypter::OwnsWrap) under a key id a fuzzer cannot know.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>

#include <sodium.h>

#include <sealstate/encrypter.h>

#include "encrypters/passphrase_encrypter.h"
#include "encrypters/passphrase_wrap.h"
#include "fuzz_common.h"

using namespace sealstate;
using sealstate::fuzz::Require;

namespace {

bool IsRefusal(const Status& status) { return status.code() == Code::kFormat || status.code() == Code::kIntegrity; }

const Encrypter& CheapPassphrase() {
  static const std::unique_ptr<Encrypter> encrypter = [] {
    Result<SecretBytes> passphrase = SecretBytes::Allocate(4);
    std::copy_n("fuzz", 4, passphrase->data());
    internal::Argon2idParameters cheap{std::string(internal::kPassphraseSaltBytes, 's'), 1, 8};
    return std::move(internal::NewPassphraseEncrypterFor(std::move(*passphrase), {}, cheap)).value();
  }();
  return *encrypter;
}

const Encrypter& BoxOpener() {
  // A fixed secret key file is not needed: the public-key half is enough to show the parser
  // never succeeds; with a secret key the open path is fuzzed too (made once per process).
  static const std::unique_ptr<Encrypter> encrypter = [] {
    const Result<BoxKeyPair> pair = GenerateBoxKeyPair();
    char path[] = "/tmp/sealstate-fuzz-box-XXXXXX";
    const int fd = ::mkstemp(path);
    const std::string text = pair->secret_key_base64;
    (void)!::write(fd, text.data(), text.size());
    ::close(fd);
    auto opener = std::move(NewBoxKeyFileEncrypter(path)).value();
    ::unlink(path);
    return opener;
  }();
  return *encrypter;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = sealstate::fuzz::AsView(data, size);
  const Result<internal::PassphraseWrap> wrap = internal::ParsePassphraseWrap(input);
  if (!wrap.ok()) {
    Require(IsRefusal(wrap.status()), "a bad passphrase wrap is a format or integrity error", wrap.status().message());
  } else {
    Require(internal::CheckArgon2idParameters(wrap->parameters).ok(), "parsed parameters are within the limits", "");
    Require(internal::EncodePassphraseWrapPrefix(wrap->parameters) == wrap->authenticated_prefix,
            "the prefix encodes back", "");
    if (wrap->parameters.opslimit == 1 && wrap->parameters.memlimit_kib <= 64) {
      const Status opened = CheapPassphrase().UnwrapKey(input, "sealstate data key").status();
      Require(IsRefusal(opened), "a fuzzed passphrase wrap does not open", opened.message());
      Require(!CheapPassphrase().OwnsWrap("0123456789abcdef", input), "a fuzzed passphrase wrap is not owned", "");
    }
  }
  const Status boxed = BoxOpener().UnwrapKey(input, "sealstate data key").status();
  Require(IsRefusal(boxed), "a fuzzed box wrap does not open", boxed.message());
  return 0;
}
