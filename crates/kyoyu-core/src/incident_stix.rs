//! An incident report as STIX 2.1 (pure): the `incident`, a `report` that
//! gathers everything, the filer's `identity` (when the reader may know
//! it), an `indicator` per observable the operator listed (with an
//! `indicates` relationship to the incident) and, per report that listed
//! observables, an `observed-data` with the observables as SCOs.
//!
//! Two forms: **attributed** (what `GET /api/incidents/{id}/stix` answers
//! the filer, its ministry and an attributed national centre: ids derived
//! from the incident's, so a second export names the same objects, and the
//! real times) and **anonymous** (what is shared onward through the
//! concealment pipeline: no identity, fresh ids, no incident id, no stage
//! deadlines, every time the moment of sharing — nothing a reader of the
//! original could match but the words, which the pipeline then scrubs).

// `Value[key]` here reads objects built by `json!` above it: they are
// objects, so neither reading nor assigning can panic.
#![allow(clippy::indexing_slicing)]

use kyoyu_wire::reporting::Incident;
use serde_json::{Map, Value, json};

/// The namespace of the ids derived from an incident's (UUIDv5).
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6b79_6f79_752d_4000_8000_696e_6369_6465);

/// The filer as the export names it.
#[derive(Debug, Clone)]
pub struct Filer {
    /// The organization id.
    pub org: String,
    /// Its name.
    pub name: String,
}

/// How the incident is exported.
#[derive(Debug, Clone)]
pub enum Form {
    /// For a reader of the incident: its ids and times; the filer if known.
    Attributed(Option<Filer>),
    /// For sharing onward: nothing that ties it to the original.
    Anonymous {
        /// The moment of sharing (RFC 3339, milliseconds), every object's time.
        now: String,
    },
}

/// The SCO an observable value stands for (the same shapes as its
/// pattern), without its id.
pub fn sco_for(value: &str) -> Option<Value> {
    let v = value.trim();
    let sco = if v.parse::<std::net::Ipv4Addr>().is_ok() {
        json!({"type": "ipv4-addr", "value": v})
    } else if v.parse::<std::net::Ipv6Addr>().is_ok() {
        json!({"type": "ipv6-addr", "value": v})
    } else if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        json!({"type": "file", "hashes": {"SHA-256": v.to_ascii_lowercase()}})
    } else if v.contains("://") {
        json!({"type": "url", "value": v})
    } else if v.contains('@') {
        json!({"type": "email-addr", "value": v})
    } else if v.contains('.') && !v.contains(char::is_whitespace) {
        json!({"type": "domain-name", "value": v.to_ascii_lowercase()})
    } else {
        return None;
    };
    Some(sco)
}

/// An SCO with its deterministic id and spec version.
fn with_id(mut sco: Value) -> Option<Value> {
    let ty = sco.get("type")?.as_str()?.to_owned();
    let id = kyoyu_stix::id::deterministic_sco_id(&ty, sco.as_object()?)?;
    let m = sco.as_object_mut()?;
    m.insert("id".into(), json!(id.to_string()));
    m.insert("spec_version".into(), json!("2.1"));
    Some(sco)
}

/// A STIX timestamp (milliseconds, `Z`) from the hub's RFC 3339 text.
fn stix_time(text: &str) -> String {
    kyoyu_stix::Timestamp::parse(text)
        .map(|t| {
            kyoyu_stix::Timestamp::from_unix(t.unix_seconds(), t.subsec_nanos(), 3).to_string()
        })
        .unwrap_or_else(|_| text.to_owned())
}

/// The objects of the export, the `report` last.
pub fn objects(i: &Incident, form: &Form) -> Vec<Value> {
    let attributed = matches!(form, Form::Attributed(_));
    let id_of = |kind: &str, name: &str| match form {
        Form::Attributed(_) => format!(
            "{kind}--{}",
            uuid::Uuid::new_v5(&NAMESPACE, format!("{}/{name}", i.id).as_bytes())
        ),
        Form::Anonymous { .. } => format!("{kind}--{}", uuid::Uuid::new_v4()),
    };
    let first_filed = i.reports.first().map(|r| r.filed.as_str());
    let last_change = i.timeline.last().map(|e| e.at.as_str());
    let (created, modified) = match form {
        Form::Attributed(_) => (
            stix_time(
                first_filed
                    .or(last_change)
                    .unwrap_or("1970-01-01T00:00:00Z"),
            ),
            stix_time(
                last_change
                    .or(first_filed)
                    .unwrap_or("1970-01-01T00:00:00Z"),
            ),
        ),
        Form::Anonymous { now } => (now.clone(), now.clone()),
    };
    let mut out = Vec::new();
    let identity = match form {
        Form::Attributed(Some(f)) => {
            let id = format!(
                "identity--{}",
                uuid::Uuid::new_v5(&NAMESPACE, format!("org/{}", f.org).as_bytes())
            );
            out.push(json!({
                "type": "identity", "spec_version": "2.1", "id": id,
                "created": created, "modified": created,
                "name": f.name, "identity_class": "organization",
            }));
            Some(id)
        }
        _ => None,
    };
    let incident_id = id_of("incident", "incident");
    let mut incident = json!({
        "type": "incident", "spec_version": "2.1", "id": incident_id,
        "created": created, "modified": modified, "name": i.title,
        "x_kyoyu_regime": i.regime, "x_kyoyu_sector": i.sector,
    });
    if let Some(first) = i.reports.first().filter(|r| !r.text.is_empty()) {
        incident["description"] = json!(first.text);
    }
    if attributed {
        incident["external_references"] = json!([{"source_name": "kyoyu", "external_id": i.id}]);
        incident["x_kyoyu_state"] = json!(i.state);
        incident["x_kyoyu_stages"] = json!(i.stages);
    }
    out.push(incident);

    let mut seen = std::collections::BTreeSet::new();
    for (n, r) in i.reports.iter().enumerate() {
        let mut scos = Vec::new();
        for value in &r.indicators {
            let Some(sco) = sco_for(value).and_then(with_id) else {
                continue;
            };
            let sco_id = sco["id"].as_str().unwrap_or_default().to_owned();
            scos.push(sco_id.clone());
            if !seen.insert(sco_id) {
                continue;
            }
            let Some(pattern) = crate::submissions::pattern_for(value) else {
                continue;
            };
            let valid_from = if attributed {
                stix_time(&r.filed)
            } else {
                created.clone()
            };
            let indicator = id_of("indicator", &format!("{n}/{value}"));
            out.push(json!({
                "type": "indicator", "spec_version": "2.1", "id": indicator,
                "created": created, "modified": created, "name": value.trim(),
                "pattern_type": "stix", "pattern": pattern, "valid_from": valid_from,
                "indicator_types": ["malicious-activity"],
            }));
            out.push(json!({
                "type": "relationship", "spec_version": "2.1",
                "id": id_of("relationship", &format!("{n}/{value}")),
                "created": created, "modified": created, "relationship_type": "indicates",
                "source_ref": indicator, "target_ref": incident_id,
            }));
            out.push(sco);
        }
        if !scos.is_empty() {
            let at = if attributed {
                stix_time(&r.filed)
            } else {
                created.clone()
            };
            scos.sort();
            scos.dedup();
            out.push(json!({
                "type": "observed-data", "spec_version": "2.1",
                "id": id_of("observed-data", &format!("report/{n}")),
                "created": created, "modified": created,
                "first_observed": at, "last_observed": at, "number_observed": 1,
                "object_refs": scos,
            }));
        }
    }
    let refs: Vec<Value> = out.iter().filter_map(|o| o.get("id").cloned()).collect();
    let description: Vec<String> = i
        .reports
        .iter()
        .filter(|r| !r.text.is_empty())
        .map(|r| {
            if attributed {
                format!("#{} {} ({}): {}", r.number, r.stage, r.filed, r.text)
            } else {
                format!("#{} {}: {}", r.number, r.stage, r.text)
            }
        })
        .collect();
    let mut report = Map::new();
    report.insert("type".into(), json!("report"));
    report.insert("spec_version".into(), json!("2.1"));
    report.insert("id".into(), json!(id_of("report", "report")));
    report.insert("created".into(), json!(created));
    report.insert("modified".into(), json!(modified));
    report.insert("name".into(), json!(i.title));
    report.insert("report_types".into(), json!(["threat-report"]));
    report.insert("published".into(), json!(modified));
    report.insert("object_refs".into(), json!(refs));
    if !description.is_empty() {
        report.insert("description".into(), json!(description.join("\n\n")));
    }
    out.push(Value::Object(report));
    // Every SDO and SRO but the identity is the filer's (SCOs, which have
    // no `created`, carry no creator).
    if let Some(by) = &identity {
        for m in out.iter_mut().filter_map(Value::as_object_mut) {
            if m.contains_key("created") && m.get("id") != Some(&json!(by)) {
                m.insert("created_by_ref".into(), json!(by));
            }
        }
    }
    out
}

/// The export as a bundle.
pub fn bundle(i: &Incident, form: &Form) -> Value {
    json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid::Uuid::new_v4()),
        "objects": objects(i, form),
    })
}
