// The checks every backend makes the same way, with the same messages: only the prefix naming
// the backend ("local store: ", "memory store: ") differs.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/envelope.h>
#include <sealstate/snapshot.h>
#include <sealstate/status.h>

namespace sealstate::internal {

// kInvalidArgument unless an encrypter is configured (snapshots cannot be read or written
// without one).
Status RequireEncrypter(const Encrypter* encrypter, std::string_view prefix);

// Opens revision `rev` of the backend's stack with `options` (binding it to the stack and `rev`).
using RevisionOpener = std::function<Result<Snapshot>(const std::string& rev, const OpenOptions& options)>;

// The key check of Backend::Write: unless options.new_key (or no encrypter is configured),
// kWrongKey if `encrypter` cannot open the revision `current` (the pointer as `backend` reads
// it, without the rollback check: a pointer moved behind sealstate's back is still the revision
// a reader would open) names, naming both key ids and how to change the key on purpose. A v2
// current is compared by key id from its header
// (backend.ReadHeader); a v1 one, which records no key id, is opened with `open` (v1 accepted
// whatever the policy, plaintext only with `allow_plaintext`), and only a failure to decrypt is
// a wrong key. No current, or a current that is damaged, missing or unreadable: OK (a new
// revision is how it is replaced). Errors: kWrongKey.
Status CheckKeyOpensCurrent(Backend& backend, const Result<std::string>& current, const Encrypter* encrypter,
                            const WriteOptions& options, bool allow_plaintext, const RevisionOpener& open,
                            std::string_view prefix);

// CheckKeyOpensCurrent's judgement once current is known to be `current` and its header was
// read as `header` (an error: damaged or missing, so OK), for a backend that reads both in one
// go. Does not look at options.new_key or a missing encrypter (the caller does). Errors:
// kWrongKey.
Status CheckKeyOpensHeader(const Encrypter& encrypter, const std::string& current, const Result<EnvelopeHeader>& header,
                           bool allow_plaintext, const RevisionOpener& open, std::string_view prefix);

// kInvalidArgument naming the limit when options.operation is longer than
// kMaxWriteOperationBytes; Write checks this before it writes anything.
Status CheckWriteOptions(const WriteOptions& options, std::string_view prefix);

// kLocked: the lock `lock_id` was broken while held, so `not_done` ("current was not moved").
Status BrokenLockError(std::string_view prefix, std::string_view lock_id, std::string_view not_done);

// kConflict: current is `actual`, not `expected` (SetCurrentOptions::expected_current).
Status CurrentMovedError(std::string_view prefix, std::string_view actual, std::string_view expected);

// kNotFound: "no revision REV in stack STACK".
Status NoSuchRevisionError(std::string_view prefix, std::string_view rev, std::string_view stack);

// kAlreadyExists: every name a writer may try for a new revision (kMaxRevisionAttempts) is taken.
Status NoFreshRevisionError(std::string_view prefix);

// kInvalidArgument: Remove refuses the current revision `rev`.
Status RemovingCurrentError(std::string_view prefix, std::string_view rev);

}  // namespace sealstate::internal
