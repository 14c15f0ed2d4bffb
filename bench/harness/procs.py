"""Processes for the bench: free ports, child processes that are always
stopped (even when the bench fails), and the /proc figures we report."""

import fcntl
import json
import os
import random
import signal
import socket
import subprocess
import threading
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


LOWEST_LISTENING_PORT = 10000


_RESERVED = []  # open lock files: each lock lasts as long as this process


def _reserve(port):
    """The tests' port lock (tests/support/ports.cpp): an flock on
    /tmp/pgwamp-test-ports/<port>, held until this process exits, so two
    pickers running at once never draw the same port."""
    directory = "/tmp/pgwamp-test-ports"
    try:
        os.makedirs(directory, mode=0o1777, exist_ok=True)
        f = open(os.path.join(directory, str(port)), "a")
    except OSError:
        return True  # cannot lock: the bind probe alone decides
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.close()
        return False
    _RESERVED.append(f)
    return True


def free_port():
    """A free port on 127.0.0.1 below the kernel's ephemeral range: one from
    inside it can be handed to an outgoing connection (the load phases open
    thousands) before the server we start binds it."""
    with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
        below = int(f.read().split()[0])
    candidates = [random.randrange(LOWEST_LISTENING_PORT, below) for _ in range(100)] \
        if below > LOWEST_LISTENING_PORT + 1000 else []
    for port in candidates + [0]:
        if port and not _reserve(port):
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port on 127.0.0.1")


def wait_port(port, timeout, proc=None):
    """Wait until 127.0.0.1:port accepts a connection, or fail clearly."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        # The command name may contain spaces; fields restart after the last ')'.
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mb(pid):
    with open(f"/proc/{pid}/statm") as f:
        return int(f.read().split()[1]) * PAGE / (1024 * 1024)


def peak_rss_mb(pid):
    """VmHWM: the most resident memory the process ever had."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return None


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Child:
    """A child process whose stdout carries JSON lines ({"event": ...}).
    Lines are collected by a thread; wait_for() blocks on one event with an
    upper bound, so nothing here depends on timing to be correct."""

    def __init__(self, name, argv, log_dir, env=None, cpus=None, cwd=None):
        self.name = name
        self.lines = []
        self._cond = threading.Condition()
        self.log_path = os.path.join(log_dir, f"{name}.log")
        self._log = open(self.log_path, "ab")
        if cpus:
            argv = ["taskset", "-c", cpus] + list(argv)
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log, env=env, cwd=cwd,
                                     start_new_session=True)
        self.pid = self.proc.pid
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            self._log.write(raw)
            self._log.flush()
            try:
                line = json.loads(raw)
            except ValueError:
                continue
            if isinstance(line, dict):
                with self._cond:
                    self.lines.append(line)
                    self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, event, timeout, start=0):
        """The first line with this event at index >= start; raises on exit or timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for i in range(start, len(self.lines)):
                    if self.lines[i].get("event") == event:
                        return self.lines[i]
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise RuntimeError(f"{self.name} exited ({self.proc.returncode}) without '{event}'; "
                                       f"see {self.log_path}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise RuntimeError(f"{self.name}: no '{event}' after {timeout} s; see {self.log_path}")
                self._cond.wait(min(left, 0.5))

    def running(self):
        return self.proc.poll() is None

    def stop(self, timeout=10):
        """SIGTERM, then SIGKILL after timeout; the whole process group of this child only."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.proc.wait(5)
        self._reader.join(5)
        self._log.close()
        return self.proc.returncode
