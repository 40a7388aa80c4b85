//! Tokenizer for STIX patterns.
//!
//! Follows the OASIS grammar (`STIXPattern.g4`, v2.1): the longest match wins
//! and, between equally long matches, the rule listed first (so keywords beat
//! identifiers and `true` is a boolean). Keywords are upper case and
//! reserved: they are never identifiers.

use crate::error::{ErrorKind, PatternError};

/// One token with its byte offset in the pattern.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    pub(crate) kind: Tok<'a>,
    pub(crate) offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok<'a> {
    /// Integer literal text (sign included).
    Int(&'a str),
    /// Float literal text (sign included).
    Float(&'a str),
    /// `h'…'`: the hex digits.
    Hex(&'a str),
    /// `b'…'`: the base64 text.
    Binary(&'a str),
    /// `'…'`: the raw text between the quotes, escapes unresolved.
    Str(&'a str),
    Bool(bool),
    /// `t'…'`: the timestamp text.
    Timestamp(&'a str),
    Keyword(Keyword),
    /// An identifier; `hyphen` when it contains `-` (object types only).
    Ident {
        text: &'a str,
        hyphen: bool,
    },
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Colon,
    Dot,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Star,
    /// Anything the grammar has no use for (`+`, `-`, `^`, `/`, a lone quote, other characters).
    Other(char),
    Eof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Keyword {
    And,
    Or,
    Not,
    FollowedBy,
    Like,
    Matches,
    IsSuperset,
    IsSubset,
    Exists,
    Last,
    In,
    Start,
    Stop,
    Seconds,
    Within,
    Repeats,
    Times,
}

impl Keyword {
    fn from_text(s: &str) -> Option<Self> {
        Some(match s {
            "AND" => Self::And,
            "OR" => Self::Or,
            "NOT" => Self::Not,
            "FOLLOWEDBY" => Self::FollowedBy,
            "LIKE" => Self::Like,
            "MATCHES" => Self::Matches,
            "ISSUPERSET" => Self::IsSuperset,
            "ISSUBSET" => Self::IsSubset,
            "EXISTS" => Self::Exists,
            "LAST" => Self::Last,
            "IN" => Self::In,
            "START" => Self::Start,
            "STOP" => Self::Stop,
            "SECONDS" => Self::Seconds,
            "WITHIN" => Self::Within,
            "REPEATS" => Self::Repeats,
            "TIMES" => Self::Times,
            _ => return None,
        })
    }

    pub(crate) fn text(self) -> &'static str {
        match self {
            Self::And => "AND",
            Self::Or => "OR",
            Self::Not => "NOT",
            Self::FollowedBy => "FOLLOWEDBY",
            Self::Like => "LIKE",
            Self::Matches => "MATCHES",
            Self::IsSuperset => "ISSUPERSET",
            Self::IsSubset => "ISSUBSET",
            Self::Exists => "EXISTS",
            Self::Last => "LAST",
            Self::In => "IN",
            Self::Start => "START",
            Self::Stop => "STOP",
            Self::Seconds => "SECONDS",
            Self::Within => "WITHIN",
            Self::Repeats => "REPEATS",
            Self::Times => "TIMES",
        }
    }
}

/// White space the grammar skips.
fn is_ws(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\r' | '\n' | '\u{b}' | '\u{c}' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

fn count_while(b: &[u8], from: usize, f: impl Fn(u8) -> bool) -> usize {
    b.get(from..)
        .map_or(0, |s| s.iter().take_while(|&&c| f(c)).count())
}

/// Length of `(0|[1-9][0-9]*)` at `at`.
fn unsigned_int_len(b: &[u8], at: usize) -> usize {
    match b.get(at) {
        Some(b'0') => 1,
        Some(b'1'..=b'9') => 1 + count_while(b, at + 1, |c| c.is_ascii_digit()),
        _ => 0,
    }
}

/// Length of `[0-9]*\.[0-9]+` at `at`.
fn unsigned_float_len(b: &[u8], at: usize) -> usize {
    let int = count_while(b, at, |c| c.is_ascii_digit());
    if b.get(at + int) != Some(&b'.') {
        return 0;
    }
    let frac = count_while(b, at + int + 1, |c| c.is_ascii_digit());
    if frac == 0 { 0 } else { int + 1 + frac }
}

/// Length of a quoted body `'…'` starting at the quote, allowing only `\'` and `\\` escapes.
fn string_len(b: &[u8], at: usize) -> Option<usize> {
    let mut i = at + 1;
    loop {
        match b.get(i)? {
            b'\'' => return Some(i + 1 - at),
            b'\\' => match b.get(i + 1)? {
                b'\'' | b'\\' => i += 2,
                _ => return None,
            },
            _ => i += 1,
        }
    }
}

fn is_b64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// The body of `b'…'`: groups of four base64 characters, the last possibly padded.
fn binary_body_ok(body: &[u8]) -> bool {
    if body.is_empty() || !body.len().is_multiple_of(4) {
        return false;
    }
    let pad = body.iter().rev().take_while(|&&c| c == b'=').count();
    pad <= 2 && body.iter().take(body.len() - pad).all(|&c| is_b64(c))
}

/// `YYYY-MM-DDTHH:MM:SS(.d+)?Z` with the grammar's field ranges (no calendar check).
pub(crate) fn timestamp_shape_ok(s: &[u8]) -> bool {
    let d = |i: usize| s.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| s.get(i) == Some(&c);
    let two = |i: usize| -> Option<u8> {
        Some((s.get(i)?.wrapping_sub(b'0')) * 10 + s.get(i + 1)?.wrapping_sub(b'0'))
    };
    if !((0..4).all(d)
        && at(4, b'-')
        && d(5)
        && d(6)
        && at(7, b'-')
        && d(8)
        && d(9)
        && at(10, b'T'))
    {
        return false;
    }
    if !(d(11) && d(12) && at(13, b':') && d(14) && d(15) && at(16, b':') && d(17) && d(18)) {
        return false;
    }
    let month = two(5).unwrap_or(0);
    let day = two(8).unwrap_or(0);
    let hour = two(11).unwrap_or(99);
    let minute = two(14).unwrap_or(99);
    let second = two(17).unwrap_or(99);
    if !((1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour <= 23
        && minute <= 59
        && second <= 60)
    {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        let n = count_while(s, i + 1, |c| c.is_ascii_digit());
        if n == 0 {
            return false;
        }
        i += 1 + n;
    }
    at(i, b'Z') && s.len() == i + 1
}

/// Splits a pattern into tokens. Fails only on an unterminated comment.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token<'_>>, PatternError> {
    let b = src.as_bytes();
    let mut out = Vec::with_capacity(src.len() / 4 + 2);
    let mut i = 0;
    while i < b.len() {
        let Some(c) = src.get(i..).and_then(|s| s.chars().next()) else {
            break;
        };
        if is_ws(c) {
            i += c.len_utf8();
            continue;
        }
        let rest = b.get(i..).unwrap_or_default();
        if rest.starts_with(b"/*") {
            let end = src.get(i + 2..).and_then(|s| s.find("*/")).ok_or_else(|| {
                PatternError::new(
                    ErrorKind::Syntax,
                    i,
                    "this comment is never closed with '*/'",
                )
            })?;
            i += 2 + end + 2;
            continue;
        }
        if rest.starts_with(b"//") {
            i += count_while(b, i, |c| c != b'\r' && c != b'\n');
            continue;
        }
        let (kind, len) = next_token(src, b, i, c);
        out.push(Token { kind, offset: i });
        i += len;
    }
    out.push(Token {
        kind: Tok::Eof,
        offset: b.len(),
    });
    Ok(out)
}

fn slice(src: &str, from: usize, len: usize) -> &str {
    src.get(from..from + len).unwrap_or_default()
}

fn next_token<'a>(src: &'a str, b: &[u8], i: usize, c: char) -> (Tok<'a>, usize) {
    // Numbers: the longest of the four numeric rules.
    let sign = usize::from(matches!(c, '+' | '-'));
    let numeric = c.is_ascii_digit() || matches!(c, '+' | '-' | '.');
    let int = if numeric {
        unsigned_int_len(b, i + sign)
    } else {
        0
    };
    let float = if numeric {
        unsigned_float_len(b, i + sign)
    } else {
        0
    };
    if int > 0 || float > 0 {
        return if float > int {
            (Tok::Float(slice(src, i, sign + float)), sign + float)
        } else {
            (Tok::Int(slice(src, i, sign + int)), sign + int)
        };
    }
    // Prefixed quoted literals: h'…', b'…', t'…'; they beat the one-letter identifier.
    if matches!(c, 'h' | 'b' | 't') && b.get(i + 1) == Some(&b'\'') {
        let body_len = count_while(b, i + 2, |x| x != b'\'');
        if b.get(i + 2 + body_len) == Some(&b'\'') {
            let body = slice(src, i + 2, body_len);
            let ok = match c {
                'h' => body_len % 2 == 0 && body.bytes().all(|x| x.is_ascii_hexdigit()),
                'b' => binary_body_ok(body.as_bytes()),
                _ => timestamp_shape_ok(body.as_bytes()),
            };
            if ok {
                let tok = match c {
                    'h' => Tok::Hex(body),
                    'b' => Tok::Binary(body),
                    _ => Tok::Timestamp(body),
                };
                return (tok, body_len + 3);
            }
        }
    }
    if c == '\'' {
        return match string_len(b, i) {
            Some(n) => (Tok::Str(slice(src, i + 1, n - 2)), n),
            None => (Tok::Other('\''), 1),
        };
    }
    if c.is_ascii_alphabetic() || c == '_' {
        let plain = count_while(b, i, |x| x.is_ascii_alphanumeric() || x == b'_');
        let hyphened = count_while(b, i, |x| {
            x.is_ascii_alphanumeric() || x == b'_' || x == b'-'
        });
        if hyphened > plain {
            return (
                Tok::Ident {
                    text: slice(src, i, hyphened),
                    hyphen: true,
                },
                hyphened,
            );
        }
        let text = slice(src, i, plain);
        let kind = match text {
            "true" => Tok::Bool(true),
            "false" => Tok::Bool(false),
            _ => match Keyword::from_text(text) {
                Some(k) => Tok::Keyword(k),
                None => Tok::Ident {
                    text,
                    hyphen: false,
                },
            },
        };
        return (kind, plain);
    }
    let next = b.get(i + 1).copied();
    match (c, next) {
        ('=', Some(b'=')) => (Tok::Eq, 2),
        ('=', _) => (Tok::Eq, 1),
        ('!', Some(b'=')) | ('<', Some(b'>')) => (Tok::Ne, 2),
        ('<', Some(b'=')) => (Tok::Le, 2),
        ('<', _) => (Tok::Lt, 1),
        ('>', Some(b'=')) => (Tok::Ge, 2),
        ('>', _) => (Tok::Gt, 1),
        (':', _) => (Tok::Colon, 1),
        ('.', _) => (Tok::Dot, 1),
        (',', _) => (Tok::Comma, 1),
        ('(', _) => (Tok::LParen, 1),
        (')', _) => (Tok::RParen, 1),
        ('[', _) => (Tok::LBracket, 1),
        (']', _) => (Tok::RBracket, 1),
        ('*', _) => (Tok::Star, 1),
        (other, _) => (Tok::Other(other), other.len_utf8()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<Tok<'_>> {
        tokenize(src).unwrap().into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn longest_match_and_keywords() {
        assert_eq!(
            kinds("file:name = 'a\\'b' AND x-y:z_1 != -5"),
            vec![
                Tok::Ident {
                    text: "file",
                    hyphen: false
                },
                Tok::Colon,
                Tok::Ident {
                    text: "name",
                    hyphen: false
                },
                Tok::Eq,
                Tok::Str("a\\'b"),
                Tok::Keyword(Keyword::And),
                Tok::Ident {
                    text: "x-y",
                    hyphen: true
                },
                Tok::Colon,
                Tok::Ident {
                    text: "z_1",
                    hyphen: false
                },
                Tok::Ne,
                Tok::Int("-5"),
                Tok::Eof,
            ]
        );
        assert_eq!(
            kinds("007.5 01 .5"),
            vec![
                Tok::Float("007.5"),
                Tok::Int("0"),
                Tok::Int("1"),
                Tok::Float(".5"),
                Tok::Eof
            ]
        );
        assert_eq!(
            kinds("h'0a' b'AAE=' t'2016-01-01T00:00:00Z' h'0'"),
            vec![
                Tok::Hex("0a"),
                Tok::Binary("AAE="),
                Tok::Timestamp("2016-01-01T00:00:00Z"),
                Tok::Ident {
                    text: "h",
                    hyphen: false
                },
                Tok::Str("0"),
                Tok::Eof
            ]
        );
        assert_eq!(
            kinds("true truex ANDY"),
            vec![
                Tok::Bool(true),
                Tok::Ident {
                    text: "truex",
                    hyphen: false
                },
                Tok::Ident {
                    text: "ANDY",
                    hyphen: false
                },
                Tok::Eof
            ]
        );
        assert_eq!(
            kinds("/* c */ < <> <= // x"),
            vec![Tok::Lt, Tok::Ne, Tok::Le, Tok::Eof]
        );
    }
}
