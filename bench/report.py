#!/usr/bin/env python3
"""Merges one bench run into the table scripts/bench.sh prints and bench/results.json.

Inputs (all in --run): inprocess.jsonl (sealstate-bench --json), hf-<label>-<round>.json
(hyperfine --export-json, two rounds per label, merged), fsyncs.txt ("tool count" lines).
Every figure comes from that run; nothing is estimated or filled in.

A run that started on a busy machine (load average above its core count) gives misleading ratios:
--check-load (bench.sh, before it builds anything) and writing bench/results.json refuse it,
unless SEALSTATE_BENCH_ALLOW_LOAD=1 (the load is recorded in the results either way).
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys

PEERS = ["sqlite3", "git", "restic"]

# (label, title, {peer: (target text, limit ratio or None)})
CLI_ROWS = [
    ("commit-small", "CLI small commit (10 res)",
     {"sqlite3": ("< 1x", 1.0), "git": ("< 1x", 1.0), "restic": ("<= 0.01x", 0.01)}),
    ("commit-1mib", "CLI 1 MiB commit (1,000 res)", {}),
    ("commit-16mib", "CLI 16 MiB commit (15,000 res)", {"git": ("<= 0.8x", 0.8)}),
    ("show-16mib", "CLI read 16 MiB (show)", {"git": ("<= 1x", 1.0)}),
]

PEER_COMMANDS = {
    "commit": {"sqlite3": "sqlite3 INSERT txn, synchronous=FULL", "git": "git commit, core.fsync=all",
               "restic": "restic backup"},
    "show": {"sqlite3": "sqlite3 SELECT writefile()", "git": "git show HEAD:file", "restic": "restic dump latest"},
}


def percentile(samples, q):
    """Linear interpolation between closest ranks, as sealstate-bench's stats.cc."""
    s = sorted(samples)
    rank = q * (len(s) - 1)
    lower = int(rank)
    upper = min(lower + 1, len(s) - 1)
    return s[lower] + (s[upper] - s[lower]) * (rank - lower)


def summarize(samples):
    return {"median": percentile(samples, 0.5), "p10": percentile(samples, 0.1),
            "p90": percentile(samples, 0.9), "p99": percentile(samples, 0.99), "n": len(samples)}


def hyperfine_samples(run, label):
    """Per-tool times in ms, both rounds merged."""
    times = {}
    for round_ in (1, 2):
        path = os.path.join(run, f"hf-{label}-{round_}.json")
        with open(path) as f:
            for result in json.load(f)["results"]:
                times.setdefault(result["command"], []).extend(t * 1000.0 for t in result["times"])
    return times


def cli_rows(run):
    rows = []
    for label, title, targets in CLI_ROWS:
        kind = label.split("-")[0]
        times = hyperfine_samples(run, label)
        ours = summarize(times["sealstate"])
        for peer in PEERS:
            theirs = summarize(times[peer])
            ratio = ours["median"] / theirs["median"]
            target, limit = targets.get(peer, ("report", None))
            rows.append({
                "id": f"cli-{label}-vs-{peer}", "row": f"{title} vs {peer}", "unit": "ms",
                "sealstate": ours, "comparison": PEER_COMMANDS[kind][peer], "comparison_figures": theirs,
                "ratio": ratio, "target": target, "met": None if limit is None else ratio <= limit,
                "phases": {}, "note": "one process per operation (hyperfine -N, start-up included)"})
    return rows


def read_inprocess(run):
    with open(os.path.join(run, "inprocess.jsonl")) as f:
        return [json.loads(line) for line in f if line.strip()]


def read_fsyncs(run):
    counts = {}
    with open(os.path.join(run, "fsyncs.txt")) as f:
        for line in f:
            tool, count = line.split()
            counts[tool] = int(count)
    return counts


def core_count():
    return int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())


def load_refusal(load_at_start, cores, allowed):
    """Why a run that started at `load_at_start` ("/proc/loadavg"'s first fields) on `cores` cores
    must not be recorded, or None when it may (its 1-minute load is at most the core count, or
    `allowed`)."""
    one_minute = float(load_at_start.split()[0])
    if allowed or one_minute <= cores:
        return None
    return (f"the load average at the start ({load_at_start}) is above the {cores} cores: other work "
            "competes for the CPUs and the ratios would be noise, so bench/results.json is not written. "
            "Run it on a quiet machine, or set SEALSTATE_BENCH_ALLOW_LOAD=1 to record it anyway "
            "(the load is recorded with the results).")


def load_allowed():
    return os.environ.get("SEALSTATE_BENCH_ALLOW_LOAD", "") == "1"


def machine():
    model = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    nproc = core_count()
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    return {"cpu": model, "nproc": nproc, "memory_gib": round(mem_kib / 1024 / 1024, 1),
            "kernel": platform.release(), "load_average_at_end": load}


def figure(v):
    if v < 10:
        return f"{v:.3f}"
    if v < 100:
        return f"{v:.2f}"
    if v < 1000:
        return f"{v:.1f}"
    return f"{v:.0f}"


def table(rows):
    head = f"{'row':<48} {'sealstate':>10} {'p10/p90':>17} {'compared':>10} {'ratio':>8}  {'target':<18} result"
    lines = [head, "-" * len(head)]
    for r in rows:
        s, c = r["sealstate"], r["comparison_figures"]
        spread = f"{figure(s['p10'])}/{figure(s['p90'])}"
        compared = "-" if c is None else figure(c["median"])
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.3f}x"
        result = "report" if r["met"] is None else ("met" if r["met"] else "MISSED")
        lines.append(f"{r['row'] + ' [' + r['unit'] + ']':<48} {figure(s['median']):>10} {spread:>17} "
                     f"{compared:>10} {ratio:>8}  {r['target']:<18} {result}")
    return "\n".join(lines)


def markdown(rows):
    """The same table as GitHub markdown, for the README's Performance section."""
    lines = ["| row | sealstate median | p10 / p90 | compared with | its median | ratio | target | result |",
             "|---|---:|---:|---|---:|---:|---|---|"]
    for r in rows:
        s, c = r["sealstate"], r["comparison_figures"]
        compared = "-" if c is None else figure(c["median"])
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.2f}x"
        result = "report" if r["met"] is None else ("met" if r["met"] else "**missed**")
        lines.append(f"| {r['row']} [{r['unit']}] | {figure(s['median'])} | {figure(s['p10'])} / {figure(s['p90'])} | "
                     f"{r['comparison'] or '-'} | {compared} | {ratio} | {r['target']} | {result} |")
    return "\n".join(lines) + "\n"


def phases_text(rows):
    out = []
    for r in rows:
        if r["phases"] or (r["note"] and not r["id"].startswith("cli-")):
            out.append(f"{r['row']}:")
            for name, value in r["phases"].items():
                out.append(f"    {name:<62} {value:10.3f} {r['unit']}")
            if r["note"]:
                out.append(f"    ({r['note']})")
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--check-load", metavar="LOADAVG",
                        help="only check that a run starting at this load may be recorded; exit 1 if not")
    parser.add_argument("--run")
    parser.add_argument("--started")
    parser.add_argument("--out")
    parser.add_argument("--markdown", help="also write the table as markdown to this file")
    parser.add_argument("--filesystem", default="", help="the file system type of the bench directory")
    parser.add_argument("--load-at-start", default="", help="/proc/loadavg's first 3 fields when the run began")
    args = parser.parse_args()
    if args.check_load is not None or args.load_at_start:
        refusal = load_refusal(args.check_load or args.load_at_start, core_count(), load_allowed())
        if refusal:
            print(f"sealstate-bench: refused: {refusal}", file=sys.stderr)
            return 1
    if args.check_load is not None:
        return 0
    if not (args.run and args.started and args.out):
        parser.error("--run, --started and --out are required")
    rows = read_inprocess(args.run) + cli_rows(args.run)
    fsyncs = read_fsyncs(args.run)
    result = {"schema": 1, "started": args.started, "finished": datetime.datetime.now(datetime.timezone.utc)
              .strftime("%Y-%m-%dT%H:%M:%SZ"), "machine": machine(), "rows": rows,
              "fsyncs_per_small_commit": fsyncs,
              "note": "a snapshot of one run of scripts/bench.sh; absolute times are this machine's, "
                      "ratios are what carries over"}
    if args.load_at_start:
        result["machine"]["load_average_at_start"] = args.load_at_start
    result["machine"]["load_allowed_by_override"] = load_allowed()
    if args.filesystem:
        result["machine"]["filesystem"] = args.filesystem
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
        f.write("\n")
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(markdown(rows))
    m = result["machine"]
    print(f"sealstate bench, started {args.started}, finished {result['finished']} on {m['cpu']} "
          f"({m['nproc']} vCPU, {m['memory_gib']} GiB, {m.get('filesystem', 'file system not given')}; load average at "
          f"start {m.get('load_average_at_start', 'not given')}, at end {m['load_average_at_end']})")
    print(table(rows))
    print()
    print("fsync-class calls per small commit (strace, one commit each): " +
          ", ".join(f"{tool} {count}" for tool, count in fsyncs.items()))
    print()
    print("phases (medians, each timed alone) and notes:")
    print(phases_text(rows))
    missed = [r["id"] for r in rows if r["met"] is False]
    print()
    print("missed targets: " + (", ".join(missed) if missed else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
