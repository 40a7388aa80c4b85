//! Pattern errors: every one carries the position it is about.

use std::fmt;

/// What kind of problem a pattern has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The text does not follow the STIX patterning grammar.
    Syntax,
    /// The grammar allows it but the spec does not (duplicate qualifier, bad hash, bad value).
    Semantic,
    /// The pattern is longer or deeper than this hub accepts.
    Limit,
}

/// A problem with a pattern, at a character position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternError {
    /// The kind of problem.
    pub kind: ErrorKind,
    /// Byte offset into the pattern.
    pub offset: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl PatternError {
    pub(crate) fn new(kind: ErrorKind, offset: usize, message: impl Into<String>) -> Self {
        Self {
            kind,
            offset,
            message: message.into(),
        }
    }

    /// The 1-based character column of [`Self::offset`] in `pattern`.
    pub fn column(&self, pattern: &str) -> usize {
        pattern
            .get(..self.offset)
            .map_or(self.offset, |s| s.chars().count())
            + 1
    }

    /// The message with its column, e.g. `at column 12: expected ']'`.
    pub fn describe(&self, pattern: &str) -> String {
        format!("at column {}: {}", self.column(pattern), self.message)
    }
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: {}", self.offset, self.message)
    }
}

impl std::error::Error for PatternError {}
