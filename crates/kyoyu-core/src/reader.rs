//! The one way to stored object versions: every read runs the query, keeps
//! what [`View::may_read`] allows, and records in the audit trail the
//! marked versions (AMBER and above) it hands out, whatever the endpoint
//! (objects, object, manifest, versions, REST lookup).
//!
//! Architecture Invariant: no other module of the hub calls
//! `Store::query`; a test reads the sources to keep it so. The few
//! internal reads that hand nothing to a caller (delete and withdrawal
//! checks, the sender's own objects for concealment, receipt feedback) are
//! here too, each saying why it is not audited.

use crate::catalog::must_read;
use crate::time::{format_micros, micros};
use crate::{Caller, Error, ErrorKind, Hub};
use kyoyu_store::{Collection, Micros, Query, Store, StoredVersion, VersionSelect};
use kyoyu_trust::View;
use kyoyu_trust::policy::Access;
use serde_json::{Value, json};

/// Rows examined for one page at most, so a reader who may see little of a
/// large collection gets short pages (with `more` and `next`) rather than
/// one slow request.
const SCAN_LIMIT: usize = 20_000;

/// What a read asks for (the TAXII URL filters, already parsed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    /// Only versions added strictly after this time.
    pub added_after: Option<Micros>,
    /// At most this many (the hub's default and maximum apply).
    pub limit: Option<usize>,
    /// A `next` cursor from an earlier page (signed by the hub).
    pub next: Option<String>,
    /// Only these ids.
    pub ids: Vec<String>,
    /// Only these types.
    pub types: Vec<String>,
    /// Which versions (the endpoint's default when absent).
    pub versions: Option<VersionSelect>,
    /// Only these spec versions.
    pub spec_versions: Vec<String>,
    /// Newest first (the console's lists); TAXII pages are oldest first.
    pub newest_first: bool,
}

/// Which read it is: what it returns and how the audit trail names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// A collection's objects.
    Objects,
    /// One object.
    Object,
    /// A collection's manifest.
    Manifest,
    /// One object's versions.
    Versions,
}

impl Endpoint {
    fn name(self) -> &'static str {
        match self {
            Self::Objects => "objects",
            Self::Object => "object",
            Self::Manifest => "manifest",
            Self::Versions => "versions",
        }
    }

    fn with_json(self) -> bool {
        matches!(self, Self::Objects | Self::Object)
    }

    fn default_versions(self) -> VersionSelect {
        match self {
            Self::Versions => all_versions(),
            _ => last_version(),
        }
    }
}

/// A page of what the caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Visible {
    /// The versions, in `seq` order.
    pub items: Vec<StoredVersion>,
    /// Whether more may follow.
    pub more: bool,
    /// The signed cursor of the next page, when `more`.
    pub next: Option<String>,
}

/// The newest version of each object.
pub fn last_version() -> VersionSelect {
    VersionSelect {
        last: true,
        ..VersionSelect::default()
    }
}

/// Every version.
pub fn all_versions() -> VersionSelect {
    VersionSelect {
        all: true,
        ..VersionSelect::default()
    }
}

/// The version a record shows: its `modified`/`created`, or when it was
/// added (unversioned SCOs).
pub fn version_text(v: &StoredVersion) -> String {
    if v.version.is_empty() {
        format_micros(v.date_added)
    } else {
        v.version.clone()
    }
}

/// The policy's facts about a stored version.
pub(crate) fn access_of(v: &StoredVersion) -> Access<'_> {
    Access {
        tlp: v.tlp,
        recipients: &v.recipients,
        author: &v.author,
    }
}

/// A caller's reads of one readable collection.
#[derive(Debug)]
pub struct Reader<'h, S> {
    hub: &'h Hub<S>,
    who: &'h Caller,
    collection: Collection,
    view: View,
}

impl<S: Store> Hub<S> {
    /// The caller's reader of a collection: 404 if it may not use the
    /// collection at all, 403 if it may only write it.
    pub fn reader<'h>(
        &'h self,
        who: &'h Caller,
        root: &str,
        collection: &str,
    ) -> Result<Reader<'h, S>, Error> {
        let (collection, view) = self.collection_for(who, root, collection)?;
        must_read(&view, &collection)?;
        Ok(Reader {
            hub: self,
            who,
            collection,
            view,
        })
    }

    /// The newest versions `query` selects in every collection the caller
    /// may read (its `collection` is set per collection), each kept only if
    /// the policy lets the caller read it, sorted newest first and cut at
    /// `keep`; the marked ones handed out are audited as `endpoint`:
    /// (collection, its TLP as counted there, the version).
    async fn newest_everywhere(
        &self,
        who: &Caller,
        query: Query,
        endpoint: &str,
        keep: usize,
    ) -> Result<Vec<(Collection, &'static str, StoredVersion)>, Error> {
        let mut found = self.readable_everywhere(who, query).await?;
        found.sort_by_key(|f| std::cmp::Reverse(f.2.seq));
        found.truncate(keep);
        self.audit_found(who, endpoint, &found).await?;
        Ok(found
            .into_iter()
            .map(|(c, view, v)| (c, view.effective(v.tlp).name(), v))
            .collect())
    }

    /// What `query` selects in every collection the caller may read, kept
    /// only if the policy lets the caller read it (not yet handed out:
    /// nothing audited).
    async fn readable_everywhere(
        &self,
        who: &Caller,
        query: Query,
    ) -> Result<Vec<(Collection, View, StoredVersion)>, Error> {
        let mut found = Vec::new();
        for c in &self.catalog().collections {
            let view = who.view_of(c);
            if !view.can_read() {
                continue;
            }
            let page = self
                .store
                .query(Query {
                    collection: c.id.clone(),
                    versions: last_version(),
                    with_json: true,
                    ..query.clone()
                })
                .await?;
            for v in page.items {
                if view.may_read(&access_of(&v)) {
                    found.push((c.clone(), view.clone(), v));
                }
            }
        }
        Ok(found)
    }

    /// Audits what is handed out, collection by collection.
    async fn audit_found(
        &self,
        who: &Caller,
        endpoint: &str,
        found: &[(Collection, View, StoredVersion)],
    ) -> Result<(), Error> {
        let mut by_collection: Vec<(&Collection, &View, Vec<StoredVersion>)> = Vec::new();
        for (c, view, v) in found {
            match by_collection.iter_mut().find(|(bc, ..)| bc.id == c.id) {
                Some((.., items)) => items.push(v.clone()),
                None => by_collection.push((c, view, vec![v.clone()])),
            }
        }
        for (c, view, items) in by_collection {
            self.audit_reads(who, view, c, endpoint, &items).await?;
        }
        Ok(())
    }

    /// The newest version of an object in every collection where the caller
    /// may read it: (collection, its TLP as counted there, the version).
    pub async fn find_everywhere(
        &self,
        who: &Caller,
        id: &str,
    ) -> Result<Vec<(Collection, &'static str, StoredVersion)>, Error> {
        let query = Query {
            ids: vec![id.to_owned()],
            limit: 1,
            ..Query::default()
        };
        self.newest_everywhere(who, query, "rest", usize::MAX).await
    }

    /// Search across every collection the caller may read: the newest
    /// versions whose folded text contains `text` and/or that carry the
    /// observable `value`, newest first, at most `limit`; each kept only if
    /// the policy lets the caller read it, and marked reads audited.
    pub async fn search_everywhere(
        &self,
        who: &Caller,
        text: Option<&str>,
        value: Option<&str>,
        limit: usize,
    ) -> Result<Vec<(Collection, &'static str, StoredVersion)>, Error> {
        let text = text.map(crate::search::fold).filter(|t| !t.is_empty());
        let value = value.map(crate::search::fold).filter(|v| !v.is_empty());
        if text.is_none() && value.is_none() {
            return Err(Error::said(ErrorKind::BadRequest, "search.nothing", &[]));
        }
        let limit = limit.clamp(1, self.config.max_page);
        // Candidates from the index alone, newest first, a batch at a time;
        // each batch read through every collection the caller may read. A
        // common word costs a few batches, not a scan of every match.
        const BATCH: usize = 500;
        let mut found = Vec::new();
        let (mut before, mut scanned) = (None, 0usize);
        loop {
            let candidates = self
                .store
                .search_candidates(text.clone(), value.clone(), before, BATCH)
                .await?;
            let Some(last) = candidates.last().copied() else {
                break;
            };
            scanned += candidates.len();
            let full = candidates.len() == BATCH;
            let query = Query {
                limit: candidates.len(),
                newest_first: true,
                seqs: candidates,
                ..Query::default()
            };
            found.extend(self.readable_everywhere(who, query).await?);
            before = Some(last);
            if found.len() >= limit || !full || scanned >= SCAN_LIMIT {
                break;
            }
        }
        found.sort_by_key(|f| std::cmp::Reverse(f.2.seq));
        found.truncate(limit);
        self.audit_found(who, "search", &found).await?;
        Ok(found
            .into_iter()
            .map(|(c, view, v)| (c, view.effective(v.tlp).name(), v))
            .collect())
    }

    /// The newest objects (of `types`, any when empty) added after `since`
    /// (all when `None`) in every collection the caller may read, newest
    /// first, at most `limit` from each collection and `limit` in all; kept
    /// only if the policy lets the caller read them, and marked reads
    /// audited (the console's dashboard and browsing).
    pub async fn recent_everywhere(
        &self,
        who: &Caller,
        since: Option<Micros>,
        types: Vec<String>,
        limit: usize,
    ) -> Result<Vec<(Collection, &'static str, StoredVersion)>, Error> {
        let limit = limit.clamp(1, self.config.max_page);
        let query = Query {
            added_after: since,
            types,
            limit,
            newest_first: true,
            ..Query::default()
        };
        self.newest_everywhere(who, query, "recent", limit).await
    }

    /// Records, in the audit trail, the marked versions a caller was given.
    async fn audit_reads(
        &self,
        who: &Caller,
        view: &View,
        c: &Collection,
        endpoint: &str,
        items: &[StoredVersion],
    ) -> Result<(), Error> {
        match read_detail(view, c, endpoint, items) {
            Some(detail) => {
                self.audit_now(who.audit("objects.read", &c.id, detail))
                    .await
            }
            None => Ok(()),
        }
    }

    /// Signs a position in a collection.
    fn cursor(&self, collection: &str, seq: i64) -> String {
        self.cursor_key.sign(&format!("{collection}:{seq}"))
    }

    /// Reads a `next` cursor back, checking its signature and collection.
    fn position(&self, collection: &str, next: &str) -> Result<i64, Error> {
        let refuse = || {
            Error::bad(
                "next is not a cursor this hub issued for this collection: send back the `next` value of the previous page unchanged",
            )
        };
        let payload = self.cursor_key.verify(next).ok_or_else(refuse)?;
        let (col, seq) = payload.rsplit_once(':').ok_or_else(refuse)?;
        if col != collection {
            return Err(refuse());
        }
        seq.parse().map_err(|_| refuse())
    }

    /// The share of rows a reader's last page of a collection hid (0 when unknown).
    fn hidden_share(&self, key: &(String, String)) -> f64 {
        self.hidden
            .lock()
            .ok()
            .and_then(|m| m.get(key).copied())
            .unwrap_or(0.0)
    }

    /// Remembers how much a page hid, for the next page's first query.
    fn remember_hidden_share(&self, key: (String, String), hidden: usize, scanned: usize) {
        if scanned < 100 {
            return;
        }
        if let Ok(mut m) = self.hidden.lock() {
            if m.len() > 100_000 {
                m.clear();
            }
            // Capped: a reader who sees little is served by the later queries anyway.
            m.insert(key, (hidden as f64 / scanned as f64).min(0.5));
        }
    }

    /// Every stored version of `ids` in `collection` (no JSON), selected by
    /// `versions`. Internal: the callers decide on them and hand none of
    /// them out, so nothing is audited.
    pub(crate) async fn rows_for_check(
        &self,
        collection: &str,
        ids: Vec<String>,
        versions: VersionSelect,
        spec_versions: Vec<String>,
    ) -> Result<Vec<StoredVersion>, Error> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .query(Query {
                collection: collection.to_owned(),
                ids,
                versions,
                spec_versions,
                limit: usize::MAX / 2,
                ..Query::default()
            })
            .await?
            .items)
    }

    /// The sightings, notes and opinions of a community that a receipt
    /// holder may read and that refer to `released`. Audited without an
    /// actor: an entry naming the holder would tie its organization to the
    /// concealed submission (docs/concealment.md, "receipt reads").
    pub(crate) async fn feedback_on(
        &self,
        who: &Caller,
        collection: &Collection,
        released: &[String],
    ) -> Result<(Vec<Value>, Vec<Value>), Error> {
        let view = who.view_of(collection);
        // Only the report's own objects: observables have ids anyone's report
        // can share (deterministic), and feedback on them is about others'.
        let released: Vec<&String> = released
            .iter()
            .filter(|id| {
                let ty = id.split_once("--").map_or("", |(t, _)| t);
                !matches!(
                    kyoyu_stix::schema::category(ty),
                    kyoyu_stix::schema::Category::Sco | kyoyu_stix::schema::Category::Meta
                )
            })
            .collect();
        if released.is_empty() {
            return Ok((Vec::new(), Vec::new()));
        }
        let page = self
            .store
            .query(Query {
                collection: collection.id.clone(),
                types: vec!["sighting".into(), "note".into(), "opinion".into()],
                versions: last_version(),
                limit: 10_000,
                with_json: true,
                ..Query::default()
            })
            .await?;
        let mut sightings = Vec::new();
        let mut feedback = Vec::new();
        let mut given = Vec::new();
        for v in page
            .items
            .into_iter()
            .filter(|v| view.may_read(&access_of(v)))
        {
            let Ok(o) = serde_json::from_str::<Value>(&v.json) else {
                continue;
            };
            let refs: Vec<&str> = o
                .get("sighting_of_ref")
                .and_then(Value::as_str)
                .into_iter()
                .chain(
                    o.get("object_refs")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str),
                )
                .collect();
            if refs.iter().any(|r| released.iter().any(|x| x == r)) {
                if v.object_type == "sighting" {
                    sightings.push(o);
                } else {
                    feedback.push(o);
                }
                given.push(v);
            }
        }
        // On the audit trail before the answer, like any read, but with no
        // actor: an entry naming the holder's organization beside the
        // report's own objects would name the sender.
        if let Some(detail) = read_detail(&view, collection, "receipt-status", &given) {
            self.audit_now(crate::submissions::anonymous(
                "objects.read",
                &collection.id,
                detail,
            ))
            .await?;
        }
        Ok((sightings, feedback))
    }
}

impl<S: Store> Reader<'_, S> {
    /// The collection read.
    pub fn collection(&self) -> &Collection {
        &self.collection
    }

    /// The caller's view of it.
    pub fn view(&self) -> &View {
        &self.view
    }

    /// A page of the collection (objects, manifest or versions of all).
    pub async fn list(&self, sel: Selection, endpoint: Endpoint) -> Result<Visible, Error> {
        let page = self.page(sel, None, endpoint).await?;
        self.audited(page, endpoint).await
    }

    /// One object's versions; 404 when the collection holds none the caller
    /// may see (whether or not it holds hidden ones).
    pub async fn object(
        &self,
        sel: Selection,
        object: &str,
        endpoint: Endpoint,
    ) -> Result<Visible, Error> {
        let page = self.page(sel, Some(object.to_owned()), endpoint).await?;
        if page.items.is_empty() && !page.more {
            return Err(Error::not_found(format!(
                "collection {} holds no object '{object}' matching the filters that this token may see",
                crate::catalog::collection_name(&self.collection)
            )));
        }
        self.audited(page, endpoint).await
    }

    /// Hands out a page once its marked versions are on the audit trail.
    async fn audited(&self, page: Visible, endpoint: Endpoint) -> Result<Visible, Error> {
        self.hub
            .audit_reads(
                self.who,
                &self.view,
                &self.collection,
                endpoint.name(),
                &page.items,
            )
            .await?;
        Ok(page)
    }

    /// Runs a filtered, paged query and keeps what the policy lets the
    /// caller see.
    async fn page(
        &self,
        sel: Selection,
        object: Option<String>,
        endpoint: Endpoint,
    ) -> Result<Visible, Error> {
        let hub = self.hub;
        let c = &self.collection;
        let view = &self.view;
        let mut after_seq = sel
            .next
            .as_deref()
            .map(|n| hub.position(&c.id, n))
            .transpose()?;
        let ids = match object {
            Some(o) => vec![o],
            None => sel.ids,
        };
        let limit = sel
            .limit
            .unwrap_or(hub.config.default_page)
            .min(hub.config.max_page)
            .max(1);
        let mut query = Query {
            collection: c.id.clone(),
            added_after: sel.added_after,
            after_seq,
            ids,
            types: sel.types,
            versions: sel.versions.unwrap_or_else(|| endpoint.default_versions()),
            spec_versions: sel.spec_versions,
            limit,
            with_json: endpoint.with_json(),
            newest_first: sel.newest_first,
            seqs: Vec::new(),
        };
        // How much of this collection this organization's pages hid last time:
        // the first query over-fetches by that share, so a page needs one query.
        let memory = (c.id.clone(), view.org().to_owned());
        let remembered = hub.hidden_share(&memory);
        let mut items = Vec::new();
        let mut scanned = 0usize;
        let done = |items: Vec<StoredVersion>, more: bool, resume: Option<i64>, scanned: usize| {
            let hidden = scanned.saturating_sub(items.len());
            hub.remember_hidden_share(memory.clone(), hidden, scanned);
            let next = match (more, resume) {
                (true, Some(seq)) => Some(hub.cursor(&c.id, seq)),
                _ => None,
            };
            Ok(Visible { items, more, next })
        };
        loop {
            query.after_seq = after_seq;
            // Ask for what is missing, plus what the share hidden so far (or
            // last time) says will be hidden.
            let missing = limit - items.len();
            query.limit = if scanned == 0 {
                if remembered > 0.0 {
                    // Enough rows that, at the remembered share, one query fills the page.
                    (limit as f64 / (1.0 - remembered)).ceil() as usize + 16
                } else {
                    limit
                }
            } else {
                let hidden = scanned - items.len();
                (missing + missing * hidden / items.len().max(1) + 16).min(limit.max(missing) * 4)
            };
            let got = hub.store.query(query.clone()).await?;
            let fetched = got.items.len();
            for (i, v) in got.items.into_iter().enumerate() {
                scanned += 1;
                after_seq = Some(v.seq);
                if view.may_read(&access_of(&v)) {
                    items.push(v);
                    if items.len() == limit {
                        let rest = i + 1 < fetched;
                        return done(items, rest || got.more, after_seq, scanned);
                    }
                }
            }
            if !got.more {
                return done(items, false, after_seq, scanned);
            }
            if scanned >= SCAN_LIMIT {
                return done(items, true, after_seq, scanned);
            }
        }
    }
}

/// The micros of a version string, for deleting exact versions.
pub(crate) fn version_key(v: &StoredVersion) -> Option<Micros> {
    kyoyu_stix::Timestamp::parse(&v.version)
        .ok()
        .map(|t| micros(&t))
}

/// The detail of an `objects.read` entry: the marked versions given, one
/// `id@version` string each (small, and cheap to build); `None` when
/// nothing given needs recording.
fn read_detail(
    view: &View,
    c: &Collection,
    endpoint: &str,
    items: &[StoredVersion],
) -> Option<Value> {
    let mut read = String::new();
    let mut count = 0usize;
    for v in items.iter().filter(|v| view.read_is_audited(v.tlp)) {
        if count > 0 {
            read.push(' ');
        }
        read.push_str(&v.id);
        read.push('@');
        read.push_str(&version_text(v));
        count += 1;
    }
    (count > 0).then(
        || json!({"endpoint": endpoint, "collection": c.alias, "count": count, "objects": read}),
    )
}
