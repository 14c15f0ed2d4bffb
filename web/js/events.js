// Live NOTIFY events and the form that sends one through com.example.notify.
// Event format (pgwamp): args = [payload], kwargs = {channel, json, pid};
// payload is the parsed JSON value when json is true, else the raw text.
import { $, el, clock, show_error, clear_error } from "./ui.js";

export const TOPICS = ["com.example.demo", "com.example.notes.on_insert"];
const MAX_EVENTS = 200; // keep the page light during a NOTIFY storm

let received = 0;

function payload_view(payload, is_json) {
  if (is_json) {
    return el("pre", { class: "payload json", "data-testid": "event-payload" },
      JSON.stringify(payload, null, 2));
  }
  return el("pre", { class: "payload text", "data-testid": "event-payload" }, String(payload ?? ""));
}

export function show_event(topic, args, kwargs) {
  const payload = (args || [])[0];
  const meta = kwargs || {};
  // Older or foreign publishers may omit the flag: decide by the value itself.
  const is_json = meta.json !== undefined ? Boolean(meta.json) : typeof payload !== "string";
  const item = el("li", {
    class: "event",
    "data-testid": "event",
    "data-topic": topic,
    "data-channel": meta.channel ?? "",
    "data-json": String(is_json),
  },
  el("div", { class: "event-head" },
    el("span", { class: "chip", "data-testid": "event-channel", text: meta.channel ?? "?" }),
    el("code", { class: "topic", text: topic }),
    el("span", { class: is_json ? "flag json" : "flag text", text: is_json ? "json" : "text" }),
    meta.pid !== undefined ? el("span", { class: "pid", text: `pid ${meta.pid}` }) : null,
    el("time", { class: "when", "data-testid": "event-time", datetime: new Date().toISOString(), text: clock() })),
  payload_view(payload, is_json));

  const list = $("events");
  list.prepend(item); // newest first
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
  received += 1;
  $("events-count").textContent = String(received);
  $("events-empty").hidden = true;
}

export async function subscribe_all(session, on_note_inserted = () => {}) {
  for (const topic of TOPICS) {
    try {
      await session.subscribe(topic, (args, kwargs) => {
        show_event(topic, args, kwargs);
        if (topic === "com.example.notes.on_insert") on_note_inserted((args || [])[0]);
      });
    } catch (err) {
      show_error($("notify-error"), err, `subscribe ${topic}`);
    }
  }
}

export function install(get_session) {
  // Clearing the feed is local; it needs no session, so main.js leaves it enabled.
  $("events-clear").addEventListener("click", () => {
    $("events").replaceChildren();
    $("events-empty").hidden = false;
  });
  const hint = (window.PGWAMP_CONFIG || {}).psql_hint;
  if (hint) $("psql-hint").textContent = hint;

  $("notify-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const session = get_session();
    if (!session) return;
    const box = $("notify-error");
    const channel = $("notify-channel").value;
    const payload = $("notify-payload").value;
    const button = $("notify-send");
    button.disabled = true;
    session.call("com.example.notify", [channel, payload]).then(
      () => clear_error(box),
      (err) => {
        show_error(box, err, "com.example.notify");
        // Visitors may read events but only the roles in service.notify_roles send them.
        if (err && err.error === "wamp.error.not_authorized") {
          box.append(el("div", { class: "error-hint", "data-testid": "error-hint",
                                 text: "Sign in first: sending events needs a signed-in user." }));
        }
      })
      .finally(() => { button.disabled = false; });
  });
}
