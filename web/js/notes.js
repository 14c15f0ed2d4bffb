// The config-declared procedures: com.example.notes.add / .list / .count.
import { $, el, result_rows, result_value, show_error, clear_error, timestamp_nodes } from "./ui.js";
import { current_user } from "./account.js";

const shown = new Map(); // id → <tr>, so a live insert event and a list agree

// "mine" (yours, whether public or not), "public", or "private" (only
// shown to its owner, so another's private note never gets here).
function whose(row) {
  if (row.owner && row.owner === current_user()) return row.public === false ? "mine · private" : "mine";
  return row.public === false ? "private" : "public";
}

function row_view(row) {
  const tr = el("tr", { "data-testid": "note-row", "data-id": String(row.id), "data-owner": String(row.owner ?? "") },
    el("td", { class: "num mono id", text: String(row.id) }),
    el("td", { class: "body", "data-testid": "note-body", text: String(row.body ?? "") }),
    el("td", { class: "muted", "data-testid": "note-whose", text: whose(row) }),
    el("td", { class: "mono muted" }, ...timestamp_nodes(String(row.created_at ?? ""))));
  return tr;
}

function render(rows) {
  shown.clear();
  const body = $("notes-rows");
  body.replaceChildren(...rows.map((row) => {
    const tr = row_view(row);
    shown.set(String(row.id), tr);
    return tr;
  }));
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

// `before` is kept in front of the status line (e.g. what was just added).
export function list(session, before = "") {
  const limit = parse_limit($("list-limit").value);
  const kwargs = limit === undefined ? {} : { limit };
  const box = $("notes-error");
  const started = performance.now();
  return session.call("com.example.notes.list", [], kwargs).then(
    (res) => {
      const rows = result_rows(res);
      render(rows);
      clear_error(box);
      const listed = `listed ${rows.length} note${rows.length === 1 ? "" : "s"} in ${(performance.now() - started).toFixed(1)} ms`;
      status(before ? `${before} · ${listed}` : listed);
    },
    (err) => {
      status(before);
      show_error(box, err, "com.example.notes.list");
    });
}

// A note inserted anywhere (this page, psql, another browser) arrives as an
// event; show it at the top of the table right away.
export function on_inserted(row) {
  if (!row || typeof row !== "object" || row.id === undefined) return;
  if (shown.has(String(row.id))) return;
  // One more note than the count said; the next notes.count call corrects
  // any drift, and a NOTIFY storm costs no extra calls.
  bump_count(1);
  const tr = row_view(row);
  tr.classList.add("fresh");
  shown.set(String(row.id), tr);
  const body = $("notes-rows");
  body.prepend(tr);
  // Keep the table as long as the limit asked for.
  const limit = parse_limit($("list-limit").value);
  while (Number.isInteger(limit) && limit >= 0 && body.children.length > limit) {
    shown.delete(body.lastElementChild.dataset.id);
    body.lastElementChild.remove();
  }
}

function bump_count(delta) {
  const count = /^(\d+) total$/.exec($("notes-count").textContent);
  if (count) $("notes-count").textContent = `${Math.max(0, Number(count[1]) + delta)} total`;
}

// A row change from com.example.notes.on_change (changes.js): the table
// follows INSERT, UPDATE, DELETE and TRUNCATE wherever they were made.
export function apply_change(change) {
  const row = change.new || {};
  const key = change.old || row;
  if (change.op === "insert") return on_inserted(row);
  if (change.op === "update") {
    const tr = shown.get(String(key.id ?? row.id));
    if (!tr) return;
    // An unchanged large body is absent from the event, not null: keep what is shown.
    if (row.body !== undefined) tr.querySelector("[data-testid=note-body]").textContent = String(row.body ?? "");
    tr.classList.remove("fresh");
    void tr.offsetWidth; // restart the highlight
    tr.classList.add("fresh");
    return;
  }
  if (change.op === "delete") {
    const tr = shown.get(String(key.id));
    if (tr) {
      shown.delete(String(key.id));
      tr.remove();
    }
    return bump_count(-1);
  }
  if (change.op === "truncate") {
    shown.clear();
    $("notes-rows").replaceChildren();
    $("notes-count").textContent = "0 total";
  }
}

export function install(get_session) {
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
        const done = `added note #${added.id} at ${added.created_at}`;
        status(done);
        return Promise.all([list(session, done), refresh_count(session)]);
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
