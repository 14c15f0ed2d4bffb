"""bench/results/latest.md (tables and the targets, pass or fail) and
latest.png (calls/s and p99 against concurrency, one line per callee)."""

import json

import report_changes
import report_fanout
import report_identity
import report_live
import report_login
import report_stream
import report_tls


def _f(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def _errors(row):
    errs = dict(row.get("errors") or {})
    if row.get("no_reply"):
        errs["(no reply)"] = row["no_reply"]
    return ", ".join(f"{k}: {v}" for k, v in errs.items()) or "0"


def _calls(rows, kind, c):
    for r in rows:
        if r.get("callee") == kind and r.get("concurrency") == c:
            return r
    return None


def sustained_rates(notify):
    """Per callee, the highest rate it kept up with: every event delivered,
    the publisher on schedule, and arrivals as fast as the publishing (a
    growing backlog stretches the arrival span)."""
    best = {}
    for r in notify:
        if "rate" not in r:
            continue
        kept_up = (r["missing"] == 0 and r["publish_rate"] >= 0.95 * r["rate"]
                   and r["events_per_s"] >= 0.95 * r["rate"])
        if kept_up:
            best[r["callee"]] = max(best.get(r["callee"], 0), r["rate"])
    return best


def targets(data):
    """Each target: (name, verdict 'pass'|'FAIL'|'n/a', what was measured)."""
    out = []
    rows = data["calls"]
    concs = sorted({r["concurrency"] for r in rows if "concurrency" in r})

    def have(kind):
        return any(r.get("callee") == kind and "concurrency" in r for r in rows)

    if have("pgwamp") and have("txpostgres"):
        worst = None
        for c in concs:
            p, t = _calls(rows, "pgwamp", c), _calls(rows, "txpostgres", c)
            if p and t and p["callee_cpu_us"] and t["callee_cpu_us"]:
                ratio = p["callee_cpu_us"] / t["callee_cpu_us"]
                worst = max(worst or 0, ratio)
        out.append(("pgwamp callee CPU per call ≤ 1/10 of the txpostgres peer's (every concurrency)",
                    "n/a" if worst is None else ("pass" if worst <= 0.1 else "FAIL"),
                    "–" if worst is None else f"worst ratio {worst:.3f}"))
    else:
        out.append(("pgwamp callee CPU per call ≤ 1/10 of the txpostgres peer's", "n/a", "pgwamp or txpostgres not measured"))

    if have("pgwamp") and have("echo"):
        worst, detail = None, []
        for c in [c for c in concs if c >= 16]:
            p, e = _calls(rows, "pgwamp", c), _calls(rows, "echo", c)
            if p and e and e["calls_per_s"]:
                ratio = p["calls_per_s"] / e["calls_per_s"]
                worst = ratio if worst is None else min(worst, ratio)
                detail.append(f"c={c}: {ratio:.2f}")
        out.append(("pgwamp calls/s ≥ 0.9 × echo at every concurrency ≥ 16",
                    "n/a" if worst is None else ("pass" if worst >= 0.9 else "FAIL"), "; ".join(detail) or "–"))
        p, e = _calls(rows, "pgwamp", 1), _calls(rows, "echo", 1)
        if p and e:
            d = p["latency_us"]["p50"] - e["latency_us"]["p50"]
            out.append(("p50 at 1 outstanding ≤ echo p50 + 0.3 ms", "pass" if d <= 300 else "FAIL",
                        f"pgwamp {p['latency_us']['p50']:.0f} µs, echo {e['latency_us']['p50']:.0f} µs (+{d:.0f} µs)"))
    else:
        out.append(("pgwamp calls/s ≥ 0.9 × echo; p50 at 1 ≤ echo + 0.3 ms", "n/a", "pgwamp or echo not measured"))

    notify = [r for r in data.get("notify", []) if "rate" in r]
    if any(r["callee"] == "pgwamp" for r in notify):
        best = sustained_rates(notify)
        # The echo publisher (no database) says what the router sustains;
        # without it, the best any callee kept up with stands in.
        by_echo = "echo" in best
        router_rate = best["echo"] if by_echo else max(best.values(), default=None)
        pg = {r["rate"]: r for r in notify if r["callee"] == "pgwamp"}
        echo = {r["rate"]: r for r in notify if r["callee"] == "echo"}
        if router_rate is None:
            out.append(("NOTIFY→event: no loss at the highest rate the router sustains, p99 ≤ 5 ms below it", "FAIL",
                        "no callee kept up with any rate tried"))
        else:
            at = pg.get(router_rate)
            worst_p99 = max([r["latency_us"]["p99"] for rate, r in pg.items() if rate < router_rate], default=None)
            echo_p99 = max([r["latency_us"]["p99"] for rate, r in echo.items() if rate < router_rate], default=None)
            ok = at is not None and at["missing"] == 0 and (worst_p99 is None or worst_p99 <= 5000)
            out.append(("NOTIFY→event: no loss at the highest rate the router sustains, p99 ≤ 5 ms below it",
                        "pass" if ok else "FAIL",
                        f"router sustains {router_rate}/s ({'echo publisher' if by_echo else 'best of the callees'}); "
                        f"pgwamp missing there: {at['missing'] if at else '–'}; worst pgwamp p99 below it: "
                        f"{'–' if worst_p99 is None else f'{worst_p99 / 1000:.2f} ms'}"
                        + ("" if echo_p99 is None else f" (echo publisher: {echo_p99 / 1000:.2f} ms)")))
    else:
        out.append(("NOTIFY→event", "n/a", "pgwamp not measured"))

    out += report_changes.targets(data)
    out += report_stream.targets(data)
    out += report_identity.targets(data)
    out += report_fanout.targets(data)
    out += report_login.targets(data)
    out += report_tls.targets(data)
    if data.get("live"):
        out += report_live.targets(data)

    loads = [r["loadgen_cpu_percent"] for r in rows if r.get("loadgen_cpu_percent") is not None]
    if loads:
        out.append(("the load generator is not the bottleneck (< 50 % of its CPU in every window)",
                    "pass" if max(loads) < 50 else "FAIL", f"at most {max(loads):.0f} %"))
    top = max(concs) if concs else None
    p = _calls(rows, "pgwamp", top) if top else None
    if p and p.get("callee_rss_mb") is not None:
        out.append((f"pgwamp RSS ≤ 30 MB under {top} outstanding", "pass" if p["callee_rss_mb"] <= 30 else "FAIL",
                    f"{p['callee_rss_mb']:.1f} MB"))
    soak = data.get("soak") or {}
    if soak.get("rss_growth_mb") is not None:
        out.append((f"no RSS growth over a {soak['duration_s']:.0f} s run at {soak['concurrency']} outstanding",
                    "pass" if soak["rss_growth_mb"] <= 1.0 else "FAIL",
                    f"{soak['rss_first_mb']:.1f} → {soak['rss_last_mb']:.1f} MB (max {soak['rss_max_mb']:.1f}); "
                    f"last minute vs first: {soak['rss_growth_mb']:+.2f} MB"))
    return out


def markdown(data):
    s = data["setup"]
    lines = [
        "# pgwamp end-to-end bench: " + ("smoke run (bench/run --smoke: tiny counts, the figures mean nothing; it "
                                          "checks that every phase and peer works)" if "--smoke" in s["argv"]
                                          else "latest run"), "",
        f"{s['date']} · `bench/run {' '.join(s['argv'])}` · {s['elapsed_s']:.0f} s in all", "",
        f"- Machine: {s['cpus']} CPUs ({s['cpu_model']}); load average before the run {s['loadavg']}, "
        f"after it {s.get('loadavg_after', '?')} (other work on the machine shows here).",
        f"- Pinning: {s['pinning']}.",
        f"- Router: Crossbar {s['crossbar']}, one router worker; every callee on the same RawSocket transport, "
        f"the load generator on {'RawSocket' if s.get('transport', 'rawsocket') == 'rawsocket' else 'WebSocket'}; "
        "MessagePack throughout (the only serializer both C++ clients implement).",
        f"- PostgreSQL {s['postgres']} (throwaway, fsync off). Pools: min {s['pool_min']}, max {s['pool_max']} "
        "for pgwamp, txpostgres (min only) and adbapi.",
        f"- pgwamp: `{s['pgwamp']}` ({s['build_type']}). Load generator: bench_loadgen on "
        f"{'Autobahn|Cpp 17.5' if s.get('client') == 'autobahn' else 'the project' + chr(39) + 's wamp::Client'}.",
        f"- Each point: {s['warmup']} s warm-up, then {s['duration']} s measured; closed loop with N calls outstanding.",
    ]
    if data.get("failures"):
        lines += ["", "**Phases that failed** (see the logs):", ""] + [f"- {f}" for f in data["failures"]]
    lines += ["", "## Targets", "", "| target | verdict | measured |", "|---|---|---|"]
    for name, verdict, measured in targets(data):
        lines.append(f"| {name} | **{verdict}** | {measured} |")
    lines += ["", "## Calls: `com.example.now.v1` (echo: `com.example.echo`, no database)", "",
              "| callee | outstanding | calls/s | p50 µs | p99 µs | p99.9 µs | errors | callee CPU µs/call "
              "| callee RSS MB | router CPU µs/call | router busy % | PostgreSQL CPU µs/call | loadgen CPU % |",
              "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in data["calls"]:
        if "skipped" in r:
            lines.append(f"| {r['callee']} | – | not measured: {r['skipped']} ||||||||||")
            continue
        l = r["latency_us"]
        lines.append(f"| {r['callee']} | {r['concurrency']} | {_f(r['calls_per_s'])} | {_f(l['p50'])} | {_f(l['p99'])} "
                     f"| {_f(l['p999'])} | {_errors(r)} | {_f(r['callee_cpu_us'], 1)} | {_f(r['callee_rss_mb'], 1)} "
                     f"| {_f(r['router_cpu_us'], 1)} | {_f(_busy(r))} | {_f(r['postgres_cpu_us'], 1)} "
                     f"| {_f(r['loadgen_cpu_percent'])} |")
    lines += ["", "CPU per call is utime+stime from /proc/<pid>/stat over the measured window divided by the calls "
              "completed in it (all threads: adbapi's pool threads count). PostgreSQL is the postmaster and all its "
              "backends. Router busy % is the router's CPU per call times calls/s: near 100 % it is the router that "
              "limits throughput. " + _layout_note(data["setup"].get("layout")), ""]

    notify = data.get("notify") or []
    if notify:
        lines += ["## NOTIFY → event", "",
                  "A libpq publisher sends `pg_notify` at a fixed rate, `{\"seq\", \"t_us\"}` in the payload (time taken "
                  "just before sending; each notification is its own transaction); a WAMP subscriber timestamps arrival. "
                  "`echo` is the same event published straight to the router (`bench_event_pub`, no database): the "
                  "router's own ceiling and tail. Each rate starts with uncounted warm-up events "
                  f"({data['setup'].get('notify_warmup', '?')} s).", "",
                  "| callee | target/s | published/s | received | missing | dup | out of order | events/s | p50 µs "
                  "| p99 µs | max µs | callee CPU µs/event | router CPU µs/event |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in notify:
            if "skipped" in r:
                lines.append(f"| {r['callee']} | not measured: {r['skipped']} |||||||||||")
                continue
            l = r["latency_us"]
            lines.append(f"| {r['callee']} | {r['rate']} | {_f(r['publish_rate'])} | {r['received']}/{r['sent']} "
                         f"| {r['missing']} | {r['duplicates']} | {r['out_of_order']} | {_f(r['events_per_s'])} "
                         f"| {_f(l['p50'])} | {_f(l['p99'])} | {_f(l['max'])} | {_f(r['callee_cpu_us'], 1)} "
                         f"| {_f(r.get('router_cpu_us'), 1)} |")
        best = sustained_rates(notify)
        lines += ["", "Highest rate kept up with (no loss, publisher on schedule, arrivals ≥ 95 % of the rate): " +
                  (", ".join(f"{k} {v}/s" for k, v in best.items()) or "none of the rates tried") + ".", ""]

    lines += report_changes.markdown(data)
    lines += report_stream.markdown(data)
    lines += report_identity.markdown(data)
    lines += report_fanout.markdown(data)
    lines += report_login.markdown(data)
    lines += report_tls.markdown(data)
    lines += report_live.markdown(data)

    rr = data.get("roundrobin")
    if rr:
        lines += ["## Two pgwamp processes sharing `com.example.now.v1` (invoke: roundrobin)", ""]
        if "skipped" in rr:
            lines.append(f"Not measured: {rr['skipped']}")
        else:
            total = sum(rr["served"].values()) or 1
            lines.append(f"{_f(rr['calls_per_s'])} calls/s at {rr['concurrency']} outstanding, p50 "
                         f"{_f(rr['latency_us']['p50'])} µs, p99 {_f(rr['latency_us']['p99'])} µs, errors: {_errors(rr)}. "
                         f"Split (each process on its own database, counted by pg_stat_statements): "
                         f"A {rr['served']['a']} ({100 * rr['served']['a'] / total:.1f} %), "
                         f"B {rr['served']['b']} ({100 * rr['served']['b'] / total:.1f} %). "
                         f"CPU µs/call: A {_f(rr['cpu_us_per_call'].get('a'), 1)}, B {_f(rr['cpu_us_per_call'].get('b'), 1)}, "
                         f"router {_f(rr['cpu_us_per_call'].get('router'), 1)}.")
        lines.append("")

    soak = data.get("soak")
    if soak:
        lines += ["## Soak", ""]
        if "skipped" in soak:
            lines.append(f"Not measured: {soak['skipped']}")
        else:
            lines.append(f"{soak['callee']} at {soak['concurrency']} outstanding for {soak['duration_s']:.0f} s: "
                         f"{_f(soak['calls_per_s'])} calls/s, p99 {_f(soak['latency_us']['p99'])} µs, errors: {_errors(soak)}; "
                         f"RSS {soak['rss_first_mb']:.1f} → {soak['rss_last_mb']:.1f} MB, max {soak['rss_max_mb']:.1f} MB "
                         f"({len(soak['rss_samples'])} samples).")
        lines.append("")
    db = data.get("db")
    if db:
        lines += ["## db_bench and its peers (`--smoke`: a fifth of a second each)", "",
                  f"Exit status {db['status']}; the real comparison is `bench/db_bench` (`bench/db/RESULTS.md`). "
                  f"Output: {db['log']}.", "", "| workload | client | queries/s |", "|---|---|---:|"]
        lines += [f"| {r['workload']} | {r['client']} | {_f(r['qps']) if r['qps'] is not None else r['skipped']} |"
                  for r in db["rows"]]
        lines += [f"- broken: {b}" for b in db["broken"]] + [""]
    lines += ["Raw figures: `latest.json` beside this file. Logs of the run: " + s["log_dir"] + " (not kept).", ""]
    return "\n".join(lines)


def plot(data, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [r for r in data["calls"] if "concurrency" in r]
    kinds = []
    for r in rows:
        if r["callee"] not in kinds:
            kinds.append(r["callee"])
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4.2))
    for kind in kinds:
        pts = sorted((r["concurrency"], r["calls_per_s"], r["latency_us"]["p99"] / 1000) for r in rows
                     if r["callee"] == kind)
        xs = [p[0] for p in pts]
        ax1.plot(xs, [p[1] for p in pts], marker="o", label=kind)
        ax2.plot(xs, [p[2] for p in pts], marker="o", label=kind)
    for ax, title, ylabel in ((ax1, "throughput", "calls/s"), (ax2, "p99 latency", "ms")):
        ax.set_xscale("log", base=2)
        ax.set_xlabel("calls outstanding")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, alpha=0.3)
        if kinds:
            ax.legend()
    ax2.set_yscale("log")
    fig.suptitle(f"com.example.now.v1 through Crossbar ({data['setup']['date']})", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _busy(row):
    """The router's CPU use in the window, in % of one CPU."""
    if row.get("router_cpu_us") is None or not row.get("calls_per_s"):
        return None
    return row["router_cpu_us"] * row["calls_per_s"] / 1e4


def _layout_note(layout):
    if layout == "router-apart":
        return ("The router has a CPU to itself; callee, PostgreSQL and load generator share the other(s), so a "
                "callee reaches the echo ceiling unless its own CPU per call, its database's and the load "
                "generator's together exceed the router's.")
    if layout == "loadgen-apart":
        return ("The load generator has a CPU to itself; router, callee and PostgreSQL share the other(s), so "
                "throughput is bounded by the sum of their CPU per call: the router's share is the same for every "
                "callee, and the rest is what the callee (and its database work) adds.")
    return "Nothing is pinned."


def write(data, out_dir, with_plot=True):
    """latest.json, latest.md and (with_plot; the smoke skips it: matplotlib takes seconds to load) latest.png."""
    import os
    with open(os.path.join(out_dir, "latest.json"), "w") as f:
        json.dump(data, f, indent=1)
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write(markdown(data))
    if with_plot:
        plot(data, os.path.join(out_dir, "latest.png"))
    if with_plot and data.get("live"):
        # The live phase's figures on their own, as the issue asks (not in a smoke: with_plot is off there).
        with open(os.path.join(out_dir, "live.md"), "w") as f:
            f.write(report_live.document(data))
        with open(os.path.join(out_dir, "live.json"), "w") as f:
            json.dump({"setup": data["setup"], "live": data["live"], "failures": data.get("failures") or []}, f,
                      indent=1)
