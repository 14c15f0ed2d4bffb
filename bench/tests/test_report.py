"""The report's verdicts on made-up figures: each target can pass and fail.
Run by CTest as bench_report_test (plain python3, no servers, no matplotlib)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "harness"))

import fanout  # noqa: E402
import live  # noqa: E402
import login  # noqa: E402
import report  # noqa: E402
import report_changes  # noqa: E402
import report_live  # noqa: E402
import report_login  # noqa: E402
import report_stream  # noqa: E402
import report_tls  # noqa: E402
import smoke  # noqa: E402
from run_bench import PHASES, pinning  # noqa: E402


def calls(kind, c, cps, p50=500.0, cpu=10.0, rss=12.0):
    return {"callee": kind, "concurrency": c, "calls_per_s": cps, "calls": int(cps * 5), "errors": {}, "no_reply": 0,
            "latency_us": {"p50": p50, "p99": p50 * 3, "p999": p50 * 4, "max": p50 * 5, "mean": p50},
            "callee_cpu_us": cpu, "router_cpu_us": 70.0, "postgres_cpu_us": 20.0, "callee_rss_mb": rss,
            "loadgen_cpu_percent": 4.0}


def notify(kind, rate, missing=0, p99=2000.0, events=None, published=None):
    return {"callee": kind, "rate": rate, "sent": rate * 4, "publish_rate": published or rate,
            "received": rate * 4 - missing, "missing": missing, "duplicates": 0, "out_of_order": 0,
            "events_per_s": events or rate, "latency_us": {"p50": p99 / 3, "p99": p99, "max": p99 * 2},
            "callee_cpu_us": 5.0, "router_cpu_us": 30.0}


def change(kind, rate, missing=0, out_of_order=0, p99=3000.0, cpu=8.0, events=None):
    row = notify(kind, rate, missing=missing, p99=p99, events=events)
    row.update(out_of_order=out_of_order, callee_cpu_us=None if kind == "echo" else cpu, postgres_cpu_us=30.0)
    return row


def changes(pg_missing=0, pg_order=0, pg_p99=3000.0, pg_cpu=8.0, echo_rates=(500, 1000, 2000)):
    rows = [change("pgwamp", r, missing=pg_missing if r == 1000 else 0, out_of_order=pg_order, p99=pg_p99,
                   cpu=pg_cpu) for r in (500, 1000, 2000)]
    rows += [change("psycopg2", r, cpu=60.0) for r in (500, 1000, 2000)]
    rows += [change("echo", r) for r in echo_rates]
    return rows


def streamed(kind, rows=1_000_000, requested=None, peak=20.0, rows_per_s=400_000.0, first_ms=8.0, error=None,
             delay_ms=0, offset_errors=0):
    progress = kind == "pgwamp"
    return {"callee": kind, "requested": requested or rows, "progress": progress, "chunk_delay_ms": delay_ms,
            "rows": rows, "chunks": rows // 1000 if progress else 1, "bytes": rows * 47,
            "offset_errors": offset_errors, "announced_rows": rows if progress else None,
            "first_chunk_ms": first_ms, "seconds": rows / rows_per_s, "rows_per_s": rows_per_s,
            "mb_per_s": rows_per_s * 47 / 1e6, "error": error, "peak_rss_before_mb": 10.0, "peak_rss_mb": peak,
            "callee_cpu_s": 1.0, "router_cpu_s": 3.0, "router_rss_before_mb": 90.0, "router_rss_peak_mb": 400.0,
            "router_rss_after_mb": 300.0}


def stream_rows(pg=None, peer=None):
    return [pg or streamed("pgwamp"), streamed("pgwamp", delay_ms=10),
            peer or streamed("txpostgres", peak=900.0, rows_per_s=200_000.0, first_ms=6000.0)]


def data(pg_cps=4500, pg_cpu=10.0, pg_p50=600.0, pg_rss=12.0, notify_rows=None, growth=0.1, changes_rows=None,
         stream=None, fanout_rows=None, login_rows=None, tls_rows=None):
    rows = []
    fanout_rows = fanout_rows if fanout_rows is not None else [fan(False, 8.0), fan(True, 20.0)]
    for c in (1, 16, 64, 256):
        rows.append(calls("pgwamp", c, pg_cps if c > 1 else 1000, p50=pg_p50 if c == 1 else 5000, cpu=pg_cpu, rss=pg_rss))
        rows.append(calls("txpostgres", c, 2000, cpu=120.0))
        rows.append(calls("echo", c, 5000 if c > 1 else 1200, p50=400.0 if c == 1 else 4000, cpu=7.0))
    return {"setup": {}, "calls": rows,
            "notify": notify_rows if notify_rows is not None else [notify("pgwamp", 1000), notify("pgwamp", 2000),
                                                                   notify("txpostgres", 1000), notify("txpostgres", 2000)],
            "changes": changes_rows if changes_rows is not None else changes(),
            "stream": stream if stream is not None else stream_rows(),
            "fanout": fanout_rows,
            "login": login_rows if login_rows is not None else logins(),
            "identity": [ident(False, 4200, 12.0), ident(True, 4100, 13.0)],
            "tls": tls_rows if tls_rows is not None else tls_abba(),
            "soak": {"callee": "pgwamp", "duration_s": 300, "concurrency": 256, "calls_per_s": 4000, "errors": {},
                     "latency_us": {"p99": 9000.0}, "rss_samples": [[0, 12], [5, 12 + growth]], "rss_first_mb": 12,
                     "rss_last_mb": 12 + growth, "rss_max_mb": 12 + growth, "rss_growth_mb": growth}}


def ident(as_caller, cps, cpu):
    return {"as_caller": as_caller, "concurrency": 64, "round": 0, "calls_per_s": cps, "calls": cps * 5,
            "errors": {}, "callee_cpu_us": cpu, "router_cpu_us": 170.0, "postgres_cpu_us": 13.0}


def tls_run(tls, cps, cpu=10.0, router=150.0, rnd=0, c=64, errors=None):
    return {"tls": tls, "url": "rss://127.0.0.1:1" if tls else "rs://127.0.0.1:2", "concurrency": c, "round": rnd,
            "calls_per_s": cps, "calls": cps * 5, "latency_us": {"p50": 1e6 * c / cps, "p99": 3e6 * c / cps},
            "errors": errors or {}, "no_reply": 0, "callee_cpu_us": cpu, "router_cpu_us": router,
            "postgres_cpu_us": 20.0, "loadgen_cpu_percent": 5.0}


def tls_abba(plain=4000.0, over_tls=3800.0, **kw):
    """One ABBA round: plain, TLS, TLS, plain."""
    return [tls_run(False, plain, rnd=0), tls_run(True, over_tls, cpu=12.0, router=170.0, rnd=1, **kw),
            tls_run(True, over_tls, cpu=12.0, router=170.0, rnd=2, **kw), tls_run(False, plain, rnd=3)]


def fan(audience, events_per_s, wrong=0):
    return {"audience": audience, "round": 0, "sessions": 1000, "rate": 20, "events_per_s": events_per_s,
            "deliveries_per_s": events_per_s * (20 if audience else 1000), "wrong_sessions": wrong,
            "cpu_us_per_event": {"pgwamp": 150.0, "router": 3000.0, "subscribers": 4000.0}}


def sign_in_run(flood, p99, setting="open", cps=3000.0, errors=None, sign_ins=None):
    return {"setting": setting, "flood": flood, "round": 0, "clients": 200 if flood else 0, "callers": 64,
            "calls_per_s": cps, "calls": cps * 5, "window_s": 5.0, "errors": errors or {}, "no_reply": 0,
            "latency_us": {"p50": p99 / 3, "p99": p99},
            "busy_percent": {"callee": 20.0, "router": 90.0, "postgres": 40.0, "flood": 30.0 if flood else None},
            "sign_ins": (sign_ins if sign_ins is not None else
                         {login.CHECKED: 250, login.OVERLOADED: 2000, "closed": 5}) if flood else {}}


def logins(quiet_p99=20_000.0, flood_p99=30_000.0, **kw):
    """One setting's ABBA: quiet, flood, flood, quiet."""
    return [sign_in_run(False, quiet_p99), sign_in_run(True, flood_p99, **kw), sign_in_run(True, flood_p99, **kw),
            sign_in_run(False, quiet_p99)]


def by_prefix(d, prefix):
    for name, verdict, _ in report.targets(d):
        if name.startswith(prefix):
            return verdict
    raise AssertionError(f"no target starting with {prefix!r}")


class Targets(unittest.TestCase):
    def test_all_pass(self):
        d = data()
        for name, verdict, measured in report.targets(d):
            self.assertEqual(verdict, "pass", f"{name}: {measured}")

    def test_cpu_ratio(self):
        self.assertEqual(by_prefix(data(pg_cpu=13.0), "pgwamp callee CPU"), "FAIL")

    def test_throughput_against_echo(self):
        self.assertEqual(by_prefix(data(pg_cps=4400), "pgwamp calls/s"), "FAIL")  # 0.88 of echo

    def test_p50_at_one(self):
        self.assertEqual(by_prefix(data(pg_p50=701.0), "p50 at 1"), "FAIL")

    def test_rss(self):
        self.assertEqual(by_prefix(data(pg_rss=31.0), "pgwamp RSS"), "FAIL")

    def test_growth(self):
        self.assertEqual(by_prefix(data(growth=1.5), "no RSS growth"), "FAIL")

    def test_notify_loss_at_the_sustained_rate(self):
        rows = [notify("pgwamp", 1000), notify("pgwamp", 2000, missing=3), notify("txpostgres", 2000)]
        self.assertEqual(by_prefix(data(notify_rows=rows), "NOTIFY"), "FAIL")

    def test_notify_p99_below_the_sustained_rate(self):
        rows = [notify("pgwamp", 1000, p99=6000.0), notify("pgwamp", 2000), notify("txpostgres", 2000)]
        self.assertEqual(by_prefix(data(notify_rows=rows), "NOTIFY"), "FAIL")

    def test_the_echo_publisher_sets_the_router_rate(self):
        # pgwamp kept up with 2000/s, but the router alone only with 1000/s:
        # 2000/s is beyond the router, so only p99 below 1000/s counts.
        rows = [notify("pgwamp", 500), notify("pgwamp", 1000), notify("pgwamp", 2000, p99=9000.0),
                notify("echo", 500), notify("echo", 1000), notify("echo", 2000, events=1500)]
        self.assertEqual(by_prefix(data(notify_rows=rows), "NOTIFY"), "pass")
        measured = [m for n, _, m in report.targets(data(notify_rows=rows)) if n.startswith("NOTIFY")][0]
        self.assertIn("router sustains 1000/s (echo publisher)", measured)

    def test_a_backlog_is_not_sustained(self):
        # Everything arrived, but slower than published: the router did not keep up at 2000/s,
        # so the sustained rate is 1000/s and 2000/s's p99 does not count against pgwamp.
        rows = [notify("pgwamp", 1000), notify("pgwamp", 2000, p99=600000.0, events=1500),
                notify("txpostgres", 2000, events=1500)]
        self.assertEqual(report.sustained_rates(rows), {"pgwamp": 1000})
        self.assertEqual(by_prefix(data(notify_rows=rows), "NOTIFY"), "pass")

    def test_changes_loss_and_reordering_up_to_the_echo_rate(self):
        self.assertEqual(by_prefix(data(changes_rows=changes(pg_missing=1)), "changes: no loss"), "FAIL")
        self.assertEqual(by_prefix(data(changes_rows=changes(pg_order=1)), "changes: no loss"), "FAIL")

    def test_changes_a_rate_pgwamp_did_not_reach_fails(self):
        rows = [r for r in changes(echo_rates=(500, 1000, 2000)) if not (r["callee"] == "pgwamp" and r["rate"] == 2000)]
        self.assertEqual(by_prefix(data(changes_rows=rows), "changes: no loss"), "FAIL")

    def test_changes_p99_below_the_echo_rate(self):
        self.assertEqual(by_prefix(data(changes_rows=changes(pg_p99=11_000)), "changes: pgwamp commit"), "FAIL")

    def test_changes_cpu_against_the_peer(self):
        self.assertEqual(by_prefix(data(changes_rows=changes(pg_cpu=12.5)), "changes: pgwamp CPU"), "FAIL")

    def test_changes_cpu_below_procs_resolution_is_not_the_peers_fault(self):
        rows = changes()
        for r in rows:
            if r["callee"] == "pgwamp":
                r["callee_cpu_us"] = 0.0
        self.assertEqual(by_prefix(data(changes_rows=rows), "changes: pgwamp CPU"), "n/a")
        measured = [m for n, v, m in report.targets(data(changes_rows=rows)) if n.startswith("changes: pgwamp CPU")]
        self.assertIn("resolution", measured[0])
        # The peer ran at pgwamp's rates but its few changes took under a tick: not "not measured" (a smoke flake).
        rows = changes()
        for r in rows:
            if r["callee"] == "psycopg2":
                r["callee_cpu_us"] = 0.0
        measured = [m for n, v, m in report.targets(data(changes_rows=rows)) if n.startswith("changes: pgwamp CPU")]
        self.assertIn("the peer's CPU in the window was below", measured[0])
        rows = [r for r in changes() if r["callee"] != "psycopg2"]
        measured = [m for n, v, m in report.targets(data(changes_rows=rows)) if n.startswith("changes: pgwamp CPU")]
        self.assertIn("peer not measured", measured[0])

    def test_changes_bulk_peak_memory(self):
        def bulk(rows, peak, missing=0):
            return {"callee": "pgwamp", "bulk": rows, "received": rows - missing, "missing": missing,
                    "out_of_order": 0, "duplicates": 0, "commit_s": 2.0, "seconds": 250.0, "events_per_s": 4000.0,
                    "peak_rss_before_mb": 12.0, "peak_rss_mb": peak, "callee_cpu_us": 30.0}
        ok = changes() + [bulk(1_000_000, 20.5)]
        self.assertEqual(by_prefix(data(changes_rows=ok), "changes: pgwamp peak RSS"), "pass")
        self.assertIn("| pgwamp | 1,000,000 | 1,000,000 |", "\n".join(report_changes.markdown(data(changes_rows=ok))))
        self.assertEqual(by_prefix(data(changes_rows=changes() + [bulk(1_000_000, 80.0)]), "changes: pgwamp peak RSS"),
                         "FAIL")
        self.assertEqual(by_prefix(data(changes_rows=changes() + [bulk(1_000_000, 20.0, missing=3)]),
                                   "changes: pgwamp peak RSS"), "FAIL")
        # A smaller transaction (--quick) does not prove the million.
        self.assertEqual(by_prefix(data(changes_rows=changes() + [bulk(50_000, 15.0)]), "changes: pgwamp peak RSS"),
                         "FAIL")

    def test_changes_without_pgwamp_are_not_applicable(self):
        rows = [r for r in changes() if r["callee"] != "pgwamp"]
        self.assertEqual(by_prefix(data(changes_rows=rows), "changes: pgwamp row"), "n/a")
        self.assertIn("| psycopg2 | 500 |", "\n".join(report_changes.markdown(data(changes_rows=rows))))

    def test_stream_peak_memory(self):
        self.assertEqual(by_prefix(data(stream=stream_rows(pg=streamed("pgwamp", peak=41.0))),
                                   "stream: pgwamp peak RSS ≤ 40"), "FAIL")
        # A smaller stream (--quick) does not prove the million.
        quick = stream_rows(pg=streamed("pgwamp", rows=100_000, peak=12.0),
                            peer=streamed("txpostgres", rows=100_000, peak=200.0, rows_per_s=1e5))
        self.assertEqual(by_prefix(data(stream=quick), "stream: pgwamp peak RSS ≤ 40"), "FAIL")
        self.assertEqual(by_prefix(data(stream=quick), "stream: pgwamp peak RSS ≤ 1/10"), "pass")
        # Every row must arrive, at the offset it was sent for.
        short = streamed("pgwamp", rows=999_000, requested=1_000_000)
        self.assertEqual(by_prefix(data(stream=stream_rows(pg=short)), "stream: pgwamp peak RSS ≤ 40"), "FAIL")
        gap = streamed("pgwamp", offset_errors=1)
        self.assertEqual(by_prefix(data(stream=stream_rows(pg=gap)), "stream: pgwamp peak RSS ≤ 40"), "FAIL")

    def test_stream_against_the_peer(self):
        self.assertEqual(by_prefix(data(stream=stream_rows(pg=streamed("pgwamp", peak=95.0))),
                                   "stream: pgwamp peak RSS ≤ 1/10"), "FAIL")  # 95 / 900 > 0.1
        self.assertEqual(by_prefix(data(stream=stream_rows(pg=streamed("pgwamp", rows_per_s=150_000.0))),
                                   "stream: pgwamp rows/s"), "FAIL")
        failed = streamed("txpostgres", rows=0, requested=1_000_000, error="wamp.error.canceled")
        self.assertEqual(by_prefix(data(stream=stream_rows(peer=failed)), "stream: pgwamp rows/s"), "n/a")

    def test_stream_first_chunk(self):
        self.assertEqual(by_prefix(data(stream=stream_rows(pg=streamed("pgwamp", first_ms=51.0))),
                                   "stream: pgwamp first chunk"), "FAIL")
        self.assertEqual(by_prefix(data(stream=stream_rows(pg=streamed("pgwamp", first_ms=None, rows=0,
                                                                              requested=1_000_000))),
                                   "stream: pgwamp first chunk"), "FAIL")

    def test_stream_peer_that_did_not_fit_is_said(self):
        peer = streamed("txpostgres", rows=300_000, peak=300.0, rows_per_s=200_000.0)
        peer["not_fitting"] = {"rows": 1_000_000, "error": "message too big"}
        d = data(stream=stream_rows(peer=peer))
        measured = [m for n, _, m in report.targets(d) if n.startswith("stream: pgwamp rows/s")][0]
        self.assertIn("peer: one result of 300,000 rows; 1,000,000 does not fit one message: message too big",
                      measured)
        md = "\n".join(report_stream.markdown(d))
        self.assertIn("1,000,000 does not fit one message", md)
        self.assertIn("| pgwamp | progressive, slow caller (10 ms per chunk) | 1,000,000 |", md)
        self.assertIn("router's RSS went 90 → 400 MB", md)

    def test_stream_without_pgwamp_is_not_applicable(self):
        d = data(stream=[streamed("txpostgres"), {"callee": "pgwamp", "skipped": "no binary"}])
        self.assertEqual(by_prefix(d, "stream: pgwamp streams"), "n/a")
        self.assertIn("| pgwamp | not measured: no binary |", "\n".join(report_stream.markdown(d)))

    def test_busy_load_generator(self):
        d = data()
        d["calls"][0]["loadgen_cpu_percent"] = 60.0
        self.assertEqual(by_prefix(d, "the load generator"), "FAIL")

    def test_missing_callees_are_not_applicable(self):
        d = data()
        d["calls"] = [r for r in d["calls"] if r["callee"] != "echo"]
        self.assertEqual(by_prefix(d, "pgwamp calls/s"), "n/a")


class Smoke(unittest.TestCase):
    """bench/run --smoke's checks (harness/smoke.py): what makes the smoke fail."""

    @staticmethod
    def args(*phases, callees=("pgwamp", "txpostgres", "adbapi", "psycopg2", "echo")):
        import argparse
        return argparse.Namespace(skip=set(PHASES) - set(phases), callees=list(callees), changes_bulk=0,
                                  login_settings=["open"], soak=0)

    def test_a_complete_changes_phase_passes(self):
        self.assertEqual(smoke.problems(data(), self.args("changes")), [])

    def test_a_peer_that_did_not_start_fails_and_leaves_the_cpu_row_unmeasured(self):
        rows = [r for r in changes() if r["callee"] != "psycopg2"]
        rows.append({"callee": "psycopg2", "skipped": "did not start: AttributeError"})
        found = "\n".join(smoke.problems(data(changes_rows=rows), self.args("changes")))
        self.assertIn("psycopg2 did not start: AttributeError", found)
        self.assertIn("no row for psycopg2", found)
        self.assertIn("CPU per change", found)

    def test_an_empty_figure_or_no_event_fails(self):
        rows = changes()
        rows[0]["callee_cpu_us"] = None
        self.assertIn("has no callee_cpu_us", "\n".join(smoke.problems(data(changes_rows=rows), self.args("changes"))))
        rows = changes()
        rows[0]["received"] = 0
        self.assertIn("no event arrived", "\n".join(smoke.problems(data(changes_rows=rows), self.args("changes"))))

    def test_calls_with_errors_fail(self):
        d = data()
        self.assertEqual(smoke.problems(d, self.args("calls", callees=("pgwamp", "txpostgres"))), [])
        d["calls"][0]["errors"] = {"pgwamp.error.unavailable": 3}
        self.assertIn("errors", "\n".join(smoke.problems(d, self.args("calls", callees=("pgwamp", "txpostgres")))))

    def test_a_phase_that_raised_or_a_broken_db_bench_fails(self):
        d = data()
        d["failures"] = ["stream: boom"]
        d["db"] = {"status": 1, "broken": ["now / adbapi broken: skipped: peer failed"], "rows": [], "log": "x"}
        found = smoke.problems(d, self.args("db"))
        self.assertIn("stream: boom", found)
        self.assertTrue(any("adbapi broken" in p for p in found), found)


class Markdown(unittest.TestCase):
    def test_skipped_callee_and_failures_are_visible(self):
        d = data()
        d["setup"] = {"date": "d", "argv": [], "elapsed_s": 1, "cpus": 2, "cpu_model": "x", "loadavg": "0",
                      "pinning": "none", "crossbar": "v", "postgres": "15", "pool_min": 3, "pool_max": 10,
                      "pgwamp": "p", "build_type": "Release", "warmup": 1, "duration": 5, "log_dir": "/tmp/x"}
        d["calls"].append({"callee": "adbapi", "skipped": "boom"})
        d["failures"] = ["notify: timeout"]
        md = report.markdown(d)
        self.assertIn("not measured: boom", md)
        self.assertIn("notify: timeout", md)
        self.assertIn("| pgwamp | 256 |", md)

    def test_router_busy_column(self):
        d = data()
        d["setup"] = {"date": "d", "argv": [], "elapsed_s": 1, "cpus": 2, "cpu_model": "x", "loadavg": "0",
                      "pinning": "p", "layout": "router-apart", "crossbar": "v", "postgres": "15", "pool_min": 3,
                      "pool_max": 10, "pgwamp": "p", "build_type": "Release", "warmup": 1, "duration": 5,
                      "log_dir": "/tmp/x"}
        md = report.markdown(d)
        # 70 µs of router CPU per call at 4,500 calls/s is 31.5 % of a CPU.
        self.assertIn("| 70.0 | 32 |", md)
        self.assertIn("The router has a CPU to itself", md)


class Pinning(unittest.TestCase):
    def test_router_apart_gives_the_router_cpu_0_alone(self):
        self.assertEqual(pinning("router-apart", 2)[:3], ("0", "1", "1"))
        self.assertEqual(pinning("router-apart", 3)[:3], ("0", "1", "2"))
        self.assertEqual(pinning("router-apart", 4)[:3], ("0", "1-2", "3"))  # the load generator apart too

    def test_loadgen_apart_gives_the_load_generator_the_last_cpu(self):
        self.assertEqual(pinning("loadgen-apart", 2)[:3], ("0", "0", "1"))
        self.assertEqual(pinning("loadgen-apart", 4)[:3], ("0-2", "0-2", "3"))

    def test_one_cpu_or_none_pins_nothing(self):
        self.assertEqual(pinning("router-apart", 1), (None, None, None, "none"))
        self.assertEqual(pinning("none", 8), (None, None, None, "none"))


class FanoutTargets(unittest.TestCase):
    def test_slower_with_audience_fails(self):
        self.assertEqual(by_prefix(data(fanout_rows=[fan(False, 20.0), fan(True, 17.0)]), "fanout: events/s"), "FAIL")

    def test_a_wrong_session_fails_both(self):
        d = data(fanout_rows=[fan(False, 8.0), fan(True, 20.0, wrong=1)])
        self.assertEqual(by_prefix(d, "fanout: each session"), "FAIL")
        self.assertEqual(by_prefix(d, "fanout: events/s"), "FAIL")

    def test_not_measured(self):
        self.assertEqual(by_prefix(data(fanout_rows=[]), "fanout:"), "n/a")


class TlsTargets(unittest.TestCase):
    def test_at_least_nine_tenths_passes_and_below_fails(self):
        self.assertEqual(by_prefix(data(tls_rows=tls_abba(4000.0, 3600.0)), "tls:"), "pass")
        self.assertEqual(by_prefix(data(tls_rows=tls_abba(4000.0, 3590.0)), "tls:"), "FAIL")

    def test_errors_fail_and_nothing_measured_is_not_applicable(self):
        self.assertEqual(by_prefix(data(tls_rows=tls_abba(errors={"wamp.error.canceled": 1})), "tls:"), "FAIL")
        self.assertEqual(by_prefix(data(tls_rows=[]), "tls:"), "n/a")

    def test_table_has_both_sides_and_the_ratios(self):
        md = "\n".join(report_tls.markdown(data()))
        # 64 outstanding: 4,000 plain and 3,800 over TLS; pgwamp 10 → 12 µs, router 150 → 170 µs per call.
        self.assertIn("| 64 | plain (rs://) | 2 | 4,000 | 16,000 | 48,000 | 10.00 | 150.0 | 20.0 | 5 |", md)
        self.assertIn("| 64 | TLS (rss://) | 2 | 3,800 |", md)
        self.assertIn("| 64 | **TLS ÷ plain** | | **0.95×** | 1.05× | 1.05× | 1.20× | 1.13× | | |", md)

    def test_the_smoke_wants_both_sides_over_the_right_url(self):
        args = Smoke.args("tls")
        self.assertEqual(smoke.problems(data(), args), [])
        only_plain = [r for r in tls_abba() if not r["tls"]]
        self.assertIn("tls: not both runs (pgwamp over plain RawSocket and over TLS)",
                      smoke.problems(data(tls_rows=only_plain), args))
        wrong = tls_abba()
        wrong[1]["url"] = "rs://127.0.0.1:2"
        self.assertTrue(any("not rss://" in p for p in smoke.problems(data(tls_rows=wrong), args)))
        wrong = tls_abba()
        wrong[2]["router_cpu_us"] = None
        self.assertTrue(any("has no router_cpu_us" in p for p in smoke.problems(data(tls_rows=wrong), args)))


class LoginTargets(unittest.TestCase):
    def test_p99_within_twice_passes_and_beyond_fails(self):
        self.assertEqual(by_prefix(data(login_rows=logins(20_000.0, 40_000.0)), "login:"), "pass")
        self.assertEqual(by_prefix(data(login_rows=logins(20_000.0, 40_100.0)), "login:"), "FAIL")

    def test_call_errors_or_no_attempts_fail(self):
        self.assertEqual(by_prefix(data(login_rows=logins(errors={"wamp.error.canceled": 1})), "login:"), "FAIL")
        self.assertEqual(by_prefix(data(login_rows=logins(sign_ins={})), "login:"), "FAIL")

    def test_not_measured(self):
        self.assertEqual(by_prefix(data(login_rows=[]), "login:"), "n/a")

    def test_outcomes_per_second_and_table(self):
        s = login.summary(logins())[0]
        # Two flood windows of 5 s: 500 checked, 4000 refused by the full queue, 10 other.
        self.assertEqual((s["attempts"], s["checked_per_s"], s["overloaded_per_s"], s["limited_per_s"]),
                         (4510, 50.0, 400.0, 0.0))
        self.assertAlmostEqual(s["ratio"], 1.5)
        md = "\n".join(report_login.markdown(data()))
        self.assertIn("| open | 200 in flight | 3000 | 10.0 | 30.0 | 20 | 90 | 40 | 30 |", md)
        # Router 90 % busy both ways at 3000 calls/s: 300 µs per call, so the sign-ins cost it nothing
        # measurable here: no figure, rather than a zero (or a negative one) that is only noise.
        self.assertIn("| open | 1.50× | 451 | 50.0 | 0.0 | 400.0 | 1.0 | – |", md)
        self.assertIn("Other outcomes: closed 10.", md)

    def test_router_cost_per_sign_in(self):
        quiet = {"calls_per_s": 3000.0, "busy_percent": {"router": 45.0}}  # 150 µs per call
        flood = {"calls_per_s": 400.0, "busy_percent": {"router": 42.0}}   # 60,000 µs/s of it for the calls
        self.assertAlmostEqual(login._router_per_sign_in(quiet, flood, 250.0), 1440.0)
        self.assertIsNone(login._router_per_sign_in(quiet, flood, 0))

    def test_each_setting_is_judged_alone(self):
        rows = logins() + [dict(r, setting="shipped") for r in logins(20_000.0, 90_000.0)]
        verdicts = [v for n, v, _ in report.targets(data(login_rows=rows)) if n.startswith("login:")]
        self.assertEqual(verdicts, ["pass", "FAIL"])


class LoginLogic(unittest.TestCase):
    def test_window_counts_take_the_tallies_at_the_edges(self):
        lines = [{"event": "ready"},
                 {"event": "tally", "t": 1.0, "outcomes": {}},
                 {"event": "tally", "t": 2.0, "outcomes": {"a": 5}},
                 {"event": "tally", "t": 3.0, "outcomes": {"a": 9, "b": 1}},
                 {"event": "tally", "t": 4.0, "outcomes": {"a": 20, "b": 1}}]
        self.assertEqual(login.window_counts(lines, 2.5, 3.5), {"a": 4, "b": 1})
        self.assertEqual(login.window_counts(lines, 0.5, 9.0), {"a": 20, "b": 1})  # before the first: the first
        self.assertEqual(login.window_counts([], 0, 1), {})

    def test_open_raises_only_the_peer_limit(self):
        config = {"identity": {"authenticator": {"procedure": "p"},
                               "login": {"name_failures": 5, "peer_attempts": 120}}}
        opened = login.identity_for("open", config)
        self.assertEqual(opened["login"], {"name_failures": 5, "peer_attempts": login.OPEN_PEER_ATTEMPTS})
        self.assertEqual(login.identity_for("shipped", config), config["identity"])
        self.assertEqual(config["identity"]["login"]["peer_attempts"], 120)  # a copy was changed, not the config

    def test_the_shipped_config_has_what_the_phase_needs(self):
        config = login.shipped()
        self.assertIn(login.LIST, config["procedures"])
        self.assertIn("authenticator", config["identity"])
        self.assertIn("peer_attempts", config["identity"]["login"])


class FanoutCheck(unittest.TestCase):
    """fanout._check: a session is right only with exactly its own events (with) or all of them (without)."""
    OWNERS = ["u0", "u1", "u0", "u1", "u0"]  # u0 has seqs 0, 2, 4; u1 has 1, 3

    def done(self, *sessions):
        return {"sessions": [list(s) for s in sessions]}

    def test_own_events_pass_with_audience(self):
        d = self.done(("u0", 3, 6, 20, 0, 3), ("u1", 2, 4, 10, 0, 2), ("u2", 0, 0, 0, 0, 0))
        self.assertEqual(fanout._check(d, True, self.OWNERS), 0)

    def test_missing_foreign_or_duplicate_fail_with_audience(self):
        missing = ("u0", 2, 2, 4, 0, 2)
        foreign = ("u1", 2, 4, 10, 1, 2)  # right sums, but one event named another owner
        duplicate = ("u0", 3, 6, 20, 0, 2)
        self.assertEqual(fanout._check(self.done(missing, foreign, duplicate), True, self.OWNERS), 3)

    def test_without_audience_every_session_needs_every_event(self):
        d = self.done(("u0", 5, 10, 30, 3, 5), ("u1", 3, 6, 20, 0, 3))
        self.assertEqual(fanout._check(d, False, self.OWNERS), 1)


def live_follow(label, queries, rate=500, p99=8000.0, cpu=100.0, rss=40.0, missing=0, rnd=None):
    row = {"kind": "follow", "label": label, "queries": queries, "rate": rate, "run": 1, "open_s": 1.0,
           "open_ready_ms": {"median": 5.0, "max": 9.0}, "snapshot_rows": 0, "sent": rate * 10,
           "publish_rate": float(rate), "max_lag_ms": 1.0, "received": rate * 10 - missing, "missing": missing,
           "duplicates": 0, "wrong_owner": 0, "out_of_order": 0, "foreign": 0, "warmup": rate * 2, "ended_calls": 0,
           "early_changes": 0, "events_per_s": float(rate), "latency_us": {"p50": p99 / 4, "p99": p99, "max": p99 * 2},
           "callee_cpu_us": cpu, "router_cpu_us": 90.0, "postgres_cpu_us": 60.0, "idle_cpu_percent": 0.0,
           "rss_open_mb": rss, "rss_after_mb": rss + 1, "peak_rss_mb": rss + 2, "router_rss_open_mb": 200.0}
    if rnd is not None:
        row["round"] = rnd
    return row


def live_rows(first_ms=8.0, ready_ms=90.0, p99=8000.0, many_cpu=110.0, few_cpu=100.0, many_rss=50.0, missing=0):
    snaps = [{"warmup": i == 0, "first_chunk_ms": first_ms, "ready_ms": ready_ms, "rows": 10_000, "chunks": 10,
              "changes_before_ready": 0, "shape_error": None, "error": None} for i in range(4)]
    return [{"kind": "snapshot", "seeded": 10_000, "repeat": 3, "snapshots": snaps,
             "first_chunk_ms": {"median": first_ms, "max": first_ms + 1}, "ready_ms": {"median": ready_ms,
                                                                                        "max": ready_ms + 5},
             "errors": [], "wrong_row_counts": []},
            live_follow("latency", 100, rate=1000, p99=p99, missing=missing),
            live_follow("cpu", 10, cpu=few_cpu, rss=15.0, rnd=0), live_follow("cpu", 10_000, cpu=many_cpu,
                                                                               rss=many_rss, rnd=1)]


class LiveTargets(unittest.TestCase):
    @staticmethod
    def verdict(rows, words):
        found = [v for name, v, _ in report.targets(dict(data(), live=rows))
                 if name.startswith("live:") and words in name]
        assert len(found) == 1, (words, found)
        return found[0]

    def test_all_pass(self):
        for name, verdict, measured in report_live.targets({"live": live_rows()}):
            self.assertEqual(verdict, "pass", f"{name}: {measured}")

    def test_snapshot_judged_on_the_median(self):
        self.assertEqual(self.verdict(live_rows(first_ms=50.0), "first chunk"), "pass")
        self.assertEqual(self.verdict(live_rows(first_ms=51.0), "first chunk"), "FAIL")
        self.assertEqual(self.verdict(live_rows(ready_ms=1001.0), "ready"), "FAIL")

    def test_latency_loss_cpu_and_rss(self):
        self.assertEqual(self.verdict(live_rows(p99=20_001.0), "p99"), "FAIL")
        self.assertEqual(self.verdict(live_rows(missing=1), "exactly once"), "FAIL")
        self.assertEqual(self.verdict(live_rows(many_cpu=150.0), "CPU per change"), "pass")
        self.assertEqual(self.verdict(live_rows(many_cpu=151.0), "CPU per change"), "FAIL")
        self.assertEqual(self.verdict(live_rows(few_cpu=0.0), "CPU per change"), "n/a")
        self.assertEqual(self.verdict(live_rows(many_rss=101.0), "RSS"), "FAIL")

    def test_summary_means_each_side(self):
        rows = live_rows() + [live_follow("cpu", 10_000, cpu=130.0, rss=60.0, rnd=2)]
        s = live.summary(rows)
        self.assertEqual((s["few"], s["many"]), (10, 10_000))
        self.assertAlmostEqual(s["sides"][10_000]["callee_cpu_us"], 120.0)
        self.assertAlmostEqual(s["sides"][10_000]["rss_mb"], 61.0)
        self.assertAlmostEqual(s["cpu_ratio"], 1.2)

    def test_a_failed_measurement_fails_and_shows(self):
        rows = live_rows()[:1] + [{"kind": "latency", "callee": "pgwamp", "skipped": "latency failed: boom"}]
        self.assertIn(("live: latency", "FAIL", "latency failed: boom"), report_live.targets({"live": rows}))
        self.assertIn("not measured: latency failed: boom", "\n".join(report_live.markdown({"live": rows})))

    def test_the_smoke_wants_every_measurement(self):
        args = Smoke.args("live")
        self.assertEqual(smoke.problems(dict(data(), live=live_rows()), args), [])
        self.assertIn("live: the CPU comparison did not measure both numbers of live calls",
                      smoke.problems(dict(data(), live=live_rows()[:3]), args))
        self.assertTrue(any("missing 1" in p for p in smoke.problems(dict(data(), live=live_rows(missing=1)), args)))

    def test_live_md_has_the_command_and_the_targets(self):
        d = dict(data(), live=live_rows())
        d["setup"] = {"date": "2026-12-07 21:00 UTC", "argv": ["--tools", "t", "--build-type", "Release", "--phases",
                                                                "live"], "elapsed_s": 100, "cpus": 2,
                      "cpu_model": "x", "loadavg": "1", "pinning": "none", "pgwamp": "p", "build_type": "Release",
                      "pool_min": 3, "pool_max": 10, "crossbar": "c", "postgres": "15", "log_dir": "/tmp/x"}
        md = report_live.document(d)
        self.assertIn("`bench/run --phases live`", md)
        self.assertIn("| live: pgwamp RSS with 10,000 live queries open ≤ 100 MB | **pass** | 51.0 MB", md)


if __name__ == "__main__":
    unittest.main()
