// Wires the connection to the cards. Each card's behaviour lives in its
// own module; this file only decides what happens when a session opens/closes.
import { $ } from "./ui.js";
import { connect, set_state } from "./connection.js";
import * as now from "./now.js";
import * as events from "./events.js";
import * as notes from "./notes.js";
import * as changes from "./changes.js";
import * as exporter from "./export.js";
import * as account from "./account.js";

let current = null; // the open autobahn.Session, or null while disconnected
const get_session = () => current;
let connection = null; // connect()'s {sign_in, sign_out}

// Buttons that need a session are disabled while there is none, so a click
// never disappears silently.
function set_online(online) {
  document.body.classList.toggle("offline", !online);
  for (const b of document.querySelectorAll("form button:not(#export-cancel), #now-refresh, #sign-out")) b.disabled = !online;
  // (#events-clear stays enabled: it only empties the page's own list.)
}

function start() {
  if (typeof autobahn === "undefined") {
    $("vendor-missing").hidden = false;
    set_state("closed", "AutobahnJS not loaded");
    return;
  }
  now.install(get_session);
  events.install(get_session);
  notes.install(get_session);
  exporter.install(get_session);
  account.install(get_session, () => connection);
  set_online(false);

  connection = connect({
    on_open(session, user) {
      current = session;
      account.joined(user);
      set_online(true);
      now.call_all(session);
      events.subscribe_all(session);
      // The notes table is a live query (notes.js, live.js): started on the
      // first join, resumed after a reconnect, started afresh for another user.
      notes.joined(session, user);
      changes.show_status(session);
    },
    on_close() {
      current = null;
      set_online(false);
      notes.left();
    },
    on_refused: account.refused,
  });
}

start();
