// The health strip: pgwamp's own view of itself (com.example.health, served
// from memory, no database), refreshed every few seconds while a session is
// open. The page's connection announces sessions with a "pgwamp:session"
// window event (connection.js), so this module needs nothing else from the page.
const PROCEDURE = (window.PGWAMP_CONFIG && window.PGWAMP_CONFIG.health_procedure) || "com.example.health";
const PERIOD_MS = 3000;

let session = null;
let timer = null;

const strip = () => document.getElementById("health-strip");

function item(testid, text, title) {
  const span = document.createElement("span");
  span.className = "health-item";
  span.dataset.testid = testid;
  span.textContent = text;
  if (title) span.title = title;
  return span;
}

function render(h) {
  const el = strip();
  el.hidden = false;
  el.dataset.state = h.ready ? "ready" : "not-ready";
  const pool = h.pool || {};
  el.replaceChildren(
    item("health-ready", h.ready ? "ready" : "not ready", "GET /ready on the admin port says the same"),
    item("health-pool", `pool ${pool.connections} conn · ${pool.waiting} waiting${pool.available ? "" : " · db down"}`,
         "database connections open, calls waiting for one"),
    item("health-calls", `${Number(h.calls_per_s).toFixed(1)} calls/s`, "over the last 5 s, this pgwamp process"),
    item("health-events", `${Number(h.events_per_s).toFixed(1)} events/s`, "published by this pgwamp process"),
    item("health-rss", `${(Number(h.rss_bytes) / 1048576).toFixed(1)} MB`, "resident memory of the pgwamp process"),
    ...standby_items(h.standbys));
}

// database.replicas: each standby's state and lag, and where reads went
// (README "Reads on standbys"). Nothing without replicas.
function standby_items(standbys) {
  if (!standbys) return [];
  const items = (standbys.list || []).map((s) =>
    item(`health-standby-${s.name}`, `${s.name} ${s.state} · lag ${s.lag_ms} ms · ${s.reads} reads`,
         "a streaming standby serving read_only procedures: up, lagging (past max_lag) or down"));
  items.push(item("health-reads",
                  `reads: ${standbys.reads_on_standbys} standby · ${standbys.reads_on_primary} primary`,
                  "read_only calls by the server that ran them"));
  return items;
}

async function refresh() {
  const s = session;
  if (!s) return;
  try {
    const h = await s.call(PROCEDURE);
    if (s === session) render(h);
  } catch (err) {
    const el = strip();
    el.hidden = false;
    el.dataset.state = "unknown";
    el.replaceChildren(item("health-error", `health: ${err.error || err}`));
  }
}

function style() {
  const css = document.createElement("style");
  css.textContent = `
    .health { display: flex; flex-wrap: wrap; gap: .4rem .9rem; font-size: .8rem; padding: .3rem 1rem;
              color: #555; border-bottom: 1px solid #e4e4e4; font-variant-numeric: tabular-nums; }
    .health[data-state="ready"] [data-testid="health-ready"] { color: #1a7f37; font-weight: 600; }
    .health[data-state="not-ready"] [data-testid="health-ready"] { color: #b42318; font-weight: 600; }`;
  document.head.append(css);
}

window.addEventListener("pgwamp:session", (event) => {
  session = event.detail;
  clearInterval(timer);
  timer = null;
  if (!session) return;
  refresh();
  timer = setInterval(refresh, PERIOD_MS);
});
style();
