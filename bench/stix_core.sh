#!/usr/bin/env bash
# STIX core benchmark: kyoyu's validator and pattern parser against the OASIS
# Python tools on the same indicators and pattern, in one run. Prints the
# medians (items per second, one core) and the ratios.
# Usage: bench/stix_core.sh     (figures in bench/README.md)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv && .venv/bin/pip install --quiet -r tests/oracle/requirements.txt
fi
pattern="[ipv4-addr:value = '198.51.100.1']"

rates=$(cargo bench --quiet -p kyoyu-validate -p kyoyu-pattern 2>/dev/null | python3 bench/divan_rates.py)
python=$(.venv/bin/python bench/python_baseline.py "$pattern" bench/data/indicator-typical.json bench/data/indicator.json)
echo "$rates"
echo "$python"
echo
get() {  # the rate of one key (keys may contain spaces)
    printf '%s\n%s\n' "$rates" "$python" | python3 -c '
import sys
key = sys.argv[1]
for line in sys.stdin:
    name, _, value = line.rstrip("\n").rpartition(" ")
    if name == key:
        print(value)' "$1"
}
row() {  # label, kyoyu key, python key
    local k p
    k=$(get "$2"); p=$(get "$3")
    printf '%-44s kyoyu %10s/s   python %8s/s   ratio %sx\n' "$1" "$k" "$p" "$(( k / (p > 0 ? p : 1) ))"
}
row "validate typical indicator (parsed JSON)" "indicator_from_value/typical" "python-validate/indicator-typical.json"
row "validate rich indicator (parsed JSON)" "indicator_from_value/rich" "python-validate/indicator.json"
row "parse + validate rich indicator (--strict)" "indicator_from_text/rich" "python-validate/indicator.json"
row "parse simple pattern" "parse/$pattern" "python-pattern"
