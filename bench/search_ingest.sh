#!/usr/bin/env bash
# What the search index costs ingest: the same TAXII load (bench/taxii-load,
# envelopes of 500, 2 clients) into a fresh hub built before the search
# index (OLD_BIN) and into this build, alternating, RUNS times each; then,
# for this build, how long after the load the last object is searchable.
# Usage: OLD_BIN=path bench/search_ingest.sh [OBJECTS] [RUNS]   (defaults: 200000 3)
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-200000}
runs=${2:-3}
old=${OLD_BIN:?set OLD_BIN to a kyoyu binary built before the search index (commit b1c6210)}
new=${KYOYU_BIN:-./target/release/kyoyu}
[ -z "${KYOYU_BIN:-}" ] && cargo build --release --quiet -p kyoyu
CARGO_TARGET_DIR=target/taxii-load cargo build --release --quiet --manifest-path bench/taxii-load/Cargo.toml
load=target/taxii-load/release/taxii-load
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; rm -rf "$work"' EXIT
last=$((objects - 1))
value="10.$(( (last >> 16) & 255 )).$(( (last >> 8) & 255 )).$(( last & 255 ))"
one() {  # name binary
    local dir=$work/$1-$RANDOM port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$2" serve --data "$dir" --listen "127.0.0.1:$port" --rate-limit 0 >"$dir.log" 2>&1 &
    pid=$!
    for _ in $(seq 200); do [ -s "$dir/admin-token" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
    local token; token=$(cat "$dir/admin-token")
    local started; started=$(date +%s.%N)
    local rate; rate=$("$load" "http://127.0.0.1:$port/hub/collections/national/" admin "$token" "$objects" --lookups 1 --type-pages 1 --page 1000 | awk '/^ingest/ {print $2}')
    local loaded; loaded=$(date +%s.%N)
    local searchable=-
    if [ "$1" = new ]; then
        until curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/search?value=$value" | grep -q "$value"; do sleep 0.2; done
        searchable=$(python3 -c "print(f'{$(date +%s.%N) - $loaded:.1f}')")
    fi
    kill $pid; wait $pid 2>/dev/null || true; pid=
    echo "$1 ingest $rate objects/s; searchable ${searchable} s after the load"
}
for _ in $(seq "$runs"); do one old "$old"; one new "$new"; done | tee "$work/out"
python3 - "$work/out" <<'PY'
import statistics, sys
rates = {"old": [], "new": []}
for line in open(sys.argv[1]):
    name, _, rate = line.split()[:3]
    rates[name].append(float(rate))
o, n = statistics.median(rates["old"]), statistics.median(rates["new"])
print(f"median ingest: before the index {o:,.0f}/s, with it {n:,.0f}/s; ingest time +{(o / n - 1) * 100:.0f}%")
PY
