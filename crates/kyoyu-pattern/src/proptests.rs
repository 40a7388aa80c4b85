//! Property tests: printing then parsing gives the same tree; no input
//! makes the parser or matcher panic.

use crate::ast::*;
use crate::{Limits, Observations, matches, parse, parse_grammar};
use kyoyu_stix::Timestamp;
use proptest::prelude::*;

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,8}".prop_filter("keywords are reserved", |s| s != "true" && s != "false")
}

fn object_type() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z][a-z0-9]{1,6}", "[a-z]{1,4}-[a-z]{1,4}"]
}

fn step() -> impl Strategy<Value = PathStep> {
    prop_oneof![
        ident().prop_map(PathStep::Key),
        "[A-Za-z' -]{1,6}".prop_map(PathStep::Key),
        (0i64..5).prop_map(PathStep::Index),
        Just(PathStep::AnyIndex),
    ]
}

fn path() -> impl Strategy<Value = ObjectPath> {
    (
        object_type(),
        ident(),
        proptest::collection::vec(step(), 0..3),
    )
        .prop_map(|(t, first, rest)| {
            let mut steps = vec![PathStep::Key(first)];
            steps.extend(rest);
            ObjectPath {
                object_type: t,
                steps,
            }
        })
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (0i64..4_000_000_000, 0u32..1_000_000_000, 0u8..10).prop_map(|(s, n, d)| {
        let nanos = if d == 0 {
            0
        } else {
            n / 10u32.pow(9 - u32::from(d.min(9))) * 10u32.pow(9 - u32::from(d.min(9)))
        };
        Timestamp::from_unix(s, nanos, d)
    })
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<i64>().prop_map(Literal::Int),
        (-1000i32..1000, 1u32..1000)
            .prop_map(|(a, b)| Literal::Float(f64::from(a) + f64::from(b) / 1024.0)),
        ".{0,12}".prop_map(Literal::Str),
        any::<bool>().prop_map(Literal::Bool),
        proptest::collection::vec(any::<u8>(), 1..8).prop_map(Literal::Binary),
        proptest::collection::vec(any::<u8>(), 0..8).prop_map(Literal::Hex),
        timestamp().prop_map(Literal::Timestamp),
    ]
}

fn operator() -> impl Strategy<Value = Operator> {
    prop_oneof![
        literal().prop_map(Operator::Eq),
        literal().prop_map(Operator::Ne),
        literal()
            .prop_filter("orderable", |l| !matches!(l, Literal::Bool(_)))
            .prop_map(Operator::Lt),
        literal()
            .prop_filter("orderable", |l| !matches!(l, Literal::Bool(_)))
            .prop_map(Operator::Ge),
        proptest::collection::vec(literal(), 0..4).prop_map(Operator::In),
        ".{0,10}".prop_map(Operator::Like),
        "[a-z.*+]{0,10}".prop_map(Operator::Matches),
        Just(Operator::IsSubset("10.0.0.0/8".into())),
        Just(Operator::Exists),
    ]
}

fn comparison() -> impl Strategy<Value = ComparisonExpr> {
    let test = (path(), any::<bool>(), operator())
        .prop_map(|(path, negated, op)| ComparisonExpr::Test(PropertyTest { path, negated, op }));
    test.prop_recursive(3, 8, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| ComparisonExpr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| ComparisonExpr::Or(Box::new(a), Box::new(b))),
        ]
    })
}

fn qualifier() -> impl Strategy<Value = Qualifier> {
    prop_oneof![
        (1u32..1000).prop_map(|s| Qualifier::Within(f64::from(s))),
        (1u64..10).prop_map(Qualifier::Repeats),
        (timestamp(), timestamp()).prop_map(|(a, b)| Qualifier::StartStop(a, b)),
    ]
}

fn observation() -> impl Strategy<Value = ObservationExpr> {
    comparison()
        .prop_map(ObservationExpr::Observation)
        .prop_recursive(3, 8, 2, |inner| {
            prop_oneof![
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| ObservationExpr::And(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| ObservationExpr::Or(Box::new(a), Box::new(b))),
                (inner.clone(), inner.clone())
                    .prop_map(|(a, b)| ObservationExpr::FollowedBy(Box::new(a), Box::new(b))),
                inner
                    .clone()
                    .prop_map(|a| ObservationExpr::Group(Box::new(a))),
                (inner, qualifier()).prop_map(|(a, q)| ObservationExpr::Qualified(Box::new(a), q)),
            ]
        })
}

/// Groups are kept by the parser only where the text has parentheses; the
/// printer adds them where precedence needs them. Compare without groups.
fn strip(e: &ObservationExpr) -> ObservationExpr {
    use ObservationExpr::*;
    match e {
        Group(inner) => strip(inner),
        And(a, b) => And(Box::new(strip(a)), Box::new(strip(b))),
        Or(a, b) => Or(Box::new(strip(a)), Box::new(strip(b))),
        FollowedBy(a, b) => FollowedBy(Box::new(strip(a)), Box::new(strip(b))),
        Qualified(a, q) => Qualified(Box::new(strip(a)), q.clone()),
        Observation(c) => Observation(c.clone()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_is_identity(root in observation()) {
        let pattern = Pattern { root };
        let text = pattern.to_string();
        let parsed = parse_grammar(&text, Limits::default());
        prop_assert!(parsed.is_ok(), "{text}: {parsed:?}");
        let parsed = parsed.unwrap_or_else(|_| unreachable!());
        prop_assert_eq!(strip(&parsed.root), strip(&pattern.root), "{}", text);
    }

    #[test]
    fn parser_never_panics(src in "[\\[\\]()a-z:.'=<>!*0-9 ANDORTSWIHNEPUBLKCFXhbt_-]{0,60}") {
        match parse(&src) {
            // What parses prints back to text that parses to the same tree.
            Ok(p) => {
                let again = parse_grammar(&p.to_string(), Limits::default());
                prop_assert!(again.is_ok(), "{} printed as {}", src, p);
                prop_assert_eq!(strip(&again.unwrap_or_else(|_| unreachable!()).root), strip(&p.root));
            }
            // What does not says where, inside the input, with a message.
            Err(e) => {
                prop_assert!(e.offset <= src.len(), "offset {} past {} bytes", e.offset, src.len());
                prop_assert!(!e.message.is_empty());
            }
        }
    }

    #[test]
    fn matcher_never_panics(root in observation()) {
        let observed = serde_json::json!([{"type": "bundle", "id": "bundle--6c1d5f3e-7d0b-4b1e-9d3b-2b8f2c0a9e11", "objects": [
            {"type": "observed-data", "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
             "first_observed": "2016-01-01T00:00:00Z", "last_observed": "2016-01-01T00:00:05Z", "number_observed": 2,
             "object_refs": ["file--3916128d-69af-5525-be7a-99fac2383a59"]},
            {"type": "file", "id": "file--3916128d-69af-5525-be7a-99fac2383a59", "name": "a.exe", "size": 5,
             "hashes": {"MD5": "d41d8cd98f00b204e9800998ecf8427e"}, "x_list": [1, "a", true, null], "magic_number_hex": "ffd8"}
        ]}]);
        let obs = Observations::from_document(&observed).unwrap_or_default();
        let pattern = Pattern { root };
        let first = matches(&pattern, &obs);
        // The same answer every time, and for the printed-and-reparsed pattern.
        prop_assert_eq!(format!("{first:?}"), format!("{:?}", matches(&pattern, &obs)));
        if let Ok(reparsed) = parse_grammar(&pattern.to_string(), Limits::default()) {
            prop_assert_eq!(format!("{first:?}"), format!("{:?}", matches(&reparsed, &obs)));
        }
    }
}

#[test]
fn limits_are_enforced_with_clear_errors() {
    let long = format!("[a:b = '{}']", "x".repeat(70_000));
    let e = parse(&long).unwrap_err();
    assert_eq!(e.kind, crate::ErrorKind::Limit);
    assert!(e.message.contains("at most"), "{}", e.message);
    let deep = format!("{}[a:b = 1]{}", "(".repeat(100), ")".repeat(100));
    let e = parse(&deep).unwrap_err();
    assert_eq!(e.kind, crate::ErrorKind::Limit);
    assert!(e.message.contains("nest deeper"), "{}", e.message);
    let deep_cmp = format!("[{}a:b = 1{}]", "(".repeat(100), ")".repeat(100));
    assert_eq!(parse(&deep_cmp).unwrap_err().kind, crate::ErrorKind::Limit);
}

#[test]
fn errors_give_positions() {
    let check = |src: &str, column: usize, needle: &str| {
        let e = parse(src).unwrap_err();
        assert_eq!(e.column(src), column, "{src}: {e:?}");
        assert!(e.message.contains(needle), "{src}: {}", e.message);
    };
    check("[file:name = 'a'", 17, "']'");
    check("[file:size = ]", 14, "value");
    check("[file:hashes.MD5 = 'xyz']", 20, "MD5");
    check("[a:b = 1] WITHIN 5 HOURS", 20, "SECONDS");
    check("[a:b = t'2024-02-30T00:00:00Z']", 8, "real date");
    check("[ファイル:名前 = 'x']", 2, "object path");
}

#[test]
fn spec_examples_parse() {
    for p in [
        "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        "[email-message:from_ref.value MATCHES '.+\\\\@example\\\\.com$' AND email-message:body_multipart[*].body_raw_ref.name MATCHES '^Final Report.+\\\\.exe$']",
        "([ipv4-addr:value = '198.51.100.1/32' OR ipv4-addr:value = '203.0.113.33/32' OR ipv6-addr:value = '2001:0db8:dead:beef:dead:beef:dead:0001/128'] FOLLOWEDBY [domain-name:value = 'example.com']) WITHIN 600 SECONDS",
        "[x-usb-device:usbdrive.serial_number = '575833334C4B23233544']",
        "[network-traffic:dst_ref.type = 'ipv4-addr' AND network-traffic:dst_ref.value = '203.0.113.33/32'] REPEATS 5 TIMES WITHIN 1800 SECONDS",
    ] {
        assert!(parse(p).is_ok(), "{p}: {:?}", parse(p));
    }
}
