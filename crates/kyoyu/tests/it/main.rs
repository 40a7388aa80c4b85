//! kyoyu's integration tests: one binary, a module per area.

mod cli;
mod corpus;
mod fuzz_replay;
mod oracle;
mod support;
