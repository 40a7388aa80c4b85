//! What the validator reports: findings with a stable code, a JSON path and a fix.

use serde::Serialize;
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// A MUST of the spec is broken: the object is invalid.
    Error,
    /// A SHOULD is not followed: invalid only in strict mode.
    Warning,
}

/// One problem found in an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable code, e.g. `required-property` or `modified-before-created`.
    pub code: &'static str,
    /// Error, or warning (a SHOULD).
    pub severity: Severity,
    /// Where: a JSON path such as `$.objects[2].kill_chain_phases[0].phase_name`.
    pub path: String,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev} [{}] {}: {}", self.code, self.path, self.message)
    }
}

/// The result for one object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// JSON path of the object in the document (`$` for a single object).
    pub path: String,
    /// The object's `id`, when it has a string one.
    pub id: Option<String>,
    /// The object's `type`, when it has a string one.
    #[serde(rename = "type")]
    pub object_type: Option<String>,
    /// Whether the object passes (no errors; in strict mode, no warnings either).
    pub valid: bool,
    /// Everything found, errors first.
    pub findings: Vec<Finding>,
}

impl Report {
    /// Errors only.
    pub fn errors(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
    }

    /// Warnings only.
    pub fn warnings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
    }
}
