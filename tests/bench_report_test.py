#!/usr/bin/env python3
"""Tests of bench/report.py's refusal to record a run that started on a busy machine (issue 15):
above the core count, --check-load and writing the results exit 1 saying why, unless
SEALSTATE_BENCH_ALLOW_LOAD=1; the machine, file system and loads are recorded.

Usage: bench_report_test.py PATH/TO/bench/report.py
"""

import json
import os
import subprocess
import sys
import tempfile

REPORT = os.path.abspath(sys.argv[1])
CORES = int(subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout)
BUSY = f"{CORES + 1.5:.2f} {CORES:.2f} 0.50"
QUIET = f"{CORES - 0.5:.2f} 0.10 0.05"
FIGURES = {"median": 1.0, "p10": 0.9, "p90": 1.1, "p99": 1.2, "n": 3}
failed = 0


def check(condition, name, detail=None):
    global failed
    print(("ok - " if condition else "not ok - ") + name)
    if not condition:
        failed += 1
        print(f"    {detail!r}")


def report(*args, allow=False):
    env = {k: v for k, v in os.environ.items() if k != "SEALSTATE_BENCH_ALLOW_LOAD"}
    if allow:
        env["SEALSTATE_BENCH_ALLOW_LOAD"] = "1"
    return subprocess.run([sys.executable, REPORT] + list(args), env=env, capture_output=True, text=True, timeout=60)


def fake_run(run):
    """The files one bench run leaves (one in-process row, every CLI row, the fsync counts)."""
    with open(os.path.join(run, "inprocess.jsonl"), "w") as f:
        f.write(json.dumps({"id": "x", "row": "x", "unit": "ms", "ratio": 1.0, "target": "report", "met": None,
                            "sealstate": FIGURES, "comparison": "floor",
                            "comparison_figures": FIGURES, "phases": {}, "note": ""}) + "\n")
    for label in ("commit-small", "commit-1mib", "commit-16mib", "show-16mib"):
        for round_ in (1, 2):
            results = [{"command": tool, "times": [0.01, 0.011, 0.012]}
                       for tool in ("sealstate", "sqlite3", "git", "restic")]
            with open(os.path.join(run, f"hf-{label}-{round_}.json"), "w") as f:
                json.dump({"results": results}, f)
    with open(os.path.join(run, "fsyncs.txt"), "w") as f:
        f.write("sealstate 6\nsqlite3 4\ngit 5\nrestic 9\n")


def main():
    r = report("--check-load", BUSY)
    check(r.returncode == 1, "--check-load: a load above the core count exits 1", r)
    check(f"above the {CORES} cores" in r.stderr and "SEALSTATE_BENCH_ALLOW_LOAD=1" in r.stderr
          and "not written" in r.stderr, "--check-load says why and how to override", r.stderr)
    check(report("--check-load", QUIET).returncode == 0, "--check-load: a load at most the core count passes")
    check(report("--check-load", BUSY, allow=True).returncode == 0, "--check-load: the override lets it run")
    with tempfile.TemporaryDirectory(prefix="sealstate-bench-report-") as tmp:
        fake_run(tmp)
        out = os.path.join(tmp, "results.json")
        common = ["--run", tmp, "--started", "2026-12-07T00:00:00Z", "--out", out, "--filesystem", "ext4"]
        r = report(*common, "--load-at-start", BUSY)
        check(r.returncode == 1 and not os.path.exists(out), "a busy start: results.json is not written", r)
        check("SEALSTATE_BENCH_ALLOW_LOAD=1" in r.stderr, "a busy start: the refusal says why", r.stderr)
        r = report(*common, "--load-at-start", BUSY, allow=True)
        check(r.returncode == 0 and os.path.exists(out), "with the override: results.json is written", r)
        machine = json.load(open(out))["machine"] if os.path.exists(out) else {}
        check(machine.get("load_average_at_start") == BUSY and machine.get("load_allowed_by_override") is True
              and machine.get("filesystem") == "ext4" and "load_average_at_end" in machine and machine.get("cpu"),
              "results.json records the machine, file system, loads and the override", machine)
        check(f"load average at start {BUSY}" in r.stdout and "ext4" in r.stdout,
              "the summary line names the file system and the load at start", r.stdout)
        if os.path.exists(out):
            os.unlink(out)
        r = report(*common, "--load-at-start", QUIET)
        check(r.returncode == 0 and os.path.exists(out)
              and json.load(open(out))["machine"]["load_allowed_by_override"] is False,
              "a quiet start: written, no override recorded", r)
    print(f"{failed} checks failed" if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
