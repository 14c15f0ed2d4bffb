"""Row changes from PostgreSQL logical replication as WAMP events, the way the
psycopg2 documents show it, for the bench: a psycopg2
LogicalReplicationConnection on its own slot with the built-in test_decoding
plugin, each committed row change published through Autobahn with
acknowledge=True, and the slot's flush position advanced (send_feedback) only
past transactions whose every event the router acknowledged.

The event has pgwamp's shape: args [], kwargs {op, table, new, old, position,
commit_time}. test_decoding gives values as text with their type: integers
and booleans are cast, everything else stays text (the bench's rows are
integers and text, so the router carries the same payload as pgwamp's).

No thread: the replication connection's socket is a reader in the Twisted
reactor and read_message() (non-blocking) drains it. consume_stream() would
block, so it would need a thread and a callFromThread per change; that
wake-up costs CPU per change that is not the peer's work, and feedback
would have to cross back to the thread that owns the connection."""

import argparse
import datetime
import re
import sys
from collections import deque

import psycopg2
import psycopg2.errors
import psycopg2.extras
from autobahn.twisted.wamp import ApplicationSession
from autobahn.wamp.types import PublishOptions
from twisted.internet import reactor, task
from twisted.internet.interfaces import IReadDescriptor
from zope.interface import implementer

import common

# "table public.notes: INSERT: id[bigint]:1 body[text]:'it''s'"
CHANGE = re.compile(r"table (?P<table>[^:]+): (?P<op>INSERT|UPDATE|DELETE|TRUNCATE): ?(?P<rest>.*)", re.S)
COLUMN = re.compile(r"(?P<name>\"(?:[^\"]|\"\")+\"|[^\s\[]+)\[(?P<type>(?:[^\[\]]|\[\])+)\]:"
                    r"(?P<value>'(?:[^']|'')*'|\S+)")
COMMIT = re.compile(r"COMMIT(?: \d+)? \(at (?P<at>[^)]+)\)")
INTEGER_TYPES = {"smallint", "integer", "bigint", "oid"}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="rs://127.0.0.1:8081", help="router RawSocket url")
    p.add_argument("--realm", default="realm1")
    p.add_argument("--dsn", required=True, help="libpq connection string of the database to follow")
    p.add_argument("--slot", required=True, help="replication slot (made with test_decoding if missing)")
    p.add_argument("--table", action="append", required=True,
                   help="schema.table=topic: publish this table's changes on topic (repeatable)")
    args = p.parse_args()
    args.topics = {}
    for item in args.table:
        name, sep, topic = item.partition("=")
        if not sep or not topic:
            p.error(f"--table wants schema.table=topic, got '{item}'")
        args.topics[name] = topic
    return args


def cast(type_name, text):
    if text == "null":
        return None
    if text.startswith("'"):
        text = text[1:-1].replace("''", "'")
    if type_name in INTEGER_TYPES:
        return int(text)
    if type_name == "boolean":
        return text == "true"
    return text


def columns(text):
    return {m["name"].strip('"'): cast(m["type"], m["value"]) for m in COLUMN.finditer(text)}


def parse_change(payload):
    """(op, table, new, old) of one test_decoding change line, or None."""
    m = CHANGE.match(payload)
    if not m:
        return None
    op, rest = m["op"].lower(), m["rest"]
    if op == "truncate":
        return op, m["table"], None, None
    if op == "update" and rest.startswith("old-key: "):
        old_text, _, new_text = rest[len("old-key: "):].partition(" new-tuple: ")
        return op, m["table"], columns(new_text), columns(old_text)
    if op == "update":
        return op, m["table"], columns(rest.removeprefix("new-tuple: ")), None
    if op == "delete":
        return op, m["table"], None, columns(rest)
    return op, m["table"], columns(rest), None


def commit_time(text):
    """test_decoding's "2024-05-01 12:00:00.1234+00" (session TimeZone UTC) as
    "2024-05-01T12:00:00.123400Z", the contract's form."""
    at = datetime.datetime.fromisoformat(text.replace(" ", "T", 1))
    return at.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@implementer(IReadDescriptor)
class Replication:
    """The slot's stream: collects one transaction's changes, publishes them
    at COMMIT, and tracks acknowledgements in commit order."""

    def __init__(self, session, args):
        self.session = session
        self.args = args
        # The walsender formats the commit time in the session's TimeZone.
        self.conn = psycopg2.connect(args.dsn, options="-c TimeZone=UTC",
                                     connection_factory=psycopg2.extras.LogicalReplicationConnection)
        self.cur = self.conn.cursor()
        try:
            self.cur.create_replication_slot(args.slot, output_plugin="test_decoding")
        except psycopg2.errors.DuplicateObject:
            pass  # a restarted peer resumes its own slot
        self.cur.start_replication(slot_name=args.slot, decode=True, status_interval=1,
                                   options={"include-xids": "0", "include-timestamp": "1",
                                            "skip-empty-xacts": "1"})
        self.txn = []             # (op, table, new, old) of the open transaction
        self.unacked = deque()    # [commit end LSN, events not yet acknowledged], commit order
        self.flushed = 0
        self.events = 0
        self.errors = 0
        self.keepalive = task.LoopingCall(self.feedback)
        self.keepalive.start(1.0, now=False)

    def fileno(self):
        return self.cur.fileno()

    def logPrefix(self):
        return "replication"

    def doRead(self):
        while True:
            msg = self.cur.read_message()
            if msg is None:
                return
            self.on_message(msg)

    def connectionLost(self, reason):
        common.emit(event="replication_lost", reason=str(reason))
        if reactor.running:
            reactor.stop()

    def on_message(self, msg):
        payload = msg.payload
        if payload == "BEGIN" or payload.startswith("BEGIN "):
            self.txn = []
            return
        commit = COMMIT.match(payload)
        if commit:
            self.publish_transaction(msg.data_start, commit_time(commit["at"]))
            return
        change = parse_change(payload)
        if change and change[1] in self.args.topics:
            self.txn.append(change)

    def publish_transaction(self, end_lsn, at):
        entry = [end_lsn, len(self.txn)]
        self.unacked.append(entry)
        for i, (op, table, new, old) in enumerate(self.txn):
            d = self.session.publish(self.args.topics[table], options=PublishOptions(acknowledge=True), op=op,
                                     table=table, new=new, old=old, position=f"{end_lsn:016X}/{i:06d}",
                                     commit_time=at)
            d.addCallbacks(self.acked, self.failed, callbackArgs=(entry,))
            self.events += 1
        self.txn = []
        self.advance()

    def acked(self, _, entry):
        entry[1] -= 1
        self.advance()

    def failed(self, failure):
        # The transaction stays unacknowledged, so the slot keeps it.
        self.errors += 1
        print(f"publish failed: {failure.getErrorMessage()}", file=sys.stderr)

    def advance(self):
        while self.unacked and self.unacked[0][1] == 0:
            self.flushed = self.unacked.popleft()[0]
        # Records the position; psycopg2 sends it when status_interval has passed.
        self.cur.send_feedback(flush_lsn=self.flushed)

    def feedback(self):
        # Keeps the walsender from timing us out while nothing changes.
        self.cur.send_feedback(flush_lsn=self.flushed, force=True)


class ChangesPeer(ApplicationSession):

    replication = None

    def onJoin(self, details):
        args = self.config.extra["args"]
        self.replication = Replication(self, args)
        reactor.addReader(self.replication)
        reactor.addSystemEventTrigger("before", "shutdown", self.report)
        common.emit(event="ready", slot=args.slot)

    def report(self):
        r = self.replication
        common.emit(event="stopped", events=r.events if r else 0, errors=r.errors if r else 0)


if __name__ == "__main__":
    common.run(ChangesPeer, parse_args())
