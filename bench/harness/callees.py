"""The callees compared, each started the same way: connected to the same
router over RawSocket + MessagePack, serving one procedure, pinned to the
same CPUs. Each start() returns a procs.Child once the callee answers calls."""

import json
import os
import subprocess
import time

from procs import Child

TOPIC = "com.example.bench.event"
CHANNEL = "bench_events"


class Env:
    """What every callee needs: paths, router, database, pinning, logs."""

    def __init__(self, tools, python, peers_dir, pgwamp, router, cluster, log_dir, cpus, pool_min, pool_max,
                 loadgen_url, loadgen_client="pgwamp"):
        self.tools = tools          # dir with bench_loadgen, bench_echo, bench_notify_*
        self.python = python        # the bench venv's python
        self.peers_dir = peers_dir
        self.pgwamp = pgwamp        # path to the pgwamp binary, or None
        self.router = router
        self.cluster = cluster
        self.log_dir = log_dir
        self.cpus = cpus            # CPUs for the callees (and PostgreSQL's), None: no pinning
        self.pool_min = pool_min
        self.pool_max = pool_max
        self.loadgen_url = loadgen_url  # the load generator's way in (RawSocket or WebSocket)
        self.loadgen_client = loadgen_client  # its WAMP client: pgwamp (wamp::Client) or autobahn


def pgwamp_config(env, db="bench", notify=False, changes=None, procedures=None, url=None, admin=None,
                  identity=None, tls=None, live=None, conninfo=None):
    config = {
        "router": {"url": url or env.router.url, "realm": "realm1", "authmethod": "anonymous"},
        "database": {"conninfo": conninfo or env.cluster.dsn(db), "pool": {"min": env.pool_min, "max": env.pool_max}},
        "service": {"log_level": "warn", "register_invoke": "roundrobin", "notify_procedure": None},
    }
    if notify:
        config["notifications"] = {CHANNEL: {"topic": TOPIC, "payload": "json"}}
    if changes:
        config["changes"] = changes  # the changes phase's section (harness/changes.py)
    if procedures:
        config["procedures"] = procedures  # the stream phase's com.example.numbers (harness/stream.py)
    if admin:
        config["service"]["admin"] = {"listen": admin}  # the scrape phase's /metrics (harness/scrape.py)
    if identity:
        config["identity"] = identity  # the identity phase's database roles (harness/identity.py)
    if tls:
        config["router"]["tls"] = tls  # the tls phase's router.tls, with an rss:// url (harness/tls.py)
    if live:
        config["live"] = live  # the live phase's live queries (harness/live.py)
    return config


def start(kind, env, name=None, db="bench", notify=False, changes=None, procedures=None, url=None,
          max_message_size=None, admin=None, identity=None, tls=None, live=None, conninfo=None):
    """url: the router transport the callee joins through (default: RawSocket). tls: pgwamp's router.tls.
    conninfo: pgwamp's database.conninfo instead of the cluster's for `db` (the live phase's synchronous_commit).
    max_message_size: a Python peer's WebSocket message limit (Autobahn's default: 1 MB)."""
    name = name or kind
    if kind == "pgwamp":
        if not env.pgwamp or not os.path.exists(env.pgwamp):
            raise FileNotFoundError(f"pgwamp binary not found at {env.pgwamp}")
        path = os.path.join(env.log_dir, f"{name}.json")
        with open(path, "w") as f:
            json.dump(pgwamp_config(env, db, notify, changes, procedures, url, admin, identity, tls, live, conninfo),
                      f, indent=2)
        child = Child(name, [env.pgwamp, "--config", path], env.log_dir, cpus=env.cpus)
    elif kind in ("txpostgres", "adbapi"):
        argv = [env.python, os.path.join(env.peers_dir, f"{kind}_peer.py"), "--url", url or env.router.url,
                "--dsn", env.cluster.dsn(db), "--pool-min", str(env.pool_min), "--pool-max", str(env.pool_max)]
        if notify:
            argv += ["--notify-channel", CHANNEL, "--notify-topic", TOPIC]
        if max_message_size:
            argv += ["--max-message-size", str(max_message_size)]
        child = Child(name, argv, env.log_dir, cpus=env.cpus)
        _ready_or_stop(child, 60)
    elif kind == "echo":
        child = Child(name, [os.path.join(env.tools, "bench_echo"), "--url", env.router.url], env.log_dir,
                      cpus=env.cpus)
        _ready_or_stop(child, 30)
    else:
        raise ValueError(f"unknown callee {kind}")
    return child


def _ready_or_stop(child, timeout):
    try:
        child.wait_for("ready", timeout)
    except Exception:
        child.stop()
        raise


def procedure(kind):
    return "com.example.echo" if kind == "echo" else "com.example.now.v1"


def wait_callable(env, kind, child, loadgen_cpus, timeout=60, proc=None):
    """Calls the procedure (the kind's, or proc) until one call succeeds: pgwamp prints no ready line,
    and the router may take a moment to publish a new registration."""
    proc = proc or procedure(kind)
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if not child.running():
            raise RuntimeError(f"{child.name} exited ({child.proc.returncode}); see {child.log_path}")
        argv = [os.path.join(env.tools, "bench_loadgen"), "--url", env.router.url, "--procedure", proc,
                "-c", "1", "--warmup", "0", "-d", "0.3"]
        if loadgen_cpus:
            argv = ["taskset", "-c", loadgen_cpus] + argv
        out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        for line in out.stdout.splitlines():
            if line.startswith("{") and '"result"' in line:
                r = json.loads(line)
                if r["calls"] > 0 and not r["errors"]:
                    return
                last = json.dumps(r["errors"])
        time.sleep(0.5)
    raise RuntimeError(f"{kind}: {proc} not callable after {timeout} s (last errors: {last})")
