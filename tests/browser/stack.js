// Client for the stack harness (tests/support/pgwamp_stack): it starts
// PostgreSQL, Crossbar and pgwamp, prints one JSON line when all is up, then
// answers one JSON line per command read from stdin.
"use strict";
const { spawn } = require("node:child_process");
const readline = require("node:readline");
const fs = require("node:fs");
const path = require("node:path");

function harness_path() {
  if (process.env.PGWAMP_STACK) return process.env.PGWAMP_STACK;
  const bin = process.env.PGWAMP_BINARY_DIR;
  if (!bin) throw new Error("PGWAMP_BINARY_DIR is not set (ctest sets it; or set PGWAMP_STACK)");
  return path.join(bin, "tests", "support", "pgwamp_stack");
}

// Rejects after `ms` with a message naming what we waited for.
function within(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

class Stack {
  constructor() {
    this.lines = [];     // JSON lines not yet claimed
    this.waiters = [];   // resolve functions waiting for the next line
    this.exited = null;  // {code, signal} once the harness is gone
    this.info = null;    // the ready line: page_url, ws_url, conninfo
  }

  async start(ready_timeout_ms = 180000) {
    const bin = harness_path();
    if (!fs.existsSync(bin)) {
      throw new Error(`stack harness not found at ${bin}: build the pgwamp_stack target first`);
    }
    // The harness's own logs go to our stderr, so a failing run shows them.
    this.child = spawn(bin, [], { stdio: ["pipe", "pipe", "inherit"] });
    this.child.on("exit", (code, signal) => {
      this.exited = { code, signal };
      for (const w of this.waiters.splice(0)) w.reject(new Error(`pgwamp_stack exited (code ${code}, signal ${signal})`));
    });
    this.child.on("error", (err) => {
      for (const w of this.waiters.splice(0)) w.reject(err);
    });
    this.child.stdin.on("error", () => {}); // EPIPE when it died: reported via exit
    const rl = readline.createInterface({ input: this.child.stdout });
    rl.on("line", (line) => this.on_line(line));
    this.info = await within(this.next_line(), ready_timeout_ms, "pgwamp_stack to report ready");
    for (const key of ["page_url", "ws_url", "conninfo"]) {
      if (typeof this.info[key] !== "string") throw new Error(`ready line lacks ${key}: ${JSON.stringify(this.info)}`);
    }
    return this.info;
  }

  on_line(line) {
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      process.stderr.write(`pgwamp_stack (not JSON): ${line}\n`);
      return;
    }
    const waiter = this.waiters.shift();
    if (waiter) waiter.resolve(msg);
    else this.lines.push(msg);
  }

  next_line() {
    if (this.lines.length) return Promise.resolve(this.lines.shift());
    if (this.exited) return Promise.reject(new Error(`pgwamp_stack exited (code ${this.exited.code})`));
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  // Sends one command and returns its answer; throws when the answer is not ok.
  async command(cmd, timeout_ms = 120000) {
    if (this.exited) throw new Error(`pgwamp_stack is gone, cannot ${cmd}`);
    this.child.stdin.write(cmd + "\n");
    const answer = await within(this.next_line(), timeout_ms, `pgwamp_stack to answer ${cmd}`);
    if (!answer || answer.ok !== true) throw new Error(`${cmd} failed: ${JSON.stringify(answer)}`);
    return answer;
  }

  // quit, then close stdin (which also means stop), then signals as a last resort.
  async stop() {
    if (!this.child || this.exited) return;
    const gone = new Promise((resolve) => this.child.once("exit", resolve));
    try {
      this.child.stdin.write("quit\n");
      this.child.stdin.end();
    } catch { /* already closed */ }
    try {
      await within(gone, 60000, "pgwamp_stack to quit");
    } catch {
      this.child.kill("SIGTERM");
      try {
        await within(gone, 15000, "pgwamp_stack to stop on SIGTERM");
      } catch {
        this.child.kill("SIGKILL");
      }
    }
  }
}

module.exports = { Stack, within };
