"""The live phase in the report (harness/live.py): the issue's four figures for live queries. report.py puts the
targets and the tables in latest.md, and the same in live.md of its own when the phase ran."""

import live

FIRST_MS = 50
READY_MS = 1000
P99_MS = 20
CPU_RATIO = 1.5
RSS_MB = 100


def _f(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def _ms(us):
    return None if us is None else us / 1000


def _rows(data, **match):
    return [r for r in data.get("live") or [] if "skipped" not in r and all(r.get(k) == v for k, v in match.items())]


def targets(data):
    rows = data.get("live") or []
    if not rows:
        return [("live: live queries", "n/a", "not measured")]
    out = [(f"live: {r['kind']}", "FAIL", r["skipped"]) for r in rows if "skipped" in r]
    for r in _rows(data, kind="snapshot"):
        bad = r["errors"] or r["wrong_row_counts"]
        why = (f"; errors: {r['errors'][:3]}" if r["errors"] else "") + \
              (f"; row counts not {r['seeded']:,}: {r['wrong_row_counts']}" if r["wrong_row_counts"] else "")
        for name, key, limit in (("CALL → first chunk", "first_chunk_ms", FIRST_MS), ("CALL → ready", "ready_ms",
                                                                                         READY_MS)):
            m = r[key]
            limit_text = f"{limit} ms" if limit < 1000 else f"{limit // 1000} s"
            out.append((f"live: snapshot of {r['seeded']:,} rows, {name} ≤ {limit_text} (median of {r['repeat']})",
                        "FAIL" if bad or not m else ("pass" if m["median"] <= limit else "FAIL"),
                        ("–" if not m else f"median {m['median']:.1f} ms, max {m['max']:.1f} ms") + why))
    for r in _rows(data, label="latency"):
        p99 = _ms(r["latency_us"]["p99"])
        out.append((f"live: row change → live caller p99 ≤ {P99_MS} ms at {r['rate']:,} rows/s over "
                    f"{r['queries']:,} live queries", "pass" if p99 is not None and p99 <= P99_MS and r["received"] else "FAIL",
                    f"p99 {p99:.2f} ms (p50 {_ms(r['latency_us']['p50']):.2f}, max {_ms(r['latency_us']['max']):.1f}; "
                    f"inserted {r['publish_rate']:.0f}/s)"))
    follows = _rows(data, kind="follow")
    if follows:
        bad = [r for r in follows if _lost(r)]
        out.append(("live: every row at its owner's live query exactly once (every run)", "FAIL" if bad else "pass",
                    "; ".join(f"{r['label']} {r['queries']:,}: {r['received']:,}/{r['sent']:,} received, missing "
                              f"{r['missing']}, dup {r['duplicates']}, wrong owner {r['wrong_owner']}, calls ended "
                              f"{r['ended_calls']}" for r in (bad or follows[:1] + follows[-1:]))))
    s = live.summary(data.get("live") or [])
    if s.get("cpu_ratio") is not None:
        few, many = s["sides"][s["few"]], s["sides"][s["many"]]
        out.append((f"live: pgwamp CPU per change with {s['many']:,} live queries ≤ {CPU_RATIO}× with {s['few']:,}",
                    "pass" if s["cpu_ratio"] <= CPU_RATIO else "FAIL",
                    f"{s['cpu_ratio']:.2f}× ({many['callee_cpu_us']:.1f} against {few['callee_cpu_us']:.1f} µs; "
                    f"{many['runs']} and {few['runs']} runs)"))
    elif len(s.get("sides") or {}) == 2:
        # /proc counts CPU in clock ticks (10 ms): a short run of a light pgwamp can read 0.
        out.append((f"live: pgwamp CPU per change with {s['many']:,} live queries ≤ {CPU_RATIO}× with {s['few']:,}",
                    "n/a", "pgwamp's CPU in a run was below /proc's resolution (10 ms); longer runs measure it"))
    if s:
        many = s["sides"][s["many"]]
        out.append((f"live: pgwamp RSS with {s['many']:,} live queries open ≤ {RSS_MB} MB",
                    "pass" if many["rss_mb"] <= RSS_MB else "FAIL",
                    f"{many['rss_mb']:.1f} MB (peak {many['peak_rss_mb']:.1f}; with {s['few']:,}: "
                    f"{s['sides'][s['few']]['rss_mb']:.1f} MB)"))
    return out


def _lost(r):
    return r["missing"] or r["duplicates"] or r["wrong_owner"] or r["ended_calls"] or r["foreign"]


def markdown(data):
    rows = data.get("live") or []
    if not rows:
        return []
    lines = ["## Live queries (live)", "",
             f"`{live.PROCEDURE}(owner)`: `{live.TABLE}` rows `WHERE owner = $owner` (columns "
             f"{', '.join(live.COLUMNS)}), as the caller (anonymous → {live.DB_ROLE}); the table is REPLICA IDENTITY "
             "FULL with an index on owner. `bench_live` makes the calls (progressive results) over "
             f"{live.SESSIONS} WAMP sessions; `bench_notify_pub --table {live.TABLE} --owners N` inserts one row per "
             "transaction at a fixed rate, owners o0..o(N-1) round-robin, each row carrying the loader's clock just "
             "before the INSERT (t_us): latency is t_us → arrival at the owner's call. pgwamp's and the loader's "
             "connections commit with synchronous_commit=on, as on a default server (the cluster's own setting is "
             "off, and a walsender decodes only flushed WAL: ready would wait up to wal_writer_delay for the fence).",
             ""]
    for r in rows:
        if "skipped" in r:
            lines.append(f"- not measured: {r['skipped']}")
    snaps = _rows(data, kind="snapshot")
    for r in snaps:
        fc, ready = r["first_chunk_ms"] or {}, r["ready_ms"] or {}
        lines += ["", f"### Snapshot of {r['seeded']:,} rows of one owner", "",
                  f"One call after another, each canceled once ready; the first is a warm-up (one-off costs), left "
                  f"out of median and max. First chunk: median {_f(fc.get('median'), 1)} ms, max "
                  f"{_f(fc.get('max'), 1)} ms. Ready: median {_f(ready.get('median'), 1)} ms, max "
                  f"{_f(ready.get('max'), 1)} ms.", "",
                  "| call | CALL → first chunk ms | CALL → ready ms | rows | chunks | error |",
                  "|---|---:|---:|---:|---:|---|"]
        for i, s in enumerate(r["snapshots"]):
            lines.append(f"| {'warm-up' if s['warmup'] else i} | {_f(s['first_chunk_ms'], 1)} "
                         f"| {_f(s['ready_ms'], 1)} | {s['rows']:,} | {s['chunks']} "
                         f"| {s['error'] or s['shape_error'] or ''} |")
    follows = _rows(data, kind="follow")
    if follows:
        lines += ["", "### Rows → live calls", "",
                  "Each run: N live calls opened (at most 32 not yet ready at a time), every one ready, "
                  f"{live.IDLE_WINDOW:.0f} s with nothing changing (pgwamp idle CPU), then the loader's warm-up and "
                  "measured rows. CPU per change: /proc over the loader's start until the last row arrived, over the "
                  "rows delivered (warm-up included). RSS: pgwamp's resident memory once every call was ready, after "
                  "the rows, and its peak (VmHWM). The latency run shares its pgwamp with the snapshot; each CPU run "
                  "has a fresh pgwamp and slot.", "",
                  "| run | live calls | rows/s | opened in s | received | missing | dup | wrong owner | out of order "
                  "| calls ended | p50 ms | p99 ms | max ms | pgwamp µs/change | router µs/change "
                  "| PostgreSQL µs/change | pgwamp idle CPU % | RSS open MB | RSS after MB | peak MB "
                  "| router RSS MB |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
                  "---:|"]
        for r in follows:
            lat = r["latency_us"]
            name = r["label"] + (f" {r['round']}" if "round" in r else "")
            lines.append(f"| {name} | {r['queries']:,} | {_f(r['publish_rate'])} | {_f(r['open_s'], 1)} "
                         f"| {r['received']:,}/{r['sent']:,} | {r['missing']} | {r['duplicates']} | {r['wrong_owner']} "
                         f"| {r['out_of_order']} | {r['ended_calls']} | {_f(_ms(lat['p50']), 2)} "
                         f"| {_f(_ms(lat['p99']), 2)} | {_f(_ms(lat['max']), 1)} | {_f(r['callee_cpu_us'], 1)} "
                         f"| {_f(r['router_cpu_us'], 1)} | {_f(r['postgres_cpu_us'], 1)} "
                         f"| {_f(r['idle_cpu_percent'], 1)} | {_f(r['rss_open_mb'], 1)} | {_f(r['rss_after_mb'], 1)} "
                         f"| {_f(r['peak_rss_mb'], 1)} | {_f(r['router_rss_open_mb'], 1)} |")
    s = live.summary(rows)
    if s.get("cpu_ratio") is not None:
        few, many = s["sides"][s["few"]], s["sides"][s["many"]]
        lines += ["", f"CPU per change, means over the runs (ABBA): {s['many']:,} live queries "
                      f"{many['callee_cpu_us']:.1f} µs, {s['few']:,} live queries {few['callee_cpu_us']:.1f} µs: "
                      f"**{s['cpu_ratio']:.2f}×**. The router's: {_f(many['router_cpu_us'], 1)} against "
                      f"{_f(few['router_cpu_us'], 1)} µs."]
    return lines + [""]


def document(data):
    """live.md: the run's setup, the live targets and the tables."""
    s = data["setup"]
    lines = ["# Live queries: the issue's figures", "",
             f"{s['date']} · `bench/run {' '.join(command(s['argv']))}` · {s['elapsed_s']:.0f} s in all", "",
             f"- Machine: {s['cpus']} CPUs ({s['cpu_model']}); load average before the run {s['loadavg']}, after it "
             f"{s.get('loadavg_after', '?')} (other work on the machine shows here).",
             f"- Pinning: {s['pinning']}.",
             f"- pgwamp: `{s['pgwamp']}` ({s['build_type']}), source {s.get('revision', '?')}; pool min "
             f"{s['pool_min']}, max {s['pool_max']}.",
             f"- Crossbar {s['crossbar']} (one router worker, disclosing callers), RawSocket + MessagePack for "
             f"everyone; PostgreSQL {s['postgres']} (throwaway, fsync off).",
             f"- Rows: {s.get('notify_warmup', '?')} s of warm-up rows, then the measured ones, per run.", ""]
    if data.get("failures"):
        lines += ["**Phases that failed** (see the logs):", ""] + [f"- {f}" for f in data["failures"]] + [""]
    lines += ["| target | verdict | measured |", "|---|---|---|"]
    lines += [f"| {name} | **{verdict}** | {measured} |" for name, verdict, measured in targets(data)]
    lines += [""] + markdown(data)
    lines += ["Raw figures: `live.json` beside this file. Logs of the run: " + s["log_dir"] + " (not kept).", ""]
    return "\n".join(lines)


def command(argv):
    """What was typed after bench/run: without --tools and --build-type, which bench/run adds itself."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
        elif arg in ("--tools", "--build-type"):
            skip = True
        elif not arg.startswith(("--tools=", "--build-type=")):
            out.append(arg)
    return out
