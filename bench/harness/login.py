"""Callers during a sign-in flood (the issue's figure: "200 concurrent wrong
logins while 64 callers call com.example.notes.list: their p99 <= 2x the p99
without the flood").

The stack as the demo runs it: scripts/demo_schema.sql in a database of its
own (app_users with bcrypt, app_authenticate, notes under row-level
security; 200 public notes), pgwamp with config/pgwamp.json's
com.example.notes.list (as_caller, default limit 20: the load generator
sends no arguments) and its whole identity section (database_roles, the
ticket authenticator, identity.login's limits and pool), on a Crossbar of
the phase's own with the demo's /app path (anonymous, or WAMP-Ticket checked
by pgwamp's dynamic authenticator) and callers disclosed.

Per setting of identity.login, runs in ABBA order (quiet, flood, flood,
quiet): bench_loadgen keeps `callers` calls of com.example.notes.list
outstanding (anonymous, RawSocket, as everywhere in the bench); in the flood
runs login_flood.py keeps `clients` wrong-password sign-ins in flight on /app
from before the warm-up to after the window. Figures: the load generator's
p99 and calls/s; sign-in attempts in the window by outcome (checked by the
database, refused by a limit, refused by the login pool's full queue); CPU
of pgwamp, the router, PostgreSQL and the flood process.

Settings:
- "open": identity.login as shipped but peer_attempts 1,000,000 (see
  OPEN_PEER_ATTEMPTS): every attempt can reach the database's bcrypt.
- "shipped": identity.login exactly as in config/pgwamp.json (120 sign-ins a
  minute per address): past the first 120 the flood is refused before the
  database.
- "untarpitted": "open" with refusal_delay_ms 0, every refusal answered at
  once: what the tarpit (service/refusal_delay.hpp) saves, in the same run.
Target: the callers' p99 with the flood <= 2x without, in each setting."""

import copy
import json
import os
import statistics
import subprocess
import time

import callees
from cluster import PG_BIN
from phases import run_load, start_or_skip
from procs import Child
import router as routers

HARNESS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HARNESS))
SHIPPED_CONFIG = os.path.join(ROOT, "config", "pgwamp.json")
SCHEMA = os.path.join(ROOT, "scripts", "demo_schema.sql")
LIST = "com.example.notes.list"
DB = "login"
NOTES = 200
RIGHT_USER, RIGHT_PASSWORD = "bench_right", "right-password-1"
# All the bench's traffic comes from 127.0.0.1, and identity.login.peer_attempts counts sign-ins per address:
# as shipped (120 a minute) it refuses all but the flood's first 120 attempts without asking the database, so
# the "open" setting would measure the limit, not what sign-ins that reach bcrypt cost the callers. A flood
# from many addresses (a botnet, or everyone behind one proxy with the limit raised for it) gets that far;
# 1,000,000 a minute (the config's maximum) is beyond anything the flood here sends.
OPEN_PEER_ATTEMPTS = 1_000_000
SETTINGS = ("open", "shipped", "untarpitted")
CHECKED = "wamp.error.not_authorized"
LIMITED = "pgwamp.error.too_many_attempts"
OVERLOADED = "pgwamp.error.overloaded"


def shipped():
    with open(SHIPPED_CONFIG) as f:
        return json.load(f)


def identity_for(setting, config=None, refusal_delay_ms=None):
    """config/pgwamp.json's identity section, with the peer limit opened for "open" and "untarpitted", and no
    refusal delay for "untarpitted". refusal_delay_ms: another delay for every setting (the smoke's short one,
    so that answers come within its fractions of a second)."""
    identity = copy.deepcopy((config or shipped())["identity"])
    login = identity.setdefault("login", {})
    if setting in ("open", "untarpitted"):
        login["peer_attempts"] = OPEN_PEER_ATTEMPTS
    elif setting != "shipped":
        raise ValueError(f"unknown login setting {setting}")
    if refusal_delay_ms is not None:
        login["refusal_delay_ms"] = refusal_delay_ms
        login["refusal_delay_max_ms"] = refusal_delay_ms
    if setting == "untarpitted":
        login["refusal_delay_ms"] = 0
    return identity


def _database(cluster):
    if cluster.psql(f"SELECT count(*) FROM pg_database WHERE datname = '{DB}'") == "0":
        cluster.psql(f"CREATE DATABASE {DB}")
    out = subprocess.run([f"{PG_BIN}/psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", cluster.dsn(DB), "-f", SCHEMA],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"demo schema: {out.stderr.strip()}")
    cluster.psql(f"INSERT INTO notes (body, public) SELECT 'bench note ' || g, true FROM generate_series(1, {NOTES}) g "
                 f"WHERE (SELECT count(*) FROM notes) = 0", db=DB)
    cluster.psql(f"SELECT app_signup('{RIGHT_USER}', '{RIGHT_PASSWORD}') "
                 f"WHERE NOT EXISTS (SELECT FROM app_users WHERE name = '{RIGHT_USER}')", db=DB)


def _once(env, url, name, password, loadgen_cpus):
    argv = [env.python, os.path.join(HARNESS, "login_flood.py"), "--url", url, "--once", name,
            "--password", password, "--timeout", "10"]
    if loadgen_cpus:
        argv = ["taskset", "-c", loadgen_cpus] + argv
    out = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    for line in out.stdout.splitlines():
        if line.startswith("{") and '"result"' in line:
            return json.loads(line)["outcome"]
    raise RuntimeError(f"login_flood.py --once printed no result: {out.stderr.strip()[-400:]}")


def _check_sign_in(env, router, loadgen_cpus, log, timeout=60):
    """A wrong password is refused by the database and the right one admitted, through /app:
    the authenticator is registered and the flood will measure what it should."""
    deadline = time.monotonic() + timeout
    wrong = None
    while time.monotonic() < deadline:
        wrong = _once(env, router.app_url, RIGHT_USER, "a-wrong-password", loadgen_cpus)
        if wrong == CHECKED:
            break
        time.sleep(0.5)  # pgwamp may not have registered the authenticator yet
    right = _once(env, router.app_url, RIGHT_USER, RIGHT_PASSWORD, loadgen_cpus)
    log(f"login: through /app a wrong password gives {wrong}, the right one {right}")
    if wrong != CHECKED or right != "welcome":
        raise RuntimeError(f"sign-in through /app does not work as the demo's: wrong password -> {wrong}, "
                           f"right password -> {right}")
    return {"wrong": wrong, "right": right}


def window_counts(lines, t0, t1):
    """Sign-in outcomes between two monotonic times, from the flood's tally lines (running totals):
    the last tally at or before each edge (the first one if none is that early)."""
    tallies = [line for line in lines if line.get("event") == "tally"]
    if not tallies:
        return {}

    def at(t):
        best = tallies[0]
        for line in tallies:
            if line["t"] <= t:
                best = line
        return best

    a, b = at(t0), at(t1)
    return {k: v - a["outcomes"].get(k, 0) for k, v in b["outcomes"].items() if v - a["outcomes"].get(k, 0)}


def _busy(per_call_us, calls, window_s):
    """% of one CPU from µs per call."""
    return per_call_us * calls / window_s / 1e4 if per_call_us is not None and window_s else None


def _settle_s(identity):
    """Seconds a flood runs before the measured window: past the longest refusal delay, so the window sees
    the tarpit's steady state (every flood client waiting its turn), not its first seconds."""
    login = identity.get("login", {})
    if login.get("refusal_delay_ms", 1000) <= 0:
        return 0.0
    longest = max(login.get("refusal_delay_max_ms", 10_000), login.get("refusal_delay_ms", 1000)) / 1000
    return longest + min(longest, 1.0)


def _run(e, pg, setting, i, flooding, clients, callers, warmup, duration, loadgen_cpus, log, settle_s=0.0):
    flood = None
    pids = {"callee": pg.pid}
    label = f"login-{setting}-{'flood' if flooding else 'quiet'}-{i}"
    try:
        if flooding:
            flood = Child(f"{label}-clients", [e.python, os.path.join(HARNESS, "login_flood.py"),
                                               "--url", e.router.app_url, "--clients", str(clients)],
                          e.log_dir, cpus=loadgen_cpus)
            flood.wait_for("ready", 30)
            flood.wait_for("tally", 30)
            time.sleep(settle_s)
            pids["flood"] = flood.pid
        m = run_load(e, pids, LIST, callers, warmup, duration, loadgen_cpus, f"loadgen-{label}")
        sign_ins = window_counts(flood.lines, *m["window"]) if flood else {}
    finally:
        if flood:
            flood.stop()
    r = m["result"]
    cpu = m["cpu_us_per_call"]
    w = r["window_s"]
    row = {"setting": setting, "flood": flooding, "round": i, "clients": clients if flooding else 0,
           "callers": callers, "calls_per_s": r["calls_per_s"], "calls": r["calls"], "window_s": w,
           "latency_us": r["latency_us"], "errors": r["errors"], "no_reply": r["no_reply"],
           "busy_percent": {k: _busy(cpu.get(k), r["calls"], w) for k in ("callee", "router", "postgres", "flood")},
           "sign_ins": sign_ins, "sign_ins_per_s": sum(sign_ins.values()) / w if w else 0}
    log(f"login {setting} {'flood' if flooding else 'quiet'} run {i}: {r['calls_per_s']:.0f} calls/s, "
        f"p99 {r['latency_us']['p99']:.0f} us, errors {r['errors']}"
        + (f"; sign-ins {row['sign_ins_per_s']:.0f}/s {sign_ins}" if flooding else "")
        + f"; busy % {{{', '.join(f'{k}: {v:.0f}' for k, v in row['busy_percent'].items() if v is not None)}}}")
    return row


def login_compare(env, clients, callers, settings, warmup, duration, loadgen_cpus, log, rounds=1,
                  refusal_delay_ms=None):
    rows = []
    _database(env.cluster)
    config = shipped()
    router, owned = routers.for_phase(env.router, disclose_caller=True, app=True)
    e = copy.copy(env)
    e.router = router
    e.loadgen_url = router.ws_url if env.loadgen_url == env.router.ws_url else router.url
    try:
        for setting in settings:
            identity = identity_for(setting, config, refusal_delay_ms)
            settle_s = _settle_s(identity)
            pg = start_or_skip("pgwamp", rows, log, lambda: callees.start(
                "pgwamp", e, name=f"pgwamp-login-{setting}", db=DB, procedures={LIST: config["procedures"][LIST]},
                identity=identity))
            if pg is None:
                return rows
            try:
                callees.wait_callable(e, "pgwamp", pg, loadgen_cpus, proc=LIST)
                checks = _check_sign_in(e, router, loadgen_cpus, log)
                rows.append({"setting": setting, "checks": checks, "login": identity.get("login")})
                for r in range(rounds):
                    for k, flooding in enumerate((False, True, True, False)):  # ABBA
                        rows.append(_run(e, pg, setting, r * 4 + k, flooding, clients, callers, warmup, duration,
                                         loadgen_cpus, log, settle_s))
            finally:
                pg.stop()
    finally:
        if owned:
            router.stop()
    for s in summary(rows):
        log(f"login {s['setting']}: p99 {s['quiet']['p99_us'] / 1000:.1f} ms quiet, {s['flood']['p99_us'] / 1000:.1f} "
            f"ms with {s['clients']} wrong sign-ins in flight: {s['ratio']:.2f}x (target <= 2); calls/s "
            f"{s['quiet']['calls_per_s']:.0f} / {s['flood']['calls_per_s']:.0f}; sign-ins {s['sign_ins_per_s']:.0f}/s: "
            f"{s['checked_per_s']:.1f}/s checked, {s['limited_per_s']:.1f}/s refused by the limits, "
            f"{s['overloaded_per_s']:.1f}/s by the full login queue, {s['other_per_s']:.1f}/s other; router "
            f"{s['router_us_per_sign_in'] or 0:.0f} us CPU per sign-in attempt")
    return rows


def _router_per_sign_in(quiet, flood, sign_ins_per_s):
    """The router's CPU µs per sign-in attempt: its busy time during the flood less what the calls made then
    cost it at the quiet runs' µs per call, divided by the attempts. None without the figures, or when there are
    too few attempts to tell them from noise."""
    rq, rf = quiet["busy_percent"]["router"], flood["busy_percent"]["router"]
    if rq is None or rf is None or not quiet["calls_per_s"] or not sign_ins_per_s:
        return None
    per_call = rq * 1e4 / quiet["calls_per_s"]
    us = (rf * 1e4 - flood["calls_per_s"] * per_call) / sign_ins_per_s
    # A few sign-ins a second (the tarpit's) vanish in the calls' noise: no figure rather than a negative one.
    return us if us > 0 and sign_ins_per_s >= 50 else None


def summary(rows):
    """Per setting: means of each side (p99, calls/s, busy %), the p99 ratio flood / quiet, and the flood's
    sign-ins per second of window by outcome."""
    out = []
    for setting in [s for s in SETTINGS if any(r.get("setting") == s and "flood" in r for r in rows)] + sorted(
            {r["setting"] for r in rows if "flood" in r} - set(SETTINGS)):
        side = {k: [r for r in rows if r.get("setting") == setting and r.get("flood") is k] for k in (False, True)}
        if not side[False] or not side[True]:
            continue

        def mean(v, f):
            return statistics.mean(f(r) for r in v)

        def busy(v, k):
            xs = [r["busy_percent"].get(k) for r in v if r["busy_percent"].get(k) is not None]
            return statistics.mean(xs) if xs else None

        m = {k: {"p99_us": mean(v, lambda r: r["latency_us"]["p99"]), "p50_us": mean(v, lambda r: r["latency_us"]["p50"]),
                 "calls_per_s": mean(v, lambda r: r["calls_per_s"]),
                 "busy_percent": {b: busy(v, b) for b in ("callee", "router", "postgres", "flood")}}
             for k, v in side.items()}
        window = sum(r["window_s"] for r in side[True])
        counts = {}
        for r in side[True]:
            for k, v in r["sign_ins"].items():
                counts[k] = counts.get(k, 0) + v
        attempts = sum(counts.values())
        per_s = attempts / window if window else 0
        other = attempts - counts.get(CHECKED, 0) - counts.get(LIMITED, 0) - counts.get(OVERLOADED, 0)
        out.append({"setting": setting, "clients": side[True][0]["clients"], "callers": side[True][0]["callers"],
                    "quiet": m[False], "flood": m[True], "ratio": m[True]["p99_us"] / m[False]["p99_us"],
                    "errors": sum(sum(r["errors"].values()) if isinstance(r["errors"], dict) else r["errors"]
                                  for v in side.values() for r in v),
                    "sign_ins": counts, "attempts": attempts, "sign_ins_per_s": per_s,
                    "checked_per_s": counts.get(CHECKED, 0) / window if window else 0,
                    "limited_per_s": counts.get(LIMITED, 0) / window if window else 0,
                    "overloaded_per_s": counts.get(OVERLOADED, 0) / window if window else 0,
                    "other_per_s": other / window if window else 0, "other": other,
                    "router_us_per_sign_in": _router_per_sign_in(m[False], m[True], per_s)})
    return out
