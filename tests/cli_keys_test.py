#!/usr/bin/env python3
"""End-to-end tests of key rotation (issue 13): --key / --recipient key sets, v3 envelopes with one
wrapped data key per recipient, `rekey` (header-only re-wrap, resumable, journaled), `keys`, and the
wrong / missing / partial key errors. Also tamper sweeps over the v3 header.

Usage: cli_keys_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, check_error_doc, json_doc, keygen  # noqa: E402


def with_keys(s, **keys):
    """Adds base64 keys to the stack's environment under the given variable names."""
    for name in keys:
        s.env[name] = keygen(s.env)


def header_and_rest(path):
    with open(path, "rb") as f:
        data = f.read()
    cut = data.index(b"\n")
    return data[:cut], data[cut:]


def write_file(path, data):
    os.chmod(path, 0o600)
    with open(path, "wb") as f:
        f.write(data)


def key_ids(s, *key_args):
    """keys --json: {rev: [key ids]}."""
    r = s.run(*key_args, "keys", "--json")
    doc = json_doc(r)
    assert r.returncode == 0 and doc is not None, r
    return {entry["rev"]: entry["key-ids"] for entry in doc["revisions"]}


def commit_with(s, *key_args):
    r = s.run(*key_args, "commit", stdin=json.dumps(SNAPSHOT))
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


def test_rotation_round_trip(s):
    """The issue's "Done when": commits for A, rekey --key B --key A, A opens nothing, B everything."""
    with_keys(s, KEY_A=1, KEY_B=1)
    a, b = ["--key", "env:KEY_A"], ["--key", "env:KEY_B"]
    revs = [commit_with(s, *a) for _ in range(3)]
    before = key_ids(s)
    id_a = before[revs[0]][0]
    check(all(before[rev] == [id_a] for rev in revs), "before: every revision is wrapped for A alone", before)
    payloads = {rev: header_and_rest(s.snapshot_path(rev))[1] for rev in revs}
    r = s.run(*b, *a, "rekey")
    check(r.returncode == 0 and "Rekeyed 3 of 3 revision(s)." in r.stdout, "rekey --key B --key A: exit 0", r)
    after = key_ids(s)
    id_b = after[revs[0]][0]
    check(id_b != id_a and all(after[rev] == [id_b] for rev in revs), "keys: every revision only B", after)
    check(all(header_and_rest(s.snapshot_path(rev))[1] == payloads[rev] for rev in revs),
          "rekey left every payload byte untouched")
    for rev in revs:
        r = s.run(*a, "show", rev)
        check(r.returncode == 5 and id_b in r.stderr and "wrong key" in r.stderr,
              f"A alone no longer opens {rev} (exit 5, names B's key id)", r)
        r = s.run(*b, "show", rev)
        check(r.returncode == 0 and '"stack"' in r.stdout, f"B alone opens {rev}", r)
    r = s.run(*a, "verify")
    check(r.returncode == 5, "verify with A alone: exit 5", r)
    r = s.run(*b, "verify")
    check(r.returncode == 0, "verify with B alone: exit 0", r)
    r = s.run(*b, "verify", "--chain")
    check(r.returncode == 0 and f"chain: 3 revisions from current {revs[2]} back to {revs[0]}" in r.stdout,
          "verify --chain after rekey: the parent links still hold (a digest covers a v3 header's sealed part)", r)
    r = s.run("log", "--json")
    events = [e for e in json.loads(r.stdout)["events"] if e["event"] == "rekey"] if r.returncode == 0 else []
    check(len(events) == 3 and all(f"{id_a} -> {id_b}" in e["detail"] for e in events),
          "journal: one rekey event per revision naming the key ids", r.stdout)
    check(s.env["KEY_A"] not in r.stdout and s.env["KEY_B"] not in r.stdout, "journal: no key material")
    r = s.run(*b, *a, "rekey", "--json")
    doc = json_doc(r)
    check(r.returncode == 0 and doc is not None and [x["action"] for x in doc["revisions"]] == ["unchanged"] * 3,
          "a rerun finds nothing left to do (resumable)", r)
    new_rev = commit_with(s, *b)
    check(key_ids(s)[new_rev] == [id_b], "new commits with B are wrapped for B")
    r = s.run(*a, "commit", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 5, "A alone may not commit over a B-only current (exit 5)", r)


def test_dry_run_and_rev(s):
    with_keys(s, KEY_A=1, KEY_B=1)
    a, b = ["--key", "env:KEY_A"], ["--key", "env:KEY_B"]
    first, second = commit_with(s, *a), commit_with(s, *a)
    before = key_ids(s)
    r = s.run(*b, *a, "rekey", "--dry-run")
    check(r.returncode == 0 and "Would rekey 2 of 2" in r.stdout and key_ids(s) == before,
          "rekey --dry-run changes nothing", r)
    r = s.run(*b, *a, "rekey", "--rev", second)
    after = key_ids(s)
    check(r.returncode == 0 and after[first] == before[first] and after[second] != before[second],
          "rekey --rev rekeys only that revision", (r, after))
    # A key set that opens some revisions but not others.
    r = s.run(*b, "show", first)
    check(r.returncode == 5 and before[first][0] in r.stderr, "B alone: the A-only revision names A's key id", r)
    check_error_doc(s.run(*b, "show", first, "--json"), "wrong-key", 5, "partial key --json")
    r = s.run(*b, "show", second)
    check(r.returncode == 0, "B alone: the B revision opens", r)
    r = s.run(*b, *a, "show", first)
    check(r.returncode == 0, "B and A together open the A revision", r)
    r = s.run(*b, "rekey")
    check(r.returncode == 5 and first in r.stderr and "wrong key" in r.stderr,
          "rekey without a key for a revision: exit 5 naming it", r)


def test_key_spec_errors(s):
    s.commit()
    r = s.run("--key", "vault:secret", "show")
    check(r.returncode == 2 and "env:VAR, file:PATH, passphrase, command:CMD, pub:BASE64, box-file:PATH" in r.stderr,
          "unknown spec: exit 2 listing the forms", r)
    r = s.run("--key", "env:NOT_SET_ANYWHERE", "show")
    check(r.returncode == 2 and "NOT_SET_ANYWHERE is not set" in r.stderr, "missing key variable: exit 2", r)
    with_keys(s, KEY_C=1)
    r = s.run("--key", "env:KEY_C", "show")
    check(r.returncode == 5 and "wrong key" in r.stderr and s.env["KEY_C"] not in r.stderr,
          "a wrong key: exit 5, no key material", r)
    r = s.run("--key", "env:SEALSTATE_KEY", "show")
    check(r.returncode == 0, "--key env:SEALSTATE_KEY is the default key", r)
    r = s.run("show")
    check(r.returncode == 0, "SEALSTATE_KEY alone still works", r)
    r = s.run("rekey")
    check(r.returncode == 2 and "--key NEW" in r.stderr, "rekey without --key: usage error", r)


def test_key_file_and_recipient(s):
    with_keys(s, KEY_R=1)
    path = os.path.join(os.path.dirname(s.root), "key")
    with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
        f.write(s.key + "\n")
    rev = commit_with(s, "--key", "file:" + path, "--recipient", "env:KEY_R")
    ids = key_ids(s)[rev]
    check(len(ids) == 2, "a --recipient adds a second wrapped key", ids)
    r = s.run("--key", "env:KEY_R", "show", rev)
    check(r.returncode == 0, "the recipient's key alone opens the revision", r)
    r = s.run("show", rev)
    check(r.returncode == 0, "the first key alone opens it", r)


def sweep(s, rev, mutate, name):
    """Applies mutate(header bytes) -> header bytes and checks the revision is refused with exit 5."""
    path = s.snapshot_path(rev)
    header, rest = header_and_rest(path)
    write_file(path, mutate(header) + rest)
    r = s.run("--key", "env:SEALSTATE_KEY", "--key", "env:KEY_R", "show", rev)
    write_file(path, header + rest)
    return check(r.returncode == 5 and r.stdout == "", name, r)


def reencode(header, change):
    doc = json.loads(header)
    change(doc)
    return json.dumps(doc, separators=(",", ":")).encode()


def test_tamper_v3_header(s):
    with_keys(s, KEY_R=1)
    first = commit_with(s, "--recipient", "env:KEY_R")
    rev = commit_with(s, "--recipient", "env:KEY_R")
    header, _ = header_and_rest(s.snapshot_path(rev))
    check(reencode(header, lambda d: None) == header, "the test re-encodes a v3 header byte for byte")
    refused = 0
    for i in range(0, len(header), 3):
        for bit in (0x01, 0x20):
            def flip(h, i=i, bit=bit):
                b = bytearray(h)
                b[i] ^= bit
                return bytes(b)
            path = s.snapshot_path(rev)
            h, rest = header_and_rest(path)
            write_file(path, flip(h) + rest)
            r = s.run("--key", "env:SEALSTATE_KEY", "show", rev)
            write_file(path, h + rest)
            refused += r.returncode == 5 and r.stdout == ""
            if r.returncode != 5:
                check(False, f"bit flip at byte {i} refused", r)
    check(refused == 2 * len(range(0, len(header), 3)), f"every bit flip in the header is refused ({refused})")

    def swap(d):
        d["recipients"].reverse()
    sweep(s, rev, lambda h: reencode(h, swap), "reordered wrap entries: refused")

    def drop_second(d):
        d["recipients"].pop()
    sweep(s, rev, lambda h: reencode(h, drop_second), "a removed wrap entry: refused")
    other = json.loads(header_and_rest(s.snapshot_path(first))[0])

    def graft(d):
        d["recipients"][0] = other["recipients"][0]
    sweep(s, rev, lambda h: reencode(h, graft), "a wrap entry grafted from another revision: refused")

    def add(d):
        d["recipients"].append(other["recipients"][1])
    sweep(s, rev, lambda h: reencode(h, add), "an added wrap entry: refused")
    r = s.run("show", rev)
    check(r.returncode == 0, "the restored file opens again", r)


def test_v1_stack_readable_and_skipped(s):
    rev = s.commit()
    r = s.run("--unobin", "commit", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 0, "an unobin v1 commit", r)
    v1 = r.stdout.strip()
    r = s.run("--accept-v1", "show", v1)
    check(r.returncode == 0, "v1 stays readable", r)
    r = s.run("--accept-v1", "--key", "env:SEALSTATE_KEY", "rekey", "--json")
    doc = json_doc(r)
    actions = {x["rev"]: x["action"] for x in doc["revisions"]} if doc else {}
    check(r.returncode == 0 and actions.get(v1) == "skipped-v1" and actions.get(rev) == "unchanged",
          "rekey leaves v1 files alone and says so", r)
    r = s.run("keys")
    check(r.returncode == 0 and f"{v1}  v1  unknown (v1 records none)" in r.stdout and "\\t" not in r.stdout,
          "keys: a v1 revision records no key id (columns apart by spaces, no escaped tab)", r)


def test_upgrade_unobin_stack(s):
    revs = []
    for _ in range(2):
        r = s.run("--unobin", "commit", stdin=json.dumps(SNAPSHOT))
        revs.append(r.stdout.strip())
    r = s.run("--accept-v1", "upgrade")
    check(r.returncode == 2 and "unobin can no longer read" in r.stderr and "--yes" in r.stderr,
          "upgrade without --yes: refused, saying unobin will no longer read the stack", r)
    check(all(v == [] for v in key_ids(s).values()), "the refused upgrade changed nothing")
    r = s.run("--accept-v1", "upgrade", "--yes")
    check(r.returncode == 0 and "Rekeyed 2 of 2" in r.stdout, "upgrade --yes re-seals every v1 revision", r)
    ids = key_ids(s)
    check(all(len(ids[rev]) == 1 for rev in revs), "after upgrade every revision names its key id", ids)
    for rev in revs:
        with open(s.snapshot_path(rev), "rb") as f:
            first = f.readline()
        check(first.startswith(b'{"envelope-version":3'), f"{rev} is a v3 envelope now", first[:40])
        r = s.run("show", rev)
        check(r.returncode == 0, f"{rev} opens without --accept-v1 after the upgrade", r)


TESTS = [
    test_rotation_round_trip,
    test_dry_run_and_rev,
    test_key_spec_errors,
    test_key_file_and_recipient,
    test_tamper_v3_header,
    test_v1_stack_readable_and_skipped,
    test_upgrade_unobin_stack,
]

if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
