//! What a reviewer may change in a held submission: redactions, nothing
//! else. A reviewer is trusted to take out what identifies the sender, not
//! to re-mark, re-address or rewrite someone else's report, so an edit is
//! compared with the concealed version it replaces and refused when it:
//! - adds an object, or an id that is not the held object's own (another
//!   organization's object, say);
//! - changes what says who may read it: a lower TLP, other markings or
//!   recipients (a stricter TLP is allowed);
//! - changes an object's identity or version (`type`, `id`,
//!   `spec_version`, `created`, `modified`, `created_by_ref`);
//! - adds a property, or a value that is not the held one with parts cut
//!   out: text may lose pieces only where it says `[redacted]` (or
//!   `redacted.invalid` for hosts), lists may lose items, objects may lose
//!   properties; numbers and flags stay as they are.
//!
//! Objects may be dropped whole.

use crate::scrub::{REDACTED, REDACTED_HOST};
use kyoyu_stix::tlp::Tlp;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// Properties that say what the object is and which version.
const IDENTITY: [&str; 6] = [
    "type",
    "id",
    "spec_version",
    "created",
    "modified",
    "created_by_ref",
];

/// Properties that say who may read it.
const ACCESS: [&str; 3] = [
    "object_marking_refs",
    "granular_markings",
    kyoyu_trust::policy::RECIPIENTS_PROPERTY,
];

/// Checks a reviewer's `edited` objects against the `held` (concealed)
/// ones; the error lists what the edit may not do, for the reviewer. An
/// object held without a TLP marking is read at `unmarked` (the level the
/// sender asked for, else the community's default), so a reviewer cannot
/// mark it lower.
pub fn check_edit(held: &[Value], edited: &[Value], unmarked: Tlp) -> Result<(), String> {
    let by_id: std::collections::HashMap<&str, &Value> =
        held.iter().filter_map(|o| Some((id_of(o)?, o))).collect();
    let mut seen = HashSet::new();
    let mut problems = Vec::new();
    for e in edited {
        let Some(id) = id_of(e) else {
            problems.push("an object without an id: keep each object's id".to_owned());
            continue;
        };
        if !seen.insert(id) {
            problems.push(format!("{id} appears twice"));
            continue;
        }
        let Some(h) = by_id.get(id) else {
            problems.push(format!(
                "{id} is not an object of this submission: a review may drop objects or redact them, not add any"
            ));
            continue;
        };
        problems.extend(object_problems(id, h, e, unmarked));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        let n = problems.len();
        problems.truncate(5);
        Err(format!(
            "the edit may only redact ({n} problem(s)): {}",
            problems.join("; ")
        ))
    }
}

fn id_of(o: &Value) -> Option<&str> {
    o.get("id").and_then(Value::as_str)
}

fn object_problems(id: &str, held: &Value, edited: &Value, unmarked: Tlp) -> Vec<String> {
    let (Some(h), Some(e)) = (held.as_object(), edited.as_object()) else {
        return vec![format!("{id} must stay a JSON object")];
    };
    let mut out = Vec::new();
    for key in IDENTITY {
        if h.get(key) != e.get(key) {
            out.push(format!("{id}: '{key}' may not change"));
        }
    }
    if !markings_kept(h, e, unmarked) {
        out.push(format!(
            "{id}: its markings may not be lowered or changed (a stricter TLP is allowed)"
        ));
    }
    for key in &ACCESS[1..] {
        if h.get(*key) != e.get(*key) {
            out.push(format!("{id}: '{key}' may not change"));
        }
    }
    for (key, value) in e {
        if IDENTITY.contains(&key.as_str()) || ACCESS.contains(&key.as_str()) {
            continue;
        }
        match h.get(key) {
            None => out.push(format!(
                "{id}: '{key}' is new; a review may not add content"
            )),
            Some(before) if !redacts(before, value) => out.push(format!(
                "{id}: '{key}' changed beyond redaction; cut text out only by writing {REDACTED}"
            )),
            Some(_) => {}
        }
    }
    out
}

/// The TLP is the same or stricter, and every other marking stays.
fn markings_kept(held: &Map<String, Value>, edited: &Map<String, Value>, unmarked: Tlp) -> bool {
    let refs = |m: &Map<String, Value>| -> Vec<String> {
        m.get("object_marking_refs")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let (before, after) = (refs(held), refs(edited));
    let level = |r: &[String]| r.iter().filter_map(|id| Tlp::from_marking_id(id)).max();
    let others = |r: &[String]| -> HashSet<String> {
        r.iter()
            .filter(|id| Tlp::from_marking_id(id).is_none())
            .cloned()
            .collect()
    };
    let level_kept = match (level(&before), level(&after)) {
        (None, None) => true,
        (Some(_), None) => false,
        (b, Some(a)) => a >= b.unwrap_or(unmarked),
    };
    level_kept
        && others(&before).is_subset(&others(&after))
        && others(&after).is_subset(&others(&before))
}

/// Whether `after` is `before` with parts cut out (see the module docs).
pub fn redacts(before: &Value, after: &Value) -> bool {
    match (before, after) {
        (Value::String(b), Value::String(a)) => redacts_text(b, a),
        (Value::Array(b), Value::Array(a)) => {
            // Each kept item is a redaction of a distinct held item, in order.
            let mut rest = b.iter();
            a.iter().all(|item| rest.any(|held| redacts(held, item)))
        }
        (Value::Object(b), Value::Object(a)) => a
            .iter()
            .all(|(k, v)| b.get(k).is_some_and(|held| redacts(held, v))),
        (b, a) => b == a,
    }
}

/// Whether `after` is `before` with pieces replaced by a redaction marker:
/// the text between markers appears in `before` in order, the first piece
/// at the start and the last at the end.
fn redacts_text(before: &str, after: &str) -> bool {
    if before == after {
        return true;
    }
    let pieces = split_markers(after);
    let [first, middle @ .., last] = pieces.as_slice() else {
        return false; // no marker, and not equal
    };
    let Some(mut rest) = before.strip_prefix(first) else {
        return false;
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// The text between redaction markers (one more piece than markers).
fn split_markers(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = text;
    loop {
        let next = [REDACTED, REDACTED_HOST]
            .iter()
            .filter_map(|m| rest.find(m).map(|at| (at, m.len())))
            .min();
        match next {
            Some((at, len)) => {
                pieces.push(&rest[..at]);
                rest = &rest[at + len..];
            }
            None => {
                pieces.push(rest);
                return pieces;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn held() -> Vec<Value> {
        vec![json!({
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2026-11-28T10:00:00.000Z", "modified": "2026-11-28T10:00:00.000Z",
            "name": "Phishing from t.yamada@example.co.jp",
            "description": "Seen at the Osaka plant; contact the SOC.",
            "labels": ["phishing", "plant"],
            "confidence": 80,
            "pattern": "[ipv4-addr:value = '203.0.113.9']", "pattern_type": "stix",
            "valid_from": "2026-11-28T10:00:00Z",
            "object_marking_refs": [Tlp::AmberStrict.marking_id()]
        })]
    }

    fn with(change: impl FnOnce(&mut Map<String, Value>)) -> Vec<Value> {
        let mut objects = held();
        change(objects[0].as_object_mut().unwrap());
        objects
    }

    #[test]
    fn redactions_pass() {
        assert!(check_edit(&held(), &held(), Tlp::Amber).is_ok());
        assert!(
            check_edit(&held(), &[], Tlp::Amber).is_ok(),
            "dropping objects"
        );
        let edits = [
            with(|o| {
                o.insert("name".into(), json!("Phishing from [redacted]"));
            }),
            with(|o| {
                o.insert(
                    "description".into(),
                    json!("Seen at the [redacted] plant; contact the SOC."),
                );
            }),
            with(|o| {
                o.insert("labels".into(), json!(["phishing"]));
                o.remove("description");
            }),
            with(|o| {
                o.insert("object_marking_refs".into(), json!([Tlp::Red.marking_id()]));
            }),
        ];
        for e in edits {
            assert_eq!(check_edit(&held(), &e, Tlp::Amber), Ok(()), "{e:?}");
        }
    }

    #[test]
    fn everything_else_is_refused() {
        let other = "indicator--0f9a4d8e-1111-4222-8333-444455556666";
        let edits = [
            // A lower TLP, a marking removed, recipients added.
            with(|o| {
                o.insert(
                    "object_marking_refs".into(),
                    json!([Tlp::Clear.marking_id()]),
                );
            }),
            with(|o| {
                o.remove("object_marking_refs");
            }),
            with(|o| {
                o.insert("x_kyoyu_recipients".into(), json!(["someone"]));
            }),
            // Another organization's id, a new version, a new property.
            with(|o| {
                o.insert("id".into(), json!(other));
            }),
            with(|o| {
                o.insert("modified".into(), json!("2026-11-29T10:00:00.000Z"));
            }),
            with(|o| {
                o.insert("x_note".into(), json!("added"));
            }),
            // Rewritten text, numbers, list items.
            with(|o| {
                o.insert(
                    "description".into(),
                    json!("Seen at the plant; do not contact the SOC."),
                );
            }),
            with(|o| {
                o.insert(
                    "description".into(),
                    json!("Seen at the [redacted] plant; call us."),
                );
            }),
            with(|o| {
                o.insert("confidence".into(), json!(10));
            }),
            with(|o| {
                o.insert("labels".into(), json!(["plant", "phishing"]));
            }),
        ];
        for e in edits {
            assert!(check_edit(&held(), &e, Tlp::Amber).is_err(), "{e:?}");
        }
        let mut twice = held();
        twice.push(held().remove(0));
        assert!(check_edit(&held(), &twice, Tlp::Amber).is_err());
        let mut added = held();
        added.push(json!({"type": "note", "id": "note--0f9a4d8e-1111-4222-8333-444455556666"}));
        assert!(check_edit(&held(), &added, Tlp::Amber).is_err());
    }

    #[test]
    fn unmarked_objects_keep_at_least_the_level_they_would_have() {
        let unmarked = with(|o| {
            o.remove("object_marking_refs");
        });
        let marked = |t: Tlp| {
            let mut o = unmarked.clone();
            o[0]["object_marking_refs"] = json!([t.marking_id()]);
            o
        };
        assert!(check_edit(&unmarked, &unmarked, Tlp::Amber).is_ok());
        assert!(check_edit(&unmarked, &marked(Tlp::Red), Tlp::Amber).is_ok());
        assert!(check_edit(&unmarked, &marked(Tlp::Amber), Tlp::Amber).is_ok());
        assert!(check_edit(&unmarked, &marked(Tlp::Clear), Tlp::Amber).is_err());
        assert!(check_edit(&unmarked, &marked(Tlp::Green), Tlp::Amber).is_err());
    }

    #[test]
    fn text_redaction_keeps_the_order_and_the_ends() {
        assert!(redacts_text("a b c", "a [redacted] c"));
        assert!(redacts_text("a b c", "[redacted]"));
        assert!(redacts_text(
            "mail x@h.example now",
            "mail x@redacted.invalid now"
        ));
        assert!(!redacts_text("a b c", "c [redacted] a"));
        assert!(!redacts_text("a b c", "a b"));
        assert!(!redacts_text("a b c", "z [redacted]"));
        assert!(!redacts_text("a b c", "[redacted] c d"));
    }
}

/// Withholds every doubt a reviewer did not keep: the doubted text is
/// replaced by `[redacted]` wherever it stands in its object. `keep` lists
/// doubts by their number as listed (1 for the first). Returns how many
/// doubts were withheld, or what is wrong with `keep`.
pub fn withhold_doubts(
    objects: &mut [Value],
    doubts: &[crate::Doubt],
    keep: &[usize],
) -> Result<usize, String> {
    if let Some(bad) = keep.iter().find(|k| **k == 0 || **k > doubts.len()) {
        return Err(format!(
            "there is no doubt {bad}: this submission has {} (number them from 1 as listed)",
            doubts.len()
        ));
    }
    let mut withheld = 0;
    for (i, d) in doubts.iter().enumerate() {
        if keep.contains(&(i + 1)) {
            continue;
        }
        withheld += 1;
        // The doubt's own object; if none has its id (it was renamed on
        // the way), every object: withheld too widely rather than released.
        let named = objects
            .iter()
            .any(|o| o.get("id").and_then(Value::as_str) == Some(d.object.as_str()));
        for o in objects
            .iter_mut()
            .filter(|o| !named || o.get("id").and_then(Value::as_str) == Some(d.object.as_str()))
        {
            redact_text(o, &d.text);
        }
    }
    Ok(withheld)
}

/// Replaces `text` in every string of `v` except ids, types and references
/// (an empty `text`, from a doubt recorded before doubts named their text,
/// withholds every free-text property of the object instead).
fn redact_text(v: &mut Value, text: &str) {
    match v {
        Value::String(s) if !text.is_empty() && s.contains(text) => {
            *s = s.replace(text, REDACTED);
        }
        Value::Array(items) => items.iter_mut().for_each(|i| redact_text(i, text)),
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if IDENTITY.contains(&k.as_str())
                    || ACCESS.contains(&k.as_str())
                    || k.ends_with("_ref")
                    || k.ends_with("_refs")
                {
                    continue;
                }
                if text.is_empty() && matches!(k.as_str(), "description" | "name" | "content") {
                    if child.is_string() {
                        *child = Value::String(REDACTED.into());
                    }
                    continue;
                }
                redact_text(child, text);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod withhold_tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn doubts_are_withheld_unless_kept() {
        let mut objects = vec![
            json!({"type": "note", "id": "note--1", "content": "Acme Systems Co., Ltd. and ops@partner.example were hit", "object_refs": ["x--1"]}),
            json!({"type": "note", "id": "note--2", "content": "Acme Systems Co., Ltd. again"}),
        ];
        let doubt = |text: &str| crate::Doubt {
            object: "note--1".into(),
            path: "$.content".into(),
            kind: None,
            why: "why".into(),
            text: text.into(),
        };
        let doubts = [
            doubt("Acme Systems Co., Ltd."),
            doubt("ops@partner.example"),
        ];
        assert_eq!(withhold_doubts(&mut objects, &doubts, &[2]), Ok(1));
        assert_eq!(
            objects[0]["content"],
            "[redacted] and ops@partner.example were hit"
        );
        assert_eq!(
            objects[1]["content"], "Acme Systems Co., Ltd. again",
            "only in its own object"
        );
        assert!(
            withhold_doubts(&mut objects, &doubts, &[3])
                .unwrap_err()
                .contains("no doubt 3")
        );
        assert!(withhold_doubts(&mut objects, &doubts, &[0]).is_err());
        assert_eq!(withhold_doubts(&mut objects, &doubts, &[]), Ok(2));
        assert_eq!(objects[0]["content"], "[redacted] and [redacted] were hit");
    }
}
