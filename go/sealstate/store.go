package sealstate

/*
#include <stdlib.h>
#include <sealstate/sealstate_c.h>
extern int sealstateGoCancel(void*);
*/
import "C"

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"
	"unsafe"
)

// Options says how to open a stack.
type Options struct {
	// KeySource names the key source, as the CLI's --encrypter: "noop", "env-key" (KeyConfig
	// {"env-var": "VAR"}), "key-file" ({"path": "PATH"}); "" opens without a key (Lock, List,
	// Journal, Remove and LockInfo work; reading or writing snapshots is ErrInvalidArgument).
	KeySource string
	// KeyConfig is the key source's configuration (a JSON object); nil for {}.
	KeyConfig map[string]any
	// Create creates the stack if it is missing (else Open fails with ErrNotFound).
	Create bool
	// UnobinCompatible writes and reads unobin's v1 envelopes.
	UnobinCompatible bool
	// AcceptV1 reads v1 snapshots (a stack migrated from unobin).
	AcceptV1 bool
	// AllowPlaintext reads noop (plaintext) snapshots despite a real key.
	AllowPlaintext bool
}

// Store is one stack of one backend, opened with a key or none. Close it when done.
type Store struct {
	handle  *C.sealstate_store
	factory string
	stack   string
}

// Open opens stack factory/stack of the backend spec names ("local:/var/lib/sealstate",
// "memory:tests", any registered backend). Errors: ErrInvalidArgument (bad spec, names, key
// source, config or key), ErrNotFound (no such stack without Options.Create, a missing key
// file), ErrIOError.
func Open(spec, factory, stack string, options Options) (*Store, error) {
	flags := C.unsigned(0)
	for _, flag := range []struct {
		on  bool
		bit C.unsigned
	}{
		{options.Create, C.SEALSTATE_OPEN_CREATE},
		{options.UnobinCompatible, C.SEALSTATE_OPEN_UNOBIN_COMPATIBLE},
		{options.AcceptV1, C.SEALSTATE_OPEN_ACCEPT_V1},
		{options.AllowPlaintext, C.SEALSTATE_OPEN_ALLOW_PLAINTEXT},
	} {
		if flag.on {
			flags |= flag.bit
		}
	}
	var config *C.char
	if options.KeyConfig != nil {
		encoded, err := json.Marshal(options.KeyConfig)
		if err != nil {
			return nil, &Error{Code: CodeInvalidArgument, Message: "sealstate: KeyConfig is not JSON: " + err.Error()}
		}
		config = cString(string(encoded))
		defer free(config)
	}
	cspec, cfactory, cstack, csource := cString(spec), cString(factory), cString(stack), cOptional(options.KeySource)
	defer free(cspec)
	defer free(cfactory)
	defer free(cstack)
	defer free(csource)
	var handle *C.sealstate_store
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_open(cspec, cfactory, cstack, csource, config, flags, &handle, &cerr), cerr); err != nil {
		return nil, err
	}
	return &Store{handle: handle, factory: factory, stack: stack}, nil
}

// Close closes the store; later calls fail with ErrInvalidArgument. Idempotent. Locks taken
// from it stay valid (unlock them separately). It must not run while another call is in
// progress.
func (s *Store) Close() error {
	C.sealstate_close(s.handle)
	s.handle = nil
	return nil
}

// Factory returns the factory the store was opened for.
func (s *Store) Factory() string { return s.factory }

// Stack returns the stack the store was opened for.
func (s *Store) Stack() string { return s.stack }

// CommitOptions are the options of Commit.
type CommitOptions struct {
	// Operation is recorded in the lock's holder record ("apply", ...); "" records "commit".
	Operation string
	// NewKey says the key is meant to change: skip the check that it opens current.
	NewKey bool
}

// Commit takes the stack lock (waiting as Lock does, until ctx ends), seals and writes
// snapshot (its JSON encoding) under a fresh revision, points current at it, unlocks, and
// returns the revision. Errors: ErrInvalidArgument (bad JSON or snapshot, one naming another
// stack), ErrFormat (an unknown format-version), ErrLocked (naming the holder; also when ctx's
// deadline passed), ErrCancelled (ctx cancelled), ErrWrongKey (current was sealed with another
// key: nothing written), ErrIOError, ErrIncomplete (committed, but a later step failed: do not
// retry).
func (s *Store) Commit(ctx context.Context, snapshot []byte, options CommitOptions) (string, error) {
	var rev *C.char
	operation := cOptional(options.Operation)
	defer free(operation)
	err := s.wait(ctx, func(timeout C.int64_t, cancel C.sealstate_cancel_fn, data unsafe.Pointer, cerr **C.sealstate_error) C.int {
		return C.sealstate_commit(s.handle, bytesArg(snapshot), C.size_t(len(snapshot)), timeout, operation, cancel,
			data, writeFlags(options.NewKey), &rev, cerr)
	})
	if err != nil {
		return "", err
	}
	return takeString(rev), nil
}

// WriteOptions are the options of Write.
type WriteOptions struct {
	// LockID is the id of the lock the caller holds (journaled), or "".
	LockID string
	// NewKey says the key is meant to change: skip the check that it opens current.
	NewKey bool
}

// Write seals and stores snapshot (its JSON encoding) under a fresh revision without moving
// current, and returns the revision. Errors as Commit's, without the lock's.
func (s *Store) Write(snapshot []byte, options WriteOptions) (string, error) {
	lockID := cOptional(options.LockID)
	defer free(lockID)
	var rev *C.char
	var cerr *C.sealstate_error
	code := C.sealstate_write(s.handle, bytesArg(snapshot), C.size_t(len(snapshot)), lockID, writeFlags(options.NewKey),
		&rev, &cerr)
	if err := errorFrom(code, cerr); err != nil {
		return "", err
	}
	return takeString(rev), nil
}

func writeFlags(newKey bool) C.unsigned {
	if newKey {
		return C.SEALSTATE_WRITE_NEW_KEY
	}
	return 0
}

// Current returns the current snapshot's JSON encoding. Errors: ErrNoCurrent, and Get's.
func (s *Store) Current() ([]byte, error) {
	var out *C.char
	var n C.size_t
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_current(s.handle, &out, &n, &cerr), cerr); err != nil {
		return nil, err
	}
	return takeBytes(out, n), nil
}

// CurrentRev returns the revision current names. Errors: ErrNoCurrent, ErrIntegrity (a damaged
// pointer).
func (s *Store) CurrentRev() (string, error) {
	var out *C.char
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_current_rev(s.handle, &out, &cerr), cerr); err != nil {
		return "", err
	}
	return takeString(out), nil
}

// Get returns revision rev's snapshot as its JSON encoding. Errors: ErrInvalidArgument (a bad
// revision name), ErrNotFound, ErrWrongKey, ErrIntegrity, ErrFormat, ErrIOError.
func (s *Store) Get(rev string) ([]byte, error) {
	crev := cString(rev)
	defer free(crev)
	var out *C.char
	var n C.size_t
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_get(s.handle, crev, &out, &n, &cerr), cerr); err != nil {
		return nil, err
	}
	return takeBytes(out, n), nil
}

// List returns every revision, oldest first (unobin's order). It needs no key.
func (s *Store) List() ([]string, error) { return s.list(0) }

// ListNewestFirst returns every revision, newest first. It needs no key.
func (s *Store) ListNewestFirst() ([]string, error) { return s.list(C.SEALSTATE_LIST_NEWEST_FIRST) }

func (s *Store) list(flags C.unsigned) ([]string, error) {
	var out *C.char
	var n C.size_t
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_list(s.handle, flags, &out, &n, &cerr), cerr); err != nil {
		return nil, err
	}
	return strings.Fields(string(takeBytes(out, n))), nil
}

// SetCurrentOptions are the options of SetCurrent.
type SetCurrentOptions struct {
	// CompareAndSwap moves current only if it is Expected ("": there is no current); otherwise
	// SetCurrent fails with ErrConflict and current does not move.
	CompareAndSwap bool
	Expected       string
	// LockID is fencing: the id of the lock the caller holds; ErrLocked if it was broken
	// meanwhile. "" for none.
	LockID string
}

// SetCurrent points current at rev, which must exist and open with the key. Errors:
// ErrConflict (compare-and-swap), ErrLocked (fencing), Get's, ErrIncomplete.
func (s *Store) SetCurrent(rev string, options SetCurrentOptions) error {
	crev, lockID := cString(rev), cOptional(options.LockID)
	defer free(crev)
	defer free(lockID)
	var expected *C.char
	if options.CompareAndSwap {
		expected = cString(options.Expected)
		defer free(expected)
	}
	var cerr *C.sealstate_error
	return errorFrom(C.sealstate_set_current(s.handle, crev, expected, lockID, &cerr), cerr)
}

// Remove removes revision rev (a missing one is fine). lockID: fencing, as for SetCurrent, or
// "". Errors: ErrInvalidArgument (the current revision), ErrLocked (fencing), ErrIOError.
func (s *Store) Remove(rev, lockID string) error {
	crev, clock := cString(rev), cOptional(lockID)
	defer free(crev)
	defer free(clock)
	var cerr *C.sealstate_error
	return errorFrom(C.sealstate_remove(s.handle, crev, clock, &cerr), cerr)
}

// ForceUnlock breaks the stack's lock: with a lockID, the lock held under that id, whoever
// holds it (ErrLocked naming the holder when the id does not match: nothing broken); with "",
// only a stale holder's (a live holder: ErrLocked naming it). No lock: nil. Journaled.
func (s *Store) ForceUnlock(lockID string) error {
	clock := cOptional(lockID)
	defer free(clock)
	var cerr *C.sealstate_error
	return errorFrom(C.sealstate_force_unlock(s.handle, clock, &cerr), cerr)
}

// waitCall is a C call that may wait for the stack lock: with the timeout, the cancellation
// callback and its data.
type waitCall func(timeout C.int64_t, cancel C.sealstate_cancel_fn, data unsafe.Pointer, cerr **C.sealstate_error) C.int

// wait runs call with the timeout until ctx's deadline (none: forever) and ctx's cancellation
// polled by the callback. A failure while ctx has ended carries ctx.Err() (errors.Is
// context.Canceled or context.DeadlineExceeded).
func (s *Store) wait(ctx context.Context, call waitCall) error {
	if err := ctx.Err(); err != nil {
		return &Error{Code: CodeCancelled, Message: "sealstate: the context ended before the lock wait: " + err.Error(),
			cause: err}
	}
	timeout := C.int64_t(-1)
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		timeout = C.int64_t(millisecondsUntil(deadline))
	}
	canceller := newCanceller(ctx)
	defer canceller.free()
	var cerr *C.sealstate_error
	err := errorFrom(call(timeout, C.sealstate_cancel_fn(C.sealstateGoCancel), canceller.data, &cerr), cerr)
	if e, ok := err.(*Error); ok && (e.Code == CodeCancelled || e.Code == CodeLocked) {
		e.cause = ctx.Err()
		if e.cause == nil && hasDeadline && !time.Now().Before(deadline) {
			e.cause = context.DeadlineExceeded // the context's timer has not fired yet
		}
	}
	return err
}

// millisecondsUntil returns the whole milliseconds (rounded up, at least 0) until deadline.
func millisecondsUntil(deadline time.Time) int64 {
	left := time.Until(deadline)
	if left <= 0 {
		return 0
	}
	ms := (left + time.Millisecond - 1) / time.Millisecond
	if ms > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(ms)
}
