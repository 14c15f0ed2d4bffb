// Row changes of the notes table, from PostgreSQL's logical replication
// through pgwamp (event com.example.notes.on_change), applied to the list as
// they commit: an INSERT, UPDATE or DELETE typed in psql shows up without a
// reload. After a reconnect the page catches up on what it missed:
//
//   1. subscribe (events that arrive meanwhile are held back);
//   2. replay(topic, last position seen), page by page while `more`;
//      pgwamp.error.history_truncated: too much was missed, reload the list;
//   3. apply the held-back events; from then on, apply each event.
//
// Every event carries a `position` that sorts in commit order and is the
// same when delivered twice, so an event at or before the last one applied
// is a duplicate and is dropped.
//
// The page's notes table now follows a live query instead (live.js, which
// gets snapshot and changes from one call); the page only shows the status
// line from here. follow() stays as the worked example of the replay
// pattern the README describes.
import { $ } from "./ui.js";

export const TOPIC = "com.example.notes.on_change";
const REPLAY = "com.example.replay";
const STATUS = "com.example.changes.status";

let last = null; // newest position applied; null: none yet

function error_uri(err) {
  return err && err.error ? err.error : String(err);
}

function show_state(text, state) {
  const line = $("changes-state");
  line.textContent = text;
  line.dataset.state = state;
}

// The status line ("live row changes: logical replication slot ..."), on every join.
export function show_status(session) {
  return load_status(session);
}

async function load_status(session) {
  try {
    const s = await session.call(STATUS);
    const on = s.state === "streaming" || s.state === "waiting" || s.state === "starting";
    if (on) show_state(`live row changes: logical replication slot ${s.slot} (${s.state})`, "on");
    else show_state(`row changes are off: ${s.reason}`, "off");
    return s;
  } catch (err) {
    show_state(`row changes unavailable (${error_uri(err)})`, "off");
    return null;
  }
}

// Returns false when the history no longer reaches back to `last`.
async function replay(session, apply) {
  for (;;) {
    let page;
    try {
      page = await session.call(REPLAY, [TOPIC, last]);
    } catch (err) {
      const uri = error_uri(err);
      // No consumer at this moment (a takeover under way): nothing to replay from.
      if (uri === "pgwamp.error.history_truncated" || uri === "wamp.error.no_such_procedure") return false;
      throw err;
    }
    for (const ev of page.events) apply(ev);
    if (!page.more) return true;
  }
}

// Call on every (re)opened session. `apply(change)` updates the list;
// `reload()` fetches it whole (returns a promise).
export async function follow(session, apply, reload) {
  const held = [];
  let catching_up = true;
  const handle = (ev) => {
    if (!ev || typeof ev.position !== "string") return;
    if (last !== null && ev.position <= last) return; // seen already
    last = ev.position;
    apply(ev);
  };
  await session.subscribe(TOPIC, (args, kwargs) => (catching_up ? held.push(kwargs) : handle(kwargs)));
  const status = await load_status(session);
  if (last !== null && !(await replay(session, handle))) {
    last = null;
    await reload();
  }
  if (last === null && status && status.topics && status.topics[TOPIC]) {
    // Start from where the stream stands; the list just loaded holds the rest.
    last = status.topics[TOPIC].newest;
  }
  catching_up = false;
  for (const ev of held.splice(0)) handle(ev);
}
