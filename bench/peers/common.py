"""What the two Python peers share: command line, the runner over RawSocket
with MessagePack (as every callee in the bench connects), and the JSON lines
the harness reads on stdout ({"event": "ready"}, {"event": "stopped"})."""

import argparse
import json
import sys

from autobahn.twisted.wamp import ApplicationRunner
from autobahn.wamp.serializer import MsgPackSerializer


def emit(**fields):
    # txaio's logging takes over sys.stdout once the runner starts; the
    # harness reads our JSON lines from the real stdout.
    out = sys.__stdout__
    out.write(json.dumps(fields) + "\n")
    out.flush()


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--url", default="rs://127.0.0.1:8081", help="router RawSocket url")
    p.add_argument("--realm", default="realm1")
    p.add_argument("--dsn", required=True,
                   help="libpq connection string (no password: the bench cluster trusts 127.0.0.1)")
    p.add_argument("--procedure", default="com.example.now.v1")
    p.add_argument("--pool-min", type=int, default=3)
    p.add_argument("--pool-max", type=int, default=10)
    p.add_argument("--notify-channel", default=None,
                   help="LISTEN on this channel and publish each payload to --notify-topic")
    p.add_argument("--notify-topic", default="com.example.bench.event")
    p.add_argument("--max-message-size", type=int, default=None,
                   help="octets of the largest WebSocket message sent or accepted (default: Autobahn's 1 MB)")
    args = p.parse_args()
    if args.pool_min < 1 or args.pool_max < args.pool_min:
        p.error("need 1 <= --pool-min <= --pool-max")
    return args


def run(session_class, args):
    # Autobahn's ApplicationRunner caps WebSocket messages at 1 MB; a bigger
    # YIELD is logged and not sent, and the caller waits until its timeout.
    # The changes peer has a command line of its own, without --max-message-size.
    ws = None
    max_message_size = getattr(args, "max_message_size", None)
    if max_message_size:
        ws = {"maxMessagePayloadSize": max_message_size, "maxFramePayloadSize": max_message_size}
    runner = ApplicationRunner(url=args.url, realm=args.realm, extra={"args": args},
                               serializers=[MsgPackSerializer()], websocket_options=ws)
    # Twisted stops the reactor on SIGTERM/SIGINT; the session reports its
    # count from onLeave/onDisconnect, and we always report once here too.
    runner.run(session_class, log_level="warn")
    emit(event="exited")
