//! Changes to the members and tokens: each checks the policy and the data,
//! then runs as one audited store transaction and refreshes the directory.

use crate::catalog::community_collection;
use crate::error::{ErrorKind, Said};
use crate::reader::access_of;
use crate::time::{format_micros, now_micros};
use crate::{Caller, Error, Hub};
use kyoyu_store::{AuditEntry, Change, Store, TokenRecord};
use kyoyu_trust::policy::{
    audit_actor_withheld, may_administer_hub, may_issue_token, may_list_tokens,
    may_manage_community, may_read_audit, may_read_audit_whole,
};
use kyoyu_trust::seeds::supplier_circle;
use kyoyu_trust::{Community, CommunityKind, MemberRole, Membership, Org, OrgKind, Role};
use kyoyu_wire::admin::TokenInfo;
use serde_json::Value;
use serde_json::json;
use std::collections::{BTreeMap, HashSet};

fn forbidden(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Error {
    Error::said(ErrorKind::Forbidden, key, args)
}

/// The most an audit page holds, roughly, in bytes of entry details.
const AUDIT_PAGE_BYTES: usize = 8 * 1024 * 1024;

fn invalid(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Error {
    Error::said(ErrorKind::BadRequest, key, args)
}

fn not_found(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Error {
    Error::said(ErrorKind::NotFound, key, args)
}

/// What a new token should be.
#[derive(Debug, Clone)]
pub struct TokenSpec {
    pub org: String,
    pub role: Role,
    pub name: String,
    pub read_only: bool,
    pub ip_allow: Vec<String>,
    /// Lifetime in seconds.
    pub expires_in: Option<i64>,
}

impl<S: Store> Hub<S> {
    async fn commit(
        &self,
        who: &Caller,
        changes: Vec<Change>,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> Result<(), Error> {
        self.store
            .apply(changes, who.audit(action, target, detail), now_micros())
            .await?;
        self.reload_directory().await?;
        Ok(())
    }

    fn check_org(&self, org: &Org) -> Result<(), Error> {
        let mut problems = org.problems();
        for s in &org.sectors {
            if self.seeds.sector(s).is_none() {
                let known = self
                    .seeds
                    .sectors
                    .iter()
                    .map(|s| s.id.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                problems.push(Said::new(
                    "org.unknown_sector",
                    &[("sector", s), ("known", &known)],
                ));
            }
        }
        if org.kind == OrgKind::Operator && org.sectors.is_empty() {
            problems.push(Said::new("org.operator_sector", &[]));
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Error::said_all(ErrorKind::BadRequest, problems))
        }
    }

    /// Whether the caller may register or change organizations: asked by
    /// transports before they read the body, so a caller without the right
    /// learns nothing from how its body is judged.
    pub fn may_manage_orgs(&self, who: &Caller) -> Result<(), Error> {
        if may_administer_hub(&who.principal) {
            Ok(())
        } else {
            Err(forbidden("org.only_hub_admins", &[]))
        }
    }

    /// Registers an organization; it joins its sectors' and the standing
    /// communities, and an operator gets its supplier circle.
    pub async fn create_org(&self, who: &Caller, mut org: Org) -> Result<Org, Error> {
        self.may_manage_orgs(who)?;
        if org.country.is_empty() {
            org.country.clone_from(&self.seeds.country);
        }
        self.check_org(&org)?;
        if org.kind == OrgKind::Hub {
            return Err(invalid("org.one_hub", &[]));
        }
        let dir = self.directory();
        if org.kind == OrgKind::NationalCentre
            && let Some(centre) = dir.orgs().find(|o| o.kind == OrgKind::NationalCentre)
        {
            return Err(Error::said(
                ErrorKind::Conflict,
                "org.one_centre",
                &[("centre", &centre.id)],
            ));
        }
        if dir.org(&org.id).is_some() {
            return Err(Error::said(
                ErrorKind::Conflict,
                "org.exists",
                &[("org", &org.id)],
            ));
        }
        if self.store.org_retired(&org.id).await? {
            return Err(Error::said(
                ErrorKind::Conflict,
                "org.id_retired",
                &[("org", &org.id)],
            ));
        }
        let mut changes = vec![Change::PutOrg(org.clone())];
        let mut joined = Vec::new();
        for (community, role) in self.seeds.auto_memberships(&org) {
            joined.push(json!([community, role.name()]));
            changes.push(Change::SetMember(Membership {
                community,
                org: org.id.clone(),
                role,
            }));
        }
        if org.kind == OrgKind::Operator {
            let circle = supplier_circle(&org);
            if dir.community(&circle.id).is_none() {
                let col = community_collection(uuid::Uuid::new_v4().to_string(), &circle);
                changes.push(Change::PutCommunity(circle.clone(), col));
            }
            joined.push(json!([circle.id, "community-admin"]));
            changes.push(Change::SetMember(Membership {
                community: circle.id,
                org: org.id.clone(),
                role: MemberRole::CommunityAdmin,
            }));
        }
        let detail = json!({ "org": org, "joined": joined });
        self.commit(who, changes, "org.create", &org.id, detail)
            .await?;
        Ok(org)
    }

    /// Replaces an organization's record (its id and kind stay).
    pub async fn update_org(&self, who: &Caller, mut org: Org) -> Result<Org, Error> {
        self.may_manage_orgs(who)?;
        let dir = self.directory();
        let old = dir
            .org(&org.id)
            .ok_or_else(|| not_found("org.unknown", &[("org", &org.id)]))?;
        if org.country.is_empty() {
            org.country.clone_from(&old.country);
        }
        self.check_org(&org)?;
        if old.kind != org.kind {
            return Err(invalid(
                "org.kind_fixed",
                &[("org", &org.id), ("kind", &old.kind.name())],
            ));
        }
        let detail = json!({ "before": old, "after": org });
        self.commit(
            who,
            vec![Change::PutOrg(org.clone())],
            "org.update",
            &org.id,
            detail,
        )
        .await?;
        Ok(org)
    }

    /// Removes an organization: its memberships go and its tokens are revoked.
    pub async fn delete_org(&self, who: &Caller, id: &str) -> Result<(), Error> {
        if !may_administer_hub(&who.principal) {
            return Err(forbidden("org.only_hub_admins_remove", &[]));
        }
        if id == crate::HUB_ORG {
            return Err(invalid("org.hub_stays", &[]));
        }
        let dir = self.directory();
        let old = dir
            .org(id)
            .ok_or_else(|| not_found("org.unknown", &[("org", &id)]))?;
        if old.kind == OrgKind::Ministry {
            let sectors: Vec<&str> = self
                .seeds
                .sectors
                .iter()
                .filter(|s| s.ministry == id)
                .map(|s| s.id.as_str())
                .collect();
            return Err(invalid(
                "org.ministry_stays",
                &[("org", &id), ("sectors", &sectors.join(", "))],
            ));
        }
        let detail = json!({ "org": old });
        self.commit(
            who,
            vec![Change::DeleteOrg(id.to_owned())],
            "org.delete",
            id,
            detail,
        )
        .await
    }

    /// Creates a community and its collection.
    pub async fn create_community(
        &self,
        who: &Caller,
        community: Community,
    ) -> Result<Community, Error> {
        if !may_administer_hub(&who.principal) {
            return Err(forbidden("community.only_hub_admins", &[]));
        }
        if !kyoyu_trust::model::valid_id(&community.id) {
            return Err(invalid("community.id_shape", &[("id", &community.id)]));
        }
        if community.id.starts_with(crate::SUBMIT_PREFIX) {
            return Err(invalid(
                "community.id_prefix",
                &[("prefix", &crate::SUBMIT_PREFIX)],
            ));
        }
        match community.kind {
            CommunityKind::Sector => {
                return Err(invalid("community.sector_from_data", &[]));
            }
            CommunityKind::SupplierCircle => {
                return Err(invalid("community.circle_with_operator", &[]));
            }
            _ => {}
        }
        if community.default_tlp == kyoyu_stix::tlp::Tlp::Clear {
            return Err(invalid("community.default_clear", &[]));
        }
        let dir = self.directory();
        if dir.community(&community.id).is_some() {
            return Err(Error::said(
                ErrorKind::Conflict,
                "community.exists",
                &[("community", &community.id)],
            ));
        }
        for other in &community.connected {
            if dir.community(other).is_none() {
                return Err(invalid(
                    "community.connected_unknown",
                    &[("community", &other)],
                ));
            }
        }
        let col = community_collection(uuid::Uuid::new_v4().to_string(), &community);
        let detail = json!({ "community": community, "collection": col.id });
        self.commit(
            who,
            vec![Change::PutCommunity(community.clone(), col)],
            "community.create",
            &community.id,
            detail,
        )
        .await?;
        Ok(community)
    }

    /// Whether a community's concealed submissions in which no doubt was
    /// found go without a reviewer (hub admins and the community's admins
    /// decide; audited).
    pub async fn set_release_without_review(
        &self,
        who: &Caller,
        community: &str,
        on: bool,
    ) -> Result<Community, Error> {
        let dir = self.directory();
        let mut c = dir
            .community(community)
            .cloned()
            .ok_or_else(|| not_found("community.unknown", &[("community", &community)]))?;
        if !may_manage_community(&dir, &who.principal, community) {
            return Err(forbidden(
                "community.who_sets_review",
                &[("community", &community)],
            ));
        }
        let col = self
            .collection_of(community)
            .ok_or_else(|| not_found("community.no_collection", &[("community", &community)]))?;
        c.release_without_review = on;
        self.commit(
            who,
            vec![Change::PutCommunity(c.clone(), col)],
            "community.review",
            community,
            json!({ "release_without_review": on }),
        )
        .await?;
        Ok(c)
    }

    /// Adds an organization to a community, or changes its standing.
    pub async fn set_member(
        &self,
        who: &Caller,
        community: &str,
        org: &str,
        role: MemberRole,
    ) -> Result<(), Error> {
        let dir = self.directory();
        if dir.community(community).is_none() {
            return Err(not_found("community.unknown", &[("community", &community)]));
        }
        if !may_manage_community(&dir, &who.principal, community) {
            return Err(forbidden(
                "community.who_manages",
                &[("community", &community)],
            ));
        }
        let Some(member) = dir.org(org) else {
            return Err(not_found("org.unknown", &[("org", &org)]));
        };
        // A supplier circle passes AMBER on to its members: only suppliers
        // (and the operator itself) belong in it.
        if let Some(c) = dir.community(community)
            && c.kind == CommunityKind::SupplierCircle
            && c.owner.as_deref() != Some(org)
            && member.kind != OrgKind::Supplier
        {
            return Err(invalid(
                "community.not_supplier",
                &[("org", &org), ("kind", &member.kind.name())],
            ));
        }
        let before = dir.membership(community, org).map(MemberRole::name);
        let detail = json!({ "org": org, "role": role.name(), "before": before });
        self.commit(
            who,
            vec![Change::SetMember(Membership {
                community: community.to_owned(),
                org: org.to_owned(),
                role,
            })],
            "member.set",
            community,
            detail,
        )
        .await
    }

    /// Removes an organization from a community.
    pub async fn remove_member(
        &self,
        who: &Caller,
        community: &str,
        org: &str,
    ) -> Result<(), Error> {
        let dir = self.directory();
        if dir.community(community).is_none() {
            return Err(not_found("community.unknown", &[("community", &community)]));
        }
        if !may_manage_community(&dir, &who.principal, community) {
            return Err(forbidden(
                "community.who_manages",
                &[("community", &community)],
            ));
        }
        let Some(before) = dir.membership(community, org) else {
            return Err(not_found(
                "community.not_member",
                &[("org", &org), ("community", &community)],
            ));
        };
        let detail = json!({ "org": org, "before": before.name() });
        self.commit(
            who,
            vec![Change::RemoveMember {
                community: community.to_owned(),
                org: org.to_owned(),
            }],
            "member.remove",
            community,
            detail,
        )
        .await
    }

    /// The supplier circle of an operator, checked.
    pub fn circle_of(&self, operator: &str) -> Result<String, Error> {
        let dir = self.directory();
        let op = dir
            .org(operator)
            .ok_or_else(|| not_found("org.unknown", &[("org", &operator)]))?;
        if op.kind != OrgKind::Operator {
            return Err(invalid(
                "community.circle_of_operator",
                &[("org", &operator), ("kind", &op.kind.name())],
            ));
        }
        Ok(format!("suppliers-{operator}"))
    }

    /// Issues a token; returns the secret (shown once) and its record.
    pub async fn issue_token(
        &self,
        who: &Caller,
        spec: TokenSpec,
    ) -> Result<(String, TokenInfo), Error> {
        if spec.name.starts_with(crate::users::PERSONAL_PREFIX) {
            return Err(invalid(
                "token.personal_prefix",
                &[("prefix", &crate::users::PERSONAL_PREFIX)],
            ));
        }
        if !may_issue_token(&who.principal, &spec.org, spec.role) {
            return Err(forbidden("token.may_not_issue", &[]));
        }
        let dir = self.directory();
        let org = dir
            .org(&spec.org)
            .ok_or_else(|| not_found("org.unknown", &[("org", &spec.org)]))?;
        if let Some(problem) = spec.role.refused_for(org.kind) {
            return Err(Error::said_all(ErrorKind::BadRequest, vec![problem]));
        }
        for c in &spec.ip_allow {
            c.parse::<kyoyu_trust::net::Cidr>()
                .map_err(|e| invalid("token.ip_allow", &[("entry", &c), ("detail", &e)]))?;
        }
        if spec.expires_in.is_some_and(|s| s <= 0) {
            return Err(invalid("token.expires", &[]));
        }
        let asked = spec
            .expires_in
            .map(|s| now_micros().saturating_add(s.saturating_mul(1_000_000)));
        // Never wider than the token that issues it.
        let (expires, ip_allow) = kyoyu_trust::policy::minted_limits(
            (who.limits.0, &who.limits.1),
            (asked, spec.ip_allow),
        )
        .map_err(|p| Error::said_all(ErrorKind::BadRequest, vec![p]))?;
        let read_only = spec.read_only || who.principal.read_only || spec.role.reads_only();
        let (secret, record) = self.new_token(
            &spec.org, spec.role, &spec.name, read_only, ip_allow, expires,
        );
        let detail = json!({
            "org": record.org, "role": record.role, "name": record.name,
            "read_only": record.read_only, "ip_allow": record.ip_allow, "expires": record.expires,
        });
        self.commit(
            who,
            vec![Change::AddToken(record.clone())],
            "token.create",
            &record.id,
            detail,
        )
        .await?;
        Ok((secret, token_info(&record)))
    }

    /// Revokes a token: hub admins any; others their own organization's
    /// tokens if they could issue them, and always the token they present.
    pub async fn revoke_token(&self, who: &Caller, id: &str) -> Result<(), Error> {
        // One revocation at a time in this process: the check below and
        // the revocation must not interleave with another's.
        let _turn = self.revocations.lock().await;
        let tokens = self.store.tokens().await?;
        let t = tokens
            .iter()
            .find(|t| t.id == id)
            .ok_or_else(|| not_found("token.unknown", &[("id", &id)]))?;
        let own = t.id == who.token_id;
        let role = Role::parse(&t.role).unwrap_or(Role::HubAdmin);
        if !own && !may_issue_token(&who.principal, &t.org, role) {
            return Err(forbidden("token.may_not_revoke", &[]));
        }
        // Revoking the last token that can administer the hub would lock
        // everyone out of it for good.
        let now = now_micros();
        let administers = |t: &TokenRecord| {
            t.role == Role::HubAdmin.name()
                && !t.read_only
                && !t.revoked
                && t.expires.is_none_or(|e| e > now)
        };
        if administers(t) && !tokens.iter().any(|o| o.id != t.id && administers(o)) {
            return Err(Error::said(
                ErrorKind::Conflict,
                "token.last_admin",
                &[("id", &id)],
            ));
        }
        let detail = json!({ "org": t.org, "role": t.role, "name": t.name });
        self.commit(
            who,
            vec![Change::RevokeToken(id.to_owned())],
            "token.revoke",
            id,
            detail,
        )
        .await
    }
}

/// What checking the audit trail found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    /// Entries checked.
    pub entries: u64,
    /// Of which the content was withheld from the checker (their place in
    /// the chain was checked, not their content).
    pub withheld: u64,
    /// The last entry checked: (seq, hash).
    pub head: (i64, String),
    /// Where the chain breaks, if it does.
    pub broken: Option<kyoyu_trust::audit::Broken>,
}

/// A token record as listed.
pub(crate) fn token_info(t: &TokenRecord) -> TokenInfo {
    TokenInfo {
        id: t.id.clone(),
        name: t.name.clone(),
        org: t.org.clone(),
        role: t.role.clone(),
        read_only: t.read_only,
        ip_allow: t.ip_allow.clone(),
        expires: t.expires.map(format_micros),
        created: format_micros(t.created),
        revoked: t.revoked,
    }
}

/// Every STIX id a detail names (`type--uuid`, with or without `@version`).
fn ids_in(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            for word in s.split_whitespace() {
                let id = word.split('@').next().unwrap_or_default();
                if kyoyu_stix::id::split(id).is_ok() {
                    out.push(id.to_owned());
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| ids_in(i, out)),
        Value::Object(map) => map.values().for_each(|i| ids_in(i, out)),
        _ => {}
    }
}

impl<S: Store> Hub<S> {
    /// The tokens the caller may list: its own always; an organization's
    /// for those who may list them ([`may_list_tokens`]).
    pub async fn list_tokens(&self, who: &Caller) -> Result<Vec<TokenInfo>, Error> {
        Ok(self
            .store
            .tokens()
            .await?
            .iter()
            .filter(|t| t.id == who.token_id || may_list_tokens(&who.principal, &t.org))
            .map(token_info)
            .collect())
    }

    /// The position of the last audit entry (for those who read the trail).
    pub async fn audit_head(&self, who: &Caller) -> Result<i64, Error> {
        if !may_read_audit(&who.principal) {
            return Err(forbidden("audit.who_reads", &[]));
        }
        Ok(self.store.audit_head().await?)
    }

    /// Checks the whole audit trail as the caller may read it (hub admins
    /// and national-centre officers): every entry follows the one before
    /// and, where its content is not withheld from the caller, matches its
    /// hash. Returns how many entries were checked, how many were withheld,
    /// the head, and where the chain breaks if it does.
    pub async fn verify_audit(&self, who: &Caller) -> Result<AuditCheck, Error> {
        let mut head: (i64, String) = (0, kyoyu_trust::audit::GENESIS.to_owned());
        let (mut entries, mut withheld) = (0u64, 0u64);
        loop {
            let (page, _) = self.audit_entries(who, head.0, 10_000).await?;
            if page.is_empty() {
                break;
            }
            entries += page.len() as u64;
            withheld += page.iter().filter(|e| e.withheld).count() as u64;
            match kyoyu_trust::audit::verify(&page, head.clone()) {
                Ok(h) => head = h,
                Err(broken) => {
                    return Ok(AuditCheck {
                        entries,
                        withheld,
                        head,
                        broken: Some(broken),
                    });
                }
            }
        }
        Ok(AuditCheck {
            entries,
            withheld,
            head,
            broken: None,
        })
    }

    /// Audit entries after `after`, at most `limit`, and whether more
    /// follow. Hub admins read them whole; other readers of the trail get
    /// entries at their standing: an entry that names objects they may not
    /// read (or that no longer exist), or organizations' identifying data,
    /// comes with its detail withheld (its place in the chain still shows).
    pub async fn audit_entries(
        &self,
        who: &Caller,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<AuditEntry>, bool), Error> {
        if !may_read_audit(&who.principal) {
            return Err(forbidden("audit.who_reads", &[]));
        }
        let mut entries = self.store.audit_entries(after, limit).await?;
        // Pages are cut by size as well as count (one entry at least).
        let full = entries.len() == limit;
        let cut = kyoyu_trust::audit::cut_page(&mut entries, AUDIT_PAGE_BYTES);
        let more = full || cut;
        if !may_read_audit_whole(&who.principal) {
            let readable = self.entries_readable(who, &entries).await?;
            for (e, ok) in entries.iter_mut().zip(readable) {
                let anonymous = audit_actor_withheld(&e.action, &e.actor_org, &who.principal.org);
                if !ok || anonymous {
                    e.detail = json!({"withheld": "not at this token's standing"}).to_string();
                    e.withheld = true;
                }
                if anonymous {
                    e.actor_org.clear();
                    e.actor_token.clear();
                    e.target.clear();
                }
            }
        }
        Ok((entries, more))
    }

    /// Which entries a reader who is not a hub admin may see whole: not
    /// organization records or other organizations' token allow-lists
    /// (identifying data), and of entries about objects, those whose every
    /// object the reader may read now in the collection they name. One
    /// store read per collection named on the page.
    async fn entries_readable(
        &self,
        who: &Caller,
        entries: &[AuditEntry],
    ) -> Result<Vec<bool>, Error> {
        enum Needs {
            Decided(bool),
            Objects(String, Vec<String>),
        }
        let needs: Vec<Needs> = entries
            .iter()
            .map(|e| {
                let detail: Value = serde_json::from_str(&e.detail).unwrap_or(Value::Null);
                if e.action.starts_with("org.") {
                    return Needs::Decided(false);
                }
                if e.action == "token.create" {
                    let own = detail.get("org").and_then(Value::as_str)
                        == Some(who.principal.org.as_str());
                    return Needs::Decided(own);
                }
                let mut ids = Vec::new();
                ids_in(&detail, &mut ids);
                ids.sort();
                ids.dedup();
                if ids.is_empty() {
                    Needs::Decided(true)
                } else {
                    Needs::Objects(e.target.clone(), ids)
                }
            })
            .collect();
        // The readable objects of each collection the page names.
        let mut wanted: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for n in &needs {
            if let Needs::Objects(c, ids) = n {
                wanted.entry(c).or_default().extend(ids.iter().cloned());
            }
        }
        let catalog = self.catalog();
        let mut readable: HashSet<(String, String)> = HashSet::new();
        let mut hidden: HashSet<(String, String)> = HashSet::new();
        for (target, mut ids) in wanted {
            let Some(c) = catalog.collections.iter().find(|c| c.id == target) else {
                continue;
            };
            ids.sort();
            ids.dedup();
            let view = who.view_of(c);
            for r in self
                .rows_for_check(&c.id, ids, crate::reader::all_versions(), Vec::new())
                .await?
            {
                let key = (c.id.clone(), r.id.clone());
                if view.may_read(&access_of(&r)) {
                    readable.insert(key);
                } else {
                    hidden.insert(key);
                }
            }
        }
        // Every object named must still exist, and every version of it be readable.
        Ok(needs
            .into_iter()
            .map(|n| match n {
                Needs::Decided(ok) => ok,
                Needs::Objects(c, ids) => ids.into_iter().all(|id| {
                    let key = (c.clone(), id);
                    readable.contains(&key) && !hidden.contains(&key)
                }),
            })
            .collect())
    }
}
