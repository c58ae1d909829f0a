#!/usr/bin/env python3
"""End-to-end tests of a unobin (v1) stack directory that was copied or renamed: unobin never checks
a snapshot's factory and stack against the stack it reads, and v1 binds them only inside the snapshot,
so sealstate reads such a stack too, shows each snapshot as written (naming the stack it was written
for), and warns on standard error. A v2 stack binds them in its authenticated header: a copy is refused.

Usage: cli_v1copy_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import FACTORY, SNAPSHOT, STACK, check, check_error_doc, run_raw  # noqa: E402


def run_in(s, factory, stack, *args, stdin=None):
    """Runs the CLI on another stack of the same store root, with the same key."""
    return run_raw(["--root", s.root, "--factory", factory, "--stack", stack] + list(args), s.env, stdin=stdin)


def commit_v1(s, snapshot):
    r = s.run("--unobin", "commit", stdin=json.dumps(snapshot))
    check(r.returncode == 0, "--unobin commit", r)
    return r.stdout.strip()


def unobin_stack(s):
    """Two v1 revisions in F/S, the second current; returns them."""
    first = commit_v1(s, dict(SNAPSHOT, **{"generated-at": "2020-01-01T00:00:00Z"}))
    return first, commit_v1(s, SNAPSHOT)


def warning_for(rev, factory=FACTORY, stack=STACK):
    """The start of the warning line show prints for `rev`, written for factory/stack."""
    return f'sealstate: revision {rev} was written for factory "{factory}", stack "{stack}"'


def test_show_reads_a_copied_unobin_stack_and_warns(s):
    first, second = unobin_stack(s)
    shutil.copytree(s.stack_dir(), os.path.join(s.root, FACTORY, "S-copy"))

    r = run_in(s, FACTORY, "S-copy", "--unobin", "show")
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT,
          "show in the copy: exit 0, the snapshot as written (it names F/S) on stdout", r)
    check(r.stderr.startswith(warning_for(second)) and r.stderr.count("\n") == 1 and r.stderr.endswith("\n"),
          "show in the copy: one warning line on stderr naming the revision and the stack it was written for", r)
    check("copied or renamed" in r.stderr and '"S-copy"' in r.stderr,
          "the warning says why (copied or renamed) and names this stack", r.stderr)
    r_original = s.run("--unobin", "show")
    check(r_original.returncode == 0 and r_original.stdout == r.stdout and r_original.stderr == "",
          "show in the original stack: the same bytes, no warning", r_original)

    r = run_in(s, FACTORY, "S-copy", "--unobin", "show", "--json")
    doc = json.loads(r.stdout) if r.returncode == 0 else None
    check(doc is not None and doc == {"rev": second, "snapshot": SNAPSHOT} and r.stdout.count("\n") == 1,
          "show --json in the copy: exactly the usual document on stdout", r)
    check(r.stderr.startswith(warning_for(second)), "show --json: the warning on stderr, not in the document", r)

    r = run_in(s, FACTORY, "S-copy", "--accept-v1", "show", first)
    check(r.returncode == 0 and json.loads(r.stdout)["generated-at"] == "2020-01-01T00:00:00Z"
          and r.stderr.startswith(warning_for(first)), "--accept-v1 show REV reads and warns too", r)
    r = run_in(s, FACTORY, "S-copy", "show", first)
    check(r.returncode == 5 and "--accept-v1" in r.stderr and "S-copy" not in r.stdout,
          "without --unobin or --accept-v1 a v1 file is still refused (exit 5)", r)

    r = run_in(s, FACTORY, "S-copy", "--unobin", "verify")
    check(r.returncode == 0 and "verified 2 revisions, 0 problems" in r.stdout,
          "verify of the copy: the revisions are genuine, not problems", r)
    r = run_in(s, FACTORY, "S-copy", "--unobin", "set-current", first)
    check(r.returncode == 0, "set-current (a rollback) works in the copy", r)


def test_renamed_factory_directory(s):
    _, second = unobin_stack(s)
    os.makedirs(os.path.join(s.root, "G"), mode=0o700)
    os.rename(s.stack_dir(), os.path.join(s.root, "G", "T"))
    r = run_in(s, "G", "T", "--unobin", "show")
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT and r.stderr.startswith(warning_for(second))
          and '"G"' in r.stderr and '"T"' in r.stderr, "a stack moved to another factory and name reads and warns", r)


def test_writing_it_back_needs_its_names_changed(s):
    unobin_stack(s)
    shutil.copytree(s.stack_dir(), os.path.join(s.root, FACTORY, "S-copy"))
    shown = run_in(s, FACTORY, "S-copy", "--unobin", "show").stdout
    r = run_in(s, FACTORY, "S-copy", "--unobin", "commit", stdin=shown)
    check(r.returncode == 2 and '"S"' in r.stderr and '"S-copy"' in r.stderr,
          "committing the shown snapshot unchanged is refused (exit 2): it names another stack", r)
    renamed = dict(json.loads(shown), stack="S-copy")
    r = run_in(s, FACTORY, "S-copy", "--unobin", "commit", stdin=json.dumps(renamed))
    check(r.returncode == 0, "with its stack changed it commits", r)
    r = run_in(s, FACTORY, "S-copy", "--unobin", "show")
    check(r.returncode == 0 and json.loads(r.stdout) == renamed and r.stderr == "",
          "and the new current shows without a warning", r)


def test_a_copied_v2_stack_is_refused(s):
    rev = s.commit()
    shutil.copytree(s.stack_dir(), os.path.join(s.root, FACTORY, "S-copy"))
    r = run_in(s, FACTORY, "S-copy", "--unobin", "show")
    check(r.returncode == 5 and r.stdout == "" and "copied or renamed" in r.stderr,
          "show in a copy of a v2 stack is refused (exit 5) even with --unobin", r)
    check_error_doc(run_in(s, FACTORY, "S-copy", "--unobin", "show", rev, "--json"), "integrity", 5,
                    "show --json in a copy of a v2 stack")


TESTS = [
    test_show_reads_a_copied_unobin_stack_and_warns,
    test_renamed_factory_directory,
    test_writing_it_back_needs_its_names_changed,
    test_a_copied_v2_stack_is_refused,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
