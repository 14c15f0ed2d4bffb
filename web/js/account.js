// Sign-up and sign-in. Sign-up calls com.example.signup (anonymous may);
// sign-in reconnects with WAMP-Ticket, which Crossbar hands to pgwamp's
// authenticator (com.example.authenticate, bcrypt in PostgreSQL). Who the
// page is decides what notes.list shows and which note events arrive: the
// database and the router decide, never the page.
import { $, show_error, clear_error } from "./ui.js";

let user = null; // the signed-in name, or null

export const current_user = () => user;

function render() {
  const state = $("account-state");
  state.dataset.state = user ? "user" : "anonymous";
  state.textContent = user ? `signed in as ${user}` : "anonymous · read-only";
  $("account-form").hidden = Boolean(user);
  $("sign-out").hidden = !user;
}

// The session's identity, as the connection says (after every join).
export function joined(name) {
  user = name;
  render();
}

export function refused(name, message) {
  user = null;
  render();
  show_error($("account-error"), new autobahn.Error("wamp.error.not_authorized", [message]), `sign in as ${name}`);
}

export function install(get_session, connection) {
  const box = $("account-error");
  const credentials = () => [$("account-name").value.trim(), $("account-password").value];
  $("account-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    const [name, password] = credentials();
    clear_error(box);
    const signing_up = ev.submitter && ev.submitter.id === "sign-up";
    const sign_in = () => {
      $("account-password").value = "";
      connection().sign_in(name, password);
    };
    if (!signing_up) return sign_in();
    const session = get_session();
    if (!session) return;
    session.call("com.example.signup", [name, password]).then(sign_in,
      (err) => show_error(box, err, "com.example.signup"));
  });
  $("sign-out").addEventListener("click", () => connection().sign_out());
  render();
}
