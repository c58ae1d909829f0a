// Package sealstate is sealstate for Go: encrypted, immutable infrastructure-state snapshots
// per stack, with a current pointer, a stack lock and an audit journal. It is a thin cgo layer
// over sealstate's C ABI (sealstate_c.h, in libsealstate.so.0), found with `pkg-config
// sealstate`: install sealstate (meson install), or point PKG_CONFIG_PATH at its sealstate.pc.
//
// A Store is one stack of one backend ("local:/var/lib/sealstate", "memory:tests", any
// backend registered in the library), with the operations of the Backend interface Go
// infrastructure tools implement: Current, CurrentRev, Get, Write, SetCurrent (with
// compare-and-swap and fencing), List, Remove, Lock (waits end with a context), ForceUnlock,
// plus Commit, LockInfo, Journal and Verify. Snapshots cross as their JSON encoding ([]byte,
// sealstate's deterministic bytes): decode them into your own types, with
// json.Decoder.UseNumber where integers may exceed 2^53.
//
// Errors are *Error values carrying the library's code, message, errno and path; test them
// with errors.Is against the sentinels (ErrLocked, ErrWrongKey, ErrNoCurrent, ...), and against
// context.Canceled or context.DeadlineExceeded when a lock wait ended with its context.
//
// A Store may be used from several goroutines at once, but Close must not run while another
// call is in progress. A Lock is used from one goroutine at a time.
package sealstate
