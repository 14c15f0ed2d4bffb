#!/usr/bin/env python3
"""sendto() calls per query of each db::Pool variant of db_bench (issue 22's
measure), by strace on the db_bench process and its threads only.

    bench/db/sendto_per_query.py DSN [DB_BENCH]

DSN must be a server db_bench does not start itself (strace -f would count
the server's sends too). Each window runs from the end of the previous
variant to the end of this one, so it holds the 1 s warm-up and set-up:
the figure is an upper bound. strace slows the client several times over.
"""
import datetime
import re
import subprocess
import sys

dsn = sys.argv[1]
binary = sys.argv[2] if len(sys.argv) > 2 else "build-bench-release/bench/db/db_bench"
cmd = ["strace", "-f", "-tt", "-e", "trace=sendto", "-o", "/tmp/st.log",
       binary, "--dsn", dsn, "--workload", "now", "--peers", "none", "--seconds", "3"]
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
marks = []  # (time_of_day_seconds, line)
def tod():
    n = datetime.datetime.now(); return n.hour*3600 + n.minute*60 + n.second + n.microsecond/1e6
start = tod()
for line in p.stdout:
    marks.append((tod(), line.rstrip()))
p.wait()
calls = []
for l in open("/tmp/st.log"):
    m = re.match(r"\d+\s+(\d+):(\d+):(\d+\.\d+) sendto\(", l)
    if m:
        h, mi, s = m.groups(); calls.append(int(h)*3600 + int(mi)*60 + float(s))
prev = start
for t, line in marks:
    if line.startswith("[now] pgwamp"):
        name = line
        q = None
    if "queries/s (" in line:
        ok = int(re.search(r"\((\d+) ok", line).group(1))
        n = sum(1 for c in calls if prev < c <= t)
        print(f"{name}\n  {ok} queries measured; sendto in the whole window (warm-up included): {n}; about {n/ok:.3f} per query (upper bound)")
        prev = t
