#!/usr/bin/env bash
# Console benchmark: kyoyu (release, SQLite) with OBJECTS indicators in the
# national collection (bench/taxii-load), then the console's pages timed as
# a signed-in member (bench/console_load.py): dashboard, browse (all
# communities and one), an object's page, search by rare and common text and
# by an observable value. Prints p50 and p95 per page.
# Usage: bench/console.sh [OBJECTS] [REQUESTS]   (defaults: 1000000 200)
#   KYOYU_BIN=path runs another kyoyu binary instead of building this one.
#   BENCH_DATA=dir keeps (and reuses) the loaded data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-1000000}
requests=${2:-200}
bin=${KYOYU_BIN:-./target/release/kyoyu}
[ -z "${KYOYU_BIN:-}" ] && cargo build --release --quiet -p kyoyu
CARGO_TARGET_DIR=target/taxii-load cargo build --release --quiet --manifest-path bench/taxii-load/Cargo.toml
load=target/taxii-load/release/taxii-load
data=${BENCH_DATA:-$(mktemp -d)/data}
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --rate-limit 0 >"$data.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do [ -s "$data/admin-token" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export KYOYU_URL=http://127.0.0.1:$port KYOYU_TOKEN=$(cat "$data/admin-token")
if [ ! -e "$data/.bench-loaded" ]; then
    echo "== loading $objects indicators"
    "$load" "$KYOYU_URL/hub/collections/national/" admin "$KYOYU_TOKEN" "$objects" --lookups 0 --type-pages 0 --page 1000 | grep ingest
    "$bin" org create bench-power --kind operator --sector electricity --name "Bench Power" >/dev/null
    touch "$data/.bench-loaded"
fi
login="bench.$RANDOM"
password=$("$bin" user create "$login" --org bench-power --role member --name "Bench")
last=$((objects - 1))
id=$(printf 'indicator--%08x-%04x-4000-8000-%012x' "$last" $((last % 65536)) "$last")
value="10.$(( (last >> 16) & 255 )).$(( (last >> 8) & 255 )).$(( last & 255 ))"
echo "== waiting for the search index to catch up"
started=$(date +%s)
until curl -sf -H "Authorization: Bearer $KYOYU_TOKEN" "$KYOYU_URL/api/search?value=$value" | grep -q "$value"; do sleep 1; done
echo "indexed $(( $(date +%s) - started )) s after the load"
echo "== console pages, $requests requests each, $objects objects stored"
python3 bench/console_load.py "$KYOYU_URL" "$login" "$password" "$requests" \
    /console \
    /console/intelligence \
    "/console/intelligence?community=national" \
    "/console/intelligence/$id" \
    "/console/search?q=Indicator+$last" \
    "/console/search?q=bench" \
    "/console/search?value=$value"
