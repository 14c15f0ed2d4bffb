"""The txpostgres component of the Crossbar PostgreSQL chapter, for the bench:
com.example.now.v1 runs SELECT now() through a txpostgres ConnectionPool
(psycopg2 in asynchronous mode, no threads). With --notify-channel it also
LISTENs on a dedicated txpostgres Connection and republishes each NOTIFY
payload as a WAMP event, as pgwamp does. com.example.numbers(count) returns
the rows of the demo's procedure of that name in one result, as the
chapter's component would: the whole list, read and sent at once."""

import json

from autobahn.twisted.wamp import ApplicationSession
from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks
from txpostgres import txpostgres

import common


class TxpostgresPeer(ApplicationSession):

    calls = 0
    events = 0

    @inlineCallbacks
    def onJoin(self, details):
        args = self.config.extra["args"]
        self.args = args
        # txpostgres opens `min` connections at start and grows on demand.
        self.db = txpostgres.ConnectionPool(None, args.dsn, min=args.pool_min)
        yield self.db.start()
        yield self.register(self.get_dbnow, args.procedure)
        yield self.register(self.numbers, "com.example.numbers")
        if args.notify_channel:
            self.listener = txpostgres.Connection()
            yield self.listener.connect(args.dsn)
            self.listener.addNotifyObserver(self.on_notify)
            # The channel is an identifier, not a value: quote it as one.
            quoted = '"' + args.notify_channel.replace('"', '""') + '"'
            yield self.listener.runOperation("LISTEN " + quoted)
        reactor.addSystemEventTrigger("before", "shutdown", self.report)
        common.emit(event="ready", procedure=args.procedure)

    def get_dbnow(self):
        self.calls += 1
        d = self.db.runQuery("SELECT now()")
        d.addCallback(lambda rows: "{0}".format(rows[0][0]))
        return d

    def numbers(self, count):
        self.calls += 1
        d = self.db.runQuery("SELECT n, md5(n::text) AS hash FROM (SELECT generate_series(1, %s) AS n) AS numbers",
                             (int(count),))
        # Row maps, as pgwamp's "rows": "maps" sends them: the same bytes on the wire.
        d.addCallback(lambda rows: [{"n": n, "hash": h} for n, h in rows])
        return d

    def on_notify(self, notify):
        if notify.channel != self.args.notify_channel:
            return
        self.events += 1
        try:
            payload, is_json = json.loads(notify.payload), True
        except ValueError:
            payload, is_json = notify.payload, False
        # The same event as pgwamp's (args=[payload], kwargs={channel, json,
        # pid}), so the router does the same work for both.
        self.publish(self.args.notify_topic, payload, channel=notify.channel, json=is_json, pid=notify.pid)

    def report(self):
        common.emit(event="stopped", calls=self.calls, events=self.events)


if __name__ == "__main__":
    common.run(TxpostgresPeer, common.parse_args(__doc__))
