"""The Python peers of db_bench: SELECT now() through a Twisted connection pool.

    python_peer_bench.py --peer txpostgres|adbapi --dsn CONNINFO [--workload now|join]
                         [--concurrency 64] [--pool 8] [--seconds 10] [--warmup 1]

`concurrency` callers each call the pool's runQuery("SELECT now()") and issue
the next as soon as the previous one's Deferred fires, exactly like the
db::Pool callers in db_bench.cpp. The pool holds `pool` connections:

  txpostgres  txpostgres.ConnectionPool(min=pool): asynchronous psycopg2
              connections driven by the reactor, one query at a time each.
  adbapi      twisted.enterprise.adbapi.ConnectionPool("psycopg2",
              cp_min=cp_max=pool): blocking psycopg2 in a pool of threads.

After a warm-up, measures for `seconds`: queries, errors, wall time, this
process's CPU time (getrusage(RUSAGE_SELF): every thread of this process,
adbapi's workers included, never the server), and latency p50/p99 of the
queries started inside the window. Prints one JSON object on stdout;
{"skipped": reason} when the peer cannot run (missing module, no
connection), so db_bench can report it and go on. Exit status 0 whenever a
JSON object was printed.
"""

import argparse
import json
import resource
import sys
import time


# The workloads of db_bench.cpp (kept in step by hand); %s: psycopg2's placeholder.
STATEMENTS = {
    "now": ("SELECT now()", False),
    "join": ("SELECT a.id, a.name, b.amount FROM bench_join_a a JOIN bench_join_b b ON b.a_id = a.id "
             "WHERE a.id = %s", True),
}
JOIN_KEYS = 1000


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    return sorted_values[int(p * (len(sorted_values) - 1))]


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def make_txpostgres(dsn, size):
    from txpostgres import txpostgres

    pool = txpostgres.ConnectionPool(None, dsn, min=size)
    return pool, pool.start, pool.close


def make_adbapi(dsn, size):
    import psycopg2  # noqa: F401  (fail here, as a skip, not in a worker thread)
    from twisted.enterprise import adbapi

    pool = adbapi.ConnectionPool("psycopg2", dsn, cp_min=size, cp_max=size, cp_noisy=False)

    def start():
        # adbapi connects lazily in its threads; open every connection now so
        # a bad DSN is a skip and connecting is not part of the warm-up.
        from twisted.internet import defer
        return defer.gatherResults([pool.runQuery("SELECT 1") for _ in range(size)], consumeErrors=True)

    return pool, start, pool.close


PEERS = {"txpostgres": make_txpostgres, "adbapi": make_adbapi}


class Measurement:
    """Keeps `concurrency` runQuery calls in flight until the window ends."""

    def __init__(self, reactor, run_query, concurrency, warmup, seconds, workload="now"):
        self.sql, self.keyed = STATEMENTS[workload]
        self.key = 0
        self.reactor = reactor
        self.run_query = run_query
        self.concurrency = concurrency
        self.warmup = warmup
        self.seconds = seconds
        self.active = 0
        self.window_start = None  # perf_counter() when measuring began
        self.window_end = None    # no call starts at or after this
        self.cpu_start = 0.0
        self.queries = 0
        self.errors = 0
        self.first_error = None
        self.latency_us = []
        self.result = None
        self.on_done = None

    def start(self, on_done):
        self.on_done = on_done
        self.reactor.callLater(self.warmup, self._open_window)
        for _ in range(self.concurrency):
            self.active += 1
            self._issue()

    def _open_window(self):
        self.cpu_start = cpu_seconds()
        self.window_start = time.perf_counter()
        self.window_end = self.window_start + self.seconds

    def _issue(self):
        t0 = time.perf_counter()
        if self.window_end is not None and t0 >= self.window_end:
            self.active -= 1
            if self.active == 0:
                self._finish()
            return
        try:
            if self.keyed:
                self.key = self.key % JOIN_KEYS + 1
                d = self.run_query(self.sql, (self.key,))
            else:
                d = self.run_query(self.sql)
        except Exception as e:  # a pool that refuses synchronously
            self._failed(repr(e), t0)
            self.reactor.callLater(0, self._issue)
            return
        d.addCallbacks(self._ok, self._err, callbackArgs=(t0,), errbackArgs=(t0,))

    def _counted(self, t0):
        return self.window_start is not None and t0 >= self.window_start

    def _ok(self, _rows, t0):
        if self._counted(t0):
            self.queries += 1
            self.latency_us.append((time.perf_counter() - t0) * 1e6)
        self._issue()

    def _err(self, failure, t0):
        self._failed(failure.getErrorMessage(), t0)
        # Never call straight back after an error: a pool that fails every
        # call at once would recurse.
        self.reactor.callLater(0, self._issue)

    def _failed(self, message, t0):
        if self.first_error is None:
            self.first_error = message
        if self._counted(t0):
            self.errors += 1

    def _finish(self):
        elapsed = time.perf_counter() - self.window_start
        cpu = cpu_seconds() - self.cpu_start
        lat = sorted(self.latency_us)
        self.result = {
            "queries": self.queries,
            "errors": self.errors,
            "seconds": elapsed,
            "cpu_seconds": cpu,
            "qps": self.queries / elapsed if elapsed > 0 else 0.0,
            "cpu_us_per_query": cpu * 1e6 / max(self.queries, 1),
            "p50_us": percentile(lat, 0.50),
            "p99_us": percentile(lat, 0.99),
            "first_error": self.first_error,
        }
        self.on_done()


def main():
    p = argparse.ArgumentParser(description="db_bench's Python peers")
    p.add_argument("--peer", required=True, choices=sorted(PEERS))
    p.add_argument("--dsn", required=True, help="libpq conninfo")
    p.add_argument("--workload", choices=sorted(STATEMENTS), default="now")
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--pool", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--warmup", type=float, default=1.0)
    args = p.parse_args()
    if args.concurrency < 1 or args.pool < 1 or args.seconds <= 0 or args.warmup < 0:
        p.error("need --concurrency >= 1, --pool >= 1, --seconds > 0, --warmup >= 0")

    out = {"peer": args.peer, "concurrency": args.concurrency, "pool": args.pool}
    try:
        from twisted.internet import reactor
        pool, start, close = PEERS[args.peer](args.dsn, args.pool)
    except Exception as e:  # ImportError above all: the venv lacks the peer
        out["skipped"] = "cannot load %s: %r" % (args.peer, e)
        emit(out)
        return 0
    out["reactor"] = type(reactor).__name__

    m = Measurement(reactor, pool.runQuery, args.concurrency, args.warmup, args.seconds, args.workload)
    state = {"stopping": False}

    def stop(reason=None):
        if state["stopping"]:
            return
        state["stopping"] = True
        if reason is not None:
            out["skipped"] = reason
        try:
            close()
        except Exception:
            pass
        reactor.callLater(0, reactor.stop)

    def started(_):
        m.start(stop)

    def not_started(failure):
        from twisted.internet import defer
        if failure.check(defer.FirstError):  # gatherResults wraps the first failure
            failure = failure.value.subFailure
        stop("could not open the pool: %s" % failure.getErrorMessage().strip())

    def begin():
        d = start()
        d.addCallbacks(started, not_started)

    # A peer that hangs must not hang db_bench: give up well after the window.
    reactor.callLater(args.warmup + args.seconds + 30, stop, "timed out")
    reactor.callWhenRunning(begin)
    reactor.run()

    if "skipped" not in out:
        out.update(m.result)
    emit(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
