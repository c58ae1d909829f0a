#include "backend/backend_checks.h"

#include <sealstate/key_ring.h>
#include <sealstate/revision.h>

#include "envelope/key_ids.h"

namespace sealstate::internal {
namespace {

// Whether opening a v1 file failed at decryption (OpenV1's "open: decrypt: ..."; kWrongKey for
// a missing key), which is what a key that cannot open it looks like; a malformed or misbound
// file fails earlier and says so.
bool IsV1DecryptFailure(const Status& status) {
  if (status.code() == Code::kWrongKey) return true;
  return status.code() == Code::kIntegrity && status.message().find("open: decrypt: ") != std::string::npos;
}

std::string KeyIdText(const std::string& key_id) { return key_id.empty() ? std::string("none (noop)") : key_id; }

// Whether one of the configured keys owns one of the header's wraps (v2: is its key id).
bool OpensWithOneOf(const Encrypter& encrypter, const EnvelopeHeader& header) {
  for (const Encrypter* key : OpeningKeys(encrypter)) {
    if (header.envelope_version == kEnvelopeV2 && key->OwnsWrap(header.key_id, {})) return true;
    // A plaintext v3 file has no recipients; it names noop's empty key id.
    if (header.envelope_version == kEnvelopeV3 && header.recipients.empty() && key->OwnsWrap("", {})) return true;
    for (const WrappedDataKey& entry : header.recipients) {
      if (key->OwnsWrap(entry.key_id, entry.wrapped)) return true;
    }
  }
  return false;
}

// How refusals write key ids: "A, B", "none (noop)" for noop's empty id (as KeyIdText).
constexpr KeyIdListStyle kRefusalKeyIds{.separator = ", ", .empty_id = "none (noop)", .empty_list = ""};

}  // namespace

Status RequireEncrypter(const Encrypter* encrypter, std::string_view prefix) {
  if (encrypter != nullptr) return Status::OK();
  return Status::InvalidArgument(std::string(prefix) +
                                 "no encrypter is configured, so snapshots cannot be read or written; configure "
                                 "one (noop, env-key or key-file)");
}

// A v2 current is checked by key id (header only); a v1 one, which records none, by opening it.
Status CheckKeyOpensCurrent(Backend& backend, const Result<std::string>& current, const Encrypter* encrypter,
                            const WriteOptions& options, bool allow_plaintext, const RevisionOpener& open,
                            std::string_view prefix) {
  if (options.new_key || encrypter == nullptr) return Status::OK();
  // None, or damaged in any way (garbage, a symlink: ELOOP, ...): nothing to compare with. The
  // commit that replaces a damaged pointer must not be blocked by it.
  if (!current.ok()) return Status::OK();
  return CheckKeyOpensHeader(*encrypter, *current, backend.ReadHeader(*current), allow_plaintext, open, prefix);
}

Status CheckKeyOpensHeader(const Encrypter& encrypter, const std::string& current, const Result<EnvelopeHeader>& header,
                           bool allow_plaintext, const RevisionOpener& open, std::string_view prefix) {
  if (!header.ok()) return Status::OK();  // missing or damaged: a new revision is how it is replaced
  const std::string refusal =
      std::string(prefix) + "refusing to seal with a key that cannot open the current revision " + current + ": ";
  const std::string advice =
      "; readers holding that key could not read the new revision. If the key is meant to "
      "change, write with new_key (sealstate --new-key)";
  // Matched first: a passphrase key adopts the salt of the wrap it owns before it describes itself.
  if (header->envelope_version != kEnvelopeV1 && OpensWithOneOf(encrypter, *header)) return Status::OK();
  const EncrypterDescription ours = encrypter.Describe();
  if (header->envelope_version == kEnvelopeV3) {
    const std::vector<std::string> ids = HeaderKeyIds(*header);
    return Status::WrongKey(refusal + "it is wrapped for key ids " + JoinKeyIds(ids, kRefusalKeyIds) +
                            ", the configured " + ours.key_source + " key has key id " + KeyIdText(ours.key_id) +
                            advice);
  }
  if (header->envelope_version == kEnvelopeV2) {
    return Status::WrongKey(refusal + "it is sealed with " + header->encrypter_name + " key id " +
                            KeyIdText(header->key_id) + ", the configured " + ours.key_source + " key has key id " +
                            KeyIdText(ours.key_id) + advice);
  }
  Result<Snapshot> opened = open(current, OpenOptions{.allow_plaintext = allow_plaintext});
  if (opened.ok() || !IsV1DecryptFailure(opened.status())) return Status::OK();  // damaged: not a key matter
  return Status::WrongKey(refusal + "it is a v1 file (no key id), and the configured " + ours.key_source + " key id " +
                          KeyIdText(ours.key_id) + " cannot open it (" + opened.status().message() + ")" + advice);
}

Status CheckWriteOptions(const WriteOptions& options, std::string_view prefix) {
  if (options.operation.size() <= kMaxWriteOperationBytes) return Status::OK();
  return Status::InvalidArgument(std::string(prefix) + "write: the operation is " +
                                 std::to_string(options.operation.size()) + " bytes, more than the " +
                                 std::to_string(kMaxWriteOperationBytes) +
                                 " a journal record allows; shorten it (nothing was written)");
}

Status BrokenLockError(std::string_view prefix, std::string_view lock_id, std::string_view not_done) {
  return Status::Locked(std::string(prefix) + "the lock " + std::string(lock_id) +
                        " was broken while held (force-unlock?); " + std::string(not_done) +
                        ". Take the lock again and retry");
}

Status CurrentMovedError(std::string_view prefix, std::string_view actual, std::string_view expected) {
  return Status::Conflict(std::string(prefix) + "current moved to \"" + std::string(actual) + "\" (expected \"" +
                          std::string(expected) + "\"); current was not changed. Re-read and retry");
}

Status NoSuchRevisionError(std::string_view prefix, std::string_view rev, std::string_view stack) {
  return Status::NotFound(std::string(prefix) + "no revision " + std::string(rev) + " in stack " + std::string(stack));
}

Status NoFreshRevisionError(std::string_view prefix) {
  return Status::AlreadyExists(std::string(prefix) + "could not allocate fresh revision after " +
                               std::to_string(kMaxRevisionAttempts) + " attempts");
}

Status RemovingCurrentError(std::string_view prefix, std::string_view rev) {
  return Status::InvalidArgument(std::string(prefix) + "refusing to remove revision " + std::string(rev) +
                                 ": it is the current revision; point current elsewhere first (set-current)");
}

}  // namespace sealstate::internal
