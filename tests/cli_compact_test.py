#!/usr/bin/env python3
"""End-to-end tests of journal compaction (issue 14): `compact-journal --keep-last N --keep-within DUR
[--dry-run] [--force]` drops the journal's oldest events, keeps the seqs of the others, appends an
authenticated "journal-compacted" event, and leaves `verify`, `verify --chain`, `log`, `history` and
`diff` working; a head cut by hand is still reported; events a consumer has not read are kept unless
--force.

Usage: cli_compact_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, check_error_doc, json_doc  # noqa: E402


def seqs(s):
    return [e["seq"] for e in json_doc(s.run("log", "--json"))["events"]]


def events(s):
    return json_doc(s.run("log", "--json"))["events"]


def journal_bytes(s):
    with open(os.path.join(s.stack_dir(), "journal"), "rb") as f:
        return f.read()


def commits(s, n):
    revs = []
    for i in range(n):
        snapshot = json.loads(json.dumps(SNAPSHOT))
        snapshot["entries"][0]["outputs"]["id"] = f"vpc-{i}"
        revs.append(s.commit(snapshot))
    return revs


def test_dry_run_changes_nothing(s):
    commits(s, 4)
    before = journal_bytes(s)
    r = s.run("compact-journal", "--keep-last", "3", "--dry-run")
    check(r.returncode == 0 and r.stdout == "Would drop 5 event(s) (seq 1 to 5), keep seq 6 to 8.\n",
          "--dry-run says what would go", r)
    check(journal_bytes(s) == before, "--dry-run leaves the journal as it was")
    doc = json_doc(s.run("compact-journal", "--keep-last", "3", "--dry-run", "--json"))
    check(doc == {"dry-run": True, "forced": False, "first-seq": 1, "last-seq": 8, "first-kept-seq": 6,
                  "dropped": 5, "compacted-seq": 0, "consumers-behind": []}, "--dry-run --json", doc)
    r = s.run("compact-journal", "--keep-within", "1h")
    check(r.returncode == 0 and r.stdout == "Nothing to drop: every event (seq 1 to 8) is kept.\n",
          "--keep-within 1h keeps a journal written just now", r)
    check(journal_bytes(s) == before, "nothing to drop: nothing written")


def test_compaction_keeps_seqs_and_verifies(s):
    revs = commits(s, 4)
    kept_before = events(s)[5:]
    r = s.run("compact-journal", "--keep-last", "3")
    check(r.returncode == 0 and r.stdout == "Dropped 5 event(s) (seq 1 to 5), kept seq 6 to 8; the "
          "journal-compacted event is seq 9.\n", "compact-journal --keep-last 3", r)
    after = events(s)
    check([e["seq"] for e in after] == [6, 7, 8, 9] and after[:3] == kept_before,
          "the kept events keep their seqs and contents", after)
    check(after[3]["event"] == "journal-compacted" and after[3]["detail"].startswith(
        "kept seq 6 and later, dropped 5 line(s); chain-from "), "the compaction event names the first kept seq",
        after[3])
    check(os.stat(os.path.join(s.stack_dir(), "journal")).st_mode & 0o777 == 0o600, "the new journal is 0600")
    r = s.run("verify")
    check(r.returncode == 0 and "removed" not in r.stdout, "verify accepts the compacted head", r)
    r = s.run("verify", "--chain")
    check(r.returncode == 0, "verify --chain after compaction", r)
    new = s.commit()
    check(seqs(s)[-2:] == [10, 11], "new events continue after the compaction event")
    r = s.run("history")
    check(r.returncode == 0 and new in r.stdout and revs[3] in r.stdout, "history after compaction", r)
    r = s.run("diff")
    check(r.returncode == 0, "diff's default sides still come from the journal", r)
    check(s.run("verify").returncode == 0, "verify after more commits")
    r = s.run("compact-journal", "--keep-last", "2")
    check(r.returncode == 0 and seqs(s) == [10, 11, 12] and s.run("verify").returncode == 0,
          "a second compaction chains on from the first", (r, seqs(s)))


def test_head_cut_by_hand_is_reported(s):
    commits(s, 3)
    path = os.path.join(s.stack_dir(), "journal")
    lines = journal_bytes(s).splitlines(keepends=True)
    with open(path, "wb") as f:
        f.write(b"".join(lines[2:]))
    r = s.run("verify")
    check(r.returncode == 5 and "lines seq 1 to seq 2 removed" in r.stdout, "a head cut by hand: exit 5", r)
    with open(path, "wb") as f:
        f.write(b"".join(lines))
    check(s.run("compact-journal", "--keep-last", "4").returncode == 0, "compact")
    lines = journal_bytes(s).splitlines(keepends=True)
    with open(path, "wb") as f:
        f.write(b"".join(lines[1:]))
    r = s.run("verify")
    check(r.returncode == 5 and "removed" in r.stdout, "a line cut by hand after a compaction: exit 5", r)


def test_consumers_behind_are_kept_unless_forced(s):
    commits(s, 1)
    check(s.run("log", "--consumer", "ship").returncode == 0, "ship reads seq 1 to 2")
    commits(s, 2)
    before = journal_bytes(s)
    r = s.run("compact-journal", "--keep-last", "1")
    check(r.returncode == 1 and "consumer ship (read up to seq 2)" in r.stderr and "--force" in r.stderr
          and "sealstate log --consumer" in r.stderr, "a consumer behind: refused, exit 1, naming it", r)
    check(journal_bytes(s) == before, "refused: the journal is as it was")
    check_error_doc(s.run("compact-journal", "--keep-last", "1", "--json"), "conflict", 1, "refused --json")
    r = s.run("compact-journal", "--keep-last", "1", "--dry-run")
    check(r.returncode == 0 and "consumer ship has read up to seq 2" in r.stdout and "refused without --force"
          in r.stdout, "--dry-run names the consumer behind", r)
    r = s.run("compact-journal", "--keep-last", "4")
    check(r.returncode == 0 and seqs(s)[0] == 3, "dropping only what ship has read is allowed", r)
    r = s.run("compact-journal", "--keep-last", "1", "--force", "--json")
    doc = json_doc(r)
    check(r.returncode == 0 and doc["forced"] and doc["consumers-behind"] == [{"name": "ship", "checkpoint": 2}],
          "--force drops them", r)
    r = s.run("log", "--consumer", "ship")
    check(r.returncode == 0 and [int(x.split()[0]) for x in r.stdout.splitlines()] == seqs(s),
          "the consumer reads on from what is kept", r)


def test_verify_chain_after_removes_were_compacted(s):
    commits(s, 3)
    check(s.run("prune", "--keep", "0").returncode == 0, "prune journals removes")
    commits(s, 1)
    r = s.run("compact-journal", "--keep-last", "2")
    check(r.returncode == 0 and not any(e["event"] == "remove" for e in events(s)), "the removes are dropped", r)
    r = s.run("verify", "--chain")
    check(r.returncode == 0, "verify --chain stays quiet about the pruned parent", r)


def test_usage_errors(s):
    commits(s, 1)
    for args in (["compact-journal"], ["compact-journal", "--keep-last", "0"],
                 ["compact-journal", "--keep-within", "5x"], ["compact-journal", "--keep-last", "-1"]):
        r = s.run(*args)
        check(r.returncode == 2, f"{args}: usage error, exit 2", r)
    check_error_doc(s.run("compact-journal", "--json"), "usage", 2, "no rule --json")


def test_plaintext_journal(s):
    for _ in range(3):
        check(s.run("--encrypter", "noop", "commit", stdin=json.dumps(SNAPSHOT)).returncode == 0, "noop commit")
    r = s.run("--encrypter", "noop", "compact-journal", "--keep-last", "2")
    check(r.returncode == 0 and events(s)[-1]["detail"].endswith("chain-from none"), "noop: compacts", r)
    r = s.run("--encrypter", "noop", "verify", "--allow-plaintext")
    check(r.returncode == 0, "noop: the unauthenticated journal verifies after compaction", r)


TESTS = [
    test_dry_run_changes_nothing,
    test_compaction_keeps_seqs_and_verifies,
    test_head_cut_by_hand_is_reported,
    test_consumers_behind_are_kept_unless_forced,
    test_verify_chain_after_removes_were_compacted,
    test_usage_errors,
    test_plaintext_journal,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
