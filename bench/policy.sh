#!/usr/bin/env bash
# What access control costs: the TAXII workload (bench/taxii-load) on one
# hub with 106 organizations, run three ways, each on a fresh community
# collection of electricity operators:
#   open      the hub admin posts unmarked objects and reads them: the policy
#             grants everything (unmarked counts as the community's AMBER
#             default, so pages are audited);
#   marked    the hub admin posts and reads the same mixed-marked objects as
#             below: same bytes on the wire, audited, nothing withheld;
#   enforced  an electricity operator posts objects with mixed TLP markings
#             (CLEAR, GREEN, AMBER, AMBER+STRICT, RED; half the RED ones
#             name the reader), and a second operator reads them (90%: all
#             but the RED ones naming nobody): the policy decides every
#             object and each page of AMBER-or-above content is audited.
# Each way runs ROUNDS times, alternating; prints the medians and the ratios
# enforced/open and enforced/marked (latencies inverted).
# Usage: bench/policy.sh [OBJECTS] [ROUNDS]   (defaults 100000, 3)
#   KYOYU_BIN=path runs another kyoyu binary (an older build) instead of building this one.
#   WAYS="enforced" runs only the ways named (default "open marked enforced").
#   INGEST_ONLY=1 skips the reads, lookups and pages.
#   SERVER_WRAP="valgrind --tool=callgrind --callgrind-out-file=F" runs the hub under a tool, for
#   instruction counts that this shared machine's load does not move (bench/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
objects=${1:-100000}
rounds=${2:-3}
ways=${WAYS:-open marked enforced}

bin=${KYOYU_BIN:-./target/release/kyoyu}
[ -z "${KYOYU_BIN:-}" ] && cargo build --release --quiet -p kyoyu
CARGO_TARGET_DIR=target/taxii-load cargo build --release --quiet --manifest-path bench/taxii-load/Cargo.toml
load=target/taxii-load/release/taxii-load
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
${SERVER_WRAP:-} "$bin" serve --data "$work/data" --listen "127.0.0.1:$port" --rate-limit 0 >"$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1200); do [ -s "$work/data/admin-token" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
admin=$(cat "$work/data/admin-token")

# 100 organizations across the sectors; one fresh community per run, so
# every run starts from an empty collection.
python3 - "http://127.0.0.1:$port" "$admin" "$rounds" >"$work/setup" <<'PY'
import json, sys, urllib.request
base, admin, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
def call(method, path, body=None, token=admin):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.load(r) if r.status != 204 else None
sectors = [s["id"] for s in call("GET", "/api/sectors")["sectors"]]
for i in range(96):
    call("POST", "/api/orgs", {"id": f"op-{i:03d}", "kind": "operator", "name": f"Operator {i}", "sectors": [sectors[i % len(sectors)]]})
for i in range(3):
    call("POST", "/api/orgs", {"id": f"vendor-{i}", "kind": "supplier", "name": f"Vendor {i}"})
call("POST", "/api/orgs", {"id": "nisc", "kind": "national-centre", "name": "National centre"})
call("PUT", "/api/orgs/op-005/suppliers/vendor-0")
writer = call("POST", "/api/tokens", {"org": "op-005", "role": "member"})["token"]
reader = call("POST", "/api/tokens", {"org": "op-020", "role": "member"})["token"]
members = [o for o in call("GET", "/api/orgs")["orgs"] if "electricity" in o.get("sectors", []) and o["kind"] == "operator"]
for r in range(rounds):
    for way in ("open", "marked", "enforced"):
        cid = f"bench-{way}-{r}"
        call("POST", "/api/communities", {"id": cid, "kind": "custom", "default_tlp": "amber"})
        for o in members:
            call("PUT", f"/api/communities/{cid}/members/{o['id']}", {"role": "member"})
        col = next(c for c in call("GET", "/hub/collections/")["collections"] if c.get("alias") == cid)
        print(way, r, f"{base}/hub/collections/{col['id']}/")
print("writer", writer)
print("reader", reader)
print("orgs", len(call("GET", "/api/orgs")["orgs"]))
PY
writer=$(awk '$1 == "writer" {print $2}' "$work/setup")
reader=$(awk '$1 == "reader" {print $2}' "$work/setup")
echo "== $(awk '$1 == "orgs" {print $2}' "$work/setup") organizations; writer op-005 and reader op-020 are electricity operators; $objects objects per run"

results=$work/results
: >"$results"
reads() { [ -z "${INGEST_ONLY:-}" ]; }
for r in $(seq 0 $((rounds - 1))); do
    for way in $ways; do
        url=$(awk -v w="$way" -v r="$r" '$1 == w && $2 == r {print $3}' "$work/setup")
        case $way in
        open) reads && $load "$url" x "$admin" "$objects" --lookups 1000 --type-pages 50 | sed "s/^/open /" | tee -a "$results"
            reads || $load "$url" x "$admin" "$objects" --lookups 0 --type-pages 1 | grep '^ingest' | sed "s/^/open /" | tee -a "$results" ;;
        marked) reads && $load "$url" x "$admin" "$objects" --mixed-markings op-020 --lookups 1000 --type-pages 50 | sed "s/^/marked /" | tee -a "$results"
            reads || $load "$url" x "$admin" "$objects" --mixed-markings op-020 --lookups 0 --type-pages 1 | grep '^ingest' | sed "s/^/marked /" | tee -a "$results" ;;
        enforced)
            # Ingest as the writer; the read, lookups and pages as the reader.
            $load "$url" x "$writer" "$objects" --mixed-markings op-020 --lookups 0 --type-pages 1 | grep '^ingest' | sed "s/^/enforced /" | tee -a "$results"
            reads && $load "$url" x "$reader" "$objects" --skip-ingest --lookups 1000 --type-pages 50 | sed "s/^/enforced /" | tee -a "$results" ;;
        esac
    done
done

echo
echo "== medians over $rounds rounds; ratios enforced/open and enforced/marked (latencies inverted)"
python3 - "$results" <<'PY'
import statistics, sys
vals = {}
for line in open(sys.argv[1]):
    way, metric, value, *_ = line.split()
    if metric == "read_objects":
        continue
    vals.setdefault((way, metric), []).append(float(value))
for metric, higher_is_better in (("ingest", True), ("read", True), ("match_id_p50", False), ("match_id_p99", False), ("match_type_first_page", False)):
    o, m, e = vals.get(("open", metric)), vals.get(("marked", metric)), vals.get(("enforced", metric))
    if o and m and e:
        mo, mm, me = statistics.median(o), statistics.median(m), statistics.median(e)
        r = (lambda base: me / base if higher_is_better else base / me)
        print(f"{metric:22s} open {mo:10.2f}  marked {mm:10.2f}  enforced {me:10.2f}  vs open {r(mo):5.2f}  vs marked {r(mm):5.2f}")
PY
