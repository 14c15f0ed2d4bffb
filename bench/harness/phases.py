"""The measurements. Each returns plain dicts for the report; figures come
from the load generator (calls, latency) and from /proc at the edges of its
measured window (CPU of callee, router, PostgreSQL; callee RSS)."""

import os
import threading
import time

import callees
from procs import Child, cpu_seconds, rss_mb


def _loadgen(env, name, kind_or_procedure, concurrency, warmup, duration, loadgen_cpus):
    proc = kind_or_procedure if "." in kind_or_procedure else callees.procedure(kind_or_procedure)
    argv = [os.path.join(env.tools, "bench_loadgen"), "--url", env.loadgen_url, "--procedure", proc,
            "-c", str(concurrency), "--warmup", str(warmup), "-d", str(duration), "--client", env.loadgen_client]
    return Child(name, argv, env.log_dir, cpus=loadgen_cpus)


def _sample(pids, cluster):
    s = {"t": time.monotonic(), "cpu": {}, "pg": cluster.cpu_seconds()}
    for key, pid in pids.items():
        try:
            s["cpu"][key] = cpu_seconds(pid)
        except OSError:
            s["cpu"][key] = None
    return s


def run_load(env, callee_pids, target, concurrency, warmup, duration, loadgen_cpus, label, on_window=None):
    """One load generator run; CPU of callee_pids (name -> pid), the router worker
    and PostgreSQL sampled at the window's edges. on_window(child) runs while
    the window is open (the soak samples RSS from it)."""
    pids = dict(callee_pids)
    pids["router"] = env.router.worker_pid
    lg = _loadgen(env, label, target, concurrency, warmup, duration, loadgen_cpus)
    try:
        lg.wait_for("measure_start", warmup + 30)
        before = _sample(pids, env.cluster)
        if on_window:
            on_window(lg)
        lg.wait_for("measure_end", duration + 30)
        after = _sample(pids, env.cluster)
        rss = {}
        for key, pid in callee_pids.items():
            try:
                rss[key] = rss_mb(pid)
            except OSError:
                rss[key] = None
        result = lg.wait_for("result", 30)
    finally:
        lg.stop(15)
    calls = result["calls"]
    per_call = {}
    for key in pids:
        b, a = before["cpu"][key], after["cpu"][key]
        per_call[key] = (a - b) * 1e6 / calls if calls and a is not None and b is not None else None
    per_call["postgres"] = (after["pg"] - before["pg"]) * 1e6 / calls if calls else None
    # window: the monotonic times of the edges (the login phase counts its flood's sign-ins between them).
    return {"result": result, "cpu_us_per_call": per_call, "rss_mb": rss, "window": (before["t"], after["t"])}


def _start_or_skip(env, kind, rows, log, **how):
    """The callee's process, or None with a row saying why it was not measured."""
    return start_or_skip(kind, rows, log, lambda: callees.start(kind, env, **how))


def start_or_skip(kind, rows, log, start):
    """start(), or None with a row saying why `kind` was not measured (every phase's rule)."""
    try:
        return start()
    except FileNotFoundError as e:
        log(f"skip {kind}: {e}")
        rows.append({"callee": kind, "skipped": str(e)})
    except Exception as e:  # noqa: BLE001 - it did not come up; the others still run
        log(f"{kind} did not start: {e}")
        rows.append({"callee": kind, "skipped": f"did not start: {e}"})
    return None


def calls_matrix(env, kinds, concurrencies, warmup, duration, loadgen_cpus, log):
    rows = []
    for kind in kinds:
        child = _start_or_skip(env, kind, rows, log)
        if child is None:
            continue
        try:
            callees.wait_callable(env, kind, child, loadgen_cpus)
            for c in concurrencies:
                log(f"calls: {kind} c={c}")
                m = run_load(env, {"callee": child.pid}, kind, c, warmup, duration, loadgen_cpus, f"loadgen-{kind}-{c}")
                r = m["result"]
                rows.append({
                    "callee": kind, "concurrency": c, "calls_per_s": r["calls_per_s"], "calls": r["calls"],
                    "latency_us": r["latency_us"], "errors": r["errors"], "no_reply": r["no_reply"],
                    "callee_cpu_us": m["cpu_us_per_call"]["callee"], "router_cpu_us": m["cpu_us_per_call"]["router"],
                    "postgres_cpu_us": m["cpu_us_per_call"]["postgres"], "callee_rss_mb": m["rss_mb"]["callee"],
                    "loadgen_cpu_percent": r["loadgen_cpu_percent"],
                })
                log(f"  {r['calls_per_s']:.0f} calls/s p50 {r['latency_us']['p50']:.0f} us "
                    f"p99 {r['latency_us']['p99']:.0f} us errors {r['errors']}")
        except Exception as e:  # noqa: BLE001 - one callee failing must not lose the others' rows
            log(f"calls: {kind} failed: {e}")
            rows.append({"callee": kind, "skipped": f"failed: {e}"})
        finally:
            child.stop()
    return rows


def notify_sweep(env, kinds, rates, duration, warmup, loadgen_cpus, log):
    """For each callee that republishes NOTIFY: publish at each fixed rate for
    `warmup` seconds the subscriber does not count, then for `duration`
    seconds; count what the subscriber got and how late. "echo" publishes
    the same events straight to the router (bench_event_pub, no database):
    the router's own ceiling and tail."""
    rows = []
    for kind in kinds:
        child = None
        if kind != "echo":
            child = _start_or_skip(env, kind, rows, log, name=f"{kind}-notify", notify=True)
            if child is None:
                continue
        try:
            if child:
                callees.wait_callable(env, kind, child, loadgen_cpus)
            for rate in rates:
                rows.append(_notify_rate(env, kind, child, rate, duration, warmup, loadgen_cpus, log))
        except Exception as e:  # noqa: BLE001 - as above
            log(f"notify: {kind} failed: {e}")
            rows.append({"callee": kind, "skipped": f"failed: {e}"})
        finally:
            if child:
                child.stop()
    return rows


def _notify_rate(env, kind, child, rate, duration, warmup, loadgen_cpus, log):
    expect = int(rate * duration)
    limit = (warmup + duration) * 4 + 30
    sub = Child(f"sub-{kind}-{rate}", [
        os.path.join(env.tools, "bench_notify_sub"), "--url", env.router.url, "--topic", callees.TOPIC,
        "--expect", str(expect), "--idle", "3", "--timeout", str(limit)], env.log_dir, cpus=loadgen_cpus)
    common = ["--rate", str(rate), "--duration", str(duration), "--warmup", str(warmup)]
    if kind == "echo":
        argv = [os.path.join(env.tools, "bench_event_pub"), "--url", env.router.url, "--topic", callees.TOPIC,
                "--channel", callees.CHANNEL] + common
    else:
        argv = [os.path.join(env.tools, "bench_notify_pub"), "--conninfo", env.cluster.dsn(),
                "--channel", callees.CHANNEL] + common
    pub = None
    try:
        sub.wait_for("ready", 30)
        cpu0 = cpu_seconds(child.pid) if child else None
        router0 = cpu_seconds(env.router.worker_pid)
        pub = Child(f"pub-{kind}-{rate}", argv, env.log_dir, cpus=loadgen_cpus)
        sent = pub.wait_for("result", limit)
        got = sub.wait_for("result", limit + 10)
        cpu1 = cpu_seconds(child.pid) if child else None
        router1 = cpu_seconds(env.router.worker_pid)
    finally:
        if pub:
            pub.stop()
        sub.stop()
    n = max(got["received"], 1)
    log(f"notify: {kind} {rate}/s sent {sent['sent']} got {got['received']} "
        f"p50 {got['latency_us']['p50']:.0f} us p99 {got['latency_us']['p99']:.0f} us")
    return {
        "callee": kind, "rate": rate, "sent": sent["sent"], "publish_rate": sent["rate"],
        "received": got["received"], "missing": got["missing"], "duplicates": got["duplicates"],
        "out_of_order": got["out_of_order"],
        "events_per_s": (got["received"] - 1) / got["arrival_span_s"] if got["arrival_span_s"] > 0 else 0,
        "latency_us": got["latency_us"], "callee_cpu_us": (cpu1 - cpu0) * 1e6 / n if child else None,
        "router_cpu_us": (router1 - router0) * 1e6 / n,
    }


def roundrobin(env, concurrency, warmup, duration, loadgen_cpus, log):
    """Two pgwamp processes share com.example.now.v1 (invoke: roundrobin). Each
    uses its own database, so PostgreSQL's per-database statement counts say
    how many calls each one served."""
    a = b = None
    try:
        a = callees.start("pgwamp", env, name="pgwamp-a", db="bench")
        callees.wait_callable(env, "pgwamp", a, loadgen_cpus)
        b = callees.start("pgwamp", env, name="pgwamp-b", db="bench2")
        # The second registration joins the first; wait until b has served a call.
        before_b = env.cluster.now_calls("bench2")
        deadline = time.monotonic() + 60
        while env.cluster.now_calls("bench2") == before_b:
            if time.monotonic() > deadline or not b.running():
                raise RuntimeError(f"pgwamp-b never served a call; see {b.log_path}")
            callees.wait_callable(env, "pgwamp", a, loadgen_cpus)
        c0 = {db: env.cluster.now_calls(db) for db in ("bench", "bench2")}
        m = run_load(env, {"a": a.pid, "b": b.pid}, "pgwamp", concurrency, warmup, duration, loadgen_cpus,
                     "loadgen-roundrobin")
        c1 = {db: env.cluster.now_calls(db) for db in ("bench", "bench2")}
    except FileNotFoundError as e:
        log(f"skip roundrobin: {e}")
        return {"skipped": str(e)}
    finally:
        for child in (a, b):
            if child:
                child.stop()
    r = m["result"]
    # The counts cover warm-up and drain too, so they give the split, and
    # calls/s comes from the load generator.
    served = {"a": c1["bench"] - c0["bench"], "b": c1["bench2"] - c0["bench2"]}
    log(f"roundrobin: {r['calls_per_s']:.0f} calls/s, split {served}")
    return {"concurrency": concurrency, "calls_per_s": r["calls_per_s"], "latency_us": r["latency_us"],
            "errors": r["errors"], "served": served, "cpu_us_per_call": m["cpu_us_per_call"], "rss_mb": m["rss_mb"]}


def soak(env, kind, concurrency, duration, loadgen_cpus, log, every=5.0, warmup=5.0):
    """One long run at `concurrency` after `warmup` s, sampling the callee's RSS every `every` s."""
    try:
        child = callees.start(kind, env, name=f"{kind}-soak")
    except FileNotFoundError as e:
        log(f"skip soak: {e}")
        return {"skipped": str(e)}
    samples = []
    stop = threading.Event()

    def sampler(_lg):
        def loop():
            t0 = time.monotonic()
            while not stop.is_set():
                try:
                    samples.append((round(time.monotonic() - t0, 1), rss_mb(child.pid)))
                except OSError:
                    return
                stop.wait(every)
        threading.Thread(target=loop, daemon=True).start()

    try:
        callees.wait_callable(env, kind, child, loadgen_cpus)
        log(f"soak: {kind} c={concurrency} for {duration} s")
        m = run_load(env, {"callee": child.pid}, kind, concurrency, warmup, duration, loadgen_cpus, f"loadgen-soak",
                     on_window=sampler)
    finally:
        stop.set()
        child.stop()
    r = m["result"]
    rss = [v for _, v in samples]
    # Growth: the last minute's mean against the first minute's (after warm-up),
    # so one allocator spike does not read as a leak.
    window = max(1, int(60 / every))
    growth = (sum(rss[-window:]) / len(rss[-window:]) - sum(rss[:window]) / len(rss[:window])) if rss else None
    log(f"soak: {r['calls_per_s']:.0f} calls/s, RSS {rss[0] if rss else 0:.1f} -> {rss[-1] if rss else 0:.1f} MB")
    return {"callee": kind, "concurrency": concurrency, "duration_s": duration, "calls_per_s": r["calls_per_s"],
            "latency_us": r["latency_us"], "errors": r["errors"], "rss_samples": samples,
            "rss_first_mb": rss[0] if rss else None, "rss_last_mb": rss[-1] if rss else None,
            "rss_max_mb": max(rss) if rss else None, "rss_growth_mb": growth,
            "cpu_us_per_call": m["cpu_us_per_call"]}
