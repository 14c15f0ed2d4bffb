"""The fan-out phase in the report (harness/fanout.py): sessions receiving only
their own eligible_authid events, beside the same fan-out to everyone."""

import fanout

EXACT = "fanout: each session receives exactly its own events (with) or all (without)"
RATE = "fanout: events/s with eligible_authid ≥ 0.9× without"


def targets(data):
    rows = [r for r in data.get("fanout") or [] if "audience" in r]
    s = fanout.summary(rows)
    if not s:
        return [("fanout: with against without eligible_authid", "n/a", "not measured")]
    wrong = s["wrong_sessions"]
    return [(EXACT, "pass" if wrong == 0 else "FAIL", f"{wrong} wrong sessions in {len(rows)} runs"),
            (RATE, "pass" if wrong == 0 and s["ratio"] >= 0.9 else "FAIL",
             f"{s['ratio']:.2f}× ({s['with']['events_per_s']:.1f} against {s['without']['events_per_s']:.1f} "
             f"events/s)")]


def markdown(data):
    rows = [r for r in data.get("fanout") or [] if "audience" in r]
    s = fanout.summary(rows)
    if not s:
        return []
    lines = ["## Event fan-out with eligible_authid", "",
             f"{rows[0]['sessions']} sessions across {fanout.USERS} ticket users, {rows[0]['rate']} NOTIFY/s offered, "
             "ABBA; events/s = events ÷ seconds from the first NOTIFY to the last event received.", "",
             "| audience | events/s | deliveries/s | pgwamp µs/event | router µs/event | subscribers µs/event |",
             "|---|---:|---:|---:|---:|---:|"]
    for side in ("without", "with"):
        m = s[side]
        lines.append(f"| {side} | {m['events_per_s']:.1f} | {m['deliveries_per_s']:.0f} | {m['pgwamp_cpu_us']:.0f} "
                     f"| {m['router_cpu_us']:.0f} | {m['subscribers_cpu_us']:.0f} |")
    return lines + ["", f"Sessions that did not receive exactly their events: {s['wrong_sessions']}.", ""]
