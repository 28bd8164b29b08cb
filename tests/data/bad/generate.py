#!/usr/bin/env python3
"""Writes the hostile inputs too big to commit (see README.md and MANIFEST.tsv).

Usage: generate.py OUT_DIR    (the build runs it: tests/integration/CMakeLists.txt)

Every file is deterministic: the same bytes on every run, so a DLQ record can be
matched to its input by its payload.
"""
import os
import sys

T = "2026-11-22T09:59:00.000Z"  # the tests' clock is 2026-11-22T10:00:00Z


def event(user, extra):
    return '{"type":"track","event":"Good Event","userId":"%s","timestamp":"%s",%s}' % (user, T, extra)


def nest(levels, inner="1"):
    return "[" * levels + inner + "]" * levels


def numbers_until(size):
    """A JSON array of consecutive integers, about `size` bytes long."""
    out, n, total = [], 0, 2
    while total < size:
        s = str(n)
        out.append(s)
        total += len(s) + 1
        n += 1
    return "[" + ",".join(out) + "]"


CASES = {
    # Over engine.max_event_bytes / ingest.max_event_bytes (32 KiB).
    "huge_string_40k.json": event("bad-huge-40k", '"properties":{"pad":"%s"}' % ("x" * 40_000)),
    # Over the DLQ's 64 KiB payload cap too: the DLQ record keeps the first 64 KiB.
    "huge_string_200k.json": event("bad-huge-200k", '"properties":{"pad":"%s"}' % ("y" * 200_000)),
    "huge_array_60k.json": event("bad-huge-array", '"properties":{"items":%s}' % numbers_until(60_000)),
    # Big but within every limit (32 KiB with the collector's fields): accepted.
    "big_array_within_limits.json": event("odd-big-array", '"properties":{"items":%s}' % numbers_until(28_000)),
    "many_keys_within_limits.json": event(
        "odd-many-keys", '"properties":{%s}' % ",".join('"k%d":%d' % (i, i) for i in range(2_500))),
    "long_key.json": event("odd-long-key", '"properties":{"%s":1}' % ("k" * 20_000)),
    "long_event_name.json": '{"type":"track","event":"%s","userId":"odd-long-event","timestamp":"%s"}'
    % ("E" * 20_000, T),
    # Nesting. The decoder's limit: a value at most 64 levels below a top-level field's value
    # (properties = level 0, properties.a = 1, ...). simdjson's own DOM limit is 1024.
    "deep_nesting_at_limit.json": event("odd-deep-64", '"properties":{"a":%s}' % nest(63, "[]")),
    "deep_nesting_over_limit.json": event("bad-deep-65", '"properties":{"a":%s}' % nest(64, "[]")),
    "deep_nesting_10000.json": event("bad-deep-10000", '"properties":{"a":%s}' % nest(10_000)),
    "deep_objects_5000.json": event("bad-deep-objects", '"properties":%s' % ('{"a":' * 5_000 + "1" + "}" * 5_000)),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, text in CASES.items():
        data = text.encode()
        path = os.path.join(out, name)
        try:  # don't touch an unchanged file (keeps the build incremental)
            with open(path, "rb") as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            pass
        with open(path, "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
