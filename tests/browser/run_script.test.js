// scripts/run end to end, as a person uses it: start it, wait for "pgwamp is
// up", open the printed URL, paste the printed psql line, press Ctrl-C, and
// find nothing left running. It runs on copies of the shipped Crossbar and
// pgwamp configs with free ports and a temporary state directory, so it never
// touches a developer's .run/ or the fixed demo ports.
"use strict";
const { describe, it, before, after } = require("node:test");
const assert = require("node:assert/strict");
const { spawn, execFile } = require("node:child_process");
const fs = require("node:fs");
const net = require("node:net");
const os = require("node:os");
const path = require("node:path");
const { within } = require("./stack.js");

const ROOT = path.resolve(__dirname, "..", "..");

// A free port below the kernel's ephemeral range: one from inside it can be
// handed to another test's outgoing connection before Crossbar binds it.
const LOWEST_LISTENING_PORT = 10000;

function can_listen(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(0));
    server.listen(port, "127.0.0.1", () => {
      const bound = server.address().port;
      server.close(() => resolve(bound));
    });
  });
}

async function free_port() {
  const below = Number(fs.readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").split(/\s+/)[0]);
  if (below > LOWEST_LISTENING_PORT + 1000) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = await can_listen(LOWEST_LISTENING_PORT + Math.floor(Math.random() * (below - LOWEST_LISTENING_PORT)));
      if (port) return port;
    }
  }
  const port = await can_listen(0);
  if (!port) throw new Error("no free port on 127.0.0.1");
  return port;
}

function accepts(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => { socket.destroy(); resolve(true); });
    socket.once("error", () => resolve(false));
  });
}

// Copies of the shipped configs, moved onto free ports and absolute paths.
function write_configs(dir, ports, pgwamp_bin) {
  const cb = JSON.parse(fs.readFileSync(path.join(ROOT, "crossbar", ".crossbar", "config.json"), "utf8"));
  let guests = 0;
  for (const worker of cb.workers) {
    if (worker.type === "router") {
      for (const transport of worker.transports) {
        const endpoint = transport.endpoint;
        if (transport.type === "web") {
          endpoint.port = ports.web;
          transport.paths["/"].directory = path.join(ROOT, "web");
        } else if (endpoint.type === "tcp") {
          endpoint.port = ports.rawsocket;
        } else if (endpoint.type === "unix") {
          endpoint.path = path.join(dir, "router.sock");
        }
      }
    } else if (worker.type === "guest") {
      guests += 1;
      worker.executable = pgwamp_bin;
      worker.arguments = ["--config", path.join(dir, "pgwamp.json")];
      worker.options = { ...(worker.options || {}), workdir: dir };
    }
  }
  assert.equal(guests, 1, "crossbar/.crossbar/config.json should start pgwamp as one guest worker");
  const cbdir = path.join(dir, "node", ".crossbar");
  fs.mkdirSync(cbdir, { recursive: true });
  fs.writeFileSync(path.join(cbdir, "config.json"), JSON.stringify(cb, null, 2));

  const service = JSON.parse(fs.readFileSync(path.join(ROOT, "config", "pgwamp.json"), "utf8"));
  service.router.url = `rs://127.0.0.1:${ports.rawsocket}`;
  service.service.admin = { listen: `127.0.0.1:${ports.admin}` };
  fs.writeFileSync(path.join(dir, "pgwamp.json"), JSON.stringify(service, null, 2));
  return cbdir;
}

describe("scripts/run", { timeout: 400000 }, () => {
  const pgwamp_bin = path.join(process.env.PGWAMP_BINARY_DIR || path.join(ROOT, "build"), "service", "pgwamp");
  let dir;
  let run;
  let output = "";
  let exited;
  const ports = {};

  before(async () => {
    assert.ok(fs.existsSync(pgwamp_bin), `${pgwamp_bin} is not built (target pgwamp)`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pgwamp-run-"));
    fs.chmodSync(dir, 0o711); // the postgres user must reach the cluster inside
    for (const name of ["web", "rawsocket", "pg", "admin"]) ports[name] = await free_port();
    const cbdir = write_configs(dir, ports, pgwamp_bin);
    const env = { ...process.env, PGWAMP_SKIP_BOOTSTRAP: "1", PGWAMP_SKIP_BUILD: "1", PGWAMP_BIN: pgwamp_bin,
                  PGWAMP_CBDIR: cbdir, PGWAMP_RUN_DIR: path.join(dir, "run") };
    for (const name of ["PGWAMP_TICKET", "PGWAMP_WAMPCRA_SECRET", "PGHOST", "PGPORT", "PGUSER", "PGDATABASE", "PGPASSWORD"]) {
      delete env[name];
    }
    run = spawn(path.join(ROOT, "scripts", "run"), ["--pg-port", String(ports.pg)],
      { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    exited = new Promise((resolve) => run.once("exit", (code, signal) => resolve({ code, signal })));
    run.stdout.on("data", (d) => { output += d; });
    run.stderr.on("data", (d) => { output += d; process.stderr.write(d); });
  });

  after(async () => {
    if (run && run.exitCode === null && run.signalCode === null) {
      run.kill("SIGTERM"); // scripts/run stops what it started
      await within(exited, 60000, "scripts/run to stop").catch(() => run.kill("SIGKILL"));
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("comes up and prints the page to open and a psql NOTIFY line that works", async () => {
    const up = new Promise((resolve, reject) => {
      const check = () => { if (/pgwamp is up/.test(output)) resolve(); };
      run.stdout.on("data", check);
      run.once("exit", (code) => reject(new Error(`scripts/run exited with ${code} before it was up:\n${output}`)));
      check();
    });
    await within(up, 240000, "scripts/run to print 'pgwamp is up'");

    const open = /Open\s+(\S+)/.exec(output);
    assert.ok(open, output);
    assert.equal(open[1], `http://127.0.0.1:${ports.web}/`);
    const page = await fetch(open[1]);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /data-testid="conn-state"/);

    const notify = /NOTIFY\s+(psql .*)$/m.exec(output);
    assert.ok(notify, output);
    const sh = (line) => new Promise((resolve, reject) => execFile("bash", ["-c", line], { timeout: 30000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${line}: ${stderr}`)) : resolve(stdout))));
    await sh(notify[1]);
    // The throwaway cluster runs with wal_level=logical: pgwamp consumes its slot.
    const logs = /Logs\s+(\S+)/.exec(output);
    assert.ok(logs, output);
    const log_path = path.isAbsolute(logs[1]) ? logs[1] : path.join(ROOT, logs[1]);
    const deadline = Date.now() + 30000;
    while (!/event=changes_state state=streaming/.test(fs.readFileSync(log_path, "utf8")) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(fs.readFileSync(log_path, "utf8"), /event=changes_state state=streaming/);
    for (const verb of ["Insert", "Update", "Delete"]) {
      const line = new RegExp(`${verb}\\s+(psql .*)$`, "m").exec(output);
      assert.ok(line, `no ${verb} line:\n${output}`);
      await sh(line[1]);
    }
  });

  it("never prints its secrets", () => {
    const run_dir = path.join(dir, "run");
    const secrets = [
      fs.readFileSync(path.join(run_dir, "ticket"), "utf8").trim(),
      fs.readFileSync(path.join(run_dir, "wampcra_secret"), "utf8").trim(),
      fs.readFileSync(path.join(run_dir, "pgpass"), "utf8").trim().split(":").pop(),
    ];
    for (const secret of secrets) {
      assert.ok(secret.length >= 20, "secrets are long random strings");
      assert.ok(!output.includes(secret), "a secret appeared in scripts/run's output");
    }
    for (const name of ["ticket", "wampcra_secret", "pgpass"]) {
      assert.equal(fs.statSync(path.join(run_dir, name)).mode & 0o077, 0, `${name} is readable by others`);
    }
  });

  it("stops PostgreSQL, Crossbar and pgwamp on Ctrl-C and leaves nothing listening", async () => {
    run.kill("SIGINT");
    const { code } = await within(exited, 90000, "scripts/run to stop after SIGINT");
    assert.equal(code, 130, output);
    for (const [name, port] of Object.entries(ports)) {
      assert.equal(await accepts(port), false, `${name} port ${port} still accepts connections`);
    }
    const left = await new Promise((resolve) => execFile("pgrep", ["-f", dir], (err, stdout) => resolve(err ? "" : stdout)));
    assert.equal(left.trim(), "", `processes left behind:\n${left}`);
  });
});
