//! The relationships the spec defines between types (STIX 2.1 chapter 4
//! "Relationships" sections, summarised in 5.1.1): source type,
//! relationship type, allowed target types. Others are allowed but SHOULD
//! be one of the common ones (`derived-from`, `duplicate-of`, `related-to`).

/// Relationship types any object may use.
pub const COMMON: &[&str] = &["derived-from", "duplicate-of", "related-to"];

const SCOS: &[&str] = &[
    "infrastructure",
    "observed-data",
    "artifact",
    "autonomous-system",
    "directory",
    "domain-name",
    "email-addr",
    "email-message",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "mac-addr",
    "mutex",
    "network-traffic",
    "process",
    "software",
    "url",
    "user-account",
    "windows-registry-key",
    "x509-certificate",
];

/// (source type, relationship type, target types).
pub const DEFINED: &[(&str, &str, &[&str])] = &[
    ("attack-pattern", "delivers", &["malware"]),
    (
        "attack-pattern",
        "targets",
        &["location", "vulnerability", "identity"],
    ),
    ("attack-pattern", "uses", &["malware", "tool"]),
    (
        "campaign",
        "attributed-to",
        &["intrusion-set", "threat-actor"],
    ),
    ("campaign", "compromises", &["infrastructure"]),
    ("campaign", "originates-from", &["location"]),
    (
        "campaign",
        "targets",
        &["location", "identity", "vulnerability"],
    ),
    (
        "campaign",
        "uses",
        &["attack-pattern", "infrastructure", "malware", "tool"],
    ),
    ("course-of-action", "investigates", &["indicator"]),
    (
        "course-of-action",
        "mitigates",
        &[
            "attack-pattern",
            "indicator",
            "malware",
            "tool",
            "vulnerability",
        ],
    ),
    (
        "course-of-action",
        "remediates",
        &["malware", "vulnerability"],
    ),
    (
        "domain-name",
        "resolves-to",
        &["domain-name", "ipv4-addr", "ipv6-addr"],
    ),
    ("identity", "located-at", &["location"]),
    (
        "indicator",
        "indicates",
        &[
            "attack-pattern",
            "campaign",
            "infrastructure",
            "intrusion-set",
            "malware",
            "threat-actor",
            "tool",
        ],
    ),
    ("indicator", "based-on", &["observed-data"]),
    (
        "infrastructure",
        "communicates-with",
        &[
            "infrastructure",
            "ipv4-addr",
            "ipv6-addr",
            "domain-name",
            "url",
        ],
    ),
    ("infrastructure", "consists-of", SCOS),
    ("infrastructure", "controls", &["infrastructure", "malware"]),
    ("infrastructure", "delivers", &["malware"]),
    ("infrastructure", "has", &["vulnerability"]),
    ("infrastructure", "hosts", &["tool", "malware"]),
    ("infrastructure", "located-at", &["location"]),
    ("infrastructure", "uses", &["infrastructure"]),
    ("intrusion-set", "attributed-to", &["threat-actor"]),
    ("intrusion-set", "compromises", &["infrastructure"]),
    ("intrusion-set", "hosts", &["infrastructure"]),
    ("intrusion-set", "originates-from", &["location"]),
    ("intrusion-set", "owns", &["infrastructure"]),
    (
        "intrusion-set",
        "targets",
        &["identity", "location", "vulnerability"],
    ),
    (
        "intrusion-set",
        "uses",
        &["attack-pattern", "infrastructure", "malware", "tool"],
    ),
    ("ipv4-addr", "resolves-to", &["mac-addr"]),
    ("ipv4-addr", "belongs-to", &["autonomous-system"]),
    ("ipv6-addr", "resolves-to", &["mac-addr"]),
    ("ipv6-addr", "belongs-to", &["autonomous-system"]),
    ("malware", "authored-by", &["threat-actor", "intrusion-set"]),
    ("malware", "beacons-to", &["infrastructure"]),
    ("malware", "exfiltrates-to", &["infrastructure"]),
    (
        "malware",
        "communicates-with",
        &["ipv4-addr", "ipv6-addr", "domain-name", "url"],
    ),
    ("malware", "controls", &["malware"]),
    ("malware", "downloads", &["malware", "file", "tool"]),
    ("malware", "drops", &["malware", "file", "tool"]),
    ("malware", "exploits", &["vulnerability"]),
    ("malware", "originates-from", &["location"]),
    (
        "malware",
        "targets",
        &["identity", "infrastructure", "location"],
    ),
    (
        "malware",
        "uses",
        &["attack-pattern", "infrastructure", "malware", "tool"],
    ),
    ("malware", "variant-of", &["malware"]),
    ("malware-analysis", "characterizes", &["malware"]),
    ("malware-analysis", "analysis-of", &["malware"]),
    ("malware-analysis", "static-analysis-of", &["malware"]),
    ("malware-analysis", "dynamic-analysis-of", &["malware"]),
    ("threat-actor", "attributed-to", &["identity"]),
    ("threat-actor", "compromises", &["infrastructure"]),
    ("threat-actor", "hosts", &["infrastructure"]),
    ("threat-actor", "owns", &["infrastructure"]),
    ("threat-actor", "impersonates", &["identity"]),
    ("threat-actor", "located-at", &["location"]),
    (
        "threat-actor",
        "targets",
        &["identity", "location", "vulnerability"],
    ),
    (
        "threat-actor",
        "uses",
        &["attack-pattern", "infrastructure", "malware", "tool"],
    ),
    ("tool", "delivers", &["malware"]),
    ("tool", "drops", &["malware"]),
    ("tool", "uses", &["infrastructure"]),
    ("tool", "has", &["vulnerability"]),
    (
        "tool",
        "targets",
        &["identity", "infrastructure", "location", "vulnerability"],
    ),
    ("vulnerability", "impacts", &["infrastructure", "tool"]),
];

/// What the spec says of `source --type--> target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suggestion {
    /// Defined by the spec, or a common relationship type.
    Defined,
    /// The source type defines no relationships.
    UnknownSource,
    /// The source type does not define this relationship type.
    UnknownType,
    /// The relationship type is defined but not towards this target type.
    UnknownTarget,
}

/// Looks a relationship up.
pub fn suggestion(source: &str, relationship_type: &str, target: &str) -> Suggestion {
    if COMMON.contains(&relationship_type) {
        return Suggestion::Defined;
    }
    if !DEFINED.iter().any(|(s, ..)| *s == source) {
        return Suggestion::UnknownSource;
    }
    match DEFINED
        .iter()
        .find(|(s, r, _)| *s == source && *r == relationship_type)
    {
        None => Suggestion::UnknownType,
        Some((.., targets)) if targets.contains(&target) => Suggestion::Defined,
        Some(_) => Suggestion::UnknownTarget,
    }
}
