#!/usr/bin/env python3
"""End-to-end tests of `sealstate verify --chain` (issue 14, tamper-evident history): every
revision's header names its parent, and the walk from current names a revision deleted by hand,
replaced by another genuine revision's file, or out of order (exit 5); prune, delete and
set-current rollbacks are not tampering, and revisions never current are listed.

Usage: cli_chain_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, json_doc  # noqa: E402


def header_of(s, rev):
    with open(s.snapshot_path(rev), "rb") as f:
        return json.loads(f.readline())


def test_headers_name_their_parent(s):
    first = s.commit()
    second = s.commit()
    check("parent" not in header_of(s, first), "the first revision's header has no parent key", header_of(s, first))
    parent = header_of(s, second)["parent"]
    check(parent["rev"] == first and len(parent["blake2b"]) == 64, "the second names the first, with a digest", parent)


def test_chain_clean(s):
    first = s.commit()
    second = s.commit()
    written = s.run("write", stdin=json.dumps(SNAPSHOT)).stdout.strip()
    third = s.commit()
    r = s.run("verify", "--chain")
    check(r.returncode == 0, "verify --chain on a clean stack: exit 0", r)
    check(f"chain: 3 revisions from current {third} back to {first} (first revision)" in r.stdout
          and f"chain: never current (written, not committed): {written}" in r.stdout
          and r.stdout.endswith("verified 4 revisions, 0 problems\n"), "verify --chain text", r.stdout)
    doc = json_doc(s.run("verify", "--chain", "--json"))
    check(doc == {"revisions": 4, "problems": [],
                  "chain": {"revisions": [third, second, first], "end": "first revision",
                            "never-current": [written], "off-chain": []}}, "verify --chain --json", doc)
    check("chain" not in json_doc(s.run("verify", "--json")), "plain verify --json has no chain")


def test_chain_names_a_revision_deleted_by_hand(s):
    s.commit()
    middle = s.commit()
    last = s.commit()
    os.remove(s.snapshot_path(middle))
    check(s.run("verify").returncode == 0, "plain verify cannot see a deleted middle revision")
    r = s.run("verify", "--chain")
    check(r.returncode == 5 and r.stdout.startswith(
        f"{middle}: revision {middle}, the parent of {last}, is missing and the journal records no removal of it")
          and "verified 2 revisions, 1 problems" in r.stdout, "verify --chain names the deleted revision, exit 5", r)
    doc = json_doc(s.run("verify", "--chain", "--json"))
    check([(p["rev"], p["code"]) for p in doc["problems"]] == [(middle, "integrity")]
          and doc["chain"]["end"] == "broken" and doc["chain"]["revisions"] == [last], "--json names it too", doc)


def test_chain_names_a_revision_replaced_by_another_genuine_one(s):
    first = s.commit()
    middle = s.commit()
    last = s.commit()
    shutil.copyfile(s.snapshot_path(first), s.snapshot_path(middle))
    doc = json_doc(s.run("verify", "--chain", "--json"))
    chain_problems = [p for p in doc["problems"] if "does not match the digest" in p["message"]]
    check(len(chain_problems) == 1 and chain_problems[0]["rev"] == middle
          and f"its child {last} recorded" in chain_problems[0]["message"], "the replaced revision is named", doc)
    check(s.run("verify", "--chain").returncode == 5, "exit 5")


def test_chain_quiet_after_prune_delete_and_rollback(s):
    revs = [s.commit() for _ in range(4)]
    r = s.run("prune", "--keep", "2")
    check(r.returncode == 0, "prune", r)
    r = s.run("verify", "--chain")
    check(r.returncode == 0 and f"(pruned parent {revs[1]}, removed through sealstate)" in r.stdout,
          "after prune: clean, the walk ends at the pruned parent", r)
    extra = s.commit()
    s.commit()
    check(s.run("delete", extra).returncode == 0, "delete")
    r = s.run("verify", "--chain")
    check(r.returncode == 0, "after delete: clean", r)
    check(s.run("set-current", revs[2]).returncode == 0, "set-current rollback")
    doc = json_doc(s.run("verify", "--chain", "--json"))
    check(doc["problems"] == [] and doc["chain"]["revisions"][0] == revs[2] and len(doc["chain"]["off-chain"]) == 2,
          "after a set-current rollback: clean, the newer ones are off the chain", doc)
    newest = s.commit()
    check(header_of(s, newest)["parent"]["rev"] == revs[2], "a commit after a rollback links to the rolled-back-to")
    check(s.run("verify", "--chain").returncode == 0, "and the chain is still clean")


def test_chain_without_current(s):
    s.run("write", stdin=json.dumps(SNAPSHOT))
    doc = json_doc(s.run("verify", "--chain", "--json"))
    check(doc["chain"]["end"] == "no current" and doc["chain"]["revisions"] == []
          and len(doc["chain"]["never-current"]) == 1, "no current: nothing to walk, the write is never current", doc)


TESTS = [
    test_headers_name_their_parent,
    test_chain_clean,
    test_chain_names_a_revision_deleted_by_hand,
    test_chain_names_a_revision_replaced_by_another_genuine_one,
    test_chain_quiet_after_prune_delete_and_rollback,
    test_chain_without_current,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
