//! STIX 2.1 patterning (spec chapter 9): a parser whose errors give the
//! position, the extra checks the OASIS validator makes, a matcher with the
//! semantics of `stix2-matcher`, and extraction of the equality tests.
//!
//! Pure functions over data; no I/O.

pub mod ast;
mod error;
mod extract;
mod hashes;
mod lexer;
mod parser;
mod print;
#[cfg(test)]
mod proptests;

pub use ast::Pattern;
pub use error::{ErrorKind, PatternError};
pub use extract::{Equality, equalities, object_paths};
pub use parser::{Limits, parse, parse_grammar, parse_with};
mod matcher;
mod observations;

pub use matcher::{MatchError, matches};
pub use observations::Observations;
