#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
//! Source-concealed sharing: a member reports an attack and the community
//! receives it without learning who reported it.
//!
//! Each stage is its own module, switched on or off by the hub's settings:
//! 1. [`identity`]: identity objects, `created_by_ref` and every original id go;
//!    references are remapped consistently;
//! 2. [`scrub`]: every string is scrubbed of the organization's identifying
//!    data and of internal details; unsure finds become review doubts;
//! 3. [`attribution`]: the hub (or a CEPTOAR) becomes the creator; timestamps
//!    are coarsened;
//! 4. [`release`]: batches by time window or count;
//! 6. [`seal`]: the provenance is encrypted to an escrow key, m-of-n;
//! 7. [`receipt`]: the submitter's capability;
//! 9. [`kanon`]: k-anonymous statistics.
//!
//! The review queue (5) and per-recipient attribution (8) are hub
//! workflows built on these. Plain functions over data: no I/O.

pub mod attribution;
pub mod fold;
pub mod identity;
pub mod kanon;
pub mod receipt;
pub mod release;
pub mod review;
pub mod scrub;
pub mod seal;
#[cfg(test)]
mod tests;
pub mod workflow;

use scrub::{Field, Kind, Profile};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// Which stages run (the hub's `[conceal]` settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stages {
    /// Stage 1.
    pub identity: bool,
    /// Stage 2.
    pub scrub: bool,
    /// Stage 3.
    pub reattribute: bool,
    /// Stage 3's timestamp granularity in seconds (1: unchanged).
    pub granularity_seconds: i64,
}

impl Default for Stages {
    fn default() -> Self {
        Self {
            identity: true,
            scrub: true,
            reattribute: true,
            granularity_seconds: 3600,
        }
    }
}

/// What kind of text a doubt is about: the console words each kind in the
/// reader's language; `why` keeps the English for the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DoubtKind {
    /// A logon on a machine with a name Windows gives by default.
    DefaultMachineName,
    /// An e-mail address in free text, not of the organization's hosts.
    EmailInText,
    /// A company name (legal form before or after it).
    CompanyName,
}

impl DoubtKind {
    /// Every kind.
    pub const ALL: [DoubtKind; 3] = [
        DoubtKind::DefaultMachineName,
        DoubtKind::EmailInText,
        DoubtKind::CompanyName,
    ];

    /// The kind's name (as serialized).
    pub fn name(self) -> &'static str {
        match self {
            Self::DefaultMachineName => "default-machine-name",
            Self::EmailInText => "email-in-text",
            Self::CompanyName => "company-name",
        }
    }

    /// Why a reviewer is asked about `text`, in English.
    pub fn english(self, text: &str) -> String {
        match self {
            Self::DefaultMachineName => format!(
                "a logon on a machine Windows named by default ({text}): the attacker's machine or the reporter's? It is withheld unless a reviewer keeps it"
            ),
            Self::EmailInText => format!(
                "an e-mail address in free text ({text}): it is withheld unless a reviewer keeps it as the attacker's"
            ),
            Self::CompanyName => format!(
                "a company name ({text}): it is withheld unless a reviewer keeps it (keep it only if it names none of the reporter, a customer or a partner)"
            ),
        }
    }
}

/// Something a reviewer should decide on.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Doubt {
    /// The released object's id.
    pub object: String,
    /// Where in it (a JSON path).
    pub path: String,
    /// What kind of text it is (absent in doubts stored before kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DoubtKind>,
    /// Why, in English.
    pub why: String,
    /// The text in question, withheld at release unless a reviewer keeps it.
    #[serde(default)]
    pub text: String,
}

/// A concealed submission.
#[derive(Debug, Clone, Default)]
pub struct Concealed {
    /// What will be released.
    pub objects: Vec<Value>,
    /// Original id → released id.
    pub id_map: Vec<(String, String)>,
    /// How many of each redaction were made.
    pub redactions: BTreeMap<Kind, usize>,
    /// What a reviewer must look at before release.
    pub doubts: Vec<Doubt>,
    /// Objects dropped whole.
    pub dropped: usize,
}

/// Properties written by people; everything else is a machine value.
fn field_of(key: &str) -> Field {
    match key {
        "name" | "description" | "content" | "explanation" | "abstract" | "statement"
        | "authors" | "aliases" | "goals" | "roles" | "labels" | "x_title" => Field::Text,
        k if k.starts_with("x_") => Field::Text,
        _ => Field::Value,
    }
}

/// STIX dictionary properties: their keys are free text (`X-ExPower-Scanned`,
/// `EXPOWER_HOME`), so they are searched like values.
const DICTIONARIES: [&str; 6] = [
    "additional_header_fields",
    "environment_variables",
    "ipfix",
    "request_header",
    "document_info_dict",
    "exif_tags",
];

/// Whether a property name is one to search: the keys of dictionaries and
/// every name that is not one of the specification's common ones.
fn free_key(parent: &str, k: &str) -> bool {
    // Every name but the spec's common ones: extension properties
    // (`examplepower_site`) and nested keys are free text too.
    DICTIONARIES.contains(&parent) || !(SPEC_KEYS.contains(&k) || SCHEMA_KEYS.contains(k))
}

/// Every property name the specification defines for any object or
/// structure (`display_name`, `account_login`): a fixed vocabulary, never
/// the reporter's name even when a staff member is called "Name".
static SCHEMA_KEYS: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
    std::sync::LazyLock::new(|| {
        use kyoyu_stix::schema::{SCO_COMMON, SDO_COMMON, STRUCTS, TYPES};
        let props = TYPES.iter().chain(STRUCTS).flat_map(|t| t.props.iter());
        SDO_COMMON
            .iter()
            .chain(SCO_COMMON)
            .chain(props)
            .map(|p| p.name)
            .collect()
    });

/// Property names of the specification that are never anyone's name
/// (the common ones: skipping them saves a scrub per property).
const SPEC_KEYS: [&str; 24] = [
    "type",
    "id",
    "spec_version",
    "created",
    "modified",
    "name",
    "description",
    "pattern",
    "pattern_type",
    "valid_from",
    "valid_until",
    "labels",
    "value",
    "hashes",
    "extensions",
    "object_marking_refs",
    "created_by_ref",
    "external_references",
    "source_name",
    "url",
    "external_id",
    "kill_chain_phases",
    "kill_chain_name",
    "phase_name",
];

/// A number that identifies the organization: its AS number where one is
/// meant, or an address in its ranges written as an integer.
fn own_number(n: &serde_json::Number, key: &str, profile: &Profile) -> Option<Kind> {
    let n = n.as_u64()?;
    let asn_key = matches!(key, "number" | "asn") || key.starts_with("x_");
    if asn_key && u32::try_from(n).is_ok_and(|n| profile.owns_asn(n)) {
        return Some(Kind::Asn);
    }
    let v4 = u32::try_from(n).ok().filter(|n| *n >= 1 << 24)?;
    profile
        .owns_address(std::net::Ipv4Addr::from(v4).into())
        .then_some(Kind::OwnAddress)
}

/// The fields of a `user-account` that name its holder: once one of them
/// was found to be the organization's, all of them go.
const ACCOUNT_FIELDS: [&str; 4] = ["user_id", "account_login", "display_name", "credential"];

/// What scrubbing found: redactions by kind, and doubts as (path, (kind, text)).
type Findings = (BTreeMap<Kind, usize>, Vec<(String, (DoubtKind, String))>);

/// Scrubs every string under `v`; `key` is the property holding it.
fn scrub_value(
    v: &mut Value,
    key: &str,
    path: &str,
    profile: &Profile,
    out: &mut Findings,
) -> bool {
    let mut touched = false;
    match v {
        Value::String(s) => {
            let r = profile.scrub(s, field_of(key));
            for k in &r.redactions {
                *out.0.entry(*k).or_default() += 1;
            }
            out.1
                .extend(r.doubts.into_iter().map(|d| (path.to_owned(), d)));
            touched = !r.redactions.is_empty();
            *s = r.text;
        }
        Value::Number(n) => {
            if let Some(kind) = own_number(n, key, profile) {
                *out.0.entry(kind).or_default() += 1;
                *v = Value::from(0);
                touched = true;
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                touched |= scrub_value(item, key, &format!("{path}[{i}]"), profile, out);
            }
        }
        Value::Object(map) => {
            // Property names can name the reporter too (`x_examplepower_ticket`).
            map.retain(|k, _| {
                let mentions = free_key(key, k) && profile.key_mentions(k);
                if mentions {
                    *out.0.entry(Kind::Name).or_default() += 1;
                }
                !mentions
            });
            if let Some(Value::Array(refs)) = map.get_mut("external_references") {
                // A reference that had to be scrubbed points back (an internal wiki, a ticket): drop it.
                refs.retain_mut(|r| {
                    let mut probe = (BTreeMap::new(), Vec::new());
                    !scrub_value(r, "external_references", "", profile, &mut probe)
                });
                if refs.is_empty() {
                    map.remove("external_references");
                }
            }
            let mut holder_named = false;
            for (k, child) in map.iter_mut() {
                // An object's own identity fields, and references that are
                // identifiers, are remapped by stage 1; anything else under
                // those names (nested `id`s, free text in an `x_…_ref`) is text.
                let top_level = path == "$" && matches!(k.as_str(), "id" | "type" | "spec_version");
                let is_reference = (k.ends_with("_ref") || k.ends_with("_refs"))
                    && match &*child {
                        Value::String(r) => kyoyu_stix::id::split(r).is_ok(),
                        Value::Array(rs) => rs
                            .iter()
                            .all(|r| r.as_str().is_some_and(|r| kyoyu_stix::id::split(r).is_ok())),
                        _ => false,
                    };
                if top_level || is_reference {
                    continue;
                }
                let hit = scrub_value(child, k, &format!("{path}.{k}"), profile, out);
                holder_named |= hit && ACCOUNT_FIELDS.contains(&k.as_str());
                touched |= hit;
            }
            if holder_named && map.get("type").and_then(Value::as_str) == Some("user-account") {
                for field in ACCOUNT_FIELDS {
                    if let Some(f) = map.get_mut(field)
                        && f.as_str() != Some(scrub::REDACTED)
                    {
                        *f = Value::String(scrub::REDACTED.into());
                    }
                }
            }
        }
        _ => {}
    }
    touched
}

/// Properties of a `location` that are kept: country and region. The
/// site's coordinates, address, city and name point at the reporter.
const LOCATION_KEPT: [&str; 11] = [
    "type",
    "spec_version",
    "id",
    "created",
    "modified",
    "created_by_ref",
    "country",
    "region",
    "object_marking_refs",
    "lang",
    "confidence",
];

/// Victim-side detail coarsened before anything else: locations keep only
/// country and region (one with neither is dropped by stage 1).
fn coarsen_locations(objects: &[Value]) -> Vec<Value> {
    objects
        .iter()
        .map(|o| {
            let mut o = o.clone();
            if o.get("type").and_then(Value::as_str) == Some("location")
                && let Some(m) = o.as_object_mut()
            {
                m.retain(|k, _| LOCATION_KEPT.contains(&k.as_str()));
            }
            o
        })
        .collect()
}

/// Identifiers of the submission's objects quoted in text or custom
/// properties become the released ones (or `[redacted]` where the object
/// is not released), so prose cannot link back to the original.
fn replace_quoted_ids(
    objects: &mut [Value],
    originals: &[Value],
    id_map: &[(String, String)],
    profile: &Profile,
    redactions: &mut BTreeMap<Kind, usize>,
) {
    let uuid = |id: &str| id.rsplit_once("--").map(|(_, u)| u.to_ascii_lowercase());
    let mut uuids: HashMap<String, Option<String>> = HashMap::new();
    for o in originals {
        if let Some(u) = o.get("id").and_then(Value::as_str).and_then(uuid) {
            uuids.insert(u, None);
        }
    }
    for id in identity::external_refs(originals)
        .iter()
        .filter(|r| profile.owns_object(r))
    {
        if let Some(u) = uuid(id) {
            uuids.insert(u, None);
        }
    }
    for (orig, released) in id_map {
        if let Some(u) = uuid(orig) {
            uuids.insert(u, uuid(released));
        }
    }
    uuids.retain(|k, v| v.as_deref() != Some(k.as_str()));
    if uuids.is_empty() {
        return;
    }
    fn walk(v: &mut Value, uuids: &HashMap<String, Option<String>>, n: &mut usize) {
        match v {
            Value::String(s) => {
                if let Some(new) = Profile::replace_ids(s, uuids) {
                    *s = new;
                    *n += 1;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, uuids, n)),
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if k != "id" && !k.ends_with("_ref") && !k.ends_with("_refs") {
                        walk(child, uuids, n);
                    }
                }
            }
            _ => {}
        }
    }
    let mut n = 0;
    for o in objects {
        walk(o, &uuids, &mut n);
    }
    if n > 0 {
        *redactions.entry(Kind::OriginalId).or_default() += n;
    }
}

/// Whether a granular-marking selector (`a.[0].b`) still points at something.
fn resolves(o: &Value, selector: &str) -> bool {
    let mut at = o;
    for step in selector.split('.') {
        let next = match step.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(i) => i.parse::<usize>().ok().and_then(|i| at.get(i)),
            None => at.get(step),
        };
        match next {
            Some(v) => at = v,
            None => return false,
        }
    }
    true
}

/// Drops granular-marking selectors that scrubbing left pointing at
/// nothing, and markings left with none.
fn prune_selectors(o: &mut Value) {
    let Some(mut markings) = o
        .get("granular_markings")
        .and_then(Value::as_array)
        .cloned()
    else {
        return;
    };
    for g in &mut markings {
        if let Some(Value::Array(sel)) = g.get_mut("selectors") {
            let snapshot = o.clone();
            sel.retain(|s| s.as_str().is_some_and(|s| resolves(&snapshot, s)));
        }
    }
    markings.retain(|g| {
        g.get("selectors")
            .and_then(Value::as_array)
            .is_some_and(|s| !s.is_empty())
    });
    if let Some(m) = o.as_object_mut() {
        if markings.is_empty() {
            m.remove("granular_markings");
        } else {
            m.insert("granular_markings".into(), Value::Array(markings));
        }
    }
}

/// Runs the switched-on stages over a submission's objects. `creator` is
/// the identity the released objects are attributed to.
pub fn conceal(objects: &[Value], profile: &Profile, creator: &str, stages: &Stages) -> Concealed {
    let originals = objects;
    // Victim-side detail is part of scrubbing.
    let coarsened = if stages.scrub {
        coarsen_locations(objects)
    } else {
        objects.to_vec()
    };
    let objects = coarsened.as_slice();
    let mut result = if stages.identity {
        let r = identity::remove_identity(objects, &|id| profile.owns_object(id));
        Concealed {
            objects: r.objects,
            id_map: r.id_map,
            dropped: r.dropped,
            ..Concealed::default()
        }
    } else {
        Concealed {
            objects: objects.to_vec(),
            id_map: objects
                .iter()
                .filter_map(|o| o.get("id").and_then(Value::as_str))
                .map(|id| (id.to_owned(), id.to_owned()))
                .collect(),
            ..Concealed::default()
        }
    };
    if stages.scrub {
        let mut found = (BTreeMap::new(), Vec::new());
        for o in &mut result.objects {
            let before = found.1.len();
            scrub_value(o, "", "$", profile, &mut found);
            let id = o
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            for (path, (kind, text)) in found.1.drain(before..).collect::<Vec<_>>() {
                result.doubts.push(Doubt {
                    object: id.clone(),
                    path,
                    kind: Some(kind),
                    why: kind.english(&text),
                    text,
                });
            }
        }
        result.redactions = found.0;
        // Scrubbed observables get the ids of what they now say.
        let mut map: HashMap<String, String> = result.id_map.iter().cloned().collect();
        identity::deterministic_sco_ids(&mut result.objects, &mut map);
        let mut renamed: HashMap<String, String> = HashMap::new();
        for (orig, released) in &mut result.id_map {
            if let Some(new) = map.get(orig.as_str()) {
                if new != released {
                    renamed.insert(released.clone(), new.clone());
                }
                released.clone_from(new);
            }
        }
        // A doubt names the object as released, so a reviewer's keep or
        // the withholding finds it under its final id.
        for d in &mut result.doubts {
            if let Some(new) = renamed.get(&d.object) {
                d.object.clone_from(new);
            }
        }
        replace_quoted_ids(
            &mut result.objects,
            originals,
            &result.id_map,
            profile,
            &mut result.redactions,
        );
    }
    for o in &mut result.objects {
        prune_selectors(o);
    }
    // Two of the reporter's observables redacted to the same placeholder are one object now.
    let mut seen = std::collections::HashSet::new();
    result.objects.retain(|o| {
        seen.insert(
            o.get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
        )
    });
    if stages.reattribute {
        for o in &mut result.objects {
            attribution::reattribute(o, creator, stages.granularity_seconds);
        }
    }
    result
}
