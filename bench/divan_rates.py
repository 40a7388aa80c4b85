#!/usr/bin/env python3
"""Reads divan's output on stdin; prints `bench/arg median_items_per_second` lines."""
import re
import sys

UNITS = {"item/s": 1, "Kitem/s": 1e3, "Mitem/s": 1e6, "Gitem/s": 1e9}
RATE = re.compile(r"([0-9.]+) ([KMG]?item/s)")
NAME = re.compile(r"^([│ ]*)[├╰]─ (\S.*?)\s{2,}")

parents = {}
last = None
for line in sys.stdin:
    m = NAME.match(line)
    if m:
        depth = len(m.group(1)) // 3
        parents[depth] = m.group(2).strip()
        last = "/".join(parents[d] for d in range(depth + 1))
        continue
    rates = RATE.findall(line)
    if last and len(rates) >= 3:
        value, unit = rates[2]  # fastest, slowest, median
        print(f"{last} {float(value) * UNITS[unit]:.0f}")
        last = None
