"""The live phase: live queries (README "Live queries", config section `live`) under load, the issue's four
figures.

The table bench_live (id, owner, run, seq, t_us, body; REPLICA IDENTITY FULL, an index on owner) is in pgwamp's
`changes` section, and `com.example.bench.live(owner)` follows its rows `WHERE owner = $owner`, run as the
caller: the router discloses callers, and identity.database_roles maps the anonymous role to pgwamp_live, which
may SELECT the table. bench_live (bench/live) makes the calls; bench_notify_pub --table public.bench_live
--owners N is the loader: one row per transaction at a fixed rate, owner o<i mod N> round-robin, each row
carrying the loader's clock just before the INSERT (t_us), as in the changes phase.

1. Snapshot: `--live-snapshot-rows` rows (default 10,000) of one owner, seeded before pgwamp starts; bench_live
   --mode snapshot calls the query for that owner `--live-repeat` times after one warm-up call, each canceled once
   ready: time from the CALL to the first snapshot chunk and to ready, median and max.
2. Latency: on the same pgwamp, `--live-queries` live calls (default 100, owners o0..o99, over 4 sessions), then
   the loader at `--live-rate` rows/s (default 1,000) over those owners: t_us -> arrival at the owner's call,
   and every row at its owner's call exactly once.
3. CPU per change: a fresh pgwamp (and slot) per run with N live calls of distinct owners, N each of
   `--live-cpu-queries` (default 10 and 10,000, ABBA over `--live-rounds`), the loader at `--live-cpu-rate`
   (default 500/s) over those N owners, so every change concerns exactly one call: pgwamp's CPU (/proc) from the
   loader's start until the last row arrived, over the rows delivered, warm-up rows included.
4. RSS: pgwamp's resident memory in those runs once every call is ready, and after the load.

Every pgwamp run uses a slot of its own, dropped afterwards; the table is emptied before each pgwamp starts (no
slot follows it then), so every run starts alike."""

import os
import statistics
import time

import ab_compare
import callees
import changes
from phases import start_or_skip
from procs import Child, cpu_seconds, peak_rss_mb, rss_mb

TABLE = "public.bench_live"
TOPIC = "com.example.bench.live_change"
PUBLICATION = "bench_live"
PROCEDURE = "com.example.bench.live"
DB_ROLE = "pgwamp_live"
# run and seq besides the id, owner, t_us, body: bench_live checks each row arrives once by them.
COLUMNS = ["id", "owner", "run", "seq", "t_us", "body"]
SNAPSHOT_OWNER = "snap"  # the loader's owners are o0, o1, ...: never this one
SESSIONS = 4             # WAMP sessions bench_live spreads its calls over
IDLE_WINDOW = 2.0        # seconds of pgwamp's CPU with every call open and no change, before the load

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS bench_live (
    id         bigserial   PRIMARY KEY,
    owner      text        NOT NULL,
    run        integer     NOT NULL DEFAULT 0,
    seq        bigint      NOT NULL DEFAULT -1,
    t_us       bigint      NOT NULL DEFAULT 0,
    body       text        NOT NULL DEFAULT 'bench',
    created_at timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE bench_live REPLICA IDENTITY FULL;
CREATE INDEX IF NOT EXISTS bench_live_owner ON bench_live (owner);
GRANT SELECT ON bench_live TO {DB_ROLE}"""


def synchronous_dsn(cluster):
    """The bench database as a default server commits: the cluster runs synchronous_commit=off, and a walsender
    decodes only flushed WAL, so a commit would reach the slot up to wal_writer_delay (200 ms) late. pgwamp's
    fence (pg_logical_emit_message after each snapshot, which ready waits for) and the loader's rows both commit
    this way, as they would on a server with the default setting."""
    return cluster.dsn() + " options='-c synchronous_commit=on'"


def live_config(max_calls):
    """pgwamp's `live` section: the issue's query, with room for every call of the phase on one session."""
    limit = max(20000, max_calls + 100)
    return {"max_calls": limit, "max_calls_per_session": limit, "max_calls_per_address": limit, "queries": {PROCEDURE: {
        "table": TABLE, "columns": COLUMNS, "args": [{"name": "owner", "type": "string"}],
        "where": {"owner": {"=": {"arg": "owner"}}}}}}


def changes_config(slot):
    return {"publication": PUBLICATION, "slot": slot, "history": 1000,
            "tables": {TABLE: {"topic": TOPIC, "operations": ["insert", "update", "delete", "truncate"]}}}


def live_compare(env, snapshot_rows, repeat, queries, rate, cpu_queries, cpu_rate, duration, warmup, loadgen_cpus,
                 log, rounds=1, idle_window=IDLE_WINDOW):
    rows = []
    _prepare(env.cluster)
    # The snapshot runs as the caller: the router must say who calls.
    e, owned = ab_compare.own_router(env, disclose_caller=True)
    run = 0
    max_calls = max([queries] + list(cpu_queries))

    def attempt(label, measure):
        """measure()'s row, or a row saying why it failed: one measurement failing must not lose the others."""
        try:
            rows.append(measure())
        except Exception as e:  # noqa: BLE001 - reported in the phase's rows
            log(f"live: {label} failed: {e}")
            rows.append({"kind": label, "callee": "pgwamp", "skipped": f"{label} failed: {e}"})

    try:
        # 1 and 2: one pgwamp, the seeded owner's snapshot, then the latency at --live-rate.
        with _Pgwamp(e, "pgwamp-live", max_calls, rows, log, seed=snapshot_rows) as child:
            if child:
                attempt("snapshot", lambda: _snapshot(e, child, snapshot_rows, repeat, loadgen_cpus, log))
                run += 1
                attempt("latency", lambda: _follow(e, child, "latency", queries, rate, duration, warmup, run,
                                                   loadgen_cpus, log, idle_window))
        # 3 and 4: a fresh pgwamp per run, ABBA over the two numbers of calls.
        few, many = min(cpu_queries), max(cpu_queries)
        for i in range(rounds * 2):
            n = many if ab_compare.is_b(i) else few
            with _Pgwamp(e, f"pgwamp-live-{n}-{i}", max_calls, rows, log) as child:
                if not child:
                    break
                run += 1
                attempt("cpu", lambda: {**_follow(e, child, "cpu", n, cpu_rate, duration, warmup, run, loadgen_cpus,
                                                  log, idle_window), "round": i})
    finally:
        if owned:
            e.router.stop()
        env.cluster.psql(f"DROP PUBLICATION IF EXISTS {PUBLICATION}", db="bench")
    s = summary(rows)
    if s.get("cpu_ratio") is not None:
        log(f"live: pgwamp CPU per change with {s['many']} calls {s['cpu_ratio']:.2f}x with {s['few']} "
            f"(target <= 1.5)")
    return rows


def _prepare(cluster):
    # Roles are cluster-wide; the snapshot runs as this one (SET LOCAL ROLE from pgwamp's superuser session).
    cluster.psql(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{DB_ROLE}') "
                 f"THEN CREATE ROLE {DB_ROLE} NOLOGIN; END IF; END $$")
    cluster.psql(SCHEMA, db="bench")
    cluster.psql(f"DROP PUBLICATION IF EXISTS {PUBLICATION}; CREATE PUBLICATION {PUBLICATION} FOR TABLE {TABLE}",
                 db="bench")


class _Pgwamp:
    """A pgwamp following bench_live through a slot of its own, started on an emptied table (seeded with `seed`
    rows of the snapshot's owner); stopped and its slot dropped on leaving. None (with a row saying why) when it
    did not start."""

    def __init__(self, env, name, max_calls, rows, log, seed=0):
        self.env, self.name, self.max_calls, self.rows, self.log, self.seed = env, name, max_calls, rows, log, seed
        self.slot = f"bench_live_{int(time.time() * 1000)}"
        self.child = None

    def __enter__(self):
        c = self.env.cluster
        c.psql("TRUNCATE bench_live", db="bench")
        if self.seed:
            c.psql(f"INSERT INTO bench_live (owner, body) SELECT '{SNAPSHOT_OWNER}', md5(i::text) "
                   f"FROM generate_series(1, {self.seed}) AS i; ANALYZE bench_live", db="bench")
        self.child = start_or_skip("pgwamp", self.rows, self.log, lambda: callees.start(
            "pgwamp", self.env, name=self.name, changes=changes_config(self.slot),
            identity={"database_roles": {"anonymous": DB_ROLE}}, live=live_config(self.max_calls),
            conninfo=synchronous_dsn(c)))
        if self.child:
            try:
                changes._wait_slot_active(self.env, self.slot, self.child)
            except Exception:
                self.__exit__(None, None, None)
                raise
        return self.child

    def __exit__(self, *exc):
        if self.child:
            self.child.stop()
            changes._drop_slot(self.env, self.slot, self.log)
            self.child = None
        return False


def _bench_live(env, name, args, loadgen_cpus):
    return Child(name, [os.path.join(env.tools, "bench_live"), "--url", env.router.url, "--procedure", PROCEDURE]
                 + args, env.log_dir, cpus=loadgen_cpus)


def _snapshot(env, child, seeded, repeat, loadgen_cpus, log):
    caller = _bench_live(env, "live-snapshot", ["--mode", "snapshot", "--owner", SNAPSHOT_OWNER, "--repeat",
                                                str(repeat), "--warmup", "1", "--sessions", "1"], loadgen_cpus)
    try:
        caller.wait_for("registered", 90)
        r = caller.wait_for("result", 60 + 30 * (repeat + 1))
    finally:
        caller.stop()
    measured = [s for s in r["snapshots"] if not s["warmup"]]
    errors = [s["error"] or s["shape_error"] for s in r["snapshots"] if s["error"] or s["shape_error"]]
    short = [s["rows"] for s in r["snapshots"] if s["rows"] != seeded]
    fc, ready = r["first_chunk_ms"] or {}, r["ready_ms"] or {}
    log(f"live: snapshot of {seeded} rows x{len(measured)}: first chunk median {fc.get('median', 0):.1f} ms max "
        f"{fc.get('max', 0):.1f} ms; ready median {ready.get('median', 0):.1f} ms max {ready.get('max', 0):.1f} ms"
        + (f"; errors {errors}" if errors else "") + (f"; rows {short}" if short else ""))
    return {"kind": "snapshot", "seeded": seeded, "repeat": len(measured), "snapshots": r["snapshots"],
            "first_chunk_ms": r["first_chunk_ms"], "ready_ms": r["ready_ms"], "errors": errors,
            "wrong_row_counts": short}


def _follow(env, child, label, queries, rate, duration, warmup, run, loadgen_cpus, log, idle_window):
    """`queries` live calls of owners o0.., then the loader at `rate` over those owners."""
    expect = int(rate * duration)
    open_limit = queries / 20 + 120  # far beyond what opening takes (each is a snapshot and a fence)
    limit = (warmup + duration) * 4 + 30
    caller = _bench_live(env, f"live-{label}-{queries}-{run}", [
        "--mode", "follow", "--queries", str(queries), "--sessions", str(min(SESSIONS, queries)), "--run", str(run),
        "--expect", str(expect), "--idle", "5", "--timeout", str(limit), "--open-timeout", str(open_limit)],
        loadgen_cpus)
    loader = [os.path.join(env.tools, "bench_notify_pub"), "--conninfo", synchronous_dsn(env.cluster), "--table", TABLE,
              "--owners", str(queries), "--run", str(run), "--rate", str(rate), "--duration", str(duration),
              "--warmup", str(warmup)]
    pub = None
    try:
        caller.wait_for("registered", 90)
        opened = caller.wait_for("ready", open_limit + 30)
        if opened["failed"]:
            raise RuntimeError(f"{opened['failed']} of {queries} live calls failed to open: {opened['first_error']}")
        rss_open = rss_mb(child.pid)
        router_rss = rss_mb(env.router.worker_pid)
        idle0 = cpu_seconds(child.pid)
        time.sleep(idle_window)
        idle1 = cpu_seconds(child.pid)
        cpu0, router0, pg0 = cpu_seconds(child.pid), cpu_seconds(env.router.worker_pid), env.cluster.cpu_seconds()
        pub = Child(f"live-pub-{label}-{queries}-{run}", loader, env.log_dir, cpus=loadgen_cpus)
        sent = pub.wait_for("result", limit)
        got = caller.wait_for("result", limit + 10)
        cpu1, router1, pg1 = cpu_seconds(child.pid), cpu_seconds(env.router.worker_pid), env.cluster.cpu_seconds()
        rss_after = rss_mb(child.pid)
        peak = peak_rss_mb(child.pid)
    finally:
        if pub:
            pub.stop()
        caller.stop(30)  # it cancels every call before leaving
    n = max(got["received"] + got["warmup"], 1)  # per change delivered, warm-up rows included
    lat = got["latency_us"]
    log(f"live: {label} {queries} calls (opened in {opened['open_s']:.1f} s), {rate}/s: sent {sent['sent']} got "
        f"{got['received']} missing {got['missing']} dup {got['duplicates']} wrong owner {got['wrong_owner']}; "
        f"p50 {lat['p50']:.0f} us p99 {lat['p99']:.0f} us; pgwamp {(cpu1 - cpu0) * 1e6 / n:.1f} us CPU/change, "
        f"RSS {rss_open:.1f} -> {rss_after:.1f} MB (peak {peak:.1f})")
    return {
        "kind": "follow", "label": label, "queries": queries, "rate": rate, "run": run,
        "open_s": opened["open_s"], "open_ready_ms": opened["ready_ms"], "snapshot_rows": opened["snapshot_rows"],
        "sent": sent["sent"], "publish_rate": sent["rate"], "max_lag_ms": sent["max_lag_ms"],
        "received": got["received"], "missing": got["missing"], "duplicates": got["duplicates"],
        "wrong_owner": got["wrong_owner"], "out_of_order": got["out_of_order"], "foreign": got["foreign"],
        "warmup": got["warmup"], "ended_calls": got["ended_calls"], "early_changes": got["early_changes"],
        "events_per_s": (got["received"] - 1) / got["arrival_span_s"] if got["arrival_span_s"] > 0 else 0,
        "latency_us": lat, "callee_cpu_us": (cpu1 - cpu0) * 1e6 / n, "router_cpu_us": (router1 - router0) * 1e6 / n,
        "postgres_cpu_us": (pg1 - pg0) * 1e6 / n, "idle_cpu_percent": (idle1 - idle0) * 100 / idle_window,
        "rss_open_mb": rss_open, "rss_after_mb": rss_after, "peak_rss_mb": peak, "router_rss_open_mb": router_rss,
    }


def _mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


def summary(rows):
    """The CPU comparison: per number of calls, the runs' mean CPU per change and RSS; ratio many / few."""
    cpu = [r for r in rows if r.get("label") == "cpu"]
    counts = sorted({r["queries"] for r in cpu})
    if not counts:
        return {}
    few, many = counts[0], counts[-1]
    side = {n: {"runs": len([r for r in cpu if r["queries"] == n]),
                "callee_cpu_us": _mean(r["callee_cpu_us"] for r in cpu if r["queries"] == n),
                "router_cpu_us": _mean(r["router_cpu_us"] for r in cpu if r["queries"] == n),
                "rss_mb": max(max(r["rss_open_mb"], r["rss_after_mb"]) for r in cpu if r["queries"] == n),
                "peak_rss_mb": max(r["peak_rss_mb"] for r in cpu if r["queries"] == n)}
            for n in counts}
    ratio = ab_compare.ratio(side[many]["callee_cpu_us"], side[few]["callee_cpu_us"]) if many != few else None
    return {"few": few, "many": many, "sides": side, "cpu_ratio": ratio}
