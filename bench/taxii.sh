#!/usr/bin/env bash
# TAXII benchmark: the same workload (bench/taxii-load) against kyoyu,
# OpenTAXII 0.9.3 and medallion 3.0.0 started side by side on this machine.
# Usage: bench/taxii.sh [PEER_OBJECTS] [KYOYU_SIZES...]
#   With BENCH_POSTGRES=postgres://user@host:port (e.g. from `scripts/postgres`),
#   kyoyu's scaling run is repeated on PostgreSQL.
#   PEER_OBJECTS  objects for the three-way comparison (default 5000)
#   KYOYU_SIZES   sizes for kyoyu's scaling run (default: 10000 100000 1000000)
#   KYOYU_BIN=path runs another kyoyu binary (an older build) instead of building this one.
# Prints one block per run and the ratios; figures go to bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
peer_objects=${1:-5000}
shift || true
sizes=("${@:-10000 100000 1000000}")
[ $# -eq 0 ] && sizes=(10000 100000 1000000)

bin=${KYOYU_BIN:-./target/release/kyoyu}
[ -z "${KYOYU_BIN:-}" ] && cargo build --release --quiet -p kyoyu
CARGO_TARGET_DIR=target/taxii-load cargo build --release --quiet --manifest-path bench/taxii-load/Cargo.toml
load=target/taxii-load/release/taxii-load
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

start_kyoyu() {  # data-dir port [database-url] -> prints collection url, token and pid
    "$bin" serve --data "$1" --listen "127.0.0.1:$2" --rate-limit 0 ${3:+--database-url "$3"} >"$1.log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$1/admin-token" ] && curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && break; sleep 0.1; done
    token=$(cat "$1/admin-token")
    col=$(curl -s -H "Authorization: Bearer $token" "http://127.0.0.1:$2/hub/collections/" |
        python3 -c 'import json,sys; print(next(c["id"] for c in json.load(sys.stdin)["collections"] if c.get("alias") == "national"))')
    echo "http://127.0.0.1:$2/hub/collections/$col/ $token $!"
}

run() {  # name url user pass objects [extra args]
    local name=$1 url=$2 user=$3 pass=$4 n=$5
    shift 5
    echo "== $name ($n objects)"
    $load "$url" "$user" "$pass" "$n" "$@" | sed "s/^/$name /"
}

results=$work/results
: >"$results"

# Three-way comparison on the same workload (PEER_OBJECTS=0 skips it).
if [ "$peer_objects" != 0 ]; then
read -r kurl ktoken _ < <(start_kyoyu "$work/kyoyu-peer" "$(free_port)")
run kyoyu "$kurl" x "$ktoken" "$peer_objects" | tee -a "$results"
eval "$(../shared/peers/opentaxii.sh "$(free_port)" | sed 's/^/OT_/')"
pids+=("$OT_PID")
run opentaxii "$OT_URL" "$OT_USER" "$OT_PASS" "$peer_objects" --concurrency 1 --lookups 20 --type-pages 1 | tee -a "$results"
eval "$(../shared/peers/medallion.sh "$(free_port)" | sed 's/^/MD_/')"
pids+=("$MD_PID")
run medallion "$MD_URL" "$MD_USER" "$MD_PASS" "$peer_objects" --concurrency 1 --lookups 20 --type-pages 1 | tee -a "$results"

echo
echo "== ratios (kyoyu / peer; for latencies peer / kyoyu)"
python3 - "$results" <<'PY'
import sys
vals = {}
for line in open(sys.argv[1]):
    if line.startswith("=="):
        continue
    name, metric, value, *_ = line.split()
    vals[(name, metric)] = float(value)
for peer in ("opentaxii", "medallion"):
    for metric, higher_is_better in (("ingest", True), ("read", True), ("match_id_p50", False), ("match_type_first_page", False)):
        k, p = vals.get(("kyoyu", metric)), vals.get((peer, metric))
        if k and p:
            ratio = k / p if higher_is_better else p / k
            print(f"{peer:10s} {metric:22s} kyoyu {k:12.2f}  {peer} {p:12.2f}  ratio {ratio:8.1f}x")
PY
fi

# kyoyu alone, scaling.
for n in "${sizes[@]}"; do
    read -r kurl ktoken kpid < <(start_kyoyu "$work/kyoyu-$n" "$(free_port)")
    run "kyoyu-$n" "$kurl" x "$ktoken" "$n" --lookups 1000
    echo "kyoyu-$n rss $(( $(ps -o rss= -p "$kpid") / 1024 )) MB"
    echo "kyoyu-$n database $(du -sm "$work/kyoyu-$n" | cut -f1) MB"
    kill "$kpid"
done

# kyoyu alone on PostgreSQL, same sizes.
if [ -n "${BENCH_POSTGRES:-}" ]; then
    for n in "${sizes[@]}"; do
        db="kyoyu_bench_${n}_$$"
        psql -q "$BENCH_POSTGRES/postgres" -c "CREATE DATABASE $db"
        read -r kurl ktoken kpid < <(start_kyoyu "$work/kyoyu-pg-$n" "$(free_port)" "$BENCH_POSTGRES/$db")
        run "kyoyu-pg-$n" "$kurl" x "$ktoken" "$n" --lookups 1000
        echo "kyoyu-pg-$n rss $(( $(ps -o rss= -p "$kpid") / 1024 )) MB"
        kill "$kpid"
        psql -q "$BENCH_POSTGRES/postgres" -c "DROP DATABASE $db" || true
    done
fi
