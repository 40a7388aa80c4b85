//! Administration: organizations, communities, console users, API tokens
//! and the audit trail with its verification. Each tab shows what the
//! core's services give this person; every change goes through them.

use crate::visit::{Visit, query_value};
use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use kyoyu_console::{
    AdminPage, AdminTab, AuditCheckView, AuditRow, Section, UserRow, render_admin,
};
use kyoyu_core::users::Session;
use kyoyu_core::{Backend, Error};
use kyoyu_trust::{Role, policy};
use kyoyu_wire::admin::UserRequest;
use serde::Deserialize;
use serde_json::Value;

/// How many of the latest audit entries the audit tab lists.
const AUDIT_ROWS: i64 = 50;

/// The tabs this person may open.
fn tabs(s: &Session) -> Vec<AdminTab> {
    let p = &s.caller.principal;
    let manages = policy::may_administer_hub(p) || policy::may_issue_token(p, &p.org, Role::Member);
    let mut out = vec![AdminTab::Orgs, AdminTab::Communities];
    if manages {
        out.extend([AdminTab::Users, AdminTab::Tokens]);
    }
    if policy::may_read_audit(p) {
        out.push(AdminTab::Audit);
    }
    out
}

/// What the page says after an action.
#[derive(Default)]
struct Outcome {
    status: Option<StatusCode>,
    problem: Option<String>,
    temporary_password: Option<(String, String)>,
}

impl Outcome {
    fn failed(e: &Error) -> Outcome {
        Outcome {
            status: StatusCode::from_u16(e.kind.status()).ok(),
            problem: Some(e.description.clone()),
            temporary_password: None,
        }
    }
}

/// The administration page on `tab`.
async fn page<S: Backend>(
    v: &Visit<S>,
    s: &Session,
    tab: AdminTab,
    verify: bool,
    outcome: Outcome,
) -> Response {
    let allowed = tabs(s);
    if !allowed.contains(&tab) {
        return v.error(&Error::forbidden(
            "this part of the administration is for hub admins and for those who manage their organization's people (and, for the audit trail, national-centre officers)",
        ));
    }
    let who = &s.caller;
    let dir = who.directory();
    let mut page = AdminPage {
        chrome: v.chrome(Some(Section::Admin)),
        tabs: allowed,
        tab,
        orgs: Vec::new(),
        communities: Vec::new(),
        users: Vec::new(),
        user_orgs: Vec::new(),
        roles: Vec::new(),
        tokens: Vec::new(),
        audit: Vec::new(),
        audit_check: None,
        temporary_password: outcome.temporary_password,
        csrf_token: s.record.csrf.clone(),
        problem: outcome.problem,
    };
    match tab {
        AdminTab::Orgs => {
            page.orgs = dir
                .orgs()
                .map(|o| {
                    (
                        o.id.clone(),
                        o.name.clone(),
                        o.kind.name().to_owned(),
                        o.sectors.join(", "),
                    )
                })
                .collect();
        }
        AdminTab::Communities => {
            page.communities = dir
                .communities()
                .map(|c| {
                    (
                        c.id.clone(),
                        crate::browse::community_name(v.lang, c),
                        dir.members(&c.id).count() as u64,
                        c.default_tlp.name().to_uppercase(),
                    )
                })
                .collect();
        }
        AdminTab::Users => {
            let listed = match v.hub.users(who, None).await {
                Ok(u) => u,
                Err(e) => return v.error(&e),
            };
            page.users = listed
                .get("users")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|u| UserRow {
                    login: crate::browse::text(u, "login").to_owned(),
                    name: crate::browse::text(u, "name").to_owned(),
                    org: crate::browse::text(u, "org").to_owned(),
                    role: crate::browse::text(u, "role").to_owned(),
                    second_factor: u.get("totp").and_then(Value::as_bool).unwrap_or(false),
                    disabled: u.get("disabled").and_then(Value::as_bool).unwrap_or(false),
                })
                .collect();
            let p = &who.principal;
            page.user_orgs = dir
                .orgs()
                .filter(|o| policy::may_manage_users(p, &o.id, Role::Member))
                .map(|o| (o.id.clone(), o.name.clone()))
                .collect();
            page.roles = Role::ALL
                .iter()
                .filter(|r| {
                    policy::may_manage_users(p, &p.org, **r) || policy::may_administer_hub(p)
                })
                .map(|r| r.name().to_owned())
                .collect();
        }
        AdminTab::Tokens => {
            page.tokens = match v.hub.list_tokens(who).await {
                Ok(t) => t.into_iter().map(crate::account::token_row).collect(),
                Err(e) => return v.error(&e),
            };
        }
        AdminTab::Audit => {
            // The latest entries: the head's position, then the page before it.
            let head = match v.hub.audit_head(who).await {
                Ok(h) => h,
                Err(e) => return v.error(&e),
            };
            let after = (head - AUDIT_ROWS).max(0);
            let (entries, _) = match v.hub.audit_entries(who, after, AUDIT_ROWS as usize).await {
                Ok(e) => e,
                Err(e) => return v.error(&e),
            };
            page.audit = entries
                .into_iter()
                .rev()
                .map(|e| AuditRow {
                    seq: e.seq,
                    at: crate::browse::when(e.at),
                    actor_org: e.actor_org,
                    actor: e.actor_token,
                    action: e.action,
                    target: e.target,
                })
                .collect();
            if verify {
                page.audit_check = match v.hub.verify_audit(who).await {
                    Ok(c) => Some(AuditCheckView {
                        entries: c.entries,
                        withheld: c.withheld,
                        head: format!("{}:{}", c.head.0, c.head.1),
                        broken: c.broken.map(|b| (b.seq, b.why)),
                    }),
                    Err(e) => return v.error(&e),
                };
            }
        }
    }
    v.page_with(
        outcome.status.unwrap_or(StatusCode::OK),
        render_admin(&page),
    )
}

/// GET `/console/admin?tab=…[&verify=1]`.
pub(crate) async fn admin<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = v.path.split_once('?').map_or("", |(_, q)| q).to_owned();
    let asked = query_value(&q, "tab").unwrap_or_default();
    let tab = AdminTab::ALL
        .into_iter()
        .find(|t| t.code() == asked)
        .unwrap_or(AdminTab::Orgs);
    let verify = query_value(&q, "verify").is_some();
    page(&v, s, tab, verify, Outcome::default()).await
}

/// A new user.
#[derive(Debug, Deserialize)]
pub(crate) struct NewUser {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    email: String,
}

/// POST `/console/admin/users`: the temporary password is on the page, once.
pub(crate) async fn create_user<S: Backend>(v: Visit<S>, Form(f): Form<NewUser>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let given = |t: &str| Some(t.trim().to_owned()).filter(|t| !t.is_empty());
    let req = UserRequest {
        login: f.login.trim().to_lowercase(),
        org: given(&f.org),
        role: given(&f.role),
        name: given(&f.name),
        email: given(&f.email),
    };
    let outcome = match v.hub.create_user(&s.caller, req).await {
        Ok(made) => Outcome {
            status: Some(StatusCode::CREATED),
            problem: None,
            temporary_password: Some((
                f.login.trim().to_lowercase(),
                crate::browse::text(&made, "password").to_owned(),
            )),
        },
        Err(e) => Outcome::failed(&e),
    };
    page(&v, s, AdminTab::Users, false, outcome).await
}

/// A user to change.
#[derive(Debug, Deserialize)]
pub(crate) struct UserAction {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    login: String,
    #[serde(default)]
    disabled: String,
}

/// POST `/console/admin/users/state`: `disabled=yes` disables (ending the
/// person's sessions and revoking their own tokens), `no` enables.
pub(crate) async fn user_state<S: Backend>(v: Visit<S>, Form(f): Form<UserAction>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let outcome = match v
        .hub
        .set_user_disabled(&s.caller, f.login.trim(), f.disabled == "yes")
        .await
    {
        Ok(_) => Outcome::default(),
        Err(e) => Outcome::failed(&e),
    };
    page(&v, s, AdminTab::Users, false, outcome).await
}

/// POST `/console/admin/users/reset`: a new temporary password, shown once.
pub(crate) async fn user_reset<S: Backend>(v: Visit<S>, Form(f): Form<UserAction>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let outcome = match v.hub.reset_user(&s.caller, f.login.trim()).await {
        Ok(done) => Outcome {
            status: None,
            problem: None,
            temporary_password: Some((
                f.login.trim().to_owned(),
                crate::browse::text(&done, "password").to_owned(),
            )),
        },
        Err(e) => Outcome::failed(&e),
    };
    page(&v, s, AdminTab::Users, false, outcome).await
}

/// A token to revoke.
#[derive(Debug, Deserialize)]
pub(crate) struct TokenAction {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

/// POST `/console/admin/tokens/revoke`.
pub(crate) async fn token_revoke<S: Backend>(v: Visit<S>, Form(f): Form<TokenAction>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let outcome = match v.hub.revoke_token(&s.caller, f.id.trim()).await {
        Ok(()) => Outcome::default(),
        Err(e) => Outcome::failed(&e),
    };
    page(&v, s, AdminTab::Tokens, false, outcome).await
}
