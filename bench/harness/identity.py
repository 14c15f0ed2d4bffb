"""What running as the caller costs pgwamp (issue 12): two procedures with the
same SQL, one plain and one with "as_caller": true, called by the same
anonymous load generator. For the as_caller one pgwamp sends set_config('role',
...), set_config('pgwamp.authid', ...) and set_config('pgwamp.authrole', ...)
in the statement's pipeline segment, with the anonymous role mapped to the
database role pgwamp_anon. The router must disclose the caller for that, so
this phase starts a Crossbar of its own that does (the shared one does not:
disclosure would change the other phases' router cost). Runs alternate in ABBA
order (plain, caller, caller, plain, ...) so a machine whose load drifts hits
both alike. Targets: pgwamp CPU per call with identity <= 1.2x without, and
calls/s >= 0.95x without."""

import ab_compare
import callees
from phases import run_load, start_or_skip

PLAIN = "com.example.bench.id_plain"
CALLER = "com.example.bench.id_caller"
SQL = "SELECT now() AS now"
DB_ROLE = "pgwamp_anon"


def _procedures():
    return {PLAIN: {"sql": SQL, "single": "value"},
            CALLER: {"sql": SQL, "single": "value", "as_caller": True}}


def _create_role(cluster):
    # Roles are cluster-wide; SET ROLE from pgwamp's superuser session needs no grant.
    cluster.psql(f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{DB_ROLE}') "
                 f"THEN CREATE ROLE {DB_ROLE} NOLOGIN; END IF; END $$")


def _set_config_calls(cluster):
    return int(cluster.psql("SELECT coalesce(sum(calls), 0) FROM pg_stat_statements "
                            "WHERE query ILIKE '%set_config($%'", db="bench"))


def identity_compare(env, concurrencies, warmup, duration, loadgen_cpus, log, rounds=2):
    rows = []
    _create_role(env.cluster)
    e, owned = ab_compare.own_router(env, disclose_caller=True)
    try:
        child = start_or_skip("pgwamp", rows, log, lambda: callees.start(
            "pgwamp", e, name="pgwamp-identity", procedures=_procedures(),
            identity={"database_roles": {"anonymous": DB_ROLE}}))
        if child is None:
            return rows
        try:
            callees.wait_callable(e, "pgwamp", child, loadgen_cpus)
            for c in concurrencies:
                for i in range(rounds * 2):
                    as_caller = ab_compare.is_b(i)
                    proc = CALLER if as_caller else PLAIN
                    m = run_load(e, {"callee": child.pid}, proc, c, warmup, duration, loadgen_cpus,
                                 f"loadgen-identity-{'caller' if as_caller else 'plain'}-{c}-{i}")
                    r = m["result"]
                    cpu = m["cpu_us_per_call"]
                    rows.append(ab_compare.load_row(m, as_caller=as_caller, concurrency=c, round=i))
                    log(f"identity {'caller' if as_caller else 'plain '} c={c} run {i}: {r['calls_per_s']:.0f} calls/s "
                        f"p99 {r['latency_us']['p99']:.0f} us, pgwamp {cpu['callee']:.2f} us CPU/call, "
                        f"postgres {cpu['postgres']:.2f} us, errors {r['errors']}")
            # Proof the caller's side ran as the caller: the set_config statements pgwamp sends before it.
            sets = _set_config_calls(e.cluster)
            rows.append({"set_config_calls": sets})
            log(f"identity: PostgreSQL ran pgwamp's set_config statement {sets} times")
        finally:
            child.stop()
    finally:
        if owned:
            e.router.stop()
    for s in summary(rows):
        log(f"identity c={s['concurrency']}: calls/s {s['calls_ratio']:.3f}x (target >= 0.95), "
            f"pgwamp CPU/call {s['cpu_ratio']:.3f}x (target <= 1.2)")
    return rows


def summary(rows):
    """Per concurrency: means of both sides and the ratios caller / plain."""
    return ab_compare.summary(rows, "as_caller", ("plain", "caller"))
