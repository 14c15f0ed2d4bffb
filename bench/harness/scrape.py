"""What Prometheus costs pgwamp: calls/s at a fixed number of calls
outstanding with /metrics scraped every second, against the same load
without scraping, in ABBA order (off, on, on, off, off, on, ...) so a
machine that slows down or speeds up steadily (other jobs) hits both alike. Also the scrape's own duration as the scraper sees
it (HTTP included), and pgwamp's CPU per call in both. pgwamp is given
1,000 extra configured procedures (never called), so each scrape carries
what a big deployment's would. Target: scraping every second costs <= 2 %
of calls/s."""

import socket
import statistics
import threading
import time
import urllib.request

import callees
from phases import run_load, start_or_skip


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Scraper:
    """GET /metrics every `period` seconds on its own thread; keeps each scrape's duration."""

    def __init__(self, port, period=1.0):
        self.url = f"http://127.0.0.1:{port}/metrics"
        self.period = period
        self.ms = []
        self.failures = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    r.read()
                self.ms.append((time.monotonic() - started) * 1000)
            except OSError:
                self.failures += 1
            self._stop.wait(max(0.0, self.period - (time.monotonic() - started)))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(10)


EXTRA_PROCEDURES = 1000


def scrape_compare(env, concurrency, warmup, duration, loadgen_cpus, log, rounds=4,
                   extra_procedures=EXTRA_PROCEDURES):
    rows = []
    port = _free_port()
    extra = {f"com.example.bench.extra_{i}": {"sql": "SELECT 1 AS one", "single": "value"}
             for i in range(extra_procedures)}
    child = start_or_skip("pgwamp", rows, log,
                          lambda: callees.start("pgwamp", env, admin=f"127.0.0.1:{port}", procedures=extra))
    if child is None:
        return rows
    try:
        callees.wait_callable(env, "pgwamp", child, loadgen_cpus)
        for i in range(rounds):
            for scraped in ((False, True) if i % 2 == 0 else (True, False)):
                label = f"loadgen-scrape-{'on' if scraped else 'off'}-{i}"
                if scraped:
                    with Scraper(port) as s:
                        m = run_load(env, {"callee": child.pid}, "pgwamp", concurrency, warmup, duration,
                                     loadgen_cpus, label)
                    scrape_ms = statistics.median(s.ms) if s.ms else None
                    scrapes, failures = len(s.ms), s.failures
                else:
                    m = run_load(env, {"callee": child.pid}, "pgwamp", concurrency, warmup, duration,
                                 loadgen_cpus, label)
                    scrape_ms, scrapes, failures = None, 0, 0
                r = m["result"]
                rows.append({"round": i, "scraped": scraped, "concurrency": concurrency,
                             "calls_per_s": r["calls_per_s"], "latency_us": r["latency_us"],
                             "errors": r["errors"], "callee_cpu_us": m["cpu_us_per_call"]["callee"],
                             "scrapes": scrapes, "scrape_failures": failures, "scrape_ms_median": scrape_ms})
                cpu = m["cpu_us_per_call"]["callee"]
                log(f"scrape {'on ' if scraped else 'off'} round {i}: {r['calls_per_s']:.0f} calls/s "
                    f"p99 {r['latency_us']['p99']:.0f} us, pgwamp {cpu:.2f} us CPU/call" +
                    (f", {scrapes} scrapes, median {scrape_ms:.2f} ms" if scraped and scrape_ms else ""))
        off = [r["calls_per_s"] for r in rows if not r["scraped"]]
        on = [r["calls_per_s"] for r in rows if r["scraped"]]
        cost = 1 - statistics.mean(on) / statistics.mean(off)
        pairs = [1 - a / b for a, b in zip(on, off)]
        log("scrape: per round cost " + ", ".join(f"{p * 100:+.1f} %" for p in pairs))
        cpu_off = statistics.mean(r["callee_cpu_us"] for r in rows if not r["scraped"])
        cpu_on = statistics.mean(r["callee_cpu_us"] for r in rows if r["scraped"])
        log(f"scrape: pgwamp CPU per call {cpu_off:.2f} us without, {cpu_on:.2f} us with scraping")
        log(f"scrape: every 1 s costs {cost * 100:.1f} % of calls/s at {concurrency} outstanding "
            f"(off {statistics.mean(off):.0f}, on {statistics.mean(on):.0f}; target <= 2 %)")
    finally:
        child.stop()
    return rows
