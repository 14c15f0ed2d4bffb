// The export panel: com.example.numbers(count) with receive_progress, so
// rows arrive in chunks as PostgreSQL produces them (progressive results);
// Cancel sends a WAMP CANCEL and pgwamp stops the statement.
//
// Each progressive result is [rows] with kwargs {offset}; the final result
// is {rows, chunks}. Only counts are kept: a million rows never sit in the page.
import { $, show_error, clear_error } from "./ui.js";

let running = null; // the call's promise while a stream runs

function status(text, state) {
  const line = $("export-status");
  line.textContent = text;
  line.dataset.state = state;
}

function parse_count(text) {
  const t = text.trim();
  return /^-?\d+$/.test(t) ? Number(t) : t; // the service decides what is acceptable
}

export function install(get_session) {
  $("export-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const session = get_session();
    if (!session || running) return;
    const count = parse_count($("export-count").value);
    const box = $("export-error");
    const bar = $("export-progress");
    bar.max = Number.isInteger(count) && count > 0 ? count : 1;
    bar.value = 0;
    clear_error(box);
    let rows = 0;
    let first_ms = null;
    const started = performance.now();
    const rate = () => Math.round(rows / Math.max((performance.now() - started) / 1000, 0.001));
    status("starting…", "running");
    $("export-start").disabled = true;
    $("export-cancel").disabled = false;
    running = session.call("com.example.numbers", [count], {}, { receive_progress: true });
    running.then(
      (result) => {
        const total = result && result.rows !== undefined ? result.rows : rows;
        bar.value = bar.max;
        status(`${total.toLocaleString()} rows in ${result.chunks} chunks, ${rate().toLocaleString()} rows/s ` +
          `(first chunk after ${first_ms ?? "–"} ms)`, "done");
      },
      (err) => {
        const canceled = err && err.error === "wamp.error.canceled";
        status(canceled ? `canceled after ${rows.toLocaleString()} rows` : "", canceled ? "canceled" : "failed");
        if (!canceled) show_error(box, err, "com.example.numbers");
      },
      (chunk) => {
        // AutobahnJS gives the chunk's args[0] (the rows) when no kwargs, else {args, kwargs}.
        const list = Array.isArray(chunk) ? chunk : (chunk && chunk.args ? chunk.args[0] : []);
        if (first_ms === null) first_ms = Math.round(performance.now() - started);
        rows += list.length;
        bar.value = rows;
        status(`${rows.toLocaleString()} of ${Number(count).toLocaleString()} rows · ${rate().toLocaleString()} rows/s`,
          "running");
      })
      .finally(() => {
        running = null;
        $("export-start").disabled = !get_session();
        $("export-cancel").disabled = true;
      });
  });

  $("export-cancel").addEventListener("click", () => {
    if (running && running.cancel) running.cancel({ mode: "kill" });
  });
}
