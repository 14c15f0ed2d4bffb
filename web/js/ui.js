// Small DOM and formatting helpers shared by the cards. Everything that came
// from the network is inserted with textContent, never as HTML.

export const $ = (id) => document.getElementById(id);

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// A WAMP call result arrives as the single argument itself, or as an
// autobahn.Result when there are several arguments or keyword arguments.
// Procedures that return rows may send [rows] or rows spread as arguments;
// both become a plain array of rows here.
export function result_rows(res) {
  if (res instanceof autobahn.Result) {
    const args = res.args || [];
    if (args.length === 1 && Array.isArray(args[0])) return args[0];
    return args;
  }
  if (Array.isArray(res)) return res;
  if (res === null || res === undefined) return [];
  return [res];
}

// The single scalar a procedure answered (e.g. a count or a timestamp).
export function result_value(res) {
  if (res instanceof autobahn.Result) return (res.args || [])[0];
  if (Array.isArray(res) && res.length === 1) return res[0];
  return res;
}

// Turns whatever a failed call rejected with into {uri, message, extra}.
// WAMP errors carry a URI; pgwamp.error.sql adds SQLSTATE, detail and hint.
export function describe_error(err) {
  if (err instanceof autobahn.Error) {
    const kwargs = err.kwargs || {};
    const args = err.args || [];
    const message = kwargs.message ?? (typeof args[0] === "string" ? args[0] : args.length ? JSON.stringify(args) : "");
    const extra = [];
    if (kwargs.sqlstate) extra.push(["SQLSTATE", kwargs.sqlstate]);
    if (kwargs.detail) extra.push(["detail", kwargs.detail]);
    if (kwargs.hint) extra.push(["hint", kwargs.hint]);
    return { uri: err.error, message, extra };
  }
  // AutobahnJS rejects with plain strings or Error objects for local failures
  // (e.g. "session not open"): show them too, under a local pseudo-URI.
  return { uri: "client.error", message: String(err && err.message ? err.message : err), extra: [] };
}

export function show_error(box, err, context) {
  const { uri, message, extra } = describe_error(err);
  box.replaceChildren(
    el("div", { class: "error-head" },
      context ? el("span", { class: "error-context", text: context }) : null,
      el("code", { class: "error-uri", "data-testid": "error-uri", text: uri })),
    el("div", { class: "error-message", "data-testid": "error-message", text: message || "(no message)" }),
    ...extra.map(([k, v]) => el("div", { class: "error-extra" }, el("span", { text: k }), " ", el("code", { text: v }))));
  box.hidden = false;
  console.warn(context || "error", uri, message, err);
}

export function clear_error(box) {
  box.hidden = true;
  box.replaceChildren();
}

// A timestamp as nodes that wrap only between date and time on a narrow
// screen (never inside "2026-11-21"); the text content stays unchanged.
export function timestamp_nodes(text) {
  const m = /^(\d{4}-\d{2}-\d{2}[T ])(.+)$/.exec(text);
  if (!m) return [text];
  return [el("span", { class: "nowrap" }, m[1]), document.createElement("wbr"), el("span", { class: "nowrap" }, m[2])];
}

export function clock(date = new Date()) {
  return date.toLocaleTimeString([], { hour12: false }) + "." + String(date.getMilliseconds()).padStart(3, "0");
}

export function format_ms(ms) {
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}
