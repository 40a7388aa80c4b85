//! `kyoyu serve --demo`: a demonstration world, seeded once into its own
//! data folder through the core's services (the same rules as any client:
//! every object is validated, marked and stored by `Hub::post` as the
//! organization that shares it), and marked as a demo on every console page.
//!
//! The world is data, `demo/world.toml` (organizations, people, what they
//! share, concealed submissions and the stage each is left at); this module
//! turns it into STIX and calls the services. Everything in it is
//! fictional: the organizations, people, domains (`.example`) and addresses
//! (the documentation ranges of RFC 5737 and RFC 3849). The people's
//! passwords are drawn at seeding, kept in `demo-users.txt` (mode 0600) and
//! printed at every start.

use kyoyu_core::admin::TokenSpec;
use kyoyu_core::ingest::{Envelope, Posted};
use kyoyu_core::{Caller, Hub};
use kyoyu_stix::tlp::Tlp;
use kyoyu_store::Store;
use kyoyu_trust::{MemberRole, Org, OrgKind, Role};
use kyoyu_wire::admin::UserRequest;
use kyoyu_wire::submission::{IncidentForm, SubmitRequest};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::path::Path;

/// The file that marks a data folder as a demo world (written before
/// anything else, so a real hub is never mistaken for one).
pub(crate) const MARKER: &str = "demo-world";
/// The people and their passwords (written when seeding is complete: its
/// presence says the world is seeded).
pub(crate) const USERS_FILE: &str = "demo-users.txt";
/// The world, as data.
const WORLD: &str = include_str!("../demo/world.toml");

/// The world file's records.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct World {
    org: Vec<Org>,
    #[serde(default)]
    supplier: Vec<Supplies>,
    #[serde(default)]
    membership: Vec<Standing>,
    person: Vec<Person>,
    #[serde(default)]
    share: Vec<Share>,
    #[serde(default)]
    revision: Vec<Revision>,
    #[serde(default)]
    submission: Vec<Submission>,
}

/// A supplier and the operators whose supplier circles it joins.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Supplies {
    org: String,
    supplies: Vec<String>,
}

/// A standing set by hand.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Standing {
    community: String,
    org: String,
    role: String,
}

/// A console user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Person {
    login: String,
    org: String,
    role: String,
    name: String,
}

/// Objects one organization shares under its name in a community.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Share {
    by: String,
    community: String,
    /// The organizations TLP:RED objects are for.
    #[serde(default)]
    recipients: Vec<String>,
    #[serde(default)]
    object: Vec<toml::Table>,
    #[serde(default)]
    feed: Vec<Feed>,
}

/// One indicator per value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Feed {
    tlp: String,
    days: i64,
    name: String,
    description: String,
    /// The key of what they indicate (a relationship each).
    indicates: Option<String>,
    values: Vec<String>,
}

/// A new version of a shared object: its fields replaced.
#[derive(Debug, Deserialize)]
struct Revision {
    by: String,
    community: String,
    key: String,
    days: i64,
    #[serde(flatten)]
    fields: toml::Table,
}

/// Where a concealed submission is left.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
enum Stage {
    /// Waiting for a reviewer.
    Waiting,
    /// Approved, waiting for its release batch.
    Held,
    /// Approved and released at once (urgent).
    Released,
    /// Rejected by the reviewer.
    Rejected,
    /// Withdrawn by its sender.
    Withdrawn,
}

/// A concealed submission.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Submission {
    by: String,
    community: String,
    stage: Stage,
    title: String,
    description: String,
    category: String,
    #[serde(default)]
    indicators: Vec<String>,
    #[serde(default)]
    reason: String,
}

/// One post: who, where, for whom, what.
#[derive(Debug)]
struct Post {
    by: String,
    community: String,
    recipients: Vec<String>,
    objects: Vec<Value>,
}

fn world() -> Result<World, String> {
    toml::from_str(WORLD).map_err(|e| format!("the demo world (demo/world.toml): {e}"))
}

/// Whether `data` is a demo world's folder.
pub(crate) fn is_demo(data: &Path) -> bool {
    data.join(MARKER).is_file()
}

/// Marks `data` (new or already a demo) as a demo world's folder.
pub(crate) fn mark(data: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(data)?;
    std::fs::write(
        data.join(MARKER),
        "A kyoyu demonstration world (kyoyu serve --demo): fictional data only.\n",
    )
}

/// Whether `data` holds a hub that is not a demo (never seed over it).
pub(crate) fn holds_real_hub(data: &Path) -> bool {
    (data.join("kyoyu.sqlite3").exists() || data.join("admin-token").exists()) && !is_demo(data)
}

/// A STIX timestamp `days` before `now` (seconds).
fn ago(now: i64, days: i64) -> String {
    kyoyu_stix::Timestamp::from_unix(now - days * 86_400, 0, 3).to_string()
}

/// The pattern that matches one observed value.
fn pattern_of(value: &str) -> String {
    let v = value.replace('\'', "\\'");
    if let Ok(ip) = value.parse::<std::net::IpAddr>() {
        let kind = if ip.is_ipv4() { "ipv4" } else { "ipv6" };
        format!("[{kind}-addr:value = '{v}']")
    } else if value.starts_with("http://") || value.starts_with("https://") {
        format!("[url:value = '{v}']")
    } else if value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("[file:hashes.'SHA-256' = '{v}']")
    } else {
        format!("[domain-name:value = '{v}']")
    }
}

/// The marking definition of a TLP level's name.
fn marking(tlp: &str) -> Result<&'static str, String> {
    Tlp::parse(tlp)
        .map(Tlp::marking_id)
        .ok_or_else(|| format!("the demo world: '{tlp}' is not a TLP level"))
}

/// Turns the world's shares and revisions into STIX objects (pure, given
/// the time): fresh ids, keys resolved, timestamps `days` before `now`.
fn build(world: &World, now: i64) -> Result<(Vec<Post>, Vec<Post>), String> {
    let mut ids: HashMap<String, String> = HashMap::new();
    for o in world.share.iter().flat_map(|s| &s.object) {
        if let (Some(key), Some(kind)) = (
            o.get("key").and_then(toml::Value::as_str),
            o.get("type").and_then(toml::Value::as_str),
        ) {
            let id = format!("{kind}--{}", uuid::Uuid::new_v4());
            if ids.insert(key.to_owned(), id).is_some() {
                return Err(format!("the demo world: key '{key}' is used twice"));
            }
        }
    }
    let resolve = |k: &str| {
        ids.get(k)
            .cloned()
            .ok_or_else(|| format!("the demo world: no object has the key '{k}'"))
    };
    let mut by_key: HashMap<String, Value> = HashMap::new();
    let mut posts = Vec::new();
    for share in &world.share {
        let mut objects = Vec::new();
        for table in &share.object {
            let mut m = match serde_json::to_value(table) {
                Ok(Value::Object(m)) => m,
                _ => return Err("the demo world: an object is not a table".into()),
            };
            let key = m.remove("key").and_then(|k| k.as_str().map(str::to_owned));
            let tlp = m.remove("tlp").and_then(|t| t.as_str().map(str::to_owned));
            let days = m.remove("days").and_then(|d| d.as_i64()).unwrap_or(1);
            let kind = m
                .get("type")
                .and_then(Value::as_str)
                .ok_or("the demo world: an object has no type")?
                .to_owned();
            for (k, v) in &mut m {
                if k.ends_with("_ref")
                    && let Some(s) = v.as_str()
                {
                    *v = json!(resolve(s)?);
                } else if k.ends_with("_refs")
                    && let Some(list) = v.as_array_mut()
                {
                    for item in list {
                        if let Some(s) = item.as_str() {
                            *item = json!(resolve(s)?);
                        }
                    }
                }
            }
            let id = match &key {
                Some(k) => resolve(k)?,
                None => format!("{kind}--{}", uuid::Uuid::new_v4()),
            };
            let when = ago(now, days);
            m.insert("spec_version".into(), json!("2.1"));
            m.insert("id".into(), json!(id));
            m.insert("created".into(), json!(when));
            m.insert("modified".into(), json!(when));
            if let Some(tlp) = &tlp {
                m.insert("object_marking_refs".into(), json!([marking(tlp)?]));
            }
            match kind.as_str() {
                "indicator" => {
                    m.entry("pattern_type").or_insert(json!("stix"));
                    m.entry("valid_from").or_insert(json!(when));
                    m.entry("indicator_types")
                        .or_insert(json!(["malicious-activity"]));
                }
                "report" => {
                    m.entry("published").or_insert(json!(when));
                }
                "sighting" => {
                    m.entry("first_seen").or_insert(json!(ago(now, days + 2)));
                    m.entry("last_seen").or_insert(json!(when));
                }
                _ => {}
            }
            let object = Value::Object(m);
            if let Some(k) = key {
                by_key.insert(k, object.clone());
            }
            objects.push(object);
        }
        for feed in &share.feed {
            let mark = marking(&feed.tlp)?;
            for (i, value) in feed.values.iter().enumerate() {
                let when = ago(now, feed.days + i as i64);
                let id = format!("indicator--{}", uuid::Uuid::new_v4());
                let indicator = json!({
                    "type": "indicator", "spec_version": "2.1", "id": id,
                    "created": when, "modified": when,
                    "name": format!("{}: {value}", feed.name),
                    "description": feed.description,
                    "indicator_types": ["malicious-activity"],
                    "pattern_type": "stix", "pattern": pattern_of(value), "valid_from": when,
                    "object_marking_refs": [mark],
                });
                if let Some(target) = &feed.indicates {
                    objects.push(json!({
                        "type": "relationship", "spec_version": "2.1",
                        "id": format!("relationship--{}", uuid::Uuid::new_v4()),
                        "created": when, "modified": when, "relationship_type": "indicates",
                        "source_ref": id, "target_ref": resolve(target)?,
                        "object_marking_refs": [mark],
                    }));
                }
                objects.push(indicator);
            }
        }
        posts.push(Post {
            by: share.by.clone(),
            community: share.community.clone(),
            recipients: share.recipients.clone(),
            objects,
        });
    }
    let mut revisions = Vec::new();
    for r in &world.revision {
        let object = by_key
            .get_mut(&r.key)
            .ok_or_else(|| format!("the demo world: no object has the key '{}'", r.key))?;
        if let Some(m) = object.as_object_mut() {
            if let Ok(Value::Object(fields)) = serde_json::to_value(&r.fields) {
                m.extend(fields);
            }
            m.insert("modified".into(), json!(ago(now, r.days)));
        }
        revisions.push(Post {
            by: r.by.clone(),
            community: r.community.clone(),
            recipients: Vec::new(),
            objects: vec![object.clone()],
        });
    }
    Ok((posts, revisions))
}

fn fail(what: &str) -> impl Fn(kyoyu_core::Error) -> String + '_ {
    move |e| format!("seeding the demo ({what}): {}", e.description)
}

/// A password for a person of the demo: 20 letters and digits (about 119
/// bits), drawn from the operating system's generator.
fn password() -> String {
    kyoyu_core::keys::new_secret("")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(20)
        .collect()
}

/// Refuses a hub that is not this demo's world (a database shared with a
/// real hub, say): seeds only an empty hub, and starts a seeded one only
/// when its world is there.
fn check_hub(world: &World, admin: &Caller, seeded: bool, data: &Path) -> Result<(), String> {
    let dir = admin.directory();
    let ours = |id: &str| world.org.iter().any(|o| o.id == id);
    if seeded {
        return match world.org.first() {
            Some(o) if dir.org(&o.id).is_none() => Err(format!(
                "{} says its demo world is seeded, but the hub's database holds no demo world: --demo never seeds over real data",
                data.display()
            )),
            _ => Ok(()),
        };
    }
    let registered: Vec<&str> = dir
        .orgs()
        .filter(|o| !matches!(o.kind, OrgKind::Hub | OrgKind::Ministry))
        .map(|o| o.id.as_str())
        .collect();
    if registered.iter().any(|id| !ours(id)) {
        return Err(format!(
            "the hub's database holds organizations that are not the demo's ({}): it is a hub that is not a demo, and --demo never seeds over real data",
            registered.join(", ")
        ));
    }
    if !registered.is_empty() {
        return Err(format!(
            "the demo world in {} was not seeded to the end (its people are missing): delete the folder and start again",
            data.display()
        ));
    }
    Ok(())
}

/// Seeds the world at the first start of its folder; returns the people's
/// table to print (read back from `demo-users.txt` at later starts).
pub(crate) async fn seed<S: Store>(
    hub: &Hub<S>,
    data: &Path,
    admin: &Caller,
) -> Result<String, String> {
    let world = world()?;
    let users = data.join(USERS_FILE);
    let seeded = users.is_file();
    check_hub(&world, admin, seeded, data)?;
    if seeded {
        return std::fs::read_to_string(&users).map_err(|e| format!("{}: {e}", users.display()));
    }
    let (posts, revisions) = build(&world, kyoyu_core::time::now_micros() / 1_000_000)?;

    for org in &world.org {
        hub.create_org(admin, org.clone())
            .await
            .map_err(fail(&org.id))?;
    }
    for s in &world.supplier {
        for operator in &s.supplies {
            let circle = hub.circle_of(operator).map_err(fail("supplier circle"))?;
            hub.set_member(admin, &circle, &s.org, MemberRole::Member)
                .await
                .map_err(fail("supplier"))?;
        }
    }
    for m in &world.membership {
        let role = MemberRole::parse(&m.role)
            .ok_or_else(|| format!("the demo world: '{}' is not a member role", m.role))?;
        hub.set_member(admin, &m.community, &m.org, role)
            .await
            .map_err(fail(&m.community))?;
    }

    let mut table = String::from(
        "DEMO users (fictional; passwords drawn for this demo folder; * = sets up a TOTP second factor at first sign-in)\n\
         login       organization     role                     password\n",
    );
    for p in &world.person {
        let role = Role::parse(&p.role)
            .ok_or_else(|| format!("the demo world: '{}' is not a role", p.role))?;
        let password = password();
        hub.seed_user(
            admin,
            UserRequest {
                login: p.login.clone(),
                org: Some(p.org.clone()),
                role: Some(p.role.clone()),
                name: Some(p.name.clone()),
                email: None,
            },
            &password,
        )
        .await
        .map_err(fail(&p.login))?;
        let second = if kyoyu_trust::policy::needs_second_factor(role) {
            "  * TOTP at first sign-in"
        } else {
            ""
        };
        table.push_str(&format!(
            "{:<11} {:<16} {:<24} {password}{second}\n",
            p.login, p.org, p.role
        ));
    }

    // Each organization acts through a short-lived member token, revoked
    // when the world is seeded.
    let mut callers: HashMap<String, Caller> = HashMap::new();
    let orgs = posts
        .iter()
        .chain(&revisions)
        .map(|p| &p.by)
        .chain(world.submission.iter().map(|s| &s.by));
    for org in orgs {
        if !callers.contains_key(org) {
            let caller = member(hub, admin, org).await?;
            callers.insert(org.clone(), caller);
        }
    }
    let caller = |org: &str| {
        callers
            .get(org)
            .ok_or_else(|| format!("the demo world: no caller for '{org}'"))
    };
    for p in posts.iter().chain(&revisions) {
        post(hub, caller(&p.by)?, p).await?;
    }
    for s in &world.submission {
        submission(hub, admin, caller(&s.by)?, s).await?;
    }
    for c in callers.values() {
        hub.revoke_token(admin, &c.token_id)
            .await
            .map_err(fail("token"))?;
    }

    crate::serve_cmd::write_secret(&users, table.trim_end())
        .map_err(|e| format!("{}: {e}", users.display()))?;
    Ok(table)
}

/// A member token of `org`, authenticated.
async fn member<S: Store>(hub: &Hub<S>, admin: &Caller, org: &str) -> Result<Caller, String> {
    let (secret, _) = hub
        .issue_token(
            admin,
            TokenSpec {
                org: org.to_owned(),
                role: Role::Member,
                name: "demo seeding".into(),
                read_only: false,
                ip_allow: Vec::new(),
                expires_in: Some(3600),
            },
        )
        .await
        .map_err(fail("token"))?;
    hub.authenticate(Ok(secret), None, kyoyu_core::time::now_micros())
        .await
        .map_err(fail("token"))
}

/// Posts one share as a TAXII client would: validated, marked, stored.
async fn post<S: Store>(hub: &Hub<S>, who: &Caller, p: &Post) -> Result<(), String> {
    let texts: Vec<Box<serde_json::value::RawValue>> = p
        .objects
        .iter()
        .map(|o| serde_json::value::RawValue::from_string(o.to_string()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let envelope = Envelope {
        objects: Some(texts.iter().map(AsRef::as_ref).collect()),
        recipients: p.recipients.clone(),
        suppliers: false,
        tlp: None,
        urgent: false,
    };
    match hub
        .post(who, kyoyu_core::DEFAULT_ROOT, &p.community, envelope)
        .await
        .map_err(fail(&p.community))?
    {
        Posted::Stored(status) if status.failures.is_empty() => Ok(()),
        Posted::Stored(status) => Err(format!(
            "seeding the demo: {} refused {:?}",
            p.community,
            status
                .failures
                .iter()
                .map(|f| format!("{}: {}", f.id, f.message.clone().unwrap_or_default()))
                .collect::<Vec<_>>()
        )),
        Posted::Concealed(..) => Err(format!(
            "seeding the demo: {} takes concealed submissions only",
            p.community
        )),
    }
}

/// Submits with concealment and takes the submission to its stage.
async fn submission<S: Store>(
    hub: &Hub<S>,
    reviewer: &Caller,
    who: &Caller,
    s: &Submission,
) -> Result<(), String> {
    let req = SubmitRequest {
        community: s.community.clone(),
        form: Some(IncidentForm {
            title: s.title.clone(),
            description: s.description.clone(),
            category: Some(s.category.clone()),
            indicators: s.indicators.clone(),
        }),
        tlp: Some("amber".into()),
        urgent: s.stage == Stage::Released,
        ..SubmitRequest::default()
    };
    let done = hub.submit(who, req).await.map_err(fail("submission"))?;
    match s.stage {
        Stage::Waiting => {}
        Stage::Held | Stage::Released => {
            hub.approve(reviewer, &done.submission, &[], None)
                .await
                .map_err(fail("approve"))?;
        }
        Stage::Rejected => {
            hub.reject(reviewer, &done.submission, s.reason.clone())
                .await
                .map_err(fail("reject"))?;
        }
        Stage::Withdrawn => {
            hub.withdraw(who, &done.receipt)
                .await
                .map_err(fail("withdraw"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every object the world makes passes the hub's validator, strictly
    /// (the hub checks them again at seeding), and every key resolves.
    #[test]
    fn the_world_is_valid_stix() {
        let world = world().unwrap();
        let (posts, revisions) = build(&world, 1_750_000_000).unwrap();
        let objects: Vec<&Value> = posts
            .iter()
            .chain(&revisions)
            .flat_map(|p| &p.objects)
            .collect();
        assert!(objects.len() >= 50, "{} objects", objects.len());
        for o in objects {
            let reports = kyoyu_validate::validate_document(
                o,
                &kyoyu_validate::Options {
                    strict: true,
                    ..kyoyu_validate::Options::default()
                },
            );
            for r in reports {
                assert!(r.valid, "{o}: {:?}", r.findings);
            }
        }
        for tlp in ["clear", "green", "amber", "amber+strict", "red"] {
            let mark = marking(tlp).unwrap();
            assert!(
                posts
                    .iter()
                    .flat_map(|p| &p.objects)
                    .any(|o| o["object_marking_refs"][0] == mark),
                "{tlp}"
            );
        }
    }

    #[test]
    fn patterns_follow_the_value() {
        for (value, pattern) in [
            ("203.0.113.5", "[ipv4-addr:value = '203.0.113.5']"),
            ("2001:db8::1", "[ipv6-addr:value = '2001:db8::1']"),
            ("http://a.example/x", "[url:value = 'http://a.example/x']"),
            ("a.example", "[domain-name:value = 'a.example']"),
            (
                &"ab".repeat(32),
                &format!("[file:hashes.'SHA-256' = '{}']", "ab".repeat(32)),
            ),
        ] {
            assert_eq!(pattern_of(value), pattern);
            assert!(kyoyu_pattern::parse(pattern).is_ok(), "{pattern}");
        }
    }

    #[test]
    fn every_person_has_a_known_role_and_organization() {
        let world = world().unwrap();
        for p in &world.person {
            assert!(Role::parse(&p.role).is_some(), "{}", p.role);
            assert!(
                p.org == "hub" || p.org == "meti" || world.org.iter().any(|o| o.id == p.org),
                "{}",
                p.org
            );
        }
    }
}
