//! Validation throughput: `cargo bench -p kyoyu-validate` (see bench/README.md).

use divan::counter::ItemsCount;
use kyoyu_validate::{Options, validate_object};
use serde_json::Value;

fn main() {
    divan::main();
}

/// The indicator the Python comparison in bench/stix_core.sh also validates.
const INDICATOR: &str = include_str!("../../../bench/data/indicator.json");

const BATCH: usize = 1000;

#[divan::bench]
fn indicator_from_value(bencher: divan::Bencher<'_, '_>) {
    let value: Value = serde_json::from_str(INDICATOR).unwrap_or_default();
    let options = Options::default();
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        for _ in 0..BATCH {
            divan::black_box(validate_object(divan::black_box(&value), &options));
        }
    });
}

#[divan::bench]
fn indicator_from_text(bencher: divan::Bencher<'_, '_>) {
    let options = Options {
        strict: true,
        ..Options::default()
    };
    bencher.counter(ItemsCount::new(BATCH)).bench_local(|| {
        for _ in 0..BATCH {
            let value: Value =
                serde_json::from_str(divan::black_box(INDICATOR)).unwrap_or_default();
            divan::black_box(validate_object(&value, &options));
        }
    });
}
