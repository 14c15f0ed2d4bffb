// Parses the timestamps the page shows: PostgreSQL's text form of timestamptz
// ("2026-11-21 07:25:40.796037+00") or ISO 8601 ("2026-11-21T07:25:40Z").
// JavaScript's Date.parse accepts neither "+00" nor microseconds reliably.
"use strict";

const PATTERN = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)$/;

// Returns milliseconds since the epoch, or NaN when the text is not a
// timestamp with a time zone (a zone-less time cannot be compared to ours).
function parse_pg_timestamp(text) {
  const m = PATTERN.exec(String(text).trim());
  if (!m) return NaN;
  const [, date, time, fraction = "", zone] = m;
  const millis = (fraction + "000").slice(0, 3);
  let offset = "Z";
  if (zone !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    offset = `${zone[0]}${digits.slice(0, 2)}:${(digits.slice(2) || "00").padEnd(2, "0")}`;
  }
  return Date.parse(`${date}T${time}.${millis}${offset}`);
}

module.exports = { parse_pg_timestamp };
