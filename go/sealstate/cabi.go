package sealstate

// The C ABI's library and header, from `pkg-config sealstate`.

/*
#cgo pkg-config: sealstate
#include <stdlib.h>
#include <sealstate/sealstate_c.h>
*/
import "C"

import (
	"unsafe"
)

// abiVersion is the C ABI version this package speaks (SEALSTATE_C_ABI_VERSION).
const abiVersion = 1

// Version returns the loaded library's version, e.g. "0.1.0".
func Version() string { return C.GoString(C.sealstate_version()) }

// ABIVersion returns the C ABI version of the loaded library (this package needs 1).
func ABIVersion() int { return int(C.sealstate_abi_version()) }

// cString returns s as a C string to free with C.free.
func cString(s string) *C.char { return C.CString(s) }

// cOptional returns s as a C string to free with C.free, or NULL for "".
func cOptional(s string) *C.char {
	if s == "" {
		return nil
	}
	return C.CString(s)
}

// free frees a C string from cString or cOptional (NULL is fine).
func free(s *C.char) { C.free(unsafe.Pointer(s)) }

// bytesArg returns a pointer to b's bytes for the duration of a call (b holds no Go pointers,
// so cgo allows it), and a valid pointer for an empty b.
func bytesArg(b []byte) *C.char {
	if len(b) == 0 {
		b = []byte{0}
	}
	return (*C.char)(unsafe.Pointer(&b[0]))
}

// takeBytes copies n bytes of a buffer the library returned and frees (wipes) it.
func takeBytes(buffer *C.char, n C.size_t) []byte {
	if buffer == nil {
		return nil
	}
	defer C.sealstate_free(unsafe.Pointer(buffer))
	out := make([]byte, int(n))
	copy(out, unsafe.Slice((*byte)(unsafe.Pointer(buffer)), int(n)))
	return out
}

// takeString copies a NUL-terminated buffer the library returned and frees (wipes) it.
func takeString(buffer *C.char) string {
	if buffer == nil {
		return ""
	}
	defer C.sealstate_free(unsafe.Pointer(buffer))
	return C.GoString(buffer)
}

// Keygen returns a fresh random 32-byte key as standard padded base64, what `sealstate keygen`
// prints and the env-key and key-file key sources read. It is a secret: never print or log it.
func Keygen() (string, error) {
	var out *C.char
	var cerr *C.sealstate_error
	if err := errorFrom(C.sealstate_keygen(&out, &cerr), cerr); err != nil {
		return "", err
	}
	return takeString(out), nil
}
