#!/usr/bin/env python3
"""End-to-end tests of retention (issue 14): prune --keep-last/--keep-within/--keep-hourly/daily/
weekly/monthly, combined as restic's forget combines them, --dry-run explaining every decision, and
list --newest-first --limit --offset with the count in --json.

Old revisions are planted: a --unobin (v1) commit binds no revision name, so a copy of its file under
an older revision name is a genuine revision of that name (show reads it). Prune and list only read
names, never snapshots.

Usage: cli_retention_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import datetime
import json
import os
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, check_error_doc, json_doc  # noqa: E402


def commit_v1(s):
    """A --unobin commit (current now names it); returns its revision."""
    r = s.run("--unobin", "commit", stdin=json.dumps(SNAPSHOT))
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def plant(s, source_rev, names):
    """Copies the v1 file of `source_rev` under each revision name in `names` (mode kept: 0600)."""
    for name in names:
        shutil.copy2(s.snapshot_path(source_rev), s.snapshot_path(name))


def time_of(rev):
    """The UTC time in a revision name, to the second."""
    return datetime.datetime.strptime(rev[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=datetime.timezone.utc)


def name_at(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def listed(s):
    return [x["rev"] for x in s.revisions()["revisions"]]


def test_dry_run_explains_each_decision(s):
    current = commit_v1(s)
    now = time_of(current)
    old = [name_at(now - delta) for delta in (datetime.timedelta(days=40), datetime.timedelta(days=1),
                                              datetime.timedelta(hours=2), datetime.timedelta(minutes=30))]
    plant(s, current, old)
    r = s.run("--unobin", "show", old[0])
    check(r.returncode == 0 and json.loads(r.stdout) == SNAPSHOT, "a planted revision is genuine: show reads it", r)
    check(listed(s) == old + [current], "the planted revisions are listed oldest first", listed(s))

    r = s.run("prune", "--keep-last", "2", "--keep-within", "1h", "--dry-run")
    check(r.returncode == 0 and r.stdout == f"remove {old[0]}\nremove {old[1]}\nremove {old[2]}\n"
          f"keep {old[3]}: last, within 1h\nkeep {current}: current, last, within 1h\n"
          "Would delete 3 snapshot(s), keep 2.\n" and r.stderr == "",
          "prune --keep-last 2 --keep-within 1h --dry-run: every revision with the rules that keep it or remove", r)
    check(listed(s) == old + [current], "--dry-run removed nothing")

    r = s.run("prune", "--keep-last", "2", "--keep-within", "1h", "--dry-run", "--json")
    doc = json_doc(r)
    check(doc == {"dry-run": True, "deleted": old[:3], "kept": [old[3], current], "revisions": [
        {"rev": old[0], "keep": False, "reasons": []},
        {"rev": old[1], "keep": False, "reasons": []},
        {"rev": old[2], "keep": False, "reasons": []},
        {"rev": old[3], "keep": True, "reasons": ["last", "within 1h"]},
        {"rev": current, "keep": True, "reasons": ["current", "last", "within 1h"]}]},
        "--dry-run --json: the usual keys plus every revision with keep and reasons", r.stdout)
    check(listed(s) == old + [current], "--dry-run --json removed nothing")

    r = s.run("prune", "--keep-within", "49h", "--dry-run")
    check(r.returncode == 0 and "remove " + old[0] in r.stdout and f"keep {old[1]}: within 49h" in r.stdout,
          "--keep-within counts back from the newest revision, and the reason quotes the duration as given", r)


def test_prune_with_a_policy(s):
    current = commit_v1(s)
    old = ["2020-01-01T10:00:00Z", "2020-01-01T12:00:00Z", "2020-01-02T09:00:00Z", "2020-02-10T00:00:00Z",
           "2020-03-01T00:00:00Z"]
    plant(s, current, old)
    day, month = current[:10], current[:7]
    r = s.run("prune", "--keep-daily", "2", "--keep-monthly", "4")
    check(r.returncode == 0 and r.stdout == f"deleted {old[0]}\ndeleted {old[1]}\n"
          f"keep {old[2]}: monthly 2020-01\nkeep {old[3]}: monthly 2020-02\n"
          f"keep {old[4]}: daily 2020-03-01, monthly 2020-03\n"
          f"keep {current}: current, daily {day}, monthly {month}\n"
          "Deleted 2 snapshot(s), kept 4.\n", "prune --keep-daily 2 --keep-monthly 4 deletes what no rule keeps", r)
    check(listed(s) == old[2:] + [current], "the kept revisions remain", listed(s))
    events = [e for e in json_doc(s.run("log", "--json"))["events"] if e["event"] in ("remove", "prune")]
    check([(e["event"], e["rev"]) for e in events] == [("remove", old[0]), ("remove", old[1]), ("prune", "")]
          and events[-1]["detail"] == "deleted 2, kept 4", "each removal and the prune are journaled", events)

    doc = json_doc(s.run("prune", "--keep-weekly", "1", "--json"))
    check(doc is not None and doc["deleted"] == old[2:] and doc["kept"] == [current]
          and doc["revisions"][-1]["reasons"][0] == "current" and doc["revisions"][-1]["reasons"][1].startswith(
              "weekly ") and "-W" in doc["revisions"][-1]["reasons"][1], "prune --keep-weekly 1 --json (ISO week)", doc)
    check(listed(s) == [current], "only current remains")


def test_policy_options_and_their_errors(s):
    current = commit_v1(s)
    old = ["2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "2020-01-01T12:00:00Z"]
    plant(s, current, old)
    doc = json_doc(s.run("prune", "--keep", "1", "--keep-hourly", "1", "--dry-run", "--json"))
    check(doc is not None and doc["deleted"] == old and doc["kept"] == [current]
          and doc["revisions"][-1]["reasons"] == ["current", "last", f"hourly {current[:13]}"],
          "--keep N with a policy option is --keep-last N", doc)
    doc = json_doc(s.run("prune", "--keep-hourly", "3", "--dry-run", "--json"))
    check(doc is not None and doc["deleted"] == old[:1] and doc["kept"] == old[1:] + [current],
          "without --keep, a policy keeps no extra newest revisions (not the default 10)", doc)
    r = s.run("prune", "--keep-last", "0", "--keep-within", "0")
    check(r.returncode == 2 and "every --keep-* rule is 0" in r.stderr and "--keep 0" in r.stderr,
          "an empty policy is refused (exit 2), naming --keep 0 for keeping only current", r)
    check_error_doc(s.run("prune", "--keep-daily", "0", "--json"), "usage", 2, "an empty policy --json")
    doc = json_doc(s.run("prune", "--keep", "0", "--dry-run", "--json"))
    check(doc is not None and doc["deleted"] == old and doc["kept"] == [current], "--keep 0 keeps only current", doc)
    r = s.run("prune", "--keep", "1", "--keep-last", "1")
    check(r.returncode == 2 and "--keep excludes --keep-last" in r.stderr, "--keep with --keep-last: exit 2", r)
    r = s.run("prune", "--keep-within", "1d")
    check(r.returncode == 2 and 'invalid duration "1d"' in r.stderr, "--keep-within 1d: exit 2 naming it", r)
    r = s.run("prune", "--keep-daily", "-1")
    check(r.returncode == 2 and "--keep-daily must not be negative" in r.stderr, "--keep-daily -1: exit 2", r)
    check(listed(s) == old + [current], "refused and dry runs removed nothing")
    r = s.run("--stack", "T", "prune", "--keep-hourly", "0")
    check(r.returncode == 2 and not os.path.exists(os.path.join(s.root, "F", "T")),
          "an empty policy on a new stack creates nothing", r)


def test_list_pages_and_count(s):
    current = commit_v1(s)
    old = ["2020-01-01T10:00:00Z", "2020-01-01T11:00:00Z", "2020-01-01T12:00:00Z"]
    plant(s, current, old)
    r = s.run("list", "--newest-first")
    check(r.returncode == 0 and r.stdout == f"* {current}\n  {old[2]}\n  {old[1]}\n  {old[0]}\n",
          "list --newest-first", r.stdout)
    r = s.run("list", "--newest-first", "--limit", "2", "--offset", "1")
    check(r.returncode == 0 and r.stdout == f"  {old[2]}\n  {old[1]}\n", "list --newest-first --limit 2 --offset 1",
          r.stdout)
    r = s.run("list", "--limit", "2")
    check(r.returncode == 0 and r.stdout == f"  {old[0]}\n  {old[1]}\n", "list --limit 2: the oldest two", r.stdout)
    doc = json_doc(s.run("list", "--newest-first", "--limit", "1", "--offset", "1", "--json"))
    check(doc == {"current": current, "revisions": [{"rev": old[2], "current": False}], "count": 4},
          "list --json: the page, and count the revisions of the stack", doc)
    doc = json_doc(s.run("list", "--offset", "10", "--json"))
    check(doc == {"current": current, "revisions": [], "count": 4}, "list --offset past the end: none, count 4", doc)
    check(json_doc(s.run("list", "--limit", "0", "--json")) == {"current": current, "revisions": [], "count": 4},
          "list --limit 0: none")
    r = s.run("list", "--offset", "-1")
    check(r.returncode == 2 and "--offset must not be negative" in r.stderr, "list --offset -1: exit 2", r)


TESTS = [
    test_dry_run_explains_each_decision,
    test_prune_with_a_policy,
    test_policy_options_and_their_errors,
    test_list_pages_and_count,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
