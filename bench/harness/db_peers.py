"""The smoke's db phase: bench/db/db_bench --smoke on the bench's PostgreSQL.

db_bench runs db::Pool and then each of its peers (pgbench three ways,
tokio-postgres prepared and unnamed, asyncpg, psycopg 3, txpostgres, adbapi)
for a fifth of a second each, and exits 1 when any of them was skipped,
failed or answered nothing; its tables are kept here for the report. A real
comparison is bench/db_bench (10 s per run, its own throwaway cluster)."""

import os
import re
import subprocess

ROW = re.compile(r"^\| (?P<client>[^|]+?) \| (?P<qps>[^|]+?) \|")
WORKLOAD = re.compile(r"^workload (?P<name>\w+):")


def db_smoke(env, binary, tokio_peer, peers, log):
    argv = [binary, "--smoke", "--dsn", env.cluster.dsn("bench"), "--concurrency", "4", "--pool", "2",
            "--python", env.python]
    if tokio_peer:
        argv += ["--tokio-peer", tokio_peer]
    if peers is not None:
        argv += ["--peers", peers or "none"]
    path = os.path.join(env.log_dir, "db_bench.log")
    log(f"db: {' '.join(argv[:2])} on the bench's PostgreSQL, peers {peers or 'all'}")
    with open(path, "w") as f:
        done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=f, text=True, timeout=600)
        f.write(done.stdout)
    rows, workload = [], None
    for line in done.stdout.splitlines():
        if m := WORKLOAD.match(line):
            workload = m["name"]
        elif (m := ROW.match(line)) and m["client"] != "client" and not m["client"].startswith("-"):
            qps = m["qps"].replace(",", "")
            rows.append({"workload": workload, "client": m["client"],
                         "qps": float(qps) if re.fullmatch(r"[0-9.]+", qps) else None,
                         "skipped": None if re.fullmatch(r"[0-9.]+", qps) else m["qps"]})
    broken = [line.removeprefix("smoke: ") for line in done.stdout.splitlines()
              if line.startswith("smoke: ") and " broken: " in line]
    log(f"db: exit {done.returncode}, {len(rows)} runs, {len(broken)} broken" +
        "".join(f"\n  {b}" for b in broken))
    return {"status": done.returncode, "rows": rows, "broken": broken, "log": path}
