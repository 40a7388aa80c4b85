//! Property tests: lossless round trip, timestamp printing, id determinism.

use crate::id::deterministic_sco_id;
use crate::jcs::canonicalize;
use crate::{StixObject, Timestamp};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1.0e12f64..1.0e12).prop_map(Value::from),
        ".{0,16}".prop_map(Value::String),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,10}", inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Identifiers anywhere in an object come out in lower case, whatever
    /// case they were written in; prose that quotes one is left alone.
    #[test]
    fn identifiers_come_out_canonical(uuid in any::<u128>(), flips in any::<u128>(), prose in "[a-z ]{0,10}") {
        let canonical = format!("indicator--{}", uuid::Uuid::from_u128(uuid).hyphenated());
        let written: String = canonical.chars().enumerate().map(|(i, c)| {
            if i >= 11 && flips >> (i % 128) & 1 == 1 { c.to_ascii_uppercase() } else { c }
        }).collect();
        let quoted = format!("{prose} {written}");
        let mut object = serde_json::json!({
            "id": written, "object_refs": [written, "not an id"],
            "granular_markings": [{"marking_ref": written}], "x_nested": {"deep": [written]},
            "description": quoted,
        });
        let changed = crate::id::canonicalize_ids(&mut object);
        prop_assert_eq!(changed, written != canonical);
        let want = serde_json::json!({
            "id": canonical, "object_refs": [canonical, "not an id"],
            "granular_markings": [{"marking_ref": canonical}], "x_nested": {"deep": [canonical]},
            "description": quoted,
        });
        prop_assert_eq!(object, want);
    }

    #[test]
    fn parse_then_serialize_gives_the_same_value(
        props in proptest::collection::btree_map("[a-z_]{3,12}", json(), 0..8),
        ty in "[a-z]{3,8}(-[a-z]{2,5})?",
    ) {
        let mut map: Map<String, Value> = props.into_iter().collect();
        map.insert("type".into(), Value::from(ty));
        let original = Value::Object(map);
        let text = serde_json::to_string(&original).unwrap_or_default();
        let obj: StixObject = serde_json::from_str(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let back = serde_json::to_value(&obj).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, original);
        prop_assert_eq!(serde_json::to_string(&obj).unwrap_or_default(), text);
    }

    #[test]
    fn timestamps_print_back_exactly(secs in -30_000_000_000i64..250_000_000_000, nanos in 0u32..1_000_000_000, digits in 0u8..10) {
        let scale = 10u32.pow(9 - u32::from(digits.min(9)));
        let t = Timestamp::from_unix(secs, nanos / scale * scale, digits);
        let text = t.to_string();
        let back = Timestamp::parse(&text);
        prop_assert!(back.is_ok(), "{}: {:?}", text, back);
        let back = back.unwrap_or(t);
        prop_assert_eq!(back, t);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn sco_ids_ignore_key_order_and_extra_properties(
        name in ".{1,20}", size in any::<u32>(), extra in json(),
    ) {
        let a: Map<String, Value> = serde_json::from_value(serde_json::json!({"name": name, "size": size, "x_extra": extra}))
            .unwrap_or_default();
        let mut b = Map::new();
        b.insert("x_other".into(), Value::from(1));
        b.insert("name".into(), Value::from(name.clone()));
        let ida = deterministic_sco_id("file", &a);
        let idb = deterministic_sco_id("file", &b);
        prop_assert!(ida.is_some());
        prop_assert_eq!(&ida, &idb);
        prop_assert_eq!(ida.map(|i| i.uuid().get_version_num()), Some(5));
    }

    #[test]
    fn canonical_form_is_stable(v in json()) {
        let once = canonicalize(&v);
        let reparsed: Value = serde_json::from_str(&once).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(canonicalize(&reparsed), once);
    }
}
