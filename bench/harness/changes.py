"""The changes phase: row changes from logical replication as WAMP events.

bench_notify_pub --table inserts one row per transaction at a fixed rate
into bench_changes, the row carrying the loader's clock just before it sent
the INSERT (t_us); bench_notify_sub --run subscribes to the topic and counts
loss, duplicates, reordering (by the row's seq) and t_us -> arrival latency.
The same clock and the same moment for every callee, so the latency is
insert-and-commit -> event, a little more than commit -> event, alike for
all. Callees: pgwamp (its `changes` config section, pgoutput), the psycopg2
peer (test_decoding), and echo: bench_event_pub --run publishing the same
event straight to the router, the router's ceiling.

Each pgwamp or peer run gets a slot of its own, dropped afterwards; each
rate gets a run number of its own, so a late event of an earlier rate is
counted as foreign, not as this rate's."""

import os
import time

import callees
from phases import start_or_skip
from procs import Child, cpu_seconds, peak_rss_mb

TABLE = "public.bench_changes"
TOPIC = "com.example.bench.change"
PUBLICATION = "bench_changes"

# The shape of the demo's notes table, plus what the bench measures by.
SCHEMA = """
CREATE TABLE IF NOT EXISTS bench_changes (
    id         bigserial   PRIMARY KEY,
    run        integer     NOT NULL,
    seq        bigint      NOT NULL,
    t_us       bigint      NOT NULL,
    body       text        NOT NULL DEFAULT 'bench',
    created_at timestamptz NOT NULL DEFAULT now()
)"""


def pgwamp_changes_config(slot):
    """pgwamp's `changes` section for this run (the contract's key names)."""
    return {"publication": PUBLICATION, "slot": slot, "history": 1000,
            "tables": {TABLE: {"topic": TOPIC, "operations": ["insert", "update", "delete", "truncate"]}}}


def changes_sweep(env, kinds, rates, duration, warmup, loadgen_cpus, log, bulk_rows=0):
    env.cluster.psql(SCHEMA, db="bench")
    rows = []
    run = 0
    for kind in kinds:
        slot = f"bench_{kind}_{int(time.time())}"
        child = None
        try:
            if kind != "echo":
                child = _start(env, kind, slot, rows, log)
                if child is None:
                    continue
                _wait_slot_active(env, slot, child)
            for rate in rates:
                run += 1
                row = _change_rate(env, kind, child, run, rate, duration, warmup, loadgen_cpus, log)
                row["slot"] = slot if child else None
                rows.append(row)
                if row["missing"]:
                    # Its backlog would spill into the next rate; a higher rate loses more.
                    log(f"changes: {kind} lost events at {rate}/s; higher rates not tried")
                    break
            if kind == "pgwamp" and bulk_rows > 0:
                run += 1
                rows.append(_bulk(env, kind, child, run, bulk_rows, loadgen_cpus, log))
        except Exception as e:  # noqa: BLE001 - one callee failing must not lose the others' rows
            log(f"changes: {kind} failed: {e}")
            rows.append({"callee": kind, "skipped": f"failed: {e}"})
        finally:
            if child:
                child.stop()
                _drop_slot(env, slot, log)
            if kind == "pgwamp":
                env.cluster.psql(f"DROP PUBLICATION IF EXISTS {PUBLICATION}", db="bench")
    return rows


def _start(env, kind, slot, rows, log):
    """The callee following `slot`, or None with a row saying why not."""
    return start_or_skip(kind, rows, log, lambda: _launch(env, kind, slot))


def _launch(env, kind, slot):
    if kind == "pgwamp":
        # Made here so pgwamp and the peer start alike from an existing table;
        # a pgwamp that makes its publication itself finds this one.
        env.cluster.psql(f"DROP PUBLICATION IF EXISTS {PUBLICATION}; "
                         f"CREATE PUBLICATION {PUBLICATION} FOR TABLE {TABLE}", db="bench")
        return callees.start("pgwamp", env, name="pgwamp-changes", changes=pgwamp_changes_config(slot))
    argv = [env.python, os.path.join(env.peers_dir, "psycopg2_changes_peer.py"), "--url", env.router.url,
            "--dsn", env.cluster.dsn("bench"), "--slot", slot, "--table", f"{TABLE}={TOPIC}"]
    child = Child("psycopg2-changes", argv, env.log_dir, cpus=env.cpus)
    try:
        child.wait_for("ready", 60)
    except Exception:
        child.stop()
        raise
    return child


def _slot_state(env, slot):
    return env.cluster.psql(f"SELECT active FROM pg_replication_slots WHERE slot_name = '{slot}'", db="bench")


def _wait_slot_active(env, slot, child, timeout=60):
    """The callee streams from its slot: rows inserted from now on reach it."""
    deadline = time.monotonic() + timeout
    while _slot_state(env, slot) != "t":
        if not child.running():
            raise RuntimeError(f"{child.name} exited ({child.proc.returncode}); see {child.log_path}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"slot {slot} not streaming after {timeout} s; see {child.log_path}")
        time.sleep(0.2)


def _drop_slot(env, slot, log, timeout=15):
    """The walsender lets go of the slot a moment after its client exits."""
    deadline = time.monotonic() + timeout
    while True:
        state = _slot_state(env, slot)
        if state == "":
            return
        if state == "f":
            env.cluster.psql(f"SELECT pg_drop_replication_slot('{slot}')", db="bench")
            return
        if time.monotonic() > deadline:
            log(f"changes: slot {slot} still active after {timeout} s; left for the cluster's teardown")
            return
        time.sleep(0.2)


def _bulk(env, kind, child, run, count, loadgen_cpus, log):
    """One transaction of `count` rows: every row must arrive, and the
    callee's peak memory says whether it streamed them or held them."""
    limit = count / 500 + 120  # far below any rate the router sustains
    sub = Child(f"changes-sub-{kind}-bulk", [
        os.path.join(env.tools, "bench_notify_sub"), "--url", env.router.url, "--topic", TOPIC, "--run", str(run),
        "--expect", str(count), "--idle", "10", "--timeout", str(int(limit))], env.log_dir, cpus=loadgen_cpus)
    try:
        sub.wait_for("ready", 30)
        before = peak_rss_mb(child.pid)
        cpu0 = cpu_seconds(child.pid)
        started = time.monotonic()
        # seq from 0, as the subscriber counts; t_us 0: no latency for this one, the arrival of the last row counts.
        env.cluster.psql(f"INSERT INTO bench_changes (run, seq, t_us) SELECT {run}, i - 1, 0 "
                         f"FROM generate_series(1, {count}) AS i", db="bench")
        committed = time.monotonic() - started
        got = sub.wait_for("result", limit + 10)
        elapsed = time.monotonic() - started
        cpu1 = cpu_seconds(child.pid)
        peak = peak_rss_mb(child.pid)
    finally:
        sub.stop()
    log(f"changes: {kind} one transaction of {count} rows: got {got['received']} missing {got['missing']} "
        f"out of order {got['out_of_order']} in {elapsed:.1f} s; peak RSS {before:.1f} -> {peak:.1f} MB")
    return {"callee": kind, "bulk": count, "received": got["received"], "missing": got["missing"],
            "out_of_order": got["out_of_order"], "duplicates": got["duplicates"], "commit_s": committed,
            "seconds": elapsed, "events_per_s": got["received"] / elapsed if elapsed > 0 else 0,
            "peak_rss_before_mb": before, "peak_rss_mb": peak,
            "callee_cpu_us": (cpu1 - cpu0) * 1e6 / max(got["received"], 1)}


def _change_rate(env, kind, child, run, rate, duration, warmup, loadgen_cpus, log):
    expect = int(rate * duration)
    limit = (warmup + duration) * 4 + 30
    sub = Child(f"changes-sub-{kind}-{rate}", [
        os.path.join(env.tools, "bench_notify_sub"), "--url", env.router.url, "--topic", TOPIC, "--run", str(run),
        "--expect", str(expect), "--idle", "3", "--timeout", str(limit)], env.log_dir, cpus=loadgen_cpus)
    common = ["--rate", str(rate), "--duration", str(duration), "--warmup", str(warmup), "--run", str(run)]
    if kind == "echo":
        argv = [os.path.join(env.tools, "bench_event_pub"), "--url", env.router.url, "--topic", TOPIC,
                "--table", TABLE] + common
    else:
        # The cluster runs synchronous_commit=off, and a walsender decodes only
        # flushed WAL: commits would reach the slot up to wal_writer_delay
        # (200 ms) late. The loader commits as a default server does.
        conninfo = env.cluster.dsn() + " options='-c synchronous_commit=on'"
        argv = [os.path.join(env.tools, "bench_notify_pub"), "--conninfo", conninfo, "--table", TABLE] + common
    pub = None
    try:
        sub.wait_for("ready", 30)
        cpu0 = cpu_seconds(child.pid) if child else None
        router0 = cpu_seconds(env.router.worker_pid)
        pg0 = env.cluster.cpu_seconds()
        pub = Child(f"changes-pub-{kind}-{rate}", argv, env.log_dir, cpus=loadgen_cpus)
        sent = pub.wait_for("result", limit)
        got = sub.wait_for("result", limit + 10)
        cpu1 = cpu_seconds(child.pid) if child else None
        router1 = cpu_seconds(env.router.worker_pid)
        pg1 = env.cluster.cpu_seconds()
    finally:
        if pub:
            pub.stop()
        sub.stop()
    # Per change delivered, warm-up rows included: the callee did their work too.
    n = max(got["received"] + got["warmup"], 1)
    log(f"changes: {kind} {rate}/s sent {sent['sent']} got {got['received']} missing {got['missing']} "
        f"out of order {got['out_of_order']} p50 {got['latency_us']['p50']:.0f} us "
        f"p99 {got['latency_us']['p99']:.0f} us")
    return {
        "callee": kind, "rate": rate, "run": run, "sent": sent["sent"], "publish_rate": sent["rate"],
        "received": got["received"], "missing": got["missing"], "duplicates": got["duplicates"],
        "out_of_order": got["out_of_order"], "foreign": got["foreign"],
        "events_per_s": (got["received"] - 1) / got["arrival_span_s"] if got["arrival_span_s"] > 0 else 0,
        "latency_us": got["latency_us"], "callee_cpu_us": (cpu1 - cpu0) * 1e6 / n if child else None,
        "router_cpu_us": (router1 - router0) * 1e6 / n,
        "postgres_cpu_us": (pg1 - pg0) * 1e6 / n if kind != "echo" else None,
    }
