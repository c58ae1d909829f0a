#!/usr/bin/env python3
"""End-to-end tests of journal consumers (issue 14): `log --consumer NAME` prints each event once
across runs (at-least-once: its checkpoint moves only after the output was written), and
`log --follow` prints new events as they are appended, woken by the append.

Usage: cli_consumers_test.py PATH/TO/sealstate   (the helpers of cli_test.py read the same argument)
"""

import json
import os
import select
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402
from cli_test import check, check_error_doc, json_doc  # noqa: E402


def seqs(result):
    return [int(line.split()[0]) for line in result.stdout.splitlines()]


def test_consumer_prints_each_event_once(s):
    s.commit()
    s.commit()
    first = s.run("log", "--consumer", "ship")
    check(first.returncode == 0 and seqs(first) == [1, 2, 3, 4], "the first run prints every event", first)
    again = s.run("log", "--consumer", "ship")
    check(again.returncode == 0 and again.stdout == "", "a second run prints nothing new", again)
    s.commit()
    third = s.run("log", "--consumer", "ship")
    check(third.returncode == 0 and seqs(third) == [5, 6], "after a commit, only its events", third)
    other = s.run("log", "--consumer", "audit")
    check(seqs(other) == [1, 2, 3, 4, 5, 6], "each consumer has its own checkpoint", other)
    check(os.stat(os.path.join(s.stack_dir(), "consumer.ship")).st_mode & 0o777 == 0o600,
          "the checkpoint file is 0600")


def test_consumer_json(s):
    s.commit()
    doc = json_doc(s.run("log", "--consumer", "ship", "--json"))
    check(list(doc) == ["events", "consumer", "checkpoint"] and doc["consumer"] == "ship" and doc["checkpoint"] == 2
          and [e["seq"] for e in doc["events"]] == [1, 2], "log --consumer --json: events, consumer, checkpoint", doc)
    doc = json_doc(s.run("log", "--consumer", "ship", "--json"))
    check(doc["events"] == [] and doc["checkpoint"] == 2, "nothing new: no events, the same checkpoint", doc)


def test_failed_output_keeps_the_checkpoint(s):
    s.commit()
    with open("/dev/full", "w") as full:
        r = subprocess.run([cli_test.EXE] + s.globals + ["log", "--consumer", "ship"], env=s.env, stdout=full,
                           stderr=subprocess.PIPE, text=True, timeout=60)
    check(r.returncode == 1, "writing the events fails: exit 1", r)
    again = s.run("log", "--consumer", "ship")
    check(seqs(again) == [1, 2], "the events that could not be written are printed next time", again)


def test_consumer_usage_errors(s):
    s.commit()
    r = s.run("log", "--consumer", "ship", "--since", "1")
    check(r.returncode == 2, "--consumer and --since exclude each other (exit 2)", r)
    r = s.run("--json", "log", "--consumer", "../x")
    check_error_doc(r, "invalid-argument", 2, "a consumer name with '/' is refused")
    check(not any(n.startswith("consumer.") for n in os.listdir(s.stack_dir())), "nothing stored for a bad name")


def read_lines(process, count, seconds=20):
    """Reads `count` lines from process.stdout (unbuffered), giving up after `seconds`."""
    fd = process.stdout.fileno()
    data = b""
    deadline = time.monotonic() + seconds
    while data.count(b"\n") < count and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
        if ready:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            data += chunk
    return data.decode().splitlines()


def start_follow(s, *args):
    return subprocess.Popen([cli_test.EXE] + s.globals + ["log", "--follow"] + list(args), env=s.env,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)


def test_follow_prints_new_events(s):
    s.commit()
    follower = start_follow(s)
    try:
        old = read_lines(follower, 2)
        check([int(x.split()[0]) for x in old] == [1, 2], "log --follow first prints the events so far", old)
        rev = s.commit()
        new = read_lines(follower, 2)
        check([x.split()[2:4] for x in new] == [["write", rev], ["set-current", rev]],
              "log --follow prints a commit made by another process", new)
        check(follower.poll() is None, "log --follow keeps running")
    finally:
        follower.kill()
        follower.wait()


def test_follow_json_lines_and_consumer(s):
    s.commit()
    follower = start_follow(s, "--json", "--consumer", "ship")
    try:
        old = read_lines(follower, 2)
        check([json.loads(x)["seq"] for x in old] == [1, 2], "log --follow --json: one event document per line", old)
        s.commit()
        new = read_lines(follower, 2)
        check([json.loads(x)["event"] for x in new] == ["write", "set-current"], "new events as JSON lines", new)
        path = os.path.join(s.stack_dir(), "consumer.ship")
        deadline = time.monotonic() + 20  # it is stored just after the lines were flushed
        while time.monotonic() < deadline and (not os.path.exists(path) or open(path).read() != "4\n"):
            time.sleep(0.05)
        check(os.path.exists(path) and open(path).read() == "4\n",
              "the follower's checkpoint moved past what it printed")
    finally:
        follower.kill()
        follower.wait()


TESTS = [
    test_consumer_prints_each_event_once,
    test_consumer_json,
    test_failed_output_keeps_the_checkpoint,
    test_consumer_usage_errors,
    test_follow_prints_new_events,
    test_follow_json_lines_and_consumer,
]


if __name__ == "__main__":
    sys.exit(cli_test.run_tests(TESTS))
