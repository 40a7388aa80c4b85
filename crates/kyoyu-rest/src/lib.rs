//! The REST API (`/api/…`, JSON): the directory and its administration
//! (organizations, communities, memberships, supplier circles, tokens),
//! the audit trail, the cross-collection object lookup, and concealed
//! submissions.
//!
//! The routes are built from the table of operations that the OpenAPI
//! document (`/api/openapi.json`) is generated from: an endpoint cannot be
//! served without being documented, and a documented one without a
//! handler fails the tests.

mod directory;
mod hotline;
mod openapi;
mod reporting;
mod submissions;

use axum::Router;
use axum::routing::{MethodRouter, delete, get, post, put};
use kyoyu_core::{Backend, Hub};
use std::sync::Arc;

/// A route served by another part of the hub, for the OpenAPI document:
/// method, path, summary.
pub type Route = (&'static str, &'static str, &'static str);

/// The REST routes (state: the hub). The OpenAPI document lists them and
/// `others`, the routes the rest of the hub serves (TAXII, operations), so
/// it names every path the hub answers.
pub fn routes<S: Backend>(others: &'static [&'static [Route]]) -> Router<Arc<Hub<S>>> {
    let mut router = Router::new();
    for (method, path, ..) in openapi::OPERATIONS {
        if *path == openapi::DOCUMENT_PATH {
            router = router.route(path, get(move || directory::openapi(others)));
        } else if let Some(h) = handler::<S>(method, path) {
            router = router.route(path, h);
        }
    }
    router
}

/// The handler of one operation of the table.
fn handler<S: Backend>(method: &str, path: &str) -> Option<MethodRouter<Arc<Hub<S>>>> {
    use directory as d;
    use hotline as h;
    use reporting as r;
    use submissions as s;
    Some(match (method, path) {
        ("get", "/api/whoami") => get(d::whoami),
        ("get", "/api/identity") => get(d::identity::<S>),
        ("get", "/api/sectors") => get(d::sectors::<S>),
        ("get", "/api/orgs") => get(d::list_orgs),
        ("post", "/api/orgs") => post(d::create_org::<S>),
        ("get", "/api/orgs/{id}") => get(d::get_org),
        ("put", "/api/orgs/{id}") => put(d::update_org::<S>),
        ("delete", "/api/orgs/{id}") => delete(d::delete_org::<S>),
        ("get", "/api/orgs/{id}/suppliers") => get(d::list_suppliers::<S>),
        ("put", "/api/orgs/{id}/suppliers/{supplier}") => put(d::add_supplier::<S>),
        ("delete", "/api/orgs/{id}/suppliers/{supplier}") => delete(d::remove_supplier::<S>),
        ("get", "/api/communities") => get(d::list_communities),
        ("post", "/api/communities") => post(d::create_community::<S>),
        ("get", "/api/communities/{id}") => get(d::get_community),
        ("put", "/api/communities/{id}/members/{org}") => put(d::set_member::<S>),
        ("put", "/api/communities/{id}/review") => put(d::set_review_rule::<S>),
        ("delete", "/api/communities/{id}/members/{org}") => delete(d::remove_member::<S>),
        ("get", "/api/tokens") => get(d::list_tokens::<S>),
        ("post", "/api/tokens") => post(d::create_token::<S>),
        ("delete", "/api/tokens/{id}") => delete(d::revoke_token::<S>),
        ("get", "/api/users") => get(d::list_users::<S>),
        ("post", "/api/users") => post(d::create_user::<S>),
        ("put", "/api/users/{login}/state") => put(d::set_user_state::<S>),
        ("post", "/api/users/{login}/reset") => post(d::reset_user::<S>),
        ("get", "/api/audit") => get(d::audit::<S>),
        ("get", "/api/objects/{id}") => get(d::object_everywhere::<S>),
        ("get", "/api/search") => get(d::search::<S>),
        ("post", "/api/submissions") => post(s::submit::<S>),
        ("get", "/api/submissions/stats") => get(s::stats::<S>),
        ("get", "/api/submissions/{id}/sealed") => get(s::sealed::<S>),
        ("get", "/api/reviews") => get(s::reviews::<S>),
        ("post", "/api/reviews/{id}/approve") => post(s::approve::<S>),
        ("post", "/api/reviews/{id}/edit") => post(s::edit::<S>),
        ("post", "/api/reviews/{id}/reject") => post(s::reject::<S>),
        ("post", "/api/receipts/status") => post(s::receipt_status::<S>),
        ("post", "/api/receipts/withdraw") => post(s::receipt_withdraw::<S>),
        ("post", "/api/receipts/update") => post(s::receipt_update::<S>),
        ("post", "/api/reports/assess") => post(r::assess::<S>),
        ("get", "/api/incidents") => get(r::list::<S>),
        ("post", "/api/incidents") => post(r::file::<S>),
        ("get", "/api/incidents/{id}") => get(r::show::<S>),
        ("get", "/api/incidents/{id}/versions") => get(r::versions::<S>),
        ("post", "/api/incidents/{id}/reports") => post(r::report::<S>),
        ("post", "/api/incidents/{id}/acknowledge") => post(r::acknowledge::<S>),
        ("post", "/api/incidents/{id}/ask") => post(r::ask::<S>),
        ("post", "/api/incidents/{id}/forward") => post(r::forward::<S>),
        ("get", "/api/incidents/{id}/stix") => get(r::stix::<S>),
        ("post", "/api/incidents/{id}/share") => post(r::share::<S>),
        ("get", "/api/recommendations") => get(r::recommendations::<S>),
        ("post", "/api/recommendations") => post(r::recommend::<S>),
        ("get", "/api/casebook") => get(r::casebook::<S>),
        ("post", "/api/casebook") => post(r::publish_case::<S>),
        ("get", "/api/reminders") => get(r::reminders::<S>),
        ("get", "/api/orgs/{org}/webhook") => get(r::webhook::<S>),
        ("put", "/api/orgs/{org}/webhook") => put(r::set_webhook::<S>),
        ("delete", "/api/orgs/{org}/webhook") => delete(r::delete_webhook::<S>),
        ("get", "/api/reminders/stream") => get(h::reminder_stream::<S>),
        ("post", "/api/hotline") => post(h::raise::<S>),
        ("get", "/api/hotline") => get(h::list::<S>),
        ("get", "/api/hotline/stream") => get(h::stream::<S>),
        ("get", "/api/hotline/roster") => get(h::roster::<S>),
        ("put", "/api/hotline/roster") => put(h::set_roster::<S>),
        ("get", "/api/hotline/{id}") => get(h::show::<S>),
        ("post", "/api/hotline/{id}/acknowledge") => post(h::acknowledge::<S>),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Sqlite = kyoyu_store_sqlite::SqliteStore;

    #[test]
    fn every_documented_operation_has_a_handler() {
        for (method, path, ..) in openapi::OPERATIONS {
            assert!(
                *path == openapi::DOCUMENT_PATH || handler::<Sqlite>(method, path).is_some(),
                "{method} {path} is documented but has no handler"
            );
        }
    }
}
