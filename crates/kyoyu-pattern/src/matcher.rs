//! Matching a pattern against observations, with the semantics of the OASIS
//! `stix2-matcher` (STIX 2.1 chapter 9.7 and that tool's documented choices).
//!
//! A comparison expression selects, per observation, the "root" SCOs it
//! holds for; AND within `[ ]` needs the same root. Observation expressions
//! combine *bindings*: tuples of (observation, instance) where an
//! observation with `number_observed = n` provides n instances. AND and
//! FOLLOWEDBY join disjoint bindings, REPEATS picks disjoint combinations,
//! WITHIN and START/STOP filter by the observations' time intervals.
//! Binding lists are capped so that hostile input cannot explode.

use crate::ast::*;
use crate::observations::{Observations, parse_observed_time};
use kyoyu_stix::Timestamp;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// Why matching could not be done (bad observations or unusable pattern values).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchError(pub String);

impl fmt::Display for MatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MatchError {}

/// Most bindings kept for any sub-expression.
const MAX_BINDINGS: usize = 10_000;

/// Types that are not SCOs: patterns about them never match (as in stix2-matcher).
const NON_SCO_TYPES: &[&str] = &[
    "attack-pattern",
    "bundle",
    "campaign",
    "course-of-action",
    "extension-definition",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "language-content",
    "location",
    "malware",
    "malware-analysis",
    "marking-definition",
    "note",
    "observed-data",
    "opinion",
    "relationship",
    "report",
    "threat-actor",
    "tool",
    "sighting",
    "vulnerability",
];

/// Matches a pattern. Returns the ids of the observed-data objects of the
/// first binding found, or `None` when the pattern does not match.
pub fn matches(
    pattern: &Pattern,
    observations: &Observations,
) -> Result<Option<Vec<String>>, MatchError> {
    check_values(&pattern.root)?;
    let m = Matcher { obs: observations };
    let bindings = m.observation(&pattern.root)?;
    let Some(first) = bindings.into_iter().next() else {
        return Ok(None);
    };
    let mut idx: Vec<usize> = first.into_iter().flatten().map(|(o, _)| o).collect();
    idx.sort_unstable();
    idx.dedup();
    Ok(Some(
        idx.into_iter()
            .filter_map(|i| observations.list.get(i))
            .map(|o| o.id.clone())
            .collect(),
    ))
}

/// Values the matcher rejects whatever the data: these are errors in stix2-matcher too.
fn check_values(expr: &ObservationExpr) -> Result<(), MatchError> {
    match expr {
        ObservationExpr::Observation(c) => check_comparison(c),
        ObservationExpr::And(a, b)
        | ObservationExpr::Or(a, b)
        | ObservationExpr::FollowedBy(a, b) => {
            check_values(a)?;
            check_values(b)
        }
        ObservationExpr::Group(inner) => check_values(inner),
        ObservationExpr::Qualified(inner, q) => {
            check_values(inner)?;
            match q {
                Qualifier::Within(s) if *s <= 0.0 => {
                    Err(MatchError(format!("WITHIN must be positive, not {s}")))
                }
                Qualifier::Repeats(0) => Err(MatchError("REPEATS must be at least 1".into())),
                _ => Ok(()),
            }
        }
    }
}

fn check_comparison(expr: &ComparisonExpr) -> Result<(), MatchError> {
    match expr {
        ComparisonExpr::And(a, b) | ComparisonExpr::Or(a, b) => {
            check_comparison(a)?;
            check_comparison(b)
        }
        ComparisonExpr::Test(t) => match &t.op {
            Operator::In(items) => {
                let numeric = |l: &Literal| matches!(l, Literal::Int(_) | Literal::Float(_));
                let same = items.windows(2).all(|w| match w {
                    [a, b] => std::mem::discriminant(a) == std::mem::discriminant(b),
                    _ => true,
                });
                if same || items.iter().all(numeric) {
                    Ok(())
                } else {
                    Err(MatchError("the IN list mixes value types".into()))
                }
            }
            _ => Ok(()),
        },
    }
}

type Instance = (usize, u64);
type Binding = Vec<Option<Instance>>;
/// Observation index → indexes of root objects for which a comparison holds.
type Roots = BTreeMap<usize, BTreeSet<usize>>;

struct Matcher<'o> {
    obs: &'o Observations,
}

/// A value selected by an object path.
#[derive(Debug, Clone)]
enum Selected<'v> {
    Json(&'v Value),
    Bytes(Vec<u8>),
    /// The referents of one `_refs` list.
    List(Vec<&'v Value>),
}

fn disjoint(a: &Binding, b: &Binding) -> bool {
    a.iter()
        .flatten()
        .all(|x| !b.iter().flatten().any(|y| x == y))
}

fn size_of(expr: &ObservationExpr) -> usize {
    match expr {
        ObservationExpr::Observation(_) => 1,
        ObservationExpr::And(a, b)
        | ObservationExpr::Or(a, b)
        | ObservationExpr::FollowedBy(a, b) => size_of(a) + size_of(b),
        ObservationExpr::Group(inner) => size_of(inner),
        ObservationExpr::Qualified(inner, Qualifier::Repeats(n)) => {
            size_of(inner) * usize::try_from(*n).unwrap_or(usize::MAX)
        }
        ObservationExpr::Qualified(inner, _) => size_of(inner),
    }
}

/// Truncates to microseconds, the precision stix2-matcher works at.
fn micros(t: &Timestamp) -> (i64, u32) {
    (t.unix_seconds(), t.subsec_nanos() / 1000)
}

impl<'o> Matcher<'o> {
    fn interval(&self, inst: &Instance) -> ((i64, u32), (i64, u32)) {
        self.obs
            .list
            .get(inst.0)
            .map_or(((0, 0), (0, 0)), |o| (micros(&o.first), micros(&o.last)))
    }

    fn observation(&self, expr: &ObservationExpr) -> Result<Vec<Binding>, MatchError> {
        Ok(match expr {
            ObservationExpr::Observation(c) => {
                let roots = self.comparison(c)?;
                let mut out = Vec::new();
                'outer: for obs in roots.keys() {
                    let count = self.obs.list.get(*obs).map_or(0, |o| o.count);
                    for i in 0..count {
                        if out.len() >= MAX_BINDINGS {
                            break 'outer;
                        }
                        out.push(vec![Some((*obs, i))]);
                    }
                }
                out
            }
            ObservationExpr::Group(inner) => self.observation(inner)?,
            ObservationExpr::And(a, b) => {
                let (l, r) = (self.observation(a)?, self.observation(b)?);
                join(&l, &r, disjoint)
            }
            ObservationExpr::FollowedBy(a, b) => {
                let (l, r) = (self.observation(a)?, self.observation(b)?);
                join(&l, &r, |x, y| {
                    let latest_first = x.iter().flatten().map(|i| self.interval(i).0).max();
                    let earliest_last = y.iter().flatten().map(|i| self.interval(i).1).min();
                    disjoint(x, y) && latest_first <= earliest_last
                })
            }
            ObservationExpr::Or(a, b) => {
                let (l, r) = (self.observation(a)?, self.observation(b)?);
                let lnone: Binding = vec![None; l.first().map_or_else(|| size_of(a), Vec::len)];
                let rnone: Binding = vec![None; r.first().map_or_else(|| size_of(b), Vec::len)];
                let mut out = Vec::new();
                let (mut li, mut ri) = (l.iter(), r.iter());
                loop {
                    let (x, y) = (li.next(), ri.next());
                    if x.is_none() && y.is_none() || out.len() >= MAX_BINDINGS {
                        break;
                    }
                    if let Some(x) = x {
                        out.push([x.as_slice(), &rnone].concat());
                    }
                    if let Some(y) = y {
                        out.push([lnone.as_slice(), y].concat());
                    }
                }
                out
            }
            ObservationExpr::Qualified(inner, q) => {
                let bindings = self.observation(inner)?;
                match q {
                    Qualifier::Repeats(n) => {
                        repeat(&bindings, usize::try_from(*n).unwrap_or(usize::MAX))
                    }
                    Qualifier::Within(seconds) => {
                        let span = (seconds * 1e6).round() as i64;
                        bindings
                            .into_iter()
                            .filter(|b| {
                                let to_us = |(s, u): (i64, u32)| s * 1_000_000 + i64::from(u);
                                let firsts = b.iter().flatten().map(|i| to_us(self.interval(i).0));
                                let lasts = b.iter().flatten().map(|i| to_us(self.interval(i).1));
                                match (firsts.max(), lasts.min()) {
                                    (Some(f), Some(l)) => f <= l + span,
                                    _ => true,
                                }
                            })
                            .collect()
                    }
                    Qualifier::StartStop(start, stop) => {
                        let (start, stop) = (micros(start), micros(stop));
                        if start >= stop {
                            return Ok(Vec::new());
                        }
                        bindings
                            .into_iter()
                            .filter(|b| {
                                b.iter().flatten().all(|i| {
                                    let (first, last) = self.interval(i);
                                    stop != first
                                        && (last == start || (first <= stop && start <= last))
                                })
                            })
                            .collect()
                    }
                }
            }
        })
    }

    fn comparison(&self, expr: &ComparisonExpr) -> Result<Roots, MatchError> {
        match expr {
            ComparisonExpr::Or(a, b) => {
                let mut left = self.comparison(a)?;
                for (obs, roots) in self.comparison(b)? {
                    left.entry(obs).or_default().extend(roots);
                }
                Ok(left)
            }
            ComparisonExpr::And(a, b) => {
                let left = self.comparison(a)?;
                let right = self.comparison(b)?;
                Ok(left
                    .into_iter()
                    .filter_map(|(obs, roots)| {
                        let other = right.get(&obs)?;
                        let both: BTreeSet<usize> = roots.intersection(other).copied().collect();
                        (!both.is_empty()).then_some((obs, both))
                    })
                    .collect())
            }
            ComparisonExpr::Test(t) => self.test(t),
        }
    }

    fn test(&self, t: &PropertyTest) -> Result<Roots, MatchError> {
        let mut out = Roots::new();
        if NON_SCO_TYPES.contains(&t.path.object_type.as_str()) {
            return Ok(out);
        }
        let pred = Predicate::new(t)?;
        for (oi, obs) in self.obs.list.iter().enumerate() {
            let mut roots = BTreeSet::new();
            for (ri, obj) in obs.objects.iter().enumerate() {
                if obj.get("type").and_then(Value::as_str) != Some(t.path.object_type.as_str()) {
                    continue;
                }
                // Later duplicates of an id replace earlier ones, as in a dict keyed by id.
                let id = obj.get("id");
                if obs.objects.iter().skip(ri + 1).any(|o| o.get("id") == id) {
                    continue;
                }
                let values = select(&obs.objects, obj, &t.path.steps)?;
                if matches!(t.op, Operator::Exists) {
                    // EXISTS holds when the path selects a value; NOT EXISTS when it selects none.
                    if values.is_empty() == t.negated {
                        roots.insert(ri);
                    }
                    continue;
                }
                for v in &values {
                    if pred.holds(v)? {
                        roots.insert(ri);
                        break;
                    }
                }
            }
            if !roots.is_empty() {
                out.insert(oi, roots);
            }
        }
        Ok(out)
    }
}

/// Joins two binding lists pairwise, keeping pairs `keep` accepts.
fn join(l: &[Binding], r: &[Binding], keep: impl Fn(&Binding, &Binding) -> bool) -> Vec<Binding> {
    let mut out = Vec::new();
    for x in l {
        for y in r {
            if keep(x, y) {
                out.push([x.as_slice(), y.as_slice()].concat());
                if out.len() >= MAX_BINDINGS {
                    return out;
                }
            }
        }
    }
    out
}

/// Combinations of `n` pairwise disjoint bindings, flattened.
fn repeat(bindings: &[Binding], n: usize) -> Vec<Binding> {
    if n <= 1 {
        return bindings.to_vec();
    }
    let mut out = Vec::new();
    let mut chosen: Vec<usize> = Vec::new();
    combine(bindings, n, 0, &mut chosen, &mut out);
    out
}

fn combine(
    bindings: &[Binding],
    n: usize,
    from: usize,
    chosen: &mut Vec<usize>,
    out: &mut Vec<Binding>,
) {
    if out.len() >= MAX_BINDINGS {
        return;
    }
    if chosen.len() == n {
        out.push(
            chosen
                .iter()
                .filter_map(|&i| bindings.get(i))
                .flatten()
                .copied()
                .collect(),
        );
        return;
    }
    for i in from..bindings.len() {
        let Some(candidate) = bindings.get(i) else {
            break;
        };
        let fits = chosen
            .iter()
            .filter_map(|&c| bindings.get(c))
            .all(|c| disjoint(c, candidate));
        if fits {
            chosen.push(i);
            combine(bindings, n, i + 1, chosen, out);
            chosen.pop();
            if out.len() >= MAX_BINDINGS {
                return;
            }
        }
    }
}

/// Follows an object path from one root object.
fn select<'v>(
    objects: &'v [Value],
    root: &'v Value,
    steps: &[PathStep],
) -> Result<Vec<Selected<'v>>, MatchError> {
    let mut cur = vec![Selected::Json(root)];
    for step in steps {
        let mut next = Vec::new();
        for v in cur {
            match (step, v) {
                (PathStep::Key(k), Selected::Json(Value::Object(m))) => {
                    let Some(x) = m.get(k) else { continue };
                    let x = suffix_value(k, x)?;
                    next.extend(dereference(objects, k, x)?);
                }
                (PathStep::Index(i), Selected::Json(Value::Array(a))) => {
                    if let Some(x) = usize::try_from(*i).ok().and_then(|i| a.get(i)) {
                        next.push(Selected::Json(x));
                    }
                }
                (PathStep::Index(i), Selected::List(l)) => {
                    if let Some(x) = usize::try_from(*i).ok().and_then(|i| l.get(i)) {
                        next.push(Selected::Json(x));
                    }
                }
                (PathStep::AnyIndex, Selected::Json(Value::Array(a))) => {
                    next.extend(a.iter().map(Selected::Json))
                }
                (PathStep::AnyIndex, Selected::List(l)) => {
                    next.extend(l.into_iter().map(Selected::Json))
                }
                _ => {}
            }
        }
        cur = next;
    }
    Ok(cur)
}

/// `_hex` and `_bin` properties hold binary data.
fn suffix_value<'v>(key: &str, v: &'v Value) -> Result<Selected<'v>, MatchError> {
    let decode = |s: &str| -> Result<Vec<u8>, MatchError> {
        if key.ends_with("_hex") {
            if !s.len().is_multiple_of(2) || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
                return Err(MatchError(format!("'{key}' is not hexadecimal: {s}")));
            }
            Ok((0..s.len() / 2)
                .filter_map(|i| {
                    s.get(2 * i..2 * i + 2)
                        .and_then(|h| u8::from_str_radix(h, 16).ok())
                })
                .collect())
        } else {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD
                .decode(s)
                .map_err(|e| MatchError(format!("'{key}' is not base64: {e}")))
        }
    };
    if key.ends_with("_hex") || key.ends_with("_bin") {
        match v.as_str() {
            Some(s) => Ok(Selected::Bytes(decode(s)?)),
            None => Err(MatchError(format!("'{key}' must be a string"))),
        }
    } else {
        Ok(Selected::Json(v))
    }
}

/// Replaces references (`_ref`, `_refs`) by the objects they name in the same observation.
fn dereference<'v>(
    objects: &'v [Value],
    key: &str,
    v: Selected<'v>,
) -> Result<Vec<Selected<'v>>, MatchError> {
    let find = |id: &Value| -> Result<Vec<&'v Value>, MatchError> {
        let Some(id) = id.as_str() else {
            return Err(MatchError(format!(
                "a value of reference property '{key}' is not a string"
            )));
        };
        Ok(objects
            .iter()
            .filter(|o| o.get("id").and_then(Value::as_str) == Some(id))
            .collect())
    };
    if key.ends_with("_ref") {
        let Selected::Json(id) = v else {
            return Ok(Vec::new());
        };
        return Ok(find(id)?.into_iter().map(Selected::Json).collect());
    }
    if key.ends_with("_refs") {
        let Selected::Json(list) = v else {
            return Ok(Vec::new());
        };
        let Some(items) = list.as_array() else {
            return Err(MatchError(format!(
                "reference list property '{key}' is not a list"
            )));
        };
        let mut found = Vec::new();
        for item in items {
            found.extend(find(item)?);
        }
        return Ok(if found.is_empty() {
            Vec::new()
        } else {
            vec![Selected::List(found)]
        });
    }
    Ok(vec![v])
}

/// A JSON value classified as stix2-matcher's Python types see it.
enum Py<'v> {
    Int(f64),
    Float(f64),
    Str(&'v str),
    Bool(bool),
    Bytes(&'v [u8]),
    Time((i64, u32)),
    Other,
}

fn classify<'v>(v: &'v Selected<'v>) -> Py<'v> {
    match v {
        Selected::Bytes(b) => Py::Bytes(b),
        Selected::List(_) => Py::Other,
        Selected::Json(Value::String(s)) => Py::Str(s),
        Selected::Json(Value::Bool(b)) => Py::Bool(*b),
        Selected::Json(Value::Number(n)) => {
            let text = n.to_string();
            let f = n.as_f64().unwrap_or(f64::NAN);
            if text.contains(['.', 'e', 'E']) {
                Py::Float(f)
            } else {
                Py::Int(f)
            }
        }
        Selected::Json(_) => Py::Other,
    }
}

fn lit_class(l: &Literal) -> Py<'_> {
    match l {
        Literal::Int(i) => Py::Int(*i as f64),
        Literal::Float(f) => Py::Float(*f),
        Literal::Str(s) => Py::Str(s),
        Literal::Bool(b) => Py::Bool(*b),
        Literal::Binary(b) | Literal::Hex(b) => Py::Bytes(b),
        Literal::Timestamp(t) => Py::Time(micros(t)),
    }
}

/// Latin-1 bytes of a string, when every character fits.
fn latin1(s: &str) -> Option<Vec<u8>> {
    s.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// Three-way comparison where the types allow it (None: not comparable).
fn compare(a: &Py<'_>, b: &Py<'_>) -> Option<Result<std::cmp::Ordering, ()>> {
    use Py::*;
    Some(Ok(match (a, b) {
        (Int(x) | Float(x), Int(y) | Float(y)) => x.partial_cmp(y)?,
        (Str(x), Str(y)) => x.chars().cmp(y.chars()),
        (Bytes(x), Bytes(y)) => x.cmp(y),
        (Bytes(x), Str(s)) => match latin1(s) {
            Some(y) => x.as_ref().cmp(y.as_slice()),
            None => return Some(Err(())),
        },
        (Str(s), Bytes(y)) => match latin1(s) {
            Some(x) => x.as_slice().cmp(y),
            None => return Some(Err(())),
        },
        (Time(x), Time(y)) => x.cmp(y),
        _ => return None,
    }))
}

fn equal(a: &Py<'_>, b: &Py<'_>) -> bool {
    match (a, b) {
        (Py::Bool(x), Py::Bool(y)) => x == y,
        _ => matches!(compare(a, b), Some(Ok(std::cmp::Ordering::Equal))),
    }
}

/// A JSON string compared with a timestamp literal is read as a timestamp.
fn time_coerce<'v>(lit: &Literal, value: Py<'v>) -> Result<Py<'v>, MatchError> {
    match (lit, &value) {
        (Literal::Timestamp(_), Py::Str(s)) => Ok(Py::Time(micros(&parse_observed_time(s)?))),
        _ => Ok(value),
    }
}

struct Predicate<'p> {
    test: &'p PropertyTest,
    regex: Option<fancy_regex::Regex>,
    bytes_regex: Option<regex::bytes::Regex>,
}

fn like_to_regex(like: &str) -> String {
    let mut out = String::from("^(?:");
    for c in like.nfc() {
        match c {
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            c => out.push_str(&regex::escape(&c.to_string())),
        }
    }
    // Python's `$` also matches before a final newline.
    out.push_str(")\n?\\z");
    out
}

impl<'p> Predicate<'p> {
    fn new(test: &'p PropertyTest) -> Result<Self, MatchError> {
        let compile = |re: &str| {
            fancy_regex::Regex::new(re)
                .map_err(|e| MatchError(format!("invalid regular expression: {e}")))
        };
        let (regex, bytes_regex) = match &test.op {
            Operator::Like(s) => (Some(compile(&like_to_regex(s))?), None),
            Operator::Matches(s) => {
                let normalized: String = s.nfc().collect();
                let bytes = normalized.chars().all(|c| u32::from(c) < 256).then(|| {
                    let escaped: String = normalized
                        .chars()
                        .map(|c| {
                            if c.is_ascii() {
                                c.to_string()
                            } else {
                                format!("\\x{:02x}", u32::from(c))
                            }
                        })
                        .collect();
                    regex::bytes::Regex::new(&format!("(?-u){escaped}")).ok()
                });
                (Some(compile(&normalized)?), bytes.flatten())
            }
            _ => (None, None),
        };
        Ok(Self {
            test,
            regex,
            bytes_regex,
        })
    }

    fn holds(&self, v: &Selected<'_>) -> Result<bool, MatchError> {
        let value = classify(v);
        let negated = self.test.negated;
        let result = match &self.test.op {
            Operator::Eq(lit) | Operator::Ne(lit) => {
                let value = time_coerce(lit, value)?;
                let eq = equal(&lit_class(lit), &value);
                let r = if matches!(self.test.op, Operator::Ne(_)) {
                    !eq
                } else {
                    eq
                };
                r != negated
            }
            Operator::Lt(lit) | Operator::Le(lit) | Operator::Gt(lit) | Operator::Ge(lit) => {
                let value = time_coerce(lit, value)?;
                match compare(&value, &lit_class(lit)) {
                    None => false,
                    Some(Err(())) => negated,
                    Some(Ok(ord)) => {
                        use std::cmp::Ordering::*;
                        let r = match self.test.op {
                            Operator::Lt(_) => ord == Less,
                            Operator::Le(_) => ord != Greater,
                            Operator::Gt(_) => ord == Greater,
                            _ => ord != Less,
                        };
                        r != negated
                    }
                }
            }
            Operator::In(items) => {
                let is_times = matches!(items.first(), Some(Literal::Timestamp(_)));
                let value = match (&value, is_times) {
                    (Py::Str(s), true) => Py::Time(micros(&parse_observed_time(s)?)),
                    _ => value,
                };
                // Python set membership: True == 1 and False == 0.
                let value = match value {
                    Py::Bool(b)
                        if items
                            .iter()
                            .any(|l| matches!(l, Literal::Int(_) | Literal::Float(_))) =>
                    {
                        Py::Int(f64::from(u8::from(b)))
                    }
                    other => other,
                };
                let found = items.iter().any(|l| equal(&lit_class(l), &value));
                found != negated
            }
            Operator::Like(_) => {
                let text = match &value {
                    Py::Str(s) => Some((*s).to_owned()),
                    Py::Bytes(b) => Some(
                        String::from_utf8(b.to_vec())
                            .map_err(|_| MatchError("binary value is not UTF-8".into()))?,
                    ),
                    _ => None,
                };
                let r = match (text, &self.regex) {
                    (Some(t), Some(re)) => {
                        let t: String = t.nfc().collect();
                        re.is_match(&t).map_err(|e| MatchError(e.to_string()))?
                    }
                    _ => false,
                };
                r != negated
            }
            Operator::Matches(_) => {
                let r = match (&value, &self.regex, &self.bytes_regex) {
                    (Py::Str(s), Some(re), _) => {
                        let t: String = s.nfc().collect();
                        re.is_match(&t).map_err(|e| MatchError(e.to_string()))?
                    }
                    (Py::Bytes(b), _, Some(re)) => re.is_match(b),
                    _ => false,
                };
                r != negated
            }
            Operator::IsSubset(net) => {
                let r = match value {
                    Py::Str(s) => ip_in_subnet(s, net)?,
                    _ => false,
                };
                r != negated
            }
            Operator::IsSuperset(ip) => {
                let r = match value {
                    Py::Str(s) => ip_in_subnet(ip, s)?,
                    _ => false,
                };
                r != negated
            }
            Operator::Exists => true,
        };
        Ok(result)
    }
}

/// `inet_aton`: dotted IPv4 with 1–4 parts, each decimal, octal (0…) or hex (0x…).
fn inet_aton(s: &str) -> Option<u32> {
    let parts: Vec<&str> = s.split('.').collect();
    let num = |p: &str| -> Option<u64> {
        if let Some(h) = p.strip_prefix("0x").or_else(|| p.strip_prefix("0X")) {
            if h.is_empty() {
                Some(0)
            } else {
                u64::from_str_radix(h, 16).ok()
            }
        } else if p.len() > 1 && p.starts_with('0') {
            u64::from_str_radix(p.get(1..)?, 8).ok()
        } else if !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()) {
            p.parse().ok()
        } else {
            None
        }
    };
    let nums: Vec<u64> = parts.iter().map(|p| num(p)).collect::<Option<_>>()?;
    let (last, head) = nums.split_last()?;
    if head.iter().any(|&n| n > 255) || head.len() > 3 {
        return None;
    }
    let rest_bits = 8 * (4 - head.len() as u32);
    if rest_bits < 64 && *last >= 1u64 << rest_bits {
        return None;
    }
    let mut v: u64 = 0;
    for (i, n) in head.iter().enumerate() {
        v |= n << (24 - 8 * i as u32);
    }
    u32::try_from(v | last).ok()
}

fn parse_ip(s: &str) -> Result<u32, MatchError> {
    inet_aton(s).ok_or_else(|| MatchError(format!("invalid IPv4 address: {s}")))
}

fn parse_cidr(s: &str) -> Result<(u32, u32), MatchError> {
    let bad = || MatchError(format!("invalid CIDR subnet: {s}"));
    let (ip, prefix) = s.split_once('/').ok_or_else(bad)?;
    let ip = parse_ip(ip)?;
    if prefix.is_empty() || !prefix.bytes().all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let prefix: u32 = prefix.parse().map_err(|_| bad())?;
    if !(1..=32).contains(&prefix) {
        return Err(bad());
    }
    Ok((ip, prefix))
}

/// Whether an address or CIDR block lies within a CIDR block (IPv4, as stix2-matcher).
fn ip_in_subnet(inner: &str, outer: &str) -> Result<bool, MatchError> {
    let (ip, inner_prefix) = if inner.contains('/') {
        parse_cidr(inner)?
    } else {
        (parse_ip(inner)?, 32)
    };
    let (net, prefix) = parse_cidr(outer)?;
    if prefix > inner_prefix {
        return Ok(false);
    }
    let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
    Ok(ip & mask == net & mask)
}
