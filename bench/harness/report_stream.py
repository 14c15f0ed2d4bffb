"""The stream phase in the report: its targets and its table (report.py
puts them in latest.md)."""

import report  # circular on purpose: only used at call time, after both modules loaded

RSS = "stream: pgwamp peak RSS ≤ 40 MB streaming 1,000,000 rows"
RSS_RATIO = "stream: pgwamp peak RSS ≤ 1/10 of the txpostgres peer's"
RATE = "stream: pgwamp rows/s ≥ the txpostgres peer's (one result)"
FIRST = "stream: pgwamp first chunk ≤ 50 ms"


def fmt(v, digits=0):
    return report._f(v, digits)


def _row(data, kind, slow=False):
    for r in data.get("stream") or []:
        if r.get("callee") == kind and "rows" in r and bool(r.get("chunk_delay_ms")) == slow:
            return r
    return None


def _complete(r):
    return (r is not None and not r["error"] and not r["offset_errors"] and r["rows"] == r["requested"]
            and r.get("announced_rows") in (None, r["rows"]))


def peer_note(peer):
    """What the peer's figures are of, when not of every row asked for."""
    miss = peer.get("not_fitting")
    if not miss:
        return ""
    return (f"peer: one result of {peer['rows']:,} rows; {miss['rows']:,} does not fit one message: "
            f"{miss['error']}")


def targets(data):
    pg, peer = _row(data, "pgwamp"), _row(data, "txpostgres")
    if pg is None:
        return [("stream: pgwamp streams com.example.numbers", "n/a", "pgwamp not measured")]
    out = []
    ok = _complete(pg) and pg["requested"] >= 1_000_000 and pg["peak_rss_mb"] is not None and pg["peak_rss_mb"] <= 40
    out.append((RSS, "pass" if ok else "FAIL",
                f"{pg['rows']:,} of {pg['requested']:,} rows in {pg['chunks']:,} chunks, peak RSS "
                f"{fmt(pg['peak_rss_mb'], 1)} MB" + (f"; error: {pg['error']}" if pg["error"] else "")
                + (f"; {pg['offset_errors']} chunks at a wrong offset" if pg["offset_errors"] else "")))
    note = peer_note(peer) if peer else ""
    if peer and peer["peak_rss_mb"] and not peer["error"]:
        ratio = pg["peak_rss_mb"] / peer["peak_rss_mb"]
        out.append((RSS_RATIO, "pass" if ratio <= 0.1 else "FAIL",
                    f"{ratio:.3f} ({fmt(pg['peak_rss_mb'], 1)} MB against {fmt(peer['peak_rss_mb'], 1)} MB)"
                    + (f"; {note}" if note else "")))
    else:
        out.append((RSS_RATIO, "n/a", "the peer not measured" + (f": {peer['error']}" if peer else "")))
    if peer and _complete(peer) and _complete(pg):
        out.append((RATE, "pass" if pg["rows_per_s"] >= peer["rows_per_s"] else "FAIL",
                    f"pgwamp {fmt(pg['rows_per_s'])} rows/s, peer {fmt(peer['rows_per_s'])} rows/s"
                    + (f"; {note}" if note else "")))
    else:
        out.append((RATE, "n/a" if not peer or not _complete(peer) else "FAIL",
                    "the peer not measured" if not peer else
                    f"pgwamp: {pg['error'] or 'incomplete'}" if _complete(peer) else
                    f"peer: {peer['error'] or 'incomplete'}"))
    first = pg["first_chunk_ms"]
    out.append((FIRST, "pass" if first is not None and first <= 50 else "FAIL",
                "no chunk arrived" if first is None else f"{first:.1f} ms"))
    return out


def markdown(data):
    rows = data.get("stream") or []
    if not rows:
        return []
    lines = ["## Streaming many rows: `com.example.numbers(count)`", "",
             "`bench_stream_call` calls `com.example.numbers` (`SELECT n, md5(n::text) AS hash FROM (SELECT "
             "generate_series(1, $1) AS n) AS numbers`: in the select list the series yields rows as it makes "
             "them, where in FROM it is built whole first) once after a 1,000-row warm-up call: from pgwamp with progressive results "
             "(`receive_progress`: a cursor read at the router's pace, chunks of ≤ 1,000 rows), from the txpostgres "
             "peer in one result (the whole list, as the chapter's component returns it). Everyone joins through "
             "the router's WebSocket transport (RawSocket cannot carry a message over 16 MB; Crossbar allows "
             "64 MB on WebSocket). MB: the rows' MessagePack size, computed by the caller (the WAMP envelope not "
             "counted). First chunk: from sending the CALL to the first progressive result (the whole result "
             "when not progressive). Peak RSS is VmHWM; each callee is started afresh for the phase. The router's "
             "RSS is sampled every 50 ms during the call.", "",
             "| callee | how | rows | chunks | MB | first chunk ms | total s | rows/s | MB/s | peak RSS before MB "
             "| peak RSS MB | callee CPU s | router CPU s | router RSS MB: before → peak → after |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        if "skipped" in r:
            lines.append(f"| {r['callee']} | not measured: {r['skipped']} ||||||||||||")
            continue
        how = "progressive" if r["progress"] else "one result"
        if r["chunk_delay_ms"]:
            how += f", slow caller ({r['chunk_delay_ms']} ms per chunk)"
        if r["error"]:
            how += f"; error: {r['error']}"
        lines.append(f"| {r['callee']} | {how} | {r['rows']:,} | {r['chunks']:,} | {fmt(r['bytes'] / 1e6, 1)} "
                     f"| {fmt(r['first_chunk_ms'], 1)} | {fmt(r['seconds'], 2)} | {fmt(r['rows_per_s'])} "
                     f"| {fmt(r['mb_per_s'], 1)} | {fmt(r['peak_rss_before_mb'], 1)} | {fmt(r['peak_rss_mb'], 1)} "
                     f"| {fmt(r['callee_cpu_s'], 2)} | {fmt(r['router_cpu_s'], 2)} "
                     f"| {fmt(r['router_rss_before_mb'])} → {fmt(r['router_rss_peak_mb'])} → "
                     f"{fmt(r['router_rss_after_mb'])} |")
    peer = _row(data, "txpostgres")
    if peer and peer_note(peer):
        lines += ["", peer_note(peer) + "."]
    slow = _row(data, "pgwamp", slow=True)
    if slow:
        lines += ["", "Slow caller: Crossbar has no flow control toward a caller; it reads the callee's progressive "
                  "results as fast as they come and keeps what the caller has not read yet in its own memory, so "
                  "pgwamp's back-pressure (it stops fetching past 4 MB queued toward the router) does not engage. "
                  f"Here the router's RSS went {fmt(slow['router_rss_before_mb'])} → "
                  f"{fmt(slow['router_rss_peak_mb'])} MB while pgwamp's peak stayed "
                  f"{fmt(slow['peak_rss_mb'], 1)} MB."]
    lines.append("")
    return lines
