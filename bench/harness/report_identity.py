"""The identity phase in the report: a procedure run as the caller beside the
same procedure without identity (harness/identity.py); report.py puts the
targets and the table in latest.md."""

import identity

CPU = "identity: pgwamp CPU per call as the caller ≤ 1.2× without"
RATE = "identity: calls/s as the caller ≥ 0.95× without"


def targets(data):
    rows = [r for r in data.get("identity") or [] if "concurrency" in r]
    if not rows:
        return [("identity: as_caller against plain", "n/a", "not measured")]
    out = []
    for s in identity.summary(rows):
        c = s["concurrency"]
        clean = s["errors"] == 0
        out.append((f"{CPU} ({c} outstanding)", "pass" if clean and s["cpu_ratio"] <= 1.2 else "FAIL",
                    f"{s['cpu_ratio']:.2f}× ({s['caller']['callee_cpu_us']:.2f} against "
                    f"{s['plain']['callee_cpu_us']:.2f} µs)" + ("" if clean else f"; {s['errors']} errors")))
        out.append((f"{RATE} ({c} outstanding)", "pass" if clean and s["calls_ratio"] >= 0.95 else "FAIL",
                    f"{s['calls_ratio']:.2f}× ({s['caller']['calls_per_s']:.0f} against "
                    f"{s['plain']['calls_per_s']:.0f} calls/s)"))
    return out


def markdown(data):
    rows = [r for r in data.get("identity") or [] if "concurrency" in r]
    if not rows:
        return []
    lines = ["## Running as the caller (identity)", "",
             f"`{identity.SQL}` as `{identity.PLAIN}` and, with `\"as_caller\": true`, as `{identity.CALLER}` "
             f"(anonymous → {identity.DB_ROLE}); runs in ABBA order, means per side.", "",
             "| outstanding | procedure | calls/s | pgwamp µs/call | PostgreSQL µs/call | router µs/call |",
             "|---:|---|---:|---:|---:|---:|"]
    for s in identity.summary(rows):
        for side in ("plain", "caller"):
            m = s[side]
            lines.append(f"| {s['concurrency']} | {side} | {m['calls_per_s']:.0f} | {m['callee_cpu_us']:.2f} "
                         f"| {m['postgres_cpu_us']:.2f} | {m['router_cpu_us']:.2f} |")
    sets = [r["set_config_calls"] for r in data.get("identity") or [] if "set_config_calls" in r]
    if sets:
        lines += ["", f"PostgreSQL ran pgwamp's `set_config('role', …)` statement {sets[0]:,} times "
                      f"(pg_stat_statements): the caller's side did run as the caller."]
    return lines + [""]
