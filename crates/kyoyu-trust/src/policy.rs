//! The access policy: the one place that decides who may see, write and
//! administer what. Every read path (TAXII objects, manifest, versions and
//! status; the REST API; later streams, exports, search and analytics
//! counts) asks [`View::may_read`]; nothing else decides.
//!
//! | level (effective)  | who reads it in a community's collection |
//! |--------------------|------------------------------------------|
//! | CLEAR              | everyone with access to the collection: members, observers, suppliers of members, members of connected communities |
//! | GREEN              | members, observers, suppliers of members |
//! | AMBER              | the recipients (named ones, else every member); their suppliers too where the author opts in (`x_kyoyu_suppliers: true` on the object or its envelope) |
//! | AMBER+STRICT       | the recipients (named ones, else every member) only |
//! | RED                | named recipients only |
//!
//! TLP 2.0 lets AMBER go to the recipient organization and its clients; a
//! supplier is neither, so a supplier reads a member's AMBER only where the
//! author chose so. The choice is stored as [`SUPPLIERS`] in the version's
//! recipient list (never an organization id: those cannot hold '+').
//!
//! The contributing organization always sees what it wrote, and hub
//! admins see everything (each such read of AMBER or above is audited).
//! TLP 1.0 levels count as their TLP 2.0 equivalents. An object with no
//! TLP marking, or only markings the hub does not know, counts as the
//! community's default level, which is never CLEAR. Granular markings are
//! not redacted: the object counts at the strictest level any part of it
//! carries, so it is withheld whole from whoever may not see that part
//! (redacting would change the object under its id and version).

use crate::directory::Directory;
use crate::model::{Community, MemberRole, Principal, Role};
use kyoyu_stix::tlp::Tlp;
use serde_json::Value;

/// The property that names an object's recipient organizations.
pub const RECIPIENTS_PROPERTY: &str = "x_kyoyu_recipients";

/// The property (on an object, or on its envelope for every object that
/// does not say) by which an author lets AMBER reach the recipients'
/// suppliers.
pub const SUPPLIERS_PROPERTY: &str = "x_kyoyu_suppliers";

/// The entry of a stored recipient list that records the author's opt-in
/// ([`SUPPLIERS_PROPERTY`]); it names no organization.
pub const SUPPLIERS: &str = "+suppliers";

/// What the policy needs to know about one stored object version.
#[derive(Debug, Clone, Copy)]
pub struct Access<'a> {
    /// The strictest TLP level it carries, if it carries a known one.
    pub tlp: Option<Tlp>,
    /// Recipient organizations named on the object or its envelope.
    pub recipients: &'a [String],
    /// The organization that contributed it.
    pub author: &'a str,
}

/// The marking facts of an object: its strictest known TLP level (object
/// and granular markings; TLP 1.0 mapped to 2.0) and its named recipients
/// (the object's own list, else the envelope's), with [`SUPPLIERS`] added
/// when the object opts in ([`SUPPLIERS_PROPERTY`]).
pub fn marking_of(object: &Value, envelope_recipients: &[String]) -> (Option<Tlp>, Vec<String>) {
    marking_in(object, envelope_recipients, false)
}

/// [`marking_of`] for an object posted in an envelope: the envelope's
/// [`SUPPLIERS_PROPERTY`] (`envelope_suppliers`) counts for an object that
/// does not say.
pub fn marking_in(
    object: &Value,
    envelope_recipients: &[String],
    envelope_suppliers: bool,
) -> (Option<Tlp>, Vec<String>) {
    let mut level: Option<Tlp> = None;
    let mut note = |id: &str| {
        if let Some(t) = Tlp::from_marking_id(id) {
            level = Some(level.map_or(t, |l| l.max(t)));
        }
    };
    if let Some(refs) = object.get("object_marking_refs").and_then(Value::as_array) {
        refs.iter().filter_map(Value::as_str).for_each(&mut note);
    }
    if let Some(granular) = object.get("granular_markings").and_then(Value::as_array) {
        granular
            .iter()
            .filter_map(|g| g.get("marking_ref").and_then(Value::as_str))
            .for_each(&mut note);
    }
    let own: Option<Vec<String>> = object
        .get(RECIPIENTS_PROPERTY)
        .and_then(Value::as_array)
        .map(|a| distinct(a.iter().filter_map(Value::as_str)));
    let mut recipients: Vec<String> = own
        .unwrap_or_else(|| envelope_recipients.to_vec())
        .into_iter()
        .filter(|r| r != SUPPLIERS)
        .collect();
    let suppliers = object
        .get(SUPPLIERS_PROPERTY)
        .and_then(Value::as_bool)
        .unwrap_or(envelope_suppliers);
    if suppliers {
        recipients.push(SUPPLIERS.to_owned());
    }
    (level, recipients)
}

/// The expiry and allow-list of a token minted by a token with `minter`'s
/// limits: never wider. What is not asked for is inherited (a restricted
/// administrator's members are restricted alike); what is asked for must
/// lie within. Expiries are in microseconds since the epoch.
pub fn minted_limits(
    minter: (Option<i64>, &[String]),
    asked: (Option<i64>, Vec<String>),
) -> Result<(Option<i64>, Vec<String>), crate::model::Problem> {
    use crate::model::Problem;
    let (m_expires, m_allow) = minter;
    let (expires, allow) = asked;
    let expires = match (m_expires, expires) {
        (Some(m), Some(e)) if e > m => {
            return Err(Problem::new("token.outlives_issuer", &[]));
        }
        (Some(m), None) => Some(m),
        (_, e) => e,
    };
    if m_allow.is_empty() {
        return Ok((expires, allow));
    }
    if allow.is_empty() {
        return Ok((expires, m_allow.to_vec()));
    }
    let outer: Vec<crate::net::Cidr> = m_allow.iter().filter_map(|c| c.parse().ok()).collect();
    for a in &allow {
        let inner: crate::net::Cidr = a
            .parse()
            .map_err(|e| Problem::new("token.ip_allow", &[("entry", a), ("detail", &e)]))?;
        if !outer.iter().any(|o| inner.within(o)) {
            return Err(Problem::new(
                "token.outside_issuer",
                &[("entry", a), ("allowed", &m_allow.join(", "))],
            ));
        }
    }
    Ok((expires, allow))
}

/// The most recipients one object (or envelope) may name, after duplicates
/// are dropped. TLP:RED is for named people and organizations; sharing
/// wider is what communities are for.
pub const MAX_RECIPIENTS: usize = 256;

/// Recipient ids without repeats, in the order first named.
pub fn distinct<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter()
        .filter(|id| seen.insert(*id))
        .map(str::to_owned)
        .collect()
}

/// One caller's standing towards one community, computed once per request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    org: String,
    hub_admin: bool,
    read_only: bool,
    exists: bool,
    membership: Option<MemberRole>,
    /// A supplier of at least one recipient member.
    supplies_member: bool,
    /// A member of a connected community.
    guest: bool,
    /// The operators this caller supplies.
    clients: Vec<String>,
    default_tlp: Tlp,
}

impl View {
    /// `principal`'s view of `community` (which need not exist: then it sees nothing).
    pub fn of(dir: &Directory, principal: &Principal, community: &str) -> Self {
        let c: Option<&Community> = dir.community(community);
        let org = principal.org.as_str();
        let known_org = dir.org(org).is_some();
        let clients: Vec<String> = dir.clients_of(org).map(str::to_owned).collect();
        let supplies_member = dir
            .members(community)
            .any(|(m, r)| r.is_recipient() && clients.iter().any(|c| c == m));
        let guest = c.is_some_and(|c| {
            c.connected
                .iter()
                .any(|other| dir.membership(other, org).is_some())
        });
        Self {
            org: principal.org.clone(),
            hub_admin: principal.role == Role::HubAdmin,
            read_only: principal.read_only,
            exists: c.is_some() && known_org,
            membership: dir.membership(community, org),
            supplies_member,
            guest,
            clients,
            default_tlp: c.map_or(Tlp::Red, |c| c.default_tlp),
        }
    }

    /// Whether the collection is visible at all (TAXII `can_read`).
    pub fn can_read(&self) -> bool {
        self.hub_admin
            || (self.exists && (self.membership.is_some() || self.supplies_member || self.guest))
    }

    /// TAXII `can_write`: members, admins and observers, with a token that is not read-only.
    pub fn can_write(&self) -> bool {
        !self.read_only && (self.hub_admin || (self.exists && self.membership.is_some()))
    }

    /// The level an object counts at here.
    pub fn effective(&self, tlp: Option<Tlp>) -> Tlp {
        tlp.unwrap_or(self.default_tlp)
    }

    /// Whether this caller may read this object version. The rules are the
    /// table in the module documentation.
    pub fn may_read(&self, a: &Access<'_>) -> bool {
        if self.hub_admin || (self.exists && a.author == self.org) {
            return true;
        }
        if !self.can_read() {
            return false;
        }
        let member = self.membership.is_some_and(MemberRole::is_recipient);
        let named = a.recipients.contains(&self.org);
        let to_suppliers = a.recipients.iter().any(|r| r == SUPPLIERS);
        let client_named = a
            .recipients
            .iter()
            .any(|r| self.clients.iter().any(|c| c == r));
        let open_list = a.recipients.iter().all(|r| r == SUPPLIERS);
        match self.effective(a.tlp) {
            Tlp::Clear => true,
            Tlp::Green => self.membership.is_some() || self.supplies_member,
            Tlp::Amber => {
                if open_list {
                    member || (to_suppliers && self.supplies_member)
                } else {
                    named || (to_suppliers && client_named)
                }
            }
            Tlp::AmberStrict => {
                if open_list {
                    member
                } else {
                    named
                }
            }
            Tlp::Red => named,
        }
    }

    /// Whether reading this object must be written to the audit trail
    /// (AMBER, AMBER+STRICT and RED content).
    pub fn read_is_audited(&self, tlp: Option<Tlp>) -> bool {
        self.effective(tlp) >= Tlp::Amber
    }

    /// Whether this caller may delete a version contributed by `author`:
    /// the contributor itself, the community's admins and hub admins, with
    /// a token that may write.
    pub fn may_delete(&self, author: &str) -> bool {
        self.can_write()
            && (self.hub_admin
                || self.membership == Some(MemberRole::CommunityAdmin)
                || author == self.org)
    }

    /// The caller's organization.
    pub fn org(&self) -> &str {
        &self.org
    }
}

/// Whether `principal` may change organizations, communities and every
/// membership (hub admins).
pub fn may_administer_hub(principal: &Principal) -> bool {
    principal.role == Role::HubAdmin && !principal.read_only
}

/// Whether `principal` may manage the membership of `community`: hub
/// admins, and community admins (or national-centre officers) of an
/// organization that administers it.
pub fn may_manage_community(dir: &Directory, principal: &Principal, community: &str) -> bool {
    if principal.read_only {
        return false;
    }
    may_administer_hub(principal)
        || (matches!(
            principal.role,
            Role::CommunityAdmin | Role::NationalCentreOfficer
        ) && dir.membership(community, &principal.org) == Some(MemberRole::CommunityAdmin))
}

/// Whether `principal` may issue a token for `org` with `role`: hub admins
/// any; an organization's community admins, ministry liaisons and
/// national-centre officers may issue member and analyst tokens for their
/// own organization (service accounts).
pub fn may_issue_token(principal: &Principal, org: &str, role: Role) -> bool {
    if may_administer_hub(principal) {
        return true;
    }
    !principal.read_only
        && principal.org == org
        && matches!(role, Role::Member | Role::Analyst)
        && matches!(
            principal.role,
            Role::CommunityAdmin | Role::MinistryLiaison | Role::NationalCentreOfficer
        )
}

/// Whether a person with `role` must sign in to the console with a second
/// factor (TOTP): everyone who can change what others see or read the
/// whole trail. Optional for members and analysts.
pub fn needs_second_factor(role: Role) -> bool {
    matches!(
        role,
        Role::HubAdmin | Role::NationalCentreOfficer | Role::MinistryLiaison | Role::CommunityAdmin
    )
}

/// Whether `principal` may create, list, disable or reset the console users
/// of `org` with `role`: the same rule as for issuing its tokens (hub
/// admins any; an organization's admins, liaisons and officers its members
/// and analysts).
pub fn may_manage_users(principal: &Principal, org: &str, role: Role) -> bool {
    may_issue_token(principal, org, role)
}

/// Whether `principal` may read the audit trail (hub admins and
/// national-centre officers).
pub fn may_read_audit(principal: &Principal) -> bool {
    matches!(principal.role, Role::HubAdmin | Role::NationalCentreOfficer)
}

/// Whether `principal` may list the tokens of `org`: hub admins any
/// organization's; within an organization, those who may issue its tokens
/// (its community admins, ministry liaisons and national-centre officers).
/// Everyone sees its own token (the caller handles that).
pub fn may_list_tokens(principal: &Principal, org: &str) -> bool {
    may_issue_token(principal, org, Role::Member) || (principal.role == Role::HubAdmin)
}

/// Whether `principal` may review the concealed submissions to
/// `community`: its admins (as for membership), national-centre officers
/// and hub admins, with a token that may write. What each reviewer is shown
/// is still decided by [`View::may_read`] at the submission's level.
pub fn may_review(dir: &Directory, principal: &Principal, community: &str) -> bool {
    !principal.read_only
        && (matches!(principal.role, Role::NationalCentreOfficer | Role::HubAdmin)
            || may_manage_community(dir, principal, community))
}

/// How a principal sees an incident report, if at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentSight {
    /// A person of the filing organization: everything, drafts too.
    Filer,
    /// A liaison of the competent ministry the report is routed to, once
    /// filed (never a draft).
    Ministry,
    /// A national-centre officer, once the ministry forwarded it; without
    /// attribution the filer is withheld.
    Centre {
        /// Whether the officer sees who filed it.
        attributed: bool,
    },
}

/// Who sees an incident filed by `filer`, routed to `ministry`, `filed`
/// (not a draft), forwarded to the national centre (`Some(attributed)`) or
/// not. Nobody else does: not other operators, not other ministries, not
/// hub admins (who run the hub, not its reports).
pub fn incident_sight(
    principal: &Principal,
    filer: &str,
    ministry: Option<&str>,
    filed: bool,
    forwarded: Option<bool>,
) -> Option<IncidentSight> {
    if principal.org == filer {
        return Some(IncidentSight::Filer);
    }
    match principal.role {
        Role::MinistryLiaison if filed && ministry == Some(principal.org.as_str()) => {
            Some(IncidentSight::Ministry)
        }
        Role::NationalCentreOfficer => {
            forwarded.map(|attributed| IncidentSight::Centre { attributed })
        }
        _ => None,
    }
}

/// Whether `principal` may fetch sealed provenance (to reveal a source
/// with the escrow shares): national-centre officers and hub admins.
pub fn may_fetch_sealed(principal: &Principal) -> bool {
    matches!(principal.role, Role::NationalCentreOfficer | Role::HubAdmin)
}

/// Whether `principal` may set where `org`'s deadline reminders are posted:
/// the organization's own admins (community admins, liaisons, officers),
/// not the hub's administrators — a reminder names the incident, which the
/// hub's administrators may not read.
pub fn may_manage_reminder_webhook(principal: &Principal, org: &str) -> bool {
    !principal.read_only
        && principal.org == org
        && matches!(
            principal.role,
            Role::CommunityAdmin | Role::MinistryLiaison | Role::NationalCentreOfficer
        )
}

/// Whether a trail reader who is not a hub admin has the acting
/// organization of an entry withheld (its target and detail too): entries of the
/// reporting workflow (incidents, hotline calls, recommendations) by
/// another organization. An incident forwarded without attribution must
/// not be traced back to its filer through the trail.
pub fn audit_actor_withheld(action: &str, actor_org: &str, reader_org: &str) -> bool {
    let workflow = ["incident.", "incidents.", "hotline.", "recommendation"]
        .iter()
        .any(|p| action.starts_with(p));
    workflow && actor_org != reader_org
}

/// Whether `principal` may read audit entries whole: hub admins. Others
/// allowed to read the trail ([`may_read_audit`]) get entries whose
/// objects they may not read, and identifying data, withheld.
pub fn may_read_audit_whole(principal: &Principal) -> bool {
    principal.role == Role::HubAdmin
}

/// Whether `principal` may see the hub-wide operational figures
/// (`/metrics`: request counts, stored versions): hub admins.
pub fn may_see_metrics(principal: &Principal) -> bool {
    principal.role == Role::HubAdmin
}

/// Whether `principal` may see an organization's identifying data
/// (domains, ranges, aliases, ASNs, staff, contacts, host patterns): hub
/// admins and the organization itself. Everyone else sees its id, kind,
/// names, sectors and country.
pub fn may_see_identifying(principal: &Principal, org: &str) -> bool {
    principal.role == Role::HubAdmin || principal.org == org
}

/// Whether `principal` may see a status resource created by `owner`.
pub fn may_see_status(principal: &Principal, owner: &str) -> bool {
    principal.role == Role::HubAdmin || principal.org == owner
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn workflow_entries_of_others_come_without_their_actor() {
        for action in [
            "incident.file",
            "incident.report",
            "incidents.read",
            "hotline.raise",
            "recommendation.send",
            "recommendations.read",
        ] {
            assert!(audit_actor_withheld(action, "elec-a", "nisc"), "{action}");
            assert!(!audit_actor_withheld(action, "nisc", "nisc"), "{action}");
        }
        for action in ["objects.add", "org.create", "token.create", "member.set"] {
            assert!(!audit_actor_withheld(action, "elec-a", "nisc"), "{action}");
        }
    }

    #[test]
    fn marking_of_takes_the_strictest_and_maps_tlp1() {
        let tlp1_amber = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
        let green = Tlp::Green.marking_id();
        let red = Tlp::Red.marking_id();
        let o = json!({"object_marking_refs": [green, tlp1_amber]});
        assert_eq!(marking_of(&o, &[]).0, Some(Tlp::Amber));
        let o = json!({"object_marking_refs": [green],
            "granular_markings": [{"marking_ref": red, "selectors": ["description"]}]});
        assert_eq!(marking_of(&o, &[]).0, Some(Tlp::Red));
        let o = json!({"object_marking_refs": ["marking-definition--00000000-0000-4000-8000-000000000000"]});
        assert_eq!(
            marking_of(&o, &[]).0,
            None,
            "unknown markings leave it to the default"
        );
        let envelope = vec!["a".to_owned()];
        assert_eq!(marking_of(&json!({}), &envelope).1, envelope);
        let o = json!({RECIPIENTS_PROPERTY: ["b"]});
        assert_eq!(marking_of(&o, &envelope).1, vec!["b".to_owned()]);
        // The suppliers' opt-in: the object's own say, else the envelope's;
        // never taken from a recipient list as written.
        let with = |o: Value, env: bool| marking_in(&o, &envelope, env).1;
        let opted = vec!["a".to_owned(), SUPPLIERS.to_owned()];
        assert_eq!(with(json!({}), true), opted);
        assert_eq!(with(json!({SUPPLIERS_PROPERTY: true}), false), opted);
        assert_eq!(with(json!({SUPPLIERS_PROPERTY: false}), true), envelope);
        assert_eq!(
            with(json!({RECIPIENTS_PROPERTY: [SUPPLIERS]}), false),
            Vec::<String>::new()
        );
    }

    #[test]
    fn amber_reaches_suppliers_only_by_the_authors_choice() {
        use crate::model::{Community, CommunityKind, Distribution, Membership, Org, OrgKind};
        let org = |id: &str, kind| Org::new(id, kind, id, "JP");
        let community = |id: &str, kind, owner: Option<&str>| Community {
            id: id.into(),
            kind,
            name: id.into(),
            name_ja: None,
            sector: None,
            owner: owner.map(str::to_owned),
            default_tlp: Tlp::Green,
            distribution: Distribution::Community,
            connected: Vec::new(),
            release_without_review: false,
        };
        let member = |c: &str, o: &str, role| Membership {
            community: c.into(),
            org: o.into(),
            role,
        };
        let dir = Directory::new(
            vec![
                org("op-a", OrgKind::Operator),
                org("op-b", OrgKind::Operator),
                org("sup", OrgKind::Supplier),
            ],
            vec![
                community("sector", CommunityKind::Sector, None),
                community(
                    "suppliers-op-a",
                    CommunityKind::SupplierCircle,
                    Some("op-a"),
                ),
            ],
            vec![
                member("sector", "op-a", MemberRole::Member),
                member("sector", "op-b", MemberRole::Member),
                member("suppliers-op-a", "op-a", MemberRole::CommunityAdmin),
                member("suppliers-op-a", "sup", MemberRole::Member),
            ],
        );
        let supplier = View::of(
            &dir,
            &Principal {
                org: "sup".into(),
                role: Role::Member,
                read_only: false,
            },
            "sector",
        );
        let reads = |recipients: &[&str]| {
            let r: Vec<String> = recipients.iter().map(|s| (*s).to_owned()).collect();
            supplier.may_read(&Access {
                tlp: Some(Tlp::Amber),
                recipients: &r,
                author: "op-b",
            })
        };
        assert!(
            !reads(&[]),
            "AMBER to every member is not for suppliers by default"
        );
        assert!(
            !reads(&["op-a"]),
            "nor AMBER named to the supplier's client"
        );
        assert!(reads(&[SUPPLIERS]), "unless the author opts in");
        assert!(reads(&["op-a", SUPPLIERS]));
        assert!(
            !reads(&["op-b", SUPPLIERS]),
            "only suppliers of a recipient"
        );
        let r = vec![SUPPLIERS.to_owned()];
        let strict = Access {
            tlp: Some(Tlp::AmberStrict),
            recipients: &r,
            author: "op-b",
        };
        assert!(
            !supplier.may_read(&strict),
            "AMBER+STRICT never reaches suppliers"
        );
        let green = Access {
            tlp: Some(Tlp::Green),
            recipients: &[],
            author: "op-b",
        };
        assert!(supplier.may_read(&green), "GREEN still does");
    }

    /// Every fixed TLP id (both versions), and one that is not a TLP.
    const IDS: [&str; 10] = [
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9",
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da",
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82",
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed",
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        "marking-definition--00000000-0000-4000-8000-000000000000",
    ];

    proptest::proptest! {
        /// Markings written with any letter case read as their canonical
        /// form: same level, same recipients, so every principal's view of
        /// the object is the one of the canonical object.
        #[test]
        fn marking_case_never_changes_the_level(
            picks in proptest::collection::vec((0..IDS.len(), proptest::bits::u64::ANY), 1..4),
            granular in proptest::bool::ANY,
        ) {
            let spell = |id: &str, bits: u64| -> String {
                id.chars().enumerate().map(|(i, c)| {
                    if bits >> (i % 64) & 1 == 1 { c.to_ascii_uppercase() } else { c }
                }).collect()
            };
            let canonical: Vec<&str> = picks.iter().map(|(i, _)| IDS[*i]).collect();
            let written: Vec<String> = picks.iter().map(|(i, b)| spell(IDS[*i], *b)).collect();
            let object = |refs: Vec<String>| if granular {
                json!({"granular_markings": refs.iter().map(|r| json!({"marking_ref": r, "selectors": ["name"]})).collect::<Vec<_>>()})
            } else {
                json!({"object_marking_refs": refs})
            };
            let (want, _) = marking_of(&object(canonical.iter().map(|s| (*s).to_owned()).collect()), &[]);
            let (got, _) = marking_of(&object(written), &[]);
            proptest::prop_assert_eq!(got, want);
            // The canonical ids hold a known level unless only the non-TLP id was picked.
            proptest::prop_assert_eq!(want.is_some(), picks.iter().any(|(i, _)| *i < 9));
        }
    }

    #[test]
    fn minted_tokens_are_never_wider() {
        let allow = vec!["192.0.2.0/24".to_owned()];
        // Unrestricted minter: what is asked.
        assert_eq!(
            minted_limits((None, &[]), (None, vec![])),
            Ok((None, vec![]))
        );
        // Restricted minter: inherited when not asked, refused when wider.
        assert_eq!(
            minted_limits((Some(100), &allow), (None, vec![])),
            Ok((Some(100), allow.clone()))
        );
        assert_eq!(
            minted_limits((Some(100), &allow), (Some(50), vec!["192.0.2.8/29".into()])),
            Ok((Some(50), vec!["192.0.2.8/29".into()]))
        );
        assert!(minted_limits((Some(100), &allow), (Some(101), vec![])).is_err());
        assert!(minted_limits((None, &allow), (None, vec!["0.0.0.0/0".into()])).is_err());
        assert!(minted_limits((None, &allow), (None, vec!["192.0.3.1".into()])).is_err());
    }

    #[test]
    fn incident_reports_are_seen_by_filer_ministry_and_centre_only() {
        let p = |org: &str, role: Role| Principal {
            org: org.into(),
            role,
            read_only: false,
        };
        let filer = p("tokai-power", Role::Member);
        let meti = p("meti", Role::MinistryLiaison);
        let mlit = p("mlit", Role::MinistryLiaison);
        let centre = p("nisc", Role::NationalCentreOfficer);
        let other = p("kansai-power", Role::CommunityAdmin);
        let admin = p("hub", Role::HubAdmin);
        let meti_member = p("meti", Role::Member);
        let sight = |who: &Principal, filed: bool, fwd: Option<bool>| {
            incident_sight(who, "tokai-power", Some("meti"), filed, fwd)
        };
        // A draft: the filer only.
        assert_eq!(sight(&filer, false, None), Some(IncidentSight::Filer));
        for who in [&meti, &mlit, &centre, &other, &admin, &meti_member] {
            assert_eq!(sight(who, false, None), None, "{who:?}");
        }
        // Filed: and its ministry's liaisons.
        assert_eq!(sight(&meti, true, None), Some(IncidentSight::Ministry));
        for who in [&mlit, &centre, &other, &admin, &meti_member] {
            assert_eq!(sight(who, true, None), None, "{who:?}");
        }
        // Forwarded: and the national centre, as the ministry decided.
        assert_eq!(
            sight(&centre, true, Some(false)),
            Some(IncidentSight::Centre { attributed: false })
        );
        assert_eq!(
            sight(&centre, true, Some(true)),
            Some(IncidentSight::Centre { attributed: true })
        );
        for who in [&mlit, &other, &admin, &meti_member] {
            assert_eq!(sight(who, true, Some(true)), None, "{who:?}");
        }
    }
}
