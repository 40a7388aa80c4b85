//! Unit and property tests of the validator. The oracle tests (in the
//! `kyoyu` crate) check verdicts against the OASIS tools; these check codes,
//! paths and the no-panic guarantee.

use crate::{Limits, Options, Severity, validate_document, validate_object};
use proptest::prelude::*;
use serde_json::{Value, json};

fn indicator() -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "created": "2024-04-01T09:30:00.000Z", "modified": "2024-04-01T09:30:00.000Z",
        "name": "C2 address", "description": "Seen in attacks on a power utility",
        "indicator_types": ["malicious-activity"], "pattern_type": "stix", "valid_from": "2024-04-01T09:30:00Z",
        "pattern": "[ipv4-addr:value = '198.51.100.7']"
    })
}

/// Validates `value` in both modes and returns the (code, severity, path) triples.
fn check(value: &Value, strict: bool) -> Vec<(String, Severity, String)> {
    let r = validate_object(
        value,
        &Options {
            strict,
            ..Options::default()
        },
    );
    r.findings
        .into_iter()
        .map(|f| (f.code.to_owned(), f.severity, f.path))
        .collect()
}

fn with(mut v: Value, key: &str, new: Value) -> Value {
    if let Some(m) = v.as_object_mut() {
        if new.is_null() {
            m.remove(key);
        } else {
            m.insert(key.into(), new);
        }
    }
    v
}

#[test]
fn a_good_indicator_has_no_findings() {
    assert_eq!(check(&indicator(), true), vec![]);
}

#[test]
fn findings_carry_code_and_path() {
    let cases = [
        (
            with(indicator(), "valid_from", Value::Null),
            "required-property",
            "$.valid_from",
        ),
        (
            with(indicator(), "modified", json!("2024-03-01T00:00:00.000Z")),
            "timestamp-order",
            "$.modified",
        ),
        (
            with(indicator(), "created", json!("2024-04-01T09:30:00Z")),
            "timestamp-precision",
            "$.created",
        ),
        (
            with(
                indicator(),
                "created_by_ref",
                json!("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            ),
            "reference-type",
            "$.created_by_ref",
        ),
        (
            with(indicator(), "pattern", json!("[ipv4-addr:value = ")),
            "pattern",
            "$.pattern",
        ),
        (
            with(
                indicator(),
                "id",
                json!("malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"),
            ),
            "id-type-mismatch",
            "$.id",
        ),
        (
            with(indicator(), "labels", json!([])),
            "empty-list",
            "$.labels",
        ),
        (
            {
                let mut v = indicator();
                if let Some(m) = v.as_object_mut() {
                    m.insert("x_score".into(), Value::Null);
                }
                v
            },
            "null-value",
            "$.x_score",
        ),
        (
            with(indicator(), "Bad-Name", json!(1)),
            "property-name",
            "$.Bad-Name",
        ),
        (
            with(indicator(), "lang", json!("japanese")),
            "language-tag",
            "$.lang",
        ),
        (
            with(indicator(), "confidence", json!(101)),
            "out-of-range",
            "$.confidence",
        ),
    ];
    for (value, code, path) in cases {
        let findings = check(&value, false);
        assert!(
            findings
                .iter()
                .any(|(c, s, p)| c == code && *s == Severity::Error && p == path),
            "expected {code} at {path}, got {findings:?}"
        );
    }
}

#[test]
fn shoulds_are_warnings_until_strict() {
    let v = with(indicator(), "indicator_types", json!(["made-up"]));
    let default = check(&v, false);
    assert!(
        default
            .iter()
            .any(|(c, s, _)| c == "vocabulary" && *s == Severity::Warning),
        "{default:?}"
    );
    let report = validate_object(&v, &Options::default());
    assert!(report.valid);
    let strict = validate_object(
        &v,
        &Options {
            strict: true,
            ..Options::default()
        },
    );
    assert!(!strict.valid);
    assert!(
        strict
            .findings
            .iter()
            .all(|f| f.severity == Severity::Error)
    );
}

#[test]
fn documents_give_one_report_per_object() {
    let bundle = json!({"type": "bundle", "id": "bundle--6c1d5f3e-7d0b-4b1e-9d3b-2b8f2c0a9e11", "objects": [indicator(), indicator()]});
    let reports = validate_document(&bundle, &Options::default());
    assert_eq!(reports.len(), 3);
    assert_eq!(reports[2].path, "$.objects[1]");
    let envelope = json!({"objects": [indicator()], "more": false});
    assert_eq!(validate_document(&envelope, &Options::default()).len(), 1);
    assert_eq!(
        validate_document(&json!([indicator(), 5]), &Options::default())[1].findings[0].code,
        "not-an-object"
    );
}

#[test]
fn limits_are_errors_not_panics() {
    let mut deep = json!("x");
    for _ in 0..40 {
        deep = json!([deep]);
    }
    let r = validate_object(&with(indicator(), "x_deep", deep), &Options::default());
    assert_eq!(r.findings[0].code, "limit-exceeded");
    assert!(r.findings[0].message.contains("deeper than 32"));
    let small = Options {
        limits: Limits {
            max_string_bytes: 10,
            ..Limits::default()
        },
        ..Options::default()
    };
    let r = validate_object(&indicator(), &small);
    assert!(
        !r.valid && r.findings[0].message.contains("at most 10"),
        "{:?}",
        r.findings
    );
    let wide = Options {
        limits: Limits {
            max_array_len: 2,
            ..Limits::default()
        },
        ..Options::default()
    };
    let r = validate_object(&with(indicator(), "labels", json!(["a", "b", "c"])), &wide);
    assert!(r.findings[0].message.contains("split"), "{:?}", r.findings);
}

fn arbitrary_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        prop_oneof![
            ".{0,8}",
            Just("2024-02-30T00:00:00Z".to_owned()),
            Just("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f".to_owned()),
            Just("[a:b = 1".to_owned()),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    /// Replacing any property of valid objects of every kind with arbitrary
    /// JSON never panics, and every finding has a code and a message.
    #[test]
    fn mutated_objects_never_panic(which in 0usize..4, key in "[a-z_]{1,20}", value in arbitrary_json()) {
        let base = [
            indicator(),
            json!({"type": "file", "id": "file--3916128d-69af-5525-be7a-99fac2383a59", "name": "a.exe",
                   "extensions": {"windows-pebinary-ext": {"pe_type": "exe"}}}),
            json!({"type": "marking-definition", "spec_version": "2.1", "id": "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
                   "created": "2017-01-20T00:00:00.000Z", "definition_type": "tlp", "definition": {"tlp": "white"}}),
            json!({"type": "bundle", "id": "bundle--6c1d5f3e-7d0b-4b1e-9d3b-2b8f2c0a9e11", "objects": [indicator()]}),
        ];
        let target = base.get(which).cloned().unwrap_or_default();
        for strict in [false, true] {
            for v in [with(target.clone(), &key, value.clone()), with(target.clone(), "type", value.clone())] {
                for r in validate_document(&v, &Options { strict, ..Options::default() }) {
                    prop_assert!(r.findings.iter().all(|f| !f.code.is_empty() && !f.message.is_empty()));
                }
            }
        }
    }
}
