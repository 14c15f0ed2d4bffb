// The four `now` procedures: each answers the database's now() as a string.
import { $, format_ms, describe_error, timestamp_nodes } from "./ui.js";

const VERSIONS = [1, 2, 3, 4];

function cell(kind, v) {
  return document.querySelector(`[data-testid="now-${kind}-v${v}"]`);
}

export function call_all(session) {
  for (const v of VERSIONS) {
    const row = cell("row", v);
    const result = cell("result", v);
    const rtt = cell("rtt", v);
    row.dataset.state = "pending";
    rtt.textContent = "…";
    const started = performance.now();
    session.call(`com.example.now.v${v}`).then(
      (res) => {
        const elapsed = performance.now() - started;
        const value = res instanceof autobahn.Result ? (res.args || [])[0] : res;
        row.dataset.state = "ok";
        result.replaceChildren(...timestamp_nodes(String(value)));
        result.title = "";
        rtt.textContent = format_ms(elapsed);
      },
      (err) => {
        const { uri, message } = describe_error(err);
        row.dataset.state = "error";
        result.textContent = `${uri}: ${message}`;
        result.title = message;
        rtt.textContent = format_ms(performance.now() - started);
      });
  }
}

export function install(get_session) {
  $("now-refresh").addEventListener("click", () => {
    const session = get_session();
    if (session) call_all(session);
  });
}
