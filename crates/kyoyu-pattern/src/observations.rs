//! The observations a pattern is matched against: observed-data SDOs and the
//! SCOs their `object_refs` name, taken from bundles, envelopes or arrays.

use crate::matcher::MatchError;
use kyoyu_stix::Timestamp;
use serde_json::Value;

/// One observation: an observed-data object and the objects it refers to.
#[derive(Debug, Clone)]
pub(crate) struct Observation {
    /// The observed-data id.
    pub(crate) id: String,
    pub(crate) first: Timestamp,
    pub(crate) last: Timestamp,
    pub(crate) count: u64,
    /// The observed-data itself, then each referenced object found, in `object_refs` order.
    pub(crate) objects: Vec<Value>,
}

/// A set of observations, ready for matching.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    pub(crate) list: Vec<Observation>,
}

/// Every top-level object in a document: members of bundles and envelopes, array items, or the object itself.
fn flatten(value: &Value, out: &mut Vec<Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|i| flatten(i, out)),
        Value::Object(m) => match m.get("objects") {
            Some(Value::Array(items))
                if m.get("type").and_then(Value::as_str) != Some("observed-data") =>
            {
                out.extend(items.iter().cloned())
            }
            _ => out.push(value.clone()),
        },
        other => out.push(other.clone()),
    }
}

/// Parses an observation timestamp the way `stix2-matcher` does (upper case, microseconds).
pub(crate) fn parse_observed_time(s: &str) -> Result<Timestamp, MatchError> {
    if s.chars().any(char::is_lowercase) {
        return Err(MatchError(format!(
            "invalid timestamp (must be upper case): {s}"
        )));
    }
    Timestamp::parse(s).map_err(|e| MatchError(format!("invalid timestamp '{s}': {e}")))
}

impl Observations {
    /// Collects the observed-data objects of a document and the SCOs they reference.
    ///
    /// Every observed-data must have `object_refs`, `first_observed`,
    /// `last_observed` and a `number_observed` of at least 1.
    pub fn from_document(value: &Value) -> Result<Self, MatchError> {
        let mut all = Vec::new();
        flatten(value, &mut all);
        let mut by_id = std::collections::HashMap::new();
        let mut observed = Vec::new();
        for obj in &all {
            let Some(map) = obj.as_object() else {
                return Err(MatchError("every member must be a JSON object".into()));
            };
            match map.get("type").and_then(Value::as_str) {
                Some("observed-data") => observed.push(obj),
                Some(_) => {
                    if let Some(id) = map.get("id").and_then(Value::as_str) {
                        by_id.insert(id.to_owned(), obj);
                    }
                }
                None => return Err(MatchError("an object has no 'type'".into())),
            }
        }
        let mut list = Vec::with_capacity(observed.len());
        for od in observed {
            let refs = od
                .get("object_refs")
                .and_then(Value::as_array)
                .ok_or_else(|| MatchError("observed-data must have 'object_refs'".into()))?;
            let (Some(first), Some(last), Some(count)) = (
                od.get("first_observed").and_then(Value::as_str),
                od.get("last_observed").and_then(Value::as_str),
                od.get("number_observed").and_then(Value::as_u64),
            ) else {
                return Err(MatchError(
                    "observed-data must have number_observed, first_observed and last_observed"
                        .into(),
                ));
            };
            if count < 1 {
                return Err(MatchError("number_observed must be at least 1".into()));
            }
            let mut objects = vec![(*od).clone()];
            for r in refs {
                if let Some(obj) = r.as_str().and_then(|r| by_id.get(r)) {
                    objects.push((*obj).clone());
                }
            }
            list.push(Observation {
                id: od
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                first: parse_observed_time(first)?,
                last: parse_observed_time(last)?,
                count,
                objects,
            });
        }
        Ok(Self { list })
    }

    /// How many observed-data objects there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}
