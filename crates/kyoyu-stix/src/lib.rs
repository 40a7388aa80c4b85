//! The STIX 2.1 object model: identifiers, timestamps, canonical JSON and
//! deterministic SCO ids, objects kept losslessly with typed common
//! properties, the fixed TLP markings, vocabularies, and the per-type
//! property tables the validator reads.
//!
//! Pure functions over data; no I/O.

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
