package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"sealstate.dev/sealstate"
)

func main() {
	root := "/var/lib/sealstate"
	if len(os.Args) > 1 {
		root = os.Args[1]
	}
	// The key: 32 random bytes, base64, in an environment variable. Never in code or logs.
	store, err := sealstate.Open("local:"+root, "network", "prod", sealstate.Options{
		KeySource: "env-key", KeyConfig: map[string]any{"env-var": "SEALSTATE_EXAMPLE_KEY"}, Create: true})
	if err != nil {
		fail("open", err)
	}
	defer store.Close()

	// Snapshots cross as their JSON encoding; decode with json.Decoder.UseNumber to keep 64 bits.
	snapshot := []byte(`{"format-version": 1, "factory": {"name": "network", "version": "v1.4.0",
		"content-revision": "9f2c1e"}, "stack": "prod", "generated-at": "2026-05-12T15:30:00Z",
		"entries": [{"address": "resource.vpc", "entry-kind": "leaf", "category": "resource",
		"binding": {"alias": "aws", "kind": "vpc"}, "outputs": {"id": "vpc-0a1b2c3d"}}]}`)

	// Wait up to 30 s for the lock; the context's deadline or cancellation ends the wait.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	lock, err := store.Lock(ctx, "apply")
	if errors.Is(err, sealstate.ErrLocked) {
		fail("someone else is applying", err) // the message names the holder
	} else if err != nil {
		fail("lock", err)
	}
	rev, err := store.Write(snapshot, sealstate.WriteOptions{LockID: lock.ID()})
	if err == nil {
		err = store.SetCurrent(rev, sealstate.SetCurrentOptions{LockID: lock.ID()}) // fenced by the lock
	}
	if unlockErr := lock.Unlock(); err == nil {
		err = unlockErr
	}
	if err != nil {
		fail("commit", err)
	}

	current, err := store.Current()
	if err != nil {
		fail("current", err)
	}
	fmt.Printf("committed revision %s of network/prod; current is %d bytes of JSON\n", rev, len(current))
}

// fail prints what failed, with the error's code name (wrong-key, locked, integrity, ...), and exits.
func fail(what string, err error) {
	var e *sealstate.Error
	if errors.As(err, &e) {
		fmt.Fprintf(os.Stderr, "%s (%s): %s\n", what, e.Code, e.Message)
	} else {
		fmt.Fprintf(os.Stderr, "%s: %v\n", what, err)
	}
	os.Exit(1)
}
