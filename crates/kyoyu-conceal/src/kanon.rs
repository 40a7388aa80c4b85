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

/// One row of released contributions: a community's bucket value (a
/// sector, week or category), a contributor's tag for that statistic, and
/// how many of its submissions count there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contribution<'a> {
    /// The community.
    pub community: &'a str,
    /// The value of the statistic (e.g. `electricity`).
    pub value: &'a str,
    /// The contributor's tag for this statistic.
    pub tag: &'a str,
    /// Submissions.
    pub count: usize,
}

/// The figures a caller sees: per community, each value's cell with at
/// least `k` distinct contributors, the rest merged into that community's
/// `other` (withheld below `k`); then the cells shown in the communities
/// the caller may read (`readable`) summed per value. Two callers' figures,
/// or a figure with and without a community, differ by whole cells of at
/// least `k` contributors.
pub fn figures<'a>(
    rows: impl IntoIterator<Item = Contribution<'a>>,
    readable: impl Fn(&str) -> bool,
    k: usize,
) -> Vec<Figure> {
    let mut cells: BTreeMap<&str, BTreeMap<&str, (usize, BTreeSet<&str>)>> = BTreeMap::new();
    for c in rows {
        if !readable(c.community) {
            continue;
        }
        let cell = cells
            .entry(c.community)
            .or_default()
            .entry(c.value)
            .or_default();
        cell.0 += c.count;
        cell.1.insert(c.tag);
    }
    let mut sums: BTreeMap<String, usize> = BTreeMap::new();
    for (_, groups) in cells {
        for f in publish_groups(groups, k) {
            *sums.entry(f.key).or_default() += f.count;
        }
    }
    sums.into_iter()
        .map(|(key, count)| Figure { key, count })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A released submission: (community, value, organization).
    type Sub = (usize, usize, usize);

    const COMMUNITIES: usize = 3;

    fn shown(subs: &[Sub], scope: &[bool], k: usize) -> Vec<Figure> {
        let tags: Vec<String> = (0..8).map(|o| format!("org{o}")).collect();
        let values: Vec<String> = (0..4).map(|v| format!("v{v}")).collect();
        let names: Vec<String> = (0..COMMUNITIES).map(|c| format!("c{c}")).collect();
        let rows = subs.iter().map(|(c, v, o)| Contribution {
            community: &names[*c],
            value: &values[*v],
            tag: &tags[*o],
            count: 1,
        });
        figures(
            rows,
            |c| names.iter().position(|n| n == c).is_some_and(|i| scope[i]),
            k,
        )
    }

    /// The submissions (by index) behind a figure, from the ground truth:
    /// in each of the caller's communities, a value's submissions when at
    /// least k organizations sent them, else the community's small values
    /// together (`other`) when those reach k organizations.
    fn behind(subs: &[Sub], scope: &[bool], key: &str, k: usize) -> BTreeSet<usize> {
        let mut out = BTreeSet::new();
        for c in (0..COMMUNITIES).filter(|c| scope[*c]) {
            let here: Vec<usize> = (0..subs.len()).filter(|i| subs[*i].0 == c).collect();
            let orgs_of = |v: usize| orgs(subs, here.iter().copied().filter(|i| subs[*i].1 == v));
            let (big, small): (Vec<usize>, Vec<usize>) =
                here.iter().partition(|i| orgs_of(subs[**i].1) >= k);
            if key == OTHER {
                if orgs(subs, small.iter().copied()) >= k {
                    out.extend(small);
                }
            } else {
                out.extend(
                    big.into_iter()
                        .filter(|i| format!("v{}", subs[*i].1) == key),
                );
            }
        }
        out
    }

    fn orgs(subs: &[Sub], which: impl IntoIterator<Item = usize>) -> usize {
        which
            .into_iter()
            .map(|i| subs[i].2)
            .collect::<BTreeSet<_>>()
            .len()
    }

    proptest! {
        /// No figure, and no difference between a caller's figure and a
        /// narrower caller's figure for the same key, rests on fewer than
        /// k organizations.
        #[test]
        fn fewer_than_k_organizations_never_show(
            subs in prop::collection::vec((0..COMMUNITIES, 0..4usize, 0..8usize), 0..40),
            k in 2..4usize,
        ) {
            let scopes: Vec<Vec<bool>> = (0..(1 << COMMUNITIES))
                .map(|m: usize| (0..COMMUNITIES).map(|c| m & (1 << c) != 0).collect())
                .collect();
            for wide in &scopes {
                let shown_wide = shown(&subs, wide, k);
                for f in &shown_wide {
                    let b = behind(&subs, wide, &f.key, k);
                    prop_assert_eq!(b.len(), f.count, "figure {} for {:?}", f.key, wide);
                    prop_assert!(orgs(&subs, b.iter().copied()) >= k, "figure {} rests on too few orgs", f.key);
                }
                // Every narrower caller (a subset of the communities).
                for narrow in scopes.iter().filter(|n| n.iter().zip(wide).all(|(a, b)| !*a || *b)) {
                    for f in &shown_wide {
                        let diff: Vec<usize> = behind(&subs, wide, &f.key, k)
                            .difference(&behind(&subs, narrow, &f.key, k))
                            .copied()
                            .collect();
                        let n = shown(&subs, narrow, k)
                            .iter()
                            .find(|g| g.key == f.key)
                            .map_or(0, |g| g.count);
                        prop_assert_eq!(f.count - n, diff.len());
                        prop_assert!(
                            diff.is_empty() || orgs(&subs, diff.iter().copied()) >= k,
                            "{} differs by a set of fewer than {} orgs between {:?} and {:?}",
                            f.key, k, wide, narrow
                        );
                    }
                }
            }
        }
    }
}
