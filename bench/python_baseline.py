#!/usr/bin/env python3
"""Times the OASIS Python tools on the same inputs as kyoyu's benchmarks.

Usage: python_baseline.py INDICATOR_JSON PATTERN
Prints two lines: `python-validate <objects/s>` and `python-pattern <patterns/s>`
(median of 5 runs each), for bench/stix_core.sh to compare.
"""
import json
import statistics
import sys
import time

from stix2patterns.validator import run_validator
from stix2validator import ValidationOptions, validate_instance


def rate(fn, n):
    runs = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append(n / (time.perf_counter() - start))
    return statistics.median(runs)


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        indicator = json.load(f)
    pattern = sys.argv[2]
    options = ValidationOptions(version="2.1")
    assert validate_instance(indicator, options).is_valid
    assert run_validator(pattern, stix_version="2.1") == []
    print(f"python-validate {rate(lambda: validate_instance(indicator, options), 200):.0f}")
    print(f"python-pattern {rate(lambda: run_validator(pattern, stix_version='2.1'), 2000):.0f}")


if __name__ == "__main__":
    main()
