#include "encrypters/passphrase_wrap.h"

namespace sealstate::internal {
namespace {

std::uint32_t ReadUint32(std::string_view bytes) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  return value;
}

void AppendUint32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xff));
}

Status OutOfRange(std::string_view name, std::uint64_t value, std::string_view unit, std::string_view relation,
                  std::uint64_t limit, std::string_view limit_note) {
  return Status::Integrity("passphrase wrap: Argon2id " + std::string(name) + " " + std::to_string(value) +
                           std::string(unit) + " is " + std::string(relation) + " the limit of " +
                           std::to_string(limit) + std::string(unit) + std::string(limit_note) +
                           "; refusing a file that asks for that");
}

}  // namespace

Status CheckArgon2idParameters(const Argon2idParameters& parameters) {
  if (parameters.opslimit > kPassphraseMaxOpsLimit) {
    return OutOfRange("opslimit", parameters.opslimit, "", "above", kPassphraseMaxOpsLimit, "");
  }
  if (parameters.opslimit < kPassphraseMinOpsLimit) {
    return OutOfRange("opslimit", parameters.opslimit, "", "below", kPassphraseMinOpsLimit, "");
  }
  if (parameters.memlimit_kib > kPassphraseMaxMemLimitKiB) {
    return OutOfRange("memlimit", parameters.memlimit_kib, " KiB", "above", kPassphraseMaxMemLimitKiB, " (1 GiB)");
  }
  if (parameters.memlimit_kib < kPassphraseMinMemLimitKiB) {
    return OutOfRange("memlimit", parameters.memlimit_kib, " KiB", "below", kPassphraseMinMemLimitKiB, "");
  }
  if (parameters.salt.size() != kPassphraseSaltBytes) {
    return Status::Integrity("passphrase wrap: the salt has " + std::to_string(parameters.salt.size()) +
                             " bytes, expected " + std::to_string(kPassphraseSaltBytes));
  }
  return Status::OK();
}

Result<PassphraseWrap> ParsePassphraseWrap(std::string_view wrapped) {
  if (wrapped.size() < kPassphraseWrapMinBytes || wrapped.size() > kPassphraseWrapMaxBytes) {
    return Status::Format("passphrase wrap: " + std::to_string(wrapped.size()) + " bytes, expected " +
                          std::to_string(kPassphraseWrapMinBytes) + " to " + std::to_string(kPassphraseWrapMaxBytes));
  }
  const auto version = static_cast<std::uint8_t>(wrapped[0]);
  if (version != kPassphraseWrapVersion) {
    return Status::Format("passphrase wrap: version " + std::to_string(version) +
                          " is not supported (this build reads version " + std::to_string(kPassphraseWrapVersion) +
                          ")");
  }
  PassphraseWrap wrap;
  wrap.parameters.opslimit = ReadUint32(wrapped.substr(1, 4));
  wrap.parameters.memlimit_kib = ReadUint32(wrapped.substr(5, 4));
  wrap.parameters.salt = std::string(wrapped.substr(9, kPassphraseSaltBytes));
  SEALSTATE_RETURN_IF_ERROR(CheckArgon2idParameters(wrap.parameters));
  wrap.authenticated_prefix = wrapped.substr(0, kPassphraseWrapPrefixBytes);
  wrap.nonce = wrapped.substr(kPassphraseWrapPrefixBytes, kPassphraseNonceBytes);
  wrap.sealed = wrapped.substr(kPassphraseWrapPrefixBytes + kPassphraseNonceBytes);
  return wrap;
}

std::string EncodePassphraseWrapPrefix(const Argon2idParameters& parameters) {
  std::string out;
  out.push_back(static_cast<char>(kPassphraseWrapVersion));
  AppendUint32(out, parameters.opslimit);
  AppendUint32(out, parameters.memlimit_kib);
  out += parameters.salt;
  return out;
}

}  // namespace sealstate::internal
