#!/usr/bin/env python3
"""Syscall-order audit: strace of 100 commits, the durability recipe checked mechanically.

Usage: syscall_audit.py PATH/TO/commit_driver

Runs one commit_driver process doing N commits (100; SEALSTATE_LONG=1: 1,000) under
`strace -f -y` and checks, for every commit, in the order the calls were made:
  - the snapshot temp file is created with O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC (or O_TMPFILE),
    (a second description, which holds the temp's OFD lock for debris cleanup, may be opened
    without O_CREAT|O_TRUNC before the first write; it is never written)
    written, fsync'd, closed, then published with renameat2(RENAME_NOREPLACE) (or linkat), and
    then the snapshots directory is fsync'd;
  - then the pointer the same way: temp created exclusively, written with "<rev>\\n" naming the
    snapshot just published, fsync'd, closed, renamed onto `current`, stack directory fsync'd;
    the pointer is renamed only after the snapshot's directory fsync;
  - the commit is acknowledged (the driver's write of the rev to stdout) only after both
    directory fsyncs;
  - `current` is never opened for writing and never written in place;
  - the lock marker is published complete: its temp is created exclusively and fsync'd before
    linkat() makes it `lock`.
Prints "syscall audit: N commits, V violations". Skips (exit 77) when strace is missing or
cannot trace here (ptrace forbidden).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

DRIVER = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "commit_driver"
COMMITS = 1000 if os.environ.get("SEALSTATE_LONG") == "1" else 100
STACK = "audit"
TRACED = "openat,open,creat,write,pwrite64,writev,fsync,fdatasync,close,rename,renameat,renameat2,link,linkat," \
         "unlink,unlinkat"
EXCL_FLAGS = ("O_CREAT", "O_EXCL", "O_NOFOLLOW", "O_CLOEXEC")

# One complete strace line: "PID name(args) = result"; -y annotates fds as "N</path>".
LINE = re.compile(r"^(\d+)\s+(\w+)\((.*)\)\s+=\s+(-?\d+)(?:<([^>]*)>)?(.*)$")
FD = re.compile(r"^(-?\d+)<(.*)>$")


class Audit:
    def __init__(self):
        self.violations = []
        self.files = {}          # temp path -> state dict for files being written
        self.fd_paths = {}       # fd -> path (from -y)
        self.dir_syncs = []      # (index, dir path)
        self.snapshots = []      # published snapshots: dict(rev, index, dir)
        self.pointers = []       # published pointers: dict(rev, index, dir)
        self.acks = []           # (index, rev) driver's stdout writes
        self.markers = 0

    def violation(self, index, text):
        self.violations.append(f"call {index}: {text}")


def split_args(args):
    """Splits a strace argument list on top-level commas (outside quotes, <>, {}, [])."""
    parts, depth, quoted, escape, current = [], 0, False, False, ""
    for ch in args:
        if quoted:
            current += ch
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch in "<{[":
            depth += 1
        elif ch in ">}]":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(current.strip())
            current = ""
            continue
        current += ch
    if current.strip():
        parts.append(current.strip())
    return parts


def unquote(text):
    text = text.strip()
    if text.endswith("..."):
        text = text[:-3]
    if text.startswith('"') and text.endswith('"'):
        return bytes(text[1:-1], "utf-8").decode("unicode_escape")
    return text


def fd_path(arg):
    m = FD.match(arg.strip())
    return (int(m.group(1)), m.group(2)) if m else (None, None)


def merge_unfinished(lines):
    """The trace's lines (without newlines), each call another thread interrupted ("<unfinished
    ...>", later "<... name resumed>") joined into one line where it resumed (when it returned)."""
    merged, unfinished = [], {}
    for raw in lines:
        raw = raw.rstrip("\n")
        pid = raw.split(" ", 1)[0]
        if raw.endswith("<unfinished ...>"):
            unfinished[pid] = raw[: -len("<unfinished ...>")].rstrip()
            continue
        resumed = re.match(r"^(\d+)\s+<\.\.\. \w+ resumed>(.*)$", raw)
        if resumed and pid in unfinished:
            raw = unfinished.pop(pid) + resumed.group(2)
        merged.append(raw)
    return merged


def parse(lines):
    """The trace (lines merge_unfinished made whole) as a list of (name, args, result, result_path)."""
    calls = []
    for raw in lines:
        m = LINE.match(raw)
        if m:
            calls.append((m.group(2), split_args(m.group(3)), int(m.group(4)), m.group(5)))
    return calls


def is_temp(path):
    return ".tmp." in os.path.basename(path)


def on_open(audit, i, args, result, result_path, stack_dir):
    if len(args) < 3 or result < 0:
        return
    flags = args[2]
    _, dir_path = fd_path(args[0])
    name = unquote(args[1])
    path = result_path or os.path.join(dir_path or "", name)
    audit.fd_paths[result] = path
    writing = any(f in flags for f in ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC", "O_APPEND"))
    if os.path.basename(path) == "current" and writing:
        audit.violation(i, f"current opened for writing: {flags}")
    if not path.startswith(stack_dir + "/") or not is_temp(path):
        return
    state = audit.files.get(path)
    if state is not None and "O_CREAT" not in flags and "O_TRUNC" not in flags:
        # The description that holds the temp file's OFD lock: opened before the first write.
        if state["writes"] > 0:
            audit.violation(i, f"lock description of {path} opened after writing began")
        state["lock_fd"] = result
        return
    if "O_TMPFILE" not in flags and not all(f in flags for f in EXCL_FLAGS):
        audit.violation(i, f"temp {path} created without O_CREAT|O_EXCL|O_NOFOLLOW|O_CLOEXEC: {flags}")
    audit.files[path] = {"fd": result, "opened": i, "writes": 0, "data": "", "fsync": None, "close": None}


def on_write(audit, i, name, args, result):
    fd, path = fd_path(args[0])
    if path is None:
        return
    if fd == 1 and name == "write":
        audit.acks.append((i, unquote(args[1]).strip()))
        return
    if os.path.basename(path) == "current":
        audit.violation(i, "write into current in place")
    state = audit.files.get(path)
    if state is None:
        return
    if state.get("lock_fd") == fd:
        audit.violation(i, f"write to {path} through its lock description")
    if state["fsync"] is not None:
        audit.violation(i, f"write to {path} after its fsync")
    state["writes"] += 1
    state["data"] += unquote(args[1]) if name == "write" else ""


def on_fsync(audit, i, args):
    _, path = fd_path(args[0])
    if path is None:
        return
    state = audit.files.get(path)
    if state is not None:
        state["fsync"] = i
    else:
        audit.dir_syncs.append((i, path))


def on_close(audit, i, args):
    fd, path = fd_path(args[0])
    state = audit.files.get(path) if path else None
    if state is not None and state["close"] is None and state.get("lock_fd") != fd:
        state["close"] = i


def check_ready(audit, i, temp_path, what):
    """The temp file is written, fsync'd and closed, in that order, before being published."""
    state = audit.files.pop(temp_path, None)
    if state is None:
        audit.violation(i, f"{what}: published {temp_path}, which was not created as a temp file here")
        return None
    if state["writes"] == 0:
        audit.violation(i, f"{what}: {temp_path} published without being written")
    if state["fsync"] is None:
        audit.violation(i, f"{what}: {temp_path} published without fsync")
    if state["close"] is None or (state["fsync"] is not None and state["close"] < state["fsync"]):
        audit.violation(i, f"{what}: {temp_path} not closed after its fsync before publishing")
    return state


def on_rename(audit, i, name, args, stack_dir):
    if name == "rename":
        src, dst, flags, dir_path = unquote(args[0]), unquote(args[1]), "", os.path.dirname(unquote(args[0]))
    else:
        _, dir_path = fd_path(args[0])
        src, dst = unquote(args[1]), unquote(args[3])
        flags = args[4] if len(args) > 4 else ""
    src_path = src if src.startswith("/") else os.path.join(dir_path or "", src)
    if not src_path.startswith(stack_dir + "/"):
        return
    final = os.path.basename(dst)
    if final.endswith(".json.enc"):
        if name in ("rename", "renameat") or "RENAME_NOREPLACE" not in flags:
            audit.violation(i, f"snapshot published with a replacing rename: {name} {flags}")
        if check_ready(audit, i, src_path, "snapshot") is not None:
            audit.snapshots.append({"rev": final[: -len(".json.enc")], "index": i, "dir": dir_path})
    elif final == "current":
        state = check_ready(audit, i, src_path, "pointer")
        if state is not None:
            audit.pointers.append({"rev": state["data"].strip(), "index": i, "dir": dir_path})


def on_link(audit, i, name, args, stack_dir):
    _, dir_path = fd_path(args[0]) if name == "linkat" else (None, os.path.dirname(unquote(args[0])))
    src = unquote(args[1] if name == "linkat" else args[0])
    dst = unquote(args[3] if name == "linkat" else args[1])
    src_path = src if src.startswith("/") else os.path.join(dir_path or "", src)
    if not src_path.startswith(stack_dir + "/"):
        return
    final = os.path.basename(dst)
    if final == "lock":
        audit.markers += 1
        state = audit.files.get(src_path)
        if state is None or state["fsync"] is None:
            audit.violation(i, f"lock marker linked from {src_path} before its fsync")
    elif final.endswith(".json.enc"):
        if check_ready(audit, i, src_path, "snapshot") is not None:
            audit.snapshots.append({"rev": final[: -len(".json.enc")], "index": i, "dir": dir_path})


def first_dir_sync_after(audit, index, dir_path):
    for i, path in audit.dir_syncs:
        if i > index and path == dir_path:
            return i
    return None


def check_commits(audit):
    """Pairs snapshots, pointers and acknowledgements, and checks their order."""
    if not (len(audit.snapshots) == len(audit.pointers) == len(audit.acks) == COMMITS):
        audit.violation(-1, f"expected {COMMITS} snapshot publishes, pointer publishes and acknowledgements, saw "
                            f"{len(audit.snapshots)}, {len(audit.pointers)}, {len(audit.acks)}")
    for n, (snap, pointer, ack) in enumerate(zip(audit.snapshots, audit.pointers, audit.acks)):
        tag = f"commit {n + 1} ({snap['rev']})"
        snap_sync = first_dir_sync_after(audit, snap["index"], snap["dir"])
        pointer_sync = first_dir_sync_after(audit, pointer["index"], pointer["dir"])
        if snap_sync is None or snap_sync > pointer["index"]:
            audit.violation(snap["index"], f"{tag}: snapshots directory not fsync'd before the pointer is published")
        if pointer["rev"] != snap["rev"]:
            audit.violation(pointer["index"], f"{tag}: pointer names {pointer['rev']!r}, not the new snapshot")
        if pointer_sync is None or pointer_sync > ack[0]:
            audit.violation(pointer["index"], f"{tag}: stack directory not fsync'd before the commit returned")
        if ack[1] != snap["rev"] or ack[0] < pointer["index"]:
            audit.violation(ack[0], f"{tag}: acknowledged {ack[1]!r} out of order")


def audit_trace(lines, stack_dir):
    audit = Audit()
    for i, (name, args, result, result_path) in enumerate(parse(lines)):
        if name in ("openat", "open", "creat"):
            if name != "openat":
                args = ["AT_FDCWD"] + args
            on_open(audit, i, args, result, result_path, stack_dir)
        elif name in ("write", "pwrite64", "writev") and result >= 0:
            on_write(audit, i, name, args, result)
        elif name in ("fsync", "fdatasync") and result == 0:
            on_fsync(audit, i, args)
        elif name == "close":
            on_close(audit, i, args)
        elif name in ("rename", "renameat", "renameat2") and result == 0:
            on_rename(audit, i, name, args, stack_dir)
        elif name in ("link", "linkat") and result == 0:
            on_link(audit, i, name, args, stack_dir)
    check_commits(audit)
    return audit


def first_index(lines, pattern):
    for i, line in enumerate(lines):
        if re.search(pattern, line):
            return i
    raise ValueError(f"no line matches {pattern}")


def without_first(pattern):
    def mutate(lines):
        i = first_index(lines, pattern)
        return lines[:i] + lines[i + 1:]
    return mutate


def replace_first(pattern, old, new):
    def mutate(lines):
        i = first_index(lines, pattern)
        return lines[:i] + [lines[i].replace(old, new, 1)] + lines[i + 1:]
    return mutate


def write_current_in_place(stack_dir):
    def mutate(lines):
        i = first_index(lines, r"renameat2\(.*\"current\"")
        pid = lines[i].split(" ", 1)[0]
        path = stack_dir + "/current"
        return lines[:i] + [f'{pid} openat(AT_FDCWD, "{path}", O_WRONLY|O_TRUNC|O_CLOEXEC) = 9<{path}>',
                            f'{pid} write(9<{path}>, "x\\n", 2) = 2'] + lines[i:]
    return mutate


def without_first_after(anchor, pattern):
    def mutate(lines):
        start = first_index(lines, anchor)
        i = start + first_index(lines[start:], pattern)
        return lines[:i] + lines[i + 1:]
    return mutate


def write_through_lock_description(stack_dir):
    def mutate(lines):
        i = first_index(lines, rf"openat\(.*{re.escape(stack_dir)}/snapshots>, \"[^\"]*\.tmp\.[^\"]*\", O_WRONLY\|O_NOCTTY")
        lock_fd, path = re.search(r"= (\d+)<([^>]*)>", lines[i]).groups()
        j = i + first_index(lines[i:], rf"write\(\d+<{re.escape(path)}>")
        return lines[:j] + [re.sub(r"write\(\d+<", f"write({lock_fd}<", lines[j], count=1)] + lines[j + 1:]
    return mutate


def ack_early(lines):
    i = first_index(lines, r"renameat2\(.*\"current\"")
    j = first_index(lines, r"^\d+\s+write\(1<")
    return lines[:i] + [lines[j]] + lines[i:j] + lines[j + 1:]


def negative_controls(lines, stack_dir):
    """Broken variants of the real trace: each must be flagged, or the audit proves nothing."""
    snapshots = re.escape(stack_dir + "/snapshots")
    stack = re.escape(stack_dir)
    controls = {
        "snapshot temp not fsync'd": without_first(rf"fsync\(\d+<{snapshots}/\."),
        "snapshot published with a replacing rename": replace_first(r"RENAME_NOREPLACE", "RENAME_NOREPLACE", "0"),
        "snapshots directory not fsync'd": without_first(rf"fsync\(\d+<{snapshots}>\)"),
        "pointer temp not fsync'd": without_first(rf"fsync\(\d+<{stack}/\.current\.tmp\."),
        "stack directory not fsync'd after the pointer":
            without_first_after(r"renameat2\(.*\"current\"", rf"fsync\(\d+<{stack}>\)"),
        "temp created without O_EXCL": replace_first(rf"openat\(.*{snapshots}>.*O_EXCL", "O_EXCL|", ""),
        "current written in place": write_current_in_place(stack_dir),
        "acknowledged before the pointer is published": ack_early,
        "lock marker linked before its fsync": without_first(rf"fsync\(\d+<{stack}/\.lock\.tmp\."),
        "temp written through its lock description": write_through_lock_description(stack_dir),
    }
    missed = [name for name, mutate in controls.items() if not audit_trace(mutate(lines), stack_dir).violations]
    return len(controls), missed


def main():
    strace = shutil.which("strace")
    if strace is None:
        print("syscall audit: SKIP: strace is not installed (scripts/lib.sh installs it)")
        return 77
    with tempfile.TemporaryDirectory(prefix="sealstate-audit-") as tmp:
        root = os.path.join(tmp, "store")
        trace = os.path.join(tmp, "trace")
        probe = subprocess.run([strace, "-f", "-o", os.devnull, "true"], capture_output=True, text=True)
        if probe.returncode != 0:
            print(f"syscall audit: SKIP: strace cannot trace here: {probe.stderr.strip()}")
            return 77
        # LeakSanitizer cannot run under ptrace: in the ASan build the traced driver runs without
        # it (every other test of the ASan run still checks the library for leaks).
        env = dict(os.environ)
        env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS", ""), "detect_leaks=0"]))
        run = subprocess.run([strace, "-f", "-y", "-s", "256", "-e", "trace=" + TRACED, "-o", trace,
                              DRIVER, root, STACK, str(COMMITS)],
                             capture_output=True, text=True, timeout=600, env=env)
        if run.returncode != 0:
            print(f"syscall audit: FAIL: driver exited {run.returncode}: {run.stderr.strip()}")
            return 1
        stack_dir = os.path.realpath(os.path.join(root, "cluster-deploy", STACK))
        with open(trace, encoding="utf-8", errors="replace") as f:
            # Merged first, so the negative controls edit whole calls: with the commit's helper
            # threads (a pointer temp's fsync), a call can be split across two lines.
            lines = merge_unfinished(f.readlines())
    audit = audit_trace(lines, stack_dir)
    for v in audit.violations[:50]:
        print("  violation: " + v)
    commits = min(len(audit.snapshots), len(audit.pointers), len(audit.acks))
    print(f"syscall audit: {len(lines)} traced calls, {audit.markers} lock markers published")
    print(f"syscall audit: {commits} commits, {len(audit.violations)} violations")
    controls, missed = negative_controls(lines, stack_dir)
    print(f"syscall audit: negative controls: {controls - len(missed)} of {controls} broken traces flagged"
          + (f"; MISSED: {', '.join(missed)}" if missed else ""))
    return 0 if not audit.violations and commits == COMMITS and not missed else 1


if __name__ == "__main__":
    sys.exit(main())
