#!/usr/bin/env python3
"""The configs of `scripts/run --replica`: pgwamp's, with the standby.

    replica_config.py --port PORT --config FILE
        writes FILE's twin with database.replicas = [{"name": "replica1",
        "conninfo": "host=127.0.0.1 port=PORT user=... dbname=..."}]
    replica_config.py --port PORT --cbdir DIR --out-cbdir OUT
        Crossbar runs pgwamp as its guest worker with the config its node
        directory names: writes OUT/config.json, DIR/config.json whose pgwamp
        guest gets the twin of its --config (made as above) instead.

Prints the path of the pgwamp config it wrote.

The twin of FILE is `.<name>-replica.json` in FILE's own directory (ignored
by git), so every path in it (password_file, TLS files, ...) means what it
meant in FILE: pgwamp reads them relative to the config's directory. OUT must
be a sibling of DIR (same depth), since Crossbar reads the paths of its
config (workdir, the web directory) relative to its node directory.

The standby's user and dbname are the primary's: those of database.conninfo
when the config has one, else libpq's PGUSER and PGDATABASE (scripts/run sets
them). Its password is the primary's too (no password_env/password_file: the
replica inherits the primary's, and libpq's PGPASSFILE holds it).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from conninfo_env import parse, quote_value  # noqa: E402

REPLICA_NAME = "replica1"


def replica_conninfo(database, port):
    user = os.environ.get("PGUSER", "postgres")
    dbname = os.environ.get("PGDATABASE", user)
    if database.get("conninfo"):
        options = {k: v for k, _, v in parse(database["conninfo"])}
        user = options.get("user", user)
        dbname = options.get("dbname", dbname)
    return f"host=127.0.0.1 port={port} user={quote_value(user)} dbname={quote_value(dbname)}"


def write_pgwamp_config(source, port):
    with open(source) as f:
        config = json.load(f)
    database = config.setdefault("database", {})
    database["replicas"] = [{"name": REPLICA_NAME, "conninfo": replica_conninfo(database, port)}]
    stem = os.path.basename(source)
    if stem.endswith(".json"):
        stem = stem[: -len(".json")]
    out = os.path.join(os.path.dirname(os.path.abspath(source)), f".{stem}-replica.json")
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    os.replace(tmp, out)
    return out


def write_crossbar_config(cbdir, out_cbdir, port):
    cbdir = os.path.abspath(cbdir)
    out_cbdir = os.path.abspath(out_cbdir)
    if os.path.dirname(cbdir) != os.path.dirname(out_cbdir):
        raise SystemExit(f"replica_config.py: {out_cbdir} is not a sibling of {cbdir}")
    with open(os.path.join(cbdir, "config.json")) as f:
        config = json.load(f)
    written = None
    for worker in config.get("workers", []):
        if worker.get("type") != "guest":
            continue
        args = worker.get("arguments", [])
        for i, arg in enumerate(args):
            if arg == "--config" and i + 1 < len(args):
                at, value = i + 1, args[i + 1]
            elif arg.startswith("--config="):
                at, value = i, arg[len("--config="):]
            else:
                continue
            # As Crossbar does: workdir relative to the node directory, the
            # guest's own arguments relative to its workdir.
            workdir = os.path.join(cbdir, worker.get("options", {}).get("workdir", "."))
            written = write_pgwamp_config(os.path.normpath(os.path.join(workdir, value)), port)
            args[at] = written if at == i + 1 else "--config=" + written
            break
    if written is None:
        raise SystemExit(f"replica_config.py: no guest worker with --config in {cbdir}/config.json")
    os.makedirs(out_cbdir, exist_ok=True)
    tmp = os.path.join(out_cbdir, "config.json.tmp")
    with open(tmp, "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    os.replace(tmp, os.path.join(out_cbdir, "config.json"))
    return written


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--port", type=int, required=True, help="the standby's port on 127.0.0.1")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--config", help="pgwamp's config")
    what.add_argument("--cbdir", help="Crossbar's node directory (with --out-cbdir)")
    p.add_argument("--out-cbdir", help="the derived Crossbar node directory, a sibling of --cbdir")
    a = p.parse_args()
    if a.cbdir:
        if not a.out_cbdir:
            p.error("--cbdir needs --out-cbdir")
        print(write_crossbar_config(a.cbdir, a.out_cbdir, a.port))
    else:
        print(write_pgwamp_config(a.config, a.port))
    return 0


if __name__ == "__main__":
    sys.exit(main())
