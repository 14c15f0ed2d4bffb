#!/usr/bin/env python3
"""Turns a libpq connection string into PG* environment variables.

scripts/run --dsn CONNINFO uses it: pgwamp's demo config names no conninfo,
so libpq takes everything from PG* variables, as psql does. Parsing is done
by libpq itself (PQconninfoParse through ctypes), so both forms work exactly
as libpq reads them: "host=... dbname=..." and "postgresql://user@host/db".

Prints shell `export` lines on stdout, and on stderr nothing but errors.
With --redacted, prints instead a key=value conninfo without the password,
safe to show in a terminal.
"""
import ctypes
import ctypes.util
import shlex
import sys


class Option(ctypes.Structure):
    _fields_ = [
        ("keyword", ctypes.c_char_p),
        ("envvar", ctypes.c_char_p),
        ("compiled", ctypes.c_char_p),
        ("val", ctypes.c_char_p),
        ("label", ctypes.c_char_p),
        ("dispchar", ctypes.c_char_p),
        ("dispsize", ctypes.c_int),
    ]


def parse(conninfo):
    name = ctypes.util.find_library("pq") or "libpq.so.5"
    libpq = ctypes.CDLL(name)
    libpq.PQconninfoParse.restype = ctypes.POINTER(Option)
    libpq.PQconninfoParse.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_char_p)]
    libpq.PQconninfoFree.argtypes = [ctypes.POINTER(Option)]
    libpq.PQfreemem.argtypes = [ctypes.c_void_p]
    error = ctypes.c_char_p()
    options = libpq.PQconninfoParse(conninfo.encode(), ctypes.byref(error))
    if not options:
        message = error.value.decode(errors="replace").strip() if error.value else "cannot parse"
        # libpq's message quotes the offending part; it never echoes a password value.
        raise ValueError(message)
    try:
        found = []
        i = 0
        while options[i].keyword:
            opt = options[i]
            if opt.val is not None:
                found.append((opt.keyword.decode(), opt.envvar.decode() if opt.envvar else None, opt.val.decode()))
            i += 1
        return found
    finally:
        libpq.PQconninfoFree(options)


def quote_value(value):
    if value and all(c not in value for c in " '\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def main():
    args = sys.argv[1:]
    redacted = args[:1] == ["--redacted"]
    if redacted:
        args = args[1:]
    if len(args) != 1:
        print("usage: conninfo_env.py [--redacted] CONNINFO", file=sys.stderr)
        return 2
    try:
        options = parse(args[0])
    except ValueError as e:
        print(f"--dsn: {e}", file=sys.stderr)
        return 1
    if redacted:
        print(" ".join(f"{k}={quote_value(v)}" for k, _, v in options if k != "password"))
        return 0
    for keyword, envvar, value in options:
        if not envvar:
            print(f"--dsn: libpq has no environment variable for '{keyword}'; "
                  "put it in a service file and use service=NAME", file=sys.stderr)
            return 1
        print(f"export {envvar}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
