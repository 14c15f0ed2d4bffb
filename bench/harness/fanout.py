"""Event fan-out with and without eligible_authid (issue 12's second row).
pgwamp bridges two channels: fan_on with an audience (each NOTIFY's JSON
"owner" names the user; published with eligible_authid [owner, pgwamp]) and
fan_off without. N sessions (fanout_sub.py, one process) sign in with
WAMP-Ticket as 50 users on a Crossbar of the phase's own and subscribe to
both topics. Per run the same random owners are published at a fixed rate
to one channel, then an end marker; runs alternate ABBA (off, on, on, off).
Checks: with the audience each session got exactly its own user's events
(count, seq sum and sum of squares match, no foreign owner, no duplicate);
without, every session got every event. Rate: events published / seconds
from the first NOTIFY to the last event received by any session (the NOTIFY
rate the whole fan-out sustained). Target: with >= 0.9x without."""

import json
import os
import random
import statistics
import time

import callees
from procs import Child, cpu_seconds
import router as routers

CHANNELS = {True: "fan_on", False: "fan_off"}
TOPICS = {True: "com.example.bench.fan_on", False: "com.example.bench.fan_off"}
USERS = 50


def _pgwamp(env, router, log_dir):
    config = callees.pgwamp_config(env, url=router.url)
    config["notifications"] = {
        CHANNELS[True]: {"topic": TOPICS[True], "payload": "json",
                         "audience": {"owner": "owner", "public": "public"}},
        CHANNELS[False]: {"topic": TOPICS[False], "payload": "json"}}
    path = os.path.join(log_dir, "pgwamp-fanout.json")
    with open(path, "w") as f:
        json.dump(config, f, indent=2)
    return Child("pgwamp-fanout", [env.pgwamp, "--config", path], log_dir, cpus=env.cpus)


def _notify(cur, channel, payload):
    cur.execute("SELECT pg_notify(%s, %s)", (channel, json.dumps(payload)))


def _wait_probes(cur, sub, timeout=60):
    """NOTIFY a public probe on both channels until the subscribers hear each: pgwamp is LISTENing."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        heard = {line["topic"] for line in sub.lines if line.get("event") == "probe"}
        if heard >= set(TOPICS.values()):
            return
        for on in (True, False):
            _notify(cur, CHANNELS[on], {"probe": True, "public": True})
        time.sleep(0.5)
    raise RuntimeError(f"pgwamp's events did not reach the subscribers in {timeout} s")


def _expected(owners):
    """Per owner: (count, seq sum, seq sum of squares)."""
    out = {}
    for seq, owner in enumerate(owners):
        c = out.setdefault(owner, [0, 0, 0])
        c[0] += 1
        c[1] += seq
        c[2] += seq * seq
    return out


def _check(done, on, owners):
    """The number of sessions whose events were not exactly theirs (with) or all (without)."""
    per_owner = _expected(owners)
    everything = [len(owners), sum(range(len(owners))), sum(s * s for s in range(len(owners)))]
    wrong = 0
    for authid, count, total, squares, foreign, distinct in done["sessions"]:
        want = per_owner.get(authid, [0, 0, 0]) if on else everything
        if [count, total, squares] != want or foreign and on or distinct != count:
            wrong += 1
    return wrong


def _run(cur, sub, pids, on, round_, owners, rate, log):
    channel = CHANNELS[on]
    start_line = len(sub.lines)
    before = {k: cpu_seconds(p) for k, p in pids.items()}
    t0 = time.monotonic()
    for seq, owner in enumerate(owners):
        pause = t0 + seq / rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        _notify(cur, channel, {"owner": owner, "public": False, "seq": seq, "round": round_})
    published_s = time.monotonic() - t0
    _notify(cur, channel, {"end": True, "public": True, "round": round_})
    done = None
    while done is None:
        line = sub.wait_for("done", 120, start_line)
        if line["topic"] == TOPICS[on] and line["round"] == round_:
            done = line
        start_line = sub.lines.index(line) + 1
    after = {k: cpu_seconds(p) for k, p in pids.items()}
    span = (done["last"] - t0) if done["last"] else float("nan")
    delivered = sum(s[1] for s in done["sessions"])
    row = {"audience": on, "round": round_, "events": len(owners), "publish_s": published_s, "span_s": span,
           "events_per_s": len(owners) / span, "deliveries": delivered, "deliveries_per_s": delivered / span,
           "wrong_sessions": _check(done, on, owners),
           "cpu_us_per_event": {k: (after[k] - before[k]) * 1e6 / len(owners) for k in pids}}
    log(f"fanout {'with   ' if on else 'without'} audience run {round_}: {row['events_per_s']:.0f} events/s "
        f"({len(owners)} in {span:.2f} s, published in {published_s:.2f} s), {delivered} deliveries "
        f"({row['deliveries_per_s']:.0f}/s), wrong sessions {row['wrong_sessions']}, pgwamp "
        f"{row['cpu_us_per_event']['pgwamp']:.0f} us/event, router {row['cpu_us_per_event']['router']:.0f} us/event")
    return row


def fanout_compare(env, sessions, rate, duration, loadgen_cpus, log, rounds=1):
    users = [f"u{i}" for i in range(USERS)]
    router, owned = routers.for_phase(env.router, ticket_users=users)
    rows = []
    try:
        pg = _pgwamp(env, router, env.log_dir)
        try:
            sub = Child("fanout-subscribers",
                        [env.python, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fanout_sub.py"),
                         "--url", router.fan_url, "--sessions", str(sessions), "--users", str(USERS),
                         "--topics", ",".join(TOPICS.values())], env.log_dir, cpus=loadgen_cpus)
            try:
                ready = sub.wait_for("ready", 300)
                log(f"fanout: {sessions} sessions across {USERS} users signed in in {ready['seconds']} s")
                import psycopg2  # the bench venv has it; bench_report_test imports this file with plain python3
                conn = psycopg2.connect(env.cluster.dsn("bench"))
                conn.autocommit = True
                try:
                    cur = conn.cursor()
                    _wait_probes(cur, sub)
                    pids = {"pgwamp": pg.pid, "router": router.worker_pid, "subscribers": sub.pid}
                    rng = random.Random(12)
                    for r in range(rounds):
                        owners = [rng.choice(users) for _ in range(int(rate * duration))]
                        for i, on in enumerate((False, True, True, False)):  # ABBA
                            rows.append(_run(cur, sub, pids, on, r * 4 + i, owners, rate, log))
                finally:
                    conn.close()
            finally:
                sub.stop()
        finally:
            pg.stop()
    finally:
        if owned:
            router.stop()
    s = summary(rows)
    if s:
        log(f"fanout: events/s with audience {s['ratio']:.3f}x without (target >= 0.9), "
            f"wrong sessions {s['wrong_sessions']}")
    return [dict(r, sessions=sessions, rate=rate) for r in rows]


def summary(rows):
    side = {k: [r for r in rows if r.get("audience") is k] for k in (False, True)}
    if not side[False] or not side[True]:
        return None
    mean = {k: {"events_per_s": statistics.mean(r["events_per_s"] for r in v),
                "deliveries_per_s": statistics.mean(r["deliveries_per_s"] for r in v),
                **{f"{p}_cpu_us": statistics.mean(r["cpu_us_per_event"][p] for r in v)
                   for p in ("pgwamp", "router", "subscribers")}} for k, v in side.items()}
    return {"without": mean[False], "with": mean[True],
            "ratio": mean[True]["events_per_s"] / mean[False]["events_per_s"],
            "wrong_sessions": sum(r["wrong_sessions"] for r in rows)}
