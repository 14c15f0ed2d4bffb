"""A caller that cancels: calls com.example.test.slow, and when the callee
publishes com.example.test.slow_started (so the INVOCATION has certainly
reached it), cancels the call (WAMP CANCEL, mode "kill"). Prints the outcome
as one line and exits 0 if the call ended with wamp.error.canceled.

Usage: cancel_caller.py ws://127.0.0.1:PORT/ws realm authid   (ticket in $PGWAMP_TICKET)
"""
import asyncio
import os
import sys

from autobahn.asyncio.wamp import ApplicationRunner, ApplicationSession
from autobahn.wamp.exception import ApplicationError
from autobahn.wamp.types import CallOptions

URL, REALM, AUTHID = sys.argv[1], sys.argv[2], sys.argv[3]
outcome = {"text": "did not run", "ok": False}


class Caller(ApplicationSession):
    def onConnect(self):
        self.join(REALM, ["ticket"], AUTHID)

    def onChallenge(self, challenge):
        return os.environ["PGWAMP_TICKET"]

    async def onJoin(self, details):
        started = asyncio.get_event_loop().create_future()
        await self.subscribe(lambda *a: started.done() or started.set_result(True), "com.example.test.slow_started")
        call = asyncio.ensure_future(self.call("com.example.test.slow", options=CallOptions()))
        try:
            await asyncio.wait_for(started, 20)
            call.cancel()
            await asyncio.wait_for(call, 20)
            outcome["text"] = "call completed although cancelled"
        except asyncio.CancelledError:
            outcome.update(text="cancelled (local future)", ok=True)
        except ApplicationError as e:
            outcome.update(text=f"error {e.error}", ok=e.error == "wamp.error.canceled")
        except Exception as e:  # noqa: BLE001 - report anything
            outcome["text"] = f"unexpected {type(e).__name__}: {e}"
        # Give the router a moment to deliver our CANCEL before we leave.
        await asyncio.sleep(0.5)
        self.leave()

    def onDisconnect(self):
        asyncio.get_event_loop().stop()


if __name__ == "__main__":
    ApplicationRunner(URL, REALM).run(Caller)
    print(outcome["text"], flush=True)
    sys.exit(0 if outcome["ok"] else 1)
