//! The web console's transport: the `/console/…` routes, the session and
//! language cookies, the anti-forgery checks, and the handlers. A handler
//! asks the core's services as the signed-in person (a [`kyoyu_core::Caller`]
//! whose credential is `user:<login>`), fills a view-model of
//! `kyoyu-console` and renders it.
//!
//! Architecture Invariant: like TAXII and REST, the console reads objects
//! only through the core's reader (policy and read audit) and changes
//! nothing except through the core's services; it has no rule of its own
//! about who sees what. What it decides is only which navigation entries
//! to show, from the same policy functions the services apply.
//!
//! Architecture Invariant: every POST is checked before it acts: the
//! session's anti-forgery token in the form, and a same-origin request
//! (`Origin`, `Sec-Fetch-Site`). The sign-in form, which has no session
//! yet, carries a token bound to a cookie of its own.

// A handler's early answer is a whole response (a redirect, an error
// page), made once per request: boxing it would only add an allocation.
#![allow(clippy::result_large_err)]

mod account;
mod admin;
mod browse;
mod reporting;
mod share;
mod visit;

use axum::Router;
use axum::routing::{MethodRouter, get, post};
use kyoyu_console::SecurityHeadersLayer;
use kyoyu_core::{Backend, Hub};
use std::sync::Arc;

/// The console's routes: method, path, what it is. The router is built
/// from this table only.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("get", "/", "The hub's front door: leads to the console"),
    ("get", "/favicon.ico", "The console's icon"),
    ("get", "/console", "Dashboard"),
    (
        "get",
        "/console/assets/{file}",
        "The console's CSS, script and icon",
    ),
    ("get", "/console/sign-in", "Sign-in form"),
    (
        "post",
        "/console/sign-in",
        "Sign in (login, password, code)",
    ),
    (
        "post",
        "/console/sign-out",
        "Sign out (this session, or everywhere)",
    ),
    ("get", "/console/account/totp", "Second-factor set-up"),
    (
        "post",
        "/console/account/totp",
        "Confirm the second factor with a code",
    ),
    (
        "get",
        "/console/account",
        "The person's account and own API tokens",
    ),
    ("post", "/console/account/tokens", "Make an own API token"),
    (
        "post",
        "/console/account/time-zone",
        "Choose one's time zone",
    ),
    (
        "get",
        "/console/admin",
        "Administration: organizations, communities, users, tokens, audit trail",
    ),
    ("post", "/console/admin/users", "Add a console user"),
    (
        "post",
        "/console/admin/users/state",
        "Disable or enable a user",
    ),
    ("post", "/console/admin/users/reset", "Reset a user"),
    (
        "post",
        "/console/admin/tokens/revoke",
        "Revoke an API token",
    ),
    ("post", "/console/admin/orgs", "Register an organization"),
    (
        "post",
        "/console/admin/members",
        "Add an organization to a community",
    ),
    (
        "post",
        "/console/admin/members/remove",
        "Remove an organization from a community",
    ),
    (
        "post",
        "/console/admin/suppliers",
        "Add a supplier to an operator's circle",
    ),
    (
        "post",
        "/console/admin/suppliers/remove",
        "Remove a supplier from an operator's circle",
    ),
    (
        "post",
        "/console/account/tokens/revoke",
        "Revoke an own API token",
    ),
    ("get", "/console/account/password", "Change-password form"),
    (
        "post",
        "/console/account/password",
        "Change the password (other sessions end)",
    ),
    ("get", "/console/intelligence", "Browse intelligence"),
    (
        "get",
        "/console/intelligence/{id}",
        "One object: details, relationships, versions, sightings",
    ),
    (
        "get",
        "/console/intelligence/{id}/stix",
        "One object as a STIX 2.1 bundle",
    ),
    ("get", "/console/search", "Full-text and observable search"),
    ("get", "/console/submit", "Submit form"),
    ("get", "/console/review", "The review queue"),
    (
        "get",
        "/console/receipts",
        "Receipts kept in this browser, look-up",
    ),
    (
        "post",
        "/console/receipts",
        "Look a receipt up, or withdraw its submission",
    ),
    ("get", "/console/review/{id}", "One submission under review"),
    (
        "post",
        "/console/review/{id}",
        "Approve (keeping chosen doubts) or reject",
    ),
    (
        "post",
        "/console/submit",
        "Preview or submit (concealed, or under the organization's name)",
    ),
    (
        "get",
        "/console/incidents",
        "Incident reports: own, a ministry's inbox, the national centre's",
    ),
    (
        "get",
        "/console/incidents/new",
        "The reportability questions (guided form)",
    ),
    (
        "post",
        "/console/incidents/assess",
        "The decision for the answers; file or save a draft",
    ),
    (
        "get",
        "/console/incidents/{id}",
        "One incident: stages, deadlines, reports, timeline",
    ),
    (
        "post",
        "/console/incidents/{id}",
        "Report further or share as an anonymised case (the filer); acknowledge, ask or forward (the ministry)",
    ),
    (
        "get",
        "/console/incidents/{id}/stix",
        "The incident as a STIX 2.1 bundle, as the person may see it",
    ),
    (
        "get",
        "/console/hotline",
        "The hotline: raise a call; the officers' live queue",
    ),
    (
        "post",
        "/console/hotline",
        "Raise an urgent call to the national centre",
    ),
    (
        "get",
        "/console/hotline/stream",
        "The hotline's live stream (Server-Sent Events)",
    ),
    (
        "post",
        "/console/hotline/{id}/acknowledge",
        "Acknowledge a hotline call (officers)",
    ),
    (
        "get",
        "/console/casebook",
        "The casebook of example reports, searched and filtered",
    ),
];

/// The console's router (state: the hub), every response with the
/// console's security headers.
pub fn routes<S: Backend>() -> Router<Arc<Hub<S>>> {
    let mut router = Router::new();
    for (method, path, _) in ROUTES {
        if let Some(h) = handler::<S>(method, path) {
            router = router.route(path, h);
        }
    }
    router.layer(SecurityHeadersLayer)
}

/// The handler of one row of [`ROUTES`].
fn handler<S: Backend>(method: &str, path: &str) -> Option<MethodRouter<Arc<Hub<S>>>> {
    use account as a;
    use admin as ad;
    use browse as b;
    use reporting as r;
    use share as sh;
    Some(match (method, path) {
        ("get", "/") => get(a::front_door),
        ("get", "/favicon.ico") => get(a::favicon),
        ("get", "/console") => get(b::dashboard::<S>),
        ("get", "/console/assets/{file}") => get(a::asset),
        ("get", "/console/sign-in") => get(a::sign_in_form::<S>),
        ("post", "/console/sign-in") => post(a::sign_in::<S>),
        ("post", "/console/sign-out") => post(a::sign_out::<S>),
        ("get", "/console/account/totp") => get(a::totp_form::<S>),
        ("post", "/console/account/totp") => post(a::totp_confirm::<S>),
        ("get", "/console/account") => get(a::account::<S>),
        ("post", "/console/account/tokens") => post(a::create_token::<S>),
        ("post", "/console/account/time-zone") => post(a::time_zone::<S>),
        ("post", "/console/account/tokens/revoke") => post(a::revoke_token::<S>),
        ("get", "/console/account/password") => get(a::password_form::<S>),
        ("post", "/console/account/password") => post(a::change_password::<S>),
        ("get", "/console/intelligence") => get(b::intelligence::<S>),
        ("get", "/console/intelligence/{id}") => get(b::object::<S>),
        ("get", "/console/intelligence/{id}/stix") => get(b::object_stix::<S>),
        ("get", "/console/search") => get(b::search::<S>),
        ("get", "/console/submit") => get(sh::form::<S>),
        ("get", "/console/review") => get(sh::queue::<S>),
        ("get", "/console/receipts") => get(sh::receipts::<S>),
        ("get", "/console/admin") => get(ad::admin::<S>),
        ("post", "/console/admin/users") => post(ad::create_user::<S>),
        ("post", "/console/admin/users/state") => post(ad::user_state::<S>),
        ("post", "/console/admin/users/reset") => post(ad::user_reset::<S>),
        ("post", "/console/admin/tokens/revoke") => post(ad::token_revoke::<S>),
        ("post", "/console/admin/orgs") => post(ad::create_org::<S>),
        ("post", "/console/admin/members") => post(ad::add_member::<S>),
        ("post", "/console/admin/members/remove") => post(ad::remove_member::<S>),
        ("post", "/console/admin/suppliers") => post(ad::add_supplier::<S>),
        ("post", "/console/admin/suppliers/remove") => post(ad::remove_supplier::<S>),
        ("post", "/console/receipts") => post(sh::receipt_action::<S>),
        ("get", "/console/review/{id}") => get(sh::review::<S>),
        ("post", "/console/review/{id}") => post(sh::decide::<S>),
        ("post", "/console/submit") => post(sh::submit::<S>),
        ("get", "/console/incidents") => get(r::incidents::<S>),
        ("get", "/console/incidents/new") => get(r::new_incident::<S>),
        ("post", "/console/incidents/assess") => post(r::assess::<S>),
        ("get", "/console/incidents/{id}") => get(r::incident::<S>),
        ("get", "/console/incidents/{id}/stix") => get(r::incident_stix::<S>),
        ("post", "/console/incidents/{id}") => post(r::act_on_incident::<S>),
        ("get", "/console/hotline") => get(r::hotline::<S>),
        ("get", "/console/casebook") => get(r::casebook::<S>),
        ("post", "/console/hotline") => post(r::raise::<S>),
        ("get", "/console/hotline/stream") => get(r::stream::<S>),
        ("post", "/console/hotline/{id}/acknowledge") => post(r::acknowledge::<S>),
        _ => return None,
    })
}

/// Whether a request path is the console's (its POST bodies carry a
/// session cookie or the sign-in form, not an API token).
pub fn is_console_path(path: &str) -> bool {
    path == "/console" || path.starts_with("/console/")
}

#[cfg(test)]
mod tests {
    use super::*;

    type Sqlite = kyoyu_store_sqlite::SqliteStore;

    #[test]
    fn every_route_has_a_handler() {
        for (method, path, _) in ROUTES {
            assert!(
                handler::<Sqlite>(method, path).is_some(),
                "{method} {path} has no handler"
            );
        }
        assert!(handler::<Sqlite>("get", "/console/nowhere").is_none());
    }

    /// The submit form offers exactly the core's categories (the
    /// presentation crate keeps its own copy: it does not see the core).
    #[test]
    fn the_form_offers_the_cores_categories() {
        assert_eq!(
            kyoyu_console::CATEGORIES,
            kyoyu_core::submissions::CATEGORIES
        );
    }

    /// Every arm of `handler` is a row of the table (a handler the table
    /// does not list would never be routed).
    #[test]
    fn every_handler_is_in_the_table() {
        let source = include_str!("lib.rs");
        let code = source.split("#[cfg(test)]").next().unwrap_or_default();
        let mut arms = 0;
        for line in code.lines().map(str::trim) {
            let Some(rest) = line.strip_prefix("(\"") else {
                continue;
            };
            if !line.contains("=>") {
                continue;
            }
            let mut parts = rest.split('"');
            let method = parts.next().unwrap_or_default();
            let path = parts.nth(1).unwrap_or_default();
            arms += 1;
            assert!(
                ROUTES.iter().any(|(m, p, _)| *m == method && *p == path),
                "{method} {path} has a handler but no row in ROUTES"
            );
        }
        assert_eq!(arms, ROUTES.len(), "one arm per row");
    }

    /// Every message the core words in English is worded in Japanese too, with
    /// the same arguments, and the Japanese catalogue holds no message the
    /// core no longer says.
    #[test]
    fn the_core_messages_are_worded_in_japanese() {
        use kyoyu_console::Lang;
        use kyoyu_console::i18n::{CORE_PREFIX, keys, say_core, t};
        use kyoyu_wire::text::{Said, placeholders};
        let core = kyoyu_core::messages::catalogue();
        assert!(core.len() > 80, "only {} core messages", core.len());
        for (key, english) in core {
            let ja_key = format!("{CORE_PREFIX}{key}");
            let japanese = t(Lang::Ja, &ja_key);
            assert_ne!(japanese, ja_key, "{key}: no Japanese wording");
            assert_eq!(
                placeholders(japanese),
                placeholders(english),
                "{key}: the languages name different arguments"
            );
        }
        for key in keys(Lang::Ja).filter(|k| k.starts_with(CORE_PREFIX)) {
            let bare = &key[CORE_PREFIX.len()..];
            assert!(
                core.contains_key(bare),
                "{key}: the core says no such message"
            );
        }
        // Worded with the arguments, in the reader's language.
        let said = [Said::new(
            "account.token_days",
            &[("max", &365), ("days", &400)],
        )];
        let english = kyoyu_core::messages::english(&said[0]);
        assert_eq!(english, "a token lives from 1 to 365 days; 400 is outside");
        assert_eq!(say_core(Lang::En, &said, &english), english);
        assert_eq!(
            say_core(Lang::Ja, &said, &english),
            "トークンの有効期間は1〜365日です。400 日は範囲外です。"
        );
        // The concealment's doubt kinds are the ones the catalogues word.
        let kinds: Vec<&str> = kyoyu_conceal::DoubtKind::ALL
            .iter()
            .map(|k| k.name())
            .collect();
        assert_eq!(kinds, kyoyu_console::pages::DOUBT_KINDS);
        for k in kyoyu_conceal::DoubtKind::ALL {
            let ja = kyoyu_console::doubt_reason(Lang::Ja, k.name(), "株式会社ミライ保守");
            assert!(ja.is_some_and(
                |w| w.contains("株式会社ミライ保守") && w != k.english("株式会社ミライ保守")
            ));
        }
        // Nothing keyed: the text as the core gave it.
        assert_eq!(say_core(Lang::Ja, &[], "storage failed"), "storage failed");
    }
}
