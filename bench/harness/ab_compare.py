"""What the phases that compare two variants of pgwamp under the same load share (identity: plain against
as-caller procedures; tls: plain against TLS RawSocket): a router of the phase's own kind, runs in ABBA order
(A, B, B, A, ...) so a machine whose load drifts hits both alike, one row per load run, and per concurrency
the means of each side with ratios B / A."""

import copy
import statistics

import router as routers

FIELDS = ("calls_per_s", "callee_cpu_us", "router_cpu_us", "postgres_cpu_us", "loadgen_cpu_percent")


def own_router(env, **router_kwargs):
    """(env with a router of the phase's kind, the load generator on the same transport as elsewhere;
    whether that router was started here and must be stopped)."""
    router, owned = routers.for_phase(env.router, **router_kwargs)
    e = copy.copy(env)
    e.router = router
    e.loadgen_url = router.ws_url if env.loadgen_url == env.router.ws_url else router.url
    return e, owned


def is_b(run):
    """Whether run number `run` measures side B, in ABBA order."""
    return run % 4 in (1, 2)


def load_row(measured, **labels):
    """One row from phases.run_load's result, with the labels (side, concurrency, round, ...)."""
    r = measured["result"]
    cpu = measured["cpu_us_per_call"]
    return {**labels, "calls_per_s": r["calls_per_s"], "calls": r["calls"], "latency_us": r["latency_us"],
            "errors": r["errors"], "no_reply": r.get("no_reply"), "callee_cpu_us": cpu["callee"],
            "router_cpu_us": cpu["router"], "postgres_cpu_us": cpu["postgres"],
            "loadgen_cpu_percent": r.get("loadgen_cpu_percent")}


def mean(values):
    values = [v for v in values if v is not None]
    return statistics.mean(values) if values else None


def ratio(b, a):
    return b / a if a is not None and b is not None and a else None


def summary(rows, side_key, names):
    """Per concurrency: each side's means (under names[0] for side A, names[1] for B), the errors of both,
    and calls_ratio, cpu_ratio (pgwamp), router_cpu_ratio, B / A."""
    out = []
    for c in sorted({r["concurrency"] for r in rows if "concurrency" in r}):
        side = {k: [r for r in rows if r.get("concurrency") == c and r[side_key] == k] for k in (False, True)}
        if not side[False] or not side[True]:
            continue
        means = {}
        for k, runs in side.items():
            means[k] = {f: mean(r.get(f) for r in runs) for f in FIELDS}
            means[k]["p50_us"] = mean((r.get("latency_us") or {}).get("p50") for r in runs)
            means[k]["p99_us"] = mean((r.get("latency_us") or {}).get("p99") for r in runs)
            means[k]["runs"] = len(runs)
        errors = sum(sum(r["errors"].values()) if isinstance(r["errors"], dict) else (r["errors"] or 0)
                     for runs in side.values() for r in runs)
        errors += sum(r.get("no_reply") or 0 for runs in side.values() for r in runs)
        a, b = means[False], means[True]
        out.append({"concurrency": c, names[0]: a, names[1]: b, "errors": errors,
                    "calls_ratio": ratio(b["calls_per_s"], a["calls_per_s"]),
                    "cpu_ratio": ratio(b["callee_cpu_us"], a["callee_cpu_us"]),
                    "router_cpu_ratio": ratio(b["router_cpu_us"], a["router_cpu_us"])})
    return out
