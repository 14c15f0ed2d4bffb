"""The standby phase (issue 21): reads of read_only procedures on a streaming standby, with read-your-writes.

The bench's PostgreSQL gets a streaming standby (cluster.Cluster.start_standby: pg_basebackup -R, hot standby,
hot_standby_feedback) and a table bench_reads (id, body; ROWS rows). Every procedure returns pg_is_in_recovery()
beside the row, so each result says where its SQL ran. pgwamp connects to the primary with
synchronous_commit=on, as on a default server: the cluster's own setting is off, and a walsender sends only
flushed WAL, so a write would reach the standby up to wal_writer_delay (200 ms) late and every read after a
write would wait that long.

1. Reads/s and pgwamp CPU per read. bench_loadgen keeps `concurrency` calls of `SELECT id, body,
   pg_is_in_recovery() ... WHERE id = $1` outstanding (id: the argument's default, the load generator sends
   none), in four configurations, on the same router, primary and standby:
     a. pgwamp without replicas, the procedure read_only (it runs on the primary, in a READ ONLY transaction);
     b. pgwamp with the standby, the procedure read_only: it runs on the standby;
     c. the same pgwamp, the same SQL in a procedure that is not read_only: it runs on the primary, and as a
        write it reads the primary's WAL position behind each call (what read-your-writes costs a writer);
     d. pgwamp without replicas, the procedure not read_only: pgwamp before issue 21.
   Runs in the order a d b c c b d a (rounds times), so a drifting machine hits each alike; pgwamp started once
   per group (no replicas: a, d; with the standby: b, c). CPU from /proc at the window's edges (pgwamp, router,
   primary, standby: each postmaster and its children). Where the reads ran: pgwamp's /metrics counters
   (pgwamp_reads_total by server) over the run, cross-checked with pg_stat_statements on each server (the
   statement's calls on the standby and on the primary).
2. Read-your-writes in a mix: `writers` sessions each UPDATE their own row (a procedure that is not read_only)
   with a new value and read it back at once (read_only), again and again; `readers` sessions only read other
   rows. Separate WAMP sessions (this file run as a script: one asyncio process, Autobahn, RawSocket +
   MessagePack), on a router that discloses the caller, since pgwamp keeps each write's position per caller
   session (callers it cannot tell apart share one entry and wait for each other's writes). Per side: reads, the
   share pg_is_in_recovery() says ran on the standby, read latency; for the writers, stale reads (a read after
   the session's own write that does not return the written value). Cross-checked against the health
   procedure's standbys.reads_on_standbys / reads_on_primary over the whole run. Once per recovery_min_apply_delay
   of the standby in `apply_delays` (a fresh standby and pgwamp for each)."""

import json
import os
import statistics
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

TABLE = "bench_reads"
ROWS = 1000
READ_RO = "com.example.bench.standby.read"          # read_only: a standby when there is one
READ_PLAIN = "com.example.bench.standby.read_plain"  # the same SQL, not read_only: always the primary
WRITE = "com.example.bench.standby.write"
HEALTH = "com.example.health"
STANDBY_NAME = "standby1"
READ_SQL = f"SELECT id, body, pg_is_in_recovery() AS on_standby FROM {TABLE} WHERE id = $1"
WRITE_SQL = f"UPDATE {TABLE} SET body = $2 WHERE id = $1"
DEFAULT_ID = 7  # the id bench_loadgen reads (it sends no arguments)
ROUTING = {"max_wait_ms": 500, "max_lag_ms": 1000, "poll_interval_ms": 100}  # the documented defaults
# The configurations of figure 1: (pgwamp group, procedure) and what each is.
CONFIGS = {
    "a": ("primary", READ_RO, "no replicas, read_only"),
    "b": ("standby", READ_RO, "standby, read_only"),
    "c": ("standby", READ_PLAIN, "standby, not read_only"),
    "d": ("primary", READ_PLAIN, "no replicas, not read_only"),
}
ORDER = "adbccbda"  # one round; ABBA around the middle

SCHEMA = f"""
DROP TABLE IF EXISTS {TABLE};
CREATE TABLE {TABLE} (id integer PRIMARY KEY, body text NOT NULL);
INSERT INTO {TABLE} SELECT i, 'row' || i FROM generate_series(1, {ROWS}) AS i;
ANALYZE {TABLE}"""


def procedures(read_only_name=READ_RO, plain_name=READ_PLAIN):
    arg = [{"name": "id", "type": "int", "default": DEFAULT_ID}]
    return {
        read_only_name: {"sql": READ_SQL, "args": arg, "single": "row", "read_only": True},
        plain_name: {"sql": READ_SQL, "args": arg, "single": "row"},
        WRITE: {"mode": "operation", "sql": WRITE_SQL,
                "args": [{"name": "id", "type": "int"}, {"name": "body", "type": "string"}]},
    }


def synchronous_dsn(cluster):
    """The bench database as a default server commits (see the module's doc)."""
    return cluster.dsn() + " options='-c synchronous_commit=on'"


# ---------------------------------------------------------------------------------------------------- harness side

def standby_compare(env, concurrency, warmup, duration, readers, writers, mix_warmup, mix_duration, apply_delays,
                    loadgen_cpus, log, rounds=1, configs="abcd", order=None):
    """`order`: the configurations' order instead of ORDER repeated `rounds` times (the smoke: each once)."""
    import ab_compare
    from phases import start_or_skip

    rows = []
    env.cluster.psql(SCHEMA, db="bench")
    # Read-your-writes is per caller session: the router must say who calls.
    e, owned = ab_compare.own_router(env, disclose_caller=True)
    standby = None
    try:
        standby = env.cluster.start_standby(env.log_dir, apply_delay_ms=apply_delays[0])
        _wait_replayed(env.cluster, standby)
        log(f"standby: streaming on port {standby.port} (recovery_min_apply_delay {apply_delays[0]} ms)")
        order = [c for c in (order or ORDER * rounds) if c in configs]
        i = 0
        while i < len(order):
            # A run of configurations of the same group shares one pgwamp.
            group = CONFIGS[order[i]][0]
            j = i
            while j < len(order) and CONFIGS[order[j]][0] == group:
                j += 1
            child = start_or_skip("pgwamp", rows, log, lambda: _start_pgwamp(
                e, f"pgwamp-standby-{group}-{i}", standby if group == "standby" else None))
            if child is None:
                return rows
            try:
                for k in range(i, j):
                    rows.append(_read_run(e, child, standby, order[k], k, concurrency, warmup, duration,
                                          loadgen_cpus, log))
            finally:
                child.stop()
            i = j
        for n, delay in enumerate(apply_delays):
            if n > 0:
                standby.stop()
                standby = None
                standby = env.cluster.start_standby(env.log_dir, apply_delay_ms=delay)
                _wait_replayed(env.cluster, standby)
                log(f"standby: restarted with recovery_min_apply_delay {delay} ms")
            child = start_or_skip("pgwamp", rows, log, lambda: _start_pgwamp(e, f"pgwamp-standby-mix-{delay}",
                                                                              standby))
            if child is None:
                break
            try:
                rows.append(_mix_run(e, child, standby, delay, readers, writers, mix_warmup, mix_duration,
                                     loadgen_cpus, log))
            finally:
                child.stop()
    finally:
        if standby:
            standby.stop()
        if owned:
            e.router.stop()
    for s in summary(rows):
        log(f"standby: {s['config']} ({CONFIGS[s['config']][2]}): {s['calls_per_s']:.0f} reads/s "
            f"({_x(s['calls_ratio'])} a), pgwamp {s['callee_cpu_us']:.1f} us CPU/read ({_x(s['cpu_ratio'])} a), "
            f"standby share {_pct(s['standby_share'])}")
    return rows


def _x(v):
    return "–" if v is None else f"{v:.2f}x"


def _pct(v):
    return "–" if v is None else f"{100 * v:.1f} %"


def _wait_replayed(primary, standby, timeout=30):
    """Until the standby has replayed the primary's WAL as it is now (the table and its rows)."""
    target = primary.psql("SELECT pg_current_wal_lsn()")
    deadline = time.monotonic() + timeout
    while standby.psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn") != "t":
        if time.monotonic() > deadline:
            raise RuntimeError(f"the standby did not replay {target} in {timeout} s")
        time.sleep(0.05)  # the cluster commits asynchronously: the WAL writer flushes within wal_writer_delay


def _start_pgwamp(env, name, standby):
    """pgwamp as callees.start makes it, with an admin listener (/metrics) and, given a standby, the replicas."""
    import callees
    from procs import Child, free_port

    if not env.pgwamp or not os.path.exists(env.pgwamp):
        raise FileNotFoundError(f"pgwamp binary not found at {env.pgwamp}")
    admin = f"127.0.0.1:{free_port()}"
    config = callees.pgwamp_config(env, procedures=procedures(), admin=admin, conninfo=synchronous_dsn(env.cluster))
    if standby:
        config["database"]["replicas"] = [{"name": STANDBY_NAME, "conninfo": standby.dsn("bench")}]
        config["database"]["replica_routing"] = dict(ROUTING)
    path = os.path.join(env.log_dir, f"{name}.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    child = Child(name, [env.pgwamp, "--config", path], env.log_dir, cpus=env.cpus)
    child.admin = admin
    try:
        callees.wait_callable(env, "pgwamp", child, None, proc=READ_RO)
        if standby:
            _wait_standby_up(child)
    except Exception:
        child.stop()
        raise
    return child


def metrics(child):
    """pgwamp's /metrics as {name{labels}: value}."""
    with urllib.request.urlopen(f"http://{child.admin}/metrics", timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            try:
                out[key] = float(value)
            except ValueError:
                pass
    return out


def _reads(m):
    return {"primary": m.get('pgwamp_reads_total{server="primary"}', 0.0),
            "standby": m.get(f'pgwamp_reads_total{{server="{STANDBY_NAME}"}}', 0.0),
            "waited_out": m.get("pgwamp_reads_waited_out_total", 0.0)}


def _wait_standby_up(child, timeout=30):
    """Until pgwamp takes reads on the standby (its first polls answered)."""
    deadline = time.monotonic() + timeout
    while metrics(child).get(f'pgwamp_standby_up{{standby="{STANDBY_NAME}"}}') != 1.0:
        if time.monotonic() > deadline or not child.running():
            raise RuntimeError(f"pgwamp never saw {STANDBY_NAME} up; see {child.log_path}")
        time.sleep(0.1)


def _statement_calls(server):
    """How many times the read's statement ran on this server (pg_stat_statements, the bench database)."""
    return int(server.psql("SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s JOIN pg_database d "
                           f"ON d.oid = s.dbid WHERE d.datname = 'bench' AND s.query ILIKE '%FROM {TABLE} WHERE%' "
                           "AND s.query ILIKE 'select%'", db="bench"))


def _server_cpu(server):
    """CPU of a server's postmaster and its children (backends, startup, walreceiver, ...) alive now."""
    from cluster import Cluster
    return Cluster.cpu_seconds(server)


def _sample(env, child, standby):
    from procs import cpu_seconds
    return {"t": time.monotonic(), "pgwamp": cpu_seconds(child.pid), "router": cpu_seconds(env.router.worker_pid),
            "primary": _server_cpu(env.cluster), "standby": _server_cpu(standby)}


def _read_run(env, child, standby, config, k, concurrency, warmup, duration, loadgen_cpus, log):
    """One bench_loadgen window of configuration `config`."""
    from phases import _loadgen

    group, proc, what = CONFIGS[config]
    m0, st0, pr0 = _reads(metrics(child)), _statement_calls(standby), _statement_calls(env.cluster)
    lg = _loadgen(env, f"loadgen-standby-{config}-{k}", proc, concurrency, warmup, duration, loadgen_cpus)
    try:
        lg.wait_for("measure_start", warmup + 30)
        before = _sample(env, child, standby)
        lg.wait_for("measure_end", duration + 30)
        after = _sample(env, child, standby)
        r = lg.wait_for("result", 30)
    finally:
        lg.stop(15)
    m1, st1, pr1 = _reads(metrics(child)), _statement_calls(standby), _statement_calls(env.cluster)
    n = r["calls"]
    cpu = {key: (after[key] - before[key]) * 1e6 / n if n else None for key in ("pgwamp", "router", "primary",
                                                                                 "standby")}
    counted = {key: m1[key] - m0[key] for key in m0}
    ran = {"standby": st1 - st0, "primary": pr1 - pr0}
    total = counted["standby"] + counted["primary"]
    row = {"kind": "reads", "config": config, "group": group, "procedure": proc, "what": what, "run": k,
           "concurrency": concurrency, "calls_per_s": r["calls_per_s"], "calls": n, "latency_us": r["latency_us"],
           "errors": r["errors"], "no_reply": r["no_reply"], "loadgen_cpu_percent": r["loadgen_cpu_percent"],
           "callee_cpu_us": cpu["pgwamp"], "router_cpu_us": cpu["router"], "primary_cpu_us": cpu["primary"],
           "standby_cpu_us": cpu["standby"],
           # pgwamp's counters (only with replicas) count calls of read_only procedures: config b's, not c's.
           "counted": counted, "statements": ran,
           "standby_share": counted["standby"] / total if total else 0.0,
           "statement_standby_share": ran["standby"] / max(ran["standby"] + ran["primary"], 1)}
    log(f"standby {config} ({what}) run {k}: {r['calls_per_s']:.0f} reads/s p50 {r['latency_us']['p50']:.0f} us "
        f"p99 {r['latency_us']['p99']:.0f} us; CPU us/read pgwamp {_f(cpu['pgwamp'])} router {_f(cpu['router'])} "
        f"primary {_f(cpu['primary'])} standby {_f(cpu['standby'])}; pgwamp counted standby "
        f"{counted['standby']:.0f} primary {counted['primary']:.0f}; statements ran standby {ran['standby']} "
        f"primary {ran['primary']}; errors {r['errors']}")
    return row


def _f(v, digits=1):
    return "–" if v is None else f"{v:.{digits}f}"


def _mix_run(env, child, standby, delay, readers, writers, warmup, duration, loadgen_cpus, log):
    """Writers read their own writes, readers only read: the client below, in its own process."""
    from procs import Child, cpu_seconds

    argv = [env.python, os.path.abspath(__file__), "--url", env.router.url, "--readers", str(readers),
            "--writers", str(writers), "--warmup", str(warmup), "--duration", str(duration), "--rows", str(ROWS)]
    client = Child(f"standby-mix-{delay}", argv, env.log_dir, cpus=loadgen_cpus)
    try:
        client.wait_for("ready", 60)
        client.wait_for("measure_start", warmup + 30)
        c0, s0, p0 = cpu_seconds(child.pid), _server_cpu(standby), _server_cpu(env.cluster)
        client.wait_for("measure_end", duration + 30)
        c1, s1, p1 = cpu_seconds(child.pid), _server_cpu(standby), _server_cpu(env.cluster)
        r = client.wait_for("result", 60)
    finally:
        client.stop(15)
    h0, h1 = r["health_before"] or {}, r["health_after"] or {}
    counted = {k: (h1.get(k) or 0) - (h0.get(k) or 0) for k in ("reads_on_standbys", "reads_on_primary",
                                                                 "reads_waited_out")}
    seen = r["all_reads"]
    reads = r["readers"]["reads"] + r["writers"]["reads"]
    row = {"kind": "mix", "apply_delay_ms": delay, "readers": readers, "writers": writers, "warmup_s": warmup,
           "duration_s": duration, "readers_side": r["readers"], "writers_side": r["writers"],
           "writes": r["writers"]["writes"], "all_reads": seen, "health_counted": counted,
           "health_standbys_after": h1.get("list"), "client_cpu_percent": r["cpu_percent"],
           "callee_cpu_us_per_call": (c1 - c0) * 1e6 / max(reads + r["writers"]["writes"], 1),
           "standby_cpu_percent": (s1 - s0) * 100 / duration, "primary_cpu_percent": (p1 - p0) * 100 / duration}
    rd, wr = r["readers"], r["writers"]
    log(f"standby mix (apply delay {delay} ms): readers {rd['reads']} reads, on the standby {_pct(_share(rd))}, "
        f"p99 {_ms(rd['latency_us']['p99'])} ms; writers {wr['writes']} writes, {wr['reads']} reads, on the standby "
        f"{_pct(_share(wr))}, stale {wr['stale']}, read p50 {_ms(wr['latency_us']['p50'])} ms p99 "
        f"{_ms(wr['latency_us']['p99'])} ms; errors {rd['errors']} {wr['errors']}; whole run: results say standby "
        f"{seen['standby']} primary {seen['primary']}, health says {counted['reads_on_standbys']} / "
        f"{counted['reads_on_primary']} (waited out {counted['reads_waited_out']})")
    return row


def _share(side):
    n = side["on_standby"] + side["on_primary"]
    return side["on_standby"] / n if n else None


def _ms(us):
    return "–" if us is None else f"{us / 1000:.1f}"


def summary(rows):
    """Figure 1 per configuration: the runs' means, and ratios against configuration a."""
    runs = [r for r in rows if r.get("kind") == "reads"]
    out = []
    for config in sorted({r["config"] for r in runs}):
        mine = [r for r in runs if r["config"] == config]
        s = {"config": config, "what": CONFIGS[config][2], "runs": len(mine)}
        for key in ("calls_per_s", "callee_cpu_us", "router_cpu_us", "primary_cpu_us", "standby_cpu_us",
                    "loadgen_cpu_percent"):
            s[key] = _mean(r[key] for r in mine)
        s["p50_us"] = _mean(r["latency_us"]["p50"] for r in mine)
        s["p99_us"] = _mean(r["latency_us"]["p99"] for r in mine)
        counted = {k: sum(r["counted"][k] for r in mine) for k in ("standby", "primary", "waited_out")}
        ran = {k: sum(r["statements"][k] for r in mine) for k in ("standby", "primary")}
        s["counted"], s["statements"] = counted, ran
        total = counted["standby"] + counted["primary"]
        s["standby_share"] = counted["standby"] / total if total else 0.0
        s["statement_standby_share"] = ran["standby"] / (ran["standby"] + ran["primary"]) \
            if ran["standby"] + ran["primary"] else None
        s["errors"] = sum(sum(r["errors"].values()) + (r["no_reply"] or 0) for r in mine)
        out.append(s)
    base = next((s for s in out if s["config"] == "a"), None)
    for s in out:
        s["calls_ratio"] = s["calls_per_s"] / base["calls_per_s"] if base and base["calls_per_s"] else None
        s["cpu_ratio"] = s["callee_cpu_us"] / base["callee_cpu_us"] \
            if base and base["callee_cpu_us"] and s["callee_cpu_us"] is not None else None
    return out


def _mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


# ----------------------------------------------------------------------------------------------------- client side

def _percentiles(values):
    if not values:
        return {"p50": None, "p90": None, "p99": None, "p999": None, "max": None, "mean": None, "over_20ms": 0}
    v = sorted(values)
    at = lambda q: v[min(len(v) - 1, int(q * len(v)))]  # noqa: E731
    return {"p50": at(0.5), "p90": at(0.9), "p99": at(0.99), "p999": at(0.999), "max": v[-1],
            "mean": sum(v) / len(v), "over_20ms": sum(1 for x in v if x > 20_000)}


class _Side:
    def __init__(self):
        self.reads = self.writes = self.on_standby = self.on_primary = self.stale = 0
        self.errors = {}
        self.read_us = []
        self.write_us = []

    def error(self, uri):
        self.errors[uri] = self.errors.get(uri, 0) + 1

    def result(self):
        return {"reads": self.reads, "writes": self.writes, "on_standby": self.on_standby,
                "on_primary": self.on_primary, "stale": self.stale, "errors": self.errors,
                "latency_us": _percentiles(self.read_us), "write_latency_us": _percentiles(self.write_us)}


async def _client(args):
    """Sessions that read (and, the writers, write first), closed loop, one call outstanding per session."""
    import asyncio
    import random
    from urllib.parse import urlparse

    from autobahn.asyncio.rawsocket import WampRawSocketClientFactory
    from autobahn.asyncio.wamp import ApplicationSession
    from autobahn.wamp.exception import ApplicationError
    from autobahn.wamp.serializer import MsgPackSerializer
    from autobahn.wamp.types import ComponentConfig

    def emit(**line):
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()

    loop = asyncio.get_running_loop()
    u = urlparse(args.url)

    async def join():
        joined = loop.create_future()

        class Session(ApplicationSession):
            def onJoin(self, details):
                if not joined.done():
                    joined.set_result(self)

            def onLeave(self, details):
                if not joined.done():
                    joined.set_exception(RuntimeError(f"left: {details.reason}"))
                super().onLeave(details)

        factory = WampRawSocketClientFactory(lambda: Session(ComponentConfig("realm1")),
                                             serializer=MsgPackSerializer())
        await loop.create_connection(factory, u.hostname, u.port)
        return await asyncio.wait_for(joined, 30)

    sessions = await asyncio.gather(*(join() for _ in range(args.readers + args.writers)))

    async def health():
        try:
            h = await sessions[0].call(HEALTH)
        except ApplicationError:
            return None
        return h.get("standbys") if isinstance(h, dict) else None

    readers, writers = _Side(), _Side()
    seen = {"standby": 0, "primary": 0, "failed": 0}  # every read of the run, warm-up and drain included
    state = {"measuring": False, "stop": False}

    async def read(session, side, ident, expect=None):
        t0 = time.monotonic()
        try:
            row = await session.call(READ_RO, ident)
        except ApplicationError as e:
            seen["failed"] += 1
            if state["measuring"]:
                side.error(e.error)
            return
        on_standby = bool(row["on_standby"])
        seen["standby" if on_standby else "primary"] += 1
        if state["measuring"]:
            side.reads += 1
            side.read_us.append((time.monotonic() - t0) * 1e6)
            if on_standby:
                side.on_standby += 1
            else:
                side.on_primary += 1
            if expect is not None and row["body"] != expect:
                side.stale += 1

    async def reader(session):
        first = args.writers + 1
        while not state["stop"]:
            await read(session, readers, random.randint(first, args.rows))

    async def writer(session, index):
        ident = index + 1  # its own row
        n = 0
        while not state["stop"]:
            n += 1
            body = f"w{index}-{n}"
            t0 = time.monotonic()
            try:
                await session.call(WRITE, ident, body)
            except ApplicationError as e:
                if state["measuring"]:
                    writers.error(e.error)
                continue
            if state["measuring"]:
                writers.writes += 1
                writers.write_us.append((time.monotonic() - t0) * 1e6)
            await read(session, writers, ident, expect=body)

    before = await health()
    emit(event="ready", sessions=len(sessions))
    tasks = [asyncio.ensure_future(reader(s)) for s in sessions[args.writers:]]
    tasks += [asyncio.ensure_future(writer(s, i)) for i, s in enumerate(sessions[:args.writers])]
    await asyncio.sleep(args.warmup)
    state["measuring"] = True
    cpu0, t0 = time.process_time(), time.monotonic()
    emit(event="measure_start")
    await asyncio.sleep(args.duration)
    state["measuring"] = False
    cpu1, t1 = time.process_time(), time.monotonic()
    emit(event="measure_end")
    state["stop"] = True
    await asyncio.wait_for(asyncio.gather(*tasks), 30)
    after = await health()
    emit(event="result", readers=readers.result(), writers=writers.result(), all_reads=seen,
         health_before=before, health_after=after, window_s=t1 - t0, cpu_percent=(cpu1 - cpu0) * 100 / (t1 - t0))
    for s in sessions:
        s.leave()
    await asyncio.sleep(0.2)


def main(argv):
    import argparse
    import asyncio

    p = argparse.ArgumentParser(description="the standby phase's mixed load (see the module's doc)")
    p.add_argument("--url", required=True, help="the router's RawSocket, rs://127.0.0.1:PORT")
    p.add_argument("--readers", type=int, default=24, help="sessions that only read")
    p.add_argument("--writers", type=int, default=8, help="sessions that write their own row, then read it")
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--rows", type=int, default=ROWS)
    args = p.parse_args(argv)
    if args.writers + 1 > args.rows or args.readers + args.writers < 1:
        p.error("need readers + writers >= 1 and writers < rows")
    asyncio.run(_client(args))


if __name__ == "__main__":
    main(sys.argv[1:])
