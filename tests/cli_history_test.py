#!/usr/bin/env python3
"""End-to-end tests of `sealstate history` (issue 14): every revision newest first, joined with the
journal (actor, lock operation, size, entries), current and never-current marked, --json, --limit;
read from the listing and the journal only, never opening a revision (no key needed).

Usage: cli_history_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, json_doc  # noqa: E402


def test_history_newest_first_with_the_journal(s):
    first = s.commit()
    second = s.commit()
    written = s.run("write", stdin=json.dumps(SNAPSHOT)).stdout.strip()
    r = s.run("history")
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and [line.split()[0 if not line.startswith("*") else 1] for line in lines]
          == [written, second, first], "history lists the revisions newest first", r)
    check(lines[1].startswith("* " + second), "the current revision is marked *", lines)
    check(lines[0].endswith("never current") and not lines[1].endswith("never current")
          and not lines[2].endswith("never current"), "a revision never current says so", lines)
    fields = lines[1].split()
    size = os.path.getsize(s.snapshot_path(second))
    check(fields[2] == "commit" and "@" in fields[3] and f"{len(SNAPSHOT['entries'])} entries" in lines[1]
          and (f"{size} B" in lines[1] or "KiB" in lines[1]), "operation, actor, size and entries", lines[1])


def test_history_json(s):
    first = s.commit()
    second = s.commit()
    s.run("set-current", first)
    doc = json_doc(s.run("history", "--json"))
    revs = doc["revisions"]
    check(doc["count"] == 2 and [x["rev"] for x in revs] == [second, first], "history --json newest first", doc)
    check(list(revs[0]) == ["rev", "current", "ever-current", "written", "actor", "operation", "size", "entries"],
          "history --json entry shape", revs[0])
    check(revs[1]["current"] and not revs[0]["current"] and revs[0]["ever-current"],
          "after a rollback: the old one is current, the newer one was current once", revs)
    check(revs[0]["size"] == os.path.getsize(s.snapshot_path(second)) and revs[0]["entries"] == len(SNAPSHOT["entries"])
          and revs[0]["operation"] == "commit" and revs[0]["written"].endswith("Z"),
          "history --json: size (the file's), entries, operation, written time", revs[0])
    doc = json_doc(s.run("history", "--json", "--limit", "1"))
    check([x["rev"] for x in doc["revisions"]] == [second] and doc["count"] == 2, "--limit 1: the newest only", doc)


def test_history_needs_no_key_and_opens_nothing(s):
    rev = s.commit()
    with open(s.snapshot_path(rev), "r+b") as f:  # a damaged revision: history does not open it
        f.seek(-5, os.SEEK_END)
        f.write(b"XXXXX")
    r = s.run("history", "--json", env={"SEALSTATE_KEY": None})
    check(r.returncode == 0 and json.loads(r.stdout)["revisions"][0]["rev"] == rev,
          "history without a key, with a damaged revision: exit 0", r)


def test_history_without_journal_records(s):
    rev = s.commit()
    os.remove(os.path.join(s.stack_dir(), "journal"))
    doc = json_doc(s.run("history", "--json"))
    entry = doc["revisions"][0]
    check(entry["rev"] == rev and entry["current"] and entry["actor"] is None and entry["size"] is None
          and entry["entries"] is None and entry["written"] is None,
          "a revision the journal does not know: its fields are null", entry)
    r = s.run("history")
    check(r.stdout.split()[1:] == [rev, "-", "-", "-", "-"], "and '-' in text", r.stdout)


def test_history_missing_stack(s):
    r = s.run("--json", "history")
    check(r.returncode == 3 and json.loads(r.stdout)["error"]["code"] == "not-found", "no stack: exit 3", r)


TESTS = [
    test_history_newest_first_with_the_journal,
    test_history_json,
    test_history_needs_no_key_and_opens_nothing,
    test_history_without_journal_records,
    test_history_missing_stack,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
