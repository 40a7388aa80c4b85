//! The STIX 2.1 object model: identifiers, timestamps, canonical JSON and
//! deterministic SCO ids, objects kept losslessly with typed common
//! properties, the fixed TLP markings, vocabularies, and the per-type
//! property tables the validator reads.
//!
//! Pure functions over data; no I/O.
//!
//! # Why our own crate, not `rstix`
//!
//! `rstix` 0.23.0 is the last release that builds with rustc 1.95. It was
//! measured against the same oracle corpus (`bench/rstix-eval`, figures in
//! `bench/README.md`):
//! - it agrees with stix2-validator on 84.4 % of 3,577 cases (kyoyu: 92.0 %
//!   raw, every remaining case a deviation justified by the spec) and with
//!   stix2-patterns on 70.2 % of 124 patterns (kyoyu: 97.6 %);
//! - it has no matcher;
//! - it validates the benchmark's rich indicator at about 8,500/s (kyoyu:
//!   about 161,000/s);
//! - its bundles must be closed (every reference resolved, one version per
//!   id), and its errors carry no JSON path;
//! - its typed model does not give back the JSON it was given.
//!
//! A hub must store and forward members' JSON unchanged and explain each
//! error precisely, so kyoyu keeps this table-driven, lossless model.

pub mod hashes;
pub mod id;
pub mod jcs;
pub mod lang;
pub mod object;
#[cfg(test)]
mod proptests;
pub mod relationships;
pub mod schema;
mod timestamp;
pub mod tlp;
pub mod vocab;

pub use id::Identifier;
pub use object::StixObject;
pub use timestamp::{Timestamp, TimestampError};
