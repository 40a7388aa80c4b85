//! Incident reporting as data and pure functions.
//!
//! - **Regime profiles** (`regimes/*.toml`, one file per regime, embedded):
//!   who receives reports, which facts make an incident reportable or
//!   significant, and the stages with their deadlines, each with the rule it
//!   comes from. Adding a regime is adding a file to [`BUILTIN`]; a hub may
//!   load more with [`Profiles::with`]. A malformed file is refused with its
//!   line and column ([`ProfileError`]).
//! - **The engine**: [`assess`] answers "must I report, to whom, by when,
//!   which stages" from structured [`Facts`], naming the rules that fired.
//!   Every stage says what fixes its deadline ([`DeadlineKind`]: law,
//!   guideline or the hub's default) and how its period is counted
//!   ([`Counting`]): hours are exact elapsed durations; days and months are
//!   counted on the calendar of the facts' time zone, either to the same
//!   wall-clock time or, as Japan's Civil Code counts them (Arts. 140, 141,
//!   143), to 23:59:59 of the last day with the first day counted or not
//!   ([`FirstDay`]).
//! - **The casebook** ([`casebook`]): fictional worked examples, each
//!   checked against the engine by the tests.

pub mod casebook;
mod profile;

pub use profile::{
    Condition, Counting, Criterion, DeadlineKind, FirstDay, Profile, ProfileError, Profiles, Rule,
    SeverityLevel, StageRule,
};

use jiff::{Timestamp, ToSpan, Zoned, tz::TimeZone};
use kyoyu_trust::seeds::Seeds;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt;

/// The regime files shipped with the hub: (file name, text).
pub const BUILTIN: [(&str, &str); 3] = [
    ("jp-ci.toml", include_str!("../regimes/jp-ci.toml")),
    ("nis2.toml", include_str!("../regimes/nis2.toml")),
    ("circia.toml", include_str!("../regimes/circia.toml")),
];

/// What kind of incident it was (for precursors, near misses and the
/// casebook's filters).
pub const CATEGORIES: [&str; 9] = [
    "unauthorized-access",
    "dos",
    "malware",
    "ransomware",
    "data-leak",
    "control-system-anomaly",
    "non-malicious-outage",
    "precursor",
    "near-miss",
];

/// The facts of an incident, as an operator states them (see
/// docs/reporting.md). Unknown fields are refused, naming them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Facts {
    /// `jp-ci`, `nis2` or `circia`.
    pub regime: String,
    /// The sector id (`electricity`, `finance` …).
    pub sector: String,
    /// When the organization became aware: RFC 3339 with an offset.
    pub aware_at: String,
    /// The IANA time zone calendar deadlines are counted in (default: the
    /// regime's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// When the incident happened, if known (RFC 3339 with an offset); not
    /// after `aware_at`. Stages the law counts from the occurrence count
    /// from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<String>,
    /// An explicit answer to "is it significant?", overriding the rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub significant: Option<bool>,
    /// Caused on purpose (an attack). A category that is an attack by its
    /// nature (`unauthorized-access`, `dos`, `malware`, `ransomware`) makes
    /// it true; [`parse_facts`] refuses an explicit `false` with one.
    #[serde(default)]
    pub malicious: bool,
    /// When a ransom was paid (RFC 3339 with an offset), if one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ransom_paid_at: Option<String>,
    /// The affected service, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected_service: Option<String>,
    /// How long the service was out, in minutes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outage_minutes: Option<u64>,
    /// Customers or users affected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customers_affected: Option<u64>,
    /// Personal records leaked (people whose personal data leaked or may
    /// have leaked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records_leaked: Option<u64>,
    /// The leaked personal data includes special-care data (要配慮個人情報:
    /// medical history, criminal records …).
    #[serde(default)]
    pub sensitive_data: bool,
    /// The leaked personal data could be misused for financial damage
    /// (card numbers, banking credentials).
    #[serde(default)]
    pub financial_damage_risk: bool,
    /// The operator judges the event an accident its sector's law requires
    /// to be reported (a serious telecommunications accident, an electricity
    /// accident), which the rules cannot always tell from these facts.
    #[serde(default)]
    pub statutory_accident: bool,
    /// People's safety affected.
    #[serde(default)]
    pub safety_impact: bool,
    /// Effects in other countries.
    #[serde(default)]
    pub cross_border: bool,
    /// One of [`CATEGORIES`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The outage severity level (0–4 on Japan's scale: see the regime's
    /// `[[severity_level]]`s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<u8>,
    /// Stages already submitted: stage id → when (RFC 3339 with an offset).
    /// A stage counted from another (NIS2's final report) counts from the
    /// other's actual submission when it is given, else from its deadline.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub submitted: BTreeMap<String, String>,
}

/// Facts that cannot be assessed: the field and what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactsError {
    /// The field (`aware_at`, `sector` …; `facts` for the whole).
    pub field: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for FactsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FactsError {}

fn bad(field: &str, message: impl Into<String>) -> FactsError {
    FactsError {
        field: field.to_owned(),
        message: message.into(),
    }
}

/// A fact's value, for the rules.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FactValue<'a> {
    Flag(bool),
    Number(Option<u64>),
    Word(Option<&'a str>),
}

impl Facts {
    /// The value of fact `name` (`None`: no such fact).
    pub(crate) fn value(&self, name: &str) -> Option<FactValue<'_>> {
        Some(match name {
            "malicious" => FactValue::Flag(self.malicious),
            "safety_impact" => FactValue::Flag(self.safety_impact),
            "cross_border" => FactValue::Flag(self.cross_border),
            "sensitive_data" => FactValue::Flag(self.sensitive_data),
            "financial_damage_risk" => FactValue::Flag(self.financial_damage_risk),
            "statutory_accident" => FactValue::Flag(self.statutory_accident),
            "outage_minutes" => FactValue::Number(self.outage_minutes),
            "customers_affected" => FactValue::Number(self.customers_affected),
            "records_leaked" => FactValue::Number(self.records_leaked),
            "severity" => FactValue::Number(self.severity.map(u64::from)),
            "category" => FactValue::Word(self.category.as_deref()),
            "sector" => FactValue::Word(Some(&self.sector)),
            _ => return None,
        })
    }
}

/// The facts rules may name.
pub const RULE_FACTS: [&str; 12] = [
    "malicious",
    "safety_impact",
    "cross_border",
    "sensitive_data",
    "financial_damage_risk",
    "statutory_accident",
    "outage_minutes",
    "customers_affected",
    "records_leaked",
    "severity",
    "category",
    "sector",
];

/// The conditions a stage may be `when`.
pub const CONDITIONS: [&str; 10] = [
    "always",
    "reportable",
    "significant",
    "malicious",
    "significant-malicious",
    "ransom-paid",
    "outage",
    "data-leaked",
    "data-leaked-malicious",
    "data-leaked-not-malicious",
];

/// Every fact an operator may state, in the order docs/reporting.md lists
/// them.
pub const FACT_FIELDS: [&str; 20] = [
    "regime",
    "sector",
    "aware_at",
    "time_zone",
    "occurred_at",
    "significant",
    "malicious",
    "ransom_paid_at",
    "affected_service",
    "outage_minutes",
    "customers_affected",
    "records_leaked",
    "sensitive_data",
    "financial_damage_risk",
    "statutory_accident",
    "safety_impact",
    "cross_border",
    "category",
    "severity",
    "submitted",
];

/// The categories that are attacks by their nature (`malicious` follows),
/// and the one that is not.
const ATTACKS: [&str; 4] = ["unauthorized-access", "dos", "malware", "ransomware"];
const NOT_AN_ATTACK: &str = "non-malicious-outage";

/// Parses an RFC 3339 instant with an offset, saying why not.
fn instant(field: &str, text: &str) -> Result<Timestamp, FactsError> {
    text.trim().parse::<Timestamp>().map_err(|e| {
        bad(
            field,
            format!(
                "'{text}' is not a date and time with its offset ({e}); write it as RFC 3339, e.g. 2026-03-27T10:00:00+09:00 (Japan) or 2026-03-27T01:00:00Z (UTC)"
            ),
        )
    })
}

/// The fact named most like `key`, for a misspelt field.
fn nearest_fact(key: &str) -> Option<&'static str> {
    FACT_FIELDS
        .iter()
        .copied()
        .map(|f| (edit_distance(f, key), f))
        .filter(|(d, f)| *d <= 2 || (key.len() >= 4 && f.starts_with(key)))
        .min()
        .map(|(_, f)| f)
}

/// The Levenshtein distance between two short words.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    // The distances from a's prefix so far to each prefix of b.
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut next = vec![i + 1];
        for (cb, (diagonal, up)) in b.iter().zip(row.iter().zip(row.iter().skip(1))) {
            let left = next.last().copied().unwrap_or(usize::MAX);
            let replace = diagonal + usize::from(ca != *cb);
            next.push(replace.min(up + 1).min(left.saturating_add(1)));
        }
        row = next;
    }
    row.last().copied().unwrap_or(0)
}

/// What to write for a required fact.
fn required(field: &str) -> FactsError {
    let what = match field {
        "regime" => "give the regime to assess under: jp-ci, nis2 or circia",
        "sector" => "give your sector's id, e.g. \"electricity\" (GET /api/sectors lists them)",
        _ => {
            "give the time your organization became aware of the incident, with its offset, e.g. \"2026-03-27T10:00:00+09:00\""
        }
    };
    bad(field, format!("is required: {what}"))
}

/// The answer for a set of facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    /// The regime.
    pub regime: String,
    /// Must it be reported.
    pub reportable: bool,
    /// Significant (by the facts' explicit answer or the rules).
    pub significant: bool,
    /// Who receives the reports.
    pub recipients: Vec<Value>,
    /// The rules that fired, each with its text in English and Japanese.
    pub fired_rules: Vec<Value>,
    /// The stages with a deadline, earliest first: `stage`, `due` (RFC 3339
    /// UTC), `due_local` (with the offset of the time zone), names,
    /// recipient, basis, `deadline_kind` (`law`, `guideline` or
    /// `hub-default`), `counted_from` and the period in words.
    pub stages: Vec<Value>,
    /// Stages without a deadline (on request, supplemental).
    pub on_request: Vec<Value>,
    /// The time zone calendar deadlines were counted in.
    pub time_zone: String,
}

/// Reads facts from JSON, naming the field of any problem.
pub fn parse_facts(text: &str) -> Result<Facts, FactsError> {
    let value: Value = serde_json::from_str(text)
        .map_err(|e| bad("facts", format!("not JSON ({e}): send an object such as {{\"regime\": \"jp-ci\", \"sector\": \"electricity\", \"aware_at\": \"2026-03-27T10:00:00+09:00\"}}")))?;
    let Some(object) = value.as_object() else {
        return Err(bad("facts", "send a JSON object"));
    };
    for field in ["regime", "sector", "aware_at"] {
        if object.get(field).is_none_or(Value::is_null) {
            return Err(required(field));
        }
    }
    // Each field's type first, so a wrong one is named.
    for (key, v) in object {
        let ok = match key.as_str() {
            "regime" | "sector" | "aware_at" => v.is_string(),
            "time_zone" | "occurred_at" | "ransom_paid_at" | "affected_service" | "category" => {
                v.is_string() || v.is_null()
            }
            "significant" => v.is_boolean() || v.is_null(),
            "malicious"
            | "safety_impact"
            | "cross_border"
            | "sensitive_data"
            | "financial_damage_risk"
            | "statutory_accident" => v.is_boolean(),
            "outage_minutes" | "customers_affected" | "records_leaked" => v.is_u64() || v.is_null(),
            "severity" => v.as_u64().is_some_and(|n| n <= 255) || v.is_null(),
            "submitted" => {
                let Some(map) = v.as_object() else {
                    return Err(bad(
                        key,
                        format!(
                            "must be an object of stage id and the time it was submitted, such as {{\"notification\": \"2026-03-30T09:00:00+02:00\"}}, not {v}"
                        ),
                    ));
                };
                if let Some((stage, at)) = map.iter().find(|(_, at)| !at.is_string()) {
                    return Err(bad(
                        &format!("submitted.{stage}"),
                        format!(
                            "must be the time the stage was submitted, with its offset, such as \"2026-03-30T09:00:00+02:00\", not {at}"
                        ),
                    ));
                }
                true
            }
            _ => {
                let hint = nearest_fact(key)
                    .map(|f| format!(" (did you mean {f}?)"))
                    .unwrap_or_default();
                return Err(bad(
                    key,
                    format!(
                        "is not a fact this hub knows{hint}; the facts are {} (docs/reporting.md says what each means)",
                        FACT_FIELDS.join(", ")
                    ),
                ));
            }
        };
        if !ok {
            let what = match key.as_str() {
                "outage_minutes" | "customers_affected" | "records_leaked" | "severity" => {
                    "a whole number, zero or more"
                }
                "aware_at" | "occurred_at" | "ransom_paid_at" => {
                    "text: a date and time with its offset, e.g. \"2026-03-27T10:00:00+09:00\""
                }
                "significant"
                | "malicious"
                | "safety_impact"
                | "cross_border"
                | "sensitive_data"
                | "financial_damage_risk"
                | "statutory_accident" => "true or false",
                _ => "text",
            };
            return Err(bad(key, format!("must be {what}, not {v}")));
        }
    }
    // A category that says what the incident was settles `malicious`.
    let category = object.get("category").and_then(Value::as_str);
    if let (Some(c), Some(Value::Bool(false))) = (category, object.get("malicious"))
        && ATTACKS.contains(&c)
    {
        return Err(bad(
            "malicious",
            format!(
                "is false, but category '{c}' is an attack by its nature; correct the category or leave malicious out"
            ),
        ));
    }
    let keys: Vec<String> = object.keys().cloned().collect();
    serde_json::from_value(value).map_err(|e| {
        let text = e.to_string();
        // serde names the field between backticks.
        let field = text
            .split('`')
            .nth(1)
            .filter(|_| text.starts_with("unknown field") || text.starts_with("missing field"))
            .map_or_else(
                || {
                    keys.iter()
                        .find(|k| text.contains(k.as_str()))
                        .cloned()
                        .unwrap_or_else(|| "facts".into())
                },
                str::to_owned,
            );
        bad(&field, text)
    })
}

/// The decision for `facts` under `profiles`, the competent ministries from
/// `seeds`.
pub fn assess(facts: &Facts, profiles: &Profiles, seeds: &Seeds) -> Result<Decision, FactsError> {
    let profile = profiles.get(&facts.regime).ok_or_else(|| {
        bad(
            "regime",
            format!(
                "'{}' is not a regime this hub knows; use one of: {}",
                facts.regime,
                profiles.ids().join(", ")
            ),
        )
    })?;
    let sector = seeds.sector(&facts.sector).ok_or_else(|| {
        bad(
            "sector",
            format!(
                "'{}' is not a sector; use one of: {}",
                facts.sector,
                seeds
                    .sectors
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    })?;
    let aware = instant("aware_at", &facts.aware_at)?;
    let occurred = facts
        .occurred_at
        .as_deref()
        .map(|t| instant("occurred_at", t))
        .transpose()?;
    if let Some(at) = occurred
        && at > aware
    {
        return Err(bad(
            "occurred_at",
            format!(
                "'{}' is after aware_at ('{}'): nobody becomes aware of an incident before it happens; correct one of the two",
                facts.occurred_at.as_deref().unwrap_or_default(),
                facts.aware_at
            ),
        ));
    }
    let ransom = facts
        .ransom_paid_at
        .as_deref()
        .map(|t| instant("ransom_paid_at", t))
        .transpose()?;
    if let Some(paid) = ransom
        && paid < aware.checked_sub(1.day()).unwrap_or(aware)
    {
        return Err(bad(
            "ransom_paid_at",
            "is more than a day before aware_at: a ransom is paid after the incident is known; check both times",
        ));
    }
    if let Some(c) = facts.category.as_deref()
        && !CATEGORIES.contains(&c)
    {
        return Err(bad(
            "category",
            format!(
                "'{c}' is not a category; use one of: {}",
                CATEGORIES.join(", ")
            ),
        ));
    }
    if facts.category.as_deref() == Some(NOT_AN_ATTACK) {
        if facts.malicious {
            return Err(bad(
                "malicious",
                format!(
                    "is true, but category '{NOT_AN_ATTACK}' says it was not an attack; correct one of the two"
                ),
            ));
        }
        if ransom.is_some() {
            return Err(bad(
                "ransom_paid_at",
                format!(
                    "a ransom was paid, but category '{NOT_AN_ATTACK}' says it was not an attack; correct the category (e.g. ransomware) or leave ransom_paid_at out"
                ),
            ));
        }
    }
    // An attack by its category is malicious, whether or not the facts
    // say so.
    let implied;
    let facts = if !facts.malicious
        && facts
            .category
            .as_deref()
            .is_some_and(|c| ATTACKS.contains(&c))
    {
        implied = Facts {
            malicious: true,
            ..facts.clone()
        };
        &implied
    } else {
        facts
    };
    if let (Some(level), Some(levels)) = (facts.severity, profile.severity_levels)
        && level >= levels
    {
        let top = levels - 1;
        let named = |n: u8| {
            profile.severity_level(n).map_or_else(
                || n.to_string(),
                |l| format!("{n} ({}, {})", l.name_en, l.name_ja),
            )
        };
        return Err(bad(
            "severity",
            format!(
                "{level} is not a level of this regime's severity scale; give {} to {}",
                named(0),
                named(top)
            ),
        ));
    }
    let mut submitted = BTreeMap::new();
    for (stage, at) in &facts.submitted {
        let field = format!("submitted.{stage}");
        if !profile.stages.iter().any(|s| &s.id == stage) {
            let mut ids: Vec<&str> = profile.stages.iter().map(|s| s.id.as_str()).collect();
            ids.dedup();
            return Err(bad(
                &field,
                format!(
                    "'{stage}' is not a stage of {} with a deadline; its stages are {}",
                    profile.id,
                    ids.join(", ")
                ),
            ));
        }
        let t = instant(&field, at)?;
        if t < aware {
            return Err(bad(
                &field,
                format!(
                    "'{at}' is before aware_at ('{}'): nothing is reported before anyone knows of it; correct one of the two",
                    facts.aware_at
                ),
            ));
        }
        submitted.insert(stage.as_str(), t);
    }
    let zone_name = facts
        .time_zone
        .clone()
        .unwrap_or_else(|| profile.time_zone.clone());
    let zone = TimeZone::get(&zone_name).map_err(|_| {
        bad(
            "time_zone",
            format!(
                "'{zone_name}' is not an IANA time zone name; write e.g. Asia/Tokyo, Europe/Brussels or America/New_York, or leave it out to count in {}",
                profile.time_zone
            ),
        )
    })?;

    let mut fired = Vec::new();
    let rule_json = |r: &Rule| json!({"id": r.id, "en": r.en, "ja": r.ja});
    let mut significant = match facts.significant {
        Some(s) => {
            fired.push(json!({
                "id": "stated-significance",
                "en": format!("The facts say the incident is {}significant", if s { "" } else { "not " }),
                "ja": if s { "事実として重大と申告された" } else { "事実として重大ではないと申告された" },
            }));
            s
        }
        None => false,
    };
    if facts.significant.is_none() {
        for r in profile.significance.iter().filter(|r| r.fires(facts)) {
            fired.push(rule_json(r));
            significant = true;
        }
    }
    let mut reportable_base = significant;
    for r in profile.reportable.iter().filter(|r| r.fires(facts)) {
        fired.push(rule_json(r));
        reportable_base = true;
    }
    let leaked = facts.records_leaked.unwrap_or(0) > 0;
    let holds = |when: &str| match when {
        "always" => true,
        "reportable" => reportable_base,
        "significant" => significant,
        "malicious" => facts.malicious,
        "significant-malicious" => significant && facts.malicious,
        "ransom-paid" => ransom.is_some(),
        "outage" => facts.outage_minutes.unwrap_or(0) > 0,
        "data-leaked" => leaked,
        "data-leaked-malicious" => leaked && facts.malicious,
        "data-leaked-not-malicious" => leaked && !facts.malicious,
        _ => false,
    };

    let start = aware.to_zoned(zone.clone());
    let mut dues: Vec<(String, Zoned)> = Vec::new();
    let mut stages = Vec::new();
    let mut recipients: Vec<String> = Vec::new();
    for s in &profile.stages {
        let applies = s
            .sectors
            .as_ref()
            .is_none_or(|list| list.contains(&facts.sector));
        if !applies || !holds(&s.when) {
            continue;
        }
        // A stage with criteria applies only when one of them holds.
        let met: Vec<&Criterion> = s
            .criteria
            .iter()
            .filter_map(|id| profile.criterion(id))
            .filter(|c| c.holds(facts))
            .collect();
        if !s.criteria.is_empty() && met.is_empty() {
            continue;
        }
        // The moment counted from, and what it is called.
        let (from, counted_from) = match s.from.as_str() {
            "aware_at" => (start.clone(), "aware_at".to_owned()),
            "occurred_at" => match occurred {
                Some(o) => (o.to_zoned(zone.clone()), "occurred_at".to_owned()),
                None => (start.clone(), "aware_at (occurred_at not given)".to_owned()),
            },
            "ransom_paid_at" => match ransom {
                Some(r) => (r.to_zoned(zone.clone()), "ransom_paid_at".to_owned()),
                None => continue,
            },
            stage => match (
                dues.iter().find(|(id, _)| id == stage),
                submitted.get(stage),
            ) {
                (None, _) => continue,
                (Some(_), Some(at)) => (at.to_zoned(zone.clone()), format!("submitted.{stage}")),
                (Some((_, z)), None) => (z.clone(), format!("due of {stage}")),
            },
        };
        let due = s.due_from(&from).map_err(|_| {
            // The fact to correct: the one the deadline counts from.
            let field = match counted_from.split(' ').next() {
                Some(f) if !counted_from.starts_with("due of") => f,
                _ => "aware_at",
            };
            bad(
                field,
                format!(
                    "the deadline of stage {} would fall after the last date the calendar holds (9999-12-31); give a real time",
                    s.id
                ),
            )
        })?;
        for c in met {
            if !fired.iter().any(|f| f["id"] == c.id.as_str()) {
                fired.push(json!({"id": c.id, "en": c.en, "ja": c.ja}));
            }
        }
        fired.push(
            json!({"id": format!("{}:{}", profile.id, s.id), "en": s.basis_en, "ja": s.basis_ja}),
        );
        let recipient = recipient_id(&s.recipient, sector.ministry.as_str());
        if !recipients.contains(&recipient) {
            recipients.push(recipient.clone());
        }
        let (period_en, period_ja) = s.period();
        stages.push(json!({
            "stage": s.id,
            "due": utc(&due),
            "due_local": local(&due),
            "name_en": s.name_en, "name_ja": s.name_ja,
            "recipient": recipient,
            "basis_en": s.basis_en, "basis_ja": s.basis_ja,
            "deadline_kind": s.deadline.as_str(),
            "counted_from": counted_from,
            "period_en": period_en, "period_ja": period_ja,
        }));
        dues.push((s.id.clone(), due));
    }
    let mut on_request = Vec::new();
    for s in profile.on_request.iter().filter(|s| holds(&s.when)) {
        on_request.push(json!({
            "stage": s.id, "name_en": s.name_en, "name_ja": s.name_ja,
            "recipient": recipient_id(&s.recipient, sector.ministry.as_str()),
            "basis_en": s.basis_en, "basis_ja": s.basis_ja,
        }));
    }
    stages.sort_by(|a, b| a["due"].as_str().cmp(&b["due"].as_str()));
    let recipients = recipients
        .iter()
        .map(|id| recipient_json(id, profile, seeds))
        .collect();
    Ok(Decision {
        regime: profile.id.clone(),
        reportable: !stages.is_empty(),
        significant,
        recipients,
        fired_rules: fired,
        stages,
        on_request,
        time_zone: zone_name,
    })
}

/// The id a decision names a recipient by: the competent ministry is
/// `ministry:<its organization id>`.
fn recipient_id(recipient: &str, ministry: &str) -> String {
    if recipient == "competent-ministry" {
        format!("ministry:{ministry}")
    } else {
        recipient.to_owned()
    }
}

fn recipient_json(id: &str, profile: &Profile, seeds: &Seeds) -> Value {
    if let Some(m) = id.strip_prefix("ministry:") {
        let org = seeds.ministries.iter().find(|o| o.id == m);
        return json!({
            "id": id,
            "org": m,
            "name_en": org.map_or(m, |o| o.name.as_str()),
            "name_ja": org.and_then(|o| o.name_ja.as_deref()).unwrap_or(m),
        });
    }
    match profile.recipients.iter().find(|r| r.id == id) {
        Some(r) => json!({"id": id, "name_en": r.name_en, "name_ja": r.name_ja}),
        None => json!({"id": id}),
    }
}

/// RFC 3339 in UTC, to the second.
fn utc(z: &Zoned) -> String {
    z.timestamp().strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// RFC 3339 with the offset in force then, to the second.
fn local(z: &Zoned) -> String {
    z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
}

/// The decision for facts given as JSON text, with the shipped regimes and
/// sectors: what `kyoyu report assess FACTS.json` prints.
pub fn assess_json(text: &str) -> Result<Value, FactsError> {
    let seeds = Seeds::builtin().map_err(|e| bad("facts", format!("the shipped sectors: {e}")))?;
    assess_json_with(text, Profiles::shipped(), &seeds)
}

/// [`assess_json`] with a hub's regimes and sectors.
pub fn assess_json_with(
    text: &str,
    profiles: &Profiles,
    seeds: &Seeds,
) -> Result<Value, FactsError> {
    let facts = parse_facts(text)?;
    let decision = assess(&facts, profiles, seeds)?;
    serde_json::to_value(decision).map_err(|e| bad("facts", e.to_string()))
}

#[cfg(test)]
mod tests;
