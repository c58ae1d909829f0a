package sealstate_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sealstate.dev/sealstate"
)

// A tool's state backend on sealstate: commit a snapshot to a local stack, read it back and list
// the revisions.
func Example() {
	root, _ := os.MkdirTemp("", "sealstate-example-")
	defer os.RemoveAll(root)
	os.Setenv("EXAMPLE_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") // in real life: sealstate.Keygen()

	store, err := sealstate.Open("local:"+root, "network", "prod", sealstate.Options{
		KeySource: "env-key", KeyConfig: map[string]any{"env-var": "EXAMPLE_KEY"}, Create: true})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	snapshot := []byte(`{"format-version": 1, "factory": {"name": "network", "version": "v1", "content-revision": "abc"},
		"stack": "prod", "generated-at": "2026-05-12T15:30:00Z", "entries": []}`)
	rev, err := store.Commit(context.Background(), snapshot, sealstate.CommitOptions{Operation: "apply"})
	if err != nil {
		fmt.Println(err)
		return
	}
	current, _ := store.CurrentRev()
	revs, _ := store.List()
	data, _ := store.Current()
	fmt.Println(current == rev, len(revs), strings.Contains(string(data), `"stack": "prod"`))
	// Output: true 1 true
}

// The CLI ($SEALSTATE_CLI, set by the go-binding test) lists and shows what Go committed.
func TestTheCLIListsAndShowsWhatGoWrote(t *testing.T) {
	cli := os.Getenv("SEALSTATE_CLI")
	if cli == "" {
		t.Skip("SEALSTATE_CLI (the sealstate command) is not set")
	}
	root := filepath.Join(t.TempDir(), "store")
	store := openStack(t, "local:"+root, keyVar)
	first, err := store.Commit(context.Background(), snapshotJSON("prod", "vpc-1"), sealstate.CommitOptions{})
	must(t, err)
	second, err := store.Write(snapshotJSON("prod", "vpc-2"), sealstate.WriteOptions{})
	must(t, err)
	run := func(args ...string) string {
		cmd := exec.Command(cli, append([]string{"--root", root, "--factory", "network", "--stack", "prod",
			"--key-env", keyVar}, args...)...)
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("sealstate %v: %v", args, err)
		}
		return string(out)
	}
	if listed := run("list"); listed != fmt.Sprintf("* %s\n  %s\n", first, second) {
		t.Fatalf("sealstate list printed %q", listed)
	}
	data, err := store.Current()
	must(t, err)
	if shown := run("show"); shown != string(data) {
		t.Fatalf("sealstate show printed %q, Go read %q", shown, data)
	}
}
