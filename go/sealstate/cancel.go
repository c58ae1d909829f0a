package sealstate

// The lock wait's cancellation callback: the C ABI polls sealstateGoCancel on the waiting
// goroutine's thread; it reports whether the wait's context was cancelled.

// #include <stdlib.h>
// #include <stdint.h>
import "C"

import (
	"context"
	"runtime/cgo"
	"unsafe"
)

// canceller carries a lock wait's context to the callback, as C memory holding a cgo.Handle
// (so no Go pointer crosses to C).
type canceller struct {
	handle cgo.Handle
	data   unsafe.Pointer
}

// newCanceller prepares the callback data for a wait on ctx; release it with free.
func newCanceller(ctx context.Context) *canceller {
	c := &canceller{handle: cgo.NewHandle(ctx)}
	c.data = C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0))))
	*(*C.uintptr_t)(c.data) = C.uintptr_t(c.handle)
	return c
}

// free releases the handle and the C memory.
func (c *canceller) free() {
	C.free(c.data)
	c.handle.Delete()
}

//export sealstateGoCancel
func sealstateGoCancel(data unsafe.Pointer) C.int {
	ctx := cgo.Handle(*(*C.uintptr_t)(data)).Value().(context.Context)
	// A passed deadline is the C side's timeout (which names the holder); only a cancellation stops
	// the wait here.
	if ctx.Err() == context.Canceled {
		return 1
	}
	return 0
}
