"""The changes phase in the report: its targets and its table (report.py
puts them in latest.md)."""

import report  # circular on purpose: only used at call time, after both modules loaded


def fmt(v, digits=0):
    return report._f(v, digits)


def sustained_rates(rows):
    return report.sustained_rates(rows)

LOSS = "changes: no loss, no reordering at every rate the echo publisher sustains"
P99 = "changes: pgwamp commit → event p99 ≤ 10 ms below that rate"
CPU = "changes: pgwamp CPU per change ≤ 1/5 of the psycopg2 peer's"
BULK = "changes: pgwamp peak RSS ≤ 64 MB streaming one 1,000,000-row transaction"


def _rows(data, kind):
    return {r["rate"]: r for r in data.get("changes") or [] if r.get("callee") == kind and "rate" in r}


def _router_rate(data):
    """(rate, who says so): what the echo publisher sustained, else the best of the callees."""
    best = sustained_rates([r for r in data.get("changes") or [] if "rate" in r])
    if "echo" in best:
        return best["echo"], "echo publisher"
    return max(best.values(), default=None), "best of the callees"


def targets(data):
    pg, peer = _rows(data, "pgwamp"), _rows(data, "psycopg2")
    if not pg:
        return [("changes: pgwamp row changes → events", "n/a", "pgwamp not measured")]
    out = []
    router_rate, by = _router_rate(data)
    if router_rate is None:
        return [(LOSS, "FAIL", "no callee kept up with any rate tried")]
    upto = [r for rate, r in pg.items() if rate <= router_rate]
    tried = sorted(rate for rate in _rows(data, "echo") if rate <= router_rate) or [router_rate]
    bad = [r for r in upto if r["missing"] or r["out_of_order"] or r["duplicates"]]
    untried = [rate for rate in tried if rate not in pg]
    out.append((LOSS, "pass" if upto and not bad and not untried else "FAIL",
                f"{by} sustains {router_rate}/s; pgwamp missing/out of order: "
                + (", ".join(f"{r['rate']}/s {r['missing']}/{r['out_of_order']}" for r in upto) or "–")
                + (f"; not reached: {untried}" if untried else "")))
    below = [r["latency_us"]["p99"] for rate, r in pg.items() if rate < router_rate]
    worst = max(below, default=None)
    echo = _rows(data, "echo")
    echo_worst = max((echo[rate]["latency_us"]["p99"] for rate in pg if rate < router_rate and rate in echo),
                     default=None)
    out.append((P99, "n/a" if worst is None else ("pass" if worst <= 10_000 else "FAIL"),
                "no rate below it measured" if worst is None else
                f"worst {worst / 1000:.2f} ms" + ("" if echo_worst is None else
                                                   f" (the echo publisher's worst at the same rates: "
                                                   f"{echo_worst / 1000:.2f} ms)")))
    ratios = {rate: pg[rate]["callee_cpu_us"] / peer[rate]["callee_cpu_us"] for rate in pg
              if rate in peer and pg[rate]["callee_cpu_us"] and peer[rate]["callee_cpu_us"]}
    if ratios:
        worst = max(ratios.values())
        out.append((CPU, "pass" if worst <= 0.2 else "FAIL",
                    "; ".join(f"{rate}/s: {v:.3f}" for rate, v in sorted(ratios.items()))))
    elif any(rate in peer for rate in pg):
        # /proc counts CPU in clock ticks (10 ms): a short window of a light callee (either side) can read 0.
        zero = [who for who, rows in (("pgwamp's", pg), ("the peer's", peer))
                if not any(rate in pg and rate in peer and rows[rate]["callee_cpu_us"] for rate in rows)]
        out.append((CPU, "n/a", f"{' and '.join(zero) or 'a'} CPU in the window was below /proc's resolution "
                                "(10 ms); a longer window measures it"))
    else:
        out.append((CPU, "n/a", "the peer not measured at pgwamp's rates"))
    bulk = [r for r in data.get("changes") or [] if r.get("callee") == "pgwamp" and "bulk" in r]
    if bulk:
        b = bulk[-1]
        ok = b["bulk"] >= 1_000_000 and not b["missing"] and b["peak_rss_mb"] is not None and b["peak_rss_mb"] <= 64
        out.append((BULK, "pass" if ok else "FAIL",
                    f"{b['received']:,} of {b['bulk']:,} rows in {b['seconds']:.1f} s, peak RSS "
                    f"{b['peak_rss_mb']:.1f} MB"))
    return out


def markdown(data):
    rows = data.get("changes") or []
    if not rows:
        return []
    lines = ["## Row changes → event (logical replication)", "",
             "`bench_notify_pub --table` inserts one row per transaction into `bench_changes` (the demo's `notes` "
             "shape plus run, seq, t_us) at a fixed rate; `t_us` is the loader's clock just before it sends the "
             "INSERT, so the latency is insert + commit → arrival, a little more than commit → arrival, the same "
             "for every callee. `pgwamp` follows the table through its `changes` section (pgoutput); `psycopg2` is "
             "`peers/psycopg2_changes_peer.py` (LogicalReplicationConnection, test_decoding, acknowledged "
             "publishes, feedback after acks); `echo` publishes the same event straight to the router "
             "(`bench_event_pub --run`, no database). Each has its own slot, dropped afterwards. Out of order: "
             "rows arriving after a row inserted later. CPU per change is over every change delivered, warm-up "
             "rows included; PostgreSQL's is the server processes alive at both edges of a rate (the callee's walsender, background workers; the loader's backend has exited by then).", "",
             "| callee | target/s | inserted/s | received | missing | dup | out of order | events/s | p50 µs "
             "| p99 µs | max µs | callee CPU µs/change | router CPU µs/change | PostgreSQL CPU µs/change |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        if "bulk" in r:
            continue  # its own table below
        if "skipped" in r:
            lines.append(f"| {r['callee']} | not measured: {r['skipped']} ||||||||||||")
            continue
        lat = r["latency_us"]
        lines.append(f"| {r['callee']} | {r['rate']} | {fmt(r['publish_rate'])} | {r['received']}/{r['sent']} "
                     f"| {r['missing']} | {r['duplicates']} | {r['out_of_order']} | {fmt(r['events_per_s'])} "
                     f"| {fmt(lat['p50'])} | {fmt(lat['p99'])} | {fmt(lat['max'])} | {fmt(r['callee_cpu_us'], 1)} "
                     f"| {fmt(r['router_cpu_us'], 1)} | {fmt(r.get('postgres_cpu_us'), 1)} |")
    best = sustained_rates([r for r in rows if "rate" in r])
    lines += ["", "Highest rate kept up with (no loss, loader on schedule, arrivals ≥ 95 % of the rate): " +
              (", ".join(f"{k} {v}/s" for k, v in best.items()) or "none of the rates tried") + ".", ""]
    bulk = [r for r in rows if "bulk" in r]
    if bulk:
        lines += ["One transaction of many rows (one INSERT ... SELECT generate_series), after the rates: every row "
                  "must arrive, and the callee's peak resident memory (VmHWM) shows whether it streamed them "
                  "(back-pressure from the router's acknowledgements) or held them.", "",
                  "| callee | rows | received | missing | out of order | commit s | all arrived after s | events/s "
                  "| peak RSS before MB | peak RSS MB | callee CPU µs/change |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for b in bulk:
            lines.append(f"| {b['callee']} | {b['bulk']:,} | {b['received']:,} | {b['missing']} | {b['out_of_order']} "
                         f"| {fmt(b['commit_s'], 1)} | {fmt(b['seconds'], 1)} | {fmt(b['events_per_s'])} "
                         f"| {fmt(b['peak_rss_before_mb'], 1)} | {fmt(b['peak_rss_mb'], 1)} "
                         f"| {fmt(b['callee_cpu_us'], 1)} |")
        lines.append("")
    return lines
