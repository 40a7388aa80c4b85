//! Stage 1, identity removal: the objects that describe who is reporting
//! go, every id is replaced by a fresh one, and every reference inside the
//! submission follows, consistently.
//!
//! - `created_by_ref` is removed everywhere (stage 3 sets the hub's).
//! - Identity objects go, except those of class `class` (a sector or a
//!   kind of victim, which is intelligence). Identities of organizations,
//!   people and systems name the reporter, its staff or its partners.
//! - Marking definitions other than the fixed TLP ones go (their
//!   statements name the author), and so do references to them.
//! - Extension definitions are not released either (their author and name
//!   may be the reporter's); the `extensions` keys that name them stay, as
//!   a schema's id is what makes the extension readable.
//! - References to what was removed are dropped; an object that cannot
//!   stand without one (a relationship, a sighting, a report left with no
//!   `object_refs`) goes too.
//! - New ids: UUIDv4 for everything, then deterministic UUIDv5 for the
//!   cyber observables whose contributing properties allow it (computed
//!   on the released content, so the same attacker address gets the same
//!   id in every submission, and nothing of the reporter's does).

use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The outcome of stage 1.
#[derive(Debug, Clone, Default)]
pub struct Removed {
    /// The objects that remain, with fresh ids and references.
    pub objects: Vec<Value>,
    /// Original id → released id.
    pub id_map: Vec<(String, String)>,
    /// How many objects were dropped.
    pub dropped: usize,
}

fn id_of(o: &Value) -> &str {
    o.get("id").and_then(Value::as_str).unwrap_or_default()
}

fn type_of(o: &Value) -> &str {
    o.get("type").and_then(Value::as_str).unwrap_or_default()
}

/// Whether an object goes because it describes the reporter (or anyone's identity).
fn describes_someone(o: &Value) -> bool {
    match type_of(o) {
        "identity" => o.get("identity_class").and_then(Value::as_str) != Some("class"),
        "marking-definition" => !kyoyu_stix::tlp::is_fixed_tlp_id(id_of(o)),
        // Schemas keep their ids wherever `extensions` names them; the
        // definition object itself (its author, its name) is not released.
        "extension-definition" => true,
        // Coarsened to country and region first: one with neither said only
        // where the reporter's site is.
        "location" => o.get("country").is_none() && o.get("region").is_none(),
        _ => false,
    }
}

/// Calls `f` on every reference-holding property (`*_ref`, `*_refs`) at any depth.
fn each_ref_property(v: &mut Value, f: &mut impl FnMut(&str, &mut Value)) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k.ends_with("_ref") || k.ends_with("_refs") {
                    f(k, child);
                } else {
                    each_ref_property(child, f);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| each_ref_property(i, f)),
        _ => {}
    }
}

/// Rewrites references through `map`; references to `gone` ids are
/// removed. Returns false when a reference the object needs is gone.
fn rewrite_refs(o: &mut Value, map: &HashMap<String, String>, gone: &HashSet<String>) -> bool {
    let mut intact = true;
    let mut empty_props: Vec<String> = Vec::new();
    each_ref_property(o, &mut |key, value| match value {
        Value::String(s) => {
            if gone.contains(s.as_str()) {
                if matches!(key, "source_ref" | "target_ref" | "sighting_of_ref") {
                    intact = false;
                }
                empty_props.push(key.to_owned());
            } else if let Some(new) = map.get(s.as_str()) {
                *s = new.clone();
            }
        }
        Value::Array(items) => {
            items.retain(|i| !i.as_str().is_some_and(|s| gone.contains(s)));
            for i in items.iter_mut() {
                if let Value::String(s) = i
                    && let Some(new) = map.get(s.as_str())
                {
                    *s = new.clone();
                }
            }
            if items.is_empty() {
                if key == "object_refs" {
                    intact = false;
                }
                empty_props.push(key.to_owned());
            }
        }
        _ => {}
    });
    if let Some(m) = o.as_object_mut() {
        // Only top-level empties are removed here; nested ones are rare and harmless once empty.
        for k in empty_props {
            if m.get(&k)
                .is_some_and(|v| v.is_string() || v.as_array().is_some_and(Vec::is_empty))
            {
                m.remove(&k);
            }
        }
    }
    intact
}

fn fresh_id(ty: &str) -> String {
    format!("{ty}--{}", uuid::Uuid::new_v4())
}

/// Every id a submission refers to that it does not hold itself.
pub fn external_refs(objects: &[Value]) -> Vec<String> {
    let held: HashSet<&str> = objects.iter().map(id_of).collect();
    fn walk<'a>(v: &'a Value, key: &str, found: &mut Vec<&'a str>) {
        match v {
            Value::String(s) if key.ends_with("_ref") || key.ends_with("_refs") => found.push(s),
            Value::Array(items) => items.iter().for_each(|i| walk(i, key, found)),
            Value::Object(map) => map.iter().for_each(|(k, c)| walk(c, k, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for o in objects {
        walk(o, "", &mut found);
    }
    let mut out: Vec<String> = found
        .into_iter()
        .filter(|r| !held.contains(r))
        .map(str::to_owned)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether a reference to an object outside the submission must go:
/// identities (the reporter's, usually), marking definitions other than
/// TLP, extension definitions, and whatever the hub says the reporter
/// itself published before (`own`), which would point back to it.
fn points_back(id: &str, own: &dyn Fn(&str) -> bool) -> bool {
    id.starts_with("identity--")
        || id.starts_with("extension-definition--")
        || (id.starts_with("marking-definition--") && !kyoyu_stix::tlp::is_fixed_tlp_id(id))
        || own(id)
}

/// Runs stage 1 on a submission's objects; `own` says which outside ids
/// are the reporter's own earlier objects.
pub fn remove_identity(objects: &[Value], own: &dyn Fn(&str) -> bool) -> Removed {
    let mut gone: HashSet<String> = objects
        .iter()
        .filter(|o| describes_someone(o))
        .map(|o| id_of(o).to_owned())
        .collect();
    gone.extend(
        external_refs(objects)
            .into_iter()
            .filter(|r| points_back(r, own)),
    );
    let mut kept: Vec<Value> = objects
        .iter()
        .filter(|o| !describes_someone(o))
        .cloned()
        .collect();
    for o in &mut kept {
        if let Some(m) = o.as_object_mut() {
            // Who wrote it, and whom it was meant for, say who is reporting.
            m.remove("created_by_ref");
            m.remove(kyoyu_trust::policy::RECIPIENTS_PROPERTY);
            if let Some(Value::Array(refs)) = m.get_mut("object_marking_refs") {
                refs.retain(|r| r.as_str().is_some_and(kyoyu_stix::tlp::is_fixed_tlp_id));
                if refs.is_empty() {
                    m.remove("object_marking_refs");
                }
            }
            if let Some(Value::Array(g)) = m.get_mut("granular_markings") {
                g.retain(|g| {
                    g.get("marking_ref")
                        .and_then(Value::as_str)
                        .is_some_and(kyoyu_stix::tlp::is_fixed_tlp_id)
                });
                if g.is_empty() {
                    m.remove("granular_markings");
                }
            }
        }
    }
    let mut map: HashMap<String, String> = kept
        .iter()
        .filter(|o| type_of(o) != "marking-definition")
        .map(|o| (id_of(o).to_owned(), fresh_id(type_of(o))))
        .collect();
    // Dropping an object can orphan another: repeat until nothing changes.
    loop {
        let before = kept.len();
        let mut survivors = Vec::with_capacity(kept.len());
        for mut o in kept.drain(..) {
            if rewrite_refs(&mut o, &HashMap::new(), &gone) {
                survivors.push(o);
            } else {
                gone.insert(id_of(&o).to_owned());
            }
        }
        kept = survivors;
        if kept.len() == before {
            break;
        }
    }
    for o in &mut kept {
        rewrite_refs(o, &map, &gone);
        if let Some(new) = map.get(id_of(o)).cloned()
            && let Some(m) = o.as_object_mut()
        {
            m.insert("id".into(), Value::String(new));
        }
    }
    deterministic_sco_ids(&mut kept, &mut map);
    let dropped = objects.len() - kept.len();
    let mut id_map: Vec<(String, String)> = objects
        .iter()
        .filter_map(|o| map.get(id_of(o)).map(|n| (id_of(o).to_owned(), n.clone())))
        .filter(|(_, n)| kept.iter().any(|k| id_of(k) == n))
        .collect();
    id_map.sort();
    Removed {
        objects: kept,
        id_map,
        dropped,
    }
}

/// Replaces the UUIDv4 of each cyber observable with its deterministic
/// id where its properties allow, and rewrites references to match.
pub fn deterministic_sco_ids(objects: &mut [Value], map: &mut HashMap<String, String>) {
    // References between observables can change their ids in turn: a few rounds reach the fixpoint.
    for _ in 0..4 {
        let mut renamed: HashMap<String, String> = HashMap::new();
        for o in objects.iter() {
            let ty = type_of(o);
            let Some(m) = o.as_object() else { continue };
            if !is_sco(ty) {
                continue;
            }
            if let Some(id) = kyoyu_stix::id::deterministic_sco_id(ty, m) {
                let id = id.to_string();
                if id != id_of(o) {
                    renamed.insert(id_of(o).to_owned(), id);
                }
            }
        }
        if renamed.is_empty() {
            return;
        }
        let none = HashSet::new();
        for o in objects.iter_mut() {
            rewrite_refs(o, &renamed, &none);
            let current = id_of(o).to_owned();
            if let Some(new) = renamed.get(&current)
                && let Some(m) = o.as_object_mut()
            {
                m.insert("id".into(), Value::String(new.clone()));
            }
        }
        for v in map.values_mut() {
            if let Some(new) = renamed.get(v) {
                *v = new.clone();
            }
        }
    }
}

fn is_sco(ty: &str) -> bool {
    kyoyu_stix::id::id_contributing_properties(ty).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn references_out_of_the_submission_that_point_back_go() {
        let objects = vec![
            json!({"type": "sighting", "spec_version": "2.1", "id": "sighting--11111111-1111-4111-8111-111111111111",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                   "sighting_of_ref": "indicator--22222222-2222-4222-8222-222222222222",
                   "where_sighted_refs": ["identity--33333333-3333-4333-8333-333333333333"]}),
            json!({"type": "note", "spec_version": "2.1", "id": "note--44444444-4444-4444-8444-444444444444",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z", "content": "x",
                   "object_refs": ["report--55555555-5555-4555-8555-555555555555", "indicator--22222222-2222-4222-8222-222222222222"]}),
        ];
        assert_eq!(external_refs(&objects).len(), 3);
        // The indicator is someone else's (kept); the report is the reporter's own (dropped).
        let own = |id: &str| id.starts_with("report--");
        let out = remove_identity(&objects, &own);
        let text = serde_json::to_string(&out.objects).unwrap();
        assert!(
            !text.contains("33333333"),
            "the sighting no longer says where (whose) it was seen"
        );
        assert!(
            !text.contains("55555555"),
            "the reporter's own earlier report is not referred to"
        );
        assert!(
            text.contains("22222222"),
            "someone else's indicator stays referred to"
        );
        assert_eq!(out.objects.len(), 2);
    }

    fn submission() -> Vec<Value> {
        vec![
            json!({"type": "identity", "spec_version": "2.1", "id": "identity--11111111-1111-4111-8111-111111111111",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                   "name": "Example Power", "identity_class": "organization"}),
            json!({"type": "identity", "spec_version": "2.1", "id": "identity--22222222-2222-4222-8222-222222222222",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                   "name": "Electric utilities", "identity_class": "class"}),
            json!({"type": "malware", "spec_version": "2.1", "id": "malware--33333333-3333-4333-8333-333333333333",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                   "created_by_ref": "identity--11111111-1111-4111-8111-111111111111",
                   "name": "GridWiper", "is_family": true}),
            json!({"type": "relationship", "spec_version": "2.1", "id": "relationship--44444444-4444-4444-8444-444444444444",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                   "relationship_type": "targets", "source_ref": "malware--33333333-3333-4333-8333-333333333333",
                   "target_ref": "identity--11111111-1111-4111-8111-111111111111"}),
            json!({"type": "relationship", "spec_version": "2.1", "id": "relationship--55555555-5555-4555-8555-555555555555",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                   "relationship_type": "targets", "source_ref": "malware--33333333-3333-4333-8333-333333333333",
                   "target_ref": "identity--22222222-2222-4222-8222-222222222222"}),
            json!({"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--66666666-6666-4666-8666-666666666666",
                   "value": "203.0.113.9"}),
            json!({"type": "observed-data", "spec_version": "2.1", "id": "observed-data--77777777-7777-4777-8777-777777777777",
                   "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
                   "first_observed": "2025-01-01T00:00:00Z", "last_observed": "2025-01-01T00:00:00Z", "number_observed": 1,
                   "object_refs": ["ipv4-addr--66666666-6666-4666-8666-666666666666"]}),
        ]
    }

    #[test]
    fn the_reporter_goes_and_references_follow() {
        let out = remove_identity(&submission(), &|_| false);
        // The organization identity and the relationship that targets it are gone.
        assert_eq!(out.dropped, 2);
        let text = serde_json::to_string(&out.objects).unwrap();
        for old in [
            "11111111", "22222222", "33333333", "44444444", "55555555", "66666666", "77777777",
        ] {
            assert!(!text.contains(old), "old id {old} survives");
        }
        assert!(!text.contains("created_by_ref"));
        // The sector identity stays, and the relationship to it points at its new id.
        let new = |old: &str| {
            out.id_map
                .iter()
                .find(|(o, _)| o.contains(old))
                .unwrap()
                .1
                .clone()
        };
        let rel = out
            .objects
            .iter()
            .find(|o| type_of(o) == "relationship")
            .unwrap();
        assert_eq!(rel["source_ref"], json!(new("33333333")));
        assert_eq!(rel["target_ref"], json!(new("22222222")));
        // The observable gets its deterministic id, and observed-data follows.
        let ip = new("66666666");
        let uuid = uuid::Uuid::parse_str(ip.trim_start_matches("ipv4-addr--")).unwrap();
        assert_eq!(uuid.get_version_num(), 5, "a deterministic (v5) id");
        let od = out
            .objects
            .iter()
            .find(|o| type_of(o) == "observed-data")
            .unwrap();
        assert_eq!(od["object_refs"], json!([ip]));
        let again = remove_identity(&submission(), &|_| false);
        assert_eq!(
            new("66666666"),
            again
                .id_map
                .iter()
                .find(|(o, _)| o.contains("66666666"))
                .unwrap()
                .1,
            "deterministic"
        );
        assert_ne!(
            new("33333333"),
            again
                .id_map
                .iter()
                .find(|(o, _)| o.contains("33333333"))
                .unwrap()
                .1,
            "fresh"
        );
    }
}
