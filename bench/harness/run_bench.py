"""bench/run's body: PostgreSQL and Crossbar once, then each measurement in
turn on the same router, then bench/results/latest.{md,png,json}.
Everything started here is stopped here, also when a step fails."""

import argparse
import datetime
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import callees  # noqa: E402
import changes  # noqa: E402
import db_peers  # noqa: E402
import fanout  # noqa: E402
import identity  # noqa: E402
import live  # noqa: E402
import login  # noqa: E402
import phases  # noqa: E402
import report  # noqa: E402
import report_standby  # noqa: E402
import scrape  # noqa: E402
import smoke  # noqa: E402
import standby  # noqa: E402
import stream  # noqa: E402
import tls  # noqa: E402
from cluster import Cluster  # noqa: E402
from router import Router  # noqa: E402

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)


# CPU pinning. The router is the shared ceiling and costs 4-10 times what a
# callee does per call, so on a small machine whoever shares its CPU decides
# the throughput: "router-apart" gives it a CPU alone (the question the
# throughput target asks: can the callee keep up with the router?), while
# "loadgen-apart" isolates the load generator instead and puts router, callee
# and PostgreSQL on the same CPU(s).
LAYOUTS = {"router-apart", "loadgen-apart", "none"}
# "db" (db_bench and its peers) runs only with --db-bench, which bench/run gives in --smoke: the real comparison
# is bench/db_bench's, on a cluster of its own.
PHASES = ("calls", "notify", "changes", "stream", "roundrobin", "soak", "scrape", "identity", "fanout", "login", "tls",
          "live", "standby", "db")


def pinning(layout, ncpu):
    """(router CPUs, callee and PostgreSQL CPUs, load generator CPUs, description);
    None means not pinned."""
    if ncpu < 2 or layout == "none":
        return None, None, None, "none"
    if layout == "router-apart":
        if ncpu == 2:
            return ("0", "1", "1", "router on CPU 0 alone; callees, PostgreSQL, load generator, NOTIFY publisher "
                                   "and subscriber on CPU 1")
        # Three or more: the load generator gets a CPU of its own too.
        middle = "1" if ncpu == 3 else f"1-{ncpu - 2}"
        return ("0", middle, str(ncpu - 1), f"router on CPU 0 alone; load generator, NOTIFY publisher and subscriber "
                                             f"on CPU {ncpu - 1}; callees and PostgreSQL on CPU {middle}")
    rest = "0" if ncpu == 2 else f"0-{ncpu - 2}"
    return (rest, rest, str(ncpu - 1), f"load generator, NOTIFY publisher and subscriber on CPU {ncpu - 1} alone; "
                                        f"router, callees and PostgreSQL on CPU {rest}")


def int_list(text):
    try:
        values = [int(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got '{text}'")
    if not values or min(values) <= 0:
        raise argparse.ArgumentTypeError("expected positive numbers")
    return values


def delay_list(text):
    """Milliseconds, 0 allowed (recovery_min_apply_delay)."""
    try:
        values = [int(v) for v in text.split(",") if v]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected numbers separated by commas, got '{text}'")
    if not values or min(values) < 0:
        raise argparse.ArgumentTypeError("expected numbers >= 0")
    return values


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    p.add_argument("--quick", action="store_true", help="a 1-2 minute run (short windows, fewer rates)")
    p.add_argument("--smoke", action="store_true",
                   help="CI's check, not a measurement: every phase and peer with tiny counts (one concurrency, "
                        "fractions of a second, a few events, one ABBA round; harness/smoke.py); exit 1 when any "
                        "phase fails, any callee or peer does not run or any figure is missing. The report goes to "
                        "a temporary directory unless --out is given")
    p.add_argument("--db-bench", default=None,
                   help="db_bench binary: run it (--smoke) with its peers on the bench's PostgreSQL (phase db)")
    p.add_argument("--tokio-peer", default=None, help="the tokio_peer binary, for db_bench")
    p.add_argument("--db-peers", default=None, help="db_bench's --peers (default: all of them)")
    p.add_argument("--tools", required=True, help="directory with bench_loadgen, bench_echo, bench_notify_*")
    p.add_argument("--pgwamp", default=os.path.join(ROOT, "build", "service", "pgwamp"), help="pgwamp binary")
    p.add_argument("--build-type", default="?", help="for the report only")
    p.add_argument("--crossbar", default=os.path.join(ROOT, ".venv", "bin", "crossbar"))
    p.add_argument("--callees", default="pgwamp,txpostgres,adbapi,psycopg2,echo",
                   help="psycopg2 is the logical replication peer: the changes phase only")
    p.add_argument("--concurrency", type=int_list, default=[1, 16, 64, 256])
    p.add_argument("--warmup", type=float, default=None, help="seconds (default 1; quick 0.5)")
    p.add_argument("--duration", type=float, default=None, help="seconds measured per point (default 5; quick 1.5)")
    p.add_argument("--notify-rates", type=int_list, default=None,
                   help="NOTIFY/s to try (default 500,1000,2000,4000,8000; quick 500,2000)")
    p.add_argument("--notify-duration", type=float, default=None, help="seconds per rate (default 4; quick 2)")
    p.add_argument("--notify-warmup", type=float, default=None,
                   help="seconds of uncounted events before each rate (default 2; quick 0.5): they absorb the "
                        "router's one-off work after a component joins, such as a full garbage collection")
    p.add_argument("--changes-rates", type=int_list, default=None,
                   help="single-row INSERT transactions/s to try in the changes phase (default 500,1000,2000,4000; "
                        "quick 500,2000); each rate runs --notify-warmup then --notify-duration seconds")
    p.add_argument("--changes-bulk", type=int, default=None,
                   help="rows in the one big transaction pgwamp streams after the rates, for its peak memory "
                        "(default 1000000; quick 50000; 0: skip)")
    p.add_argument("--stream-rows", type=int, default=None,
                   help="rows of com.example.numbers in the stream phase (default 1000000; quick 100000)")
    p.add_argument("--soak", type=float, default=None,
                   help="seconds of the RSS-growth run at the highest concurrency (default 300; quick 20; 0: skip)")
    p.add_argument("--fanout-sessions", type=int, default=1000,
                   help="subscribed sessions across 50 ticket users in the fanout phase (default 1000)")
    p.add_argument("--fanout-rate", type=int, default=20, help="NOTIFY/s per fanout run (default 20)")
    p.add_argument("--fanout-duration", type=float, default=None, help="seconds per fanout run (default 10; quick 3)")
    p.add_argument("--login-clients", type=int, default=200,
                   help="wrong-password sign-ins kept in flight on /app in the login phase (default 200)")
    p.add_argument("--login-callers", type=int, default=64,
                   help="com.example.notes.list calls kept outstanding in the login phase (default 64)")
    p.add_argument("--login-refusal-delay-ms", type=int, default=None,
                   help="the login phase's identity.login.refusal_delay_ms (and _max_ms) for every setting "
                        "(default: as config/pgwamp.json; the smoke 20, so answers come within its short runs)")
    p.add_argument("--login-settings", default=",".join(login.SETTINGS),
                   help="identity.login settings to measure: open (peer limit raised: every attempt may reach the "
                        "database) and/or shipped (config/pgwamp.json as is); default both")
    p.add_argument("--tls-rounds", type=int, default=2,
                   help="ABBA rounds of the tls phase (plain, TLS, TLS, plain each; default 2; the smoke 1)")
    p.add_argument("--live-snapshot-rows", type=int, default=10_000,
                   help="rows of the one owner whose live query's snapshot the live phase times (default 10000)")
    p.add_argument("--live-repeat", type=int, default=None,
                   help="snapshot calls timed in the live phase, after one warm-up call (default 10; quick 5)")
    p.add_argument("--live-queries", type=int, default=100,
                   help="live calls (one owner each) receiving the rows in the live phase's latency run (default 100)")
    p.add_argument("--live-rate", type=int, default=1000,
                   help="rows/s the loader inserts round-robin over those owners (default 1000)")
    p.add_argument("--live-cpu-queries", type=int_list, default=[10, 10_000],
                   help="the two numbers of live calls whose pgwamp CPU per change is compared (default 10,10000)")
    p.add_argument("--live-cpu-rate", type=int, default=500, help="rows/s of the CPU comparison (default 500)")
    p.add_argument("--live-duration", type=float, default=None,
                   help="seconds of rows per live run, after --notify-warmup seconds of warm-up rows (default 10; "
                        "quick 4)")
    p.add_argument("--live-rounds", type=int, default=2,
                   help="ABBA rounds of the live phase's CPU comparison (default 2: two runs of each number of "
                        "live queries; the smoke 1)")
    p.add_argument("--standby-concurrency", type=int, default=32,
                   help="read calls kept outstanding in each of the standby phase's four configurations (default 32)")
    p.add_argument("--standby-rounds", type=int, default=1,
                   help="rounds of the standby phase's configurations (each round a d b c c b d a; default 1)")
    p.add_argument("--standby-configs", default="abcd",
                   help="the standby phase's read configurations to measure, letters of abcd (default all; "
                        "'-': none, the read-your-writes mix only); bench/README.md says what each is")
    p.add_argument("--standby-readers", type=int, default=24,
                   help="sessions that only read in the standby phase's read-your-writes mix (default 24)")
    p.add_argument("--standby-writers", type=int, default=8,
                   help="sessions that write their own row and read it back in that mix (default 8)")
    p.add_argument("--standby-duration", type=float, default=None,
                   help="seconds measured of each mix, after --warmup (default 8; quick 3)")
    p.add_argument("--standby-apply-delays", type=delay_list, default=[0, 50],
                   help="the standby's recovery_min_apply_delay in ms, one mix each (default 0,50)")
    p.add_argument("--skip", default="", help="comma list of: " + ",".join(PHASES))
    p.add_argument("--phases", default=None, help="run only these (comma list of: " + ",".join(PHASES) + ")")
    p.add_argument("--pool-min", type=int, default=3)
    p.add_argument("--pool-max", type=int, default=10)
    p.add_argument("--transport", choices=["rawsocket", "websocket"], default="rawsocket",
                   help="the load generator's transport to the router (callees always use RawSocket)")
    p.add_argument("--client", choices=["pgwamp", "autobahn"], default="pgwamp",
                   help="the load generator's WAMP client: the project's wamp::Client or Autobahn|Cpp (RawSocket only)")
    p.add_argument("--layout", choices=sorted(LAYOUTS), default="router-apart",
                   help="which processes get a CPU of their own (see bench/README.md); default: router-apart")
    p.add_argument("--out", default=None, help="where the report goes (default bench/results; --smoke: a temporary "
                                                 "directory)")
    a = p.parse_args(argv)
    if a.smoke:
        # Only what the command line did not set; dest names as argparse makes them.
        given = {act.dest for act in p._actions
                 if any(arg == opt or arg.startswith(opt + "=") for arg in argv for opt in act.option_strings)}
        smoke.apply(a, given)
    q = a.quick
    a.warmup = a.warmup if a.warmup is not None else (0.5 if q else 1.0)
    a.duration = a.duration if a.duration is not None else (1.5 if q else 5.0)
    a.notify_rates = a.notify_rates or ([500, 2000] if q else [500, 1000, 2000, 4000, 8000])
    a.notify_duration = a.notify_duration if a.notify_duration is not None else (2.0 if q else 4.0)
    a.notify_warmup = a.notify_warmup if a.notify_warmup is not None else (0.5 if q else 2.0)
    a.changes_rates = a.changes_rates or ([500, 2000] if q else [500, 1000, 2000, 4000])
    a.changes_bulk = a.changes_bulk if a.changes_bulk is not None else (50_000 if q else 1_000_000)
    a.stream_rows = a.stream_rows if a.stream_rows is not None else (100_000 if q else 1_000_000)
    a.fanout_duration = a.fanout_duration if a.fanout_duration is not None else (3.0 if q else 10.0)
    a.soak = a.soak if a.soak is not None else (20.0 if q else 300.0)
    a.live_repeat = a.live_repeat if a.live_repeat is not None else (5 if q else 10)
    a.live_duration = a.live_duration if a.live_duration is not None else (4.0 if q else 10.0)
    if min(a.live_snapshot_rows, a.live_repeat, a.live_queries, a.live_rate, a.live_cpu_rate, a.live_rounds) <= 0 \
            or a.live_duration <= 0 or len(a.live_cpu_queries) != 2:
        p.error("--live-*: positive numbers, and --live-cpu-queries two of them")
    a.standby_duration = a.standby_duration if a.standby_duration is not None else (3.0 if q else 8.0)
    if min(a.standby_concurrency, a.standby_rounds, a.standby_readers + a.standby_writers) <= 0 \
            or a.standby_readers < 0 or a.standby_writers < 0 or a.standby_duration <= 0:
        p.error("--standby-*: positive numbers (readers or writers may be 0, not both)")
    if set(a.standby_configs) - set("abcd-"):
        p.error("--standby-configs: letters of abcd, or - for none")
    a.login_settings = [s for s in a.login_settings.split(",") if s]
    if not a.login_settings or set(a.login_settings) - set(login.SETTINGS):
        p.error(f"--login-settings: a comma list of {','.join(login.SETTINGS)}")
    if a.tls_rounds <= 0:
        p.error("--tls-rounds must be positive")
    if a.login_clients <= 0 or a.login_callers <= 0:
        p.error("--login-clients and --login-callers must be positive")
    a.skip = {s for s in a.skip.split(",") if s}
    only = {s for s in (a.phases or "").split(",") if s}
    unknown = (a.skip | only) - set(PHASES)
    if unknown:
        p.error(f"--skip/--phases: unknown {sorted(unknown)}")
    if only:
        a.skip |= set(PHASES) - only
    if not a.db_bench:
        if "db" in only:
            p.error("--phases db needs --db-bench (bench/run gives it with --smoke; or run bench/db_bench)")
        a.skip.add("db")
    a.callees = [c for c in a.callees.split(",") if c]
    bad = set(a.callees) - {"pgwamp", "txpostgres", "adbapi", "psycopg2", "echo"}
    if bad:
        p.error(f"--callees: unknown {sorted(bad)}")
    if a.duration <= 0 or a.warmup < 0 or a.notify_duration <= 0 or a.notify_warmup < 0 or a.soak < 0:
        p.error("durations must be positive")
    if a.client == "autobahn" and a.transport != "rawsocket":
        p.error("--client autobahn speaks RawSocket only")
    if not 1 <= a.stream_rows <= 10_000_000:
        p.error("--stream-rows must be in 1..10000000 (com.example.numbers' bounds)")
    if not 1 <= a.pool_min <= a.pool_max:
        p.error("need 1 <= --pool-min <= --pool-max")
    return a


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    for line in out.splitlines():
        if line.strip().startswith("Crossbar.io") and ":" in line:
            return line.split(":", 1)[1].strip()
    return out.strip().splitlines()[-1] if out.strip() else "?"


def revision():
    """The source measured: the commit, and whether the work tree differed from it (git's own words)."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10).stdout.split("\n")
    except (OSError, subprocess.TimeoutExpired):
        return "?"
    changed = [line[3:] for line in dirty if line.strip()]
    return (head or "?") + (f" with uncommitted changes to {', '.join(changed)}" if changed else "")


def main(argv):
    a = parse_args(argv)
    # SIGTERM unwinds like Ctrl-C, so every `finally` stops what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    log_dir = tempfile.mkdtemp(prefix="pgwamp-bench-logs-")
    os.chmod(log_dir, 0o755)  # the postgres user writes its log here too; no secrets in any of it

    def log(msg):
        print(f"[{time.monotonic() - started:6.1f}s] {msg}", flush=True)

    ncpu = os.cpu_count() or 1
    router_cpus, callee_cpus, loadgen_cpus, pinned = pinning(a.layout, ncpu)
    pgwamp = a.pgwamp if os.path.exists(a.pgwamp) else None
    if not pgwamp:
        log(f"pgwamp not found at {a.pgwamp}: its rows will say 'not measured'")
    data = {"setup": {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "argv": argv, "cpus": ncpu, "cpu_model": cpu_model(), "pinning": pinned, "layout": a.layout,
        "loadavg": " ".join(f"{v:.2f}" for v in os.getloadavg()),
        # `crossbar version` starts a Python interpreter full of imports: seconds the smoke does without.
        "crossbar": "(not asked in a smoke run)" if a.smoke else version([a.crossbar, "version"]), "postgres": "15",
        "pgwamp": os.path.relpath(a.pgwamp, ROOT) if os.path.abspath(a.pgwamp).startswith(ROOT + "/") else a.pgwamp, "build_type": a.build_type,
        "revision": revision(), "transport": a.transport, "client": a.client, "pool_min": a.pool_min, "pool_max": a.pool_max, "warmup": a.warmup, "duration": a.duration, "notify_warmup": a.notify_warmup,
        "log_dir": log_dir}, "calls": [], "notify": [], "changes": [], "stream": [], "roundrobin": None, "soak": None, "scrape": [], "identity": [],
        "fanout": [], "login": [], "tls": [], "live": [], "standby": [], "db": None, "failures": []}
    log(f"logs in {log_dir}")

    cluster = Cluster(log_dir, cpus=callee_cpus)
    # The smoke's one router serves every phase: a Crossbar takes seconds to start, and identity, fanout and login
    # would each start their own (the shared router of a real run neither discloses callers nor signs anyone in,
    # so that the other phases' router cost is as in production). A TLS transport nobody uses costs the others
    # nothing, so the shared router has it whenever the tls phase runs.
    features = {"disclose_caller": True, "ticket_users": [f"u{i}" for i in range(fanout.USERS)], "app": True}
    router = Router(a.crossbar, log_dir, cpus=router_cpus, tls="tls" not in a.skip and "pgwamp" in a.callees,
                    **(features if a.smoke else {}))
    try:
        cluster.start()
        data["setup"]["postgres"] = cluster.psql("SHOW server_version")
        router.start()
        log(f"PostgreSQL on {cluster.port}, Crossbar on {router.port} (router worker pid {router.worker_pid})")
        env = callees.Env(tools=a.tools, python=os.path.join(BENCH, ".venv", "bin", "python"),
                          peers_dir=os.path.join(BENCH, "peers"), pgwamp=pgwamp or a.pgwamp, router=router,
                          cluster=cluster, log_dir=log_dir, cpus=callee_cpus, pool_min=a.pool_min,
                          pool_max=a.pool_max, loadgen_url=router.ws_url if a.transport == "websocket" else router.url,
                          loadgen_client=a.client)
        # A phase that fails is reported as failed; the others still run.
        def phase(key, fn, *args, **kwargs):
            try:
                data[key] = fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - any failure goes into the report
                log(f"{key} failed: {e}")
                data["failures"].append(f"{key}: {e}")

        if "calls" not in a.skip:
            serving = [k for k in a.callees if k != "psycopg2"]  # the replication peer serves no calls
            phase("calls", phases.calls_matrix, env, serving, a.concurrency, a.warmup, a.duration, loadgen_cpus, log)
        if "notify" not in a.skip:
            kinds = [k for k in ("pgwamp", "txpostgres", "echo") if k in a.callees]
            phase("notify", phases.notify_sweep, env, kinds, a.notify_rates, a.notify_duration, a.notify_warmup,
                  loadgen_cpus, log)
        if "changes" not in a.skip:
            kinds = [k for k in ("pgwamp", "psycopg2", "echo") if k in a.callees]
            phase("changes", changes.changes_sweep, env, kinds, a.changes_rates, a.notify_duration, a.notify_warmup,
                  loadgen_cpus, log, a.changes_bulk)
        if "stream" not in a.skip:
            kinds = [k for k in ("pgwamp", "txpostgres") if k in a.callees]
            phase("stream", stream.stream_compare, env, kinds, a.stream_rows, loadgen_cpus, log)
        if "roundrobin" not in a.skip and "pgwamp" in a.callees:
            phase("roundrobin", phases.roundrobin, env, smoke.ROUNDROBIN_CONCURRENCY if a.smoke else 64, a.warmup,
                  a.duration * 2, loadgen_cpus, log)
        # The smoke runs one ABBA round where a phase has rounds; None: the phase's own default.
        rounds = {"rounds": smoke.ROUNDS} if a.smoke else {}
        if "scrape" not in a.skip and "pgwamp" in a.callees:
            phase("scrape", scrape.scrape_compare, env, max(a.concurrency), a.warmup, a.duration, loadgen_cpus, log,
                  **rounds, **({"extra_procedures": smoke.SCRAPE_EXTRA} if a.smoke else {}))
        if "identity" not in a.skip and "pgwamp" in a.callees:
            levels = [c for c in a.concurrency if c >= 64] or [max(a.concurrency)]
            phase("identity", identity.identity_compare, env, levels, a.warmup, a.duration, loadgen_cpus, log,
                  **rounds)
        if "fanout" not in a.skip and "pgwamp" in a.callees:
            phase("fanout", fanout.fanout_compare, env, a.fanout_sessions, a.fanout_rate, a.fanout_duration,
                  loadgen_cpus, log, **rounds)
        if "login" not in a.skip and "pgwamp" in a.callees:
            phase("login", login.login_compare, env, a.login_clients, a.login_callers, a.login_settings, a.warmup,
                  a.duration, loadgen_cpus, log, refusal_delay_ms=a.login_refusal_delay_ms, **rounds)
        if "tls" not in a.skip and "pgwamp" in a.callees:
            # 1 outstanding (latency) and the levels where the router is busy (throughput).
            levels = sorted({c for c in a.concurrency if c == 1 or c >= 64} or {max(a.concurrency)})
            phase("tls", tls.tls_compare, env, levels, a.warmup, a.duration, loadgen_cpus, log,
                  rounds=smoke.ROUNDS if a.smoke else a.tls_rounds)
        if "live" not in a.skip and "pgwamp" in a.callees:
            phase("live", live.live_compare, env, a.live_snapshot_rows, a.live_repeat, a.live_queries, a.live_rate,
                  a.live_cpu_queries, a.live_cpu_rate, a.live_duration, a.notify_warmup, loadgen_cpus, log,
                  rounds=smoke.ROUNDS if a.smoke else a.live_rounds,
                  **({"idle_window": smoke.LIVE_IDLE_WINDOW} if a.smoke else {}))
        if "standby" not in a.skip and "pgwamp" in a.callees:
            phase("standby", standby.standby_compare, env, a.standby_concurrency, a.warmup, a.duration,
                  a.standby_readers, a.standby_writers, a.warmup, a.standby_duration, a.standby_apply_delays,
                  loadgen_cpus, log, rounds=a.standby_rounds, configs=a.standby_configs,
                  **({"order": smoke.STANDBY_ORDER} if a.smoke else {}))
        if "soak" not in a.skip and a.soak > 0 and "pgwamp" in a.callees:
            phase("soak", phases.soak, env, "pgwamp", max(a.concurrency), a.soak, loadgen_cpus, log,
                  **({"warmup": smoke.SOAK_WARMUP} if a.smoke else {}))
        if "db" not in a.skip:
            phase("db", db_peers.db_smoke, env, a.db_bench, a.tokio_peer, a.db_peers, log)
    finally:
        router.stop()
        cluster.stop()
    data["setup"]["elapsed_s"] = time.monotonic() - started
    data["setup"]["loadavg_after"] = " ".join(f"{v:.2f}" for v in os.getloadavg())
    out = a.out or (tempfile.mkdtemp(prefix="pgwamp-bench-smoke-") if a.smoke else os.path.join(BENCH, "results"))
    os.makedirs(out, exist_ok=True)
    try:
        report.write(data, out, with_plot=not a.smoke)
    except Exception as e:  # noqa: BLE001 - in a smoke, a report that breaks is one more problem
        if not a.smoke:
            raise
        data["failures"].append(f"report: {type(e).__name__}: {e}")
    if data.get("standby") and not a.smoke:
        # The standby phase's own page (report.py writes live.md the same way for the live phase).
        report_standby.write(data, out)
    log(f"wrote {os.path.join(out, 'latest.md')}" + ("" if a.smoke else " and latest.png"))
    if a.smoke:
        found = smoke.problems(data, a)
        for problem in found:
            log(f"smoke: {problem}")
        ran = [ph for ph in PHASES if ph not in a.skip]
        log(f"smoke: {'FAILED' if found else 'passed'} in {time.monotonic() - started:.1f} s: phases "
            f"{','.join(ran)}; callees {','.join(a.callees)}; logs in {log_dir}")
        return 1 if found else 0
    for name, verdict, measured in report.targets(data) + (report_standby.targets(data) if data.get("standby")
                                                            else []):
        log(f"{verdict:4} {name}: {measured}")
    return 1 if data["failures"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
