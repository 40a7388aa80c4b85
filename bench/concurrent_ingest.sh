#!/usr/bin/env bash
# Memory under concurrent ingest: 200 TAXII clients post envelopes of 20
# indicators at once (bench/taxii-load --concurrency 200 --envelope 20)
# against kyoyu on SQLite, with the body bound off (--bodies-in-flight 0)
# and at its default; prints ingest rate, peak and final resident memory
# (VmHWM, VmRSS from /proc) of each, over ROUNDS runs (medians).
# Usage: bench/concurrent_ingest.sh [OBJECTS] [ROUNDS]   (default 20000 3)
#   KYOYU_BIN=path  another kyoyu binary (e.g. an older build) with BOUNDS=none
#   BOUNDS="0 8"    the --bodies-in-flight values to run ("none": leave the flag out)
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-20000}
rounds=${2:-3}
bin=${KYOYU_BIN:-./target/release/kyoyu}
[ -z "${KYOYU_BIN:-}" ] && cargo build --release --quiet -p kyoyu
CARGO_TARGET_DIR=target/taxii-load cargo build --release --quiet --manifest-path bench/taxii-load/Cargo.toml
load=target/taxii-load/release/taxii-load
work=$(mktemp -d)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
kib() { awk -v k="$1" '$1 == k":" {print $2}' "/proc/$pid/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

for bound in ${BOUNDS:-0 8}; do
    rates=(); peaks=(); finals=()
    for r in $(seq "$rounds"); do
        data="$work/b$bound-r$r"; port=$(free_port)
        flag=(); [ "$bound" != none ] && flag=(--bodies-in-flight "$bound")
        "$bin" serve --data "$data" --listen "127.0.0.1:$port" --rate-limit 0 "${flag[@]}" >"$data.log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do [ -s "$data/admin-token" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
        token=$(cat "$data/admin-token")
        col=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$port/hub/collections/" |
            python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin)["collections"] if c.get("alias") == "national"))')
        out=$("$load" "http://127.0.0.1:$port/hub/collections/$col/" x "$token" "$objects" \
            --envelope 20 --concurrency 200 --lookups 0 --type-pages 0 --page 1000)
        rates+=("$(awk '$1 == "ingest" {print $2}' <<<"$out")")
        peaks+=("$(kib VmHWM)"); finals+=("$(kib VmRSS)")
        kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
    done
    echo "bodies-in-flight=$bound: ingest $(printf '%s\n' "${rates[@]}" | median) objects/s," \
        "peak RSS $(( $(printf '%s\n' "${peaks[@]}" | median | cut -d. -f1) / 1024 )) MB," \
        "RSS after $(( $(printf '%s\n' "${finals[@]}" | median | cut -d. -f1) / 1024 )) MB" \
        "(medians of $rounds; each: $objects objects, 200 clients, envelopes of 20)"
done
