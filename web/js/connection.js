// One WAMP connection to the router that served this page, with a visible
// state: connecting → open → retrying (lost) → open ... or closed.
import { $, clock } from "./ui.js";

function page_options() {
  const cfg = Object.assign({ realm: "realm1", path: "/app" }, window.PGWAMP_CONFIG || {});
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

// A refusal of the credentials themselves (not a router or database fault).
const refused = (reason, details) => /not_authorized|authentication_failed|no_such_principal/.test(
  `${(details && details.reason) || ""} ${reason || ""}`);

// Starts the connection. on_open(session, user) runs for every new session
// (first join and each reconnect), so subscriptions are made again each
// time; `user` is the signed-in name or null (anonymous). Returns
// {sign_in(name, password), sign_out()}: each closes the session and opens
// a new one as that user; on_refused(name, message) when the router refused
// a sign-in (the page goes on anonymously). The password stays in memory.
export function connect({ on_open, on_close, on_refused }) {
  let connection = null;
  let user = null; // {name, password} while signed in
  let proven = false; // this user joined once: later refusals are passing faults (pgwamp restarting)
  let manual_retry = null;

  function open() {
    const options = page_options();
    if (user) {
      const { name, password } = user;
      options.authmethods = ["ticket"];
      options.authid = name;
      options.onchallenge = () => password;
    }
    const c = new autobahn.Connection(options);
    connection = c;
    let manual_delay = options.initial_retry_delay;

    c.onopen = (session, details) => {
      if (c !== connection) return;
      manual_delay = options.initial_retry_delay;
      proven = true;
      const protocol = (details.transport && details.transport.protocol) || "";
      set_state("open", `${options.realm} · ${protocol}`);
      $("session-info").textContent =
        `session ${session.id} · ${options.url} · joined ${clock()}`;
      on_open(session, user ? user.name : null);
      // For modules that only need the session (health.js).
      window.dispatchEvent(new CustomEvent("pgwamp:session", { detail: session }));
    };

    c.onclose = (reason, details) => {
      if (c !== connection) return true; // replaced by a sign-in or sign-out: let it go
      on_close();
      window.dispatchEvent(new CustomEvent("pgwamp:session", { detail: null }));
      if (user && !proven && refused(reason, details)) {
        const name = user.name;
        user = null;
        on_refused(name, (details && details.message) || "wrong name or password");
        setTimeout(open, 0);
        return true;
      }
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
        if (c !== connection) return;
        try {
          set_state("connecting", options.url);
          c.open();
        } catch (e) {
          console.warn("reopen failed", e);
        }
      }, delay * 1000);
      return true;
    };

    set_state("connecting", options.url);
    c.open();
  }

  function reopen(next) {
    const old = connection;
    user = next;
    proven = false;
    clearTimeout(manual_retry);
    connection = null;
    on_close();
    if (old) {
      try {
        old.close();
      } catch (e) {
        // already closed
      }
    }
    open();
  }

  open();
  return {
    sign_in: (name, password) => reopen({ name, password }),
    sign_out: () => reopen(null),
  };
}
