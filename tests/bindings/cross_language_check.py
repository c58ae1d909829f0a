#!/usr/bin/env python3
"""The Python and CLI half of the cross-language test (cross_language_test.sh): a stack that Go
(go/sealstate/internal/crosslang) wrote to the local store ROOT reads the same from Python and
from the CLI: the same revisions and current, snapshot JSON byte-identical to what Go read, and
no reader changes a byte of the envelope files. Then a revision Python writes from Go's bytes
reads back, from the CLI, as those bytes.

Usage: cross_language_check.py GO_OUTPUT ROOT SEALSTATE_CLI (the key in $SEALSTATE_CROSS_KEY,
libsealstate as sealstate.Store finds it)."""
import hashlib
import json
import os
import pathlib
import subprocess
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "python"))

import sealstate  # noqa: E402

failures = 0


def check(condition, name):
    global failures
    print(("ok - " if condition else "not ok - ") + name)
    failures += 0 if condition else 1


def stack_files(root):
    """Every file of network/prod (envelopes, current, lock, journal) with its SHA-256."""
    stack = pathlib.Path(root) / "network" / "prod"
    return {str(p.relative_to(stack)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(stack.rglob("*")) if p.is_file()}


def main():
    go_output, root, cli = sys.argv[1:4]
    with open(go_output) as f:
        go = json.load(f)
    envelopes_before = stack_files(root)
    check(any(name.endswith(".json.enc") for name in envelopes_before), "Go wrote envelope files")

    def run_cli(*args):
        return subprocess.run([cli, "--root", root, "--factory", "network", "--stack", "prod", "--key-env",
                               "SEALSTATE_CROSS_KEY", *args], capture_output=True, check=True).stdout

    with sealstate.Store.open(f"local:{root}", "network", "prod", key_source="env-key",
                              key_config={"env-var": "SEALSTATE_CROSS_KEY"}) as store:
        check(store.list() == go["revisions"], "Python lists Go's revisions, oldest first")
        check(store.current_rev() == go["current-rev"], "Python reads Go's current revision")
        check(store.current_json() == go["snapshots"][go["current-rev"]].encode(),
              "Python's current snapshot JSON is byte-identical to Go's")
        for rev in go["revisions"]:
            go_bytes = go["snapshots"][rev].encode()
            check(store.get_json(rev) == go_bytes, f"Python's JSON of {rev} is byte-identical to Go's")
            check(store.get(rev) == json.loads(go_bytes), f"Python's dict of {rev} is Go's snapshot")
            check(run_cli("show", rev) == go_bytes, f"sealstate show {rev} prints Go's bytes")
        check(run_cli("show") == go["snapshots"][go["current-rev"]].encode(), "sealstate show prints Go's current")
        listed = json.loads(run_cli("list", "--json"))
        check([r["rev"] for r in listed["revisions"]] == go["revisions"] and listed["current"] == go["current-rev"],
              "sealstate list --json lists Go's revisions and current")
        check(stack_files(root) == envelopes_before, "reading from Python and the CLI changed no byte of the stack")

        go_bytes = go["snapshots"][go["current-rev"]].encode()
        rev = store.write(go_bytes)
        check(run_cli("show", rev) == go_bytes, "a revision Python wrote from Go's bytes shows as those bytes")
        check(store.get(rev) == json.loads(go_bytes), "and reads back as Go's snapshot")
        check(b"vpc-1" not in (pathlib.Path(root) / "network" / "prod" / "snapshots" / f"{rev}.json.enc").read_bytes(),
              "the envelopes are encrypted")
    print(f"{failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
