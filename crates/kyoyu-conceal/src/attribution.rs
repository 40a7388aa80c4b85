//! Stage 3, re-attribution: released objects are created by the hub (or
//! the community's CEPTOAR), and their timestamps are coarsened so that the
//! minute a report was written does not point to who wrote it.

use kyoyu_stix::Timestamp;
use serde_json::Value;

/// Every timestamp of a domain or relationship object is of the
/// reporter's making (`created`, `first_seen`, `analysis_started`,
/// `submitted`, …) and is coarsened, at any depth. Observables keep theirs:
/// file times and the like are intelligence.
fn coarsen_all(v: &mut Value, granularity: i64) {
    match v {
        Value::String(s) => {
            if let Some(new) = coarsen(s, granularity) {
                *s = new;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| coarsen_all(i, granularity)),
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k != "id" && k != "spec_version" && !k.ends_with("_ref") && !k.ends_with("_refs")
                {
                    coarsen_all(child, granularity);
                }
            }
        }
        _ => {}
    }
}

/// Pairs whose order the spec requires strictly (`later` > `earlier`).
const STRICT: [(&str, &str); 2] = [("valid_from", "valid_until"), ("start_time", "stop_time")];

/// Floors a timestamp to a multiple of `granularity` seconds.
fn coarsen(text: &str, granularity: i64) -> Option<String> {
    let t = Timestamp::parse(text).ok()?;
    let secs = t.unix_seconds().div_euclid(granularity) * granularity;
    Some(Timestamp::from_unix(secs, 0, 3).to_string())
}

/// Sets the creator and coarsens the timestamps of one object.
pub fn reattribute(object: &mut Value, creator: &str, granularity_seconds: i64) {
    let ty = object
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let is_sco = kyoyu_stix::id::id_contributing_properties(&ty).is_some();
    if !is_sco && ty != "marking-definition" && !creator.is_empty() {
        map.insert("created_by_ref".into(), Value::String(creator.to_owned()));
    }
    if is_sco || granularity_seconds <= 1 {
        return;
    }
    for (_, v) in map.iter_mut() {
        coarsen_all(v, granularity_seconds);
    }
    for (earlier, later) in STRICT {
        let (Some(a), Some(b)) = (
            map.get(earlier)
                .and_then(Value::as_str)
                .and_then(|t| Timestamp::parse(t).ok()),
            map.get(later)
                .and_then(Value::as_str)
                .and_then(|t| Timestamp::parse(t).ok()),
        ) else {
            continue;
        };
        if b.unix_seconds() <= a.unix_seconds() {
            let bumped = Timestamp::from_unix(a.unix_seconds() + granularity_seconds, 0, 3);
            map.insert(later.into(), Value::String(bumped.to_string()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn creator_and_hours() {
        let mut o = json!({"type": "indicator", "created": "2025-03-04T05:06:07.891Z",
            "modified": "2025-03-04T05:59:59.999Z", "valid_from": "2025-03-04T05:10:00Z",
            "valid_until": "2025-03-04T05:20:00Z", "created_by_ref": "identity--x"});
        reattribute(&mut o, "identity--hub", 3600);
        assert_eq!(o["created_by_ref"], "identity--hub");
        assert_eq!(o["created"], "2025-03-04T05:00:00.000Z");
        assert_eq!(o["modified"], "2025-03-04T05:00:00.000Z");
        assert_eq!(o["valid_from"], "2025-03-04T05:00:00.000Z");
        assert_eq!(
            o["valid_until"], "2025-03-04T06:00:00.000Z",
            "kept after valid_from"
        );
        let mut analysis = json!({"type": "malware-analysis", "analysis_started": "2025-03-04T05:06:07.891Z",
            "submitted": "2025-03-04T05:07:00Z", "x_notes": {"seen": ["2025-03-04T05:06:07Z"]}});
        reattribute(&mut analysis, "identity--hub", 3600);
        assert_eq!(analysis["analysis_started"], "2025-03-04T05:00:00.000Z");
        assert_eq!(analysis["submitted"], "2025-03-04T05:00:00.000Z");
        assert_eq!(analysis["x_notes"]["seen"][0], "2025-03-04T05:00:00.000Z");
        let mut sco = json!({"type": "file", "name": "a.exe", "mtime": "2025-03-04T05:06:07Z"});
        reattribute(&mut sco, "identity--hub", 3600);
        assert_eq!(sco["mtime"], "2025-03-04T05:06:07Z");
        assert!(sco.get("created_by_ref").is_none());
    }
}
