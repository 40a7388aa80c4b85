//! The tamper-evident audit trail: each entry commits to the one before it
//! by SHA-256, so editing, removing or reordering any stored entry breaks
//! the chain from that point on. Removing entries from the end is caught
//! by comparing the head with one recorded earlier (`--expect-head`).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What to record: who did what to what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    /// The acting organization.
    pub actor_org: String,
    /// The acting token's public id (never the secret).
    pub actor_token: String,
    /// What happened, e.g. `org.create`, `objects.add`, `objects.read`.
    pub action: String,
    /// What it happened to (an organization, community, collection, token).
    pub target: String,
    /// Details, as JSON.
    pub detail: serde_json::Value,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position: 1, 2, 3, … without gaps.
    pub seq: i64,
    /// When (microseconds since the Unix epoch).
    pub at: i64,
    /// The acting organization.
    pub actor_org: String,
    /// The acting token's public id.
    pub actor_token: String,
    /// What happened.
    pub action: String,
    /// What it happened to.
    pub target: String,
    /// Details, as the JSON text that was hashed.
    pub detail: String,
    /// The previous entry's hash ([`GENESIS`] for the first).
    pub prev: String,
    /// This entry's hash.
    pub hash: String,
    /// Shown to a reader without its content (`detail` withheld): its link
    /// to the chain can be checked, its content cannot. Not hashed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withheld: bool,
}

impl Entry {
    /// Seals a draft as entry `seq`, after the entry whose hash is `prev`.
    pub fn seal(draft: &Draft, seq: i64, at: i64, prev: &str) -> Self {
        let mut e = Self {
            seq,
            at,
            actor_org: draft.actor_org.clone(),
            actor_token: draft.actor_token.clone(),
            action: draft.action.clone(),
            target: draft.target.clone(),
            detail: draft.detail.to_string(),
            prev: prev.to_owned(),
            hash: String::new(),
            withheld: false,
        };
        e.hash = e.compute_hash();
        e
    }

    /// The hash this entry should carry: SHA-256 over a JSON array of every
    /// other field (an unambiguous encoding).
    pub fn compute_hash(&self) -> String {
        let fields = serde_json::json!([
            self.seq,
            self.at,
            self.actor_org,
            self.actor_token,
            self.action,
            self.target,
            self.detail,
            self.prev
        ]);
        let digest = Sha256::digest(fields.to_string().as_bytes());
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Where and why a chain breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Broken {
    /// The first entry that fails (by position, or the expected one when missing).
    pub seq: i64,
    /// What is wrong.
    pub why: String,
}

/// Checks entries given in stored order (the content of withheld entries
/// cannot be checked, only their place in the chain), continuing a chain whose last
/// verified entry was `(seq, hash)` (`(0, GENESIS)` from the start).
/// Returns the new head.
pub fn verify<'a>(
    entries: impl IntoIterator<Item = &'a Entry>,
    mut head: (i64, String),
) -> Result<(i64, String), Broken> {
    for e in entries {
        let expected = head.0 + 1;
        if e.seq != expected {
            return Err(Broken {
                seq: expected,
                why: format!(
                    "entry {expected} is missing or out of order (found entry {} next)",
                    e.seq
                ),
            });
        }
        if e.prev != head.1 {
            return Err(Broken {
                seq: e.seq,
                why: "it does not follow the entry before it (its prev hash differs): an entry was removed, reordered or edited".into(),
            });
        }
        if !e.withheld && e.compute_hash() != e.hash {
            return Err(Broken {
                seq: e.seq,
                why: "its content does not match its hash: it was edited".into(),
            });
        }
        head = (e.seq, e.hash.clone());
    }
    Ok(head)
}

/// Cuts a page of entries so that it holds about `budget` bytes at most
/// (one entry at least, whatever its size); returns whether it cut. A page
/// of large entries (one per 100 MB envelope lists every object) then
/// stays readable by any client.
pub fn cut_page(entries: &mut Vec<Entry>, budget: usize) -> bool {
    let mut bytes = 0usize;
    let over = entries.iter().position(|e| {
        bytes += e.detail.len() + e.target.len() + e.action.len() + 256;
        bytes > budget
    });
    match over {
        Some(at) => {
            entries.truncate(at.max(1));
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_cut_by_size_keeping_one_entry() {
        let mut page = chain(10);
        assert!(!cut_page(&mut page, usize::MAX));
        assert_eq!(page.len(), 10);
        // Each entry counts a little over 256 bytes: three fit in 1,000.
        assert!(cut_page(&mut page, 1000));
        assert_eq!(page.len(), 3);
        let mut big = chain(3);
        big[0].detail = "x".repeat(10_000);
        assert!(cut_page(&mut big, 1000));
        assert_eq!(big.len(), 1, "one entry even when it alone is over");
    }

    fn chain(n: i64) -> Vec<Entry> {
        let mut out: Vec<Entry> = Vec::new();
        for i in 1..=n {
            let prev = out.last().map_or(GENESIS.to_owned(), |e| e.hash.clone());
            let d = Draft {
                actor_org: "org".into(),
                actor_token: "tok".into(),
                action: "objects.add".into(),
                target: format!("c{i}"),
                detail: serde_json::json!({"n": i}),
            };
            out.push(Entry::seal(&d, i, 1000 + i, &prev));
        }
        out
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        let head = verify(&c, (0, GENESIS.into())).unwrap();
        assert_eq!(head, (5, c[4].hash.clone()));
        // Verifying in two halves gives the same head.
        let mid = verify(&c[..2], (0, GENESIS.into())).unwrap();
        assert_eq!(verify(&c[2..], mid).unwrap(), head);
    }

    #[test]
    fn edits_removals_and_reorders_are_found() {
        let mut edited = chain(5);
        edited[2].target = "other".into();
        assert_eq!(verify(&edited, (0, GENESIS.into())).unwrap_err().seq, 3);

        let mut removed = chain(5);
        removed.remove(1);
        assert_eq!(verify(&removed, (0, GENESIS.into())).unwrap_err().seq, 2);

        // Swap the content of two rows, keeping their positions.
        let mut swapped = chain(5);
        let (a, b) = (swapped[1].clone(), swapped[3].clone());
        swapped[1] = Entry { seq: 2, ..b };
        swapped[3] = Entry { seq: 4, ..a };
        assert_eq!(verify(&swapped, (0, GENESIS.into())).unwrap_err().seq, 2);

        // Rewriting an entry and its hash still breaks the next link.
        let mut rehashed = chain(5);
        rehashed[1].action = "nothing".into();
        rehashed[1].hash = rehashed[1].compute_hash();
        assert_eq!(verify(&rehashed, (0, GENESIS.into())).unwrap_err().seq, 3);
    }
}
