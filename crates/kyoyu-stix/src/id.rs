//! STIX identifiers (`type--UUID`, spec 2.9) and deterministic SCO ids.

use crate::jcs::canonicalize;
use serde_json::{Map, Value};
use std::fmt;
use uuid::Uuid;

/// The namespace STIX 2.1 fixes for UUIDv5 SCO identifiers.
pub const SCO_NAMESPACE: Uuid = Uuid::from_u128(0x00ab_edb4_aa42_466c_9c01_fed2_3315_a9b7);

/// A parsed `type--uuid` identifier.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Identifier {
    ty: String,
    uuid: Uuid,
}

/// Why a string is not an identifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdError {
    /// No `--` separating type and UUID.
    NoSeparator,
    /// The part after `--` is not a hyphenated UUID.
    BadUuid,
}

impl fmt::Display for IdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoSeparator => "it must be '<object-type>--<UUID>'",
            Self::BadUuid => "the part after '--' must be a UUID in 8-4-4-4-12 hex form",
        })
    }
}

impl Identifier {
    /// Parses `type--uuid`. Only the form is checked here; whether the type
    /// and UUID version are allowed is the validator's business.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let (ty, uuid) = s.rsplit_once("--").ok_or(IdError::NoSeparator)?;
        let hyphenated = uuid.len() == 36
            && uuid.char_indices().all(|(i, c)| {
                if matches!(i, 8 | 13 | 18 | 23) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit()
                }
            });
        if !hyphenated {
            return Err(IdError::BadUuid);
        }
        let uuid = Uuid::parse_str(uuid).map_err(|_| IdError::BadUuid)?;
        Ok(Self {
            ty: ty.to_owned(),
            uuid,
        })
    }

    /// A fresh random (UUIDv4) identifier of the given type.
    pub fn new_random(ty: &str) -> Self {
        Self {
            ty: ty.to_owned(),
            uuid: Uuid::new_v4(),
        }
    }

    /// The object type part.
    pub fn object_type(&self) -> &str {
        &self.ty
    }

    /// The UUID part.
    pub fn uuid(&self) -> Uuid {
        self.uuid
    }
}

/// Splits `type--uuid` without allocating: the type part and the UUID
/// (8-4-4-4-12 hex digits, either case).
pub fn split(s: &str) -> Result<(&str, Uuid), IdError> {
    let (ty, uuid) = s.rsplit_once("--").ok_or(IdError::NoSeparator)?;
    if uuid.len() != 36 {
        return Err(IdError::BadUuid);
    }
    let mut value: u128 = 0;
    for (i, c) in uuid.bytes().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return Err(IdError::BadUuid);
            }
            continue;
        }
        let digit = match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            b'A'..=b'F' => c - b'A' + 10,
            _ => return Err(IdError::BadUuid),
        };
        value = value << 4 | u128::from(digit);
    }
    Ok((ty, Uuid::from_u128(value)))
}

/// Writes every identifier in `value` in canonical form: a string that is
/// exactly `type--UUID` with upper-case hex digits gets them in lower case
/// (UUIDs are case-insensitive, RFC 4122 section 3, so `...--E828B379-…`
/// and `...--e828b379-…` name the same object or marking). Only whole
/// strings are touched, never identifiers quoted in prose. Returns whether
/// anything changed.
pub fn canonicalize_ids(value: &mut Value) -> bool {
    match value {
        Value::String(s) => {
            let Some((ty, uuid)) = s.rsplit_once("--") else {
                return false;
            };
            let is_type = !ty.is_empty()
                && ty
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !is_type || !uuid.bytes().any(|b| b.is_ascii_uppercase()) || split(s).is_err() {
                return false;
            }
            let cut = s.len() - uuid.len();
            let lower = uuid.to_ascii_lowercase();
            s.replace_range(cut.., &lower);
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |changed, v| canonicalize_ids(v) | changed),
        Value::Object(map) => map
            .values_mut()
            .fold(false, |changed, v| canonicalize_ids(v) | changed),
        _ => false,
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}--{}", self.ty, self.uuid.hyphenated())
    }
}

/// The ID-contributing properties of each SCO type (STIX 2.1 chapter 6).
pub fn id_contributing_properties(sco_type: &str) -> Option<&'static [&'static str]> {
    Some(match sco_type {
        "artifact" => &["hashes", "payload_bin"],
        "autonomous-system" => &["number"],
        "directory" => &["path"],
        "domain-name" | "email-addr" | "ipv4-addr" | "ipv6-addr" | "mac-addr" | "url" => &["value"],
        "email-message" => &["from_ref", "subject", "body"],
        "file" => &["hashes", "name", "extensions", "parent_directory_ref"],
        "mutex" => &["name"],
        "network-traffic" => &[
            "start",
            "end",
            "src_ref",
            "dst_ref",
            "src_port",
            "dst_port",
            "protocols",
            "extensions",
        ],
        "process" => &[],
        "software" => &["name", "cpe", "swid", "vendor", "version"],
        "user-account" => &["account_type", "user_id", "account_login"],
        "windows-registry-key" => &["key", "values"],
        "x509-certificate" => &["hashes", "serial_number"],
        _ => return None,
    })
}

/// Hash algorithms in the order the spec prefers them for SCO ids.
const HASH_PREFERENCE: [&str; 4] = ["MD5", "SHA-1", "SHA-256", "SHA-512"];

/// The deterministic identifier of an SCO: UUIDv5 in [`SCO_NAMESPACE`] over
/// the RFC 8785 form of its ID-contributing properties.
///
/// Returns `None` for types with no contributing properties, or when none is
/// present: the spec then requires a UUIDv4.
pub fn deterministic_sco_id(sco_type: &str, sco: &Map<String, Value>) -> Option<Identifier> {
    let props = id_contributing_properties(sco_type)?;
    let mut contributing = Map::new();
    for &name in props {
        let Some(value) = sco.get(name) else { continue };
        let value = match (name, value) {
            ("hashes", Value::Object(hashes)) => {
                let chosen = HASH_PREFERENCE
                    .iter()
                    .find_map(|alg| hashes.get_key_value(*alg))
                    .or_else(|| hashes.iter().min_by(|a, b| a.0.cmp(b.0)));
                let Some((alg, digest)) = chosen else {
                    continue;
                };
                let mut one = Map::new();
                one.insert(alg.clone(), digest.clone());
                Value::Object(one)
            }
            _ => value.clone(),
        };
        contributing.insert(name.to_owned(), value);
    }
    if contributing.is_empty() {
        return None;
    }
    let name = canonicalize(&Value::Object(contributing));
    Some(Identifier {
        ty: sco_type.to_owned(),
        uuid: Uuid::new_v5(&SCO_NAMESPACE, name.as_bytes()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parse_identifier() {
        let id = Identifier::parse("indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f").unwrap();
        assert_eq!(id.object_type(), "indicator");
        assert_eq!(id.uuid().get_version_num(), 4);
        assert_eq!(
            id.to_string(),
            "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
        );
        assert_eq!(
            Identifier::parse("indicator-8e2e2d2b"),
            Err(IdError::NoSeparator)
        );
        assert_eq!(
            Identifier::parse("indicator--8e2e2d2b17d44cbf938f98ee46b3cd3f"),
            Err(IdError::BadUuid)
        );
    }

    #[test]
    fn known_sco_ids() {
        // Values produced by the OASIS `stix2` library for the same inputs.
        let cases = [
            (
                "ipv4-addr",
                json!({"value": "198.51.100.3"}),
                "ipv4-addr--28bb3599-77cd-5a82-a950-b5bc3caf07c4",
            ),
            (
                "domain-name",
                json!({"value": "example.com"}),
                "domain-name--bedb4899-d24b-5401-bc86-8f6b4cc18ec7",
            ),
            (
                "file",
                json!({"name": "a\u{20ac}b\n", "hashes": {"SHA-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}),
                "file--dd75d4a8-555f-5be0-9249-47b2fc83fa19",
            ),
            (
                "network-traffic",
                json!({"src_port": 1500, "protocols": ["tcp"], "src_ref": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"}),
                "network-traffic--0ca8c357-f122-5262-b360-ab7408d2f105",
            ),
        ];
        for (ty, props, want) in cases {
            let map = props.as_object().unwrap();
            assert_eq!(
                deterministic_sco_id(ty, map).unwrap().to_string(),
                want,
                "{ty}"
            );
        }
        assert!(deterministic_sco_id("process", &Map::new()).is_none());
        assert!(deterministic_sco_id("file", &Map::new()).is_none());
    }

    #[test]
    fn one_hash_by_preference() {
        let a = json!({"hashes": {"SHA-256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "MD5": "d41d8cd98f00b204e9800998ecf8427e"}});
        let b = json!({"hashes": {"MD5": "d41d8cd98f00b204e9800998ecf8427e"}});
        let id = deterministic_sco_id("file", a.as_object().unwrap()).unwrap();
        assert_eq!(
            Some(id.clone()),
            deterministic_sco_id("file", b.as_object().unwrap())
        );
        assert_eq!(id.to_string(), "file--02fff920-f614-527c-81d1-6353633a6d21");
    }
}
