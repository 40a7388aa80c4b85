//! What concealment costs per object: `cargo bench -p kyoyu-conceal`
//! (figures in bench/README.md). The bound: under 1 ms per typical object.

use divan::counter::ItemsCount;
use kyoyu_conceal::scrub::Profile;
use kyoyu_conceal::{Stages, conceal};
use serde_json::Value;

/// The same allocator as the `kyoyu` binary.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    divan::main();
}

/// The typical indicator of the STIX core benchmark.
const TYPICAL: &str = include_str!("../../../bench/data/indicator-typical.json");

/// An operator with a realistic amount of identifying data.
fn profile() -> Profile {
    let org: Option<kyoyu_trust::Org> = serde_json::from_value(serde_json::json!({
        "id": "example-power", "kind": "operator", "name": "Example Power Co., Ltd.",
        "name_ja": "例示電力株式会社", "sectors": ["electricity"],
        "domains": ["example-power.co.jp", "expower.jp", "example-power-grid.com"],
        "ip_ranges": ["192.0.2.0/24", "198.51.100.0/24", "2001:db8:1::/48"],
        "aliases": ["ExPower", "例示グリッド"], "asns": [64500, 64501],
        "staff": ["Taro Yamada", "Hanako Suzuki", "山田太郎", "鈴木花子"]
    }))
    .ok();
    org.map(|o| Profile::of(&o)).unwrap_or_default()
}

/// One typical indicator, as a submission of one object.
#[divan::bench]
fn typical_indicator(bencher: divan::Bencher<'_, '_>) {
    let object: Value = serde_json::from_str(TYPICAL).unwrap_or_default();
    let profile = profile();
    let stages = Stages::default();
    let batch = [object];
    bencher.counter(ItemsCount::new(1usize)).bench_local(|| {
        divan::black_box(conceal(
            divan::black_box(&batch),
            &profile,
            "identity--hub",
            &stages,
        ))
    });
}

/// A 500-object submission (the envelope size of the TAXII benchmark), per object.
#[divan::bench]
fn submission_of_500(bencher: divan::Bencher<'_, '_>) {
    let object: Value = serde_json::from_str(TYPICAL).unwrap_or_default();
    let objects: Vec<Value> = (0..500)
        .map(|i| {
            let mut o = object.clone();
            if let Some(m) = o.as_object_mut() {
                m.insert(
                    "id".into(),
                    Value::String(format!("indicator--{:08x}-0000-4000-8000-000000000000", i)),
                );
            }
            o
        })
        .collect();
    let profile = profile();
    let stages = Stages::default();
    bencher
        .counter(ItemsCount::new(objects.len()))
        .bench_local(|| {
            divan::black_box(conceal(
                divan::black_box(&objects),
                &profile,
                "identity--hub",
                &stages,
            ))
        });
}
