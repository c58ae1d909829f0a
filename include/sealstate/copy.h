// CopyStack: moving a stack from one backend to another (local -> postgres, postgres -> local,
// ...), every revision's stored envelope byte for byte, the journal and `current`.
//
// Thread safety: as the backends it is given.
#pragma once

#include <sealstate/export.h>

#include <cstddef>
#include <string>

#include <sealstate/backend.h>
#include <sealstate/lock.h>
#include <sealstate/maintenance.h>
#include <sealstate/status.h>

namespace sealstate {

struct CopyOptions {
  // How the source and the target are named in messages and in the target journal's
  // "copied-from" event, e.g. their backend specs ("local:/srv/state"); passed through
  // RedactSpec before any use, so a spec with a password is fine. The two locks are taken in
  // the order of these names (the smaller first), so two copies in opposite directions between
  // the same stacks cannot deadlock; equal non-empty names are one stack: kInvalidArgument.
  std::string from_name;
  std::string to_name;
  // How both locks are taken (timeout, cancellation); the operation recorded is "copy".
  LockOptions lock;
  // Called after each revision: (done, total revisions of the source). May be empty.
  ProgressFn progress;
};

// What CopyStack did.
struct CopyReport {
  std::size_t revisions = 0;       // the source's revisions: all of them are in the target now
  std::size_t copied = 0;          // imported by this call
  std::size_t skipped = 0;         // in the target already with the same bytes (a resumed copy)
  std::size_t journal_events = 0;  // events imported by this call (with "copied-from"); 0 when done before
  std::string current;             // the revision current names on both sides; empty: none
};

// Copies the stack `from` serves into the stack `to` serves (same factory and stack name, since
// envelopes are bound to them), under both stack locks: first every revision's stored envelope
// (ReadEnvelope -> ImportEnvelope, streamed in bounded memory), oldest first; then the source's
// journal as it is, followed by an event "copied-from" (rev: the source's current; detail: the
// redacted source name, factory and stack), in one ImportJournal; then `current`. Finally the
// target is verified (VerifyStack: every revision opens with the target's key; current names the
// source's current) while both locks are still held. Needs an encrypter on the target (current
// is set as SetCurrent sets it); the source's key is never used.
//
// Resumable: after an interruption (a failure, a kill), running it again continues where it
// stopped. Revisions the target holds with the same bytes are skipped; a journal already imported
// by an earlier run (the target's journal is the source's followed by its "copied-from" event,
// lock-break and force-unlock events aside) is not imported again.
//
// A target with a history of its own is refused with kAlreadyExists and left as it is: a
// revision the source does not have, a revision with other bytes, a current without the copy's
// journal, or journal events that are not an earlier run's copy of this source. Copy into an
// empty stack instead.
//
// Errors: kInvalidArgument (different factory or stack names; one stack), kAlreadyExists (above),
// kIntegrity (the source's current is damaged: repair it first; the target failed verification,
// the message naming the first problem), kLocked/kCancelled (either lock), kUnsupported (a
// backend that cannot read or import envelopes), the backends' errors prefixed "copy: ".
SEALSTATE_EXPORT Result<CopyReport> CopyStack(Backend& from, Backend& to, const CopyOptions& options);

}  // namespace sealstate
