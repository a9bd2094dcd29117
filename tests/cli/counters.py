#!/usr/bin/env python3
"""Two Prometheus text expositions, scraped in this order: every series of
a counter (and of a histogram or summary, whose series Prometheus treats as
counters) present in both must not have gone down.
  counters.py FIRST.prom SECOND.prom   exit 0, or 1 naming the series"""
import re
import sys

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)')


def counters(path):
    types, out = {}, {}
    for line in open(path, encoding="utf-8"):
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split()
            types[name] = kind
            continue
        m = SAMPLE.match(line)
        if not m or line.startswith("#"):
            continue
        name = m.group(1)
        family = name
        for suffix in ("_bucket", "_sum", "_count"):
            if name.endswith(suffix) and types.get(name[: -len(suffix)]) in ("histogram", "summary"):
                family = name[: -len(suffix)]
        if types.get(family) in ("counter", "histogram", "summary"):
            out[name + (m.group(2) or "")] = float(m.group(3))
    return out


def main():
    a, b = counters(sys.argv[1]), counters(sys.argv[2])
    if not a:
        print("no counter in %s" % sys.argv[1])
        return 1
    down = [(k, a[k], b[k]) for k in a if k in b and b[k] < a[k]]
    for k, x, y in down:
        print("counter went down: %s %g -> %g" % (k, x, y))
    return 1 if down else 0


sys.exit(main())
