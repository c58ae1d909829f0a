#!/usr/bin/env python3
"""End-to-end tests of `sealstate lock -- CMD` and the lock timeout (issue 17: signals delivered
exactly once, huge timeouts, long command lines, the --json document).

Usage: cli_lock_test.py PATH/TO/sealstate

Same conventions as cli_test.py, whose helpers it uses: one line per check, the last line is
"N checks passed"; exits non-zero if any check fails. Standard library only.
"""

import fcntl
import json
import os
import shlex
import signal
import subprocess
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_test  # noqa: E402  (reads the executable from sys.argv[1])
from cli_test import EXE, SNAPSHOT, Stack, check, json_doc, stop_group, wait_for_lock  # noqa: E402

# A child that counts the SIGINTs delivered to it. Each delivery writes one byte to the wakeup
# pipe, so two deliveries before the Python handler runs still count two; and it spins until the
# first one instead of sleeping, so that a signal is taken at once and a second one sent soon
# after is not merged with it while pending. It writes its pid to OUT.ready once ready, and after
# the first SIGINT waits a second for more, writes the count to OUT and exits 3.
COUNTING_CHILD = r"""
import os, signal, sys, time
out = sys.argv[1]
r, w = os.pipe()
os.set_blocking(r, False)
os.set_blocking(w, False)
signal.set_wakeup_fd(w)
signal.signal(signal.SIGINT, lambda sig, frame: None)
with open(out + ".ready", "w") as f:
    f.write(str(os.getpid()))
def pending():
    try:
        return len(os.read(r, 100))
    except BlockingIOError:
        return 0
deadline = time.monotonic() + 60
count = 0
while count == 0 and time.monotonic() < deadline:
    count = pending()
time.sleep(1)
count += pending()
with open(out, "w") as f:
    f.write(str(count))
sys.exit(3)
"""


def wait_for_file(path, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                content = f.read()
            if content:
                return content
        time.sleep(0.02)
    return None


def read_text(path):
    """The content of `path`, or "" if it does not exist."""
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def process_state(pid):
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()[0]


def wait_until(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def process_gone(pid, seconds=10):
    """True once `pid` no longer runs (gone or a zombie) within `seconds`."""
    def gone():
        try:
            return process_state(pid) == "Z"
        except FileNotFoundError:
            return True
    return wait_until(gone, seconds)


def new_terminal_session():
    """preexec_fn: a new session whose controlling terminal is stdin, with the process's group
    in the terminal's foreground, as for a login shell."""
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


# ---------------------------------------------------------------------------------------------
# Signals: each reaches CMD exactly once.

def test_ctrl_c_on_a_terminal_reaches_cmd_once(s):
    work = os.path.dirname(s.root)
    count_file = os.path.join(work, "count")
    status_file, foreground_file = count_file + ".status", count_file + ".fg"
    # A session on a new terminal whose leader, a shell without job control, runs sealstate in the
    # session's process group, the terminal's foreground one; then checks it got the terminal back.
    script = ('"$@"; echo $? > "$0.status"; '
              f'{shlex.quote(sys.executable)} -c "import os; print(os.tcgetpgrp(0) == os.getpgrp())" > "$0.fg"')
    leader, follower = os.openpty()
    try:
        p = subprocess.Popen(["sh", "-c", script, count_file, EXE] + s.globals
                             + ["lock", "--", sys.executable, "-c", COUNTING_CHILD, count_file],
                             env=s.env, stdin=follower, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             preexec_fn=new_terminal_session)
        os.close(follower)
        follower = None
        try:
            check(wait_for_file(count_file + ".ready") is not None, "terminal: the child started", p.poll())
            os.write(leader, b"\x03")  # Ctrl-C, typed at the terminal
            p.wait(timeout=30)
            err = p.stderr.read()
            count = wait_for_file(count_file, seconds=1)
            check(count == "1", "terminal: one Ctrl-C is one SIGINT for CMD", (count, err))
            status = wait_for_file(status_file, seconds=1)
            check(status == "3\n", "terminal: lock exits with CMD's status after Ctrl-C", (status, err))
            check(s.lock_state()["state"] == "free", "terminal: the lock is released after Ctrl-C")
            check(wait_for_file(foreground_file, seconds=1) == "True\n",
                  "terminal: sealstate gives the terminal back to its own process group")
        finally:
            p.stdout.close()
            p.stderr.close()
            stop_group(p)
    finally:
        os.close(leader)
        if follower is not None:
            os.close(follower)


# A minimal job-control shell, session leader of a terminal: runs argv[3:] as a job in its own
# process group, in the foreground (argv[2] "fg") or the background ("bg"), logs to argv[1]
# "stopped" when the job stops, then continues it in the foreground (as `fg` does) and logs
# "exit N" when it ends.
JOB_SHELL = r"""
import os, signal, sys
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
log = open(sys.argv[1], "w", buffering=1)
foreground = sys.argv[2] == "fg"
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    if foreground:
        os.tcsetpgrp(0, os.getpid())
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    os.execv(sys.argv[3], sys.argv[3:])
try:
    os.setpgid(pid, pid)
except OSError:
    pass
if foreground:
    os.tcsetpgrp(0, pid)
while True:
    _, status = os.waitpid(pid, os.WUNTRACED)
    os.tcsetpgrp(0, os.getpgrp())
    if not os.WIFSTOPPED(status):
        break
    log.write("stopped\n")
    os.tcsetpgrp(0, pid)
    os.killpg(pid, signal.SIGCONT)
log.write("exit %d\n" % os.waitstatus_to_exitcode(status))
"""


def test_ctrl_z_stops_and_fg_continues_cmd_in_the_foreground(s):
    work = os.path.dirname(s.root)
    count_file, log_file = os.path.join(work, "count"), os.path.join(work, "log")
    leader, follower = os.openpty()
    try:
        p = subprocess.Popen([sys.executable, "-c", JOB_SHELL, log_file, "fg", EXE] + s.globals
                             + ["lock", "--", sys.executable, "-c", COUNTING_CHILD, count_file],
                             env=s.env, stdin=follower, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=new_terminal_session)
        os.close(follower)
        follower = None
        try:
            ready = wait_for_file(count_file + ".ready")
            check(ready is not None, "Ctrl-Z: the child started", p.poll())
            child = int(ready)
            check(wait_until(lambda: os.tcgetpgrp(leader) == child),
                  "Ctrl-Z: CMD's own process group is the terminal's foreground group")
            os.write(leader, b"\x1a")  # Ctrl-Z
            check(wait_until(lambda: read_text(log_file).startswith("stopped")),
                  "Ctrl-Z: the shell sees the job (sealstate) stopped", read_text(log_file))
            # The shell continued the job at once (fg): CMD gets the terminal back and runs on.
            check(wait_until(lambda: os.tcgetpgrp(leader) == child and process_state(child) != "T"),
                  "fg: CMD runs again, in the terminal's foreground", process_state(child))
            os.write(leader, b"\x03")  # Ctrl-C
            p.wait(timeout=30)
            check(wait_for_file(count_file, seconds=1) == "1", "fg: then one Ctrl-C is one SIGINT for CMD")
            check(read_text(log_file).endswith("exit 3\n"), "fg: sealstate exits with CMD's status",
                  read_text(log_file))
            check(s.lock_state()["state"] == "free", "Ctrl-Z, fg, Ctrl-C: the lock is released")
        finally:
            stop_group(p)
    finally:
        os.close(leader)
        if follower is not None:
            os.close(follower)


def test_background_job_reading_the_terminal_stops_then_reads_after_fg(s):
    work = os.path.dirname(s.root)
    log_file, line_file = os.path.join(work, "log"), os.path.join(work, "line")
    reader = f'import sys; open("{line_file}", "w").write(sys.stdin.readline())'
    leader, follower = os.openpty()
    try:
        p = subprocess.Popen([sys.executable, "-c", JOB_SHELL, log_file, "bg", EXE] + s.globals
                             + ["lock", "--", sys.executable, "-c", reader],
                             env=s.env, stdin=follower, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             preexec_fn=new_terminal_session)
        os.close(follower)
        follower = None
        try:
            check(wait_until(lambda: read_text(log_file).startswith("stopped")),
                  "background: CMD reading the terminal stops the job (SIGTTIN)", read_text(log_file))
            # The shell continued the job in the foreground: CMD must get the terminal to read the
            # line (else it stops again at each read, and the job never ends).
            os.write(leader, b"typed\n")
            p.wait(timeout=30)
            check(read_text(line_file) == "typed\n" and read_text(log_file).endswith("exit 0\n"),
                  "fg: CMD reads the line typed at the terminal and exits 0", (read_text(line_file),
                                                                              read_text(log_file)))
            check(s.lock_state()["state"] == "free", "background, fg: the lock is released")
        finally:
            stop_group(p)
    finally:
        os.close(leader)
        if follower is not None:
            os.close(follower)


def test_signal_to_the_whole_group_reaches_cmd_once(s):
    """A CI runner stopping a job signals its whole process group, with no terminal."""
    count_file = os.path.join(os.path.dirname(s.root), "count")
    p = s.popen("lock", "--", sys.executable, "-c", COUNTING_CHILD, count_file)  # its own group
    try:
        check(wait_for_file(count_file + ".ready") is not None, "group: the child started", p.poll())
        os.killpg(p.pid, signal.SIGINT)
        p.wait(timeout=30)
        count = wait_for_file(count_file, seconds=1)
        check(count == "1", "group: SIGINT to sealstate's process group is one SIGINT for CMD", count)
        check(p.returncode == 3, "group: lock exits with CMD's status", p.returncode)
        check(s.lock_state()["state"] == "free", "group: the lock is released")
    finally:
        stop_group(p)


def test_signal_to_sealstate_reaches_cmd_once(s):
    count_file = os.path.join(os.path.dirname(s.root), "count")
    p = s.popen("lock", "--", sys.executable, "-c", COUNTING_CHILD, count_file)
    try:
        check(wait_for_file(count_file + ".ready") is not None, "forward: the child started", p.poll())
        os.kill(p.pid, signal.SIGINT)  # sealstate only: it forwards
        p.wait(timeout=30)
        count = wait_for_file(count_file, seconds=1)
        check(count == "1" and p.returncode == 3, "forward: SIGINT to sealstate is forwarded to CMD once",
              (count, p.returncode))
    finally:
        stop_group(p)


def test_cmd_dies_with_sealstate(s):
    """CMD runs in its own process group, so a SIGKILL of sealstate (or of its group) no longer
    reaches it directly: it must not go on running without the lock."""
    pid_file = os.path.join(os.path.dirname(s.root), "pid")
    p = s.popen("lock", "--", "sh", "-c", f'echo $$ > "{pid_file}"; exec sleep 30')
    try:
        pid = wait_for_file(pid_file)
        check(pid is not None, "SIGKILL: the child started", p.poll())
        os.kill(p.pid, signal.SIGKILL)
        p.wait(timeout=30)
        check(process_gone(int(pid.strip())), "SIGKILL of sealstate also ends CMD")
        check(wait_for_lock(s, "stale")["state"] == "stale", "SIGKILL: the lock is stale afterwards")
    finally:
        stop_group(p)


# ---------------------------------------------------------------------------------------------
# Timeouts too long for the clock.

def test_huge_lock_timeout_waits(s):
    s.commit()
    holder = s.popen("lock", "--", "sleep", "30")
    waiters = []
    try:
        wait_for_lock(s, "held")
        for timeout in ("100000000h", "99999999999999999999999h"):
            waiter = subprocess.Popen([EXE] + s.globals + ["--lock-timeout", timeout, "commit"], env=s.env,
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, start_new_session=True)
            waiter.stdin.write(json.dumps(SNAPSHOT))
            waiter.stdin.close()
            waiters.append((timeout, waiter))
        time.sleep(1.5)
        for timeout, waiter in waiters:
            check(waiter.poll() is None, f"--lock-timeout {timeout} waits for a held lock",
                  (waiter.returncode, waiter.poll() is not None and waiter.stderr.read()))
        stop_group(holder)  # its lock goes stale: the waiters break it and commit
        for timeout, waiter in waiters:
            waiter.wait(timeout=30)
            check(waiter.returncode == 0, f"--lock-timeout {timeout}: commits once the holder is gone",
                  (waiter.returncode, waiter.stderr.read()))
        check(len(s.revisions()["revisions"]) == 3, "both waiters committed")
    finally:
        stop_group(holder)
        for _, waiter in waiters:
            stop_group(waiter)
            waiter.stdout.close()
            waiter.stderr.close()


# ---------------------------------------------------------------------------------------------
# Long command lines.

def test_long_command_line_is_truncated_in_the_marker(s):
    padding = "é" * 2000  # 4000 bytes of two-byte characters
    script = 'exec "$1" --root "$2" --factory "$3" --stack "$4" lock-status --json'
    r = s.run("lock", "--", "sh", "-c", script, "sh", EXE, s.root, cli_test.FACTORY, cli_test.STACK, padding)
    doc = json_doc(r)
    check(r.returncode == 0 and doc is not None and doc["state"] == "held",
          "lock -- CMD with a 4 KB command line runs CMD under the lock", r)
    operation = doc["holder"]["operation"] if doc else ""
    encoded = operation.encode("utf-8")
    check(operation.startswith("lock: sh -c exec ") and operation.endswith("é...") and len(encoded) <= 512
          and len(encoded) > 500 and "\ufffd" not in operation,
          "the recorded operation is cut to 512 bytes of valid UTF-8, ending in ...", operation)
    check(s.lock_state()["state"] == "free", "long command line: the lock is released")


# ---------------------------------------------------------------------------------------------
# --json: one document after CMD's own output.

def test_json_document_after_cmd(s):
    r = s.run("--json", "lock", "--", EXE, *s.globals, "lock-status", "--json")
    lines = r.stdout.splitlines()
    check(r.returncode == 0 and len(lines) == 2 and r.stdout.endswith("\n"),
          "--json lock: CMD's output, then one line of sealstate's own", r)
    try:
        inner, doc = json.loads(lines[0]), json.loads(lines[1])
    except (ValueError, IndexError):
        inner, doc = {}, None
    check(doc == {"lock-id": inner.get("holder", {}).get("lock-id"), "exit-status": 0, "signal": None,
                  "released": True, "release-error": None},
          "--json lock: the document names the lock id CMD ran under, its exit status and the release", doc)
    r = s.run("--json", "lock", "--", "sh", "-c", "echo out; exit 7")
    lines = r.stdout.splitlines()
    doc = json.loads(lines[1]) if len(lines) == 2 else None
    check(r.returncode == 7 and lines[0] == "out" and doc is not None and doc["exit-status"] == 7
          and doc["signal"] is None and doc["released"] is True and len(doc["lock-id"]) == 32,
          "--json lock -- CMD exiting 7: exit 7, CMD's output first, exit-status 7", r)
    r = s.run("--json", "lock", "--", "sh", "-c", "kill -TERM $$")
    doc = json_doc(r)
    check(r.returncode == 143 and doc is not None and doc["exit-status"] == 143 and doc["signal"] == 15,
          "--json lock -- CMD killed by SIGTERM: exit 143, signal 15", r)
    r = s.run("--json", "lock", "--", "/nonexistent/command")
    doc = json_doc(r)
    check(r.returncode == 127 and doc is not None and doc["exit-status"] == 127 and doc["signal"] is None,
          "--json lock -- missing command: exit 127 and the document", r)


def test_json_document_when_release_fails(s):
    # CMD breaks its own lock and lets another holder take it: the release then finds a foreign
    # marker and must say so in the document (and on stderr), with CMD's status unchanged.
    script = ('"$1" --root "$2" --factory "$3" --stack "$4" force-unlock --force >/dev/null; '
              '"$1" --root "$2" --factory "$3" --stack "$4" lock -- sleep 3 >/dev/null 2>&1 & '
              'while ! "$1" --root "$2" --factory "$3" --stack "$4" lock-status | grep -q "^held"; do sleep 0.05; done; '
              'exit 5')
    r = s.run("--json", "lock", "--", "sh", "-c", script, "sh", EXE, s.root, cli_test.FACTORY, cli_test.STACK)
    doc = json_doc(r)
    check(r.returncode == 5 and doc is not None and doc["exit-status"] == 5 and doc["released"] is False
          and doc["release-error"] and "releasing the lock" in r.stderr,
          "--json lock: a failed release is released=false with the error, CMD's status kept", r)
    wait_for_lock(s, "free", seconds=10)


TESTS = [
    test_ctrl_c_on_a_terminal_reaches_cmd_once, test_ctrl_z_stops_and_fg_continues_cmd_in_the_foreground,
    test_background_job_reading_the_terminal_stops_then_reads_after_fg,
    test_signal_to_the_whole_group_reaches_cmd_once,
    test_signal_to_sealstate_reaches_cmd_once, test_cmd_dies_with_sealstate, test_huge_lock_timeout_waits,
    test_long_command_line_is_truncated_in_the_marker, test_json_document_after_cmd,
    test_json_document_when_release_fails,
]


def main():
    return cli_test.run_tests(TESTS, prefix="sealstate-cli-lock-")


if __name__ == "__main__":
    sys.exit(main())
