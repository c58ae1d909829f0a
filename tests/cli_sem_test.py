#!/usr/bin/env python3
"""End-to-end CLI tests of issue 17's items 2, 3, 4, 5 and 17: v1 files in a v2 stack, strays
beside the revisions, a damaged current pointer, a commit whose journaling fails, and a commit
sealed with another key.

Usage: cli_sem_test.py PATH/TO/sealstate [PATH/TO/libfault_journal.so]

Uses the helpers of cli_test.py (same output: one line per check, then "N checks passed").
"""

import json
import os
import resource
import signal
import subprocess
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


def test_damaged_current_recovery(s):
    for damage in (b"\x01\xfe garbage\n", b"../../escape\n", b"backup\n"):
        root = s.root
        s.root = root + str(len(damage))
        s.globals = ["--root", s.root, "--factory", "F", "--stack", "S"]
        r1, r2, r3 = s.commit(), s.commit(), s.commit()
        plant(os.path.join(s.stack_dir(), "current"), damage)
        what = f"current {damage!r}"
        r = s.run("list")
        check(r.returncode == 0 and r.stdout == f"  {r1}\n  {r2}\n  {r3}\n", f"{what}: list still lists", r)
        check("current is damaged" in r.stderr and "set-current" in r.stderr, f"{what}: list says so", r.stderr)
        doc = json_doc(s.run("list", "--json"))
        check(doc is not None and doc["current"] is None and "current-damaged" in doc
              and [x["rev"] for x in doc["revisions"]] == [r1, r2, r3], f"{what}: list --json", doc)
        r = s.run("delete", r1)
        check(r.returncode == 5 and "current is damaged" in r.stderr and "set-current" in r.stderr,
              f"{what}: delete refuses, naming the damage and the repair", r)
        r = s.run("prune", "--keep", "0", "--dry-run", "--json")
        doc = json_doc(r)
        check(r.returncode == 0 and doc is not None and doc["deleted"] == [] and doc["kept"] == [r1, r2, r3]
              and "current-damaged" in doc, f"{what}: prune --dry-run keeps everything", r)
        r = s.run("prune", "--keep", "0")
        check(r.returncode == 5 and "current is damaged" in r.stderr and "nothing was deleted" in r.stderr,
              f"{what}: prune refuses", r)
        check([x["rev"] for x in s.revisions()["revisions"]] == [r1, r2, r3], f"{what}: nothing was deleted")
        r = s.run("set-current", r2)
        check(r.returncode == 0 and r.stdout.startswith(f"current is now {r2} (was a damaged pointer: "),
              f"{what}: set-current repairs it", r)
        check(s.run("current").stdout == r2 + "\n", f"{what}: current is repaired")
        last = json_doc(s.run("log", "--json"))["events"][-1]
        check(last["event"] == "set-current" and last["rev"] == r2
              and last["detail"].startswith("repaired a damaged current pointer"), f"{what}: the repair is journaled",
              last)
        check(s.run("delete", r1).returncode == 0 and s.run("prune", "--keep", "0").returncode == 0
              and [x["rev"] for x in s.revisions()["revisions"]] == [r2], f"{what}: delete and prune work again")
        s.root = root
    s.globals = ["--root", s.root, "--factory", "F", "--stack", "S"]
    r2 = s.commit()
    plant(os.path.join(s.stack_dir(), "current"), b"\x00")
    doc = json_doc(s.run("set-current", r2, "--json"))
    check(doc is not None and doc["rev"] == r2 and doc["previous"] is None and "repaired" in doc,
          "set-current --json says what it repaired", doc)


def test_v1_copied_over_v2(s):
    old = s.run("--unobin", "commit", stdin=json.dumps(dict(SNAPSHOT, **{"generated-at": "2020-01-01T00:00:00Z"})))
    check(old.returncode == 0, "--unobin commit", old)
    old = old.stdout.strip()
    rev = s.commit()
    events = json_doc(s.run("log", "--json"))["events"]
    check([e.get("envelope-version") for e in events if e["event"] == "write"] == [1, 3],
          "the journal records each write's envelope version", events)
    with open(s.snapshot_path(old), "rb") as f:
        v1_bytes = f.read()
    plant(s.snapshot_path(rev), v1_bytes)
    r = s.run("show")
    check(r.returncode == 5 and "v1" in r.stderr and "--accept-v1" in r.stderr and r.stdout == "",
          "a v1 file over the current v2 revision: show refuses (exit 5)", r)
    check_error_doc(s.run("show", "--json"), "integrity", 5, "show --json of the copied v1 file")
    r = s.run("show", old)
    check(r.returncode == 5, "a v2 stack refuses genuine v1 history too unless told", r)
    r = s.run("--accept-v1", "show", old)
    check(r.returncode == 0 and json.loads(r.stdout)["generated-at"] == "2020-01-01T00:00:00Z",
          "--accept-v1 reads v1 history", r)
    r = s.run("show", old, env={"SEALSTATE_ACCEPT_V1": "1"})
    check(r.returncode == 0, "SEALSTATE_ACCEPT_V1=1 reads v1 history", r)
    for flags in ([], ["--accept-v1"], ["--unobin"]):
        r = s.run(*flags, "verify")
        check(r.returncode == 5 and f"{rev}: the journal recorded a v3 write of {rev}" in r.stdout,
              f"verify {' '.join(flags)}: flags the v1 file where the journal recorded a v3 write", r)
        check(f"{old}: the journal" not in r.stdout, f"verify {' '.join(flags)}: genuine v1 history is no replacement")
    r = s.run("--unobin", "show")
    check(r.returncode == 0, "--unobin still reads v1 files (the copy is undetectable by the file alone)", r)


def test_commit_with_another_key(s):
    rev = s.commit()
    other = keygen(s.env)
    for command in ("commit", "write"):
        r = s.run(command, stdin=json.dumps(SNAPSHOT), env={"SEALSTATE_KEY": other})
        check(r.returncode == 5 and "key id" in r.stderr and "--new-key" in r.stderr and r.stdout == "",
              f"{command} with a key that cannot open current: refused (exit 5), naming --new-key", r)
        check(s.key not in r.stderr and other not in r.stderr, f"{command} refusal: no key material")
    check_error_doc(s.run("commit", "--json", stdin=json.dumps(SNAPSHOT), env={"SEALSTATE_KEY": other}),
                    "wrong-key", 5, "commit with another key --json")
    check(s.revisions() == {"current": rev, "revisions": [{"rev": rev, "current": True}], "count": 1},
          "the refused commits wrote nothing")
    check(s.run("show").returncode == 0, "everyone else can still read current")
    r = s.run("commit", "--new-key", stdin=json.dumps(SNAPSHOT), env={"SEALSTATE_KEY": other})
    check(r.returncode == 0, "commit --new-key changes the key on purpose", r)
    check(s.run("show", env={"SEALSTATE_KEY": other}).returncode == 0, "the new key reads the new current")


def commit_with_journal_limit(s, *flags):
    """Commits with RLIMIT_FSIZE set so that the journal takes the commit's "write" line but not
    its "set-current" line (written before the pointer swap): that append fails with EFBIG."""
    journal = os.path.join(s.stack_dir(), "journal")
    with open(journal, "rb") as f:
        text = f.read()
    complete = text[:text.rfind(b"\n") + 1]  # a torn tail is cut off by the next append
    write_line = [line for line in complete.splitlines(True) if b'"event":"write"' in line][-1]
    limit = len(complete) + len(write_line) + 20  # room for a longer revision name; a set-current line is longer
    snapshot_size = max(os.path.getsize(os.path.join(s.stack_dir(), "snapshots", n))
                        for n in os.listdir(os.path.join(s.stack_dir(), "snapshots")))
    assert snapshot_size < limit, (snapshot_size, limit)

    def limit_file_size():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run([cli_test.EXE] + s.globals + list(flags) + ["commit"], env=s.env, input=json.dumps(SNAPSHOT),
                          capture_output=True, text=True, timeout=60, preexec_fn=limit_file_size)


def test_commit_journal_failure_before_swap(s):
    # The move of current is journaled before the pointer swap (rollback detection): a failed
    # append fails the commit and leaves current as it was (it used to say "committed", exit 6).
    for _ in range(4):
        s.commit()
    before = s.run("current").stdout.strip()
    r = commit_with_journal_limit(s)
    check(r.returncode == 1 and r.stdout == "" and "File too large" in r.stderr,
          "a failed journal append before the swap: exit 1", r)
    check(s.run("current").stdout.strip() == before and len(s.revisions()["revisions"]) == 4,
          "the commit did not take effect (current as it was, its revision removed again)")
    check(s.lock_state()["state"] == "free", "the lock was released")
    r = commit_with_journal_limit(s, "--json")
    doc = json_doc(r)
    check(r.returncode == 1 and doc is not None and list(doc) == ["error"],
          "commit --json with a failed journal append before the swap: exit 1, an error document", r)
    check(s.commit() and s.run("log").returncode == 0, "the next commit repairs the journal's torn tail")


TESTS = [
    test_prune_leaves_strays_alone,
    test_damaged_current_recovery,
    test_v1_copied_over_v2,
    test_commit_with_another_key,
    test_commit_journal_failure_before_swap,
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
