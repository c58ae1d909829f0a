#!/usr/bin/env python3
"""End-to-end tests of the journal's MACs with keys given as --key (issues 13 and 14): a key ring
authenticates journal lines with its first key, the same key gives the same MACs whether it comes
from SEALSTATE_KEY or --key, and verify checks each line with the given key whose id it names.

Usage: cli_keyjournal_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, json_doc, keygen  # noqa: E402


def journal_events(s):
    with open(os.path.join(s.stack_dir(), "journal")) as f:
        return [json.loads(line) for line in f]


def key_id_of(s, *key_args):
    """The key id the first key of `key_args` seals with (keys --json of the newest revision)."""
    r = s.run(*key_args, "keys", "--json")
    doc = json_doc(r)
    assert r.returncode == 0 and doc is not None, r
    return doc["revisions"][-1]["key-ids"][0]


def commit_with(s, *key_args, env=None):
    r = s.run(*key_args, "commit", stdin=json.dumps(SNAPSHOT), env=env)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def verify_doc(s, *key_args, env=None):
    r = s.run(*key_args, "verify", "--json", env=env)
    return r, json_doc(r)


def test_lines_written_with_a_key_option_carry_a_mac(s):
    s.env["KEY_A"] = keygen(s.env)
    commit_with(s, "--key", "env:KEY_A", env={"SEALSTATE_KEY": None})
    events = journal_events(s)
    key_id = key_id_of(s, "--key", "env:KEY_A")
    check(events and all(e.get("mac-key") == key_id and len(e.get("mac", "")) == 64 for e in events),
          "--key env:KEY_A: every journal line carries a MAC made with that key's id", events)
    r, doc = verify_doc(s, "--key", "env:KEY_A", env={"SEALSTATE_KEY": None})
    check(r.returncode == 0 and doc is not None and not doc.get("notes"),
          "verify --key env:KEY_A: exit 0, no line left unchecked", r)


def test_same_key_from_the_environment_or_a_key_option_verifies_either_way(s):
    s.env["KEY_A"] = s.env["SEALSTATE_KEY"]
    commit_with(s)  # SEALSTATE_KEY
    commit_with(s, "--key", "env:KEY_A")
    events = journal_events(s)
    check(len({e.get("mac-key") for e in events}) == 1 and all(len(e.get("mac", "")) == 64 for e in events),
          "SEALSTATE_KEY and --key env:KEY_A (the same key) make lines with the same key id", events)
    for name, key_args in (("SEALSTATE_KEY", []), ("--key env:KEY_A", ["--key", "env:KEY_A"])):
        r, doc = verify_doc(s, *key_args)
        check(r.returncode == 0 and doc is not None and not doc.get("problems") and not doc.get("notes"),
              f"verify with {name}: every line authenticates, none left unchecked", r)
    r = s.run("--key", "env:KEY_A", "--expect-at-least", events[-1]["rev"], "show")
    check(r.returncode == 0, "--expect-at-least with --key env:KEY_A finds the authenticated set-current", r)


def test_verify_after_rekey_checks_old_lines_with_the_old_key(s):
    s.env["KEY_A"] = keygen(s.env)
    s.env["KEY_B"] = keygen(s.env)
    a, b = ["--key", "env:KEY_A"], ["--key", "env:KEY_B"]
    first = commit_with(s, *a)
    commit_with(s, *a)
    id_a = key_id_of(s, *a)
    r = s.run(*b, *a, "rekey")
    check(r.returncode == 0, "rekey --key B --key A", r)
    commit_with(s, *b)
    id_b = key_id_of(s, *b)
    events = journal_events(s)
    check({e.get("mac-key") for e in events} == {id_a, id_b},
          "the journal holds lines made with A (before the rekey) and with B (the rekey and after)", events)
    r, doc = verify_doc(s, *b, *a)
    check(r.returncode == 0 and doc is not None and not doc.get("problems") and not doc.get("notes"),
          "verify --key B --key A: every line authenticates, nothing noted", r)
    r = s.run(*b, *a, "verify")
    check(r.returncode == 0 and "note:" not in r.stdout, "verify --key B --key A (text): no note", r)
    r, doc = verify_doc(s, *b)
    notes = doc.get("notes", []) if doc else []
    check(r.returncode == 0 and any(f"not checked: key {id_a} not given" in n for n in notes)
          and not any(id_b in n for n in notes),
          "verify --key B: A's lines are noted as not checked, B's are checked", r)
    r = s.run(*b, *a, "--expect-at-least", first, "show")
    check(r.returncode == 0, "--expect-at-least an A-era revision with --key B --key A", r)


TESTS = [
    test_lines_written_with_a_key_option_carry_a_mac,
    test_same_key_from_the_environment_or_a_key_option_verifies_either_way,
    test_verify_after_rekey_checks_old_lines_with_the_old_key,
]

if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS, prefix="sealstate-cli-keyjournal-"))
