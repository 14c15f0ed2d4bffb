"""The stream phase: many rows of com.example.numbers to one C++ caller.

pgwamp sends them as progressive results (a cursor read at the router's
pace: service/streamed_query.hpp); the txpostgres peer sends them all in one
result, as the Crossbar chapter's component would. bench_stream_call makes
the call and counts rows, their MessagePack size and the time to the first
chunk; the harness reads each callee's peak RSS (VmHWM; every callee is
started afresh for the phase, so it is the phase's peak) and samples the
router's RSS while the call runs.

Everyone here (callees and caller) joins through the router's WebSocket
transport: RawSocket cannot carry a message over 16 MB, and the peer's one
result of 1,000,000 rows is about 47 MB; Crossbar allows 64 MB on WebSocket
(router.py), and the peer raises Autobahn's own 1 MB WebSocket limit to
match (with it, a bigger YIELD is logged and never sent). A last pgwamp run with a slow caller (bench_stream_call
--chunk-delay-ms) shows what the router does when the caller reads slower
than the callee sends: it has no flow control of its own."""

import os
import threading
import time

import callees
from phases import start_or_skip
from procs import Child, cpu_seconds, peak_rss_mb, rss_mb

PROCEDURE = "com.example.numbers"
# As in config/pgwamp.json.
NUMBERS = {PROCEDURE: {
    "mode": "query", "sql": "SELECT n, md5(n::text) AS hash FROM (SELECT generate_series(1, $1) AS n) AS numbers",
    "args": [{"name": "count", "type": "int", "min": 0, "max": 10_000_000}],
    "max_rows": 10_000, "stream_max_rows": 10_000_000}}
WARMUP_ROWS = 1000
SLOW_DELAY_MS = 10
MAX_MESSAGE = 64 * 1024 * 1024  # router.WS_MAX_MESSAGE_SIZE
MSGPACK_ROW = 47  # {n, hash} with n > 65535; only for the fallback below


def stream_compare(env, kinds, count, loadgen_cpus, log):
    rows = []
    bytes_per_row = None
    for kind in kinds:
        child = _start(env, kind, rows, log)
        if child is None:
            continue
        try:
            callees.wait_callable(env, kind, child, loadgen_cpus)
            progress = kind == "pgwamp"
            _call(env, kind, WARMUP_ROWS, progress, loadgen_cpus, "warmup")
            row = _measure(env, kind, child, count, progress, loadgen_cpus, log)
            if kind != "pgwamp" and row["error"] and row["bytes"] == 0:
                # One message too big for the router: measure the largest count that fits, and say so.
                fit = int(0.9 * MAX_MESSAGE / (bytes_per_row or MSGPACK_ROW))
                if fit < count:
                    log(f"stream: {kind} {count} rows failed ({row['error']}); trying {fit}")
                    # A message over the router's limit may have cost the peer its session.
                    child.stop()
                    child = callees.start(kind, env, name=f"{kind}-stream-fit", url=env.router.ws_url,
                                          max_message_size=MAX_MESSAGE)
                    callees.wait_callable(env, kind, child, loadgen_cpus)
                    retry = _measure(env, kind, child, fit, progress, loadgen_cpus, log)
                    retry["not_fitting"] = {"rows": count, "error": row["error"]}
                    row = retry
            rows.append(row)
            if kind == "pgwamp" and row["rows"]:
                bytes_per_row = row["bytes"] / row["rows"]
                slow = _measure(env, kind, child, count, progress, loadgen_cpus, log, delay_ms=SLOW_DELAY_MS)
                rows.append(slow)
        except Exception as e:  # noqa: BLE001 - one callee failing must not lose the others' rows
            log(f"stream: {kind} failed: {e}")
            rows.append({"callee": kind, "skipped": f"failed: {e}"})
        finally:
            child.stop()
    return rows


def _start(env, kind, rows, log):
    """The callee joined through the WebSocket transport, or None with a row saying why not."""
    if kind == "pgwamp":
        return start_or_skip(kind, rows, log, lambda: callees.start(
            "pgwamp", env, name="pgwamp-stream", procedures=NUMBERS, url=env.router.ws_url))
    return start_or_skip(kind, rows, log, lambda: callees.start(
        kind, env, name=f"{kind}-stream", url=env.router.ws_url, max_message_size=MAX_MESSAGE))


def _caller(env, kind, count, progress, loadgen_cpus, label, delay_ms=0):
    argv = [os.path.join(env.tools, "bench_stream_call"), "--url", env.router.ws_url, "--procedure", PROCEDURE,
            "--args", f"[{count}]", "--timeout", str(count / 1000 + 120)]
    if progress:
        argv.append("--progress")
    if delay_ms:
        argv += ["--chunk-delay-ms", str(delay_ms)]
    return Child(f"stream-call-{kind}-{label}", argv, env.log_dir, cpus=loadgen_cpus)


def _call(env, kind, count, progress, loadgen_cpus, label):
    caller = _caller(env, kind, count, progress, loadgen_cpus, label)
    try:
        result = caller.wait_for("result", count / 1000 + 180)
    finally:
        caller.stop()
    if result["error"]:
        raise RuntimeError(f"{label} call of {count} rows: {result['error']}")
    return result


class _RssSampler:
    """The highest RSS of a process while a call runs (every 50 ms)."""

    def __init__(self, pid):
        self.pid = pid
        self.before = rss_mb(pid)
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, rss_mb(self.pid))
            except OSError:
                return
            self._stop.wait(0.05)

    def stop(self):
        self._stop.set()
        self._thread.join(5)
        return self.peak


def _measure(env, kind, child, count, progress, loadgen_cpus, log, delay_ms=0):
    peak_before = peak_rss_mb(child.pid)
    cpu0, router_cpu0 = cpu_seconds(child.pid), cpu_seconds(env.router.worker_pid)
    router = _RssSampler(env.router.worker_pid)
    caller = _caller(env, kind, count, progress, loadgen_cpus, f"{count}-{delay_ms}ms", delay_ms)
    try:
        r = caller.wait_for("result", count / 1000 + 180)
    finally:
        router_peak = router.stop()
        caller.stop()
    cpu1, router_cpu1 = cpu_seconds(child.pid), cpu_seconds(env.router.worker_pid)
    peak = peak_rss_mb(child.pid)
    row = {"callee": kind, "requested": count, "progress": progress, "chunk_delay_ms": delay_ms,
           "rows": r["rows"], "chunks": r["chunks"], "bytes": r["bytes"], "offset_errors": r["offset_errors"],
           "announced_rows": r["announced_rows"], "first_chunk_ms": r["first_chunk_ms"], "seconds": r["total_s"],
           "rows_per_s": r["rows_per_s"], "mb_per_s": r["mb_per_s"], "error": r["error"] or r["shape_error"],
           "peak_rss_before_mb": peak_before, "peak_rss_mb": peak,
           "callee_cpu_s": cpu1 - cpu0, "router_cpu_s": router_cpu1 - router_cpu0,
           "router_rss_before_mb": router.before, "router_rss_peak_mb": router_peak,
           "router_rss_after_mb": rss_mb(env.router.worker_pid)}
    log(f"stream: {kind} {count} rows{' (progressive)' if progress else ''}"
        f"{f', caller sleeps {delay_ms} ms per chunk' if delay_ms else ''}: got {r['rows']} in {r['chunks']} chunks, "
        f"{r['rows_per_s']:.0f} rows/s, {r['mb_per_s']:.1f} MB/s, first chunk {r['first_chunk_ms']} ms, "
        f"peak RSS {peak_before:.1f} -> {peak:.1f} MB, router RSS {router.before:.0f} -> {router_peak:.0f} MB"
        + (f"; error {row['error']}" if row["error"] else ""))
    return row
