//! STIX objects kept losslessly, with typed views of the common properties,
//! and the documents objects arrive in (bundle, TAXII envelope, array, single).

use crate::id::Identifier;
use crate::schema::{self, Category};
use crate::timestamp::Timestamp;
use serde_json::{Map, Value};

/// One STIX object.
///
/// The JSON map is kept exactly as received, so serializing gives back the
/// same JSON value, custom and unknown properties included. Typed views
/// ([`StixObject::common`]) read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct StixObject {
    map: Map<String, Value>,
}

/// A granular marking: a marking (or language) applied to selected properties.
#[derive(Debug, Clone, PartialEq)]
pub struct GranularMarking {
    /// The marking definition, if given.
    pub marking_ref: Option<Identifier>,
    /// The language tag, if given.
    pub lang: Option<String>,
    /// Selectors such as `description` or `kill_chain_phases.[0].phase_name`.
    pub selectors: Vec<String>,
}

/// The common properties (STIX 2.1 section 3.2), typed. A property that is
/// absent or malformed reads as `None` / empty; the validator reports why.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Common {
    /// `id`.
    pub id: Option<Identifier>,
    /// `spec_version`.
    pub spec_version: Option<String>,
    /// `created`.
    pub created: Option<Timestamp>,
    /// `modified`.
    pub modified: Option<Timestamp>,
    /// `created_by_ref`.
    pub created_by_ref: Option<Identifier>,
    /// `revoked` (false when absent).
    pub revoked: bool,
    /// `labels`.
    pub labels: Vec<String>,
    /// `confidence`.
    pub confidence: Option<i64>,
    /// `lang`.
    pub lang: Option<String>,
    /// `object_marking_refs`.
    pub object_marking_refs: Vec<Identifier>,
    /// `granular_markings`.
    pub granular_markings: Vec<GranularMarking>,
    /// Keys of `extensions`.
    pub extension_keys: Vec<String>,
}

fn str_of(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_owned)
}

fn id_of(v: Option<&Value>) -> Option<Identifier> {
    v.and_then(Value::as_str)
        .and_then(|s| Identifier::parse(s).ok())
}

fn ts_of(v: Option<&Value>) -> Option<Timestamp> {
    v.and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
}

fn list_of<T>(v: Option<&Value>, f: impl Fn(&Value) -> Option<T>) -> Vec<T> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(f).collect())
        .unwrap_or_default()
}

impl StixObject {
    /// Wraps a JSON map. Nothing is checked: use the validator for that.
    pub fn from_map(map: Map<String, Value>) -> Self {
        Self { map }
    }

    /// Wraps a JSON value that must be an object.
    pub fn from_value(value: Value) -> Result<Self, Value> {
        match value {
            Value::Object(map) => Ok(Self { map }),
            other => Err(other),
        }
    }

    /// `type`, if it is a string.
    pub fn object_type(&self) -> Option<&str> {
        self.map.get("type").and_then(Value::as_str)
    }

    /// Where the type sits in STIX's taxonomy.
    pub fn category(&self) -> Category {
        schema::category(self.object_type().unwrap_or_default())
    }

    /// `id`, if well-formed.
    pub fn id(&self) -> Option<Identifier> {
        id_of(self.map.get("id"))
    }

    /// The version timestamp: `modified`, else `created` (SCOs have neither).
    pub fn version(&self) -> Option<Timestamp> {
        ts_of(self.map.get("modified")).or_else(|| ts_of(self.map.get("created")))
    }

    /// A property by name.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.map.get(name)
    }

    /// The typed common properties.
    pub fn common(&self) -> Common {
        let m = &self.map;
        Common {
            id: id_of(m.get("id")),
            spec_version: str_of(m.get("spec_version")),
            created: ts_of(m.get("created")),
            modified: ts_of(m.get("modified")),
            created_by_ref: id_of(m.get("created_by_ref")),
            revoked: m.get("revoked").and_then(Value::as_bool).unwrap_or(false),
            labels: list_of(m.get("labels"), |v| v.as_str().map(str::to_owned)),
            confidence: m.get("confidence").and_then(Value::as_i64),
            lang: str_of(m.get("lang")),
            object_marking_refs: list_of(m.get("object_marking_refs"), |v| id_of(Some(v))),
            granular_markings: list_of(m.get("granular_markings"), |g| {
                Some(GranularMarking {
                    marking_ref: id_of(g.get("marking_ref")),
                    lang: str_of(g.get("lang")),
                    selectors: list_of(g.get("selectors"), |s| s.as_str().map(str::to_owned)),
                })
            }),
            extension_keys: m
                .get("extensions")
                .and_then(Value::as_object)
                .map(|e| e.keys().cloned().collect())
                .unwrap_or_default(),
        }
    }

    /// The JSON map.
    pub fn as_map(&self) -> &Map<String, Value> {
        &self.map
    }

    /// The JSON map, owned.
    pub fn into_map(self) -> Map<String, Value> {
        self.map
    }

    /// The object as a JSON value.
    pub fn into_value(self) -> Value {
        Value::Object(self.map)
    }
}

impl serde::Serialize for StixObject {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for StixObject {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Map::deserialize(d).map(Self::from_map)
    }
}

/// The shape a document of STIX content came in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentKind {
    /// A `bundle` object.
    Bundle,
    /// A TAXII 2.1 envelope (`{"objects": [...], "more": …}`).
    Envelope,
    /// A bare JSON array of objects.
    Array,
    /// One object.
    Single,
}

/// What kind of document a JSON value is. An object with `objects` but
/// neither `type` nor `id` is a TAXII envelope; anything else that is an
/// object is one STIX object (possibly malformed).
pub fn document_kind(value: &Value) -> DocumentKind {
    match value {
        Value::Array(_) => DocumentKind::Array,
        Value::Object(m) if m.get("type").and_then(Value::as_str) == Some("bundle") => {
            DocumentKind::Bundle
        }
        Value::Object(m)
            if !m.contains_key("type")
                && !m.contains_key("id")
                && m.get("objects").is_some_and(Value::is_array) =>
        {
            DocumentKind::Envelope
        }
        _ => DocumentKind::Single,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lossless_round_trip() {
        let v = json!({
            "type": "indicator", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
            "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.123456Z",
            "x_custom": {"nested": [1, 2.5, null, "三"]}, "big": 123456789012345678901234567890_u128 as f64
        });
        let obj: StixObject = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&obj).unwrap(), v);
        let c = obj.common();
        assert!(c.modified > c.created);
        assert_eq!(
            obj.version().unwrap().to_string(),
            "2016-04-06T20:03:48.123456Z"
        );
    }

    #[test]
    fn kinds() {
        assert_eq!(
            document_kind(&json!({"type": "bundle"})),
            DocumentKind::Bundle
        );
        assert_eq!(
            document_kind(&json!({"objects": [], "more": false})),
            DocumentKind::Envelope
        );
        assert_eq!(document_kind(&json!([])), DocumentKind::Array);
        assert_eq!(document_kind(&json!({"type": "x"})), DocumentKind::Single);
    }
}
