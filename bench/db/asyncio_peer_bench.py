"""db_bench's asyncio peers: asyncpg (on uvloop) and psycopg 3's async pool.

    asyncio_peer_bench.py --peer asyncpg|psycopg --dsn CONNINFO --workload now|join
                          [--concurrency 64] [--pool 8] [--seconds 10] [--warmup 1]

`concurrency` callers each run the workload's statement through the pool and
issue the next as soon as the previous answered, like db_bench.cpp's callers:

  asyncpg  asyncpg.create_pool(min_size=max_size=pool) on uvloop; pool.fetch
           (asyncpg prepares every statement and caches it per connection)
  psycopg  psycopg_pool.AsyncConnectionPool(min_size=max_size=pool), each
           call `async with pool.connection()` + execute + fetchall;
           prepare_threshold=0: prepared from the first use, like asyncpg

Both run one query at a time per connection (neither pipelines a pool's
callers). Measures like python_peer_bench.py: this process's CPU
(RUSAGE_SELF) over the window, p50/p99 of the queries started in it. Prints
one JSON object; {"skipped": reason} when the peer cannot run.
"""

import argparse
import asyncio
import json
import resource
import sys
import time

# The same statements as db_bench.cpp (kept in step by hand).
NOW_SQL = "SELECT now()"
JOIN_SQL = ("SELECT a.id, a.name, b.amount FROM bench_join_a a JOIN bench_join_b b ON b.a_id = a.id "
            "WHERE a.id = $1")
JOIN_KEYS = 1000


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def conninfo_kwargs(dsn):
    """'hostaddr=127.0.0.1 port=5 dbname=d user=u' -> asyncpg.connect keywords
    (asyncpg reads URIs only)."""
    kv = dict(part.split("=", 1) for part in dsn.split())
    out = {"host": kv.get("hostaddr") or kv.get("host", "127.0.0.1"), "port": int(kv.get("port", 5432)),
           "user": kv.get("user"), "database": kv.get("dbname")}
    if "password" in kv:
        out["password"] = kv["password"]
    return out


async def asyncpg_runner(dsn, size, workload):
    import asyncpg
    pool = await asyncpg.create_pool(min_size=size, max_size=size, **conninfo_kwargs(dsn))
    if workload == "join":
        async def run(key):
            return await pool.fetch(JOIN_SQL, key)
    else:
        async def run(_key):
            return await pool.fetch(NOW_SQL)
    return run, pool.close


async def psycopg_runner(dsn, size, workload):
    from psycopg_pool import AsyncConnectionPool

    async def configure(conn):
        conn.prepare_threshold = 0

    pool = AsyncConnectionPool(dsn, min_size=size, max_size=size, open=False, configure=configure)
    await pool.open(wait=True, timeout=10)
    sql = JOIN_SQL.replace("$1", "%s")
    if workload == "join":
        async def run(key):
            async with pool.connection() as conn:
                cur = await conn.execute(sql, (key,))
                return await cur.fetchall()
    else:
        async def run(_key):
            async with pool.connection() as conn:
                cur = await conn.execute(NOW_SQL)
                return await cur.fetchall()
    return run, pool.close


PEERS = {"asyncpg": asyncpg_runner, "psycopg": psycopg_runner}


async def measure(run, concurrency, warmup, seconds):
    loop = asyncio.get_running_loop()
    measure_from = time.perf_counter() + warmup
    until = measure_from + seconds
    stats = {"queries": 0, "errors": 0, "first_error": None}
    latency = []

    async def caller(seed):
        key = seed
        while True:
            t0 = time.perf_counter()
            if t0 >= until:
                return
            key = key % JOIN_KEYS + 1
            try:
                await run(key)
                ok = True
            except Exception as e:  # counted, never fatal
                ok = False
                if stats["first_error"] is None:
                    stats["first_error"] = repr(e)
            if t0 >= measure_from:
                if ok:
                    stats["queries"] += 1
                    latency.append((time.perf_counter() - t0) * 1e6)
                else:
                    stats["errors"] += 1

    tasks = [loop.create_task(caller(i * 97)) for i in range(concurrency)]
    await asyncio.sleep(max(0.0, measure_from - time.perf_counter()))
    cpu0 = cpu_seconds()
    t0 = time.perf_counter()
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - t0
    cpu = cpu_seconds() - cpu0
    latency.sort()
    pct = lambda p: latency[int(p * (len(latency) - 1))] if latency else 0.0  # noqa: E731
    stats.update({"seconds": elapsed, "cpu_seconds": cpu, "qps": stats["queries"] / elapsed,
                  "cpu_us_per_query": cpu * 1e6 / max(stats["queries"], 1), "p50_us": pct(0.5),
                  "p99_us": pct(0.99)})
    return stats


async def amain(args, out):
    try:
        run, close = await PEERS[args.peer](args.dsn, args.pool, args.workload)
    except Exception as e:  # ImportError above all: the venv lacks the peer
        out["skipped"] = "cannot start %s: %r" % (args.peer, e)
        return
    try:
        out.update(await asyncio.wait_for(measure(run, args.concurrency, args.warmup, args.seconds),
                                          args.warmup + args.seconds + 30))
    except asyncio.TimeoutError:
        out["skipped"] = "timed out"
    finally:
        try:
            await close()
        except Exception:
            pass


def main():
    p = argparse.ArgumentParser(description="db_bench's asyncio peers")
    p.add_argument("--peer", required=True, choices=sorted(PEERS))
    p.add_argument("--dsn", required=True, help="libpq conninfo")
    p.add_argument("--workload", choices=["now", "join"], default="now")
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--pool", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--warmup", type=float, default=1.0)
    args = p.parse_args()
    out = {"peer": args.peer, "workload": args.workload}
    if args.peer == "asyncpg":
        try:
            import uvloop
            uvloop.install()
            out["reactor"] = "uvloop"
        except Exception as e:
            out["reactor"] = "asyncio (no uvloop: %r)" % (e,)
    else:
        out["reactor"] = "asyncio"
    asyncio.run(amain(args, out))
    emit(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
