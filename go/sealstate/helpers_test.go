package sealstate_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"sealstate.dev/sealstate"
)

const (
	keyVar      = "SEALSTATE_GO_TEST_KEY"
	otherKeyVar = "SEALSTATE_GO_TEST_OTHER_KEY"
)

// snapshotJSON returns a valid snapshot of network/stack as JSON, with integers a float64 would
// round.
func snapshotJSON(stack, vpcID string) []byte {
	return []byte(fmt.Sprintf(`{"format-version": 1, "factory": {"name": "network", "version": "v1.4.0",
"content-revision": "9f2c1e"}, "stack": %q, "generated-at": "2026-05-12T15:30:00Z", "entries": [{"address":
"resource.vpc", "entry-kind": "leaf", "category": "resource", "binding": {"alias": "aws", "kind": "vpc"},
"outputs": {"id": %q, "max-u64": 18446744073709551615, "min-i64": -9223372036854775808}}]}`, stack, vpcID))
}

var memoryNames atomic.Int64

// backends returns a fresh local store spec and a fresh memory store spec, by name.
func backends(t *testing.T) map[string]string {
	return map[string]string{
		"local":  "local:" + filepath.Join(t.TempDir(), "store"),
		"memory": fmt.Sprintf("memory:go-test-%d-%d", os.Getpid(), memoryNames.Add(1)),
	}
}

// forEachBackend runs test on network/prod of a fresh local and a fresh memory store.
func forEachBackend(t *testing.T, test func(t *testing.T, spec string, store *sealstate.Store)) {
	for name, spec := range backends(t) {
		spec := spec
		t.Run(name, func(t *testing.T) { test(t, spec, openStack(t, spec, keyVar)) })
	}
}

// openStack opens (creating) network/prod of spec with the key in $keyVar ("" for no key), and
// closes it when the test ends.
func openStack(t *testing.T, spec, keyVar string) *sealstate.Store {
	t.Helper()
	options := sealstate.Options{Create: true}
	if keyVar != "" {
		options.KeySource = "env-key"
		options.KeyConfig = map[string]any{"env-var": keyVar}
	}
	store, err := sealstate.Open(spec, "network", "prod", options)
	if err != nil {
		t.Fatalf("open %s: %v", spec, err)
	}
	t.Cleanup(func() { store.Close() })
	return store
}

// must fails the test when err is not nil.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// setKeys puts two different fresh keys into the environment.
func setKeys() error {
	for _, name := range []string{keyVar, otherKeyVar} {
		key, err := sealstate.Keygen()
		if err != nil {
			return err
		}
		os.Setenv(name, key)
	}
	return nil
}
