// Command crosslang is the Go side of the cross-language test (tests/bindings): it commits one
// snapshot and writes another to network/prod of the local store at ROOT with the key in
// $SEALSTATE_CROSS_KEY, then prints what Go reads back as one JSON document: {"current-rev",
// "revisions" (oldest first), "snapshots": {REV: the snapshot's JSON encoding as a string}}.
//
// Usage: crosslang ROOT
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"sealstate.dev/sealstate"
)

// snapshot is network/prod's snapshot with vpc id `id`: unicode, an escaped control character,
// a float, and integers a float64 would round, so the comparison covers the encoder's cases.
func snapshot(id string) []byte {
	return []byte(fmt.Sprintf(`{"format-version": 1, "factory": {"name": "network", "version": "v1.4.0",
"content-revision": "9f2c1e"}, "stack": "prod", "generated-at": "2026-05-12T15:30:00.5Z", "entries": [{"address":
"resource.vpc", "entry-kind": "leaf", "category": "resource", "binding": {"alias": "aws", "kind": "vpc"},
"inputs": {"name": "Zürich \u0001 <&>", "ratio": 0.1}, "outputs": {"id": %q, "max-u64": 18446744073709551615,
"min-i64": -9223372036854775808}}]}`, id))
}

func main() {
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "crosslang:", err)
		os.Exit(1)
	}
}

func run(root string) error {
	store, err := sealstate.Open("local:"+root, "network", "prod", sealstate.Options{
		KeySource: "env-key", KeyConfig: map[string]any{"env-var": "SEALSTATE_CROSS_KEY"}, Create: true})
	if err != nil {
		return err
	}
	defer store.Close()
	if _, err := store.Commit(context.Background(), snapshot("vpc-1"), sealstate.CommitOptions{Operation: "apply"}); err != nil {
		return err
	}
	if _, err := store.Write(snapshot("vpc-2"), sealstate.WriteOptions{}); err != nil {
		return err
	}
	out := struct {
		CurrentRev string            `json:"current-rev"`
		Revisions  []string          `json:"revisions"`
		Snapshots  map[string]string `json:"snapshots"`
	}{Snapshots: map[string]string{}}
	if out.CurrentRev, err = store.CurrentRev(); err != nil {
		return err
	}
	if out.Revisions, err = store.List(); err != nil {
		return err
	}
	for _, rev := range out.Revisions {
		data, err := store.Get(rev)
		if err != nil {
			return err
		}
		out.Snapshots[rev] = string(data)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}
