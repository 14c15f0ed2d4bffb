// A live query: the rows of a pgwamp "live" procedure (e.g. com.example.notes.live),
// kept current in a Map. No dependency beyond an AutobahnJS session: copy this file.
//
// The wire contract (README, "Live queries"): one call with receive_progress
// that stays open. Each progressive result is [list] with kwargs.kind:
//   "snapshot": list = rows, in any number of chunks;
//   "changes":  list = [{op: "insert"|"update"|"delete", key, row, position}, ...]
//               in commit order (they may also come before "ready": they
//               complete the snapshot and are applied the same way);
//   "ready":    once, list = [], kwargs {handle, position}: the rows are current.
// The call ends only by an error (or a cancel). After a reconnect, calling
// again with kwargs {handle, after: last position} sends no snapshot: "ready",
// then the changes after `after`. pgwamp.error.must_refetch: start over.
// Positions are fixed-width strings that sort in commit order.
//
//   const q = live_query(session, "com.example.notes.live", {
//     key: ["id"], on_change: (rows) => render([...rows.values()]) });
//   ... after a reconnect: q.resume(new_session);   when done: q.stop();

const MUST_REFETCH = "pgwamp.error.must_refetch";

// `session`: an autobahn.Session, or a function returning the current one.
// `key`: the primary key's columns, in order; a row's Map key is
// JSON.stringify of their values (for notes: {id: 5} → "[5]").
// on_change(rows, what, changes): what is "snapshot" (a whole new set of rows)
// or "changes" (`changes`: the ones just applied); rows is the same Map each time.
// on_ready({handle, position, resumed}); on_error(err): the call ended, rows
// stay as they were, call resume() to go on.
export function live_query(session, uri, options = {}) {
  const { args = [], kwargs = {}, key = ["id"] } = options;
  const on_change = options.on_change || (() => {});
  const on_ready = options.on_ready || (() => {});
  const on_error = options.on_error || (() => {});
  const get_session = typeof session === "function" ? session : () => session;

  const rows = new Map(); // key string → row: what the page shows
  let pending = null; // a snapshot being built; swapped into `rows` at "ready"
  let handle = null; // from "ready"; lets a later call resume instead of re-snapshot
  let position = null; // the last position applied (or ready's)
  let ready = false;
  let call = null; // the open call's promise (it carries AutobahnJS's cancel())
  let generation = 0; // results of an older call (a lost session's) are ignored

  const key_of = (obj) => JSON.stringify(key.map((column) => obj[column]));

  // Applies one change to `target`; false when it was a duplicate (a change at or
  // before the last position applied, resent after a resume).
  function apply(change, target) {
    if (typeof change.position === "string") {
      if (position !== null && change.position <= position) return false;
      position = change.position;
    }
    const k = key_of(change.key || change.row || {});
    if (change.op === "delete") {
      target.delete(k);
      return true;
    }
    // An update keeps the columns it does not carry (a large unchanged value
    // may be left out); one that moved the key leaves the old entry.
    const old = target.get(k);
    const row = change.op === "update" && old ? { ...old, ...change.row } : change.row;
    const k_new = key_of(row);
    if (k_new !== k) target.delete(k);
    target.set(k_new, row);
    return true;
  }

  function receive(chunk, resumed) {
    // With kwargs, AutobahnJS hands over an autobahn.Result {args, kwargs}.
    const list = chunk && Array.isArray(chunk.args) && Array.isArray(chunk.args[0]) ? chunk.args[0] : [];
    const kw = (chunk && chunk.kwargs) || {};
    const target = pending || rows;
    if (kw.kind === "snapshot") {
      for (const row of list) target.set(key_of(row), row);
    } else if (kw.kind === "changes") {
      const applied = list.filter((change) => apply(change, target));
      if (!pending && applied.length) on_change(rows, "changes", applied);
    } else if (kw.kind === "ready") {
      handle = kw.handle;
      if (typeof kw.position === "string" && (position === null || kw.position > position)) position = kw.position;
      ready = true;
      if (pending) {
        // Swap only now, so a re-snapshot never shows an empty or half list.
        rows.clear();
        for (const [k, row] of pending) rows.set(k, row);
        pending = null;
        on_change(rows, "snapshot", []);
      }
      on_ready({ handle, position, resumed });
    }
  }

  function cancel() {
    // Mode "kill" only: with "skip"/"killnowait" this AutobahnJS forgets the
    // request at once, and the router's ERROR for it then counts as a protocol
    // violation that closes the connection.
    if (call && call.cancel) {
      try {
        call.cancel({ mode: "kill" });
      } catch (e) {
        // the session is gone already
      }
    }
    call = null;
  }

  function open(s, resume) {
    cancel();
    const mine = ++generation;
    ready = false;
    if (!resume) {
      pending = new Map(); // the current rows stay on show meanwhile
      handle = null;
      position = null;
    }
    const kw = resume ? { ...kwargs, handle, after: position } : { ...kwargs };
    try {
      call = s.call(uri, args, kw, { receive_progress: true });
    } catch (err) {
      call = null; // e.g. "session not open": reported as the call's error, later
      setTimeout(() => { if (mine === generation) on_error(err); });
      return;
    }
    // A callback that throws is reported as an uncaught error, not swallowed
    // by the promise (when.js would only log an "unhandled rejection").
    const guard = (fn) => (value) => {
      if (mine !== generation) return; // stopped, or replaced by a newer call
      try {
        fn(value);
      } catch (e) {
        setTimeout(() => { throw e; });
      }
    };
    call.then(
      guard(() => {
        call = null;
        on_error(new Error(`${uri} ended`)); // not expected: the call ends only by error
      }),
      guard((err) => {
        call = null;
        // Start over, unless a fresh call (not yet ready) was refused: no loop.
        if (err && err.error === MUST_REFETCH && (resume || ready)) open(s, false);
        else on_error(err);
      }),
      guard((chunk) => receive(chunk, resume)));
  }

  open(get_session(), false);

  return {
    rows,
    get handle() { return handle; },
    get position() { return position; },
    get ready() { return ready; },
    // Ends the call (the server stops its work); the rows stay as they are.
    stop() {
      generation += 1;
      cancel();
    },
    // Goes on after a reconnect or an error: resumes from the last position
    // when it can, else starts over (keeping the old rows until the new ones are ready).
    resume(next_session) {
      open(next_session || get_session(), handle !== null && position !== null && pending === null);
    },
  };
}
