//! The syntax tree of a STIX pattern (STIX 2.1 chapter 9).

use kyoyu_stix::Timestamp;

/// A whole pattern: one observation expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// The top observation expression.
    pub root: ObservationExpr,
}

/// Observation expressions, combined by AND, OR, FOLLOWEDBY and qualified.
#[derive(Debug, Clone, PartialEq)]
pub enum ObservationExpr {
    /// `[ comparison ]`: one observation.
    Observation(ComparisonExpr),
    /// Both sides observed (in distinct observations).
    And(Box<ObservationExpr>, Box<ObservationExpr>),
    /// Either side observed.
    Or(Box<ObservationExpr>, Box<ObservationExpr>),
    /// The left side observed, then the right side.
    FollowedBy(Box<ObservationExpr>, Box<ObservationExpr>),
    /// A qualified expression.
    Qualified(Box<ObservationExpr>, Qualifier),
    /// `( … )`: kept so that qualifier placement rules can be checked.
    Group(Box<ObservationExpr>),
}

/// Qualifiers on an observation expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// `WITHIN n SECONDS`.
    Within(f64),
    /// `START t'…' STOP t'…'`.
    StartStop(Timestamp, Timestamp),
    /// `REPEATS n TIMES`.
    Repeats(u64),
}

/// Comparison expressions inside `[ ]`, all about one object.
#[derive(Debug, Clone, PartialEq)]
pub enum ComparisonExpr {
    /// Both hold.
    And(Box<ComparisonExpr>, Box<ComparisonExpr>),
    /// Either holds.
    Or(Box<ComparisonExpr>, Box<ComparisonExpr>),
    /// One property test.
    Test(PropertyTest),
}

/// `path [NOT] op value`, or `EXISTS path`.
#[derive(Debug, Clone, PartialEq)]
pub struct PropertyTest {
    /// The property tested.
    pub path: ObjectPath,
    /// Whether `NOT` precedes the operator.
    pub negated: bool,
    /// The test.
    pub op: Operator,
}

/// A comparison operator with its operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    /// `=` or `==`.
    Eq(Literal),
    /// `!=` or `<>`.
    Ne(Literal),
    /// `<`.
    Lt(Literal),
    /// `<=`.
    Le(Literal),
    /// `>`.
    Gt(Literal),
    /// `>=`.
    Ge(Literal),
    /// `IN (…)`.
    In(Vec<Literal>),
    /// `LIKE '…'` (SQL wildcards `%` and `_`).
    Like(String),
    /// `MATCHES '…'` (PCRE regular expression).
    Matches(String),
    /// `ISSUBSET '…'` (IP address in CIDR).
    IsSubset(String),
    /// `ISSUPERSET '…'` (CIDR contains the address).
    IsSuperset(String),
    /// `EXISTS`.
    Exists,
}

/// `object-type:property.path[*]…`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectPath {
    /// The SCO type.
    pub object_type: String,
    /// The property steps, the first always a key.
    pub steps: Vec<PathStep>,
}

/// One step of an object path.
#[derive(Debug, Clone, PartialEq)]
pub enum PathStep {
    /// `.name` or `.'quoted name'`.
    Key(String),
    /// `[n]` (negative counts from the end, per stix2-matcher).
    Index(i64),
    /// `[*]`.
    AnyIndex,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string (escapes resolved).
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// `b'base64'`.
    Binary(Vec<u8>),
    /// `h'hex'`.
    Hex(Vec<u8>),
    /// `t'timestamp'`.
    Timestamp(Timestamp),
}

impl ObjectPath {
    /// The path as written after the colon, e.g. `hashes.'SHA-256'`.
    pub fn property_path(&self) -> String {
        let mut out = String::new();
        for step in &self.steps {
            match step {
                PathStep::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    let reserved = matches!(
                        k.as_str(),
                        "AND"
                            | "OR"
                            | "NOT"
                            | "FOLLOWEDBY"
                            | "LIKE"
                            | "MATCHES"
                            | "ISSUPERSET"
                            | "ISSUBSET"
                            | "EXISTS"
                            | "LAST"
                            | "IN"
                            | "START"
                            | "STOP"
                            | "SECONDS"
                            | "WITHIN"
                            | "REPEATS"
                            | "TIMES"
                            | "true"
                            | "false"
                    );
                    let plain = !reserved
                        && k.chars()
                            .next()
                            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                    if plain {
                        out.push_str(k);
                    } else {
                        out.push('\'');
                        out.push_str(&k.replace('\\', "\\\\").replace('\'', "\\'"));
                        out.push('\'');
                    }
                }
                PathStep::Index(i) => out.push_str(&format!("[{i}]")),
                PathStep::AnyIndex => out.push_str("[*]"),
            }
        }
        out
    }
}

impl std::fmt::Display for Literal {
    /// Writes the literal as it would appear in a pattern.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => {
                let s = format!("{x}");
                if s.contains('.') {
                    f.write_str(&s)
                } else {
                    write!(f, "{s}.0")
                }
            }
            Literal::Str(s) => write!(f, "'{}'", s.replace('\\', "\\\\").replace('\'', "\\'")),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Binary(b) => {
                use base64::Engine;
                write!(
                    f,
                    "b'{}'",
                    base64::engine::general_purpose::STANDARD.encode(b)
                )
            }
            Literal::Hex(h) => {
                f.write_str("h'")?;
                for byte in h {
                    write!(f, "{byte:02x}")?;
                }
                f.write_str("'")
            }
            Literal::Timestamp(t) => write!(f, "t'{t}'"),
        }
    }
}
