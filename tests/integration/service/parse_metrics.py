#!/usr/bin/env python3
"""Parses Prometheus text exposition format with prometheus_client's own
parser (the reference implementation, not ours) and prints the samples as
JSON for the admin-listener test: {"types": {family: type}, "samples":
[[name, {label: value}, value], ...]}. A text the parser refuses exits 1
with its error, so the test fails with it."""

import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main() -> int:
    text = open(sys.argv[1], encoding="utf-8").read()
    out = {"types": {}, "samples": []}
    try:
        for family in text_string_to_metric_families(text):
            out["types"][family.name] = family.type
            for sample in family.samples:
                out["samples"].append([sample.name, sample.labels, sample.value])
    except Exception as e:  # the parser raises ValueError and others: all mean "not valid"
        print(f"parse_metrics: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
