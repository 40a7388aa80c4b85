//! Administration: organizations, communities, console users, API tokens
//! and the audit trail with its verification. Each tab shows what the
//! core's services give this person; every change goes through them.

use crate::visit::{Visit, query_value, refusal};
use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use kyoyu_console::Refusal;
use kyoyu_console::{
    AdminPage, AdminTab, AuditCheckView, AuditRow, Members, Section, UserRow, render_admin,
};
use kyoyu_core::users::Session;
use kyoyu_core::{Backend, Error, ErrorKind};
use kyoyu_trust::{MemberRole, Org, OrgKind, Role, policy};
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
    fn failed<S: Backend>(v: &Visit<S>, e: &Error) -> Outcome {
        Outcome {
            status: StatusCode::from_u16(e.kind.status()).ok(),
            problem: Some(v.explain(e)),
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
    let q = v.path.split_once('?').map_or("", |(_, q)| q).to_owned();
    let chosen = |k: &str| query_value(&q, k).filter(|x| !x.is_empty());
    page_on(
        v,
        s,
        tab,
        verify,
        outcome,
        chosen("community"),
        chosen("org"),
    )
    .await
}

/// The administration page on `tab`, with a community's members or an
/// operator's suppliers open.
#[allow(clippy::too_many_arguments)]
async fn page_on<S: Backend>(
    v: &Visit<S>,
    s: &Session,
    tab: AdminTab,
    verify: bool,
    outcome: Outcome,
    community: Option<String>,
    operator: Option<String>,
) -> Response {
    let allowed = tabs(s);
    if !allowed.contains(&tab) {
        return v.error(&refusal(v.lang, ErrorKind::Forbidden, Refusal::AdminTab));
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
        members: None,
        suppliers: None,
        org_kinds: Vec::new(),
        sectors: Vec::new(),
        csrf_token: s.record.csrf.clone(),
        problem: outcome.problem,
    };
    match tab {
        AdminTab::Orgs => {
            let p = &who.principal;
            if policy::may_administer_hub(p) {
                page.org_kinds = OrgKind::ALL
                    .iter()
                    .filter(|k| **k != OrgKind::Hub)
                    .map(|k| k.name().to_owned())
                    .collect();
                page.sectors = v
                    .hub
                    .seeds()
                    .sectors
                    .iter()
                    .map(|sec| (sec.id.clone(), sec.name.clone()))
                    .collect();
            }
            if let Some(op) = operator.as_deref().and_then(|o| dir.org(o))
                && let Ok(circle) = v.hub.circle_of(&op.id)
                && policy::may_manage_community(dir, p, &circle)
            {
                let members: Vec<(String, String, String)> = dir
                    .members(&circle)
                    .filter(|(o, _)| *o != op.id)
                    .map(|(o, r)| (o.to_owned(), org_name(dir, o), r.name().to_owned()))
                    .collect();
                page.suppliers = Some(Members {
                    id: op.id.clone(),
                    name: op.name.clone(),
                    candidates: dir
                        .orgs()
                        .filter(|o| o.kind == OrgKind::Supplier)
                        .filter(|o| !members.iter().any(|m| m.0 == o.id))
                        .map(|o| (o.id.clone(), o.name.clone()))
                        .collect(),
                    members,
                    roles: Vec::new(),
                });
            }
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
            if let Some(c) = community.as_deref().and_then(|c| dir.community(c))
                && policy::may_manage_community(dir, &who.principal, &c.id)
            {
                let members: Vec<(String, String, String)> = dir
                    .members(&c.id)
                    .map(|(o, r)| (o.to_owned(), org_name(dir, o), r.name().to_owned()))
                    .collect();
                page.members = Some(Members {
                    id: c.id.clone(),
                    name: crate::browse::community_name(v.lang, c),
                    candidates: dir
                        .orgs()
                        .filter(|o| !members.iter().any(|m| m.0 == o.id))
                        .map(|o| (o.id.clone(), o.name.clone()))
                        .collect(),
                    members,
                    roles: [
                        MemberRole::Member,
                        MemberRole::CommunityAdmin,
                        MemberRole::Observer,
                    ]
                    .iter()
                    .map(|r| r.name().to_owned())
                    .collect(),
                });
            }
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
        Err(e) => Outcome::failed(&v, &e),
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
        Err(e) => Outcome::failed(&v, &e),
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
        Err(e) => Outcome::failed(&v, &e),
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
        Err(e) => Outcome::failed(&v, &e),
    };
    page(&v, s, AdminTab::Tokens, false, outcome).await
}

/// An organization's name (its id when unknown).
fn org_name(dir: &kyoyu_trust::Directory, id: &str) -> String {
    dir.org(id)
        .map_or_else(|| id.to_owned(), |o| o.name.clone())
}

/// A new organization.
#[derive(Debug, Deserialize)]
pub(crate) struct NewOrg {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    name_ja: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    domain: String,
}

/// POST `/console/admin/orgs` (hub admins).
pub(crate) async fn create_org<S: Backend>(v: Visit<S>, Form(f): Form<NewOrg>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let outcome = match OrgKind::parse(f.kind.trim()) {
        None => Outcome::failed(
            &v,
            &refusal(
                v.lang,
                ErrorKind::BadRequest,
                Refusal::NotAKind(f.kind.clone()),
            ),
        ),
        Some(kind) => {
            let mut org = Org::new(f.id.trim(), kind, f.name.trim(), "");
            org.name_ja = Some(f.name_ja.trim().to_owned()).filter(|n| !n.is_empty());
            if !f.sector.trim().is_empty() {
                org.sectors = vec![f.sector.trim().to_owned()];
            }
            if !f.domain.trim().is_empty() {
                org.domains = vec![f.domain.trim().to_owned()];
            }
            match v.hub.create_org(&s.caller, org).await {
                // A new request reads the directory as it is now.
                Ok(_) => return v.redirect("/console/admin?tab=orgs"),
                Err(e) => Outcome::failed(&v, &e),
            }
        }
    };
    page(&v, s, AdminTab::Orgs, false, outcome).await
}

/// A membership to change.
#[derive(Debug, Deserialize)]
pub(crate) struct MemberForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    org: String,
    #[serde(default)]
    role: String,
}

/// POST `/console/admin/members`: adds an organization to a community
/// (or changes its standing).
pub(crate) async fn add_member<S: Backend>(v: Visit<S>, Form(f): Form<MemberForm>) -> Response {
    member_change(v, f, true).await
}

/// POST `/console/admin/members/remove`.
pub(crate) async fn remove_member<S: Backend>(v: Visit<S>, Form(f): Form<MemberForm>) -> Response {
    member_change(v, f, false).await
}

async fn member_change<S: Backend>(v: Visit<S>, f: MemberForm, add: bool) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let (community, org) = (f.community.trim(), f.org.trim());
    let done = if add {
        match MemberRole::parse(f.role.trim()) {
            Some(role) => v.hub.set_member(&s.caller, community, org, role).await,
            None => Err(refusal(
                v.lang,
                ErrorKind::BadRequest,
                Refusal::NotAStanding(f.role.clone()),
            )),
        }
    } else {
        v.hub.remove_member(&s.caller, community, org).await
    };
    match done {
        Ok(()) => v.redirect(&format!(
            "/console/admin?tab=communities&community={}",
            crate::visit::encode(community)
        )),
        Err(e) => {
            let outcome = Outcome::failed(&v, &e);
            page_on(
                &v,
                s,
                AdminTab::Communities,
                false,
                outcome,
                Some(community.to_owned()),
                None,
            )
            .await
        }
    }
}

/// A supplier to add or remove.
#[derive(Debug, Deserialize)]
pub(crate) struct SupplierForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    supplier: String,
}

/// POST `/console/admin/suppliers`.
pub(crate) async fn add_supplier<S: Backend>(v: Visit<S>, Form(f): Form<SupplierForm>) -> Response {
    supplier_change(v, f, true).await
}

/// POST `/console/admin/suppliers/remove`.
pub(crate) async fn remove_supplier<S: Backend>(
    v: Visit<S>,
    Form(f): Form<SupplierForm>,
) -> Response {
    supplier_change(v, f, false).await
}

async fn supplier_change<S: Backend>(v: Visit<S>, f: SupplierForm, add: bool) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, &f.csrf) {
        return r;
    }
    let (operator, supplier) = (f.operator.trim(), f.supplier.trim());
    let done = match v.hub.circle_of(operator) {
        Ok(circle) if add => {
            v.hub
                .set_member(&s.caller, &circle, supplier, MemberRole::Member)
                .await
        }
        Ok(circle) => v.hub.remove_member(&s.caller, &circle, supplier).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(()) => v.redirect(&format!(
            "/console/admin?tab=orgs&org={}",
            crate::visit::encode(operator)
        )),
        Err(e) => {
            let outcome = Outcome::failed(&v, &e);
            page_on(
                &v,
                s,
                AdminTab::Orgs,
                false,
                outcome,
                None,
                Some(operator.to_owned()),
            )
            .await
        }
    }
}
