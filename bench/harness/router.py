"""A throwaway Crossbar node for the bench: one router worker, realm1, and a
RawSocket transport on 127.0.0.1 (MessagePack and JSON) through which every
callee and, by default, the load generator connect; a WebSocket transport
(/ws) lets the load generator compare the browser-facing transport, and
carries the stream phase (messages up to 64 MB). Anonymous may call, register, publish
and subscribe under com.example. only, as in the demo's config. With tls, a second RawSocket
transport with a TLS endpoint (certificates made for the node, harness/certs.py) that also demands
a client certificate, as docs/deploy.md configures Crossbar for pgwamp: the tls phase."""

import json
import os
import shutil
import tempfile

import certs
from procs import Child, children, cmdline, free_port, wait_port

REALM = "realm1"
AUTHENTICATOR = "com.example.authenticate"  # config/pgwamp.json's identity.authenticator.procedure
WS_MAX_MESSAGE_SIZE = 64 * 1024 * 1024


def ticket_password(authid):
    """The fan-out phase's static WAMP-Ticket secret for a bench user (throwaway, loopback only)."""
    return f"ticket-{authid}"


def _user_role():
    # Signed-in bench users may only subscribe, and only to the fan-out topics.
    return {"name": "user", "permissions": [{
        "uri": "com.example.bench.fan_", "match": "prefix",
        "allow": {"call": False, "register": False, "publish": False, "subscribe": True},
        "disclose": {"caller": False, "publisher": False}, "cache": True}]}


def _ticket_path(users):
    """/fan: WebSocket where each of `users` signs in with a static ticket as role user."""
    principals = {u: {"ticket": ticket_password(u), "role": "user"} for u in users}
    return {"type": "websocket", "serializers": ["msgpack", "json"],
            "auth": {"ticket": {"type": "static", "principals": principals}}}


def _app_path():
    """/app as in the demo (crossbar/.crossbar/config.json): anonymous, or WAMP-Ticket checked by pgwamp's
    dynamic authenticator (identity.authenticator); the login phase signs in there."""
    return {"type": "websocket", "serializers": ["json", "msgpack"],
            "options": {"max_message_size": 1048576},
            "auth": {"anonymous": {"type": "static", "role": "anonymous"},
                     "ticket": {"type": "dynamic", "authenticator": AUTHENTICATOR}}}


def _signed_in_role():
    # Who pgwamp's authenticator admits (app_authenticate's role): may call com.example., as in the demo.
    return {"name": "user", "permissions": [{
        "uri": "com.example.", "match": "prefix",
        "allow": {"call": True, "register": False, "publish": False, "subscribe": True},
        "disclose": {"caller": True, "publisher": False}, "cache": True}]}


def _tls_transport(port, tls):
    """RawSocket over TLS on 127.0.0.1:port: the same serializers and limit as the plain one, so that only TLS
    differs. ca_certificates makes Crossbar demand a client certificate signed by that CA (docs/deploy.md)."""
    return {"type": "rawsocket",
            "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": port,
                         "tls": {"key": tls.server_key_file, "certificate": tls.server_cert_file,
                                 "ca_certificates": [tls.ca_file]}},
            "serializers": ["msgpack", "json"],
            "options": {"max_message_size": 1048576}}


def node_config(port, ws_port, disclose_caller=False, ticket_users=(), app=False, tls_port=None, tls=None):
    config = {
        "version": 2,
        "controller": {},
        "workers": [{
            "type": "router",
            "realms": [{
                "name": REALM,
                "roles": [{
                    "name": "anonymous",
                    "permissions": [{
                        "uri": "com.example.", "match": "prefix",
                        "allow": {"call": True, "register": True, "publish": True, "subscribe": True},
                        "disclose": {"caller": disclose_caller, "publisher": False},
                        "cache": True,
                    }],
                }],
            }],
            "transports": [{
                "type": "rawsocket",
                "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": port},
                "serializers": ["msgpack", "json"],
                "options": {"max_message_size": 1048576},
            }, {
                "type": "web",
                "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": ws_port},
                # 64 MB, Crossbar's ceiling for WebSocket (RawSocket's is 16 MB): the
                # stream phase's txpostgres peer sends 1,000,000 rows as one message.
                "paths": {"ws": {"type": "websocket", "serializers": ["msgpack", "json"],
                                 "options": {"max_message_size": WS_MAX_MESSAGE_SIZE}}},
            }],
        }],
    }
    roles = config["workers"][0]["realms"][0]["roles"]
    if ticket_users:
        roles.append(_user_role())
        config["workers"][0]["transports"][1]["paths"]["fan"] = _ticket_path(ticket_users)
    if app:
        if ticket_users:
            # Both sign-ins give role "user" (the smoke's one router): one role with both permissions.
            roles[-1]["permissions"] += _signed_in_role()["permissions"]
        else:
            roles.append(_signed_in_role())
        config["workers"][0]["transports"][1]["paths"]["app"] = _app_path()
    if tls:
        config["workers"][0]["transports"].append(_tls_transport(tls_port, tls))
    return config


def for_phase(shared, disclose_caller=False, ticket_users=(), app=False, tls=False):
    """(router, started here): `shared` when it already has what a phase needs (bench/run --smoke starts its one
    router with everything, since each Crossbar takes seconds to start), else a new one, started, which the phase
    stops when it ends."""
    if ((shared.disclose_caller or not disclose_caller) and set(ticket_users) <= set(shared.ticket_users)
            and (shared.app or not app) and (shared.tls or not tls)):
        return shared, False
    router = Router(shared.crossbar, shared.log_dir, cpus=shared.cpus, disclose_caller=disclose_caller,
                    ticket_users=ticket_users, app=app, tls=tls)
    router.start()
    return router, True


class Router:
    def __init__(self, crossbar, log_dir, cpus=None, disclose_caller=False, ticket_users=(), app=False, tls=False):
        """disclose_caller: the router tells callees who calls (the identity phase's as_caller needs it).
        ticket_users: authids that may sign in with WAMP-Ticket on /fan (the fan-out phase's subscribers).
        app: the demo's /app path, sign-in through pgwamp's dynamic ticket authenticator (the login phase).
        tls: a RawSocket transport over TLS at rss_url (the tls phase); its certificates are in self.certs
        once started (ca_file, client_cert_file, client_key_file for the client's side)."""
        self.ticket_users = list(ticket_users)
        self.app = app
        self.tls = tls
        self.crossbar = crossbar
        self.disclose_caller = disclose_caller
        self.log_dir = log_dir
        self.cpus = cpus
        self.dir = tempfile.mkdtemp(prefix="pgwamp-bench-cb-")
        self.port = free_port()
        self.url = f"rs://127.0.0.1:{self.port}"
        self.ws_port = free_port()
        self.ws_url = f"ws://127.0.0.1:{self.ws_port}/ws"
        self.fan_url = f"ws://127.0.0.1:{self.ws_port}/fan"
        self.app_url = f"ws://127.0.0.1:{self.ws_port}/app"
        self.tls_port = free_port() if tls else None
        self.rss_url = f"rss://127.0.0.1:{self.tls_port}" if tls else None
        self.certs = None
        self.child = None
        self.worker_pid = None

    def start(self):
        cbdir = os.path.join(self.dir, ".crossbar")
        os.makedirs(cbdir)
        if self.tls:
            tls_dir = os.path.join(self.dir, "tls")
            os.makedirs(tls_dir, mode=0o700)
            self.certs = certs.make(tls_dir)
        with open(os.path.join(cbdir, "config.json"), "w") as f:
            json.dump(node_config(self.port, self.ws_port, self.disclose_caller, self.ticket_users, self.app,
                                  self.tls_port, self.certs), f, indent=2)
        self.child = Child("crossbar", [self.crossbar, "start", "--cbdir", cbdir, "--loglevel", "warn"],
                           self.log_dir, cpus=self.cpus)
        wait_port(self.port, 90, self.child.proc)
        wait_port(self.ws_port, 30, self.child.proc)
        if self.tls_port:
            wait_port(self.tls_port, 30, self.child.proc)
        # The controller forks the router worker; that process is the one routing calls.
        for pid in children(self.child.pid):
            if "RouterController" in cmdline(pid) or "router" in cmdline(pid).lower():
                self.worker_pid = pid
        if self.worker_pid is None:
            raise RuntimeError(f"crossbar router worker process not found under pid {self.child.pid}")

    def stop(self):
        try:
            if self.child:
                self.child.stop(20)
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
