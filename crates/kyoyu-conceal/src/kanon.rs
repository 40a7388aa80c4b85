//! Stage 9, k-anonymity for numbers: a count about concealed submissions is
//! published only when at least k distinct organizations contribute to it;
//! smaller groups are merged into "other", and "other" itself is suppressed
//! when it is still too small.

use std::collections::{BTreeMap, BTreeSet};

/// The key under which small groups are merged.
pub const OTHER: &str = "other";

/// One published figure.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Figure {
    /// The group (a sector, a week, a category, or `other`).
    pub key: String,
    /// Submissions in it.
    pub count: usize,
}

/// Counts submissions per key, keeping only groups of at least `k`
/// distinct contributors. `rows` are (key, contributor tag), one per submission.
pub fn publish(rows: &[(String, String)], k: usize) -> Vec<Figure> {
    let mut groups: BTreeMap<&str, (usize, BTreeSet<&str>)> = BTreeMap::new();
    for (key, tag) in rows {
        let g = groups.entry(key.as_str()).or_default();
        g.0 += 1;
        g.1.insert(tag.as_str());
    }
    publish_groups(groups, k)
}

/// The same over groups already counted: key → (submissions, contributor tags).
pub fn publish_groups(groups: BTreeMap<&str, (usize, BTreeSet<&str>)>, k: usize) -> Vec<Figure> {
    let mut out = Vec::new();
    let mut other = (0usize, BTreeSet::new());
    for (key, (count, tags)) in groups {
        if tags.len() >= k.max(1) && key != OTHER {
            out.push(Figure {
                key: key.to_owned(),
                count,
            });
        } else {
            other.0 += count;
            other.1.extend(tags);
        }
    }
    if other.0 > 0 && other.1.len() >= k.max(1) {
        out.push(Figure {
            key: OTHER.into(),
            count: other.0,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(spec: &[(&str, &str)]) -> Vec<(String, String)> {
        spec.iter()
            .map(|(k, t)| ((*k).into(), (*t).into()))
            .collect()
    }

    #[test]
    fn small_groups_merge_or_vanish() {
        let r = rows(&[
            ("electricity", "a"),
            ("electricity", "b"),
            ("electricity", "c"),
            ("electricity", "a"),
            ("gas", "d"),
            ("gas", "d"),
            ("water", "e"),
        ]);
        assert_eq!(
            publish(&r, 3),
            vec![Figure {
                key: "electricity".into(),
                count: 4
            }],
            "gas (1 org) and water (1 org) merge into other, which has 2 orgs: suppressed"
        );
        let r2 = rows(&[("gas", "d"), ("water", "e"), ("ports", "f")]);
        assert_eq!(
            publish(&r2, 3),
            vec![Figure {
                key: OTHER.into(),
                count: 3
            }]
        );
        // Many submissions from one organization never make a group.
        let r3 = rows(&[("gas", "d"), ("gas", "d"), ("gas", "d"), ("gas", "d")]);
        assert!(publish(&r3, 3).is_empty());
    }
}
