"""A throwaway PostgreSQL 15 for the bench: initdb in a temporary directory,
127.0.0.1 on a free port, trust authentication (no password anywhere),
fsync off (we measure the client side, not the disk). As root the server runs
as the postgres user, since initdb and postgres refuse root.

Cluster.start_standby() adds a streaming standby (hot standby, read-only) of
a started cluster, for phases that read from replicas."""

import os
import pwd
import shutil
import subprocess
import tempfile
import time

from procs import children, cpu_seconds, free_port

PG_BIN = "/usr/lib/postgresql/15/bin"


class Cluster:
    def __init__(self, log_dir, cpus=None, name="postgres"):
        self.cpus = cpus  # taskset list for the server and every process it forks
        self.dir = tempfile.mkdtemp(prefix=f"pgwamp-bench-{name}-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.log = os.path.join(log_dir, f"{name}.log")
        self.pid = None
        self._as = []
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            os.chown(self.dir, pg.pw_uid, pg.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        # The server writes its log here; it must be able to create the file.
        open(self.log, "a").close()
        if self._as:
            os.chown(self.log, pg.pw_uid, pg.pw_gid)

    def _run(self, argv, **kw):
        return subprocess.run(self._as + argv, check=True, capture_output=True, text=True, **kw)

    @staticmethod
    def _options(port, socket_dir):
        return (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={socket_dir} "
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
                "-c shared_buffers=64MB -c shared_preload_libraries=pg_stat_statements "
                # The changes phase: pgwamp and the psycopg2 peer each stream from a slot.
                "-c wal_level=logical -c max_replication_slots=8 -c max_wal_senders=8")

    def start(self):
        self._run([f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                   "--no-sync", "--locale=C"])
        self._start_server(self._options(self.port, self.dir), "postgres")
        for db in ("bench", "bench2"):
            self.psql(f"CREATE DATABASE {db}")
            self.psql("CREATE EXTENSION pg_stat_statements", db=db)

    def _start_server(self, opts, what):
        pin = ["taskset", "-c", self.cpus] if self.cpus else []
        try:
            self._run(pin + [f"{PG_BIN}/pg_ctl", "-D", self.data, "-l", self.log, "-o", opts, "-w", "-t", "60", "start"])
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"{what} did not start: {e.stderr.strip()}; see {self.log}") from None
        with open(os.path.join(self.data, "postmaster.pid")) as f:
            self.pid = int(f.readline())

    def dsn(self, db="bench"):
        return f"host=127.0.0.1 port={self.port} dbname={db} user=postgres"

    def psql(self, sql, db="postgres"):
        out = subprocess.run([f"{PG_BIN}/psql", "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", self.dsn(db),
                              "-c", sql], capture_output=True, text=True, timeout=60)
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr.strip()}")
        return out.stdout.strip()

    def now_calls(self, db):
        """How many times `SELECT now()` ran in one database so far. From
        pg_stat_statements, which counts as each statement ends (the commit
        counters of pg_stat_database reach shared memory up to 10 s late)."""
        return int(self.psql("SELECT coalesce(sum(s.calls), 0) FROM pg_stat_statements s "
                             "JOIN pg_database d ON d.oid = s.dbid "
                             f"WHERE d.datname = '{db}' AND s.query ILIKE 'select now()%'", db="bench"))

    def cpu_seconds(self):
        """CPU of the postmaster and all its children (backends, walwriter, ...) alive now."""
        total = 0.0
        for pid in [self.pid] + children(self.pid):
            try:
                total += cpu_seconds(pid)
            except OSError:
                pass
        return total

    def stop(self):
        try:
            if os.path.exists(os.path.join(self.data, "postmaster.pid")):
                self._run([f"{PG_BIN}/pg_ctl", "-D", self.data, "-m", "fast", "-w", "-t", "30", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)

    def start_standby(self, log_dir, apply_delay_ms=0):
        """A streaming standby of this (started) cluster; returns once it streams."""
        standby = Standby(self, log_dir, apply_delay_ms)
        try:
            standby.start()
        except BaseException:
            standby.stop()
            raise
        return standby


class Standby(Cluster):
    """pg_basebackup -R of a Cluster into a temporary directory of its own, on
    a free port, with the primary's settings (a standby refuses to start with
    a lower max_wal_senders, max_connections, ...), hot_standby_feedback and
    an optional recovery_min_apply_delay. Same dsn/psql/stop as a Cluster."""

    def __init__(self, primary, log_dir, apply_delay_ms=0):
        super().__init__(log_dir, primary.cpus, name="postgres-standby")
        self.primary = primary
        self.apply_delay_ms = apply_delay_ms

    def start(self):
        try:
            self._run([f"{PG_BIN}/pg_basebackup", "-D", self.data, "-d", self.primary.dsn("postgres"), "-R",
                       "-X", "stream", "--checkpoint=fast", "--no-sync"])
        except subprocess.CalledProcessError as e:
            raise RuntimeError(f"pg_basebackup failed: {e.stderr.strip()}") from None
        self._start_server(self._options(self.port, self.dir) + " -c hot_standby=on -c hot_standby_feedback=on "
                           f"-c recovery_min_apply_delay={int(self.apply_delay_ms)}ms", "the standby")
        deadline = time.monotonic() + 30
        while self.psql("SELECT status FROM pg_stat_wal_receiver") != "streaming":
            if time.monotonic() > deadline:
                raise RuntimeError(f"the standby does not stream after 30 s; see {self.log}")
            time.sleep(0.05)
