//! Validation throughput: `cargo bench -p kyoyu-validate` (see bench/README.md).

use divan::counter::ItemsCount;
use kyoyu_validate::{Options, validate_object};
use serde_json::Value;

/// The same allocator as the `kyoyu` binary.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// A typical indicator (one hash, a marking), and a rich one (every common
/// property, a two-observation pattern, granular markings). bench/stix_core.sh
/// has the OASIS validator validate the same two.
const TYPICAL: &str = include_str!("../../../bench/data/indicator-typical.json");
const RICH: &str = include_str!("../../../bench/data/indicator.json");

const BATCH: usize = 1000;

fn sample(name: &str) -> &'static str {
    if name == "rich" { RICH } else { TYPICAL }
}

#[divan::bench(args = ["typical", "rich"])]
fn indicator_from_value(bencher: divan::Bencher<'_, '_>, name: &str) {
    let text = sample(name);
    let value: Value = serde_json::from_str(text).unwrap_or_default();
    let options = Options::default();
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        for _ in 0..BATCH {
            divan::black_box(validate_object(divan::black_box(&value), &options));
        }
    });
}

#[divan::bench(args = ["typical", "rich"])]
fn indicator_from_text(bencher: divan::Bencher<'_, '_>, name: &str) {
    let text = sample(name);
    let options = Options {
        strict: true,
        ..Options::default()
    };
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        for _ in 0..BATCH {
            let value: Value = serde_json::from_str(divan::black_box(text)).unwrap_or_default();
            divan::black_box(validate_object(&value, &options));
        }
    });
}
