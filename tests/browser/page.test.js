// The page in a real headless Chromium against the real stack (PostgreSQL,
// Crossbar, pgwamp) started by tests/support/pgwamp_stack. Every wait is on
// something the page shows, bounded generously; the only tight bound is the
// 2 s a psql NOTIFY may take to reach the page, which is the product's promise.
"use strict";
const { describe, it, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { execFile } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { Stack } = require("./stack.js");
const { launch } = require("./browser.js");
const { parse_pg_timestamp } = require("./pg_time.js");

const VERSIONS = [1, 2, 3, 4];
const LONG = 60000; // upper bound for anything that is not the NOTIFY latency
const probe = (tag) => `${tag}-${process.pid}-${Date.now().toString(36)}`;

function psql(conninfo, sql) {
  return new Promise((resolve, reject) => {
    execFile("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", conninfo, "-c", sql],
      { timeout: 30000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`psql failed: ${stderr || err.message}`));
        else resolve(stdout.trim());
      });
  });
}

// Waits until the element's data-state is one of `states`; returns the state.
async function wait_state(page, selector, states, timeout = LONG) {
  const handle = await page.waitForFunction(([sel, wanted]) => {
    const node = document.querySelector(sel);
    return node && wanted.includes(node.dataset.state) ? node.dataset.state : false;
  }, [selector, states], { timeout });
  return handle.jsonValue();
}

async function now_rows(page) {
  const rows = [];
  for (const v of VERSIONS) {
    const state = await wait_state(page, `[data-testid=now-row-v${v}]`, ["ok", "error"]);
    const text = await page.textContent(`[data-testid=now-result-v${v}]`);
    const rtt = await page.textContent(`[data-testid=now-rtt-v${v}]`);
    rows.push({ v, state, text: text.trim(), rtt: rtt.trim() });
  }
  return rows;
}

function assert_plausible_now(rows, not_before_ms) {
  for (const { v, state, text, rtt } of rows) {
    assert.equal(state, "ok", `now.v${v} failed on the page: ${text}`);
    const at = parse_pg_timestamp(text);
    assert.ok(!Number.isNaN(at), `now.v${v} shows "${text}", not a timestamp with a zone`);
    assert.ok(Math.abs(at - Date.now()) < 60000, `now.v${v} = ${text} is not within a minute of ${new Date().toISOString()}`);
    if (not_before_ms) assert.ok(at >= not_before_ms - 60000, `now.v${v} = ${text} is stale`);
    assert.match(rtt, /^\d+(\.\d+)? ms$/, `now.v${v} round trip shown as "${rtt}"`);
  }
}

async function wait_event(page, { channel, text, timeout }) {
  const event = page.locator(`[data-testid=event][data-channel="${channel}"]`, { hasText: text }).first();
  await event.waitFor({ state: "visible", timeout });
  return event;
}

async function shown_error(page, box_id) {
  const box = page.locator(`#${box_id}`);
  await box.waitFor({ state: "visible", timeout: LONG });
  return {
    uri: (await box.locator("[data-testid=error-uri]").textContent()).trim(),
    message: (await box.locator("[data-testid=error-message]").textContent()).trim(),
  };
}

// Signs in (or up, then in) through the page's account form; resolves once
// the page has joined as that user.
async function sign_in(page, name, password, { sign_up = false } = {}) {
  await page.fill("#account-name", name);
  await page.fill("#account-password", password);
  await page.click(sign_up ? "#sign-up" : "#sign-in");
  await page.waitForFunction((n) => document.getElementById("account-state").textContent === `signed in as ${n}`,
    name, { timeout: LONG });
  await wait_state(page, "[data-testid=conn-state]", ["open"]);
}

function screenshot_paths(name) {
  const out_dir = path.join(process.env.PGWAMP_BINARY_DIR || path.join(os.tmpdir(), "pgwamp"), "tests", "browser");
  fs.mkdirSync(out_dir, { recursive: true });
  const paths = [path.join(out_dir, name)];
  // The committed screenshots (shown by the README) change only on request,
  // so an ordinary test run leaves the work tree clean.
  if (process.env.PGWAMP_UPDATE_SCREENSHOTS === "1") paths.push(path.join(__dirname, name));
  return paths;
}

async function save_screenshot(page, name) {
  const [first, ...copies] = screenshot_paths(name);
  // Finite animations (the yellow flash of a new row) are fast-forwarded, so
  // the picture shows the page at rest.
  await page.screenshot({ path: first, fullPage: true, animations: "disabled" });
  for (const copy of copies) fs.copyFileSync(first, copy);
}

describe("pgwamp page in headless Chromium", { timeout: 600000 }, () => {
  const stack = new Stack();
  let browser;
  let page;
  let info;
  const page_errors = [];

  before(async () => {
    info = await stack.start();
    browser = await launch();
    page = await browser.context.newPage();
    page.on("pageerror", (err) => page_errors.push(err.message));
    await page.goto(info.page_url);
  });

  after(async () => {
    if (browser) await browser.close().catch(() => {});
    await stack.stop();
  });

  it("loads AutobahnJS locally, connects, and shows four now() results with round trips", async () => {
    assert.equal(await page.isVisible("[data-testid=vendor-missing]"), false,
      "web/vendor/autobahn.min.js missing: run scripts/bootstrap");
    assert.equal(await wait_state(page, "[data-testid=conn-state]", ["open"]), "open");
    assert_plausible_now(await now_rows(page));
  });

  it("shows a JSON NOTIFY sent with psql within 2 s, pretty-printed", async (t) => {
    const id = probe("psql");
    const payload = { probe: id, n: 42, nested: { ok: true } };
    await psql(info.conninfo, `NOTIFY demo, '${JSON.stringify(payload)}'`);
    const sent = Date.now();
    const event = await wait_event(page, { channel: "demo", text: id, timeout: 2000 });
    t.diagnostic(`psql returned -> event visible on the page: ${Date.now() - sent} ms`);
    assert.equal(await event.getAttribute("data-json"), "true");
    assert.equal(await event.getAttribute("data-topic"), "com.example.demo");
    const shown = await event.locator("[data-testid=event-payload]").textContent();
    assert.equal(shown, JSON.stringify(payload, null, 2));
    assert.match(await event.locator("[data-testid=event-time]").textContent(), /^\d{2}:\d{2}:\d{2}\.\d{3}$/);
  });

  it("shows a text NOTIFY as text, newest first", async () => {
    const id = probe("text");
    await psql(info.conninfo, `SELECT pg_notify('demo', 'plain words ${id}')`);
    const event = await wait_event(page, { channel: "demo", text: id, timeout: 2000 });
    assert.equal(await event.getAttribute("data-json"), "false");
    assert.equal((await event.locator("[data-testid=event-payload]").textContent()), `plain words ${id}`);
    const newest = page.locator("[data-testid=event]").first();
    assert.match(await newest.textContent(), new RegExp(id));
  });

  it("refuses the NOTIFY form to an anonymous visitor (service.notify_roles)", async () => {
    const id = probe("anon-form");
    await page.selectOption("#notify-channel", "demo");
    await page.fill("#notify-payload", JSON.stringify({ from: "form", probe: id }));
    await page.click("#notify-send");
    const refused = await shown_error(page, "notify-error");
    assert.equal(refused.uri, "wamp.error.not_authorized");
    assert.match(await page.textContent("#notify-error [data-testid=error-hint]"), /Sign in first/);
    await page.evaluate(() => { document.getElementById("notify-error").hidden = true; });
  });

  it("refuses writes from anonymous visitors, signs up, refuses a wrong password, then signs in", async () => {
    assert.equal(await page.textContent("[data-testid=account-state]"), "anonymous · read-only");
    const graffiti = probe("anon");
    await page.fill("#add-body", graffiti);
    await page.click("#add-submit");
    const refused = await shown_error(page, "notes-error");
    assert.equal(refused.uri, "wamp.error.not_authorized");
    assert.equal(await psql(info.conninfo, `SELECT count(*) FROM notes WHERE body = '${graffiti}'`), "0");
    await page.evaluate(() => { document.getElementById("notes-error").hidden = true; });

    await sign_in(page, "page_user", "page-user-password", { sign_up: true });
    assert.equal(await psql(info.conninfo, "SELECT count(*) FROM app_users WHERE name = 'page_user'"), "1");
    // The password is only in the database, hashed by bcrypt.
    assert.match(await psql(info.conninfo, "SELECT password_hash FROM app_users WHERE name = 'page_user'"), /^\$2a\$08\$/);

    await page.click("#sign-out");
    await page.waitForFunction(() => document.getElementById("account-state").dataset.state === "anonymous",
      null, { timeout: LONG });
    await page.fill("#account-name", "page_user");
    await page.fill("#account-password", "not-the-password");
    await page.click("#sign-in");
    const wrong = await shown_error(page, "account-error");
    assert.equal(wrong.uri, "wamp.error.not_authorized");
    await wait_state(page, "[data-testid=conn-state]", ["open"]); // back, anonymously
    assert.equal(await page.getAttribute("[data-testid=account-state]", "data-state"), "anonymous");
    await sign_in(page, "page_user", "page-user-password");
  });

  it("closes the loop: the NOTIFY form calls com.example.notify and the event comes back signed by the caller", async () => {
    const id = probe("form");
    await page.selectOption("#notify-channel", "demo");
    // A claimed sender is replaced by the one the router names.
    await page.fill("#notify-payload", JSON.stringify({ from: "form", probe: id, sent_by: "alice" }));
    await page.click("#notify-send");
    const event = await wait_event(page, { channel: "demo", text: id, timeout: LONG });
    assert.equal(await event.getAttribute("data-json"), "true");
    assert.equal(await page.isVisible("#notify-error"), false);
    const shown = JSON.parse(await event.locator("[data-testid=event-payload]").textContent());
    assert.equal(shown.sent_by, "page_user");
  });

  it("keeps a private note and its events to its owner, while a public one reaches another user's page", async () => {
    const other = await launch();
    try {
      const second = await other.context.newPage();
      second.on("pageerror", (err) => page_errors.push(`second page: ${err.message}`));
      await second.goto(info.page_url);
      await wait_state(second, "[data-testid=conn-state]", ["open"]);
      // Attack: sign up under the service's name, which hears every change whole.
      await second.fill("#account-name", "PgWamp");
      await second.fill("#account-password", "long-enough-password");
      await second.click("#sign-up");
      const reserved = await shown_error(second, "account-error");
      assert.equal(reserved.uri, "pgwamp.error.sql");
      assert.match(reserved.message, /reserved/);
      await sign_in(second, "second_user", "second-user-password", { sign_up: true });
      await second.waitForFunction(() => document.getElementById("changes-state").dataset.state === "on",
        null, { timeout: LONG });

      const secret = probe("private");
      await page.uncheck("#add-public");
      await page.fill("#add-body", secret);
      await page.click("#add-submit");
      const mine = page.locator("[data-testid=note-row]", { hasText: secret }).first();
      await mine.waitFor({ timeout: LONG });
      assert.equal((await mine.locator("[data-testid=note-whose]").textContent()).trim(), "mine · private");
      await page.check("#add-public");

      // A public note after it: once the second page has it, the private one's events would have come first.
      const shared = probe("public");
      await page.fill("#add-body", shared);
      await page.click("#add-submit");
      await second.locator("[data-testid=note-row]", { hasText: shared }).first().waitFor({ timeout: LONG });
      await wait_event(second, { channel: "notes", text: shared, timeout: LONG });
      assert.equal(await second.locator("[data-testid=note-row]", { hasText: secret }).count(), 0,
        "the private note reached another user's table");
      assert.equal(await second.locator("[data-testid=event]", { hasText: secret }).count(), 0,
        "the private note's event reached another user");
      // Asking again does not show it either: row-level security, not the page, decides.
      await second.click("#list-submit");
      await second.waitForFunction(() => /^listed \d+ notes? in /.test(document.getElementById("notes-status").textContent),
        null, { timeout: LONG });
      assert.equal(await second.locator("[data-testid=note-row]", { hasText: secret }).count(), 0);
      assert.equal(await second.locator("[data-testid=list-row]", { hasText: secret }).count(), 0);
      assert.equal(await psql(info.conninfo, `SELECT owner || ' ' || public FROM notes WHERE body = '${secret}'`),
        "page_user false");

      // Made public, the note reaches the second page as a new row; its private past does not.
      const revealed = probe("revealed");
      await psql(info.conninfo, `UPDATE notes SET body = '${revealed}', public = true WHERE body = '${secret}'`);
      await second.locator("[data-testid=note-row]", { hasText: revealed }).first().waitFor({ timeout: LONG });
      assert.equal((await second.content()).includes(secret), false, "the private past reached another user's page");
    } finally {
      await other.close();
    }
  });

  it("adds a note: the row is in the database, in the table, and arrives as an event", async () => {
    const body = probe("note");
    await page.fill("#add-body", body);
    await page.click("#add-submit");
    await page.locator("[data-testid=note-row]", { hasText: body }).first().waitFor({ timeout: LONG });
    await wait_event(page, { channel: "notes", text: body, timeout: LONG });
    assert.match(await page.textContent("#notes-status"), /^added note #\d+ at /);
    assert.equal(await page.isVisible("#notes-error"), false);
    assert.equal(await psql(info.conninfo, `SELECT count(*) FROM notes WHERE body = '${body}'`), "1");
    const event = page.locator('[data-testid=event][data-topic="com.example.notes.on_insert"]', { hasText: body }).first();
    const row = JSON.parse(await event.locator("[data-testid=event-payload]").textContent());
    assert.equal(row.body, body);
    assert.ok(Number.isInteger(row.id), `event row id ${row.id}`);
    await page.locator(`[data-testid=note-row][data-id="${row.id}"]`).waitFor({ timeout: LONG });
  });

  it("follows row changes typed in psql: UPDATE and DELETE show up without a reload", async () => {
    await page.waitForFunction(() => document.getElementById("changes-state").dataset.state === "on",
      null, { timeout: LONG });
    assert.match(await page.textContent("[data-testid=changes-state]"), /live row changes: logical replication slot pgwamp_changes/);
    assert.equal(await wait_state(page, "[data-testid=notes-live-status]", ["live"]), "live");
    assert.match(await page.textContent("[data-testid=notes-live-status]"), /^live · \d+ notes? · position \S+$/);
    const body = probe("psql-row");
    const id = await psql(info.conninfo, `INSERT INTO notes (body) VALUES ('${body}') RETURNING id`);
    const row = page.locator(`[data-testid=note-row][data-id="${id}"]`);
    await row.waitFor({ timeout: LONG });
    // Only row changes carry these two (the NOTIFY trigger fires on INSERT only).
    await psql(info.conninfo, `UPDATE notes SET body = '${body} edited' WHERE id = ${id}`);
    await page.waitForFunction(([sel, text]) => document.querySelector(sel)?.textContent === text,
      [`[data-testid=note-row][data-id="${id}"] [data-testid=note-body]`, `${body} edited`], { timeout: LONG });
    await psql(info.conninfo, `DELETE FROM notes WHERE id = ${id}`);
    await row.waitFor({ state: "detached", timeout: LONG });
  });

  it("exports rows as progressive results with a progress bar, and cancels a long export", async (t) => {
    await page.fill("#export-count", "200000");
    await page.click("#export-start");
    await page.waitForFunction(() => document.getElementById("export-status").dataset.state === "done",
      null, { timeout: 4 * LONG });
    const done = await page.textContent("[data-testid=export-status]");
    t.diagnostic(done);
    assert.match(done, /^200,000 rows in \d+ chunks, [\d,]+ rows\/s \(first chunk after \d+ ms\)$/);
    assert.ok(Number(/in (\d+) chunks/.exec(done)[1]) > 1, "more than one chunk");
    assert.equal(await page.evaluate(() => document.getElementById("export-progress").value), 200000);

    await page.fill("#export-count", "10000000");
    await page.click("#export-start");
    await page.waitForFunction(() => /rows\/s$/.test(document.getElementById("export-status").textContent),
      null, { timeout: LONG });
    await page.click("#export-cancel");
    await page.waitForFunction(() => document.getElementById("export-status").dataset.state === "canceled",
      null, { timeout: LONG });
    assert.match(await page.textContent("[data-testid=export-status]"), /^canceled after [\d,]+ rows$/);
    assert.equal(await page.isVisible("#export-error"), false);

    await page.fill("#export-count", "-5");
    await page.click("#export-start");
    const bad = await shown_error(page, "export-error");
    assert.equal(bad.uri, "wamp.error.invalid_argument", JSON.stringify(bad));
    assert.match(bad.message, /between 0 and 10000000/);

    // Left finished, as a visitor would see it (the screenshots come next).
    await page.fill("#export-count", "100000");
    await page.click("#export-start");
    await page.waitForFunction(() => document.getElementById("export-status").dataset.state === "done",
      null, { timeout: 4 * LONG });
    assert.equal(await page.isVisible("#export-error"), false, "a new export clears the last error");
  });

  it("lists notes once with a limit, beside the live table, and shows the count", async () => {
    await page.evaluate(() => { document.getElementById("notes-status").textContent = ""; });
    await page.fill("#list-limit", "1");
    await page.click("#list-submit");
    await page.waitForFunction(() => /^listed 1 note in /.test(document.getElementById("notes-status").textContent),
      null, { timeout: LONG });
    // "List once" fills its own table; the live one keeps every note.
    assert.equal(await page.locator("[data-testid=list-row]").count(), 1);
    assert.ok(await page.locator("[data-testid=note-row]").count() > 1, "the limit cut the live table");
    const total = Number(await psql(info.conninfo, "SELECT count(*) FROM notes"));
    await page.waitForFunction((n) => document.getElementById("notes-count").textContent === `${n} total`,
      total, { timeout: LONG });
    await page.fill("#list-limit", "20");
    await page.click("#list-submit");
    await page.waitForFunction(() => /^listed \d+ notes? in /.test(document.getElementById("notes-status").textContent),
      null, { timeout: LONG });
  });

  it("shows the health strip (com.example.health): ready, the pool, and calls/s that move", async () => {
    assert.equal(await wait_state(page, "[data-testid=health-strip]", ["ready"]), "ready");
    assert.match(await page.textContent("[data-testid=health-pool]"), /^pool \d+ conn · \d+ waiting$/);
    for (let i = 0; i < 5; i++) await page.click("[data-testid=now-refresh]");
    // Refreshed every 3 s, as a rate over the last 5 s: the clicks show within a few refreshes.
    await page.waitForFunction(() => {
      const text = document.querySelector("[data-testid=health-calls]")?.textContent || "";
      return /^\d+\.\d calls\/s$/.test(text) && parseFloat(text) > 0;
    }, null, { timeout: 15000 });
    assert.match(await page.textContent("[data-testid=health-events]"), /^\d+\.\d events\/s$/);
  });

  it("saves desktop and phone screenshots", async () => {
    await save_screenshot(page, "screenshot.png");
    await page.setViewportSize({ width: 390, height: 844 });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `page is ${width}px wide at phone width: it scrolls sideways`);
    await save_screenshot(page, "screenshot-phone.png");
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("shows errors with their URI: a non-numeric and a negative limit", async () => {
    await page.fill("#list-limit", "abc");
    await page.click("#list-submit");
    const bad_type = await shown_error(page, "notes-error");
    assert.equal(bad_type.uri, "wamp.error.invalid_argument", `shown: ${JSON.stringify(bad_type)}`);
    assert.notEqual(bad_type.message, "");

    await page.evaluate(() => { document.getElementById("notes-error").hidden = true; });
    await page.fill("#list-limit", "-1");
    await page.click("#list-submit");
    const negative = await shown_error(page, "notes-error");
    // Rejected by pgwamp's validation or by PostgreSQL itself; either way the
    // page shows a URI and what went wrong, never nothing.
    assert.match(negative.uri, /^(wamp\.error\.invalid_argument|pgwamp\.error\.sql)$/, JSON.stringify(negative));
    assert.notEqual(negative.message, "");

    await page.fill("#list-limit", "20");
    await page.click("#list-submit");
    await page.locator("#notes-error").waitFor({ state: "hidden", timeout: LONG });
  });

  it("shows lost/retrying while the router is down and recovers when it is back", async (t) => {
    // Blank the clock so a result shown later is known to be new.
    await page.evaluate(() => {
      for (const row of document.querySelectorAll("[data-testid^=now-row-]")) row.dataset.state = "idle";
      for (const cell of document.querySelectorAll("[data-testid^=now-result-]")) cell.textContent = "—";
    });
    await stack.command("stop-router");
    assert.equal(await wait_state(page, "[data-testid=conn-state]", ["retrying"]), "retrying");
    assert.match(await page.textContent("[data-testid=conn-state]"), /retrying/);
    assert.equal(await page.isDisabled("#now-refresh"), true, "buttons stay enabled while offline");

    const restarted = Date.now();
    await stack.command("start-router");
    const answered = Date.now();
    assert.equal(await wait_state(page, "[data-testid=conn-state]", ["open"], 2 * LONG), "open");
    t.diagnostic(`start-router took ${answered - restarted} ms; page open again ${Date.now() - answered} ms later`);

    // The page calls now() as soon as it is back; pgwamp may need a moment
    // longer to re-register, so ask again until all four answer (bounded).
    const deadline = Date.now() + 2 * LONG;
    let rows = await now_rows(page);
    while (rows.some((r) => r.state !== "ok") && Date.now() < deadline) {
      await page.waitForTimeout(500);
      await page.click("#now-refresh");
      rows = await now_rows(page);
    }
    assert_plausible_now(rows, restarted);

    // Subscriptions were made again on the new session, and pgwamp republishes.
    const id = probe("after-restart");
    await psql(info.conninfo, `NOTIFY demo, '{"probe": "${id}"}'`);
    await wait_event(page, { channel: "demo", text: id, timeout: LONG });
  });

  it("catches up on row changes made while it was cut off from the router", async () => {
    const body = probe("offline");
    const id = await psql(info.conninfo, `INSERT INTO notes (body) VALUES ('${body}') RETURNING id`);
    await page.locator(`[data-testid=note-row][data-id="${id}"]`).waitFor({ timeout: LONG });
    await stack.command("stop-router");
    await wait_state(page, "[data-testid=conn-state]", ["retrying"]);
    await psql(info.conninfo, `UPDATE notes SET body = '${body} changed offline' WHERE id = ${id}`);
    await stack.command("start-router");
    assert.equal(await wait_state(page, "[data-testid=conn-state]", ["open"], 2 * LONG), "open");
    await page.waitForFunction(([sel, text]) => document.querySelector(sel)?.textContent === text,
      [`[data-testid=note-row][data-id="${id}"] [data-testid=note-body]`, `${body} changed offline`],
      { timeout: 2 * LONG });
    assert.equal(await wait_state(page, "[data-testid=notes-live-status]", ["live"]), "live");
  });

  it("works with MessagePack as well as JSON", async () => {
    const other = await browser.context.newPage();
    other.on("pageerror", (err) => page_errors.push(err.message));
    await other.goto(`${info.page_url}?serializer=msgpack`);
    assert.equal(await wait_state(other, "[data-testid=conn-state]", ["open"]), "open");
    assert.match(await other.textContent("[data-testid=conn-detail]"), /msgpack/);
    assert_plausible_now(await now_rows(other));
    const id = probe("msgpack");
    await psql(info.conninfo, `NOTIFY demo, '{"probe": "${id}"}'`);
    await wait_event(other, { channel: "demo", text: id, timeout: 2000 });
    await other.close();
  });

  it("clears the feed on request, and keeps receiving", async () => {
    await page.click("#events-clear");
    assert.equal(await page.locator("[data-testid=event]").count(), 0);
    assert.equal(await page.isVisible("#events-empty"), true);
    const id = probe("after-clear");
    await psql(info.conninfo, `NOTIFY demo, '${id}'`);
    await wait_event(page, { channel: "demo", text: id, timeout: LONG });
    assert.equal(await page.isVisible("#events-empty"), false);
  });

  it("says so plainly when AutobahnJS was not installed (scripts/bootstrap not run)", async () => {
    const other = await browser.context.newPage();
    other.on("pageerror", (err) => page_errors.push(err.message));
    await other.route("**/vendor/autobahn.min.js", (route) => route.fulfill({ status: 404, body: "" }));
    await other.goto(info.page_url);
    await other.locator("[data-testid=vendor-missing]").waitFor({ state: "visible", timeout: LONG });
    assert.equal(await wait_state(other, "[data-testid=conn-state]", ["closed"]), "closed");
    await other.close();
  });

  it("threw no uncaught exception in the page", () => {
    assert.deepEqual(page_errors, []);
  });
});
