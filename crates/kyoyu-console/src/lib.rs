//! The web console's presentation layer: plain view-models in, HTML out.
//!
//! This crate knows nothing of the core, the store or HTTP routing. A console handler asks the
//! core, fills a view-model of [`model`] and calls a render function of [`pages`]; the router
//! serves [`assets`] and wraps every console response in [`SecurityHeadersLayer`].
//!
//! - [`i18n`]: the message catalogues (`locales/ja.toml`, `locales/en.toml`), [`Lang`] and its
//!   negotiation (query, then cookie, then `Accept-Language`, then Japanese), [`t`] and [`tf`].
//! - [`model`]: one view-model per page and the [`Chrome`] every page shares.
//! - [`pages`]: the render functions (askama templates in `templates/`).
//! - [`assets`]: `console.css` and `console.js`, with content-hashed names.
//! - [`headers`]: the content security policy and the other headers of every response.
//! - [`paths`]: the console's paths and form field names.
//! - [`time`]: times in the person's time zone (`2026-11-28 18:05 JST`).
//!
//! **Architecture Invariant:** no page has an inline script, an inline style or an event
//! handler attribute (the CSP forbids them; the tests render every page and check), and every
//! page works without JavaScript: `console.js` only turns `data-partial` links and forms into
//! partial updates.

pub mod assets;
pub mod headers;
pub mod i18n;
pub mod model;
pub mod pages;
pub mod paths;
pub mod qr;
pub mod reporting;
pub mod time;

#[cfg(test)]
mod tests;

pub use assets::{Asset, asset};
pub use headers::{
    HTML_CONTENT_TYPE, SecurityHeadersLayer, apply_security_headers, security_headers,
};
pub use i18n::{LANG_COOKIE, LANG_QUERY, Lang, t, tf};
pub use model::*;
pub use pages::{
    RenderError, doubt_reason, mark_doubts, mark_redactions, redaction_name, render_account,
    render_admin, render_dashboard, render_error, render_intelligence, render_object,
    render_object_table, render_password, render_receipts, render_review, render_review_queue,
    render_search, render_sign_in, render_submit, render_totp_enrol, tlp_value,
};
