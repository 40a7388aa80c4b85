//! The STIX 2.1 validator.
//!
//! Every MUST of the spec is an error; the SHOULDs are warnings, promoted to
//! errors in strict mode, as the OASIS `stix2-validator` does. Each finding
//! has a stable code, the JSON path it is about and a message saying what to
//! fix. The verdicts are checked against the OASIS tools by the oracle tests
//! (`crates/kyoyu/tests/it/oracle.rs`); deliberate differences are listed in
//! `docs/oracle-agreement.md`.
//!
//! Pure functions over `serde_json::Value`; no I/O.

mod checks;
mod finding;
mod path;
mod shoulds;
#[cfg(test)]
mod tests;

pub use finding::{Finding, Report, Severity};

use kyoyu_stix::object::{DocumentKind, document_kind};
use path::JsonPath;
use serde_json::Value;

/// Bounds that keep validation cheap on hostile input. Exceeding one is an error.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deepest nesting of arrays and objects inside one STIX object.
    pub max_depth: usize,
    /// Longest string, in bytes.
    pub max_string_bytes: usize,
    /// Longest array.
    pub max_array_len: usize,
    /// Most properties in one JSON object.
    pub max_properties: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_depth: 32,
            max_string_bytes: 4 << 20,
            max_array_len: 100_000,
            max_properties: 10_000,
        }
    }
}

/// How to validate.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Treat SHOULD warnings as errors.
    pub strict: bool,
    /// Size bounds.
    pub limits: Limits,
}

/// Collects findings for one object.
pub(crate) struct Ctx<'o> {
    pub(crate) opts: &'o Options,
    pub(crate) findings: Vec<Finding>,
}

impl Ctx<'_> {
    pub(crate) fn error(
        &mut self,
        code: &'static str,
        path: &JsonPath<'_>,
        message: impl Into<String>,
    ) {
        self.findings.push(Finding {
            code,
            severity: Severity::Error,
            path: path.to_string(),
            message: message.into(),
        });
    }

    pub(crate) fn warn(
        &mut self,
        code: &'static str,
        path: &JsonPath<'_>,
        message: impl Into<String>,
    ) {
        let severity = if self.opts.strict {
            Severity::Error
        } else {
            Severity::Warning
        };
        self.findings.push(Finding {
            code,
            severity,
            path: path.to_string(),
            message: message.into(),
        });
    }
}

/// Validates a document: a bundle, a TAXII envelope, a JSON array of
/// objects or one object. Returns one report per object (for a bundle, the
/// bundle's own report first).
pub fn validate_document(value: &Value, options: &Options) -> Vec<Report> {
    match (document_kind(value), value) {
        (DocumentKind::Array, Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| validate_at(v, &format!("$[{i}]"), options))
            .collect(),
        (DocumentKind::Envelope, _) => {
            let items = value
                .get("objects")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            items
                .iter()
                .enumerate()
                .map(|(i, v)| validate_at(v, &format!("$.objects[{i}]"), options))
                .collect()
        }
        (DocumentKind::Bundle, _) => {
            let mut reports = vec![validate_at(value, "$", options)];
            if let Some(items) = value.get("objects").and_then(Value::as_array) {
                reports.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, v)| validate_at(v, &format!("$.objects[{i}]"), options)),
                );
            }
            reports
        }
        _ => vec![validate_at(value, "$", options)],
    }
}

/// Validates one STIX object (a bundle is checked as a bundle, without its members).
pub fn validate_object(value: &Value, options: &Options) -> Report {
    validate_at(value, "$", options)
}

fn validate_at(value: &Value, root: &str, options: &Options) -> Report {
    let mut ctx = Ctx {
        opts: options,
        findings: Vec::new(),
    };
    let path = JsonPath::Root(root);
    if checks::within_limits(&mut ctx, value, &path) {
        checks::object(&mut ctx, value, &path);
    }
    ctx.findings.sort_by_key(|f| f.severity != Severity::Error);
    let valid = !ctx.findings.iter().any(|f| f.severity == Severity::Error);
    Report {
        path: root.to_owned(),
        id: value.get("id").and_then(Value::as_str).map(str::to_owned),
        object_type: value.get("type").and_then(Value::as_str).map(str::to_owned),
        valid,
        findings: ctx.findings,
    }
}
