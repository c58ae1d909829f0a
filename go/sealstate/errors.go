package sealstate

// #include <sealstate/sealstate_c.h>
import "C"

import (
	"syscall"
)

// Code is a status code of the C ABI (the numbers of sealstate::Code; they never change).
// Later versions may add codes: switch on the ones you handle and keep a default.
type Code int

// The status codes (SEALSTATE_* in sealstate_c.h).
const (
	CodeOK              Code = 0
	CodeInvalidArgument Code = 1  // a bad name, spec, option, JSON or snapshot
	CodeNotFound        Code = 2  // no such stack, revision or file
	CodeNoCurrent       Code = 3  // the stack has no current snapshot
	CodeAlreadyExists   Code = 4  // the name is taken and will not be overwritten
	CodeLocked          Code = 5  // locked by someone else (the message names the holder), or a broken lock
	CodeCancelled       Code = 6  // the lock wait was cancelled (its context ended)
	CodeConflict        Code = 7  // current moved under the caller (SetCurrent's compare-and-swap)
	CodeWrongKey        Code = 8  // sealed with a different key than the one configured
	CodeIntegrity       Code = 9  // tampered, truncated, swapped or corrupt data; refused plaintext
	CodeFormat          Code = 10 // a format or envelope version this build does not understand
	CodeIOError         Code = 11 // an operating-system call failed: see Errno and Path
	CodeUnsupported     Code = 12 // the machine or backend lacks something required
	CodeInternal        Code = 13 // a sealstate bug, or out of memory
	CodeIncomplete      Code = 14 // the change took effect but a later step failed: do not retry
)

// String returns the code's stable lower-case name ("wrong-key", ...; "unknown" for a number
// without one).
func (c Code) String() string {
	return C.GoString(C.sealstate_code_name(C.int(c)))
}

// sentinel is the error value errors.Is matches an *Error of its code against.
type sentinel Code

// Error returns "sealstate: " and the code's name.
func (s sentinel) Error() string { return "sealstate: " + Code(s).String() }

// The sentinels of the codes: errors.Is(err, ErrLocked) holds for every *Error with CodeLocked.
var (
	ErrInvalidArgument error = sentinel(CodeInvalidArgument)
	ErrNotFound        error = sentinel(CodeNotFound)
	ErrNoCurrent       error = sentinel(CodeNoCurrent)
	ErrAlreadyExists   error = sentinel(CodeAlreadyExists)
	ErrLocked          error = sentinel(CodeLocked)
	ErrCancelled       error = sentinel(CodeCancelled)
	ErrConflict        error = sentinel(CodeConflict)
	ErrWrongKey        error = sentinel(CodeWrongKey)
	ErrIntegrity       error = sentinel(CodeIntegrity)
	ErrFormat          error = sentinel(CodeFormat)
	ErrIOError         error = sentinel(CodeIOError)
	ErrUnsupported     error = sentinel(CodeUnsupported)
	ErrInternal        error = sentinel(CodeInternal)
	ErrIncomplete      error = sentinel(CodeIncomplete)
)

// Error is a failed sealstate call: the code, the library's message (it names what failed and
// what to do), and for I/O errors the errno and the path.
type Error struct {
	Code    Code
	Message string
	Errno   syscall.Errno // the OS error of CodeIOError, else 0
	Path    string        // the file a CodeIOError concerns, else ""
	cause   error         // the context's error when a lock wait ended with it
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Is reports whether target is the sentinel of e's code (ErrLocked for CodeLocked, ...).
func (e *Error) Is(target error) bool {
	s, ok := target.(sentinel)
	return ok && Code(s) == e.Code
}

// Unwrap returns the context's error (context.Canceled, context.DeadlineExceeded) when a lock
// wait ended with its context, else the errno of an I/O error (so errors.Is(err,
// fs.ErrNotExist) works), else nil.
func (e *Error) Unwrap() error {
	if e.cause != nil {
		return e.cause
	}
	if e.Errno != 0 {
		return e.Errno
	}
	return nil
}

// errorFrom turns a failed call's code and error object into an *Error and frees the object;
// nil for CodeOK.
func errorFrom(code C.int, cerr *C.sealstate_error) error {
	if code == C.SEALSTATE_OK {
		return nil
	}
	defer C.sealstate_error_free(cerr)
	return &Error{
		Code:    Code(code),
		Message: C.GoString(C.sealstate_error_message(cerr)),
		Errno:   syscall.Errno(C.sealstate_error_errno(cerr)),
		Path:    C.GoString(C.sealstate_error_path(cerr)),
	}
}
