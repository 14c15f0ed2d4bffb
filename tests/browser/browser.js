// Launches Debian's Chromium headless through playwright-core (which ships no
// browser of its own), in a fresh profile that is deleted afterwards.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

let chromium;
try {
  ({ chromium } = require("playwright-core"));
} catch (err) {
  throw new Error(`playwright-core is missing in tests/browser/node_modules: run scripts/bootstrap (${err.message})`);
}

const CHROMIUM = process.env.PGWAMP_CHROMIUM || "/usr/bin/chromium";
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run",
];

async function launch({ width = 1280, height = 900 } = {}) {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/bootstrap`);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "pgwamp-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width, height },
  });
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        fs.rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

module.exports = { launch };
