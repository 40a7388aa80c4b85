//! Properties of the policy over random worlds.

use crate::Directory;
use crate::model::*;
use crate::policy::{Access, View};
use kyoyu_stix::tlp::Tlp;
use proptest::prelude::*;

const ORGS: usize = 6;
const COMMUNITIES: usize = 3;

fn org(i: usize) -> Org {
    let kind = if i == 0 {
        OrgKind::Supplier
    } else {
        OrgKind::Operator
    };
    Org::new(&format!("org-{i}"), kind, &format!("Org {i}"), "JP")
}

fn tlp() -> impl Strategy<Value = Tlp> {
    prop_oneof![
        Just(Tlp::Clear),
        Just(Tlp::Green),
        Just(Tlp::Amber),
        Just(Tlp::AmberStrict),
        Just(Tlp::Red)
    ]
}

fn member_role() -> impl Strategy<Value = MemberRole> {
    prop_oneof![
        Just(MemberRole::Observer),
        Just(MemberRole::Member),
        Just(MemberRole::CommunityAdmin)
    ]
}

#[derive(Debug, Clone)]
struct World {
    dir: Directory,
}

/// Random memberships in three communities (community 2 is org-1's supplier
/// circle), random defaults and connections.
fn world() -> impl Strategy<Value = World> {
    (
        proptest::collection::vec(proptest::option::of(member_role()), ORGS * COMMUNITIES),
        proptest::collection::vec(
            tlp().prop_filter("never clear", |t| *t != Tlp::Clear),
            COMMUNITIES,
        ),
        any::<bool>(),
    )
        .prop_map(|(roles, defaults, connect)| {
            let orgs: Vec<Org> = (0..ORGS).map(org).collect();
            let communities: Vec<Community> = (0..COMMUNITIES)
                .map(|c| Community {
                    id: format!("c{c}"),
                    kind: if c == 2 {
                        CommunityKind::SupplierCircle
                    } else {
                        CommunityKind::Custom
                    },
                    name: format!("C{c}"),
                    name_ja: None,
                    sector: None,
                    owner: (c == 2).then(|| "org-1".to_owned()),
                    default_tlp: defaults[c],
                    distribution: Distribution::Community,
                    connected: if c == 0 && connect {
                        vec!["c1".into()]
                    } else {
                        Vec::new()
                    },
                    release_without_review: false,
                })
                .collect();
            let memberships = roles
                .iter()
                .enumerate()
                .filter_map(|(i, r)| {
                    r.map(|role| Membership {
                        community: format!("c{}", i / ORGS),
                        org: format!("org-{}", i % ORGS),
                        role,
                    })
                })
                .collect();
            World {
                dir: Directory::new(orgs, communities, memberships),
            }
        })
}

fn principal(i: usize, role: Role) -> Principal {
    Principal {
        org: format!("org-{i}"),
        role,
        read_only: false,
    }
}

fn recipients() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec((0..ORGS).prop_map(|i| format!("org-{i}")), 0..3)
}

proptest! {
    /// With no named recipients, a stricter level never reaches more readers.
    #[test]
    fn stricter_is_never_wider(w in world(), reader in 0..ORGS, author in 0..ORGS, c in 0..COMMUNITIES) {
        let v = View::of(&w.dir, &principal(reader, Role::Member), &format!("c{c}"));
        let author = format!("org-{author}");
        let seen: Vec<bool> = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict, Tlp::Red]
            .iter()
            .map(|t| v.may_read(&Access { tlp: Some(*t), recipients: &[], author: &author }))
            .collect();
        for pair in seen.windows(2) {
            prop_assert!(pair[0] || !pair[1], "{seen:?}");
        }
    }

    /// Unmarked content counts exactly as the community default.
    #[test]
    fn unmarked_is_the_default(w in world(), reader in 0..ORGS, c in 0..COMMUNITIES, r in recipients()) {
        let community = format!("c{c}");
        let v = View::of(&w.dir, &principal(reader, Role::Member), &community);
        let default = w.dir.community(&community).unwrap().default_tlp;
        prop_assert_ne!(default, Tlp::Clear);
        let unmarked = Access { tlp: None, recipients: &r, author: "nobody" };
        let marked = Access { tlp: Some(default), ..unmarked };
        prop_assert_eq!(v.may_read(&unmarked), v.may_read(&marked));
    }

    /// Nothing reaches an organization with no standing in the community,
    /// except what it wrote itself; hub admins see everything.
    #[test]
    fn outsiders_see_nothing(w in world(), reader in 0..ORGS, c in 0..COMMUNITIES, t in tlp(), r in recipients(), author in 0..ORGS) {
        let community = format!("c{c}");
        let me = format!("org-{reader}");
        let v = View::of(&w.dir, &principal(reader, Role::Member), &community);
        let author = format!("org-{author}");
        let a = Access { tlp: Some(t), recipients: &r, author: &author };
        if !v.can_read() && author != me {
            prop_assert!(!v.may_read(&a));
        }
        if author == me {
            prop_assert!(v.may_read(&a));
        }
        let admin = View::of(&w.dir, &Principal { org: "hub".into(), role: Role::HubAdmin, read_only: true }, &community);
        prop_assert!(admin.may_read(&a));
        prop_assert!(!admin.can_write(), "read-only tokens never write");
    }

    /// RED reaches named recipients only; AMBER+STRICT never reaches suppliers
    /// or observers that are not named.
    #[test]
    fn red_and_strict(w in world(), reader in 0..ORGS, c in 0..COMMUNITIES, r in recipients()) {
        let community = format!("c{c}");
        let me = format!("org-{reader}");
        let v = View::of(&w.dir, &principal(reader, Role::Analyst), &community);
        let named = r.contains(&me);
        let red = Access { tlp: Some(Tlp::Red), recipients: &r, author: "nobody" };
        prop_assert_eq!(v.may_read(&red), named && v.can_read());
        let strict = Access { tlp: Some(Tlp::AmberStrict), ..red };
        let membership = w.dir.membership(&community, &me);
        if !named && !membership.is_some_and(MemberRole::is_recipient) {
            prop_assert!(!v.may_read(&strict));
        }
    }
}
