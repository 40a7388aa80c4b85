//! Recursive-descent parser for STIX patterns.
//!
//! Precedence, loosest first: FOLLOWEDBY, OR, AND between observation
//! expressions; qualifiers bind to the observation (or group) just before
//! them; inside `[ ]`, OR is looser than AND. All binary operators associate
//! to the left, as in the OASIS grammar.

use crate::ast::*;
use crate::error::{ErrorKind, PatternError};
use crate::hashes;
use crate::lexer::{Keyword, Tok, Token, tokenize};
use base64::Engine;
use kyoyu_stix::Timestamp;

/// Bounds that keep parsing cheap on hostile input.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest pattern accepted, in bytes.
    pub max_len: usize,
    /// Deepest nesting of brackets and parentheses.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_len: 64 * 1024,
            max_depth: 64,
        }
    }
}

/// Parses and checks a pattern with the default [`Limits`].
pub fn parse(src: &str) -> Result<Pattern, PatternError> {
    parse_with(src, Limits::default())
}

/// Parses and checks a pattern.
///
/// Syntax errors come first; when the syntax is fine, the checks the OASIS
/// validator makes on top of the grammar (duplicate qualifiers, hash values
/// that do not fit their algorithm) are reported.
pub fn parse_with(src: &str, limits: Limits) -> Result<Pattern, PatternError> {
    let (pattern, semantic) = parse_tree(src, limits)?;
    if let Some(err) = semantic.into_iter().next() {
        return Err(err);
    }
    check_duplicate_qualifiers(&pattern.root, &mut None)?;
    // As the OASIS validator: the first character other than '(' and white
    // space must be '[' (a leading comment is refused).
    let first = src
        .char_indices()
        .find(|&(_, c)| c != '(' && !c.is_whitespace());
    if let Some((at, c)) = first.filter(|&(_, c)| c != '[') {
        return Err(PatternError::new(
            ErrorKind::Syntax,
            at,
            format!("a pattern must start with '[' (after any '('), not '{c}'"),
        ));
    }
    Ok(pattern)
}

/// Parses by the grammar alone, as stix2-matcher does before matching: no
/// hash, duplicate-qualifier or calendar checks.
pub fn parse_grammar(src: &str, limits: Limits) -> Result<Pattern, PatternError> {
    parse_tree(src, limits).map(|(p, _)| p)
}

fn parse_tree(src: &str, limits: Limits) -> Result<(Pattern, Vec<PatternError>), PatternError> {
    if src.len() > limits.max_len {
        return Err(PatternError::new(
            ErrorKind::Limit,
            limits.max_len,
            format!(
                "the pattern is {} bytes long; at most {} are accepted",
                src.len(),
                limits.max_len
            ),
        ));
    }
    let tokens = tokenize(src)?;
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
        limits,
        semantic: Vec::new(),
    };
    let root = p.observation_expr()?;
    p.expect_eof()?;
    Ok((Pattern { root }, p.semantic))
}

struct Parser<'t, 'a> {
    tokens: &'t [Token<'a>],
    pos: usize,
    depth: usize,
    limits: Limits,
    /// Checks beyond the grammar, reported only if the syntax is right.
    semantic: Vec<PatternError>,
}

fn describe(tok: &Tok<'_>) -> String {
    match tok {
        Tok::Int(s) | Tok::Float(s) => format!("number {s}"),
        Tok::Hex(s) => format!("h'{s}'"),
        Tok::Binary(s) => format!("b'{s}'"),
        Tok::Str(s) => format!("string '{s}'"),
        Tok::Bool(b) => b.to_string(),
        Tok::Timestamp(s) => format!("t'{s}'"),
        Tok::Keyword(k) => k.text().to_owned(),
        Tok::Ident { text, .. } => format!("'{text}'"),
        Tok::Eq => "'='".into(),
        Tok::Ne => "'!='".into(),
        Tok::Lt => "'<'".into(),
        Tok::Le => "'<='".into(),
        Tok::Gt => "'>'".into(),
        Tok::Ge => "'>='".into(),
        Tok::Colon => "':'".into(),
        Tok::Dot => "'.'".into(),
        Tok::Comma => "','".into(),
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Star => "'*'".into(),
        Tok::Other('\'') => {
            "a quote that starts no valid string (only \\' and \\\\ are escapes)".into()
        }
        Tok::Other(c) => format!("'{c}'"),
        Tok::Eof => "the end of the pattern".into(),
    }
}

impl<'a> Parser<'_, 'a> {
    fn peek(&self) -> &Tok<'a> {
        self.tokens.get(self.pos).map_or(&Tok::Eof, |t| &t.kind)
    }

    fn offset(&self) -> usize {
        self.tokens
            .get(self.pos)
            .or(self.tokens.last())
            .map_or(0, |t| t.offset)
    }

    fn bump(&mut self) -> Tok<'a> {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() {
            self.pos += 1;
        }
        t
    }

    fn error(&self, expected: &str) -> PatternError {
        PatternError::new(
            ErrorKind::Syntax,
            self.offset(),
            format!("expected {expected}, found {}", describe(self.peek())),
        )
    }

    fn eat(&mut self, tok: &Tok<'_>) -> bool {
        if self.peek() == tok {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_keyword(&mut self, k: Keyword) -> bool {
        self.eat(&Tok::Keyword(k))
    }

    fn expect(&mut self, tok: &Tok<'_>, what: &str) -> Result<(), PatternError> {
        if self.eat(tok) {
            Ok(())
        } else {
            Err(self.error(what))
        }
    }

    fn expect_eof(&self) -> Result<(), PatternError> {
        match self.peek() {
            Tok::Eof => Ok(()),
            _ => Err(self.error("AND, OR, FOLLOWEDBY, a qualifier or the end of the pattern")),
        }
    }

    fn enter(&mut self) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(PatternError::new(
                ErrorKind::Limit,
                self.offset(),
                format!(
                    "brackets and parentheses nest deeper than {} levels",
                    self.limits.max_depth
                ),
            ));
        }
        Ok(())
    }

    fn observation_expr(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut left = self.observation_or()?;
        while self.eat_keyword(Keyword::FollowedBy) {
            let right = self.observation_or()?;
            left = ObservationExpr::FollowedBy(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn observation_or(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut left = self.observation_and()?;
        while self.eat_keyword(Keyword::Or) {
            let right = self.observation_and()?;
            left = ObservationExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn observation_and(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut left = self.qualified()?;
        while self.eat_keyword(Keyword::And) {
            let right = self.qualified()?;
            left = ObservationExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn qualified(&mut self) -> Result<ObservationExpr, PatternError> {
        let mut expr = self.observation_primary()?;
        while let Some(q) = self.qualifier()? {
            expr = ObservationExpr::Qualified(Box::new(expr), q);
        }
        Ok(expr)
    }

    fn observation_primary(&mut self) -> Result<ObservationExpr, PatternError> {
        self.enter()?;
        let expr = match self.peek() {
            Tok::LBracket => {
                self.bump();
                let comparison = self.comparison_or()?;
                self.expect(&Tok::RBracket, "']' to close the observation, or AND / OR")?;
                ObservationExpr::Observation(comparison)
            }
            Tok::LParen => {
                self.bump();
                let inner = self.observation_expr()?;
                self.expect(
                    &Tok::RParen,
                    "')' to close the group, or AND / OR / FOLLOWEDBY",
                )?;
                ObservationExpr::Group(Box::new(inner))
            }
            _ => return Err(self.error("'[' to start an observation, or '('")),
        };
        self.depth -= 1;
        Ok(expr)
    }

    fn qualifier(&mut self) -> Result<Option<Qualifier>, PatternError> {
        if self.eat_keyword(Keyword::Within) {
            let seconds = match self.bump() {
                Tok::Int(s) | Tok::Float(s) if !s.starts_with('-') => s.parse::<f64>().ok(),
                _ => None,
            };
            let Some(seconds) = seconds else {
                self.pos -= 1;
                return Err(self.error("a positive number of seconds after WITHIN"));
            };
            self.expect(&Tok::Keyword(Keyword::Seconds), "SECONDS")?;
            return Ok(Some(Qualifier::Within(seconds)));
        }
        if self.eat_keyword(Keyword::Repeats) {
            let count = match self.bump() {
                Tok::Int(s) if !s.starts_with('-') => {
                    Some(s.trim_start_matches('+').parse::<u64>())
                }
                _ => None,
            };
            let count = match count {
                Some(Ok(n)) => n,
                Some(Err(_)) => {
                    self.pos -= 1;
                    return Err(PatternError::new(
                        ErrorKind::Limit,
                        self.offset(),
                        "the REPEATS count is too large",
                    ));
                }
                None => {
                    self.pos -= 1;
                    return Err(self.error("a positive whole number after REPEATS"));
                }
            };
            self.expect(&Tok::Keyword(Keyword::Times), "TIMES")?;
            return Ok(Some(Qualifier::Repeats(count)));
        }
        if self.eat_keyword(Keyword::Start) {
            let start = self.timestamp("a timestamp t'…' after START")?;
            self.expect(&Tok::Keyword(Keyword::Stop), "STOP")?;
            let stop = self.timestamp("a timestamp t'…' after STOP")?;
            return Ok(Some(Qualifier::StartStop(start, stop)));
        }
        Ok(None)
    }

    fn timestamp(&mut self, what: &str) -> Result<Timestamp, PatternError> {
        let offset = self.offset();
        match self.bump() {
            Tok::Timestamp(s) => Ok(self.timestamp_value(s, offset)),
            _ => {
                self.pos -= 1;
                Err(self.error(what))
            }
        }
    }

    /// The grammar checks field ranges, not the calendar; a date that does
    /// not exist (`t'2016-02-30…'`) is reported as a semantic error (RFC 3339
    /// 5.7), which stix2-matcher also refuses.
    fn timestamp_value(&mut self, s: &str, offset: usize) -> Timestamp {
        Timestamp::parse(s).unwrap_or_else(|e| {
            self.semantic.push(PatternError::new(
                ErrorKind::Semantic,
                offset,
                format!("t'{s}' is not a real date and time: {e}"),
            ));
            Timestamp::from_unix(0, 0, 0)
        })
    }

    fn comparison_or(&mut self) -> Result<ComparisonExpr, PatternError> {
        let mut left = self.comparison_and()?;
        while self.eat_keyword(Keyword::Or) {
            let right = self.comparison_and()?;
            left = ComparisonExpr::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn comparison_and(&mut self) -> Result<ComparisonExpr, PatternError> {
        let mut left = self.property_test()?;
        while self.eat_keyword(Keyword::And) {
            let right = self.property_test()?;
            left = ComparisonExpr::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn property_test(&mut self) -> Result<ComparisonExpr, PatternError> {
        if self.eat(&Tok::LParen) {
            self.enter()?;
            let inner = self.comparison_or()?;
            self.expect(
                &Tok::RParen,
                "')' to close the comparison group, or AND / OR",
            )?;
            self.depth -= 1;
            return Ok(inner);
        }
        let exists_negated = matches!(self.peek(), Tok::Keyword(Keyword::Not))
            && matches!(
                self.tokens.get(self.pos + 1).map(|t| &t.kind),
                Some(Tok::Keyword(Keyword::Exists))
            );
        if exists_negated {
            self.pos += 1;
        }
        if self.eat_keyword(Keyword::Exists) {
            let path = self.object_path()?;
            return Ok(ComparisonExpr::Test(PropertyTest {
                path,
                negated: exists_negated,
                op: Operator::Exists,
            }));
        }
        let path = self.object_path()?;
        let hashed = hashes::goes_through_hashes(&path);
        let negated = self.eat_keyword(Keyword::Not);
        let op_offset = self.offset();
        let operand_offset = self
            .tokens
            .get(self.pos + 1)
            .map_or(op_offset, |t| t.offset);
        let (op, operand_text) = match self.bump() {
            Tok::Eq => self
                .literal(true, hashed)
                .map(|(l, t)| (Operator::Eq(l), t))?,
            Tok::Ne => self
                .literal(true, hashed)
                .map(|(l, t)| (Operator::Ne(l), t))?,
            Tok::Lt => self
                .literal(false, hashed)
                .map(|(l, t)| (Operator::Lt(l), t))?,
            Tok::Le => self
                .literal(false, hashed)
                .map(|(l, t)| (Operator::Le(l), t))?,
            Tok::Gt => self
                .literal(false, hashed)
                .map(|(l, t)| (Operator::Gt(l), t))?,
            Tok::Ge => self
                .literal(false, hashed)
                .map(|(l, t)| (Operator::Ge(l), t))?,
            Tok::Keyword(Keyword::In) => self.set(hashed)?,
            Tok::Keyword(
                k @ (Keyword::Like | Keyword::Matches | Keyword::IsSubset | Keyword::IsSuperset),
            ) => {
                let text = match self.bump() {
                    Tok::Str(raw) => raw,
                    _ => {
                        self.pos -= 1;
                        return Err(self.error(&format!("a quoted string after {}", k.text())));
                    }
                };
                let value = unescape(text);
                let op = match k {
                    Keyword::Like => Operator::Like(value),
                    Keyword::Matches => Operator::Matches(value),
                    Keyword::IsSubset => Operator::IsSubset(value),
                    _ => Operator::IsSuperset(value),
                };
                (
                    op,
                    if hashed {
                        text.replace('\'', "")
                    } else {
                        String::new()
                    },
                )
            }
            _ => {
                self.pos -= 1;
                let what = if negated {
                    "a comparison operator after NOT"
                } else {
                    "a comparison operator (=, !=, <, <=, >, >=, IN, LIKE, MATCHES, ISSUBSET, ISSUPERSET)"
                };
                return Err(self.error(what));
            }
        };
        if let Some(problem) = hashed
            .then(|| hashes::check_pattern_hash(&path, &operand_text))
            .flatten()
        {
            self.semantic.push(PatternError::new(
                ErrorKind::Semantic,
                operand_offset,
                problem,
            ));
        }
        Ok(ComparisonExpr::Test(PropertyTest { path, negated, op }))
    }

    /// `( literal, … )`; returns the set and its text as the OASIS checks see it.
    fn set(&mut self, want_text: bool) -> Result<(Operator, String), PatternError> {
        self.expect(&Tok::LParen, "'(' to start the IN list")?;
        let mut items = Vec::new();
        let mut text = String::from("(");
        if !self.eat(&Tok::RParen) {
            loop {
                let (item, item_text) = self.literal(true, want_text)?;
                text.push_str(&item_text);
                items.push(item);
                if self.eat(&Tok::RParen) {
                    break;
                }
                self.expect(&Tok::Comma, "',' or ')' in the IN list")?;
                text.push(',');
            }
        }
        text.push(')');
        Ok((Operator::In(items), text))
    }

    /// A literal and, when `want_text`, its source text without quotes (for the hash check).
    fn literal(
        &mut self,
        allow_bool: bool,
        want_text: bool,
    ) -> Result<(Literal, String), PatternError> {
        let offset = self.offset();
        let tok = self.bump();
        let bad_number = |what: &str| {
            PatternError::new(
                ErrorKind::Limit,
                offset,
                format!("{what} does not fit in 64 bits"),
            )
        };
        let lit = match &tok {
            Tok::Int(s) => Literal::Int(
                s.trim_start_matches('+')
                    .parse::<i64>()
                    .map_err(|_| bad_number("this integer"))?,
            ),
            Tok::Float(s) => {
                Literal::Float(s.parse::<f64>().map_err(|_| bad_number("this number"))?)
            }
            Tok::Str(raw) => Literal::Str(unescape(raw)),
            Tok::Bool(b) if allow_bool => Literal::Bool(*b),
            Tok::Hex(h) => Literal::Hex(decode_hex(h)),
            Tok::Binary(b) => Literal::Binary(
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .map_err(|e| {
                        PatternError::new(ErrorKind::Syntax, offset, format!("bad base64: {e}"))
                    })?,
            ),
            Tok::Timestamp(t) => Literal::Timestamp(self.timestamp_value(t, offset)),
            _ => {
                self.pos -= 1;
                return Err(self.error(if allow_bool {
                    "a value (string, number, boolean, h'…', b'…' or t'…')"
                } else {
                    "an orderable value (string, number, h'…', b'…' or t'…')"
                }));
            }
        };
        if !want_text {
            return Ok((lit, String::new()));
        }
        let text = match tok {
            Tok::Int(s) | Tok::Float(s) => s.to_owned(),
            Tok::Str(raw) => raw.replace('\'', ""),
            Tok::Bool(b) => b.to_string(),
            Tok::Hex(s) => format!("h{s}"),
            Tok::Binary(s) => format!("b{s}"),
            Tok::Timestamp(s) => format!("t{s}"),
            _ => String::new(),
        };
        Ok((lit, text))
    }

    fn object_path(&mut self) -> Result<ObjectPath, PatternError> {
        let object_type = match self.bump() {
            Tok::Ident { text, .. } => text.to_owned(),
            _ => {
                self.pos -= 1;
                return Err(self.error("an object path such as file:name"));
            }
        };
        self.expect(&Tok::Colon, "':' after the object type")?;
        let first = match self.bump() {
            Tok::Ident {
                text,
                hyphen: false,
            } => text.to_owned(),
            Tok::Str(raw) => unescape(raw),
            _ => {
                self.pos -= 1;
                return Err(self.error("a property name after ':' (quote names that contain '-')"));
            }
        };
        let mut steps = vec![PathStep::Key(first)];
        loop {
            if self.eat(&Tok::Dot) {
                match self.bump() {
                    Tok::Ident {
                        text,
                        hyphen: false,
                    } => steps.push(PathStep::Key(text.to_owned())),
                    Tok::Str(raw) => steps.push(PathStep::Key(unescape(raw))),
                    _ => {
                        self.pos -= 1;
                        return Err(
                            self.error("a property name after '.' (quote names that contain '-')")
                        );
                    }
                }
            } else if self.eat(&Tok::LBracket) {
                match self.bump() {
                    Tok::Star => steps.push(PathStep::AnyIndex),
                    Tok::Int(s) => match s.trim_start_matches('+').parse::<i64>() {
                        Ok(n) => steps.push(PathStep::Index(n)),
                        Err(_) => {
                            self.pos -= 1;
                            return Err(PatternError::new(
                                ErrorKind::Limit,
                                self.offset(),
                                "this list index is too large",
                            ));
                        }
                    },
                    _ => {
                        self.pos -= 1;
                        return Err(self.error("a list index (a whole number or '*')"));
                    }
                }
                self.expect(&Tok::RBracket, "']' after the list index")?;
            } else {
                return Ok(ObjectPath { object_type, steps });
            }
        }
    }
}

fn unescape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn decode_hex(h: &str) -> Vec<u8> {
    h.as_bytes()
        .chunks(2)
        .map(|pair| {
            let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            let hi = pair.first().copied().map_or(0, digit);
            let lo = pair.get(1).copied().map_or(0, digit);
            hi << 4 | lo
        })
        .collect()
}

/// The OASIS validator rejects the same qualifier type applied twice directly
/// to one observation (`[…] WITHIN 1 SECONDS WITHIN 2 SECONDS`); a group in
/// parentheses starts afresh.
fn check_duplicate_qualifiers(
    expr: &ObservationExpr,
    seen: &mut Option<Vec<std::mem::Discriminant<Qualifier>>>,
) -> Result<(), PatternError> {
    match expr {
        ObservationExpr::Observation(_) => *seen = Some(Vec::new()),
        ObservationExpr::Group(inner) => {
            check_duplicate_qualifiers(inner, seen)?;
            *seen = None;
        }
        ObservationExpr::And(a, b)
        | ObservationExpr::Or(a, b)
        | ObservationExpr::FollowedBy(a, b) => {
            check_duplicate_qualifiers(a, seen)?;
            check_duplicate_qualifiers(b, seen)?;
        }
        ObservationExpr::Qualified(inner, q) => {
            check_duplicate_qualifiers(inner, seen)?;
            if let Some(kinds) = seen {
                let kind = std::mem::discriminant(q);
                if kinds.contains(&kind) {
                    let name = match q {
                        Qualifier::Within(_) => "WITHIN",
                        Qualifier::StartStop(..) => "START/STOP",
                        Qualifier::Repeats(_) => "REPEATS",
                    };
                    return Err(PatternError::new(
                        ErrorKind::Semantic,
                        0,
                        format!(
                            "the {name} qualifier is applied twice to the same observation; keep one"
                        ),
                    ));
                }
                kinds.push(kind);
            }
        }
    }
    Ok(())
}
