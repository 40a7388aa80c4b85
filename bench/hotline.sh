#!/usr/bin/env bash
# Hotline fan-out: kyoyu (release, SQLite) with SUBSCRIBERS national-centre
# officers connected to the live stream (GET /api/hotline/stream) and 50
# operators of another organization connected too; then CALLS hotline calls
# raised one after another. Prints, over every (call, entitled subscriber),
# how long the call took from the raise to reach the subscriber: p50, p99,
# max; and checks every entitled subscriber got every call and no other
# operator got any (bench/hotline_load.py).
# Usage: bench/hotline.sh [SUBSCRIBERS] [CALLS]   (defaults: 1000 20)
#   KYOYU_BIN=path runs another kyoyu binary instead of building this one.
set -euo pipefail
cd "$(dirname "$0")/.."
subscribers=${1:-1000}
calls=${2:-20}
bin=${KYOYU_BIN:-./target/release/kyoyu}
[ -z "${KYOYU_BIN:-}" ] && cargo build --release --quiet -p kyoyu
data=$(mktemp -d)/data
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ulimit -n 8192 || true
# Every subscriber comes from loopback: lift the per-address connection cap.
"$bin" serve --data "$data" --listen "127.0.0.1:$port" --rate-limit 0 --max-connections-per-address $((subscribers + 200)) >"$data.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 200); do [ -s "$data/admin-token" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
export KYOYU_URL=http://127.0.0.1:$port KYOYU_TOKEN=$(cat "$data/admin-token")
"$bin" org create bench-power --kind operator --sector electricity --name "Bench Power" >/dev/null
"$bin" org create bench-gas --kind operator --sector gas --name "Bench Gas" >/dev/null
"$bin" org create bench-centre --kind national-centre --name "Bench Centre" >/dev/null
token() { "$bin" token create --org "$1" --role "$2" --name bench --json | python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'; }
python3 -u bench/hotline_load.py "$KYOYU_URL" "$(token bench-power member)" "$(token bench-centre national-centre-officer)" \
    "$(token bench-gas member)" "$subscribers" "$calls"
