//! The hub's wire types, shared by the server side (core, transports) and
//! the clients (the CLI, later the console, the exercise injector and
//! federation): the one error table, the media types, and the JSON bodies
//! of the REST API. Plain data: no HTTP library, no I/O.

pub mod admin;
pub mod error;
pub mod reporting;
pub mod submission;
pub mod text;

pub use error::{ErrorBody, ErrorKind};

/// The media type of every TAXII 2.1 body.
pub const TAXII_MEDIA_TYPE: &str = "application/taxii+json;version=2.1";

/// The media type of STIX 2.1 content.
pub const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";
