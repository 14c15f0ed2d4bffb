"""The standby phase's page: results/standby.md and standby.json (harness/standby.py measures), written by
run_bench.py after latest.*, as report.py writes live.md for the live phase."""

import json
import os

import standby
from report_live import command

READER_SHARE = 0.8  # the target for callers that wrote nothing


def _f(v, digits=0):
    return "–" if v is None else f"{v:,.{digits}f}"


def _pct(v):
    return "–" if v is None else f"{100 * v:.1f} %"


def _ms(us, digits=1):
    return "–" if us is None else f"{us / 1000:,.{digits}f}"


def _x(v):
    return "–" if v is None else f"{v:.2f}×"


def _mixes(data):
    return [r for r in data.get("standby") or [] if r.get("kind") == "mix"]


def _share(side):
    n = side["on_standby"] + side["on_primary"]
    return side["on_standby"] / n if n else None


def targets(data):
    rows = data.get("standby") or []
    out = []
    s = {x["config"]: x for x in standby.summary(rows)}
    if "b" in s:
        b = s["b"]
        out.append(("standby: read_only reads with a standby run there (pgwamp's counters and the standby's "
                    "pg_stat_statements)", "pass" if b["standby_share"] >= 0.99 and (b["statement_standby_share"] or 0)
                    >= 0.99 and not b["errors"] else "FAIL",
                    f"{_pct(b['standby_share'])} by pgwamp, {_pct(b['statement_standby_share'])} by the servers; "
                    f"errors {b['errors']}"))
    else:
        out.append(("standby: reads of a read_only procedure on the standby", "n/a", "not measured"))
    mixes = _mixes(data)
    for m in mixes:
        rd, wr = m["readers_side"], m["writers_side"]
        share = _share(rd)
        out.append((f"standby: reads of sessions that never write served by the standby ≥ 80 % (apply delay "
                    f"{m['apply_delay_ms']} ms)", "pass" if share is not None and share >= READER_SHARE else "FAIL",
                    f"{_pct(share)} of {rd['reads']:,} reads (writers' reads: {_pct(_share(wr))})"))
        out.append((f"standby: no stale read after a session's own write (apply delay {m['apply_delay_ms']} ms)",
                    "pass" if wr["reads"] and wr["stale"] == 0 and not wr["errors"] and not rd["errors"] else "FAIL",
                    f"{wr['stale']} stale of {wr['reads']:,} reads after {wr['writes']:,} writes; errors "
                    f"{sum(rd['errors'].values()) + sum(wr['errors'].values())}"))
    if not mixes:
        out.append(("standby: read-your-writes mix", "n/a", "not measured"))
    return out


def markdown(data):
    rows = data.get("standby") or []
    if not rows:
        return []
    lines = []
    for r in rows:
        if "skipped" in r:
            lines.append(f"- not measured: {r['skipped']}")
    summ = standby.summary(rows)
    runs = [r for r in rows if r.get("kind") == "reads"]
    if summ:
        c = runs[0]["concurrency"]
        lines += ["## Reads/s and pgwamp CPU per read", "",
                  f"`bench_loadgen` keeps {c} calls outstanding (one session) of `{standby.READ_SQL}` "
                  f"(id {standby.DEFAULT_ID}: the argument's default). Runs in the order "
                  f"{' '.join(r['config'] for r in runs)}; means per configuration, "
                  "ratios against a, the same run. CPU µs per read from /proc at the window's edges (each "
                  "PostgreSQL: its postmaster and every child). Standby share: pgwamp's `pgwamp_reads_total` "
                  "(read_only calls only) and, where the statement ran, the calls pg_stat_statements counted on "
                  "each server over the run (warm-up and drain included).", "",
                  "| config | pgwamp | procedure | reads/s | × a | p50 ms | p99 ms | pgwamp µs/read | × a "
                  "| router µs/read | primary µs/read | standby µs/read | on the standby (pgwamp) "
                  "| on the standby (servers) | errors |",
                  "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for s in summ:
            group, proc, _ = standby.CONFIGS[s["config"]]
            lines.append(f"| {s['config']} | {'with the standby' if group == 'standby' else 'no replicas'} "
                         f"| {'read_only' if proc == standby.READ_RO else 'not read_only'} "
                         f"| {_f(s['calls_per_s'])} | {_x(s['calls_ratio'])} | {_ms(s['p50_us'], 2)} "
                         f"| {_ms(s['p99_us'], 2)} | {_f(s['callee_cpu_us'], 1)} | {_x(s['cpu_ratio'])} "
                         f"| {_f(s['router_cpu_us'], 1)} | {_f(s['primary_cpu_us'], 1)} "
                         f"| {_f(s['standby_cpu_us'], 1)} "
                         f"| {_pct(s['standby_share']) if proc == standby.READ_RO and group == 'standby' else '–'} "
                         f"| {_pct(s['statement_standby_share'])} | {s['errors']} |")
        lines += ["", "Each run:", "",
                  "| run | config | reads/s | pgwamp µs/read | primary µs/read | standby µs/read | load generator CPU % "
                  "| pgwamp counted standby / primary | statement ran standby / primary |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in runs:
            lines.append(f"| {r['run']} | {r['config']} | {_f(r['calls_per_s'])} | {_f(r['callee_cpu_us'], 1)} "
                         f"| {_f(r['primary_cpu_us'], 1)} | {_f(r['standby_cpu_us'], 1)} "
                         f"| {_f(r['loadgen_cpu_percent'], 1)} "
                         f"| {r['counted']['standby']:,.0f} / {r['counted']['primary']:,.0f} "
                         f"| {r['statements']['standby']:,} / {r['statements']['primary']:,} |")
        lines.append("")
    mixes = _mixes(data)
    if mixes:
        m0 = mixes[0]
        lines += ["## Read-your-writes: sessions that write and sessions that only read", "",
                  f"One asyncio process (`harness/standby.py` as a script; Autobahn, RawSocket + MessagePack), "
                  f"{m0['writers']} writer sessions and {m0['readers']} reader sessions, one call outstanding per "
                  f"session, closed loop. A writer: `{standby.WRITE}` (`{standby.WRITE_SQL}`, not read_only) of its "
                  f"own row with a new value, then at once `{standby.READ_RO}` of that row (read_only): the body must "
                  f"be the value written, else the read is stale. A reader: `{standby.READ_RO}` of random other rows, "
                  f"never a write. Where each read ran: `pg_is_in_recovery()` in its result. Cross-check: the health "
                  f"procedure's `standbys.reads_on_standbys` / `reads_on_primary` before and after the whole run "
                  f"against the results of the whole run (warm-up and drain included). Routing "
                  f"{json.dumps(standby.ROUTING)} (the defaults).", "",
                  "| apply delay ms | side | sessions | writes | reads | on the standby | read p50 ms | read p99 ms "
                  "| read p99.9 ms | read max ms | reads > 20 ms | write p50 ms | stale | errors |",
                  "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
        for m in mixes:
            for side, key, n in (("readers", "readers_side", m["readers"]), ("writers", "writers_side", m["writers"])):
                x = m[key]
                lat, wl = x["latency_us"], x["write_latency_us"]
                errs = ", ".join(f"{k}: {v}" for k, v in x["errors"].items()) or "0"
                lines.append(f"| {m['apply_delay_ms']} | {side} | {n} | {_f(x['writes']) if x['writes'] else '–'} "
                             f"| {x['reads']:,} | {_pct(_share(x))} | {_ms(lat['p50'], 2)} | {_ms(lat['p99'], 2)} "
                             f"| {_ms(lat.get('p999'))} | {_ms(lat['max'])} | {_f(lat.get('over_20ms'))} "
                             f"| {_ms(wl['p50'], 2)} | {x['stale'] if side == 'writers' else '–'} "
                             f"| {errs} |")
        lines += ["", "| apply delay ms | whole run: results on the standby / primary | health: reads_on_standbys / "
                      "reads_on_primary (waited out) | standby lag at the end ms | client CPU % | pgwamp µs/call "
                      "| primary CPU % | standby CPU % |",
                  "|---:|---|---|---:|---:|---:|---:|---:|"]
        for m in mixes:
            seen, h = m["all_reads"], m["health_counted"]
            lag = ", ".join(f"{x['name']} {x['lag_ms']} ({x['state']})" for x in m.get("health_standbys_after") or [])
            lines.append(f"| {m['apply_delay_ms']} | {seen['standby']:,} / {seen['primary']:,} "
                         f"| {h['reads_on_standbys']:,} / {h['reads_on_primary']:,} ({h['reads_waited_out']:,}) "
                         f"| {lag or '–'} | {_f(m['client_cpu_percent'])} | {_f(m['callee_cpu_us_per_call'], 1)} "
                         f"| {_f(m['primary_cpu_percent'])} | {_f(m['standby_cpu_percent'])} |")
        lines.append("")
    return lines


def document(data):
    s = data["setup"]
    lines = ["# Reads on a streaming standby (issue 21)", "",
             f"{s['date']} · `bench/run {' '.join(command(s['argv']))}` · {s['elapsed_s']:.0f} s in all", "",
             f"- Machine: {s['cpus']} CPUs ({s['cpu_model']}); load average before the run {s['loadavg']}, after it "
             f"{s.get('loadavg_after', '?')} (other work on the machine shows here).",
             f"- Pinning: {s['pinning']}; the standby runs where PostgreSQL does.",
             f"- pgwamp: `{s['pgwamp']}` ({s['build_type']}), source {s.get('revision', '?')}; pool min "
             f"{s['pool_min']}, max {s['pool_max']} (the standby's pool: the defaults, min 1, max 10).",
             f"- Crossbar {s['crossbar']} (one router worker, disclosing callers), RawSocket + MessagePack for "
             f"everyone; PostgreSQL {s['postgres']} (throwaway, fsync off) and a streaming standby of it "
             "(pg_basebackup -R -X stream, hot_standby, hot_standby_feedback), pgwamp's connections to the primary "
             "with synchronous_commit=on.",
             f"- Windows: {s.get('warmup', '?')} s warm-up, then {s.get('duration', '?')} s per reads run.", ""]
    if data.get("failures"):
        lines += ["**Phases that failed** (see the logs):", ""] + [f"- {f}" for f in data["failures"]] + [""]
    lines += ["| target | verdict | measured |", "|---|---|---|"]
    lines += [f"| {name} | **{verdict}** | {measured} |" for name, verdict, measured in targets(data)]
    lines += [""] + markdown(data)
    lines += ["Raw figures: `standby.json` beside this file. Logs of the run: " + s["log_dir"] + " (not kept).", ""]
    return "\n".join(lines)


def write(data, out_dir):
    with open(os.path.join(out_dir, "standby.md"), "w") as f:
        f.write(document(data))
    with open(os.path.join(out_dir, "standby.json"), "w") as f:
        json.dump({"setup": data["setup"], "standby": data["standby"], "failures": data.get("failures") or []}, f,
                  indent=1)
