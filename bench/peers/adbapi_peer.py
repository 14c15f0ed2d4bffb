"""The Twisted adbapi component of the Crossbar PostgreSQL chapter, for the
bench: com.example.now.v1 runs SELECT now() through adbapi.ConnectionPool,
i.e. blocking psycopg2 connections on Twisted's thread pool."""

from autobahn.twisted.wamp import ApplicationSession
from twisted.enterprise import adbapi
from twisted.internet import reactor
from twisted.internet.defer import inlineCallbacks

import common


class AdbapiPeer(ApplicationSession):

    calls = 0

    @inlineCallbacks
    def onJoin(self, details):
        args = self.config.extra["args"]
        # Connections are made lazily, up to cp_max, one per pool thread;
        # cp_reconnect/cp_good_sql as the chapter configures them.
        self.db = adbapi.ConnectionPool("psycopg2", args.dsn, cp_min=args.pool_min, cp_max=args.pool_max,
                                        cp_reconnect=True, cp_good_sql="SELECT 1")
        yield self.register(self.get_dbnow, args.procedure)
        reactor.addSystemEventTrigger("before", "shutdown", self.report)
        common.emit(event="ready", procedure=args.procedure)

    def get_dbnow(self):
        self.calls += 1
        d = self.db.runQuery("SELECT now()")
        d.addCallback(lambda rows: "{0}".format(rows[0][0]))
        return d

    def report(self):
        common.emit(event="stopped", calls=self.calls)


if __name__ == "__main__":
    common.run(AdbapiPeer, common.parse_args(__doc__))
