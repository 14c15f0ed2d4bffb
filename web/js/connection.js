// One WAMP connection to the router that served this page, with a visible
// state: connecting → open → retrying (lost) → open ... or closed.
import { $, clock } from "./ui.js";

function page_options() {
  const cfg = Object.assign({ realm: "realm1", path: "/ws" }, window.PGWAMP_CONFIG || {});
  const query = new URLSearchParams(location.search);
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const realm = query.get("realm") || cfg.realm;
  const options = {
    url: `${scheme}//${location.host}${cfg.path}`,
    realm,
    max_retries: -1,
    initial_retry_delay: cfg.initial_retry_delay ?? 1.5,
    max_retry_delay: cfg.max_retry_delay ?? 10,
    retry_delay_growth: 1.5,
  };
  const ser = query.get("serializer");
  if (ser === "json") options.serializers = [new autobahn.serializer.JSONSerializer()];
  else if (ser === "msgpack") options.serializers = [new autobahn.serializer.MsgpackSerializer()];
  return options;
}

export function set_state(state, detail = "") {
  const pill = $("conn-state");
  pill.dataset.state = state;
  pill.textContent = state === "retrying" ? "lost · retrying" : state;
  $("conn-detail").textContent = detail;
}

// Starts the connection. on_open(session) runs for every new session (first
// join and each reconnect), so subscriptions are made again each time.
export function connect({ on_open, on_close }) {
  const options = page_options();
  const connection = new autobahn.Connection(options);
  let manual_retry = null;
  let manual_delay = options.initial_retry_delay;

  connection.onopen = (session, details) => {
    manual_delay = options.initial_retry_delay;
    const protocol = (details.transport && details.transport.protocol) || "";
    set_state("open", `${options.realm} · ${protocol}`);
    $("session-info").textContent =
      `session ${session.id} · ${options.url} · joined ${clock()}`;
    on_open(session);
    // For modules that only need the session (health.js).
    window.dispatchEvent(new CustomEvent("pgwamp:session", { detail: session }));
  };

  connection.onclose = (reason, details) => {
    on_close();
    window.dispatchEvent(new CustomEvent("pgwamp:session", { detail: null }));
    if (details.will_retry) {
      set_state("retrying", `${reason}; next try in ${details.retry_delay.toFixed(1)} s (#${details.retry_count})`);
      return false;
    }
    // AutobahnJS stops retrying when the router said GOODBYE (e.g. a router
    // shutdown). The page only closes when the visitor leaves, so it keeps
    // trying on its own schedule.
    const delay = manual_delay;
    manual_delay = Math.min(manual_delay * 1.5, options.max_retry_delay);
    set_state("retrying", `${details.reason || reason}; next try in ${delay.toFixed(1)} s`);
    clearTimeout(manual_retry);
    manual_retry = setTimeout(() => {
      try {
        set_state("connecting", options.url);
        connection.open();
      } catch (e) {
        console.warn("reopen failed", e);
      }
    }, delay * 1000);
    return true;
  };

  set_state("connecting", options.url);
  connection.open();
  return connection;
}
