// The notes card. The table is a live query (live.js on com.example.notes.live):
// a snapshot, then every row change in commit order, resumed after a reconnect.
// com.example.notes.add writes, .count counts, and .list stays as "List once"
// (with its limit) in a table of its own below.
import { $, el, result_rows, result_value, show_error, clear_error, timestamp_nodes } from "./ui.js";
import { current_user } from "./account.js";
import { live_query } from "./live.js";

const LIVE = "com.example.notes.live";

let get_session = () => null;
let query = null; // the live query, kept across reconnects of the same user
let query_user; // whom it runs as: another user starts a new one
let views = new Map(); // live row key → {row, tr}: an unchanged row keeps its <tr>
let retry = null; // a timer: the live call ended by an error, call again
let retry_delay = 1; // s, doubles up to 30, back to 1 once ready

// "mine" (yours, whether public or not), "public", or "private" (only
// shown to its owner, so another's private note never gets here).
function whose(row) {
  if (row.owner && row.owner === current_user()) return row.public === false ? "mine · private" : "mine";
  return row.public === false ? "private" : "public";
}

function row_view(row, testid = "note-row") {
  return el("tr", { "data-testid": testid, "data-id": String(row.id), "data-owner": String(row.owner ?? "") },
    el("td", { class: "num mono id", text: String(row.id) }),
    el("td", { class: "body", "data-testid": "note-body", text: String(row.body ?? "") }),
    el("td", { class: "muted", "data-testid": "note-whose", text: whose(row) }),
    el("td", { class: "mono muted" }, ...timestamp_nodes(String(row.created_at ?? ""))));
}

const newest_first = (a, b) => Number(b.row.id) - Number(a.row.id);

// Called by live.js with the whole Map after every snapshot or batch of
// changes. Only new or changed rows get a new <tr> (flashed when live), and
// rows already in place are not moved, so a highlight is not restarted.
function show_rows(rows, what) {
  const next = new Map();
  for (const [key, row] of rows) {
    let view = views.get(key);
    if (!view || view.row !== row) {
      view = { row, tr: row_view(row) };
      if (what === "changes") view.tr.classList.add("fresh");
    }
    next.set(key, view);
  }
  const before = views.size;
  views = next;
  const body = $("notes-rows");
  let at = body.firstChild;
  for (const { tr } of [...next.values()].sort(newest_first)) {
    if (tr === at) at = at.nextSibling;
    else body.insertBefore(tr, at);
  }
  while (at) { // what is left after the sorted rows is gone
    const gone = at;
    at = at.nextSibling;
    gone.remove();
  }
  // The count follows the live rows between calls of notes.count; a new
  // snapshot asks again, in case something was missed.
  if (what === "changes") bump_count(next.size - before);
  else if (get_session()) refresh_count(get_session());
  live_status();
}

function live_status(state = query && query.ready ? "live" : null, text = null) {
  const line = $("notes-live-status");
  if (!state) return;
  const n = views.size;
  line.dataset.state = state;
  line.textContent = text ?? `live · ${n} note${n === 1 ? "" : "s"} · position ${query.position ?? "–"}`;
}

function error_uri(err) {
  return err && err.error ? err.error : String(err && err.message ? err.message : err);
}

// On every join. The same user's query resumes where it stopped (no
// snapshot); a first join or another user (sign-in, sign-out) starts afresh.
export function joined(session, user) {
  clearTimeout(retry);
  if (query && query_user === user) {
    live_status("resuming", `resuming after ${query.position ?? "–"} · ${views.size} notes shown`);
    query.resume(session);
  } else {
    if (query) query.stop();
    views = new Map(); // another user's rows are not shown meanwhile
    $("notes-rows").replaceChildren();
    query_user = user;
    retry_delay = 1;
    live_status("loading", "loading the live snapshot…");
    const q = live_query(session, LIVE, {
      key: ["id"],
      on_change: show_rows,
      on_ready() {
        retry_delay = 1;
        live_status("live");
      },
      on_error(err) {
        // Ended by the service (e.g. restarting, or not registered yet after
        // a router restart): call again while this session lasts.
        const delay = retry_delay;
        retry_delay = Math.min(retry_delay * 2, 30);
        live_status("error", `live query stopped (${error_uri(err)}) · again in ${delay} s · ${views.size} notes shown`);
        console.warn(LIVE, err);
        clearTimeout(retry);
        retry = setTimeout(() => {
          const s = get_session();
          if (s && q === query) q.resume(s);
        }, delay * 1000);
      },
    });
    query = q;
  }
  refresh_count(session);
}

// The session is gone: the call with it. The rows stay on show until joined().
export function left() {
  clearTimeout(retry);
  if (query) live_status("paused", `offline · ${views.size} notes shown · position ${query.position ?? "–"}`);
}

// The limit field is sent as typed when it is not an integer, so the service's
// validation (not the page's) decides, and its error is what the visitor sees.
function parse_limit(text) {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

function status(text) {
  $("notes-status").textContent = text;
}

export function refresh_count(session) {
  return session.call("com.example.notes.count").then(
    (res) => {
      const value = result_value(res);
      // A count may come back as a number, or as a row like {count: n}.
      const n = value !== null && typeof value === "object" ? Object.values(value)[0] : value;
      $("notes-count").textContent = `${n} total`;
    },
    (err) => show_error($("notes-error"), err, "com.example.notes.count"));
}

function bump_count(delta) {
  const count = /^(\d+) total$/.exec($("notes-count").textContent);
  if (count && delta) $("notes-count").textContent = `${Math.max(0, Number(count[1]) + delta)} total`;
}

// "List once": com.example.notes.list with the limit, into its own table
// (the live table is not touched).
export function list(session) {
  const limit = parse_limit($("list-limit").value);
  const kwargs = limit === undefined ? {} : { limit };
  const box = $("notes-error");
  const started = performance.now();
  return session.call("com.example.notes.list", [], kwargs).then(
    (res) => {
      const rows = result_rows(res);
      const ms = (performance.now() - started).toFixed(1);
      $("list-once-rows").replaceChildren(...rows.map((row) => row_view(row, "list-row")));
      $("list-once-title").textContent =
        `listed once: ${rows.length} note${rows.length === 1 ? "" : "s"} (com.example.notes.list, limit ${limit ?? "default"})`;
      $("list-once").hidden = false;
      $("list-once").open = true;
      clear_error(box);
      status(`listed ${rows.length} note${rows.length === 1 ? "" : "s"} in ${ms} ms`);
    },
    (err) => {
      status("");
      show_error(box, err, "com.example.notes.list");
    });
}

export function install(session_getter) {
  get_session = session_getter;
  $("add-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const session = get_session();
    if (!session) return;
    const input = $("add-body");
    const body = input.value;
    const is_public = $("add-public").checked;
    const box = $("notes-error");
    const button = $("add-submit");
    button.disabled = true;
    session.call("com.example.notes.add", [body, is_public]).then(
      (res) => {
        const added = result_rows(res)[0] || {};
        clear_error(box);
        input.value = "";
        status(`added note #${added.id} at ${added.created_at}`);
        // The row itself comes through the live query.
      },
      (err) => {
        status("");
        show_error(box, err, "com.example.notes.add");
      })
      .finally(() => { button.disabled = false; });
  });

  $("list-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const session = get_session();
    if (session) {
      list(session);
      refresh_count(session);
    }
  });
}
