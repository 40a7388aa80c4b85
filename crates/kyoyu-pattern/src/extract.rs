//! The observable values a pattern tests for equality, for the correlation index.

use crate::ast::*;

/// One `object-type:path = value` equality a pattern contains.
#[derive(Debug, Clone, PartialEq)]
pub struct Equality {
    /// The SCO type, e.g. `ipv4-addr`.
    pub object_type: String,
    /// The property path after the colon, e.g. `hashes.'SHA-256'`.
    pub path: String,
    /// The value compared with.
    pub value: Literal,
}

/// Every positive equality (`=` and the members of `IN`) in the pattern.
///
/// Negated tests are skipped: `NOT =` says what was *not* seen.
pub fn equalities(pattern: &Pattern) -> Vec<Equality> {
    let mut out = Vec::new();
    walk_observation(&pattern.root, &mut out);
    out
}

fn walk_observation(expr: &ObservationExpr, out: &mut Vec<Equality>) {
    match expr {
        ObservationExpr::Observation(c) => walk_comparison(c, out),
        ObservationExpr::And(a, b)
        | ObservationExpr::Or(a, b)
        | ObservationExpr::FollowedBy(a, b) => {
            walk_observation(a, out);
            walk_observation(b, out);
        }
        ObservationExpr::Qualified(inner, _) | ObservationExpr::Group(inner) => {
            walk_observation(inner, out)
        }
    }
}

fn walk_comparison(expr: &ComparisonExpr, out: &mut Vec<Equality>) {
    match expr {
        ComparisonExpr::And(a, b) | ComparisonExpr::Or(a, b) => {
            walk_comparison(a, out);
            walk_comparison(b, out);
        }
        ComparisonExpr::Test(t) if !t.negated => {
            let values: &[Literal] = match &t.op {
                Operator::Eq(v) => std::slice::from_ref(v),
                Operator::In(vs) => vs,
                _ => &[],
            };
            for value in values {
                out.push(Equality {
                    object_type: t.path.object_type.clone(),
                    path: t.path.property_path(),
                    value: value.clone(),
                });
            }
        }
        ComparisonExpr::Test(_) => {}
    }
}

/// Every (object type, first property) a pattern's paths start with, in order.
pub fn object_paths(pattern: &Pattern) -> Vec<(String, String)> {
    fn obs(e: &ObservationExpr, out: &mut Vec<(String, String)>) {
        match e {
            ObservationExpr::Observation(c) => cmp(c, out),
            ObservationExpr::And(a, b)
            | ObservationExpr::Or(a, b)
            | ObservationExpr::FollowedBy(a, b) => {
                obs(a, out);
                obs(b, out);
            }
            ObservationExpr::Qualified(i, _) | ObservationExpr::Group(i) => obs(i, out),
        }
    }
    fn cmp(e: &ComparisonExpr, out: &mut Vec<(String, String)>) {
        match e {
            ComparisonExpr::And(a, b) | ComparisonExpr::Or(a, b) => {
                cmp(a, out);
                cmp(b, out);
            }
            ComparisonExpr::Test(t) => {
                if let Some(PathStep::Key(k)) = t.path.steps.first() {
                    out.push((t.path.object_type.clone(), k.clone()));
                }
            }
        }
    }
    let mut out = Vec::new();
    obs(&pattern.root, &mut out);
    out
}
