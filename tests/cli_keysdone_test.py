#!/usr/bin/env python3
"""End-to-end checks of the key lifecycle's documentation (issue 13): every subcommand the CLI
lists in --help (rekey, keys, upgrade among them) has its own entry in man/sealstate.1.scd, and
the upgrade entry says what the command's refusal says: --yes, and that unobin can no longer
read the stack afterwards.

Usage: cli_keysdone_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import cli_test  # noqa: E402
from cli_test import EXE, check  # noqa: E402

MAN_PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "man", "sealstate.1.scd")


def man_sections():
    """The man page's "## NAME ..." entries: NAME -> the text up to the next entry."""
    with open(MAN_PAGE, encoding="utf-8") as f:
        text = f.read()
    sections = {}
    for match in re.finditer(r"^## ([a-z-]+)[^\n]*\n(.*?)(?=^## |^# |\Z)", text, re.M | re.S):
        sections.setdefault(match.group(1), match.group(2))
    return sections


def cli_subcommands():
    r = subprocess.run([EXE, "--help"], capture_output=True, text=True)
    listed = r.stdout.split("Subcommands:", 1)[1] if "Subcommands:" in r.stdout else ""
    return [m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]*) ", listed, re.M)]


def test_every_subcommand_has_a_man_entry(s):
    commands = cli_subcommands()
    check({"rekey", "keys", "upgrade"} <= set(commands), "--help lists rekey, keys and upgrade", commands)
    sections = man_sections()
    missing = [c for c in commands if c not in sections]
    check(not missing, "every subcommand in --help has an entry in sealstate(1)", missing)


def test_upgrade_entry_matches_the_refusal(s):
    entry = re.sub(r"\s+", " ", man_sections().get("upgrade", ""))
    r = s.run("upgrade")
    check(r.returncode == 2 and "unobin can no longer read" in r.stderr, "upgrade without --yes is refused", r)
    check("unobin can no longer read this stack" in entry and "--yes" in entry and "exit status 2" in entry,
          "sealstate(1) says upgrade needs --yes (else exit 2) and that unobin can no longer read the stack",
          entry[:200])
    check('"action":' in entry and "upgraded" in entry, "sealstate(1) gives upgrade's --json shape", entry[:200])


TESTS = [
    test_every_subcommand_has_a_man_entry,
    test_upgrade_entry_matches_the_refusal,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
