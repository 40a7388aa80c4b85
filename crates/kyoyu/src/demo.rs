//! `kyoyu serve --demo`: a demonstration world, seeded once into its own
//! data folder through the core's services (the same rules as any client),
//! and marked as a demo on every console page.
//!
//! Everything in it is fictional: the organizations, people, domains
//! (`.example`) and addresses (the documentation ranges of RFC 5737 and
//! RFC 3849). The people's passwords are drawn at seeding, kept in
//! `demo-users.txt` (mode 0600) and printed at every start.

use kyoyu_core::admin::TokenSpec;
use kyoyu_core::{Caller, Hub};
use kyoyu_store::Store;
use kyoyu_trust::{MemberRole, Org, OrgKind, Role};
use kyoyu_wire::admin::UserRequest;
use kyoyu_wire::submission::{IncidentForm, SubmitRequest};
use serde_json::{Value, json};
use std::path::Path;

/// The file that marks a data folder as a demo world (written before
/// anything else, so a real hub is never mistaken for one).
pub(crate) const MARKER: &str = "demo-world";
/// The people and their passwords (written when seeding is complete).
pub(crate) const USERS_FILE: &str = "demo-users.txt";

/// The organizations: id, kind, English name, Japanese name, sector, domain
/// (names as their people write them, so concealment finds them; every
/// one is fictional, and every page says the hub is a demo).
const ORGS: [(&str, OrgKind, &str, &str, &str, &str); 7] = [
    (
        "minato-power",
        OrgKind::Operator,
        "Minato Power",
        "みなと電力",
        "electricity",
        "minato-power.example",
    ),
    (
        "sakura-gas",
        OrgKind::Operator,
        "Sakura Gas",
        "さくらガス",
        "gas",
        "sakura-gas.example",
    ),
    (
        "aoba-bank",
        OrgKind::Operator,
        "Aoba Bank",
        "あおば銀行",
        "finance",
        "aoba-bank.example",
    ),
    (
        "kodama-telecom",
        OrgKind::Operator,
        "Kodama Telecom",
        "こだま通信",
        "information-communication",
        "kodama-telecom.example",
    ),
    (
        "hayate-rail",
        OrgKind::Operator,
        "Hayate Railway",
        "はやて鉄道",
        "railways",
        "hayate-rail.example",
    ),
    (
        "ncc-demo",
        OrgKind::NationalCentre,
        "National Cyber Coordination Centre (demo)",
        "国家サイバー調整センター(デモ)",
        "",
        "ncc-demo.example",
    ),
    (
        "netguard",
        OrgKind::Supplier,
        "NetGuard Systems",
        "ネットガード・システムズ",
        "",
        "netguard.example",
    ),
];

/// The people: login, organization, role, name.
const PEOPLE: [(&str, &str, Role, &str); 8] = [
    ("admin", "hub", Role::HubAdmin, "ハブ管理者 Hub Admin"),
    (
        "sato",
        "minato-power",
        Role::Member,
        "佐藤 美咲 Misaki Sato",
    ),
    (
        "suzuki",
        "minato-power",
        Role::CommunityAdmin,
        "鈴木 健 Ken Suzuki",
    ),
    ("tanaka", "sakura-gas", Role::Member, "田中 翔 Sho Tanaka"),
    ("ito", "aoba-bank", Role::Analyst, "伊藤 葵 Aoi Ito"),
    (
        "kato",
        "ncc-demo",
        Role::NationalCentreOfficer,
        "加藤 陸 Riku Kato",
    ),
    (
        "yamada",
        "meti",
        Role::MinistryLiaison,
        "山田 舞 Mai Yamada",
    ),
    (
        "kobayashi",
        "netguard",
        Role::Member,
        "小林 蓮 Ren Kobayashi",
    ),
];

const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
const AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";

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

/// A fresh id of `kind`.
fn id(kind: &str) -> String {
    format!("{kind}--{}", uuid::Uuid::new_v4())
}

/// A STIX timestamp `days` ago.
fn ago(days: i64) -> String {
    let secs = kyoyu_core::time::now_micros() / 1_000_000 - days * 86_400;
    kyoyu_stix::Timestamp::from_unix(secs, 0, 3).to_string()
}

fn fail(what: &str) -> impl Fn(kyoyu_core::Error) -> String + '_ {
    move |e| format!("seeding the demo ({what}): {}", e.description)
}

/// Seeds the world (first start of the folder) and returns the people's
/// table to print.
pub(crate) async fn seed<S: Store>(
    hub: &Hub<S>,
    data: &Path,
    admin: &Caller,
) -> Result<String, String> {
    let users = data.join(USERS_FILE);
    if users.is_file() {
        return std::fs::read_to_string(&users).map_err(|e| e.to_string());
    }
    if admin.directory().org("minato-power").is_some() {
        return Err(format!(
            "the demo world in {} was not seeded to the end (its people are missing): delete the folder and start again",
            data.display()
        ));
    }
    for (org_id, kind, name, name_ja, sector, domain) in ORGS {
        let mut org = Org::new(org_id, kind, name, "JP");
        org.name_ja = Some(name_ja.to_owned());
        if !sector.is_empty() {
            org.sectors = vec![sector.to_owned()];
        }
        org.domains = vec![domain.to_owned()];
        hub.create_org(admin, org).await.map_err(fail(org_id))?;
    }
    // NetGuard supplies Minato Power.
    let circle = hub
        .circle_of("minato-power")
        .map_err(fail("supplier circle"))?;
    hub.set_member(admin, &circle, "netguard", MemberRole::Member)
        .await
        .map_err(fail("supplier"))?;
    // Suzuki administers the electricity community for Minato Power.
    hub.set_member(
        admin,
        "sector-electricity",
        "minato-power",
        MemberRole::CommunityAdmin,
    )
    .await
    .map_err(fail("community admin"))?;

    let mut table = String::from(
        "DEMO users (fictional; passwords drawn for this demo folder)\n\
         login       organization     role                     password\n",
    );
    for (login, org, role, name) in PEOPLE {
        let password: String = kyoyu_core::keys::new_secret("")
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(16)
            .collect();
        hub.seed_user(
            admin,
            UserRequest {
                login: login.into(),
                org: Some(org.into()),
                role: Some(role.name().into()),
                name: Some(name.into()),
                email: None,
            },
            &password,
        )
        .await
        .map_err(fail(login))?;
        let second = if kyoyu_trust::policy::needs_second_factor(role) {
            "  (sets up TOTP at first sign-in)"
        } else {
            ""
        };
        table.push_str(&format!(
            "{login:<11} {org:<16} {:<24} {password}{second}\n",
            role.name()
        ));
    }

    let member = |org: &str| {
        let org = org.to_owned();
        async move {
            let (secret, _) = hub
                .issue_token(
                    admin,
                    TokenSpec {
                        org: org.clone(),
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
    };
    let minato = member("minato-power").await?;
    let sakura = member("sakura-gas").await?;
    let aoba = member("aoba-bank").await?;
    let kodama = member("kodama-telecom").await?;
    let hayate = member("hayate-rail").await?;

    intelligence(hub, &minato, &sakura, &aoba, &kodama, &hayate).await?;
    submissions(hub, admin, &minato, &sakura, &kodama).await?;

    let file = data.join(USERS_FILE);
    crate::serve_cmd::write_secret(&file, &table)
        .map_err(|e| format!("{}: {e}", file.display()))?;
    Ok(table)
}

/// Shares `objects` in `community` as `who` (under its name).
async fn share<S: Store>(
    hub: &Hub<S>,
    who: &Caller,
    community: &str,
    objects: Vec<Value>,
) -> Result<(), String> {
    let (_, refused) = hub
        .share_attributed(who, community, objects, None, None)
        .await
        .map_err(fail(community))?;
    if refused.is_empty() {
        Ok(())
    } else {
        Err(format!("seeding the demo: {community} refused {refused:?}"))
    }
}

/// An indicator of one value.
fn indicator(name: &str, description: &str, pattern: &str, marking: &str, days: i64) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1", "id": id("indicator"),
        "created": ago(days), "modified": ago(days),
        "name": name, "description": description,
        "indicator_types": ["malicious-activity"], "pattern_type": "stix",
        "pattern": pattern, "valid_from": ago(days),
        "object_marking_refs": [marking],
    })
}

/// An object's id.
fn idof(o: &Value) -> Value {
    o.get("id").cloned().unwrap_or(Value::Null)
}

fn relationship(kind: &str, source: &Value, target: &Value, marking: &str) -> Value {
    json!({
        "type": "relationship", "spec_version": "2.1", "id": id("relationship"),
        "created": ago(1), "modified": ago(1), "relationship_type": kind,
        "source_ref": idof(source), "target_ref": idof(target),
        "object_marking_refs": [marking],
    })
}

/// Intelligence at every TLP level, in several communities.
async fn intelligence<S: Store>(
    hub: &Hub<S>,
    minato: &Caller,
    sakura: &Caller,
    aoba: &Caller,
    kodama: &Caller,
    hayate: &Caller,
) -> Result<(), String> {
    // Electricity: a ransomware campaign against substations.
    let malware = json!({
        "type": "malware", "spec_version": "2.1", "id": id("malware"),
        "created": ago(9), "modified": ago(9), "name": "KuroLock (架空のランサムウェア)",
        "description": "変電所の監視端末を暗号化するランサムウェア。A fictional ransomware that encrypts substation HMI workstations.",
        "malware_types": ["ransomware"], "is_family": true, "object_marking_refs": [AMBER],
    });
    let actor = json!({
        "type": "threat-actor", "spec_version": "2.1", "id": id("threat-actor"),
        "created": ago(20), "modified": ago(20), "name": "Grey Heron (架空)",
        "description": "重要インフラを狙う架空の攻撃者グループ。A fictional group targeting critical infrastructure.",
        "threat_actor_types": ["crime-syndicate"], "object_marking_refs": [GREEN],
    });
    let c2 = indicator(
        "KuroLock の C2 サーバ / KuroLock C2 server",
        "変電所の端末から 203.0.113.45 への通信を確認。Beacons from substation HMIs.",
        "[ipv4-addr:value = '203.0.113.45']",
        AMBER,
        8,
    );
    let phishing = indicator(
        "停電補償を装うフィッシングメール / Phishing posing as outage compensation",
        "「停電補償のお知らせ」を件名とするメールのリンク先。",
        "[url:value = 'http://outage-refund.example/claim']",
        GREEN,
        5,
    );
    let hash = indicator(
        "KuroLock ローダーのハッシュ / KuroLock loader hash",
        "暗号化の前に配置されるローダー。",
        "[file:hashes.'SHA-256' = 'aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f']",
        AMBER_STRICT,
        7,
    );
    let internal = indicator(
        "社内のみ: 侵害された保守用アカウント / Internal: compromised maintenance account",
        "保守ベンダーの VPN アカウントから不審なログイン。",
        "[user-account:user_id = 'maint-vpn-07']",
        RED,
        3,
    );
    let sighting = json!({
        "type": "sighting", "spec_version": "2.1", "id": id("sighting"),
        "created": ago(2), "modified": ago(2), "sighting_of_ref": idof(&c2),
        "count": 3, "first_seen": ago(4), "last_seen": ago(2),
        "object_marking_refs": [AMBER],
    });
    let rels = vec![
        relationship("indicates", &c2, &malware, AMBER),
        relationship("indicates", &hash, &malware, AMBER_STRICT),
        relationship("uses", &actor, &malware, GREEN),
    ];
    let report = json!({
        "type": "report", "spec_version": "2.1", "id": id("report"),
        "created": ago(1), "modified": ago(1), "published": ago(1),
        "name": "電力分野 週次脅威レポート / Electricity weekly threat report",
        "description": "今週は KuroLock に関連する通信を3件確認。Three KuroLock beacons this week.",
        "report_types": ["threat-report"],
        "object_refs": [idof(&malware), idof(&c2), idof(&actor)],
        "object_marking_refs": [GREEN],
    });
    let mut electricity = vec![
        malware,
        actor,
        c2.clone(),
        phishing,
        hash,
        internal,
        sighting,
        report,
    ];
    electricity.extend(rels);
    share(hub, minato, "sector-electricity", electricity).await?;
    // A second version of the C2 indicator: revised description.
    let mut revised = c2;
    if let Some(m) = revised.as_object_mut() {
        m.insert("modified".into(), json!(ago(0)));
        m.insert(
            "description".into(),
            json!("203.0.113.45 に加え 203.0.113.46 も同じ C2 として確認。Also 203.0.113.46."),
        );
    }
    share(hub, minato, "sector-electricity", vec![revised]).await?;

    // Gas: reconnaissance against control systems.
    let recon = json!({
        "type": "attack-pattern", "spec_version": "2.1", "id": id("attack-pattern"),
        "created": ago(6), "modified": ago(6), "name": "制御系ネットワークの偵察 / Control network reconnaissance",
        "description": "Modbus/TCP の機器一覧を取得する走査。",
        "object_marking_refs": [GREEN],
    });
    let scanner = indicator(
        "Modbus 走査元 / Modbus scanner",
        "ガス供給の制御網へ 502/tcp の走査。",
        "[ipv4-addr:value = '198.51.100.23']",
        AMBER,
        6,
    );
    let rel = relationship("indicates", &scanner, &recon, GREEN);
    share(hub, sakura, "sector-gas", vec![recon, scanner, rel]).await?;

    // Finance: credential phishing.
    share(
        hub,
        aoba,
        "sector-finance",
        vec![
            indicator(
                "ネットバンキングの偽ログイン画面 / Fake online banking login",
                "SMS で誘導される偽サイト。",
                "[domain-name:value = 'aoba-login-check.example']",
                GREEN,
                4,
            ),
            indicator(
                "不正送金マルウェアの配布元 / Banking trojan download",
                "",
                "[ipv6-addr:value = '2001:db8:0:17::5']",
                AMBER,
                2,
            ),
        ],
    )
    .await?;

    // Everyone: an advisory at TLP:CLEAR and a DDoS warning at GREEN.
    share(
        hub,
        kodama,
        "national",
        vec![
            indicator(
                "DDoS 攻撃の指令サーバ / DDoS command server",
                "通信事業者の DNS を狙う DDoS の指令元。",
                "[ipv4-addr:value = '192.0.2.200']",
                GREEN,
                1,
            ),
            json!({
                "type": "vulnerability", "spec_version": "2.1", "id": id("vulnerability"),
                "created": ago(3), "modified": ago(3),
                "name": "産業用ルータの認証回避 (架空) / Industrial router authentication bypass (fictional)",
                "description": "パッチ適用を推奨。Apply the vendor's update.",
                "object_marking_refs": [CLEAR],
            }),
        ],
    )
    .await?;
    share(
        hub,
        hayate,
        "sector-railways",
        vec![indicator(
            "運行管理端末への不審な RDP / Suspicious RDP to operations terminals",
            "",
            "[ipv4-addr:value = '198.51.100.88']",
            AMBER,
            2,
        )],
    )
    .await?;
    Ok(())
}

/// Concealed submissions at each stage: waiting for review (with doubts),
/// held for its batch, released, rejected and withdrawn.
async fn submissions<S: Store>(
    hub: &Hub<S>,
    reviewer: &Caller,
    minato: &Caller,
    sakura: &Caller,
    kodama: &Caller,
) -> Result<(), String> {
    let form = |title: &str, description: &str, category: &str, values: &[&str]| IncidentForm {
        title: title.into(),
        description: description.into(),
        category: Some(category.into()),
        indicators: values.iter().map(|v| (*v).to_owned()).collect(),
    };
    let submit = |who: &Caller, community: &str, f: IncidentForm, urgent: bool| {
        let req = SubmitRequest {
            community: community.into(),
            form: Some(f),
            tlp: Some("amber".into()),
            urgent,
            ..SubmitRequest::default()
        };
        let who = who.clone();
        async move { hub.submit(&who, req).await.map_err(fail("submission")) }
    };
    // Waiting for review, with a person's name the hub cannot decide on.
    submit(
        minato,
        "sector-electricity",
        form(
            "みなと電力 配電制御室でランサムウェア感染",
            "担当の佐藤が 203.0.113.77 への通信を確認。保守回線 vpn-gw.partner-net.example 経由で侵入され、端末が暗号化された。",
            "ransomware",
            &["203.0.113.77"],
        ),
        false,
    )
    .await?;
    // Approved, waiting for its release batch.
    let held = submit(
        sakura,
        "sector-gas",
        form(
            "制御網への不審な走査",
            "502/tcp への走査が夜間に続いた。",
            "intrusion",
            &["198.51.100.61"],
        ),
        false,
    )
    .await?;
    hub.approve(reviewer, &held.submission, &[], None)
        .await
        .map_err(fail("approve"))?;
    // Released at once (urgent).
    let released = submit(
        kodama,
        "national",
        form(
            "DNS を狙う大規模 DDoS の予告",
            "攻撃予告の投稿を確認。192.0.2.201 からの試行あり。",
            "ddos",
            &["192.0.2.201"],
        ),
        true,
    )
    .await?;
    hub.approve(reviewer, &released.submission, &[], None)
        .await
        .map_err(fail("approve"))?;
    // Rejected.
    let rejected = submit(
        minato,
        "sector-electricity",
        form("テスト投稿", "誤って送信しました。", "other", &[]),
        false,
    )
    .await?;
    hub.reject(
        reviewer,
        &rejected.submission,
        "テスト投稿のため却下しました / a test post".into(),
    )
    .await
    .map_err(fail("reject"))?;
    // Withdrawn by its sender.
    let withdrawn = submit(
        sakura,
        "sector-gas",
        form(
            "誤検知だった通報",
            "調査の結果、社内試験の通信でした。",
            "other",
            &["198.51.100.62"],
        ),
        false,
    )
    .await?;
    hub.withdraw(sakura, &withdrawn.receipt)
        .await
        .map_err(fail("withdraw"))?;
    Ok(())
}
