"""The login phase in the report (harness/login.py): the callers' p99 while
wrong-password sign-ins flood /app, beside the same callers without them."""

import login

P99 = "login: callers' p99 with the sign-in flood ≤ 2× without"


def targets(data):
    rows = data.get("login") or []
    out = []
    for s in login.summary(rows):
        clean = s["errors"] == 0 and s["attempts"] > 0
        why = "" if s["errors"] == 0 else f"; {s['errors']} call errors"
        why += "" if s["attempts"] > 0 else "; the flood made no sign-in attempt"
        out.append((f"{P99} ({s['setting']}: {s['clients']} sign-ins in flight, {s['callers']} calls outstanding)",
                    "pass" if clean and s["ratio"] <= 2.0 else "FAIL",
                    f"{s['ratio']:.2f}× ({s['flood']['p99_us'] / 1000:.1f} against {s['quiet']['p99_us'] / 1000:.1f} ms; "
                    f"{s['sign_ins_per_s']:.0f} sign-ins/s, {s['checked_per_s']:.1f}/s checked by the database)" + why))
    return out or [("login: callers during a sign-in flood", "n/a", "not measured")]


def _pct(v):
    return "–" if v is None else f"{v:.0f}"


def markdown(data):
    rows = data.get("login") or []
    summaries = login.summary(rows)
    if not summaries:
        return []
    lines = ["## Callers during a sign-in flood (login)", "",
             f"`{login.LIST}` (config/pgwamp.json's, as_caller, 20 rows) kept outstanding by the anonymous load "
             "generator, without and with wrong-password WAMP-Ticket sign-ins kept in flight on `/app` (each a new "
             "WebSocket and a name not used before), ABBA, means per side. \"open\": identity.login with "
             f"peer_attempts {login.OPEN_PEER_ATTEMPTS:,} (every attempt comes from 127.0.0.1); \"shipped\": as in "
             "config/pgwamp.json; \"untarpitted\": \"open\" with every refusal answered at once "
             "(refusal_delay_ms 0), to show what the tarpit saves.", "",
             "| setting | flood | calls/s | p50 ms | p99 ms | pgwamp % | router % | PostgreSQL % | flood % |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in summaries:
        for side, label in (("quiet", "none"), ("flood", f"{s['clients']} in flight")):
            m = s[side]
            b = m["busy_percent"]
            lines.append(f"| {s['setting']} | {label} | {m['calls_per_s']:.0f} | {m['p50_us'] / 1000:.1f} "
                         f"| {m['p99_us'] / 1000:.1f} | {_pct(b['callee'])} | {_pct(b['router'])} "
                         f"| {_pct(b['postgres'])} | {_pct(b['flood'])} |")
    lines += ["", "| setting | p99 with / without | sign-ins/s | checked (database) /s | refused by the limits /s "
                  "| refused, login queue full /s | other /s | router µs per sign-in |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in summaries:
        lines.append(f"| {s['setting']} | {s['ratio']:.2f}× | {s['sign_ins_per_s']:.0f} | {s['checked_per_s']:.1f} "
                     f"| {s['limited_per_s']:.1f} | {s['overloaded_per_s']:.1f} | {s['other_per_s']:.1f} "
                     f"| {_pct(s['router_us_per_sign_in'])} |")
    others = {k: v for s in summaries for k, v in s["sign_ins"].items()
              if k not in (login.CHECKED, login.LIMITED, login.OVERLOADED)}
    if others:
        lines += ["", "Other outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(others.items())) + "."]
    return lines + ["", "% = share of one CPU during the measured window (/proc). Router µs per sign-in: its busy "
                        "time during the flood less the calls' share at the quiet runs' cost per call, per attempt."] + [""]
