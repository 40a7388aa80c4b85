//! What the search index keeps of an object version, computed once when it
//! is stored: its text, folded (NFKC and lower case, so full-width, half-width
//! katakana and capitals find each other), and its observable values for
//! exact lookup (an address, domain, URL or hash, from observables and from
//! the equalities of indicator patterns). Pure functions; the stores keep
//! the result beside the row, and reads still go through the `Reader`.

use serde_json::Value;
use unicode_normalization::UnicodeNormalization;

/// The most text kept per object version (a very long description is
/// found by its first part).
const MAX_TEXT: usize = 64 * 1024;
/// The most values kept per object version.
const MAX_VALUES: usize = 256;

/// Properties whose strings are not text anyone searches for.
fn skipped(key: &str) -> bool {
    matches!(
        key,
        "id" | "type"
            | "spec_version"
            | "created"
            | "modified"
            | "valid_from"
            | "valid_until"
            | "first_seen"
            | "last_seen"
            | "first_observed"
            | "last_observed"
            | "pattern_type"
            | "pattern_version"
            | "lang"
            | "object_marking_refs"
            | "granular_markings"
    ) || key.ends_with("_ref")
        || key.ends_with("_refs")
}

/// A text or value as the index compares it.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.trim().to_ascii_lowercase();
    }
    s.nfkc()
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn push_text(v: &Value, key: &str, out: &mut String) {
    if out.len() >= MAX_TEXT || skipped(key) {
        return;
    }
    match v {
        Value::String(s) => {
            out.push_str(&fold(s));
            out.push('\n');
        }
        Value::Array(items) => items.iter().for_each(|i| push_text(i, key, out)),
        Value::Object(map) => map.iter().for_each(|(k, c)| push_text(c, k, out)),
        _ => {}
    }
}

/// The folded text of an object: every string but identifiers, references,
/// timestamps and markings, one per line.
pub fn text_of(object: &Value) -> String {
    let mut out = String::new();
    push_text(object, "", &mut out);
    if out.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
    }
    out
}

/// The observable values of an object: an observable's `value`, `name`
/// (files) and hashes; an indicator's pattern equalities. Folded, unique.
pub fn values_of(object: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut add = |s: &str| {
        let f = fold(s);
        if !f.is_empty() && f.len() <= 2048 && out.len() < MAX_VALUES && !out.contains(&f) {
            out.push(f);
        }
    };
    let ty = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if ty == "indicator" {
        let pattern = object.get("pattern").and_then(Value::as_str);
        let stix = object.get("pattern_type").and_then(Value::as_str) == Some("stix");
        if let (Some(p), true) = (pattern, stix)
            && let Ok(parsed) = kyoyu_pattern::parse(p)
        {
            for e in kyoyu_pattern::equalities(&parsed) {
                if let kyoyu_pattern::ast::Literal::Str(s) = &e.value {
                    add(s);
                }
            }
        }
    } else if kyoyu_stix::id::id_contributing_properties(ty).is_some() {
        for key in ["value", "name", "number"] {
            match object.get(key) {
                Some(Value::String(s)) => add(s),
                Some(Value::Number(n)) => add(&n.to_string()),
                _ => {}
            }
        }
        if let Some(Value::Object(hashes)) = object.get("hashes") {
            for h in hashes.values().filter_map(Value::as_str) {
                add(h);
            }
        }
    } else if ty == "relationship" || ty == "sighting" {
        // What it links, so an object's page finds what refers to it.
        for key in ["source_ref", "target_ref", "sighting_of_ref"] {
            if let Some(r) = object.get(key).and_then(Value::as_str) {
                add(r);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn relationships_and_sightings_carry_what_they_link() {
        let r = json!({"type": "relationship", "relationship_type": "uses",
            "source_ref": "threat-actor--a", "target_ref": "malware--b"});
        assert_eq!(values_of(&r), ["threat-actor--a", "malware--b"]);
        let s = json!({"type": "sighting", "sighting_of_ref": "indicator--c"});
        assert_eq!(values_of(&s), ["indicator--c"]);
    }

    #[test]
    fn text_is_folded_and_skips_ids_and_times() {
        let o = json!({
            "type": "report", "id": "report--0d3e5f4a-0000-4000-8000-000000000001",
            "created": "2026-11-28T00:00:00Z", "name": "ﾗﾝｻﾑｳｪｱ 被害 ＡＰＴ２９",
            "description": "Phishing against 電力 operators",
            "object_refs": ["indicator--0d3e5f4a-0000-4000-8000-000000000002"],
            "labels": ["Ransomware"]
        });
        let t = text_of(&o);
        assert!(t.contains("ランサムウェア 被害 apt29"), "{t}");
        assert!(t.contains("phishing against 電力 operators"));
        assert!(t.contains("ransomware"));
        assert!(!t.contains("report--") && !t.contains("2026-11-28") && !t.contains("indicator--"));
    }

    #[test]
    fn values_come_from_observables_and_patterns() {
        let ind = json!({
            "type": "indicator", "pattern_type": "stix",
            "pattern": "[ipv4-addr:value = '203.0.113.7'] OR [domain-name:value = 'Evil.Example.NET'] AND [file:name NOT = 'x']"
        });
        assert_eq!(values_of(&ind), ["203.0.113.7", "evil.example.net"]);
        let file = json!({"type": "file", "name": "dropper.exe", "hashes": {"SHA-256": "ABCDEF"}});
        assert_eq!(values_of(&file), ["dropper.exe", "abcdef"]);
        let note = json!({"type": "note", "content": "203.0.113.7"});
        assert!(values_of(&note).is_empty());
        let bad =
            json!({"type": "indicator", "pattern_type": "stix", "pattern": "[ipv4-addr:value = "});
        assert!(values_of(&bad).is_empty());
    }
}
