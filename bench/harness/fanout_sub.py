"""The fan-out phase's subscribers (harness/fanout.py): one asyncio process
holding N WAMP sessions over WebSocket + MessagePack, session i signed in with
WAMP-Ticket as user u(i mod users), each subscribed to every topic given.
Per (topic, round) and session it counts the data events, their seq sum and
sum of squares, distinct seqs, and events owned by another user. An event
{"end": true, "round": r} closes round r on that topic for a session; once
every session has it, one JSON line {"event": "done", ...} carries the counts
and the monotonic time of the last data event received. {"probe": true}
events answer {"event": "probe", "topic": ...} once per topic (pgwamp is
listening). Lines go to stdout as procs.Child expects."""

import argparse
import asyncio
import json
import signal
import sys
import time
from urllib.parse import urlparse

from autobahn.asyncio.wamp import ApplicationSession
from autobahn.asyncio.websocket import WampWebSocketClientFactory
from autobahn.wamp.serializer import MsgPackSerializer
from autobahn.wamp.types import ComponentConfig

REALM = "realm1"


def emit(**line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


class Tally:
    """Shared by all sessions: per (topic, round) the per-session counts."""

    def __init__(self, n_sessions):
        self.n = n_sessions
        self.rounds = {}      # (topic, round) -> {session index: [count, sum, sumsq, foreign, seqs set]}
        self.ended = {}       # (topic, round) -> sessions that saw the end marker
        self.last = {}        # (topic, round) -> monotonic time of the last data event
        self.probed = set()
        self.authids = {}

    def data(self, topic, index, authid, event, now):
        key = (topic, event["round"])
        per = self.rounds.setdefault(key, {})
        c = per.get(index)
        if c is None:
            c = per[index] = [0, 0, 0, 0, set()]
        seq = event["seq"]
        c[0] += 1
        c[1] += seq
        c[2] += seq * seq
        if event.get("owner") is not None and event["owner"] != authid:
            c[3] += 1
        c[4].add(seq)
        self.last[key] = now

    def end(self, topic, index, round_):
        key = (topic, round_)
        done = self.ended.setdefault(key, set())
        done.add(index)
        if len(done) == self.n:
            per = self.rounds.pop(key, {})
            sessions = []
            for i in range(self.n):
                c = per.get(i, [0, 0, 0, 0, set()])
                sessions.append([self.authids[i], c[0], c[1], c[2], c[3], len(c[4])])
            emit(event="done", topic=topic, round=round_, last=self.last.pop(key, None), sessions=sessions)
            del self.ended[key]

    def probe(self, topic):
        if topic not in self.probed:
            self.probed.add(topic)
            emit(event="probe", topic=topic)


def make_session(tally, index, authid, topics, joined):
    class Subscriber(ApplicationSession):
        def onConnect(self):
            self.join(REALM, authmethods=["ticket"], authid=authid)

        def onChallenge(self, challenge):
            return f"ticket-{authid}"

        async def onJoin(self, details):
            for topic in topics:
                await self.subscribe(self._handler(topic), topic)
            joined.set_result(details.authid) if not joined.done() else None

        def onLeave(self, details):
            if not joined.done():
                joined.set_exception(RuntimeError(f"{authid}: left ({details.reason})"))
            super().onLeave(details)

        def _handler(self, topic):
            def on_event(*args, **kwargs):
                event = args[0] if args and isinstance(args[0], dict) else {}
                if "seq" in event:
                    tally.data(topic, index, authid, event, time.monotonic())
                elif event.get("end"):
                    tally.end(topic, index, event["round"])
                elif event.get("probe"):
                    tally.probe(topic)
            return on_event

    return Subscriber(ComponentConfig(REALM))


async def connect_all(args, tally):
    u = urlparse(args.url)
    loop = asyncio.get_running_loop()
    topics = args.topics.split(",")
    gate = asyncio.Semaphore(args.parallel)  # the router signs in a few at a time; a burst of 1,000 times out

    async def one(i):
        authid = f"u{i % args.users}"
        tally.authids[i] = authid
        joined = loop.create_future()
        factory = WampWebSocketClientFactory(lambda: make_session(tally, i, authid, topics, joined), url=args.url,
                                             serializers=[MsgPackSerializer()])
        async with gate:
            await loop.create_connection(factory, u.hostname, u.port)
            got = await asyncio.wait_for(joined, 60)
        if got != authid:
            raise RuntimeError(f"session {i} joined as {got}, not {authid}")

    await asyncio.gather(*(one(i) for i in range(args.sessions)))


async def main():
    p = argparse.ArgumentParser()
    p.add_argument("--url", required=True, help="the router's ticket WebSocket, e.g. ws://127.0.0.1:8080/fan")
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--users", type=int, default=50)
    p.add_argument("--topics", required=True, help="comma list")
    p.add_argument("--parallel", type=int, default=20, help="sign-ins in flight")
    args = p.parse_args()
    tally = Tally(args.sessions)
    started = time.monotonic()
    await connect_all(args, tally)
    emit(event="ready", sessions=args.sessions, seconds=round(time.monotonic() - started, 2))
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
