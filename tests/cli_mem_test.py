#!/usr/bin/env python3
"""End-to-end tests of what a damaged or hostile input may cost the CLI (issue 17, items 10-11):
a long journal tail, and a snapshot input past the limits of one JSON document.

Usage: cli_mem_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import EXE, SNAPSHOT, Stack, check, json_doc  # noqa: E402

MIB = 1 << 20


def test_long_journal_tail_is_refused_not_truncated(s):
    rev = s.commit()
    journal = os.path.join(s.stack_dir(), "journal")
    with open(journal, "ab") as f:
        f.write(b"x" * (2 * MIB))  # no newline: longer than any torn append
    before = open(journal, "rb").read()
    r = s.run("commit", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 5 and journal in r.stderr and "more than 1 MiB of unterminated or malformed lines" in r.stderr
          and "truncate it after its last intact line or move it aside" in r.stderr,
          "a commit over a 2 MiB unterminated journal tail exits 5 naming the journal and what to do", r)
    check(open(journal, "rb").read() == before, "the journal is left as it was", len(open(journal, "rb").read()))
    # Read the pointer itself: with a key, `current` checks it against the journal's tail (rollback
    # detection), which this journal no longer has intact.
    with open(os.path.join(s.stack_dir(), "current")) as f:
        check(f.read().strip() == rev, "current did not move")


def test_torn_journal_tail_is_still_repaired(s):
    s.commit()
    journal = os.path.join(s.stack_dir(), "journal")
    intact = open(journal, "rb").read()
    with open(journal, "ab") as f:
        f.write(b'{"seq":2,"time":"2026-' + b"y" * (MIB // 2))  # a torn append, within the limit
    r = s.run("commit", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 0, "a commit over a torn tail of 512 KiB succeeds", r)
    repaired = open(journal, "rb").read()
    # write, set-current, and the line that settles the move (sealstate-format(5), Rollback detection)
    check(repaired.startswith(intact) and repaired.count(b"\n") == intact.count(b"\n") + 3,
          "the torn tail was cut off and the commit's three lines appended", repaired[len(intact):][:200])


def commit_streamed(s, chunks, *args):
    """Runs commit with stdin fed from the `chunks` generator (never held whole)."""
    process = subprocess.Popen([EXE] + s.globals + ["commit"] + list(args), env=s.env, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        for chunk in chunks:
            process.stdin.write(chunk)
    except BrokenPipeError:
        pass  # refused before the end: what is tested
    try:
        process.stdin.close()
    except BrokenPipeError:
        pass
    stdout, stderr = process.stdout.read(), process.stderr.read()  # a few lines, written at the end
    process.wait(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, stdout.decode(), stderr.decode())


def spaces_document(total):
    """A JSON object padded with whitespace to `total` bytes, in 1 MiB chunks."""
    yield b"{"
    left = total - 2
    block = b" " * MIB
    while left > 0:
        n = min(left, MIB)
        yield block[:n]
        left -= n
    yield b"}"


def test_input_over_one_gib_is_refused(s):
    r = commit_streamed(s, spaces_document((1 << 30) + 1), "--json")
    doc = json_doc(r)
    check(r.returncode == 5 and doc is not None and doc["error"]["code"] == "integrity"
          and doc["error"]["message"] == "invalid snapshot input: snapshot: document larger than 1 GiB "
                                         "(the most sealstate reads in one JSON document)",
          "commit of a 1 GiB + 1 byte input exits 5 naming the limit", (r.returncode, r.stdout, r.stderr[-300:]))
    check(s.run("list", "--json").returncode == 3 or s.revisions() == [], "nothing was written", s.run("list").stdout)


TESTS = [
    test_long_journal_tail_is_refused_not_truncated,
    test_torn_journal_tail_is_still_repaired,
    test_input_over_one_gib_is_refused,
]


def main():
    return cli_test.run_tests(TESTS, prefix="sealstate-cli-mem-")


if __name__ == "__main__":
    sys.exit(main())
