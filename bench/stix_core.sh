#!/usr/bin/env bash
# STIX core benchmark: kyoyu's validator and pattern parser against the OASIS
# Python tools on the same indicator and pattern, in one run. Prints rates
# (medians) and ratios. Usage: bench/stix_core.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv && .venv/bin/pip install --quiet -r tests/oracle/requirements.txt
fi
pattern="[ipv4-addr:value = '198.51.100.1']"

# divan prints per-benchmark medians; with an items counter, the throughput row gives items/s.
out=$(cargo bench --quiet -p kyoyu-validate -p kyoyu-pattern 2>/dev/null)
echo "$out"
# Median throughput column of a bench line (the throughput row follows the time row).
rate() { echo "$out" | grep -A1 -E "$1" | tail -1 | awk -F'│' '{print $4}' | xargs; }
to_per_s() {  # "1.23 Mitem/s" -> 1230000
    python3 -c "import sys;v,u=sys.argv[1].split();m={'item/s':1,'Kitem/s':1e3,'Mitem/s':1e6,'Gitem/s':1e9}[u];print(int(float(v)*m))" "$1"
}
kv=$(to_per_s "$(rate '├─ indicator_from_value')")
kt=$(to_per_s "$(rate '├─ indicator_from_text|╰─ indicator_from_text')")
kp=$(to_per_s "$(rate "$pattern")")
read -r _ pv < <(.venv/bin/python bench/python_baseline.py bench/data/indicator.json "$pattern" | grep python-validate)
read -r _ pp < <(.venv/bin/python bench/python_baseline.py bench/data/indicator.json "$pattern" | grep python-pattern)
echo
echo "validate indicator (parsed value)   kyoyu ${kv}/s"
echo "validate indicator (text, strict)   kyoyu ${kt}/s   stix2-validator ${pv}/s   ratio $(( kt / (pv > 0 ? pv : 1) ))x"
echo "parse simple pattern                kyoyu ${kp}/s   stix2-patterns ${pp}/s   ratio $(( kp / (pp > 0 ? pp : 1) ))x"
