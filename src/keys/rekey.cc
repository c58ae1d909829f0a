// RekeyStack and ListRevisionKeys: see rekey.h.
#include <sealstate/rekey.h>

#include <algorithm>
#include <memory>

#include <sealstate/envelope.h>
#include <sealstate/key_ring.h>

#include "envelope/envelope_v2_header.h"
#include "envelope/envelope_v3.h"
#include "envelope/key_ids.h"

namespace sealstate {
namespace {

std::vector<std::string> TargetKeyIds(const Encrypter& keys) {
  std::vector<std::string> ids;
  for (const Encrypter* target : WrapTargets(keys)) ids.push_back(target->Describe().key_id);
  return ids;
}

// Lets each given key see the wraps of `header` before it is asked for its key id, so a
// passphrase key keeps the salt it already has in this stack (Encrypter::OwnsWrap) and a rerun
// finds the revisions it rewrapped unchanged.
void AdoptFromWraps(const EnvelopeHeader& header, const Encrypter& keys) {
  for (const Encrypter* key : OpeningKeys(keys))
    (void)internal::OwnedEntry(header, *key);  // not WrapTargets: it describes them
}

// How the "rekey" journal events write key ids: "A,B", "none" for noop's empty id or no ids.
constexpr internal::KeyIdListStyle kJournalKeyIds{.separator = ",", .empty_id = "none", .empty_list = "none"};

// A revision's stored bytes, split after the header line.
struct StoredEnvelope {
  std::string bytes;
  std::size_t payload_offset = 0;
  EnvelopeHeader header;
};

Result<StoredEnvelope> ReadStored(Backend& backend, const std::string& rev) {
  StoredEnvelope stored;
  StringSink sink(stored.bytes);
  SEALSTATE_RETURN_IF_ERROR(backend.ReadEnvelope(rev, sink));
  StringSource source(stored.bytes);
  SEALSTATE_ASSIGN_OR_RETURN(stored.header, ReadEnvelopeHeader(source));
  if (stored.header.envelope_version != kEnvelopeV1) stored.payload_offset = stored.bytes.find('\n') + 1;
  return stored;
}

// The new bytes of a v3 revision: its header with the data key re-wrapped, then its payload.
Result<std::string> Rewrapped(const StoredEnvelope& stored, const Encrypter& keys) {
  SEALSTATE_ASSIGN_OR_RETURN(SecretBytes data_key, internal::UnwrapDataKey(stored.header, keys));
  SEALSTATE_ASSIGN_OR_RETURN(EnvelopeHeader header, internal::WrapDataKey(stored.header, data_key, keys));
  // One copy of the payload (it is most of the file), into a string sized for it.
  std::string out = internal::EncodeV2Header(header);
  out.reserve(out.size() + 1 + stored.bytes.size() - stored.payload_offset);
  out += '\n';
  out.append(stored.bytes, stored.payload_offset);
  return out;
}

// The new bytes of a v2 revision: opened with `keys` and sealed again as v3.
// A v1 file is opened as unobin reads it and sealed with zstd compression.
Result<std::string> Resealed(Backend& backend, const StoredEnvelope& stored, const std::string& rev,
                             const Encrypter& keys) {
  const EnvelopeBinding binding{"state", backend.factory(), backend.stack(), rev};
  StringSource source(stored.bytes);
  const bool v1 = stored.header.envelope_version == kEnvelopeV1;
  SEALSTATE_ASSIGN_OR_RETURN(Snapshot snapshot, OpenSnapshot(source, binding, keys, OpenOptions{.accept_v1 = v1}));
  Compression compression = Compression::kZstd;
  if (!v1) {
    SEALSTATE_ASSIGN_OR_RETURN(compression, ParseCompression(stored.header.compression));
  }
  std::string sealed;
  StringSink sink(sealed);
  SEALSTATE_RETURN_IF_ERROR(SealSnapshot(snapshot, kEnvelopeV3, binding, keys, sink, compression));
  return sealed;
}

// A sink that compares the bytes it receives with `expected` as they come, keeping none of them.
class ComparingSink final : public ByteSink {
 public:
  explicit ComparingSink(std::string_view expected) : expected_(expected) {}
  Status Append(std::string_view data) override {
    same_ = same_ && data.size() <= expected_.size() - seen_ && expected_.compare(seen_, data.size(), data) == 0;
    seen_ += data.size();
    return Status::OK();
  }
  // Whether every byte received so far matched and all of `expected` was received.
  bool Same() const { return same_ && seen_ == expected_.size(); }

 private:
  std::string_view expected_;
  std::size_t seen_ = 0;
  bool same_ = true;
};

// Reads `rev` back and checks it is `expected` (compared as it is read, not copied), and that the
// new first key unwraps it.
Status VerifyReplaced(Backend& backend, const std::string& rev, const std::string& expected, const Encrypter& keys) {
  ComparingSink stored(expected);
  SEALSTATE_RETURN_IF_ERROR(backend.ReadEnvelope(rev, stored));
  if (!stored.Same()) return Status::Integrity("the stored bytes differ from what was written");
  StringSource source(expected);  // the stored bytes, just compared
  SEALSTATE_ASSIGN_OR_RETURN(EnvelopeHeader header, ReadEnvelopeHeader(source));
  return internal::UnwrapDataKey(header, *WrapTargets(keys).front()).status();
}

// A revision planned: what the report says, and for one that changes (not in a dry run) its new
// bytes and the detail of its "rekey" journal event.
struct PlannedRevision {
  RekeyedRevision done;
  std::string replacement;  // empty: nothing to write
  std::string detail;
};

Result<PlannedRevision> PlanOne(Backend& backend, const std::string& rev, const Encrypter& keys,
                                const RekeyOptions& options) {
  SEALSTATE_ASSIGN_OR_RETURN(StoredEnvelope stored, ReadStored(backend, rev));
  AdoptFromWraps(stored.header, keys);
  PlannedRevision plan{RekeyedRevision{rev, RekeyAction::kUnchanged, {}, TargetKeyIds(keys)}, {}, {}};
  RekeyedRevision& done = plan.done;
  if (stored.header.envelope_version == kEnvelopeV1 && !options.upgrade_v1) {
    done.action = RekeyAction::kSkippedV1;
    done.key_ids_after.clear();
    return plan;
  }
  done.key_ids_before = internal::HeaderKeyIds(stored.header);
  const bool v3 = stored.header.envelope_version == kEnvelopeV3;
  if (v3 && done.key_ids_before == done.key_ids_after) {
    // Still check that a given key opens it, so a dry run reports what a rekey would refuse.
    SEALSTATE_RETURN_IF_ERROR(internal::UnwrapDataKey(stored.header, keys).status());
    return plan;
  }
  const bool v1 = stored.header.envelope_version == kEnvelopeV1;
  done.action = v3 ? RekeyAction::kRewrapped : (v1 ? RekeyAction::kUpgraded : RekeyAction::kResealed);
  SEALSTATE_ASSIGN_OR_RETURN(std::string replacement,
                             v3 ? Rewrapped(stored, keys) : Resealed(backend, stored, rev, keys));
  if (options.dry_run) return plan;
  plan.replacement = std::move(replacement);
  plan.detail = "key ids " + internal::JoinKeyIds(done.key_ids_before, kJournalKeyIds) + " -> " +
                internal::JoinKeyIds(done.key_ids_after, kJournalKeyIds);
  if (!v3) plan.detail += v1 ? " (upgraded from unobin v1 to v3)" : " (re-sealed from v2 as v3)";
  return plan;
}

// Revisions are replaced in batches of at most RekeyOptions::batch_revisions revisions and
// (roughly) this many bytes, so their files are made durable together
// (Backend::ReplaceEnvelopes) and journaled with one append.
constexpr std::size_t kBatchBytes = 64 * 1024 * 1024;

// Replaces the revisions of `batch`, verifies each (VerifyReplaced), then journals one "rekey"
// event per revision, with one append (Backend::AppendJournalEvents).
Status ApplyBatch(Backend& backend, const std::vector<PlannedRevision>& batch, const Encrypter& keys,
                  std::string_view lock_id) {
  std::vector<std::unique_ptr<StringSource>> sources;
  std::vector<EnvelopeReplacement> replacements;
  std::vector<JournalEvent> events;
  for (const PlannedRevision& plan : batch) {
    sources.push_back(std::make_unique<StringSource>(plan.replacement));
    replacements.push_back(EnvelopeReplacement{plan.done.rev, sources.back().get()});
    JournalEvent event;
    event.event = "rekey";
    event.rev = plan.done.rev;
    event.detail = plan.detail;
    events.push_back(std::move(event));
  }
  SEALSTATE_RETURN_IF_ERROR(backend.ReplaceEnvelopes(replacements, lock_id));
  for (const PlannedRevision& plan : batch) {
    Status verified = VerifyReplaced(backend, plan.done.rev, plan.replacement, keys);
    if (!verified.ok()) return verified.WithPrefix("verifying the rewritten revision " + plan.done.rev + ": ");
  }
  return backend.AppendJournalEvents(events, std::string(lock_id));
}

// The planned revisions not yet replaced, and the revisions reported so far.
class RekeyRun {
 public:
  RekeyRun(Backend& backend, const Encrypter& keys, std::string_view lock_id, const RekeyOptions& options,
           std::size_t total)
      : backend_(backend), keys_(keys), lock_id_(lock_id), options_(options), total_(total) {}

  // Adds a planned revision; replaces the pending batch once it is full.
  Status Add(PlannedRevision plan) {
    report_.push_back(plan.done);
    if (plan.replacement.empty()) {
      if (pending_.empty()) Progress();
      return Status::OK();
    }
    pending_bytes_ += plan.replacement.size();
    pending_.push_back(std::move(plan));
    if (pending_.size() < std::max<std::size_t>(options_.batch_revisions, 1) && pending_bytes_ < kBatchBytes) {
      return Status::OK();
    }
    return Flush();
  }

  // Replaces, verifies and journals the pending batch.
  Status Flush() {
    if (pending_.empty()) return Status::OK();
    Status applied = ApplyBatch(backend_, pending_, keys_, lock_id_);
    if (!applied.ok()) {
      const std::size_t first = report_.size() - pending_.size();
      return applied.WithPrefix("rekey: revisions " + pending_.front().done.rev + " to " + pending_.back().done.rev +
                                " (after " + std::to_string(first) + " of " + std::to_string(total_) + " done): ");
    }
    pending_.clear();
    pending_bytes_ = 0;
    Progress();
    return Status::OK();
  }

  std::size_t planned() const { return report_.size(); }
  std::vector<RekeyedRevision> TakeReport() { return std::move(report_); }

 private:
  void Progress() {
    if (options_.progress) options_.progress(report_.size(), total_);
  }

  Backend& backend_;
  const Encrypter& keys_;
  std::string_view lock_id_;
  const RekeyOptions& options_;
  std::size_t total_;
  std::vector<PlannedRevision> pending_;
  std::size_t pending_bytes_ = 0;
  std::vector<RekeyedRevision> report_;
};

}  // namespace

std::string_view RekeyActionName(RekeyAction action) {
  switch (action) {
    case RekeyAction::kRewrapped: return "rewrapped";
    case RekeyAction::kResealed: return "resealed";
    case RekeyAction::kUnchanged: return "unchanged";
    case RekeyAction::kSkippedV1: return "skipped-v1";
    case RekeyAction::kUpgraded: return "upgraded";
  }
  return "unchanged";
}

Result<std::vector<RekeyedRevision>> RekeyStack(Backend& backend, const Encrypter& keys, std::string_view lock_id,
                                                const RekeyOptions& options) {
  std::vector<std::string> revs = options.revs;
  if (revs.empty()) {
    SEALSTATE_ASSIGN_OR_RETURN(revs, backend.List());
  }
  RekeyRun run(backend, keys, lock_id, options, revs.size());
  for (std::size_t i = 0; i < revs.size(); ++i) {
    Result<PlannedRevision> plan = PlanOne(backend, revs[i], keys, options);
    if (!plan.ok()) {
      // Those before stay done: the pending batch is replaced first.
      SEALSTATE_RETURN_IF_ERROR(run.Flush());
      return plan.status().WithPrefix("rekey: revision " + revs[i] + " (after " + std::to_string(i) + " of " +
                                      std::to_string(revs.size()) + " done): ");
    }
    SEALSTATE_RETURN_IF_ERROR(run.Add(std::move(*plan)));
  }
  SEALSTATE_RETURN_IF_ERROR(run.Flush());
  return run.TakeReport();
}

Result<std::vector<RevisionKeys>> ListRevisionKeys(Backend& backend) {
  SEALSTATE_ASSIGN_OR_RETURN(std::vector<std::string> revs, backend.List());
  std::vector<RevisionKeys> out;
  for (const std::string& rev : revs) {
    Result<EnvelopeHeader> header = backend.ReadHeader(rev);
    if (!header.ok()) return header.status().WithPrefix("keys: revision " + rev + ": ");
    RevisionKeys keys{rev, header->envelope_version, {}, {}};
    if (header->envelope_version == kEnvelopeV2) {
      keys.key_ids.push_back(header->key_id);
      keys.key_sources.push_back(header->encrypter_name);
    }
    for (const WrappedDataKey& entry : header->recipients) {
      keys.key_ids.push_back(entry.key_id);
      keys.key_sources.push_back(entry.key_source);
    }
    out.push_back(std::move(keys));
  }
  return out;
}

}  // namespace sealstate
