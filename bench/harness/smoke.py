"""bench/run --smoke: CI's check that the bench still works, not a measurement.

Every phase runs as in a real run (same code, same callees, same peers), with
counts so small that each callee starts, answers a handful of times and stops:
one concurrency level, fractions of a second per window, a few dozen events,
a hundred streamed rows, two fan-out sessions, two wrong sign-ins in flight,
one ABBA round, live queries over a hundred rows and a handful of calls,
each standby read configuration once and one read-your-writes mix of 2 + 2
sessions. The
figures mean nothing at that size; what is checked is that every one of them
is there. A phase that raises, a callee or peer that does not start (a row
saying "skipped"), a window with no answer or with errors, a figure left
empty: each is a problem, and any problem makes bench/run exit 1. The report
is still written (to a temporary directory unless --out is given), so a
broken report fails the smoke too."""

import live
import report
import report_changes
import standby

# What --smoke sets (each can still be given explicitly on the command line,
# except where the phase itself has no option for it).
SETTINGS = {
    "concurrency": [1],
    "warmup": 0.0,
    "duration": 0.3,
    "notify_rates": [20],
    "notify_duration": 0.5,
    "notify_warmup": 0.3,
    "changes_rates": [20],
    "changes_bulk": 10,
    "stream_rows": 100,
    "soak": 1.0,
    "fanout_sessions": 2,
    "fanout_duration": 0.5,
    "login_clients": 2,
    "login_callers": 1,
    "login_refusal_delay_ms": 20,  # refusals answered within the smoke's fractions of a second
    "live_snapshot_rows": 100,
    "live_repeat": 2,
    "live_queries": 4,
    "live_rate": 20,
    "live_cpu_queries": [2, 4],
    "live_cpu_rate": 20,
    "live_duration": 0.5,
    "standby_concurrency": 2,
    "standby_readers": 2,
    "standby_writers": 2,
    "standby_duration": 0.3,
    "standby_apply_delays": [0],
    "layout": "none",   # no pinning: everything on one CPU would only make it slower
}
ROUNDS = 1                # ABBA rounds of scrape, identity, fanout, login and tls
SCRAPE_EXTRA = 10         # extra procedures the scrape phase configures (1,000 in a real run)
ROUNDROBIN_CONCURRENCY = 4
SOAK_WARMUP = 0.0
LIVE_IDLE_WINDOW = 0.2    # seconds of pgwamp's idle CPU with the live calls open (2 in a real run)
STANDBY_ORDER = "adbc"    # each read configuration once, two pgwamp starts (a d b c c b d a in a real run)


def apply(a, given):
    """Sets the smoke's sizes on the parsed arguments `a`, except those in `given` (set on the command line)."""
    for key, value in SETTINGS.items():
        if key not in given:
            setattr(a, key, value)


def _errors(row):
    errs = row.get("errors")
    n = sum(errs.values()) if isinstance(errs, dict) else (errs or 0)
    return n + (row.get("no_reply") or 0)


def _skipped(phase, rows):
    return [f"{phase}: {r.get('callee', '?')} {r['skipped']}" for r in rows if isinstance(r, dict) and "skipped" in r]


def _missing(phase, label, row, keys):
    """The figures among `keys` that are absent or None in `row`."""
    return [f"{phase}: {label} has no {k}" for k in keys if row.get(k) is None]


def _per_callee(phase, rows, kinds, check):
    out = _skipped(phase, rows)
    for kind in kinds:
        mine = [r for r in rows if r.get("callee") == kind and "skipped" not in r]
        if not mine:
            out.append(f"{phase}: no row for {kind}")
        for r in mine:
            out += check(kind, r)
    return out


def problems(data, a):
    """Everything that says a phase or a peer is broken, as sentences; [] when the smoke passed."""
    out = list(data.get("failures") or [])
    ran = lambda phase: phase not in a.skip  # noqa: E731
    kinds = a.callees

    if ran("calls"):
        def calls(kind, r):
            p = [f"calls: {kind} answered no call"] if not r.get("calls") else []
            if _errors(r):
                p.append(f"calls: {kind} errors {r.get('errors')} no reply {r.get('no_reply')}")
            return p + _missing("calls", kind, r, ("callee_cpu_us", "router_cpu_us", "callee_rss_mb"))
        out += _per_callee("calls", (data.get("calls") or []), [k for k in kinds if k != "psycopg2"], calls)

    def events(phase, kind, r):
        p = [f"{phase}: {kind} at {r.get('rate')}/s: no event arrived"] if not r.get("received") else []
        if r.get("duplicates") or r.get("out_of_order"):
            p.append(f"{phase}: {kind} duplicates {r.get('duplicates')} out of order {r.get('out_of_order')}")
        keys = ["latency_us", "router_cpu_us"] + (["callee_cpu_us"] if kind != "echo" else [])
        return p + _missing(phase, kind, r, keys)

    if ran("notify"):
        out += _per_callee("notify", (data.get("notify") or []), [k for k in ("pgwamp", "txpostgres", "echo") if k in kinds],
                           lambda kind, r: events("notify", kind, r))
    if ran("changes"):
        def change(kind, r):
            if "bulk" in r:
                return ([] if r["received"] == r["bulk"] else
                        [f"changes: {kind} bulk {r['received']} of {r['bulk']} rows"]) + \
                    _missing("changes", f"{kind} bulk", r, ("peak_rss_mb", "callee_cpu_us"))
            return events("changes", kind, r) + (_missing("changes", kind, r, ("postgres_cpu_us",))
                                                  if kind != "echo" else [])
        rows = (data.get("changes") or [])
        out += _per_callee("changes", rows, [k for k in ("pgwamp", "psycopg2", "echo") if k in kinds], change)
        if "pgwamp" in kinds and a.changes_bulk and not any(r.get("bulk") for r in rows):
            out.append("changes: no bulk row for pgwamp")
        # Issue 19: the report's "CPU per change vs the psycopg2 peer" must have the peer's side. (pgwamp's own
        # CPU over a smoke's few changes is below /proc's 10 ms resolution, so the ratio itself may be n/a.)
        if "pgwamp" in kinds and "psycopg2" in kinds:
            for name, verdict, measured in report_changes.targets(data):
                if name == report_changes.CPU and "peer not measured" in measured:
                    out.append(f"changes: the report's '{name}' says: {measured}")
    if ran("stream"):
        def stream(kind, r):
            p = [f"stream: {kind}: {r['error']}"] if r.get("error") else []
            if r.get("rows") != r.get("requested"):
                p.append(f"stream: {kind} got {r.get('rows')} of {r.get('requested')} rows")
            return p + _missing("stream", kind, r, ("first_chunk_ms", "peak_rss_mb", "router_rss_peak_mb"))
        out += _per_callee("stream", (data.get("stream") or []), [k for k in ("pgwamp", "txpostgres") if k in kinds], stream)
    if ran("roundrobin") and "pgwamp" in kinds:
        rr = data.get("roundrobin") or {}
        if "skipped" in rr or not rr:
            out.append(f"roundrobin: not measured {rr.get('skipped', '')}")
        elif not all(rr["served"].values()) or _errors(rr):
            out.append(f"roundrobin: served {rr['served']} errors {rr['errors']}")
    if ran("scrape") and "pgwamp" in kinds:
        rows = [r for r in (data.get("scrape") or []) if "scraped" in r]
        out += _skipped("scrape", (data.get("scrape") or []))
        if not any(r["scraped"] for r in rows) or not any(not r["scraped"] for r in rows):
            out.append("scrape: not both runs (with and without scraping)")
        for r in rows:
            if _errors(r) or r["scraped"] and (not r["scrapes"] or r["scrape_failures"]):
                out.append(f"scrape: round {r['round']} scraped={r['scraped']}: {r['scrapes']} scrapes, "
                           f"{r['scrape_failures']} failed, errors {r['errors']}")
    if ran("identity") and "pgwamp" in kinds:
        rows = (data.get("identity") or [])
        out += _skipped("identity", rows)
        sides = {r["as_caller"] for r in rows if "as_caller" in r}
        if sides != {False, True}:
            out.append("identity: not both procedures (plain and as the caller) measured")
        out += [f"identity: as_caller={r['as_caller']} errors {r['errors']}" for r in rows
                if "as_caller" in r and (_errors(r) or not r["calls"])]
        if not any(r.get("set_config_calls") for r in rows):
            out.append("identity: PostgreSQL never ran pgwamp's set_config: nothing ran as the caller")
    if ran("fanout") and "pgwamp" in kinds:
        rows = [r for r in (data.get("fanout") or []) if "audience" in r]
        if {r["audience"] for r in rows} != {False, True}:
            out.append("fanout: not both runs (with and without the audience)")
        out += [f"fanout: audience={r['audience']} run {r['round']}: {r['wrong_sessions']} sessions got the wrong "
                f"events" for r in rows if r["wrong_sessions"] or not r["deliveries"]]
    if ran("login") and "pgwamp" in kinds:
        rows = (data.get("login") or [])
        out += _skipped("login", rows)
        for setting in a.login_settings:
            mine = [r for r in rows if r.get("setting") == setting]
            if not any("checks" in r for r in mine):
                out.append(f"login {setting}: the sign-in check did not run")
            runs = [r for r in mine if "flood" in r]
            if {r["flood"] for r in runs} != {False, True}:
                out.append(f"login {setting}: not both runs (quiet and flooded)")
            out += [f"login {setting} run {r['round']}: {r['calls']} calls, errors {r['errors']}" for r in runs
                    if not r["calls"] or _errors(r)]
            if runs and not any(r["sign_ins"] for r in runs if r["flood"]):
                out.append(f"login {setting}: the flood's sign-ins were never counted")
    if ran("tls") and "pgwamp" in kinds:
        rows = (data.get("tls") or [])
        out += _skipped("tls", rows)
        runs = [r for r in rows if "tls" in r]
        if {r["tls"] for r in runs} != {False, True}:
            out.append("tls: not both runs (pgwamp over plain RawSocket and over TLS)")
        for r in runs:
            side = "TLS" if r["tls"] else "plain"
            if not r["calls"] or _errors(r):
                out.append(f"tls: {side} run {r['round']}: {r['calls']} calls, errors {r['errors']} "
                           f"no reply {r.get('no_reply')}")
            out += _missing("tls", f"{side} run {r['round']}", r, ("callee_cpu_us", "router_cpu_us"))
            if r["tls"] and not str(r.get("url", "")).startswith("rss://"):
                out.append(f"tls: the TLS run {r['round']} joined through {r.get('url')}, not rss://")
    if ran("live") and "pgwamp" in kinds:
        rows = data.get("live") or []
        out += [f"live: {r['skipped']}" for r in rows if "skipped" in r]
        snaps = [r for r in rows if r.get("kind") == "snapshot" and "skipped" not in r]
        if not snaps:
            out.append("live: no snapshot measured")
        for r in snaps:
            if r["errors"] or r["wrong_row_counts"] or not r["first_chunk_ms"] or not r["ready_ms"]:
                out.append(f"live: snapshot errors {r['errors']}, row counts {r['wrong_row_counts']}, first chunk "
                           f"{r['first_chunk_ms']}, ready {r['ready_ms']}")
        follows = [r for r in rows if r.get("kind") == "follow"]
        if {r["label"] for r in follows} != {"latency", "cpu"}:
            out.append("live: not both the latency run and the CPU runs")
        for r in follows:
            if not r["received"] or r["missing"] or r["duplicates"] or r["wrong_owner"] or r["ended_calls"]:
                out.append(f"live: {r['label']} {r['queries']} calls: {r['received']}/{r['sent']} rows, missing "
                           f"{r['missing']}, dup {r['duplicates']}, wrong owner {r['wrong_owner']}, calls ended "
                           f"{r['ended_calls']}")
            out += _missing("live", f"{r['label']} {r['queries']} calls", r,
                            ("callee_cpu_us", "rss_open_mb", "peak_rss_mb"))
        # (pgwamp's CPU over a smoke's few rows is below /proc's 10 ms resolution, so the ratio itself may be n/a.)
        if follows and len(live.summary(rows).get("sides") or {}) != 2:
            out.append("live: the CPU comparison did not measure both numbers of live calls")
    if ran("standby") and "pgwamp" in kinds:
        rows = data.get("standby") or []
        out += _skipped("standby", rows)
        runs = [r for r in rows if r.get("kind") == "reads"]
        wanted = {c for c in STANDBY_ORDER if c in a.standby_configs}
        if {r["config"] for r in runs} != wanted:
            out.append(f"standby: read configurations measured {sorted({r['config'] for r in runs})}, not "
                       f"{sorted(wanted)}")
        for r in runs:
            if not r["calls"] or _errors(r):
                out.append(f"standby: config {r['config']}: {r['calls']} reads, errors {r['errors']} no reply "
                           f"{r['no_reply']}")
            out += _missing("standby", f"config {r['config']}", r, ("callee_cpu_us", "primary_cpu_us",
                                                                    "standby_cpu_us"))
            on_standby = r["group"] == "standby" and r["procedure"] == standby.READ_RO
            if r["calls"] and (r["statements"]["standby"] > 0) != on_standby:
                out.append(f"standby: config {r['config']} ran its statement {r['statements']['standby']} times on "
                           f"the standby, {r['statements']['primary']} on the primary")
        mixes = [r for r in rows if r.get("kind") == "mix"]
        if len(mixes) != len(a.standby_apply_delays):
            out.append(f"standby: {len(mixes)} read-your-writes mixes of {len(a.standby_apply_delays)}")
        for m in mixes:
            rd, wr, seen, h = m["readers_side"], m["writers_side"], m["all_reads"], m["health_counted"]
            if (a.standby_readers and not rd["reads"]) or (a.standby_writers and not wr["reads"]) or wr["stale"] \
                    or _errors(rd) or _errors(wr):
                out.append(f"standby: mix (delay {m['apply_delay_ms']} ms): readers {rd['reads']} reads, writers "
                           f"{wr['reads']} reads, {wr['stale']} stale, errors {rd['errors']} {wr['errors']}")
            if (seen["standby"], seen["primary"]) != (h["reads_on_standbys"], h["reads_on_primary"]):
                out.append(f"standby: mix (delay {m['apply_delay_ms']} ms): results say {seen['standby']} on the "
                           f"standby and {seen['primary']} on the primary, the health procedure "
                           f"{h['reads_on_standbys']} and {h['reads_on_primary']}")
    if ran("soak") and a.soak > 0 and "pgwamp" in kinds:
        soak = data.get("soak") or {}
        if "skipped" in soak or not soak.get("calls_per_s") or not soak.get("rss_samples") or _errors(soak):
            out.append(f"soak: {soak.get('skipped') or 'no calls or no RSS sample'}")
    if ran("db"):
        db = data.get("db") or {}
        if db.get("status") != 0:
            out.append(f"db: db_bench --smoke exited {db.get('status')}: " + "; ".join(db.get("broken") or [])
                       + (f" (output: {db.get('log')})" if db.get("log") else ""))
    # The report's own verdicts must come out of the smoke's figures without raising.
    try:
        report.targets(data)
    except Exception as e:  # noqa: BLE001 - a report that cannot judge these figures is broken
        out.append(f"report: targets() raised {type(e).__name__}: {e}")
    return out
