//! The decisions every backend makes the same way, written once: how
//! audit entries continue the chain, and what adding a batch of versions
//! does (duplicates, foreign objects, first/last flags, `date_added`), and
//! the statements an administrative change runs.
//! Backends read what these functions need, call them, and run the SQL.

use crate::{Added, AuditDraft, AuditEntry, Change, Micros, NewVersion, StoredVersion};
use kyoyu_trust::audit::GENESIS;
use std::collections::{HashMap, HashSet};

/// The last entry of a chain, as the next append needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEnd {
    /// Its sequence number.
    pub seq: i64,
    /// Its hash.
    pub hash: String,
    /// Its time.
    pub at: Micros,
}

/// The entries that continue a chain whose last entry is `last` (`None`:
/// an empty trail), one per draft, in order, at time `now`, or at the last
/// entry's time if the clock reads earlier (a clock stepped back, or
/// another node's clock ahead): times never go backwards as the sequence
/// goes up.
pub fn seal_after(last: Option<ChainEnd>, drafts: &[AuditDraft], now: Micros) -> Vec<AuditEntry> {
    let (mut seq, mut prev, at) = last.map_or_else(
        || (0, GENESIS.to_owned(), now),
        |l| (l.seq, l.hash, now.max(l.at)),
    );
    drafts
        .iter()
        .map(|d| {
            seq += 1;
            let e = AuditEntry::seal(d, seq, at, &prev);
            prev.clone_from(&e.hash);
            e
        })
        .collect()
}

/// What is stored for one object id in the collection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoredObject {
    /// Every stored version key.
    pub keys: HashSet<Micros>,
    /// Whether an author other than the writer contributed a version.
    pub foreign: bool,
}

/// One version to insert, as decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Insert {
    /// The version.
    pub version: NewVersion,
    /// Its `date_added` (strictly increasing over the batch and after every earlier row).
    pub date_added: Micros,
    /// Whether it is the object's oldest version, stored ones included.
    pub is_first: bool,
    /// Whether it is the object's newest version, stored ones included.
    pub is_last: bool,
}

/// What adding a batch does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddPlan {
    /// One outcome per input version, in order.
    pub outcomes: Vec<Added>,
    /// The rows to insert, in order.
    pub inserts: Vec<Insert>,
    /// Ids whose stored `is_first` must be cleared (a new version is older).
    pub clear_first: Vec<String>,
    /// Ids whose stored `is_last` must be cleared (a new version is newer).
    pub clear_last: Vec<String>,
    /// The clock after the batch (the last `date_added` given out).
    pub clock: Micros,
}

/// Decides a batch: a version already stored (or earlier in the batch) is
/// a [`Added::Duplicate`]; a new version of a versioned object another
/// author contributed is [`Added::Foreign`] (objects without versions, the
/// observables, are anyone's); the rest are inserted with their final
/// first/last flags, and `date_added` values that grow strictly from
/// `max(last_added, now - 1)`.
pub fn plan_add(
    versions: Vec<NewVersion>,
    mut stored: HashMap<String, StoredObject>,
    last_added: Micros,
    now: Micros,
) -> AddPlan {
    let had: HashMap<String, (Micros, Micros)> = stored
        .iter()
        .filter_map(|(id, s)| Some((id.clone(), (*s.keys.iter().min()?, *s.keys.iter().max()?))))
        .collect();
    let mut plan = AddPlan::default();
    let mut accepted = Vec::new();
    for v in versions {
        let entry = stored.entry(v.id.clone()).or_default();
        if entry.keys.contains(&v.version_key) {
            plan.outcomes.push(Added::Duplicate);
        } else if entry.foreign && !v.version.is_empty() {
            plan.outcomes.push(Added::Foreign);
        } else {
            entry.keys.insert(v.version_key);
            plan.outcomes.push(Added::New);
            accepted.push(v);
        }
    }
    // Final bounds per id over stored and accepted versions together.
    let mut bounds: HashMap<String, (Micros, Micros)> = HashMap::new();
    for v in &accepted {
        let b = bounds
            .entry(v.id.clone())
            .or_insert((v.version_key, v.version_key));
        b.0 = b.0.min(v.version_key);
        b.1 = b.1.max(v.version_key);
    }
    for (id, b) in &mut bounds {
        if let Some((min, max)) = had.get(id) {
            if b.1 > *max {
                plan.clear_last.push(id.clone());
            }
            if b.0 < *min {
                plan.clear_first.push(id.clone());
            }
            b.0 = b.0.min(*min);
            b.1 = b.1.max(*max);
        }
    }
    plan.clear_first.sort();
    plan.clear_last.sort();
    let mut clock = last_added.max(now - 1);
    for v in accepted {
        let (min, max) = bounds
            .get(&v.id)
            .copied()
            .unwrap_or((v.version_key, v.version_key));
        // date_added strictly increases, so ordering by seq and by date_added agree.
        clock = clock.max(now).max(clock + 1);
        plan.inserts.push(Insert {
            is_first: v.version_key == min,
            is_last: v.version_key == max,
            date_added: clock,
            version: v,
        });
    }
    plan.clock = clock;
    plan
}

/// Recipient lists are kept once each, in `recipient_lists`, and an object
/// row holds its list's reference (`@` and a hash of the list): an envelope
/// naming many recipients for many objects stores the list once, not once
/// per object. Rows written before hold the list itself.
pub const INTERN_LIST: &str =
    "INSERT INTO recipient_lists (ref, list) VALUES ($1, $2) ON CONFLICT (ref) DO NOTHING";

/// The reference and stored text of a recipient list (`None`: no recipients).
pub fn list_ref(list: &[String]) -> Option<(String, String)> {
    use sha2::Digest;
    if list.is_empty() {
        return None;
    }
    let encoded = crate::encode_list(list);
    let digest = sha2::Sha256::digest(encoded.as_bytes());
    let hex: String = digest.iter().take(16).map(|b| format!("{b:02x}")).collect();
    Some((format!("@{hex}"), encoded))
}

/// The column values of the rows to insert, and the distinct lists to
/// intern first (one statement each).
pub fn interned(inserts: &[Insert]) -> (Vec<Option<String>>, Vec<(String, String)>) {
    let mut lists: Vec<(String, String)> = Vec::new();
    let column = inserts
        .iter()
        .map(|i| {
            let (r, encoded) = list_ref(&i.version.recipients)?;
            if !lists.iter().any(|(seen, _)| *seen == r) {
                lists.push((r.clone(), encoded));
            }
            Some(r)
        })
        .collect();
    (column, lists)
}

/// Rows read back hold `["@ref"]` until resolved: the references a page needs.
pub fn pending_refs(items: &[StoredVersion]) -> Vec<String> {
    let mut refs: Vec<String> = items
        .iter()
        .filter_map(|v| match v.recipients.as_slice() {
            [r] if r.starts_with('@') => Some(r.clone()),
            _ => None,
        })
        .collect();
    refs.sort();
    refs.dedup();
    refs
}

/// What a reference that cannot be resolved (or a list that cannot be
/// read) becomes: a recipient no organization is, so the object is read by
/// its author alone. An empty list would be the open list (every member
/// reads AMBER), which fails open.
pub const UNRESOLVED: &str = "\u{0}unresolved";

/// Replaces references with their lists; one that cannot be found or read
/// names nobody ([`UNRESOLVED`]).
pub fn resolve_refs(items: &mut [StoredVersion], lists: &HashMap<String, String>) {
    for v in items {
        if let [r] = v.recipients.as_slice()
            && r.starts_with('@')
        {
            v.recipients = lists
                .get(r)
                .map(|t| crate::decode_list(t))
                .filter(|l| !l.is_empty())
                .unwrap_or_else(|| vec![UNRESOLVED.to_owned()]);
        }
    }
}

/// One SQL statement, in the subset both backends read the same way
/// (`$n` parameters numbered in order of first use, `true`), with text
/// parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// The SQL.
    pub sql: &'static str,
    /// Its parameters, `$1` first (`None` is NULL).
    pub params: Vec<Option<String>>,
}

/// The statements that make an administrative change, written once for both
/// backends. None for [`Change::AddToken`]: backends run its insert-only
/// check themselves, to report which of id or hash collided.
pub fn change_statements(change: &Change) -> serde_json::Result<Vec<Statement>> {
    fn st(sql: &'static str, params: &[Option<&str>]) -> Statement {
        Statement {
            sql,
            params: params.iter().map(|p| p.map(str::to_owned)).collect(),
        }
    }
    Ok(match change {
        Change::PutOrg(o) => vec![st(
            "INSERT INTO orgs (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
            &[Some(&o.id), Some(&serde_json::to_string(o)?)],
        )],
        // Deleting an organization revokes its tokens, removes its users and
        // their sessions, and retires its id, in the same transaction.
        Change::DeleteOrg(id) => vec![
            st("DELETE FROM orgs WHERE id = $1", &[Some(id)]),
            st("UPDATE tokens SET revoked = true WHERE org = $1", &[Some(id)]),
            st(
                "DELETE FROM sessions WHERE login IN (SELECT login FROM users WHERE org = $1)",
                &[Some(id)],
            ),
            st("DELETE FROM users WHERE org = $1", &[Some(id)]),
            st(
                "INSERT INTO retired_orgs (id) VALUES ($1) ON CONFLICT (id) DO NOTHING",
                &[Some(id)],
            ),
        ],
        Change::PutCommunity(c, col) => vec![
            st(
                "INSERT INTO communities (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = excluded.doc",
                &[Some(&c.id), Some(&serde_json::to_string(c)?)],
            ),
            st(
                "INSERT INTO collections (id, api_root, title, description, alias) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, alias = excluded.alias",
                &[
                    Some(&col.id),
                    Some(&col.api_root),
                    Some(&col.title),
                    col.description.as_deref(),
                    col.alias.as_deref(),
                ],
            ),
        ],
        Change::SetMember(m) => vec![st(
            "INSERT INTO memberships (community, org, role) VALUES ($1, $2, $3)
             ON CONFLICT (community, org) DO UPDATE SET role = excluded.role",
            &[Some(&m.community), Some(&m.org), Some(m.role.name())],
        )],
        Change::RemoveMember { community, org } => vec![st(
            "DELETE FROM memberships WHERE community = $1 AND org = $2",
            &[Some(community), Some(org)],
        )],
        Change::AddToken(_) => Vec::new(),
        Change::RevokeToken(id) => vec![st(
            "UPDATE tokens SET revoked = true WHERE id = $1",
            &[Some(id)],
        )],
        // Insert only: a login already present fails the transaction.
        Change::AddUser(u) => vec![st(
            "INSERT INTO users (login, org, doc) VALUES ($1, $2, $3)",
            &[Some(&u.login), Some(&u.org), Some(&serde_json::to_string(u)?)],
        )],
        // Parameters in order of appearance: SQLite binds `$n` by first use.
        Change::PutUser(u) => vec![st(
            "UPDATE users SET org = $1, doc = $2 WHERE login = $3",
            &[Some(&u.org), Some(&serde_json::to_string(u)?), Some(&u.login)],
        )],
        Change::EndSessions(login) => vec![st(
            "DELETE FROM sessions WHERE login = $1",
            &[Some(login)],
        )],
    })
}

/// A stored version as schema version 9 rewrites it (see [`repair_version`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repaired {
    /// The object id in canonical form (the row keeps its old one if a row
    /// of the same version is already stored under this spelling).
    pub id: String,
    /// The JSON with every identifier in canonical form.
    pub json: String,
    /// The TLP level: never lower than the stored one.
    pub tlp: Option<i16>,
}

/// Whether a stored JSON text may hold an identifier with upper-case hex
/// digits: `--` then a UUID-shaped run with an upper-case letter. Cheap, so
/// a migration can skip the parse for the rows it cannot concern.
pub fn may_hold_uncanonical_id(json: &str) -> bool {
    let b = json.as_bytes();
    let mut from = 0;
    while let Some(at) = json.get(from..).and_then(|rest| rest.find("--")) {
        let start = from + at + 2;
        let run = b.get(start..start + 36).unwrap_or_default();
        if run.len() == 36
            && run.iter().all(|c| c.is_ascii_hexdigit() || *c == b'-')
            && run.iter().any(u8::is_ascii_uppercase)
        {
            return true;
        }
        from = start;
    }
    false
}

/// Schema version 9's repair of one stored version, or `None` if it needs
/// none. Versions stored before ingest wrote identifiers in canonical form
/// (issue 10) may mark themselves with an upper-case TLP id, which the
/// policy then did not recognize: the row was stored with no level (read at
/// the community's default) or with a weaker one. The repair rewrites the
/// identifiers and takes the stricter of the stored level and the one the
/// markings give now: it only ever tightens access.
pub fn repair_version(id: &str, json: &str, tlp: Option<i16>) -> Option<Repaired> {
    if !may_hold_uncanonical_id(json) {
        return None;
    }
    let mut value: serde_json::Value = serde_json::from_str(json).ok()?;
    if !kyoyu_stix::id::canonicalize_ids(&mut value) {
        return None;
    }
    let (level, _) = kyoyu_trust::policy::marking_of(&value, &[]);
    let tlp = match (tlp, crate::tlp_code(level)) {
        (Some(old), Some(new)) => Some(old.max(new)),
        (old, new) => old.or(new),
    };
    let mut canonical = serde_json::Value::String(id.to_owned());
    kyoyu_stix::id::canonicalize_ids(&mut canonical);
    Some(Repaired {
        id: canonical.as_str().unwrap_or(id).to_owned(),
        json: serde_json::to_string(&value).ok()?,
        tlp,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn v(id: &str, key: i64) -> NewVersion {
        NewVersion {
            id: id.into(),
            object_type: "indicator".into(),
            version: format!("v{key}"),
            version_key: key,
            spec_version: "2.1".into(),
            json: String::new(),
            tlp: None,
            recipients: Vec::new(),
            search: String::new(),
            values: Vec::new(),
        }
    }

    #[test]
    fn repair_only_tightens_and_canonicalizes() {
        let red_upper = "marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1";
        let green = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
        let id = "indicator--0A1B2C3D-0000-4000-8000-00000000000A";
        let json = serde_json::json!({"type": "indicator", "id": id,
            "object_marking_refs": [green, red_upper],
            "description": "see indicator--0A1B2C3D-0000-4000-8000-00000000000A"})
        .to_string();
        // Stored before: GREEN only (the upper-case RED was not recognized).
        let r = repair_version(id, &json, Some(1)).unwrap();
        assert_eq!(r.tlp, Some(4));
        assert_eq!(r.id, "indicator--0a1b2c3d-0000-4000-8000-00000000000a");
        assert!(r.json.contains(&red_upper.to_ascii_lowercase()));
        // Prose is never rewritten.
        assert!(r.json.contains("see indicator--0A1B2C3D"));
        // No level known before: the markings' level.
        assert_eq!(repair_version(id, &json, None).unwrap().tlp, Some(4));
        // A stricter (or unknown) stored level stays.
        let amber_upper = json.replace(
            red_upper,
            "marking-definition--55D920B0-5E8B-4F79-9EE9-91F868D9B421",
        );
        assert_eq!(
            repair_version(id, &amber_upper, Some(3)).unwrap().tlp,
            Some(3)
        );
        assert_eq!(
            repair_version(id, &amber_upper, Some(9)).unwrap().tlp,
            Some(9)
        );
        assert_eq!(repair_version(id, &amber_upper, None).unwrap().tlp, Some(2));
        // Canonical rows, and rows that only mention upper-case hex in prose, are left.
        let canonical = serde_json::json!({"type": "indicator", "id": "indicator--0a1b2c3d-0000-4000-8000-00000000000a",
            "object_marking_refs": [green], "description": "APT-C-DE hash ABCDEF"}).to_string();
        assert_eq!(
            repair_version(
                "indicator--0a1b2c3d-0000-4000-8000-00000000000a",
                &canonical,
                Some(1)
            ),
            None
        );
        assert!(!may_hold_uncanonical_id(&canonical));
        assert_eq!(
            repair_version(id, "not json --0A1B2C3D-0000-4000-8000-00000000000A", None),
            None
        );
    }

    #[test]
    fn recipient_lists_are_stored_once_and_resolved() {
        let mut a = v("a", 1);
        a.recipients = vec!["op-1".into(), "op-2".into()];
        let mut b = v("b", 2);
        b.recipients = a.recipients.clone();
        let plan = plan_add(vec![a, b, v("c", 3)], HashMap::new(), 0, 10);
        let (column, lists) = interned(&plan.inserts);
        assert_eq!(lists.len(), 1, "one list for two objects");
        assert_eq!(column[0], column[1]);
        assert_eq!(column[2], None);
        let r = column[0].clone().unwrap();
        let stored = |recipients: Vec<String>| StoredVersion {
            seq: 1,
            date_added: 1,
            id: "x".into(),
            version: String::new(),
            spec_version: "2.1".into(),
            object_type: "indicator".into(),
            json: String::new(),
            tlp: None,
            recipients,
            author: "a".into(),
        };
        let mut items = vec![
            stored(vec![r.clone()]),
            stored(vec!["op-9".into()]),
            stored(vec!["@missing".into()]),
        ];
        let mut want = vec!["@missing".to_owned(), r.clone()];
        want.sort();
        assert_eq!(pending_refs(&items), want);
        let found: HashMap<String, String> = lists.into_iter().collect();
        resolve_refs(&mut items, &found);
        assert_eq!(items[0].recipients, ["op-1", "op-2"]);
        assert_eq!(
            items[1].recipients,
            ["op-9"],
            "rows from before keep their list"
        );
        assert_eq!(
            items[2].recipients,
            [UNRESOLVED],
            "an unknown reference names nobody (not the open list)"
        );
    }

    #[test]
    fn version_filters_default_to_the_newest() {
        use crate::VersionSelect;
        let f = |last, first, all, at: Vec<i64>| {
            let v = VersionSelect {
                last,
                first,
                all,
                at,
            };
            v.filter().map(|f| (f.last, f.first, f.at.to_vec()))
        };
        assert_eq!(f(false, false, false, vec![]), Some((true, false, vec![])));
        assert_eq!(f(false, true, false, vec![]), Some((false, true, vec![])));
        assert_eq!(
            f(false, false, false, vec![7]),
            Some((false, false, vec![7]))
        );
        assert_eq!(f(true, true, false, vec![7]), Some((true, true, vec![7])));
        assert_eq!(f(true, false, true, vec![7]), None);
    }

    #[test]
    fn changes_bind_every_placeholder() {
        use kyoyu_trust::{MemberRole, Membership, Org, OrgKind};
        let org = Org::new("op-1", OrgKind::Operator, "Op", "JP");
        let changes = [
            Change::PutOrg(org),
            Change::DeleteOrg("op-1".into()),
            Change::SetMember(Membership {
                community: "c".into(),
                org: "op-1".into(),
                role: MemberRole::Member,
            }),
            Change::RemoveMember {
                community: "c".into(),
                org: "op-1".into(),
            },
            Change::RevokeToken("t".into()),
        ];
        for c in &changes {
            let statements = change_statements(c).unwrap();
            assert!(!statements.is_empty(), "{c:?}");
            for s in statements {
                // `$1`..`$n` each used, first uses in order (SQLite numbers them so).
                let used: Vec<usize> = (1..=s.params.len())
                    .map(|n| s.sql.find(&format!("${n}")).unwrap())
                    .collect();
                assert!(used.windows(2).all(|w| w[0] < w[1]), "{}", s.sql);
                assert!(!s.sql.contains(&format!("${}", s.params.len() + 1)));
            }
        }
    }

    #[test]
    fn duplicates_foreign_flags_and_clock() {
        let mut stored = HashMap::new();
        stored.insert(
            "a".to_owned(),
            StoredObject {
                keys: [5].into_iter().collect(),
                foreign: false,
            },
        );
        stored.insert(
            "f".to_owned(),
            StoredObject {
                keys: [1].into_iter().collect(),
                foreign: true,
            },
        );
        let p = plan_add(
            vec![
                v("a", 5),
                v("a", 9),
                v("a", 2),
                v("a", 9),
                v("f", 3),
                v("b", 1),
            ],
            stored,
            100,
            50,
        );
        assert_eq!(
            p.outcomes,
            [
                Added::Duplicate,
                Added::New,
                Added::New,
                Added::Duplicate,
                Added::Foreign,
                Added::New
            ]
        );
        let flags: Vec<_> = p
            .inserts
            .iter()
            .map(|i| {
                (
                    i.version.id.as_str(),
                    i.version.version_key,
                    i.is_first,
                    i.is_last,
                    i.date_added,
                )
            })
            .collect();
        assert_eq!(
            flags,
            [
                ("a", 9, false, true, 101),
                ("a", 2, true, false, 102),
                ("b", 1, true, true, 103)
            ]
        );
        assert_eq!(p.clear_last, ["a"]);
        assert_eq!(p.clear_first, ["a"]);
        assert_eq!(p.clock, 103);
    }

    fn draft() -> AuditDraft {
        AuditDraft {
            actor_org: "o".into(),
            actor_token: "t".into(),
            action: "a".into(),
            target: "x".into(),
            detail: serde_json::json!({}),
        }
    }

    #[test]
    fn chain_continues() {
        let d = draft();
        let first = seal_after(None, &[d.clone(), d.clone()], 1);
        let end = |e: &AuditEntry| ChainEnd {
            seq: e.seq,
            hash: e.hash.clone(),
            at: e.at,
        };
        let more = seal_after(Some(end(&first[1])), &[d], 2);
        let all: Vec<_> = first.into_iter().chain(more).collect();
        assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), [1, 2, 3]);
        kyoyu_trust::audit::verify(&all, (0, GENESIS.into())).unwrap();
    }

    #[test]
    fn times_never_go_backwards() {
        let d = draft();
        let first = seal_after(None, std::slice::from_ref(&d), 5_000);
        let last = ChainEnd {
            seq: first[0].seq,
            hash: first[0].hash.clone(),
            at: first[0].at,
        };
        // The clock stepped back: the new entries keep the last time.
        let behind = seal_after(Some(last.clone()), &[d.clone(), d.clone()], 4_000);
        assert_eq!(
            behind.iter().map(|e| e.at).collect::<Vec<_>>(),
            [5_000, 5_000]
        );
        // A clock ahead is taken as it is.
        let ahead = seal_after(Some(last), &[d], 6_000);
        assert_eq!(ahead[0].at, 6_000);
    }
}
