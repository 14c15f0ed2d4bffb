"""The login phase's attackers (harness/login.py): N concurrent clients in one
asyncio process, each signing in with WAMP-Ticket and a wrong password on the
router's /app path, again and again, for as long as the process runs.

Each attempt is what a browser's sign-in is on the wire, with nothing of
Autobahn's session layer: a new WebSocket (subprotocol wamp.2.json), HELLO
[1, realm, {roles, authmethods: ["ticket"], authid}], the router's CHALLENGE
answered with AUTHENTICATE [5, password, {}], then the router's ABORT (or
WELCOME), and the connection closed. Every attempt uses a name not used
before (guess<client>_<n>), so the per-name lock never engages: each attempt
is the database's bcrypt unless the peer limit or the login pool's queue
refuses it first.

Outcomes are counted by the ABORT's reason URI: wamp.error.not_authorized
(the database checked the password), pgwamp.error.too_many_attempts (a
sign-in limit refused it before the database), pgwamp.error.overloaded (the
login pool's queue was full), "welcome", "timeout", "closed" (the connection
ended without an answer) or another URI. Every 0.2 s one JSON line
{"event": "tally", "t": <time.monotonic()>, "outcomes": {...}} gives the totals
so far (the harness takes the ones at its window's edges; CLOCK_MONOTONIC is
the same clock in every process), and one more at SIGTERM.

--once NAME: a single attempt as NAME (with --password), then
{"event": "result", "outcome": ...} and exit: the harness's check that a wrong
password is refused by the database and a right one admitted."""

import argparse
import asyncio
import json
import signal
import sys
import time
from urllib.parse import urlparse

from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

REALM = "realm1"
HELLO, WELCOME, ABORT, CHALLENGE, AUTHENTICATE, GOODBYE = 1, 2, 3, 4, 5, 6


def emit(**line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


class Attempt(WebSocketClientProtocol):
    """One sign-in on one connection; self.done resolves to its outcome."""

    def __init__(self):
        super().__init__()
        self.done = asyncio.get_event_loop().create_future()

    def _finish(self, outcome):
        if not self.done.done():
            self.done.set_result(outcome)

    def onOpen(self):
        f = self.factory
        hello = [HELLO, REALM, {"roles": {"caller": {}}, "authmethods": ["ticket"], "authid": f.next_authid}]
        self.sendMessage(json.dumps(hello).encode())

    def onMessage(self, payload, is_binary):
        try:
            msg = json.loads(payload)
        except ValueError:
            self._finish("garbled")
            self.sendClose()
            return
        kind = msg[0] if msg else None
        if kind == CHALLENGE:
            self.sendMessage(json.dumps([AUTHENTICATE, self.factory.password, {}]).encode())
            return
        if kind == ABORT:
            self._finish(msg[2] if len(msg) > 2 else "abort")
        elif kind == WELCOME:
            self._finish("welcome")
            self.sendMessage(json.dumps([GOODBYE, {}, "wamp.close.normal"]).encode())
        else:
            self._finish(f"unexpected message {kind}")
        self.sendClose()

    def onClose(self, was_clean, code, reason):
        self._finish("closed")


async def attempt(url, authid, password, timeout):
    u = urlparse(url)
    factory = WebSocketClientFactory(url=url, protocols=["wamp.2.json"])
    factory.protocol = Attempt
    factory.next_authid = authid
    factory.password = password
    loop = asyncio.get_running_loop()
    try:
        transport, proto = await asyncio.wait_for(loop.create_connection(factory, u.hostname, u.port), timeout)
    except (OSError, asyncio.TimeoutError):
        return "connect failed"
    try:
        return await asyncio.wait_for(asyncio.shield(proto.done), timeout)
    except asyncio.TimeoutError:
        return "timeout"
    finally:
        transport.close()


async def flood(args):
    outcomes = {}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)

    async def client(i):
        n = 0
        while not stop.is_set():
            outcome = await attempt(args.url, f"guess{i}_{n}", args.password, args.timeout)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
            n += 1

    async def tally():
        while not stop.is_set():
            emit(event="tally", t=time.monotonic(), outcomes=dict(outcomes))
            try:
                await asyncio.wait_for(stop.wait(), 0.2)
            except asyncio.TimeoutError:
                pass

    emit(event="ready", clients=args.clients)
    tasks = [asyncio.ensure_future(client(i)) for i in range(args.clients)]
    await tally()
    emit(event="tally", t=time.monotonic(), outcomes=dict(outcomes), final=True)
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True, help="the router's sign-in WebSocket, e.g. ws://127.0.0.1:8080/app")
    p.add_argument("--clients", type=int, default=200, help="sign-ins kept in flight")
    p.add_argument("--password", default="not-the-password", help="the (wrong) password every attempt sends")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds one attempt may take")
    p.add_argument("--once", metavar="NAME", help="one attempt as NAME, print its outcome, exit")
    args = p.parse_args()
    if args.once:
        emit(event="result", outcome=asyncio.run(attempt(args.url, args.once, args.password, args.timeout)))
        return
    asyncio.run(flood(args))


if __name__ == "__main__":
    main()
