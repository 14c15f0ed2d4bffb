// Page configuration. The WebSocket URL is always the page's own origin plus
// `path`, so the page works behind whatever host and port Crossbar listens on.
// Query parameters override these for experiments and tests:
//   ?realm=realm1  ?serializer=json|msgpack
window.PGWAMP_CONFIG = {
  realm: "realm1",
  // Anonymous or signed in (WAMP-Ticket, checked by pgwamp's authenticator).
  path: "/app",
  // Reconnect quickly on a developer's machine; never give up.
  initial_retry_delay: 0.5,
  max_retry_delay: 5,
  // Shown under the NOTIFY form; scripts/run prints the full command line.
  psql_hint: "psql -c \"NOTIFY demo, 'hello from psql'\""
};
