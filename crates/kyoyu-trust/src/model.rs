//! Who is who: organizations, communities, memberships and principals.

use crate::net::Cidr;
use kyoyu_stix::tlp::Tlp;
use serde::{Deserialize, Serialize};

/// What an organization is in the national model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum OrgKind {
    /// A critical-infrastructure operator.
    Operator,
    /// A sector's sharing and analysis body.
    Ceptoar,
    /// The cross-sector council of CEPTOARs.
    CeptoarCouncil,
    /// A competent ministry.
    Ministry,
    /// The national centre (the NISC role).
    NationalCentre,
    /// A supplier or outsourcer of operators.
    Supplier,
    /// A research institution or university.
    Research,
    /// A foreign ISAC or national CERT.
    OverseasPartner,
    /// The hub itself.
    Hub,
}

impl OrgKind {
    /// Every kind, in the order of the documentation.
    pub const ALL: [Self; 9] = [
        Self::Operator,
        Self::Ceptoar,
        Self::CeptoarCouncil,
        Self::Ministry,
        Self::NationalCentre,
        Self::Supplier,
        Self::Research,
        Self::OverseasPartner,
        Self::Hub,
    ];

    /// The wire name (`operator`, `national-centre`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Operator => "operator",
            Self::Ceptoar => "ceptoar",
            Self::CeptoarCouncil => "ceptoar-council",
            Self::Ministry => "ministry",
            Self::NationalCentre => "national-centre",
            Self::Supplier => "supplier",
            Self::Research => "research",
            Self::OverseasPartner => "overseas-partner",
            Self::Hub => "hub",
        }
    }

    /// The kind in a sentence, with its article: "an operator", "the
    /// national centre".
    pub fn noun(self) -> &'static str {
        match self {
            Self::Operator => "an operator",
            Self::Ceptoar => "a CEPTOAR",
            Self::CeptoarCouncil => "the CEPTOAR Council",
            Self::Ministry => "a ministry",
            Self::NationalCentre => "the national centre",
            Self::Supplier => "a supplier",
            Self::Research => "a research institution",
            Self::OverseasPartner => "an overseas partner",
            Self::Hub => "the hub",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// What a principal (a user or service account, through its token) may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Reads and writes what its organization may.
    Member,
    /// Reads what its organization may read and never writes: no posts,
    /// submissions, reviews or deletions, whatever the token's read-only
    /// flag says. For analysts and the organization's SIEM or analytics
    /// feeds, whose tokens should not be able to change anything.
    Analyst,
    /// As member, and manages the communities its organization administers.
    CommunityAdmin,
    /// A ministry's liaison (organization kind `ministry`).
    MinistryLiaison,
    /// A national-centre officer (organization kind `national-centre`).
    NationalCentreOfficer,
    /// Administers the hub (organization kind `hub`): every change and every
    /// read, all audited.
    HubAdmin,
}

impl Role {
    /// Whether the role never writes (its tokens are read-only by role).
    pub fn reads_only(self) -> bool {
        self == Self::Analyst
    }

    /// Every role.
    pub const ALL: [Self; 6] = [
        Self::Member,
        Self::Analyst,
        Self::CommunityAdmin,
        Self::MinistryLiaison,
        Self::NationalCentreOfficer,
        Self::HubAdmin,
    ];

    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Analyst => "analyst",
            Self::CommunityAdmin => "community-admin",
            Self::MinistryLiaison => "ministry-liaison",
            Self::NationalCentreOfficer => "national-centre-officer",
            Self::HubAdmin => "hub-admin",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.name() == s)
    }

    /// Why this role cannot be given to a principal of an organization of
    /// this kind, if it cannot.
    pub fn refused_for(self, kind: OrgKind) -> Option<Problem> {
        let needs = match self {
            Self::MinistryLiaison => OrgKind::Ministry,
            Self::NationalCentreOfficer => OrgKind::NationalCentre,
            Self::HubAdmin => OrgKind::Hub,
            Self::Member | Self::Analyst | Self::CommunityAdmin => return None,
        };
        (kind != needs).then(|| {
            Problem::new(
                "token.role_for_kind",
                &[
                    ("role", &self.name()),
                    ("needs", &needs.name()),
                    ("kind", &kind.name()),
                ],
            )
        })
    }
}

/// A contact person or desk of an organization.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name or desk.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// E-mail address.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    /// Telephone number.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub phone: String,
}

/// A member organization.
///
/// `domains`, `ip_ranges`, `aliases`, `asns` and `staff` identify the
/// organization; the concealment stages scrub them from what it submits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Org {
    /// Stable identifier (lower-case letters, digits and `-`).
    pub id: String,
    /// Kind.
    pub kind: OrgKind,
    /// Name in English (or the organization's own language).
    pub name: String,
    /// Name in Japanese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_ja: Option<String>,
    /// Sector ids (operators, CEPTOARs, ministries).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// ISO 3166-1 alpha-2 country code (the hub's own, from its data
    /// files, when registered without one).
    #[serde(default)]
    pub country: String,
    /// Contacts.
    #[serde(default)]
    pub contacts: Vec<Contact>,
    /// Internet domains it owns.
    #[serde(default)]
    pub domains: Vec<String>,
    /// Address ranges it owns (CIDR).
    #[serde(default)]
    pub ip_ranges: Vec<String>,
    /// Other names and brands.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Autonomous system numbers.
    #[serde(default)]
    pub asns: Vec<u32>,
    /// Staff names (for scrubbing).
    #[serde(default)]
    pub staff: Vec<String>,
    /// Its host-naming schemes, as regular expressions (`ep-[a-z]+-\d+`),
    /// for host names outside its domains.
    #[serde(default)]
    pub host_patterns: Vec<String>,
}

impl Org {
    /// An organization with its id, kind, name and country, and nothing
    /// else recorded yet (no sectors, contacts or identifying data).
    pub fn new(id: &str, kind: OrgKind, name: &str, country: &str) -> Self {
        Self {
            id: id.to_owned(),
            kind,
            name: name.to_owned(),
            name_ja: None,
            sectors: Vec::new(),
            country: country.to_owned(),
            contacts: Vec::new(),
            domains: Vec::new(),
            ip_ranges: Vec::new(),
            aliases: Vec::new(),
            asns: Vec::new(),
            staff: Vec::new(),
            host_patterns: Vec::new(),
        }
    }
}

/// What a community is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CommunityKind {
    /// One sector's operators (its CEPTOAR's members).
    Sector,
    /// The CEPTOAR Council.
    CeptoarCouncil,
    /// A cross-sector IoT group.
    Iot,
    /// All members.
    National,
    /// An operator's suppliers and outsourcers.
    SupplierCircle,
    /// Overseas partners.
    Overseas,
    /// Any other group.
    Custom,
}

impl CommunityKind {
    /// Every kind.
    pub const ALL: [Self; 7] = [
        Self::Sector,
        Self::CeptoarCouncil,
        Self::Iot,
        Self::National,
        Self::SupplierCircle,
        Self::Overseas,
        Self::Custom,
    ];

    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sector => "sector",
            Self::CeptoarCouncil => "ceptoar-council",
            Self::Iot => "iot",
            Self::National => "national",
            Self::SupplierCircle => "supplier-circle",
            Self::Overseas => "overseas",
            Self::Custom => "custom",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == s)
    }
}

/// How far content may travel beyond this hub (MISP's distribution levels);
/// federation respects it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Distribution {
    /// Never leaves the contributing organization.
    Organization,
    /// This community on this hub only.
    Community,
    /// Also the communities and hubs connected to it.
    Connected,
    /// Anywhere.
    All,
}

/// A sharing community; it owns one TAXII collection whose alias is its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Community {
    /// Stable identifier, e.g. `sector-electricity`.
    pub id: String,
    /// Kind.
    pub kind: CommunityKind,
    /// Name in English.
    pub name: String,
    /// Name in Japanese.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_ja: Option<String>,
    /// The sector (sector communities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sector: Option<String>,
    /// The operator whose circle this is (supplier circles).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The level assumed for content without a known TLP marking (never CLEAR).
    #[serde(with = "tlp_name")]
    pub default_tlp: Tlp,
    /// How far federation may carry its content.
    pub distribution: Distribution,
    /// Communities whose members may read this one's TLP:CLEAR content.
    #[serde(default)]
    pub connected: Vec<String>,
    /// Concealed submissions in which no doubt was found go without a
    /// reviewer (by default every one waits for a reviewer).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub release_without_review: bool,
}

/// A membership's standing in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "kebab-case")]
pub enum MemberRole {
    /// Reads community content up to TLP:GREEN, and what names it; may post
    /// (ministries and the national centre overseeing a sector).
    Observer,
    /// A recipient of everything shared with the community.
    Member,
    /// A member who also manages the membership.
    CommunityAdmin,
}

impl MemberRole {
    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Observer => "observer",
            Self::Member => "member",
            Self::CommunityAdmin => "community-admin",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Observer, Self::Member, Self::CommunityAdmin]
            .into_iter()
            .find(|r| r.name() == s)
    }

    /// Members and admins are recipients; observers are not.
    pub fn is_recipient(self) -> bool {
        self != Self::Observer
    }
}

/// One organization's membership in one community.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Membership {
    /// Community id.
    pub community: String,
    /// Organization id.
    pub org: String,
    /// Standing.
    pub role: MemberRole,
}

/// Who is calling: the organization and role of the presented token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// Organization id.
    pub org: String,
    /// Role.
    pub role: Role,
    /// Read-only tokens never write.
    pub read_only: bool,
}

/// Whether `s` is a usable identifier: 2–64 of `a-z`, `0-9`, `-`, starting
/// with a letter or digit.
pub fn valid_id(s: &str) -> bool {
    (2..=64).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

impl Org {
    /// The problems that make this organization unusable, each a key of the
    /// core's message catalogue (`org.*`) with its arguments, so a person is
    /// told what to fix in their language (empty when it is fine). Sector ids
    /// are checked against the directory elsewhere.
    pub fn problems(&self) -> Vec<Problem> {
        let mut out = Vec::new();
        if !valid_id(&self.id) {
            out.push(Problem::new("org.id_shape", &[("id", &self.id)]));
        }
        if self.name.trim().is_empty() {
            out.push(Problem::new("org.name_missing", &[]));
        }
        let texts = [
            ("name", Some(&self.name)),
            ("name_ja", self.name_ja.as_ref()),
        ];
        let lists = [("aliases", &self.aliases), ("staff", &self.staff)];
        let long = texts
            .into_iter()
            .filter_map(|(field, v)| v.map(|v| (field, v)))
            .chain(
                lists
                    .into_iter()
                    .flat_map(|(field, vs)| vs.iter().map(move |v| (field, v))),
            )
            .chain(self.contacts.iter().flat_map(|c| {
                [
                    ("contact name", &c.name),
                    ("contact email", &c.email),
                    ("contact phone", &c.phone),
                ]
            }));
        for (field, v) in long {
            let n = v.chars().count();
            if n > MAX_TEXT {
                out.push(Problem::new(
                    "org.text_long",
                    &[("field", &field), ("length", &n), ("max", &MAX_TEXT)],
                ));
            }
        }
        // Concealment finds names from two letters or digits: a shorter
        // alias or staff name would be registered and never found. (The
        // organization's own name is what it is called; its id, domains and
        // aliases are found besides.)
        let names = self
            .aliases
            .iter()
            .map(|a| ("alias", a))
            .chain(self.staff.iter().map(|a| ("staff name", a)));
        for (field, v) in names {
            if !v.trim().is_empty() && v.chars().filter(|c| c.is_alphanumeric()).count() < 2 {
                out.push(Problem::new(
                    "org.name_too_short",
                    &[("field", &field), ("name", v)],
                ));
            }
        }
        for c in &self.contacts {
            if !c.email.is_empty() && !looks_like_email(&c.email) {
                out.push(Problem::new("org.contact_email", &[("email", &c.email)]));
            }
        }
        if self.country.len() != 2 || !self.country.bytes().all(|b| b.is_ascii_uppercase()) {
            out.push(Problem::new("org.country", &[("country", &self.country)]));
        }
        for r in &self.ip_ranges {
            if let Err(e) = r.parse::<Cidr>() {
                out.push(Problem::new(
                    "org.ip_range",
                    &[("range", r), ("detail", &e)],
                ));
            }
        }
        for p in &self.host_patterns {
            if let Some(why) = host_pattern_problem(p) {
                out.push(why);
            }
        }
        for d in &self.domains {
            let ok = d.contains('.')
                && d.split('.').all(|l| {
                    !l.is_empty()
                        && l.len() <= 63
                        && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
            if !ok {
                out.push(Problem::new("org.domain", &[("domain", d)]));
            }
        }
        out
    }
}

/// What is wrong with a piece of the directory: a key of the core's message
/// catalogue and its named arguments (the wording lives there, in every
/// language the hub speaks).
pub use kyoyu_wire::text::Said as Problem;

/// The longest name, alias, staff entry or contact field, in characters.
pub const MAX_TEXT: usize = 200;

/// `local@domain.tld`, without spaces: enough to catch a typo, not a
/// full RFC 5322 parser.
pub fn looks_like_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && domain.split('.').all(|l| !l.is_empty())
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Why a host pattern cannot be used, if it cannot. The scrubber replaces
/// whatever a pattern matches in a submission, so one that matches the
/// empty string or any word would scrub everything.
fn host_pattern_problem(p: &str) -> Option<Problem> {
    if p.chars().count() > MAX_TEXT {
        return Some(Problem::new(
            "org.host_pattern_long",
            &[("length", &p.chars().count()), ("max", &MAX_TEXT)],
        ));
    }
    // Checked alone first, so that the wrapped forms below cannot be a
    // different expression (`a)|(b`).
    if let Err(e) = regex::Regex::new(p) {
        return Some(Problem::new(
            "org.host_pattern_regex",
            &[("pattern", &p), ("detail", &e)],
        ));
    }
    let whole = regex::Regex::new(&format!("^(?:{p})$")).ok()?;
    if whole.is_match("") {
        return Some(Problem::new("org.host_pattern_empty", &[("pattern", &p)]));
    }
    let within = regex::Regex::new(&format!("(?i)(?:{p})")).ok()?;
    if ["a", "q", "report", "Indicator"]
        .iter()
        .all(|w| within.is_match(w))
    {
        return Some(Problem::new("org.host_pattern_any", &[("pattern", &p)]));
    }
    None
}

/// Serde for a TLP level as its name (`amber+strict`).
pub mod tlp_name {
    use kyoyu_stix::tlp::Tlp;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the name.
    pub fn serialize<S: Serializer>(t: &Tlp, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(t.name())
    }

    /// Reads a name.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Tlp, D::Error> {
        let s = String::deserialize(d)?;
        Tlp::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{s}' is not a TLP level: use clear, green, amber, amber+strict or red"
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_too_short_to_find_is_refused() {
        let mut org = Org::new("example-power", OrgKind::Operator, "Example Power", "JP");
        org.aliases = vec!["EP".into(), "X".into()];
        org.staff = vec!["李".into()];
        let problems = org.problems();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().any(|p| p.key == "org.name_too_short"
            && p.arg("field") == Some("alias")
            && p.arg("name") == Some("X")));
        assert!(problems.iter().any(|p| p.key == "org.name_too_short"
            && p.arg("field") == Some("staff name")
            && p.arg("name") == Some("李")));
    }
}
