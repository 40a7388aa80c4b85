//! The STIX 2.1 object model: identifiers, timestamps, canonical JSON and
//! deterministic SCO ids, objects kept losslessly with typed common
//! properties, and the per-type property tables the validator reads.
//!
//! Pure functions over data; no I/O.

pub mod id;
pub mod jcs;
mod timestamp;

pub use id::Identifier;
pub use timestamp::{Timestamp, TimestampError};
