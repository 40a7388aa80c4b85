//! The casebook (報告事例集): fictional worked examples of reports, each
//! with its facts, the decision and why, in Japanese and English
//! (`casebook/casebook.toml`), and good-practice examples of acting on
//! shared threat information. The tests assess every example's facts and
//! check the recorded decision, so the casebook cannot contradict the
//! engine.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::LazyLock;

static SOURCE: &str = include_str!("../casebook/casebook.toml");

/// One worked example.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable id.
    pub id: String,
    /// Always true for the shipped samples: nothing in them is real.
    pub fictional: bool,
    /// Sector id.
    pub sector: String,
    /// Category (one of [`crate::CATEGORIES`]).
    pub category: String,
    /// Outage severity level (0–4).
    pub severity: u8,
    /// Regime id.
    pub regime: String,
    /// Title, Japanese.
    pub title_ja: String,
    /// Title, English.
    pub title_en: String,
    /// What happened, Japanese.
    pub summary_ja: String,
    /// What happened, English.
    pub summary_en: String,
    /// The decision: must it be reported.
    pub reportable: bool,
    /// To whom (recipient ids as the engine names them).
    pub recipients: Vec<String>,
    /// Which stages (ids).
    pub stages: Vec<String>,
    /// Why, Japanese.
    pub why_ja: String,
    /// Why, English.
    pub why_en: String,
    /// The facts, as the engine reads them.
    pub facts: toml::Table,
}

impl Case {
    /// The facts as JSON (what the engine and the API take).
    pub fn facts_json(&self) -> Value {
        serde_json::to_value(&self.facts).unwrap_or(Value::Null)
    }
}

/// A good-practice example of acting on shared information.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Practice {
    /// Stable id.
    pub id: String,
    /// Always true for the shipped samples.
    pub fictional: bool,
    /// Sector id.
    pub sector: String,
    /// Title, Japanese.
    pub title_ja: String,
    /// Title, English.
    pub title_en: String,
    /// What was done, Japanese.
    pub summary_ja: String,
    /// What was done, English.
    pub summary_en: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Book {
    #[serde(rename = "case")]
    cases: Vec<Case>,
    #[serde(rename = "practice")]
    practices: Vec<Practice>,
}

static BOOK: LazyLock<Book> = LazyLock::new(|| {
    toml::from_str(SOURCE).unwrap_or(Book {
        cases: Vec::new(),
        practices: Vec::new(),
    })
});

/// Every worked example.
pub fn cases() -> &'static [Case] {
    &BOOK.cases
}

/// Every good-practice example.
pub fn practices() -> &'static [Practice] {
    &BOOK.practices
}

/// What to look for in the casebook; empty fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Search {
    /// Words, in Japanese or English (each must appear; case and width are ignored for Latin letters).
    pub text: String,
    /// Sector id.
    pub sector: String,
    /// Category.
    pub category: String,
    /// Regime id.
    pub regime: String,
    /// Severity level.
    pub severity: Option<u8>,
}

fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            // Full-width ASCII to ASCII.
            '\u{ff01}'..='\u{ff5e}' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '\u{3000}' => ' ',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The examples that match, in casebook order.
pub fn search<'a>(cases: &'a [Case], q: &Search) -> Vec<&'a Case> {
    let words: Vec<String> = fold(&q.text)
        .split_whitespace()
        .map(str::to_owned)
        .collect();
    cases
        .iter()
        .filter(|c| q.sector.is_empty() || c.sector == q.sector)
        .filter(|c| q.category.is_empty() || c.category == q.category)
        .filter(|c| q.regime.is_empty() || c.regime == q.regime)
        .filter(|c| q.severity.is_none_or(|s| c.severity == s))
        .filter(|c| {
            let hay = fold(
                &[
                    c.title_ja.as_str(),
                    &c.title_en,
                    &c.summary_ja,
                    &c.summary_en,
                    &c.why_ja,
                    &c.why_en,
                ]
                .join(" "),
            );
            words.iter().all(|w| hay.contains(w.as_str()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Profiles, assess_json_with};
    use std::collections::BTreeSet;

    #[test]
    fn every_case_is_what_the_engine_decides() {
        let seeds = kyoyu_trust::seeds::Seeds::builtin().unwrap();
        assert!(cases().len() >= 30, "{} cases", cases().len());
        assert!(practices().len() >= 5);
        let mut ids = BTreeSet::new();
        for c in cases() {
            assert!(ids.insert(&c.id), "{} twice", c.id);
            assert!(c.fictional, "{}", c.id);
            assert!(c.title_ja.starts_with("【架空の事例】"), "{}", c.id);
            assert!(c.title_en.starts_with("[Fictional example]"), "{}", c.id);
            assert!(crate::CATEGORIES.contains(&c.category.as_str()), "{}", c.id);
            let facts = c.facts_json();
            assert_eq!(facts["regime"], c.regime.as_str(), "{}", c.id);
            assert_eq!(facts["sector"], c.sector.as_str(), "{}", c.id);
            let d = assess_json_with(&facts.to_string(), Profiles::shipped(), &seeds)
                .unwrap_or_else(|e| panic!("{}: {e}", c.id));
            assert_eq!(d["reportable"], c.reportable, "{}: {d:#}", c.id);
            let got: BTreeSet<&str> = d["recipients"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|r| r["id"].as_str())
                .collect();
            let want: BTreeSet<&str> = c.recipients.iter().map(String::as_str).collect();
            assert_eq!(got, want, "{}: recipients", c.id);
            let got: Vec<&str> = d["stages"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|s| s["stage"].as_str())
                .collect();
            assert_eq!(got, c.stages, "{}: stages", c.id);
        }
        for p in practices() {
            assert!(ids.insert(&p.id), "{} twice", p.id);
            assert!(p.fictional, "{}", p.id);
            assert!(p.title_ja.starts_with("【架空の事例】"), "{}", p.id);
            assert!(p.title_en.starts_with("[Fictional example]"), "{}", p.id);
            assert!(
                !p.summary_ja.is_empty() && !p.summary_en.is_empty(),
                "{}",
                p.id
            );
        }
        for c in cases() {
            for text in [&c.summary_ja, &c.summary_en, &c.why_ja, &c.why_en] {
                assert!(!text.trim().is_empty(), "{}", c.id);
            }
        }
        // Every regime and every category but two is illustrated.
        for r in ["jp-ci", "nis2", "circia"] {
            assert!(cases().iter().any(|c| c.regime == r), "{r}");
        }
        let categories: BTreeSet<&str> = cases().iter().map(|c| c.category.as_str()).collect();
        assert!(categories.len() >= 8, "{categories:?}");
    }

    #[test]
    fn search_by_words_in_either_language_and_filters() {
        let all = cases();
        let ids = |q: Search| {
            search(all, &q)
                .iter()
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>()
        };
        assert!(ids(Search::default()).len() == all.len());
        assert_eq!(
            ids(Search {
                text: "ランサムウェア 身代金".into(),
                ..Search::default()
            }),
            ["circia-water-ransom", "circia-elec-ransom-only"]
        );
        assert_eq!(
            ids(Search {
                text: "ＤＤＯＳ".into(),
                regime: "jp-ci".into(),
                ..Search::default()
            }),
            [
                "jp-finance-ddos",
                "jp-localgov-web-ddos",
                "jp-telecom-mobile-ddos"
            ]
        );
        assert_eq!(
            ids(Search {
                sector: "medical".into(),
                regime: "jp-ci".into(),
                ..Search::default()
            }),
            ["jp-medical-misdirected-mail", "jp-medical-ransomware-theft"]
        );
        assert_eq!(
            ids(Search {
                severity: Some(3),
                category: "ransomware".into(),
                ..Search::default()
            }),
            [
                "jp-elec-ransomware-control",
                "jp-medical-ransomware-theft",
                "nis2-elec-ransomware",
                "nis2-elec-ransomware-berlin",
                "circia-water-ransom"
            ]
        );
        assert!(
            ids(Search {
                text: "nothing-like-this".into(),
                ..Search::default()
            })
            .is_empty()
        );
    }
}
