"""The tls phase in the report: pgwamp joined over RawSocket + TLS beside plain RawSocket, same router, same
load (harness/tls.py); report.py puts the targets and the table in latest.md."""

import tls

RATE = f"tls: calls/s with pgwamp over TLS ≥ {tls.TARGET}× plain"


def _f(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def targets(data):
    rows = [r for r in data.get("tls") or [] if "concurrency" in r]
    if not rows:
        return [("tls: pgwamp over TLS against plain", "n/a", "not measured")]
    out = []
    for s in tls.summary(rows):
        ratio = s["calls_ratio"]
        clean = s["errors"] == 0
        ok = clean and ratio is not None and ratio >= tls.TARGET
        measured = "–" if ratio is None else (f"{ratio:.2f}× ({s['tls']['calls_per_s']:.0f} against "
                                              f"{s['plain']['calls_per_s']:.0f} calls/s)")
        out.append((f"{RATE} ({s['concurrency']} outstanding)", "pass" if ok else "FAIL",
                    measured + ("" if clean else f"; {s['errors']} errors")))
    return out


def markdown(data):
    rows = [r for r in data.get("tls") or [] if "concurrency" in r]
    skipped = [r for r in data.get("tls") or [] if "skipped" in r]
    if not rows and not skipped:
        return []
    lines = ["## pgwamp over TLS (rss://) against plain RawSocket (rs://)", "",
             "`com.example.now.v1`; pgwamp joins the same router through its plain RawSocket transport or through a "
             "RawSocket transport with TLS (TLS 1.3, Crossbar's only version; client certificate demanded, as in "
             "docs/deploy.md). Only pgwamp ↔ router is TLS: the load generator's own connection stays plain, so each "
             "call crosses TLS twice (INVOCATION, YIELD) and plain twice (CALL, RESULT). pgwamp is started afresh "
             "for each run; runs in ABBA order, means per side. Ratio: TLS ÷ plain.", ""]
    for r in skipped:
        lines.append(f"Not measured: {r['skipped']}")
    if rows:
        lines += ["| outstanding | pgwamp ↔ router | runs | calls/s | p50 µs | p99 µs | pgwamp CPU µs/call "
                  "| router CPU µs/call | PostgreSQL CPU µs/call | loadgen CPU % |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for s in tls.summary(rows):
            for side, label in (("plain", "plain (rs://)"), ("tls", "TLS (rss://)")):
                m = s[side]
                lines.append(f"| {s['concurrency']} | {label} | {m['runs']} | {_f(m['calls_per_s'])} "
                             f"| {_f(m['p50_us'])} | {_f(m['p99_us'])} | {_f(m['callee_cpu_us'], 2)} "
                             f"| {_f(m['router_cpu_us'], 1)} | {_f(m['postgres_cpu_us'], 1)} "
                             f"| {_f(m['loadgen_cpu_percent'])} |")
            ratio = lambda v: "–" if v is None else f"{v:.2f}×"  # noqa: E731
            lines.append(f"| {s['concurrency']} | **TLS ÷ plain** | | **{ratio(s['calls_ratio'])}** | "
                         f"{ratio(_div(s['tls']['p50_us'], s['plain']['p50_us']))} "
                         f"| {ratio(_div(s['tls']['p99_us'], s['plain']['p99_us']))} | {ratio(s['cpu_ratio'])} "
                         f"| {ratio(s['router_cpu_ratio'])} | | |")
    return lines + [""]


def _div(a, b):
    return a / b if a is not None and b else None
