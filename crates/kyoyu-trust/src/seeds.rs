//! The data files a hub starts from: sectors, ministries and the standing
//! communities (`data/*.toml`). They vary by country, so they are data,
//! not code; a hub can be started on its own copies (`--rules DIR`).

use crate::model::{Community, CommunityKind, Distribution, MemberRole, Org, OrgKind};
use kyoyu_stix::tlp::Tlp;
use serde::{Deserialize, Serialize};

/// The sectors file shipped with the hub.
pub const SECTORS_TOML: &str = include_str!("../data/sectors.toml");
/// The communities file shipped with the hub.
pub const COMMUNITIES_TOML: &str = include_str!("../data/communities.toml");

/// A critical-infrastructure sector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sector {
    /// Stable id, e.g. `electricity`.
    pub id: String,
    /// English name.
    pub name: String,
    /// Japanese name.
    pub name_ja: String,
    /// The competent ministry's organization id.
    pub ministry: String,
    /// Remarks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MinistryRow {
    id: String,
    name: String,
    name_ja: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SectorsFile {
    /// The country these sectors and ministries belong to (ISO 3166-1 alpha-2).
    country: String,
    sector: Vec<Sector>,
    #[serde(default)]
    ministry: Vec<MinistryRow>,
}

/// A standing community and which organization kinds join it on creation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommunityRow {
    id: String,
    kind: CommunityKind,
    name: String,
    name_ja: Option<String>,
    #[serde(with = "crate::model::tlp_name")]
    default_tlp: Tlp,
    distribution: Distribution,
    #[serde(default)]
    members: Vec<OrgKind>,
    #[serde(default)]
    admins: Vec<OrgKind>,
    #[serde(default)]
    observers: Vec<OrgKind>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CommunitiesFile {
    community: Vec<CommunityRow>,
}

/// Which kinds of organization join a standing community, and how.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutoJoin {
    /// Join as members.
    pub members: Vec<OrgKind>,
    /// Join as community admins.
    pub admins: Vec<OrgKind>,
    /// Join as observers.
    pub observers: Vec<OrgKind>,
}

/// Everything the data files say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seeds {
    /// The hub's country (ISO 3166-1 alpha-2): its ministries', and any
    /// organization registered without one.
    pub country: String,
    /// Sectors.
    pub sectors: Vec<Sector>,
    /// Ministries, as organizations.
    pub ministries: Vec<Org>,
    /// Standing communities and who joins them.
    pub communities: Vec<(Community, AutoJoin)>,
}

impl Seeds {
    /// The files shipped with the hub.
    pub fn builtin() -> Result<Self, String> {
        Self::parse(SECTORS_TOML, COMMUNITIES_TOML)
    }

    /// Parses both files; errors name the file, line and what to fix.
    pub fn parse(sectors: &str, communities: &str) -> Result<Self, String> {
        let s: SectorsFile = toml::from_str(sectors).map_err(|e| format!("sectors.toml: {e}"))?;
        let c: CommunitiesFile =
            toml::from_str(communities).map_err(|e| format!("communities.toml: {e}"))?;
        let ministries: Vec<Org> = s
            .ministry
            .into_iter()
            .map(|m| Org {
                sectors: s
                    .sector
                    .iter()
                    .filter(|x| x.ministry == m.id)
                    .map(|x| x.id.clone())
                    .collect(),
                name_ja: Some(m.name_ja),
                ..Org::new(&m.id, OrgKind::Ministry, &m.name, &s.country)
            })
            .collect();
        if s.country.len() != 2 || !s.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "sectors.toml: country = '{}' must be an ISO 3166-1 alpha-2 code such as JP",
                s.country
            ));
        }
        for sector in &s.sector {
            if !crate::model::valid_id(&sector.id) {
                return Err(format!(
                    "sectors.toml: sector id '{}' must be 2-64 characters of a-z, 0-9 and '-'",
                    sector.id
                ));
            }
            if !ministries.iter().any(|m| m.id == sector.ministry) {
                return Err(format!(
                    "sectors.toml: sector '{}' names ministry '{}', which no [[ministry]] entry defines",
                    sector.id, sector.ministry
                ));
            }
        }
        let mut communities = Vec::new();
        for row in c.community {
            if row.default_tlp == Tlp::Clear {
                return Err(format!(
                    "communities.toml: community '{}' has default_tlp = \"clear\"; unmarked content must never be treated as CLEAR",
                    row.id
                ));
            }
            if !crate::model::valid_id(&row.id) {
                return Err(format!(
                    "communities.toml: community id '{}' must be 2-64 characters of a-z, 0-9 and '-'",
                    row.id
                ));
            }
            communities.push((
                Community {
                    id: row.id,
                    kind: row.kind,
                    name: row.name,
                    name_ja: row.name_ja,
                    sector: None,
                    owner: None,
                    default_tlp: row.default_tlp,
                    distribution: row.distribution,
                    connected: Vec::new(),
                    release_without_review: false,
                },
                AutoJoin {
                    members: row.members,
                    admins: row.admins,
                    observers: row.observers,
                },
            ));
        }
        for sector in &s.sector {
            communities.push((sector_community(sector), AutoJoin::default()));
        }
        Ok(Self {
            country: s.country,
            sectors: s.sector,
            ministries,
            communities,
        })
    }

    /// The sector with this id.
    pub fn sector(&self, id: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.id == id)
    }

    /// The memberships an organization gets when it is created: its
    /// sectors' communities (CEPTOARs administer them, ministries and the
    /// national centre observe), and the standing communities that list its
    /// kind. Community admins can change any of them afterwards.
    pub fn auto_memberships(&self, org: &Org) -> Vec<(String, MemberRole)> {
        let mut out = Vec::new();
        for (c, join) in &self.communities {
            let role = match c.kind {
                CommunityKind::Sector => {
                    let ours = c.sector.as_ref().is_some_and(|s| org.sectors.contains(s));
                    match org.kind {
                        OrgKind::Operator if ours => Some(MemberRole::Member),
                        OrgKind::Ceptoar if ours => Some(MemberRole::CommunityAdmin),
                        OrgKind::Ministry if ours => Some(MemberRole::Observer),
                        OrgKind::NationalCentre => Some(MemberRole::Observer),
                        _ => None,
                    }
                }
                _ => {
                    if join.admins.contains(&org.kind) {
                        Some(MemberRole::CommunityAdmin)
                    } else if join.members.contains(&org.kind) {
                        Some(MemberRole::Member)
                    } else if join.observers.contains(&org.kind) {
                        Some(MemberRole::Observer)
                    } else {
                        None
                    }
                }
            };
            if let Some(role) = role {
                out.push((c.id.clone(), role));
            }
        }
        out
    }
}

/// The community of a sector: `sector-<id>`.
pub fn sector_community(sector: &Sector) -> Community {
    Community {
        id: format!("sector-{}", sector.id),
        kind: CommunityKind::Sector,
        name: format!("{} sector", sector.name),
        name_ja: Some(format!("{}分野", sector.name_ja)),
        sector: Some(sector.id.clone()),
        owner: None,
        default_tlp: Tlp::Amber,
        distribution: Distribution::Community,
        connected: Vec::new(),
        release_without_review: false,
    }
}

/// The supplier circle of an operator: `suppliers-<operator>`, which the
/// operator administers and its suppliers join.
pub fn supplier_circle(operator: &Org) -> Community {
    Community {
        id: format!("suppliers-{}", operator.id),
        kind: CommunityKind::SupplierCircle,
        name: format!("Suppliers of {}", operator.name),
        name_ja: operator
            .name_ja
            .as_ref()
            .map(|n| format!("{n} サプライヤー")),
        sector: None,
        owner: Some(operator.id.clone()),
        default_tlp: Tlp::Amber,
        distribution: Distribution::Community,
        connected: Vec::new(),
        release_without_review: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_files_load() {
        let s = Seeds::builtin().unwrap();
        assert_eq!(s.sectors.len(), 15);
        assert_eq!(s.sector("electricity").unwrap().ministry, "meti");
        assert_eq!(s.sector("water").unwrap().name_ja, "水道");
        let meti = s.ministries.iter().find(|m| m.id == "meti").unwrap();
        assert!(meti.sectors.contains(&"gas".to_owned()));
        assert!(s.communities.iter().any(|(c, _)| c.id == "sector-ports"));
        assert!(s.communities.iter().any(|(c, _)| c.id == "national"));
        assert!(
            s.communities
                .iter()
                .all(|(c, _)| c.default_tlp != Tlp::Clear)
        );
    }

    #[test]
    fn errors_name_the_line() {
        let bad = "[[sector]]\nid = \"x1\"\nname = 3\n";
        let e = Seeds::parse(bad, COMMUNITIES_TOML).unwrap_err();
        assert!(e.starts_with("sectors.toml") && e.contains("line 3"), "{e}");
        let e = Seeds::parse(SECTORS_TOML, "[[community]]\nid = \"c\"\nkind = \"national\"\nname = \"n\"\ndefault_tlp = \"clear\"\ndistribution = \"all\"\n").unwrap_err();
        assert!(e.contains("never be treated as CLEAR"), "{e}");
    }

    #[test]
    fn operators_join_their_sector_and_the_nation() {
        let s = Seeds::builtin().unwrap();
        let mut op = s.ministries[0].clone();
        op.id = "op".into();
        op.kind = OrgKind::Operator;
        op.sectors = vec!["gas".into()];
        let joined = s.auto_memberships(&op);
        assert!(joined.contains(&("sector-gas".into(), MemberRole::Member)));
        assert!(joined.contains(&("national".into(), MemberRole::Member)));
        assert!(!joined.iter().any(|(c, _)| c == "sector-electricity"));
    }
}
