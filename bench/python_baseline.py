#!/usr/bin/env python3
"""Times the OASIS Python tools on the same inputs as kyoyu's benchmarks.

Usage: python_baseline.py PATTERN INDICATOR_JSON...
Prints `python-validate/<file> <objects/s>` per indicator and
`python-pattern <patterns/s>` (medians of 5 runs), for bench/stix_core.sh.
"""
import json
import os
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
    pattern = sys.argv[1]
    options = ValidationOptions(version="2.1")
    for path in sys.argv[2:]:
        with open(path, encoding="utf-8") as f:
            indicator = json.load(f)
        assert validate_instance(indicator, options).is_valid, path
        name = os.path.basename(path)
        print(f"python-validate/{name} {rate(lambda: validate_instance(indicator, options), 200):.0f}")
    assert run_validator(pattern, stix_version="2.1") == []
    print(f"python-pattern {rate(lambda: run_validator(pattern, stix_version='2.1'), 2000):.0f}")


if __name__ == "__main__":
    main()
