package sealstate

/*
#include <sealstate/sealstate_c.h>
*/
import "C"

import (
	"context"
	"encoding/json"
	"time"
	"unsafe"
)

// Lock is a held stack lock, from Store.Lock. Use it from one goroutine at a time.
type Lock struct {
	handle *C.sealstate_lock
	id     string
}

// Lock takes the stack lock, waiting while it is held until ctx ends: at ctx's deadline the
// error is ErrLocked naming the holder, on cancellation ErrCancelled (both also errors.Is the
// context's error). A context that has already ended fails at once, a lock that is free is
// taken at once. operation is recorded in the holder record ("apply", ...; "" records "lock").
// A stale holder's lock (a process that is gone) is broken. Release it with Unlock. Errors
// also: ErrInvalidArgument (operation too long), ErrIOError.
func (s *Store) Lock(ctx context.Context, operation string) (*Lock, error) {
	coperation := cOptional(operation)
	defer free(coperation)
	var handle *C.sealstate_lock
	err := s.wait(ctx, func(timeout C.int64_t, cancel C.sealstate_cancel_fn, data unsafe.Pointer, cerr **C.sealstate_error) C.int {
		return C.sealstate_lock_acquire(s.handle, timeout, coperation, cancel, data, &handle, cerr)
	})
	if err != nil {
		return nil, err
	}
	var id *C.char
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_lock_id(handle, &id, &cerr), cerr); err != nil {
		C.sealstate_lock_free(handle)
		return nil, err
	}
	return &Lock{handle: handle, id: takeString(id)}, nil
}

// ID returns the lock's id (32 hex digits): pass it as a LockID for fencing, or to ForceUnlock.
func (l *Lock) ID() string { return l.id }

// Unlock releases the lock if it is still this one, and frees the handle. Idempotent. Errors:
// ErrLocked (someone else holds the stack's lock now, after a force-unlock: nothing released),
// ErrIOError.
func (l *Lock) Unlock() error {
	if l.handle == nil {
		return nil
	}
	handle := l.handle
	l.handle = nil
	defer C.sealstate_lock_free(handle)
	var cerr *C.sealstate_error
	return errorFrom(C.sealstate_unlock(handle, &cerr), cerr)
}

// LockInfo is the stack lock's state.
type LockInfo struct {
	// State is "free", "held", "stale" (the holder is gone) or "unknown".
	State string `json:"state"`
	// Holder is the holder record, nil when free.
	Holder *LockHolder `json:"holder"`
	// Reason says how the state was decided.
	Reason string `json:"reason"`
}

// LockHolder is a lock's holder record.
type LockHolder struct {
	LockID    string            `json:"lock-id"`
	User      string            `json:"user"`
	Host      string            `json:"host"`
	PID       int64             `json:"pid"`
	Created   *time.Time        `json:"created"` // nil when not recorded
	Operation string            `json:"operation"`
	Version   string            `json:"version"`
	Detail    map[string]string `json:"detail"` // backend details
}

// LockInfo returns the stack lock's state and holder. It needs no key.
func (s *Store) LockInfo() (*LockInfo, error) {
	var out *C.char
	var n C.size_t
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_lock_info(s.handle, &out, &n, &cerr), cerr); err != nil {
		return nil, err
	}
	info := &LockInfo{}
	if err := json.Unmarshal(takeBytes(out, n), info); err != nil {
		return nil, &Error{Code: CodeInternal, Message: "sealstate: lock info is not the documented JSON: " + err.Error()}
	}
	return info, nil
}
