#!/usr/bin/env python3
"""End-to-end tests of the tamper-evident journal and rollback detection (issue 14): a `current`
moved behind sealstate's back is kIntegrity (exit 5) on the next read, naming what it saw, while
`set-current` through sealstate is not; verify names an edited, removed or inserted journal line by
its seq; lines written without a key say so.

Usage: cli_rollback_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import check, json_doc  # noqa: E402


def journal_path(s):
    return os.path.join(s.stack_dir(), "journal")


def current_path(s):
    return os.path.join(s.stack_dir(), "current")


def journal_lines(s):
    with open(journal_path(s)) as f:
        return f.read().splitlines(keepends=True)


def write_journal(s, lines):
    with open(journal_path(s), "w") as f:
        f.writelines(lines)


def test_pointer_copied_back_by_hand_is_a_rollback(s):
    first = s.commit()
    s.commit()
    with open(current_path(s), "w") as f:  # an old revision's pointer copied over current
        f.write(first)
    for command in (["show"], ["current"]):
        r = s.run(*command)
        check(r.returncode == 5 and "rollback detected" in r.stderr and f"current names {first}" in r.stderr,
              f"{command[0]} after a hand-made rollback: exit 5 naming it", r)
    doc = json_doc(s.run("show", "--json"))
    check(doc is not None and doc["error"]["code"] == "integrity", "show --json: an integrity error document", doc)
    r = s.run("verify", "--json")
    doc = json_doc(r)
    check(r.returncode == 5 and any(p["rev"] == "current" and "rollback" in p["message"] for p in doc["problems"]),
          "verify reports the rollback as a problem of current", r)


def test_set_current_through_sealstate_is_a_legitimate_rollback(s):
    first = s.commit()
    s.commit()
    r = s.run("set-current", first)
    check(r.returncode == 0, "set-current OLD", r)
    r = s.run("show")
    check(r.returncode == 0, "show after set-current OLD: no rollback reported", r)
    r = s.run("current")
    check(r.returncode == 0 and r.stdout.strip() == first, "current after set-current OLD", r)
    check(s.run("verify").returncode == 0, "verify after set-current OLD: exit 0")


def test_hand_made_rollback_repaired_by_set_current(s):
    first = s.commit()
    second = s.commit()
    with open(current_path(s), "w") as f:
        f.write(first)
    r = s.run("set-current", second)
    check(r.returncode == 0, "set-current repairs a hand-made rollback", r)
    check(s.run("show").returncode == 0, "show after the repair: exit 0")


def test_whole_stack_directory_restored_is_not_detected(s):
    s.commit()
    saved = os.path.join(os.path.dirname(s.root), "saved")
    shutil.copytree(s.stack_dir(), saved)
    s.commit()
    shutil.rmtree(s.stack_dir())
    shutil.copytree(saved, s.stack_dir())
    r = s.run("show")
    check(r.returncode == 0, "restoring the entire stack (mark included) cannot be detected from inside it", r)


def test_journal_lines_carry_a_chained_mac(s):
    s.commit()
    events = [json.loads(line) for line in journal_lines(s)]
    check(all(len(e["mac"]) == 64 and len(e["mac-key"]) == 16 for e in events),
          "every line written with the key carries a MAC and the key's id", events)
    check(events[-2]["event"] == "set-current" and events[-2]["current"] == events[-2]["rev"],
          "the set-current line records the new current", events[-2])
    check(events[-1]["event"] == "set-current-settled" and events[-1]["seq"] == events[-2]["seq"]
          and events[-1]["current"] == events[-2]["rev"], "a line settling the move follows it", events[-1])
    check(s.run("verify").returncode == 0, "verify of an untouched journal: exit 0")


def test_edited_journal_line_found_by_verify(s):
    s.commit()
    s.commit()
    lines = journal_lines(s)
    event = json.loads(lines[1])
    event["actor"] = "mallory@elsewhere"
    lines[1] = json.dumps(event, separators=(",", ":")) + "\n"
    write_journal(s, lines)
    r = s.run("verify")
    check(r.returncode == 5 and f"line seq {event['seq']} does not authenticate" in r.stdout,
          "verify names the edited line's seq", r)


def test_removed_journal_line_found_by_verify(s):
    s.commit()
    s.commit()
    lines = journal_lines(s)
    removed = json.loads(lines[1])["seq"]
    del lines[1]
    write_journal(s, lines)
    r = s.run("verify")
    check(r.returncode == 5 and f"line seq {removed} removed" in r.stdout, "verify names the removed line's seq", r)


def test_inserted_journal_line_found_by_verify(s):
    s.commit()
    s.commit()
    lines = journal_lines(s)
    forged = json.loads(lines[1])
    forged["detail"] = "forged"
    lines.insert(2, json.dumps(forged, separators=(",", ":")) + "\n")
    write_journal(s, lines)
    r = s.run("verify")
    check(r.returncode == 5 and f"line seq {forged['seq']} follows" in r.stdout,
          "verify names the inserted line's seq", r)


def test_lines_without_key_say_so(s):
    env = {"SEALSTATE_KEY": None}
    r = s.run("--encrypter", "noop", "--allow-plaintext", "commit", stdin=json.dumps(cli_test.SNAPSHOT), env=env)
    check(r.returncode == 0, "commit with the noop encrypter", r)
    events = [json.loads(line) for line in journal_lines(s)]
    check(all(e["mac"] == "none" and "mac-key" not in e for e in events), "noop lines say they are unauthenticated",
          events)
    r = s.run("--encrypter", "noop", "--allow-plaintext", "verify", env=env)
    check(r.returncode == 0 and "unauthenticated (written without a key)" in r.stdout,
          "verify notes the unauthenticated lines", r)


def test_old_journal_without_macs_stays_readable(s):
    s.commit()
    lines = [json.loads(line) for line in journal_lines(s)]
    for e in lines:
        for key in ("mac", "mac-key", "current"):
            e.pop(key, None)
    write_journal(s, [json.dumps(e, separators=(",", ":")) + "\n" for e in lines])
    check(s.run("show").returncode == 0, "show with an old journal (no MACs)")
    s.commit()
    r = s.run("verify")
    check(r.returncode == 0 and "unauthenticated (no MAC: written before sealstate authenticated its journal" in r.stdout,
          "verify: the old lines are unauthenticated, the new ones check", r)
    r = s.run("log", "--json")
    check(r.returncode == 0, "log reads the mixed journal", r)


def test_expect_at_least_catches_a_restored_copy(s):
    s.commit()
    saved = os.path.join(os.path.dirname(s.root), "saved")
    shutil.copytree(s.stack_dir(), saved)
    newest = s.commit()
    r = s.run("--expect-at-least", newest, "show")
    check(r.returncode == 0, "--expect-at-least the newest current: exit 0", r)
    shutil.rmtree(s.stack_dir())
    shutil.copytree(saved, s.stack_dir())
    r = s.run("--expect-at-least", newest, "show")
    check(r.returncode == 5 and f"expected at least {newest}" in r.stderr,
          "--expect-at-least catches the restored older copy: exit 5", r)


TESTS = [
    test_pointer_copied_back_by_hand_is_a_rollback,
    test_set_current_through_sealstate_is_a_legitimate_rollback,
    test_hand_made_rollback_repaired_by_set_current,
    test_whole_stack_directory_restored_is_not_detected,
    test_journal_lines_carry_a_chained_mac,
    test_edited_journal_line_found_by_verify,
    test_removed_journal_line_found_by_verify,
    test_inserted_journal_line_found_by_verify,
    test_lines_without_key_say_so,
    test_old_journal_without_macs_stays_readable,
    test_expect_at_least_catches_a_restored_copy,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
