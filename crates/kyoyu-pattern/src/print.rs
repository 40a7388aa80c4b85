//! Writes a pattern back as text that parses to the same tree.

use crate::ast::*;
use std::fmt;

impl fmt::Display for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.root)
    }
}

/// Precedence of observation operators: FOLLOWEDBY < OR < AND < qualified/primary.
fn obs_level(e: &ObservationExpr) -> u8 {
    match e {
        ObservationExpr::FollowedBy(..) => 0,
        ObservationExpr::Or(..) => 1,
        ObservationExpr::And(..) => 2,
        _ => 3,
    }
}

fn obs_operand(f: &mut fmt::Formatter<'_>, e: &ObservationExpr, min: u8) -> fmt::Result {
    if obs_level(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl fmt::Display for ObservationExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let binary = |f: &mut fmt::Formatter<'_>, a, op, b, level| {
            // Left-associative: the right operand needs parentheses at equal precedence.
            obs_operand(f, a, level)?;
            write!(f, " {op} ")?;
            obs_operand(f, b, level + 1)
        };
        match self {
            ObservationExpr::Observation(c) => write!(f, "[{c}]"),
            ObservationExpr::FollowedBy(a, b) => binary(f, a, "FOLLOWEDBY", b, 0),
            ObservationExpr::Or(a, b) => binary(f, a, "OR", b, 1),
            ObservationExpr::And(a, b) => binary(f, a, "AND", b, 2),
            ObservationExpr::Group(inner) => write!(f, "({inner})"),
            ObservationExpr::Qualified(inner, q) => {
                obs_operand(f, inner, 3)?;
                match q {
                    Qualifier::Within(s) => write!(f, " WITHIN {} SECONDS", number(*s)),
                    Qualifier::Repeats(n) => write!(f, " REPEATS {n} TIMES"),
                    Qualifier::StartStop(a, b) => write!(f, " START t'{a}' STOP t'{b}'"),
                }
            }
        }
    }
}

fn cmp_level(e: &ComparisonExpr) -> u8 {
    match e {
        ComparisonExpr::Or(..) => 0,
        ComparisonExpr::And(..) => 1,
        ComparisonExpr::Test(_) => 2,
    }
}

fn cmp_operand(f: &mut fmt::Formatter<'_>, e: &ComparisonExpr, min: u8) -> fmt::Result {
    if cmp_level(e) < min {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

impl fmt::Display for ComparisonExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComparisonExpr::Or(a, b) => {
                cmp_operand(f, a, 0)?;
                f.write_str(" OR ")?;
                cmp_operand(f, b, 1)
            }
            ComparisonExpr::And(a, b) => {
                cmp_operand(f, a, 1)?;
                f.write_str(" AND ")?;
                cmp_operand(f, b, 2)
            }
            ComparisonExpr::Test(t) => write!(f, "{t}"),
        }
    }
}

/// A float as the grammar writes it: digits, a point, digits.
fn number(x: f64) -> String {
    let s = format!("{x}");
    if s.contains('.') { s } else { format!("{s}.0") }
}

fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

impl fmt::Display for PropertyTest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let not = if self.negated { "NOT " } else { "" };
        let path = format!("{}:{}", self.path.object_type, self.path.property_path());
        match &self.op {
            Operator::Exists => write!(f, "{not}EXISTS {path}"),
            Operator::Eq(l) => write!(f, "{path} {not}= {l}"),
            Operator::Ne(l) => write!(f, "{path} {not}!= {l}"),
            Operator::Lt(l) => write!(f, "{path} {not}< {l}"),
            Operator::Le(l) => write!(f, "{path} {not}<= {l}"),
            Operator::Gt(l) => write!(f, "{path} {not}> {l}"),
            Operator::Ge(l) => write!(f, "{path} {not}>= {l}"),
            Operator::In(items) => {
                let list: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "{path} {not}IN ({})", list.join(", "))
            }
            Operator::Like(s) => write!(f, "{path} {not}LIKE {}", quoted(s)),
            Operator::Matches(s) => write!(f, "{path} {not}MATCHES {}", quoted(s)),
            Operator::IsSubset(s) => write!(f, "{path} {not}ISSUBSET {}", quoted(s)),
            Operator::IsSuperset(s) => write!(f, "{path} {not}ISSUPERSET {}", quoted(s)),
        }
    }
}
