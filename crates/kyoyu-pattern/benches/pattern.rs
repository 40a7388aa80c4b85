//! Pattern throughput: `cargo bench -p kyoyu-pattern` (see bench/README.md).

use divan::counter::ItemsCount;

/// The same allocator as the `kyoyu` binary.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

const BATCH: usize = 1000;
const SIMPLE: &str = "[ipv4-addr:value = '198.51.100.1']";
const COMPLEX: &str = "([network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_port IN (80, 443, 8080)] \
    REPEATS 3 TIMES WITHIN 300 SECONDS) FOLLOWEDBY [file:hashes.'SHA-256' = \
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' OR file:name LIKE '%.docm']";

#[divan::bench(args = [SIMPLE, COMPLEX])]
fn parse(bencher: divan::Bencher<'_, '_>, pattern: &str) {
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        for _ in 0..BATCH {
            let _ = divan::black_box(kyoyu_pattern::parse(divan::black_box(pattern)));
        }
    });
}

#[divan::bench]
fn match_simple(bencher: divan::Bencher<'_, '_>) {
    let observed = serde_json::json!({"type": "bundle", "id": "bundle--6c1d5f3e-7d0b-4b1e-9d3b-2b8f2c0a9e11", "objects": [
        {"type": "observed-data", "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
         "first_observed": "2024-01-01T00:00:00Z", "last_observed": "2024-01-01T00:00:00Z", "number_observed": 1,
         "object_refs": ["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"]},
        {"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.1"}]});
    let observations = kyoyu_pattern::Observations::from_document(&observed).unwrap_or_default();
    let pattern = kyoyu_pattern::parse(SIMPLE).ok();
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        for _ in 0..BATCH {
            if let Some(p) = &pattern {
                let _ = divan::black_box(kyoyu_pattern::matches(p, &observations));
            }
        }
    });
}
