"""What TLS between pgwamp and the router costs (issue 18): end-to-end calls/s with pgwamp joined through
RawSocket over TLS (rss://, router.tls) against the same pgwamp joined through plain RawSocket (rs://), on
the same router, with the same load: bench_loadgen keeping N calls of com.example.now.v1 outstanding. Only
pgwamp's connection differs; the load generator's stays plain RawSocket (or WebSocket with --transport
websocket), so the TLS figures carry TLS on one leg of each call (INVOCATION and YIELD), which is what
deploying pgwamp with rss:// changes.

The router's TLS transport demands a client certificate (ca_certificates, as docs/deploy.md configures
Crossbar for pgwamp), so pgwamp gets router.tls with ca_file, cert_file and key_file. One pgwamp process
at a time registers com.example.now.v1, so each run starts pgwamp afresh with the side's url and stops it
afterwards; runs go in ABBA order (plain, TLS, TLS, plain, ...) so a machine whose load drifts hits both
alike. Both sides join the same router: bench/run gives its shared Crossbar the TLS transport when this
phase runs (a listener nobody uses costs the other phases nothing), and the phase starts one of its own
only when handed a router without it. Target: calls/s over TLS >= 0.9x plain."""

import ab_compare
import callees
from phases import run_load, start_or_skip

TARGET = 0.9


def pgwamp_tls(router):
    """pgwamp's router.tls for the phase's router: its CA, and the client certificate the transport demands."""
    c = router.certs
    return {"ca_file": c.ca_file, "cert_file": c.client_cert_file, "key_file": c.client_key_file}


def tls_compare(env, concurrencies, warmup, duration, loadgen_cpus, log, rounds=2):
    rows = []
    e, owned = ab_compare.own_router(env, tls=True)
    try:
        for i in range(rounds * 2):
            tls = ab_compare.is_b(i)
            side = "tls" if tls else "plain"
            url = e.router.rss_url if tls else e.router.url
            child = start_or_skip("pgwamp", rows, log, lambda: callees.start(
                "pgwamp", e, name=f"pgwamp-{side}-{i}", url=url, tls=pgwamp_tls(e.router) if tls else None))
            if child is None:
                return rows
            try:
                callees.wait_callable(e, "pgwamp", child, loadgen_cpus)
                for c in concurrencies:
                    m = run_load(e, {"callee": child.pid}, "pgwamp", c, warmup, duration, loadgen_cpus,
                                 f"loadgen-tls-{side}-{c}-{i}")
                    r = m["result"]
                    cpu = m["cpu_us_per_call"]
                    rows.append(ab_compare.load_row(m, tls=tls, url=url, concurrency=c, round=i))
                    log(f"tls {side:5} c={c} run {i}: {r['calls_per_s']:.0f} calls/s p50 "
                        f"{r['latency_us']['p50']:.0f} us p99 {r['latency_us']['p99']:.0f} us, pgwamp "
                        f"{_us(cpu['callee'])} us CPU/call, router {_us(cpu['router'])} us, errors {r['errors']}")
            finally:
                child.stop()
    finally:
        if owned:
            e.router.stop()
    for s in summary(rows):
        log(f"tls c={s['concurrency']}: calls/s {_ratio(s['calls_ratio'])} plain (target >= {TARGET}), "
            f"pgwamp CPU/call {_ratio(s['cpu_ratio'])}, router CPU/call {_ratio(s['router_cpu_ratio'])}")
    return rows


def _us(v):
    return "–" if v is None else f"{v:.2f}"


def _ratio(v):
    return "–" if v is None else f"{v:.3f}x"


def summary(rows):
    """Per concurrency: means over each side's runs and the ratios TLS / plain."""
    return ab_compare.summary(rows, "tls", ("plain", "tls"))
