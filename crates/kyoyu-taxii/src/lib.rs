//! The TAXII 2.1 transport (spec: oasis-tcs/cti-taxii2): discovery, API
//! roots, collections, objects, manifests, versions and status resources.
//!
//! Handlers only translate: they parse the URL filters ([`query`]) and
//! the envelope, call the core ([`kyoyu_core::Hub`], its
//! [`kyoyu_core::reader::Reader`] for every read), and write the TAXII
//! answer. No access rule, no SQL and no paging state lives here.

mod handlers;
pub mod query;

pub use handlers::{ROUTES, routes, with_trailing_slash};
