#!/usr/bin/env python3
"""End-to-end tests of zstd compression inside v2 envelopes (issue 14): compressed files are
smaller, `--compression none` files still open, and a stack mixing compressed and uncompressed
revisions (and unobin v1 ones, never compressed) lists, shows and verifies.

Usage: cli_zstd_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import copy
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import SNAPSHOT, check, check_error_doc, json_doc  # noqa: E402


def state(resources):
    """A realistic JSON state: `resources` instances with their inputs and outputs."""
    snapshot = copy.deepcopy(SNAPSHOT)
    snapshot["entries"] = [{
        "address": f"module.fleet.resource.instance[{i}]",
        "entry-kind": "leaf",
        "category": "resource",
        "binding": {"alias": "aws", "kind": "instance"},
        "inputs": {"ami": "ami-0c55b159cbfafe1f0", "instance-type": "t3.medium", "subnet-id": f"subnet-{i % 7:08x}",
                   "tags": {"Name": f"fleet-{i}", "team": "platform", "env": "prod"}},
        "outputs": {"id": f"i-{(i * 2654435761) % (1 << 32):08x}", "private-ip": f"10.0.{i // 250}.{i % 250}",
                    "arn": f"arn:aws:ec2:eu-west-1:123456789012:instance/i-{(i * 40503) % (1 << 32):08x}"},
    } for i in range(resources)]
    return snapshot


def header(s, rev):
    with open(s.snapshot_path(rev), "rb") as f:
        return json.loads(f.readline())


def test_zstd_files_are_smaller_and_open(s):
    snapshot = state(400)
    r = s.run("commit", stdin=json.dumps(snapshot))
    compressed = r.stdout.strip()
    check(r.returncode == 0, "commit with the default compression", r)
    r = s.run("--compression", "none", "commit", stdin=json.dumps(snapshot))
    plain = r.stdout.strip()
    check(r.returncode == 0, "commit --compression none", r)
    check(header(s, compressed)["compression"] == "zstd", "the default writes compression zstd in the header",
          header(s, compressed))
    check(header(s, plain)["compression"] == "none", "--compression none writes compression none",
          header(s, plain))
    small = os.path.getsize(s.snapshot_path(compressed))
    large = os.path.getsize(s.snapshot_path(plain))
    check(small * 4 < large, "a zstd file of a JSON state is several times smaller than an uncompressed one",
          (small, large))
    for rev in (compressed, plain):
        r = s.run("show", rev)
        check(r.returncode == 0 and json.loads(r.stdout) == snapshot, f"show opens the {header(s, rev)['compression']} "
              "revision", r.stderr)


def test_compression_option_forms(s):
    r = s.run("commit", "--compression", "none", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 0 and header(s, r.stdout.strip())["compression"] == "none",
          "--compression after the subcommand", r)
    r = s.run("write", "-", env={"SEALSTATE_COMPRESSION": "none"}, stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 0 and header(s, r.stdout.strip())["compression"] == "none",
          "SEALSTATE_COMPRESSION=none applies to write", r)
    r = s.run("--compression", "zstd", "write", "-", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 0 and header(s, r.stdout.strip())["compression"] == "zstd", "--compression zstd", r)
    r = s.run("--compression", "gzip", "commit", stdin=json.dumps(SNAPSHOT))
    check(r.returncode == 2 and '"gzip"' in r.stderr and "zstd or none" in r.stderr,
          "an unknown --compression is a usage error naming it and the choices", r)
    r = s.run("--unobin", "--compression", "zstd", "commit", "--json", stdin=json.dumps(SNAPSHOT))
    check_error_doc(r, "invalid-argument", 2, "--compression zstd with --unobin")
    check("never compressed" in r.stdout, "--compression zstd with --unobin says why", r.stdout)
    check(len(s.revisions()["revisions"]) == 3, "the refused commits wrote nothing", s.revisions())


def test_mixed_stack_lists_shows_verifies(s):
    snapshots = [state(n) for n in (5, 6, 7, 8)]
    revs = [s.run(*flags, "commit", stdin=json.dumps(snap)).stdout.strip()
            for flags, snap in zip([[], ["--compression", "none"], ["--unobin"], []], snapshots)]
    check(all(revs) and len(set(revs)) == 4, "four commits: zstd, none, unobin v1, zstd", revs)
    with open(s.snapshot_path(revs[2]), "rb") as f:
        check(f.readline() == b"{\n", "--unobin wrote an uncompressed v1 envelope")
    r = s.run("--accept-v1", "list", "--json")
    doc = json_doc(r)
    check(doc is not None and [x["rev"] for x in doc["revisions"]] == revs and doc["current"] == revs[3],
          "list shows every revision of the mixed stack", r.stdout)
    for rev, snap in zip(revs, snapshots):
        r = s.run("--accept-v1", "show", rev)
        check(r.returncode == 0 and json.loads(r.stdout) == snap, f"show {rev} of the mixed stack", r.stderr)
    r = s.run("--accept-v1", "verify", "--json")
    check(r.returncode == 0 and json_doc(r) == {"revisions": 4, "problems": []}, "verify the mixed stack", r)


def test_corrupt_compressed_revision_is_an_integrity_error(s):
    rev = s.commit(state(50))
    path = s.snapshot_path(rev)
    with open(path, "rb") as f:
        data = bytearray(f.read())
    data[-40] ^= 0x01
    with open(path, "wb") as f:
        f.write(data)
    r = s.run("show", rev, "--json")
    check_error_doc(r, "integrity", 5, "a flipped byte in a compressed revision")


TESTS = [
    test_zstd_files_are_smaller_and_open,
    test_compression_option_forms,
    test_mixed_stack_lists_shows_verifies,
    test_corrupt_compressed_revision_is_an_integrity_error,
]

if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS, prefix="sealstate-cli-zstd-"))
