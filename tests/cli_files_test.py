#!/usr/bin/env python3
"""End-to-end tests of how sealstate opens the files of a stack (issue 17, items 7 and 9).

Usage: cli_files_test.py PATH/TO/sealstate

A FIFO planted where a stack file belongs must make a command fail promptly (exit 5, naming the
file), never hang; a stack file with a second hard link (possibly outside the store) is refused,
never read or written through, and verify reports it. Output as in cli_test.py.
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402  (reads the exe from sys.argv[1])
from cli_test import SNAPSHOT, Stack, check, check_error_doc, json_doc  # noqa: E402

# Only to catch a hang: a refused file fails in milliseconds.
HANG_TIMEOUT = 20


def run_prompt(stack, *args, stdin=None):
    """Runs a command; None if it was still running after HANG_TIMEOUT (it is killed)."""
    try:
        return stack.run(*args, stdin=stdin, timeout=HANG_TIMEOUT)
    except subprocess.TimeoutExpired:
        return None


def check_refused(result, path, words, name):
    """A prompt exit 5 whose message names `path` and contains `words`."""
    if not check(result is not None, f"{name}: fails promptly (no hang)"):
        return
    check(result.returncode == 5 and path in result.stderr and words in result.stderr,
          f"{name}: exit 5 naming {os.path.basename(path)} ({words})", (result.returncode, result.stderr))


def replace_with_fifo(path):
    os.unlink(path)
    os.mkfifo(path, 0o600)


# ---------------------------------------------------------------------------------------------
# FIFOs (item 9)

def test_fifo_at_current(s):
    rev = s.commit()
    current = os.path.join(s.stack_dir(), "current")
    replace_with_fifo(current)
    for args in (["current"], ["list"], ["show"], ["verify"]):
        r = run_prompt(s, *args)
        if args == ["verify"]:  # verify reports the pointer as a problem
            check(r is not None and r.returncode == 5 and "current: " in r.stdout and "FIFO" in r.stdout,
                  "FIFO at current: verify reports it (exit 5)", r)
        elif args == ["list"]:  # a recovery command: lists, and says the pointer is damaged
            check(r is not None and r.returncode == 0 and rev in r.stdout and "current is damaged" in r.stderr
                  and "not a regular file (a FIFO)" in r.stderr, "FIFO at current: list lists and warns", r)
        else:
            check_refused(r, current, "not a regular file (a FIFO)", f"FIFO at current: {args[0]}")
    r = run_prompt(s, "current", "--json")
    if check(r is not None, "FIFO at current: current --json fails promptly"):
        check_error_doc(r, "integrity", 5, "FIFO at current: current --json")
    r = run_prompt(s, "delete", rev)
    check_refused(r, current, "not a regular file", "FIFO at current: delete")
    check(s.lock_state().get("state") == "free", "FIFO at current: delete released the lock")


def test_fifo_as_snapshot(s):
    first = s.commit()
    s.commit()
    path = s.snapshot_path(first)
    replace_with_fifo(path)
    check_refused(run_prompt(s, "show", first), path, "not a regular file (a FIFO)", "FIFO as a snapshot: show")
    r = run_prompt(s, "verify")
    check(r is not None and r.returncode == 5 and first + ": " in r.stdout and "FIFO" in r.stdout,
          "FIFO as a snapshot: verify reports it (exit 5)", r)


def test_fifo_as_journal(s):
    s.commit()
    journal = os.path.join(s.stack_dir(), "journal")
    replace_with_fifo(journal)
    check_refused(run_prompt(s, "log"), journal, "not a regular file (a FIFO)", "FIFO as journal: log")
    before = s.revisions()
    r = run_prompt(s, "commit", stdin=json.dumps(SNAPSHOT))
    check_refused(r, journal, "not a regular file", "FIFO as journal: commit")
    check(s.revisions() == before, "FIFO as journal: the refused commit left the revisions as they were")


# ---------------------------------------------------------------------------------------------
# Hard links (item 7)

def test_hard_linked_journal(s):
    s.commit()
    outside = os.path.join(os.path.dirname(s.root), "outside.txt")
    content = b"an operator's file\nits last line, unterminated"
    with open(outside, "wb") as f:
        f.write(content)
    journal = os.path.join(s.stack_dir(), "journal")
    os.unlink(journal)
    os.link(outside, journal)
    before = (s.revisions(), s.run("current").stdout)
    r = run_prompt(s, "commit", stdin=json.dumps(SNAPSHOT))
    check_refused(r, journal, "has 2 hard links", "hard-linked journal: commit")
    with open(outside, "rb") as f:
        check(f.read() == content, "hard-linked journal: the outside file is byte-identical")
    check((s.revisions(), s.run("current").stdout) == before, "hard-linked journal: the store is as it was")
    check_refused(run_prompt(s, "log"), journal, "has 2 hard links", "hard-linked journal: log")
    r = run_prompt(s, "verify")
    check(r is not None and r.returncode == 5 and "journal: " in r.stdout and "2 hard links" in r.stdout,
          "hard-linked journal: verify reports it (exit 5)", r)
    doc = json_doc(run_prompt(s, "verify", "--json"))
    check(doc is not None and any(p["rev"] == "journal" and p["code"] == "integrity" for p in doc["problems"]),
          "hard-linked journal: verify --json names it", doc)


def test_hard_linked_snapshot_and_current(s):
    rev = s.commit()
    outside = os.path.join(os.path.dirname(s.root), "copy.json.enc")
    os.link(s.snapshot_path(rev), outside)
    check_refused(run_prompt(s, "show", rev), s.snapshot_path(rev), "has 2 hard links",
                  "hard-linked snapshot: show")
    r = run_prompt(s, "verify")
    check(r is not None and r.returncode == 5 and rev + ": " in r.stdout and "hard links" in r.stdout,
          "hard-linked snapshot: verify reports it (exit 5)", r)
    os.unlink(outside)
    current = os.path.join(s.stack_dir(), "current")
    os.link(current, os.path.join(os.path.dirname(s.root), "current-copy"))
    check_refused(run_prompt(s, "current"), current, "has 2 hard links", "hard-linked current: current")


def test_hard_linked_lock_marker(s):
    s.commit()
    outside = os.path.join(os.path.dirname(s.root), "marker-copy")
    with open(outside, "w") as f:
        f.write("12345\n")
    os.link(outside, os.path.join(s.stack_dir(), "lock"))
    info = s.lock_state()
    check(info.get("state") == "unknown" and "hard links" in info.get("reason", ""),
          "hard-linked lock marker: lock-status says unknown, naming the links", info)
    r = run_prompt(s, "verify")
    check(r is not None and r.returncode == 5 and "lock: " in r.stdout and "hard links" in r.stdout,
          "hard-linked lock marker: verify reports it (exit 5)", r)
    r = run_prompt(s, "force-unlock", "--force")
    check(r is not None and r.returncode == 0 and s.lock_state().get("state") == "free",
          "hard-linked lock marker: force-unlock --force removes it", r)
    with open(outside) as f:
        check(f.read() == "12345\n", "hard-linked lock marker: the outside file is unchanged")


TESTS = [
    test_fifo_at_current, test_fifo_as_snapshot, test_fifo_as_journal,
    test_hard_linked_journal, test_hard_linked_snapshot_and_current, test_hard_linked_lock_marker,
]


def main():
    return cli_test.run_tests(TESTS, prefix="sealstate-cli-files-")


if __name__ == "__main__":
    sys.exit(main())
