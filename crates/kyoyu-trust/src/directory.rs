//! A snapshot of who is who: organizations, communities, memberships, and
//! the supplier relation derived from supplier circles.

use crate::model::{Community, CommunityKind, MemberRole, Membership, Org};
use std::collections::{BTreeMap, BTreeSet};

/// Everything the policy needs to know about the members, indexed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directory {
    orgs: BTreeMap<String, Org>,
    communities: BTreeMap<String, Community>,
    members: BTreeMap<String, BTreeMap<String, MemberRole>>,
    /// supplier → the operators whose circle it is in.
    clients: BTreeMap<String, BTreeSet<String>>,
}

impl Directory {
    /// Builds the indexes. Memberships naming unknown organizations or
    /// communities are kept out (they grant nothing).
    pub fn new(orgs: Vec<Org>, communities: Vec<Community>, memberships: Vec<Membership>) -> Self {
        let orgs: BTreeMap<_, _> = orgs.into_iter().map(|o| (o.id.clone(), o)).collect();
        let communities: BTreeMap<_, _> =
            communities.into_iter().map(|c| (c.id.clone(), c)).collect();
        let mut members: BTreeMap<String, BTreeMap<String, MemberRole>> = BTreeMap::new();
        let mut clients: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for m in memberships {
            let Some(c) = communities.get(&m.community) else {
                continue;
            };
            if !orgs.contains_key(&m.org) {
                continue;
            }
            if c.kind == CommunityKind::SupplierCircle
                && let Some(owner) = &c.owner
                && *owner != m.org
            {
                clients
                    .entry(m.org.clone())
                    .or_default()
                    .insert(owner.clone());
            }
            members
                .entry(m.community)
                .or_default()
                .insert(m.org, m.role);
        }
        Self {
            orgs,
            communities,
            members,
            clients,
        }
    }

    /// An organization.
    pub fn org(&self, id: &str) -> Option<&Org> {
        self.orgs.get(id)
    }

    /// A community.
    pub fn community(&self, id: &str) -> Option<&Community> {
        self.communities.get(id)
    }

    /// Every organization, by id.
    pub fn orgs(&self) -> impl Iterator<Item = &Org> {
        self.orgs.values()
    }

    /// Every community, by id.
    pub fn communities(&self) -> impl Iterator<Item = &Community> {
        self.communities.values()
    }

    /// An organization's standing in a community.
    pub fn membership(&self, community: &str, org: &str) -> Option<MemberRole> {
        self.members.get(community)?.get(org).copied()
    }

    /// A community's members and their standing, by organization id.
    pub fn members(&self, community: &str) -> impl Iterator<Item = (&str, MemberRole)> {
        self.members
            .get(community)
            .into_iter()
            .flat_map(|m| m.iter().map(|(o, r)| (o.as_str(), *r)))
    }

    /// The communities an organization belongs to, with its standing.
    pub fn memberships_of<'a>(
        &'a self,
        org: &'a str,
    ) -> impl Iterator<Item = (&'a str, MemberRole)> + 'a {
        self.members
            .iter()
            .filter_map(move |(c, m)| m.get(org).map(|r| (c.as_str(), *r)))
    }

    /// The operators whose supplier circle `supplier` is in.
    pub fn clients_of(&self, supplier: &str) -> impl Iterator<Item = &str> {
        self.clients
            .get(supplier)
            .into_iter()
            .flat_map(|s| s.iter().map(String::as_str))
    }

    /// Every membership, for listings.
    pub fn memberships(&self) -> Vec<Membership> {
        self.members
            .iter()
            .flat_map(|(c, m)| {
                m.iter().map(|(o, r)| Membership {
                    community: c.clone(),
                    org: o.clone(),
                    role: *r,
                })
            })
            .collect()
    }
}
