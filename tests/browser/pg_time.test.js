// Pure-logic test of the timestamp parser the browser test relies on.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const { parse_pg_timestamp } = require("./pg_time.js");

test("PostgreSQL text form with microseconds and a +00 zone", () => {
  assert.equal(parse_pg_timestamp("2026-11-21 07:25:40.796037+00"), Date.UTC(2026, 10, 21, 7, 25, 40, 796));
});

test("zone offsets with and without minutes", () => {
  const utc = Date.UTC(2026, 10, 21, 7, 25, 40);
  assert.equal(parse_pg_timestamp("2026-11-21 09:25:40+02"), utc);
  assert.equal(parse_pg_timestamp("2026-11-21 02:25:40-05:00"), utc);
  assert.equal(parse_pg_timestamp("2026-11-21 13:00:40+0535"), utc);
});

test("ISO 8601 with T and Z", () => {
  assert.equal(parse_pg_timestamp("2026-11-21T07:25:40.5Z"), Date.UTC(2026, 10, 21, 7, 25, 40, 500));
});

test("rejects text that is not a zoned timestamp", () => {
  for (const bad of ["", "—", "now", "2026-11-21", "2026-11-21 07:25:40", "wamp.error.invalid_argument: x"]) {
    assert.ok(Number.isNaN(parse_pg_timestamp(bad)), bad);
  }
});
