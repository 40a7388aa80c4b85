//! Regime profiles: parsed from TOML, validated, looked up by id.

use crate::{CONDITIONS, FactValue, Facts, RULE_FACTS};
use jiff::civil::{Date, Time};
use jiff::{ToSpan, Zoned};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

/// Where a stage's deadline comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineKind {
    /// A statute or regulation fixes the period.
    Law,
    /// An official guideline gives the expectation (e.g. the PPC's "about
    /// 3 to 5 days").
    Guideline,
    /// The source says "promptly" or gives no period: the figure is this
    /// hub's default expectation, changed in the regime file.
    HubDefault,
}

impl DeadlineKind {
    /// Every kind.
    pub const ALL: [DeadlineKind; 3] = [
        DeadlineKind::Law,
        DeadlineKind::Guideline,
        DeadlineKind::HubDefault,
    ];

    /// The name used in regime files and decisions.
    pub fn as_str(self) -> &'static str {
        match self {
            DeadlineKind::Law => "law",
            DeadlineKind::Guideline => "guideline",
            DeadlineKind::HubDefault => "hub-default",
        }
    }
}

/// How a stage's period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Counting {
    /// Hours: an exact elapsed duration, whatever the clocks do.
    Elapsed,
    /// Days or months on the calendar of the time zone, ending at the same
    /// wall-clock time as the moment counted from.
    SameTime,
    /// Days or months on the calendar of the time zone, ending at 23:59:59
    /// local time of the period's last day (Japan's Civil Code, Arts.
    /// 140, 141 and 143); `first_day` says whether the day counted from is
    /// day 1.
    EndOfDay,
}

impl Counting {
    /// The name used in regime files.
    pub fn as_str(self) -> &'static str {
        match self {
            Counting::Elapsed => "elapsed",
            Counting::SameTime => "same-time",
            Counting::EndOfDay => "end-of-day",
        }
    }
}

/// For `counting = "end-of-day"`: whether the day counted from is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FirstDay {
    /// Not counted (初日不算入, Civil Code Art. 140), unless the period
    /// starts at 00:00, when that whole day is day 1 (the proviso of Art.
    /// 140).
    Excluded,
    /// Counted as day 1: the provision says "counting from the day of …"
    /// (…の日から起算して).
    Included,
}

/// A fact-based rule: fires when `fact` is true (flags), at least
/// `at_least` (numbers), or one of `one_of` (words).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable id, shown as the rule that fired.
    pub id: String,
    /// The fact it reads (one of [`RULE_FACTS`]).
    pub fact: String,
    /// For numbers: the least value that fires.
    #[serde(default)]
    pub at_least: Option<u64>,
    /// For words: the values that fire.
    #[serde(default)]
    pub one_of: Option<Vec<String>>,
    /// What it says, in English.
    pub en: String,
    /// What it says, in Japanese.
    pub ja: String,
}

impl Rule {
    /// Whether the rule fires for `facts`.
    pub fn fires(&self, facts: &Facts) -> bool {
        holds(&self.fact, self.at_least, self.one_of.as_deref(), facts)
    }
}

/// Whether `fact` is true (flags), at least `at_least` (numbers; 1 when
/// not given), or one of `one_of` (words).
fn holds(fact: &str, at_least: Option<u64>, one_of: Option<&[String]>, facts: &Facts) -> bool {
    match facts.value(fact) {
        Some(FactValue::Flag(b)) => b,
        Some(FactValue::Number(n)) => n.is_some_and(|n| n >= at_least.unwrap_or(1)),
        Some(FactValue::Word(w)) => {
            w.is_some_and(|w| one_of.is_some_and(|list| list.iter().any(|x| x == w)))
        }
        None => false,
    }
}

/// What is wrong with a test of `fact`, if anything: an unknown fact, or a
/// threshold or list that does not fit the kind of fact.
fn test_problem(fact: &str, at_least: Option<u64>, one_of: Option<&[String]>) -> Option<String> {
    let kind = match Facts::default().value(fact) {
        Some(FactValue::Flag(_)) => "flag",
        Some(FactValue::Number(_)) => "number",
        Some(FactValue::Word(_)) => "word",
        None => {
            return Some(format!(
                "fact '{fact}' is not one of {}",
                RULE_FACTS.join(", ")
            ));
        }
    };
    match (kind, at_least.is_some(), one_of.is_some()) {
        ("flag", false, false) | ("number", _, false) | ("word", false, true) => None,
        ("flag", _, _) => Some(format!(
            "fact '{fact}' is true or false: give neither at_least nor one_of"
        )),
        ("number", _, _) => Some(format!(
            "fact '{fact}' is a number: give at_least, not one_of"
        )),
        _ => Some(format!(
            "fact '{fact}' is a word: give one_of (the values that fire), not at_least"
        )),
    }
}

/// One test of a criterion.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// The fact it reads (one of [`RULE_FACTS`]).
    pub fact: String,
    /// For numbers: the least value that holds.
    #[serde(default)]
    pub at_least: Option<u64>,
    /// For words: the values that hold.
    #[serde(default)]
    pub one_of: Option<Vec<String>>,
}

/// A named test of one or more facts, all of which must hold (a statutory
/// threshold such as "30,000 users for 2 hours"). A stage that lists
/// criteria applies only when at least one of them holds; those that hold
/// are named among the rules that fired.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable id, shown as the rule that fired.
    pub id: String,
    /// The tests, all of which must hold.
    pub all: Vec<Condition>,
    /// What it says, in English.
    pub en: String,
    /// What it says, in Japanese.
    pub ja: String,
}

impl Criterion {
    /// Whether every test holds for `facts`.
    pub fn holds(&self, facts: &Facts) -> bool {
        self.all
            .iter()
            .all(|c| holds(&c.fact, c.at_least, c.one_of.as_deref(), facts))
    }
}

/// A report stage with a deadline.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageRule {
    /// Stage id (two rules may share one when their conditions exclude each other).
    pub id: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Japanese.
    pub name_ja: String,
    /// The recipient's id (a `[[recipient]]`, or `competent-ministry`).
    pub recipient: String,
    /// Only for these sectors (all when absent).
    #[serde(default)]
    pub sectors: Option<Vec<String>>,
    /// When the stage applies (one of [`CONDITIONS`]).
    pub when: String,
    /// And only when one of these criteria (`[[criterion]]` ids) holds,
    /// if any are given.
    #[serde(default)]
    pub criteria: Vec<String>,
    /// What the deadline counts from: `aware_at`, `occurred_at` (the
    /// facts' `aware_at` when they do not say), `ransom_paid_at` or an
    /// earlier stage's id (its deadline).
    pub from: String,
    /// Hours after (an absolute duration).
    #[serde(default)]
    pub hours: Option<i64>,
    /// Calendar days after, in the facts' time zone.
    #[serde(default)]
    pub days: Option<i64>,
    /// Calendar months after, in the facts' time zone.
    #[serde(default)]
    pub months: Option<i64>,
    /// How the period is counted: `elapsed` for hours; `same-time` or
    /// `end-of-day` for days and months.
    pub counting: Counting,
    /// For `end-of-day`: whether the day counted from is day 1.
    #[serde(default)]
    pub first_day: Option<FirstDay>,
    /// Whether the law, a guideline or the hub fixes the period.
    pub deadline: DeadlineKind,
    /// Where the deadline comes from, in English.
    pub basis_en: String,
    /// The same in Japanese.
    pub basis_ja: String,
}

impl StageRule {
    /// The deadline counted from `from` (in the time zone of `from`).
    pub(crate) fn due_from(&self, from: &Zoned) -> Result<Zoned, String> {
        let out_of_range = |e: jiff::Error| e.to_string();
        match (self.hours, self.days, self.months, self.counting) {
            (Some(h), None, None, Counting::Elapsed) => {
                from.checked_add(h.hours()).map_err(out_of_range)
            }
            (None, Some(d), None, Counting::SameTime) => {
                from.checked_add(d.days()).map_err(out_of_range)
            }
            (None, None, Some(m), Counting::SameTime) => {
                from.checked_add(m.months()).map_err(out_of_range)
            }
            (None, Some(d), None, Counting::EndOfDay) => {
                let first = self.first_day_of(from).map_err(out_of_range)?;
                // Day 1 is `first`: day d is d - 1 days later.
                let last = first.checked_add((d - 1).days()).map_err(out_of_range)?;
                end_of(last, from)
            }
            (None, None, Some(m), Counting::EndOfDay) => {
                let first = self.first_day_of(from).map_err(out_of_range)?;
                // Art. 143(2): the period ends on the day before the day of
                // the last month that corresponds to the first day; when
                // that month has no such day, on its last day.
                let same = first.checked_add(m.months()).map_err(out_of_range)?;
                let last = if same.day() == first.day() {
                    same.yesterday().map_err(out_of_range)?
                } else {
                    same
                };
                end_of(last, from)
            }
            _ => Err(format!(
                "stage {}: the period and its counting do not match",
                self.id
            )),
        }
    }

    /// Day 1 of an `end-of-day` period counted from `from`.
    fn first_day_of(&self, from: &Zoned) -> Result<Date, jiff::Error> {
        let counts = self.first_day == Some(FirstDay::Included) || from.time() == Time::midnight();
        if counts {
            Ok(from.date())
        } else {
            from.date().tomorrow()
        }
    }

    /// The period in words, English and Japanese.
    pub fn period(&self) -> (String, String) {
        let (n, en_unit, ja_unit) = match (self.hours, self.days, self.months) {
            (Some(h), _, _) => (h, if h == 1 { "hour" } else { "hours" }, "時間"),
            (_, Some(d), _) => (d, if d == 1 { "day" } else { "days" }, "日"),
            (_, _, Some(m)) => (m, if m == 1 { "month" } else { "months" }, "か月"),
            _ => (0, "", ""),
        };
        let (en, ja) = match (self.counting, self.first_day) {
            (Counting::Elapsed, _) => ("elapsed time".to_owned(), "経過時間".to_owned()),
            (Counting::SameTime, _) => (
                "on the calendar, until the same clock time".to_owned(),
                "暦に従い、同じ時刻まで".to_owned(),
            ),
            (Counting::EndOfDay, Some(FirstDay::Included)) => (
                "the first day counted; until 23:59:59 local time of the last day".to_owned(),
                "初日を算入し、末日の23時59分59秒まで".to_owned(),
            ),
            (Counting::EndOfDay, _) => (
                "the first day not counted unless the period starts at 00:00 (Civil Code Art. 140); until 23:59:59 local time of the last day".to_owned(),
                "初日不算入（午前0時から始まる場合を除く。民法第140条）、末日の23時59分59秒まで".to_owned(),
            ),
        };
        (
            format!("{n} {en_unit}, {en}"),
            format!("{n}{ja_unit}（{ja}）"),
        )
    }
}

/// 23:59:59 on `day`, in the time zone of `from`.
fn end_of(day: Date, from: &Zoned) -> Result<Zoned, String> {
    day.at(23, 59, 59, 0)
        .to_zoned(from.time_zone().clone())
        .map_err(|e| e.to_string())
}

/// A stage without a deadline (on request).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnRequest {
    /// Stage id.
    pub id: String,
    /// Name in English.
    pub name_en: String,
    /// Name in Japanese.
    pub name_ja: String,
    /// The recipient's id.
    pub recipient: String,
    /// When it applies.
    pub when: String,
    /// Its basis in English.
    pub basis_en: String,
    /// In Japanese.
    pub basis_ja: String,
}

/// A recipient of reports.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// Id.
    pub id: String,
    /// English name.
    pub name_en: String,
    /// Japanese name.
    pub name_ja: String,
}

/// A level of a regime's severity scale.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeverityLevel {
    /// The level, from 0.
    pub level: u8,
    /// Its name in English.
    pub name_en: String,
    /// Its name in Japanese.
    pub name_ja: String,
    /// What it means, in English.
    pub text_en: String,
    /// What it means, in Japanese.
    pub text_ja: String,
}

/// One regime.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profile {
    /// Id (`jp-ci`).
    pub id: String,
    /// English name.
    pub name_en: String,
    /// Japanese name.
    pub name_ja: String,
    /// The time zone calendar deadlines are counted in, unless the facts
    /// give one.
    pub time_zone: String,
    /// How many levels the severity scale has, if the regime has one
    /// (given, or the number of `[[severity_level]]`s).
    #[serde(default)]
    pub severity_levels: Option<u8>,
    /// Where the severity scale comes from.
    #[serde(default)]
    pub severity_source: Option<String>,
    /// The severity scale's levels, from 0, with their names and meaning.
    #[serde(default, rename = "severity_level")]
    pub severity_scale: Vec<SeverityLevel>,
    /// Recipients.
    #[serde(default, rename = "recipient")]
    pub recipients: Vec<Recipient>,
    /// Rules that make an incident reportable (besides being significant).
    #[serde(default)]
    pub reportable: Vec<Rule>,
    /// Rules that make it significant (unless the facts say).
    #[serde(default)]
    pub significance: Vec<Rule>,
    /// Criteria that stages may require.
    #[serde(default, rename = "criterion")]
    pub criteria: Vec<Criterion>,
    /// Stages with deadlines.
    #[serde(default, rename = "stage")]
    pub stages: Vec<StageRule>,
    /// Stages on request.
    #[serde(default)]
    pub on_request: Vec<OnRequest>,
}

/// A profile file that cannot be used: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileError {
    /// The file's name.
    pub file: String,
    /// The line (from 1), when the problem has one.
    pub line: Option<usize>,
    /// The column (from 1).
    pub column: Option<usize>,
    /// What is wrong (naming the field).
    pub message: String,
}

impl fmt::Display for ProfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(l), Some(c)) => write!(f, "{} line {l} column {c}: {}", self.file, self.message),
            (Some(l), None) => write!(f, "{} line {l}: {}", self.file, self.message),
            _ => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for ProfileError {}

/// The line and column (from 1) of byte `offset` in `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// A parse error's message, with what to write for the fields every stage
/// must have.
fn with_hint(message: &str) -> String {
    let hint = if message.contains("missing field `deadline`") {
        ": every [[stage]] says what fixes its deadline: deadline = \"law\", \"guideline\" or \"hub-default\""
    } else if message.contains("missing field `counting`") {
        ": every [[stage]] says how its period is counted: counting = \"elapsed\" (hours), \"same-time\" or \"end-of-day\" (days, months)"
    } else {
        ""
    };
    format!("{message}{hint}")
}

/// The line of the first `key = "value"` in `text`.
fn line_of(text: &str, key: &str, value: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let l = l.trim();
            l.starts_with(key) && l.contains(&format!("\"{value}\""))
        })
        .map(|i| i + 1)
}

/// What is wrong with a stage's `counting` and `first_day`, if anything.
fn counting_problem(s: &StageRule) -> Option<String> {
    let unit = if s.hours.is_some() {
        "hours"
    } else if s.days.is_some() {
        "days"
    } else {
        "months"
    };
    match (unit, s.counting, s.first_day) {
        ("hours", Counting::Elapsed, None) => None,
        ("hours", Counting::Elapsed, Some(_)) => Some(
            "first_day is only for counting = \"end-of-day\"; hours are an elapsed time".to_owned(),
        ),
        ("hours", other, _) => Some(format!(
            "counting '{}' is not for hours: hours are counted as counting = \"elapsed\"",
            other.as_str()
        )),
        (_, Counting::Elapsed, _) => Some(format!(
            "counting 'elapsed' is only for hours; {unit} are counted as \"same-time\" or \"end-of-day\""
        )),
        (_, Counting::SameTime, Some(_)) => Some(
            "first_day is only for counting = \"end-of-day\"".to_owned(),
        ),
        (_, Counting::EndOfDay, None) => Some(
            "counting = \"end-of-day\" needs first_day = \"excluded\" (the day counted from is not counted, Civil Code Art. 140) or \"included\" (the provision counts from that day, 起算して)".to_owned(),
        ),
        _ => None,
    }
}

impl Profile {
    /// What is wrong with the severity scale, if anything (and the level
    /// at fault): its levels are 0, 1, 2 … in order, as many as
    /// `severity_levels` says.
    fn check_severity_scale(&self) -> Option<(String, Option<u8>)> {
        for (i, l) in self.severity_scale.iter().enumerate() {
            if usize::from(l.level) != i {
                return Some((
                    format!(
                        "severity_level: level {} is out of place; list the levels from 0 up, one each (expected {i})",
                        l.level
                    ),
                    Some(l.level),
                ));
            }
        }
        let problem = match (self.severity_levels, self.severity_scale.len()) {
            (Some(0), _) => "severity_levels: a scale needs at least one level".to_owned(),
            (Some(n), len) if len > 0 && usize::from(n) != len => format!(
                "severity_levels = {n}, but {len} [[severity_level]] are given; make them agree"
            ),
            _ => return None,
        };
        Some((problem, None))
    }

    /// The criterion `id`.
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.criteria.iter().find(|c| c.id == id)
    }

    /// The level `level` of the severity scale, if the regime names its
    /// levels.
    pub fn severity_level(&self, level: u8) -> Option<&SeverityLevel> {
        self.severity_scale.get(usize::from(level))
    }

    /// Reads and checks a profile file.
    pub fn parse(file: &str, text: &str) -> Result<Profile, ProfileError> {
        let err = |line: Option<usize>, column: Option<usize>, message: String| ProfileError {
            file: file.to_owned(),
            line,
            column,
            message,
        };
        let mut p: Profile = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((None, None), |s| {
                let (l, c) = position(text, s.start);
                (Some(l), Some(c))
            });
            err(line, column, with_hint(e.message()))
        })?;
        let at = |key: &str, value: &str| line_of(text, key, value);
        if let Some((problem, level)) = p.check_severity_scale() {
            let key =
                level.map_or_else(|| "severity_levels".to_owned(), |n| format!("level = {n}"));
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(&key))
                .map(|i| i + 1);
            return Err(err(line, None, problem));
        }
        if p.severity_levels.is_none() && !p.severity_scale.is_empty() {
            p.severity_levels = u8::try_from(p.severity_scale.len()).ok();
        }
        if jiff::tz::TimeZone::get(&p.time_zone).is_err() {
            return Err(err(
                at("time_zone", &p.time_zone),
                None,
                format!("time_zone: '{}' is not a time zone name", p.time_zone),
            ));
        }
        for r in p.reportable.iter().chain(&p.significance) {
            if let Some(problem) = test_problem(&r.fact, r.at_least, r.one_of.as_deref()) {
                return Err(err(
                    at("fact", &r.fact).or(at("id", &r.id)),
                    None,
                    format!("rule {}: {problem}", r.id),
                ));
            }
        }
        let mut criteria = BTreeSet::new();
        for c in &p.criteria {
            let line = at("id", &c.id);
            if !criteria.insert(c.id.as_str()) {
                return Err(err(
                    line,
                    None,
                    format!("criterion {} is defined twice", c.id),
                ));
            }
            if c.all.is_empty() {
                return Err(err(
                    line,
                    None,
                    format!(
                        "criterion {}: all is empty; give the facts to test, e.g. all = [{{ fact = \"outage_minutes\", at_least = 120 }}]",
                        c.id
                    ),
                ));
            }
            for t in &c.all {
                if let Some(problem) = test_problem(&t.fact, t.at_least, t.one_of.as_deref()) {
                    return Err(err(line, None, format!("criterion {}: {problem}", c.id)));
                }
            }
        }
        let mut seen: Vec<&StageRule> = Vec::new();
        for s in &p.stages {
            let line = at("id", &s.id);
            if !CONDITIONS.contains(&s.when.as_str()) {
                return Err(err(
                    at("when", &s.when).or(line),
                    None,
                    format!(
                        "stage {}: when '{}' is not one of {}",
                        s.id,
                        s.when,
                        CONDITIONS.join(", ")
                    ),
                ));
            }
            let counts = [s.hours, s.days, s.months];
            if counts.iter().flatten().count() != 1 || counts.iter().flatten().any(|n| *n <= 0) {
                return Err(err(
                    line,
                    None,
                    format!(
                        "stage {}: give exactly one of hours, days, months, above zero",
                        s.id
                    ),
                ));
            }
            if let Some(problem) = counting_problem(s) {
                return Err(err(
                    at("counting", s.counting.as_str()).or(line),
                    None,
                    format!("stage {}: {problem}", s.id),
                ));
            }
            let from_known = matches!(
                s.from.as_str(),
                "aware_at" | "occurred_at" | "ransom_paid_at"
            ) || seen.iter().any(|e| e.id == s.from);
            if !from_known {
                return Err(err(
                    at("from", &s.from).or(line),
                    None,
                    format!(
                        "stage {}: from '{}' is not aware_at, occurred_at, ransom_paid_at or an earlier stage",
                        s.id, s.from
                    ),
                ));
            }
            if let Some(unknown) = s.criteria.iter().find(|c| !criteria.contains(c.as_str())) {
                return Err(err(
                    line,
                    None,
                    format!(
                        "stage {}: criteria names '{unknown}', which is not a [[criterion]] of this file",
                        s.id
                    ),
                ));
            }
            if seen.iter().any(|e| e.id == s.id && e.when == s.when) {
                return Err(err(
                    line,
                    None,
                    format!("stage {} is defined twice for when = {}", s.id, s.when),
                ));
            }
            let known_recipient = s.recipient == "competent-ministry"
                || p.recipients.iter().any(|r| r.id == s.recipient);
            if !known_recipient {
                return Err(err(
                    at("recipient", &s.recipient).or(line),
                    None,
                    format!(
                        "stage {}: recipient '{}' is not a [[recipient]]",
                        s.id, s.recipient
                    ),
                ));
            }
            seen.push(s);
        }
        for s in &p.on_request {
            if !CONDITIONS.contains(&s.when.as_str()) {
                return Err(err(
                    at("when", &s.when),
                    None,
                    format!("on_request {}: when '{}' is unknown", s.id, s.when),
                ));
            }
        }
        Ok(p)
    }
}

/// The regimes a hub knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profiles(Vec<Profile>);

impl Profiles {
    /// The regimes shipped with the hub.
    pub fn builtin() -> Profiles {
        Profiles(
            crate::BUILTIN
                .iter()
                .filter_map(|(file, text)| Profile::parse(file, text).ok())
                .collect(),
        )
    }

    /// The shipped regimes, parsed once.
    pub fn shipped() -> &'static Profiles {
        static SHIPPED: std::sync::LazyLock<Profiles> = std::sync::LazyLock::new(Profiles::builtin);
        &SHIPPED
    }

    /// These and one more (a file the hub was given), which replaces a
    /// shipped one of the same id.
    pub fn with(mut self, file: &str, text: &str) -> Result<Profiles, ProfileError> {
        let p = Profile::parse(file, text)?;
        self.0.retain(|q| q.id != p.id);
        self.0.push(p);
        Ok(self)
    }

    /// The profile of regime `id`.
    pub fn get(&self, id: &str) -> Option<&Profile> {
        self.0.iter().find(|p| p.id == id)
    }

    /// The regimes' ids.
    pub fn ids(&self) -> Vec<&str> {
        self.0.iter().map(|p| p.id.as_str()).collect()
    }
}
