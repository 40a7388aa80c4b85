//! kyoyu's integration tests: one binary, a module per area.

// Test code fails by panicking; the library lints against it do not apply here.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod admin;
mod architecture;
mod browser;
mod cli;
mod conceal;
mod console;
mod corpus;
mod demo;
mod fuzz_replay;
mod hostile;
mod hotline;
mod interop;
mod oracle;
mod reporting;
mod routes;
mod search;
mod support;
mod taxii;
mod testkit;
mod trust;
