//! API roots and collections: kept in memory (every request needs them,
//! and they change only with communities), which of them a caller may
//! use, and what the data files seed at start.

use crate::{Caller, DEFAULT_ROOT, Error, HUB_ORG, Hub, time::now_micros};
use kyoyu_store::{ApiRoot, AuditDraft, Change, Collection, Store, StoreError};
use kyoyu_trust::seeds::Seeds;
use kyoyu_trust::{Membership, Org, OrgKind, View};

/// The API roots and collections.
#[derive(Debug, Default)]
pub struct Catalog {
    /// API roots.
    pub roots: Vec<ApiRoot>,
    /// Every community's collection.
    pub collections: Vec<Collection>,
}

/// The prefix of a community's write-only TAXII collection for concealed submissions.
pub const SUBMIT_PREFIX: &str = "submit-";

/// The community a collection belongs to.
pub fn community_of(c: &Collection) -> &str {
    let alias = c.alias.as_deref().unwrap_or_default();
    alias.strip_prefix(SUBMIT_PREFIX).unwrap_or(alias)
}

/// How every message names a collection: its alias (the community's
/// name) with its id, `'sector-electricity' (5c1…)`, whichever of the two
/// the request used.
pub(crate) fn collection_name(c: &Collection) -> String {
    match &c.alias {
        Some(alias) => format!("'{alias}' ({})", c.id),
        None => format!("'{}'", c.id),
    }
}

/// Whether a collection only receives concealed submissions.
pub fn is_submit(c: &Collection) -> bool {
    c.alias
        .as_deref()
        .is_some_and(|a| a.starts_with(SUBMIT_PREFIX))
}

/// The namespace of the submission collections' ids (UUIDv5 over the
/// community collection's id).
const SUBMIT_NAMESPACE: uuid::Uuid =
    uuid::Uuid::from_u128(0x6b79_6f79_752d_5375_626d_6974_2d43_6f6c);

/// The id of a community collection's submission collection: a UUID, as
/// TAXII 2.1 clients expect of collection ids, the same on every node and
/// after every restart without being stored.
fn submit_id(community_collection: &str) -> String {
    uuid::Uuid::new_v5(&SUBMIT_NAMESPACE, community_collection.as_bytes()).to_string()
}

/// A community's write-only collection for concealed submissions (not
/// stored: it exists for every community's collection). Its alias is
/// `submit-<community>`.
fn submit_collection(c: &Collection) -> Collection {
    let community = c.alias.clone().unwrap_or_default();
    Collection {
        id: submit_id(&c.id),
        api_root: c.api_root.clone(),
        title: format!("Concealed submissions to {}", c.title),
        description: Some(format!(
            "Objects posted here are released to '{community}' without naming your organization (see docs/concealment.md); the status carries your receipt as x_kyoyu_receipt"
        )),
        alias: Some(format!("{SUBMIT_PREFIX}{community}")),
    }
}

/// The collection of a community (its alias is the community id).
pub(crate) fn community_collection(id: String, c: &kyoyu_trust::Community) -> Collection {
    Collection {
        id,
        api_root: DEFAULT_ROOT.into(),
        title: c.name.clone(),
        description: Some(match &c.name_ja {
            Some(ja) => format!("{ja} — community '{}'", c.id),
            None => format!("Community '{}'", c.id),
        }),
        alias: Some(c.id.clone()),
    }
}

impl<S: Store> Hub<S> {
    /// An API root, or 404.
    pub fn root(&self, root: &str) -> Result<ApiRoot, Error> {
        self.catalog()
            .roots
            .iter()
            .find(|r| r.path == root)
            .cloned()
            .ok_or_else(|| Error::not_found(format!("there is no API root '{root}'; see /taxii2/")))
    }

    /// The collections of a root the caller may use, with its view of
    /// each: readable or writable community collections first, then the
    /// submission collections of those it may write.
    pub fn collections_for(
        &self,
        who: &Caller,
        root: &str,
    ) -> Result<Vec<(Collection, View)>, Error> {
        self.root(root)?;
        let catalog = self.catalog();
        let mut visible = Vec::new();
        let mut submit = Vec::new();
        for c in catalog.collections.iter().filter(|c| c.api_root == root) {
            let view = who.view_of(c);
            if view.can_write() {
                submit.push((submit_collection(c), view.clone()));
            }
            if view.can_read() || view.can_write() {
                visible.push((c.clone(), view));
            }
        }
        visible.extend(submit);
        Ok(visible)
    }

    /// The collection and the caller's view of it, if it exists and the
    /// caller may use it (else 404: existence is not revealed).
    pub fn collection_for(
        &self,
        who: &Caller,
        root: &str,
        id: &str,
    ) -> Result<(Collection, View), Error> {
        self.root(root)?;
        let catalog = self.catalog();
        let wanted = id.strip_prefix(SUBMIT_PREFIX);
        catalog
            .collections
            .iter()
            .find(|c| c.api_root == root && (c.id == id || c.alias.as_deref() == Some(id)))
            .cloned()
            .or_else(|| {
                catalog
                    .collections
                    .iter()
                    .find(|c| {
                        c.api_root == root
                            && (wanted
                                .is_some_and(|community| c.alias.as_deref() == Some(community))
                                || submit_id(&c.id) == id)
                    })
                    .map(submit_collection)
            })
            .map(|c| {
                let view = who.view_of(&c);
                (c, view)
            })
            .filter(|(_, v)| v.can_read() || v.can_write())
            .ok_or_else(|| {
                Error::not_found(format!(
                    "there is no collection '{id}' in '{root}' that this token may use"
                ))
            })
    }

    /// A collection the caller may write to (404 when it may not use it,
    /// 403 when it may only read it): checked before a body is read.
    pub fn writable_collection(
        &self,
        who: &Caller,
        root: &str,
        id: &str,
    ) -> Result<Collection, Error> {
        let (c, view) = self.collection_for(who, root, id)?;
        must_write(&view, &c)?;
        Ok(c)
    }

    /// The collection of a community.
    pub(crate) fn collection_of(&self, community: &str) -> Option<Collection> {
        self.catalog()
            .collections
            .iter()
            .find(|c| c.alias.as_deref() == Some(community))
            .cloned()
    }
}

/// 403 unless the caller may read the collection (and it is not a
/// write-only submission collection).
pub(crate) fn must_read(view: &View, c: &Collection) -> Result<(), Error> {
    if is_submit(c) {
        return Err(Error::forbidden(format!(
            "collection {} only receives concealed submissions; read the community's own collection '{}'",
            collection_name(c),
            community_of(c)
        )));
    }
    if view.can_read() {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "this token may not read collection {}",
            collection_name(c)
        )))
    }
}

/// 403 unless the caller may write the collection.
pub(crate) fn must_write(view: &View, c: &Collection) -> Result<(), Error> {
    if view.can_write() {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "this token may not write to collection {} (read-only token, or its organization is not a member of community '{}')",
            collection_name(c),
            community_of(c)
        )))
    }
}

/// Creates what the data files describe and the store lacks, in one audited transaction.
pub(crate) async fn seed<S: Store>(
    store: &S,
    seeds: &Seeds,
    title: &str,
) -> Result<(), StoreError> {
    if !store
        .api_roots()
        .await?
        .iter()
        .any(|r| r.path == DEFAULT_ROOT)
    {
        store
            .put_api_root(ApiRoot {
                path: DEFAULT_ROOT.into(),
                title: "kyoyu hub".into(),
                description: Some("One collection per community".into()),
            })
            .await?;
    }
    let rows = store.directory().await?;
    let collections = store.collections(DEFAULT_ROOT).await?;
    let mut changes = Vec::new();
    let mut created = Vec::new();
    if !rows.orgs.iter().any(|o| o.id == HUB_ORG) {
        changes.push(Change::PutOrg(Org::new(
            HUB_ORG,
            OrgKind::Hub,
            title,
            &seeds.country,
        )));
        created.push(HUB_ORG.to_owned());
    }
    for (c, _) in &seeds.communities {
        if rows.communities.iter().any(|have| have.id == c.id) {
            continue;
        }
        let id = collections
            .iter()
            .find(|col| col.alias.as_deref() == Some(c.id.as_str()))
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), |col| col.id.clone());
        changes.push(Change::PutCommunity(c.clone(), community_collection(id, c)));
        created.push(c.id.clone());
    }
    for m in &seeds.ministries {
        if rows.orgs.iter().any(|o| o.id == m.id) {
            continue;
        }
        changes.push(Change::PutOrg(m.clone()));
        for (community, role) in seeds.auto_memberships(m) {
            changes.push(Change::SetMember(Membership {
                community,
                org: m.id.clone(),
                role,
            }));
        }
        created.push(m.id.clone());
    }
    if changes.is_empty() {
        return Ok(());
    }
    let audit = AuditDraft {
        actor_org: HUB_ORG.into(),
        actor_token: "seed".into(),
        action: "hub.seed".into(),
        target: HUB_ORG.into(),
        detail: serde_json::json!({ "created": created }),
    };
    store.apply(changes, audit, now_micros()).await
}
