#!/usr/bin/env python3
"""End-to-end tests of how the CLI reads strings that are not valid UTF-8 (issue 11): as unobin's Go
decoder does, each invalid byte and each lone surrogate escape becomes U+FFFD, keys equal after
that keep the last value, and what is written and shown carries U+FFFD raw, as Go's encoder does.

Usage: cli_utf8_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import EXE, check  # noqa: E402

FFFD = "\ufffd".encode()  # EF BF BD

# A snapshot input with invalid bytes in a key and in values, keys that differ only in invalid
# bytes or lone surrogates, and a lone high and a lone low surrogate escape.
SNAPSHOT_BYTES = (
    b'{"format-version": 1, "factory": {"name": "F", "version": "v1", "content-revision": "abc"},'
    b' "stack": "S", "generated-at": "2026-04-30T12:00:00Z",'
    b' "entries": [{"address": "resource.main", "entry-kind": "leaf", "category": "resource",'
    b' "binding": {"alias": "aws", "kind": "vpc"},'
    b' "outputs": {"k\xfe": 1, "k\xff": 2, "k\\ud800": 3, "s": "a\xffb", "hi": "\\ud800x", "lo": "y\\udc00"}}]}'
)
EXPECTED_OUTPUTS = {"k\ufffd": 3, "s": "a\ufffdb", "hi": "\ufffdx", "lo": "y\ufffd"}


def run_bytes(s, *args, stdin=None):
    """Runs the CLI on the stack with bytes in and out (the input is not valid UTF-8)."""
    return subprocess.run([EXE] + s.globals + list(args), env=s.env, input=stdin, capture_output=True, timeout=60)


def expected_outputs_text(indent):
    """The outputs member as Go's MarshalIndent writes it at `indent` spaces: sorted keys, raw U+FFFD."""
    pad = b" " * indent
    inner = b" " * (indent + 2)
    return (b'"outputs": {\n' + inner + b'"hi": "' + FFFD + b'x",\n' + inner + b'"k' + FFFD + b'": 3,\n'
            + inner + b'"lo": "y' + FFFD + b'",\n' + inner + b'"s": "a' + FFFD + b'b"\n' + pad + b'}')


def test_commit_replaces_invalid_text_as_go_does(s):
    r = run_bytes(s, "commit", stdin=SNAPSHOT_BYTES)
    check(r.returncode == 0, "commit accepts invalid UTF-8 and lone surrogate escapes", r)
    r = run_bytes(s, "show")
    check(r.returncode == 0 and expected_outputs_text(6) in r.stdout, "show writes each replaced string with raw U+FFFD and "
          "the colliding keys once, with the last value", r.stdout)
    check(b"\\ufffd" not in r.stdout and r.stdout.count(b'"k' + FFFD + b'"') == 1, "show writes no \\ufffd escape and no "
          "repeated key", r.stdout)
    shown = json.loads(r.stdout)
    check(shown["entries"][0]["outputs"] == EXPECTED_OUTPUTS, "show's outputs are those Go would decode", shown)
    r = run_bytes(s, "show", "--json")
    doc = json.loads(r.stdout)
    check(r.returncode == 0 and doc["snapshot"]["entries"][0]["outputs"] == EXPECTED_OUTPUTS
          and r.stdout.count(b'"k' + FFFD + b'"') == 1, "show --json agrees", r.stdout)


def test_write_from_a_file_replaces_invalid_text_as_commit_does(s):
    with tempfile.NamedTemporaryFile("wb", suffix=".json", delete=False) as f:
        f.write(SNAPSHOT_BYTES)
    r = run_bytes(s, "write", f.name)
    os.unlink(f.name)
    check(r.returncode == 0, "write FILE accepts invalid UTF-8 and lone surrogate escapes", r)
    r = run_bytes(s, "show", r.stdout.decode().strip())
    check(r.returncode == 0 and expected_outputs_text(6) in r.stdout, "show REV writes what Go would", r.stdout)


TESTS = [
    test_commit_replaces_invalid_text_as_go_does,
    test_write_from_a_file_replaces_invalid_text_as_commit_does,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
