// Key rotation: re-wrapping every revision of a stack for a new key set (sealstate rekey), and
// reading which keys open which revisions (sealstate keys), from headers only.
#pragma once

#include <sealstate/export.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <sealstate/backend.h>
#include <sealstate/encrypter.h>
#include <sealstate/status.h>

namespace sealstate {

// What a rekey did (or, dry run, would do) to one revision.
enum class RekeyAction {
  kRewrapped,  // a v3 file: its data key re-wrapped, the payload bytes untouched
  kResealed,   // a v2 file: opened and sealed again as v3 (once; later rekeys only re-wrap)
  kUnchanged,  // already wrapped for exactly the new keys (a resumed rekey)
  kSkippedV1,  // a v1 (unobin) file: left alone (sealstate upgrade re-seals it)
  kUpgraded,   // a v1 (unobin) file: opened and sealed again as v3 (RekeyOptions::upgrade_v1)
};

// "rewrapped", "resealed", "unchanged", "skipped-v1", "upgraded".
SEALSTATE_EXPORT std::string_view RekeyActionName(RekeyAction action);

struct RekeyedRevision {
  std::string rev;
  RekeyAction action = RekeyAction::kUnchanged;
  std::vector<std::string> key_ids_before;  // the key ids the file was wrapped for
  std::vector<std::string> key_ids_after;   // ... and is now (dry run: would be)
};

struct RekeyOptions {
  std::vector<std::string> revs;  // the revisions to rekey; empty: every revision
  bool dry_run = false;           // plan only: nothing is written or journaled
  // Re-seal v1 (unobin) revisions as v3 too (sealstate upgrade): unobin cannot read them after.
  bool upgrade_v1 = false;
  std::function<void(std::size_t done, std::size_t total)> progress;  // after each revision; may be empty
  // At most this many revisions per durable batch (see RekeyStack; 0 counts as 1). Smaller
  // batches make more fsyncs; the default is what the bench measured.
  std::size_t batch_revisions = 64;
};

// Re-wraps the revisions of `backend` for WrapTargets(keys) (key_ring.h: a KeyRing's first key
// and recipients), opening each with whichever of OpeningKeys(keys) it names. A v3 revision
// gets a new header (payload bytes untouched); a v2 one is re-sealed as v3. Revisions are
// replaced in batches (up to options.batch_revisions revisions or 64 MiB) with Backend::ReplaceEnvelopes (each atomic,
// all durable: at every moment each opens with its old keys or its new ones), each read back and
// checked to be exactly the bytes written and to unwrap with the new first key (kIntegrity
// otherwise; the payload is not decrypted), then journaled with one Backend::AppendJournalEvents
// as one "rekey" event per revision naming the key ids before and after (never keys). Revisions
// already wrapped for exactly the new keys are left alone, so a rerun after a crash finishes the
// job. The caller holds the stack lock and passes its id (fencing every replacement). Stops at
// the first failure, naming the revision (or the batch); those done before stay done. Errors: kWrongKey (no
// given key opens a revision: it names the key ids the revision wants), kIntegrity, kNotFound,
// kLocked, kUnsupported (a backend without ReplaceEnvelope), kIoError.
SEALSTATE_EXPORT Result<std::vector<RekeyedRevision>> RekeyStack(Backend& backend, const Encrypter& keys,
                                                                 std::string_view lock_id, const RekeyOptions& options);

// Which key ids open each revision, read from headers only (nothing is decrypted): a v3
// revision's recipients, a v2 revision's one key id, none for v1 (which records none).
struct RevisionKeys {
  std::string rev;
  std::int64_t envelope_version = 0;
  std::vector<std::string> key_ids;
  std::vector<std::string> key_sources;  // parallel to key_ids
};

// One entry per revision, oldest first. A revision whose header cannot be read fails the call.
SEALSTATE_EXPORT Result<std::vector<RevisionKeys>> ListRevisionKeys(Backend& backend);

}  // namespace sealstate
