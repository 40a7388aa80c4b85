//! Every page rendered in both languages and checked: the CSP rules (no inline script, style or
//! handler), accessibility of the markup, escaping of hostile text, catalogue coverage, and the
//! colours of the stylesheet.

use crate::i18n::{self, LANGS, Lang, t};
use crate::model::*;
use crate::pages::{self, KNOWN_STATUSES, status_key};
use crate::{assets, paths};
use regex::Regex;
use std::collections::{BTreeSet, HashMap};

const HOSTILE: &str = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>";

fn at(text: &str) -> jiff::Timestamp {
    text.parse().unwrap()
}

fn user(org: &str) -> SignedIn {
    SignedIn {
        name: "佐藤 花子".to_string(),
        login: "sato".to_string(),
        organization: org.to_string(),
        csrf_token: "csrf-token-123".to_string(),
    }
}

fn chrome(lang: Lang, current: Option<Section>) -> Chrome {
    Chrome {
        lang,
        hub_name: "共有ハブ kyoyu".to_string(),
        demo: false,
        user: Some(user("東京電力網株式会社")),
        may: Permissions::all(),
        current,
        path: "/console/search?q=emotet".to_string(),
        time_zone: None,
    }
}

fn table(rows: usize) -> ObjectTable {
    let kinds = [
        ("indicator", Some(Tlp::Red)),
        ("malware", Some(Tlp::AmberStrict)),
        ("vulnerability", Some(Tlp::Amber)),
        ("report", Some(Tlp::Green)),
        ("x-acme-widget", Some(Tlp::Clear)),
        ("campaign", None),
    ];
    ObjectTable {
        id: "objects".to_string(),
        caption: "Recent".to_string(),
        rows: (0..rows)
            .map(|i| {
                let (kind, tlp) = kinds[i % kinds.len()];
                ObjectRow {
                    id: format!("{kind}--00000000-0000-4000-8000-00000000000{i}"),
                    name: format!("Object {i}"),
                    stix_type: kind.to_string(),
                    tlp,
                    modified: at("2026-11-28T09:05:00Z"),
                    href: format!("/console/intelligence/{kind}--{i}"),
                }
            })
            .collect(),
        next_href: Some("/console/intelligence?after=abc".to_string()),
    }
}

fn object(lang: Lang, relations: usize) -> ObjectDetailPage {
    ObjectDetailPage {
        chrome: chrome(lang, Some(Section::Intelligence)),
        name: "Emotet <loader> & \"friends\"".to_string(),
        id: "malware--00000000-0000-4000-8000-000000000001".to_string(),
        stix_type: "malware".to_string(),
        tlp: Some(Tlp::Amber),
        community: "sector-electricity".to_string(),
        created: Some(at("2026-11-01T00:00:00Z")),
        modified: Some(at("2026-11-02T00:00:00Z")),
        added: at("2026-11-02T00:00:01Z"),
        revoked: relations == 3,
        properties: vec![
            ("name".to_string(), "Emotet".to_string()),
            ("labels".to_string(), "[\n  \"<x>\"\n]".to_string()),
        ],
        relations: (0..relations)
            .map(|i| Relation {
                kind: if i % 2 == 0 {
                    "uses"
                } else {
                    "indicates</text><script>"
                }
                .to_string(),
                outgoing: i % 2 == 0,
                other_name: format!("Other <{i}>"),
                other_type: "indicator".to_string(),
                other_href: format!("/console/intelligence/indicator--{i}"),
                href: format!("/console/intelligence/relationship--{i}"),
            })
            .collect(),
        sightings: if relations == 0 {
            Sightings::default()
        } else {
            Sightings {
                count: 5,
                first_seen: Some(at("2026-11-03T00:00:00Z")),
                last_seen: Some(at("2026-11-04T12:30:00Z")),
                places: vec!["電力 <sector>".to_string(), "Kansai".to_string()],
            }
        },
        versions: vec![(
            "2026-11-02T00:00:00.000Z".to_string(),
            at("2026-11-02T00:00:01Z"),
            "/console/intelligence/malware--1?version=x".to_string(),
        )],
        download_href: "/console/intelligence/malware--1/stix".to_string(),
    }
}

fn sign_in(lang: Lang, problem: Option<SignInProblem>) -> SignInPage {
    SignInPage {
        chrome: Chrome::signed_out(lang, "共有ハブ kyoyu", "/console/sign-in"),
        login: "sato".to_string(),
        problem,
        notice: problem.is_none().then_some(SignInNotice::SignedOut),
        csrf_token: Some("pre-session".to_string()),
    }
}

fn totp(lang: Lang, problem: Option<TotpProblem>) -> TotpEnrolPage {
    TotpEnrolPage {
        chrome: chrome(lang, None),
        secret_base32: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP".to_string(),
        otpauth_uri: "otpauth://totp/kyoyu:sato?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=kyoyu&period=30&digits=6".to_string(),
        csrf_token: "csrf-token-123".to_string(),
        problem,
    }
}

fn dashboard(lang: Lang) -> DashboardPage {
    DashboardPage {
        chrome: chrome(lang, Some(Section::Dashboard)),
        since: Some(at("2026-11-27T00:30:00Z")),
        new_by_tlp: vec![
            TlpCount {
                tlp: Some(Tlp::Red),
                count: 1,
            },
            TlpCount {
                tlp: Some(Tlp::AmberStrict),
                count: 2,
            },
            TlpCount {
                tlp: Some(Tlp::Amber),
                count: 3,
            },
            TlpCount {
                tlp: Some(Tlp::Green),
                count: 4,
            },
            TlpCount {
                tlp: Some(Tlp::Clear),
                count: 5,
            },
            TlpCount {
                tlp: None,
                count: 6,
            },
        ],
        new_by_type: vec![
            TypeCount {
                stix_type: "indicator".to_string(),
                count: 15,
            },
            TypeCount {
                stix_type: "x-acme-widget".to_string(),
                count: 6,
            },
        ],
        submissions: SubmissionState::ALL
            .iter()
            .enumerate()
            .map(|(i, state)| SubmissionRow {
                receipt: format!("r{i}-9f86d081884c7d65"),
                summary: format!("Phishing wave {i}"),
                submitted: at("2026-11-20T03:00:00Z"),
                state: *state,
                href: (i % 2 == 0).then(|| format!("/console/receipts/r{i}")),
            })
            .collect(),
        review_queue: Some(7),
        recent: table(6),
        deadlines: vec![crate::reporting::IncidentRow {
            id: "incident-1".into(),
            title: "Substation gateway".into(),
            filer: String::new(),
            regime: "jp-ci".into(),
            state: "filed".into(),
            next: Some(("final".into(), Some(at("2026-11-28T01:00:00Z")))),
            overdue: true,
        }],
    }
}

fn error(lang: Lang, status: u16) -> ErrorPage {
    ErrorPage {
        chrome: chrome(lang, None),
        status,
        message: "The object was withdrawn by its sender.".to_string(),
        back_href: "/console/intelligence".to_string(),
    }
}

/// Every page, in several states, as (name, HTML, whole document?).
fn all_pages(lang: Lang) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    let mut page = |name: &str, html: Result<String, pages::RenderError>, whole: bool| {
        out.push((format!("{name} [{}]", lang.code()), html.unwrap(), whole));
    };
    page("sign-in", crate::render_sign_in(&sign_in(lang, None)), true);
    for problem in SignInProblem::ALL {
        page(
            &format!("sign-in {problem:?}"),
            crate::render_sign_in(&sign_in(lang, Some(problem))),
            true,
        );
    }
    page("totp", crate::render_totp_enrol(&totp(lang, None)), true);
    for problem in TotpProblem::ALL {
        page(
            &format!("totp {problem:?}"),
            crate::render_totp_enrol(&totp(lang, Some(problem))),
            true,
        );
    }
    for (required, problem) in [
        (true, None),
        (false, Some(PasswordProblem::Mismatch)),
        (
            false,
            Some(PasswordProblem::Refused("too short".to_string())),
        ),
    ] {
        let p = PasswordPage {
            chrome: chrome(lang, None),
            required,
            csrf_token: "csrf-password".to_string(),
            problem,
        };
        page(
            &format!("password {required}"),
            crate::render_password(&p),
            true,
        );
    }
    for results in [None, Some(table(3)), Some(table(0))] {
        let p = SearchPage {
            chrome: chrome(lang, Some(Section::Search)),
            q: "ランサムウェア <script>".to_string(),
            value: "198.51.100.7".to_string(),
            problem: results
                .is_none()
                .then_some(SearchProblem::Refused("too long <b>".to_string())),
            results,
        };
        page("search", crate::render_search(&p), true);
    }
    let browse = IntelligencePage {
        chrome: chrome(lang, Some(Section::Intelligence)),
        communities: vec![
            ("sector-electricity".to_string(), "電力".to_string()),
            ("national".to_string(), "National <b>".to_string()),
        ],
        community: "national".to_string(),
        stix_type: "malware".to_string(),
        tlp: Some(Tlp::AmberStrict),
        since: "2026-11-01".to_string(),
        table: table(4),
    };
    page("intelligence", crate::render_intelligence(&browse), true);
    for relations in [0, 3, 30] {
        page(
            &format!("object {relations}"),
            crate::render_object(&object(lang, relations)),
            true,
        );
    }
    let form = SubmitPage {
        chrome: chrome(lang, Some(Section::Submit)),
        communities: vec![("sector-electricity".to_string(), "電力 <x>".to_string())],
        form: SubmitForm {
            community: "sector-electricity".to_string(),
            tlp: "amber".to_string(),
            conceal: true,
            title: "停電 <script>".to_string(),
            indicators: "203.0.113.7".to_string(),
            category: "ransomware".to_string(),
            ..SubmitForm::default()
        },
        csrf_token: "csrf-submit".to_string(),
        problem: None,
        preview: None,
        submitted: None,
    };
    page("submit", crate::render_submit(&form), true);
    let mut previewed = form.clone();
    previewed.problem = Some("the form's title is empty <b>".to_string());
    previewed.preview = Some(Preview {
        objects: vec!["\"name\": \"[redacted] at redacted.invalid <i>\"".to_string()],
        doubts: vec![Doubt {
            number: 1,
            object: "incident--1".to_string(),
            path: "$.description".to_string(),
            why: "a name <b>".to_string(),
            text: "Tanaka <script>".to_string(),
        }],
        redactions: vec![("organization".to_string(), 2)],
        dropped: 1,
    });
    page("submit preview", crate::render_submit(&previewed), true);
    let mut done = form.clone();
    done.submitted = Some(Submitted::Concealed {
        receipt: "kyoyur_abc".to_string(),
        state: SubmissionState::Review,
        doubts: 2,
    });
    page("submit done", crate::render_submit(&done), true);
    done.submitted = Some(Submitted::Attributed {
        stored: 3,
        refused: vec!["x <y>".to_string()],
    });
    page("submit attributed", crate::render_submit(&done), true);
    let doubts = vec![
        Doubt {
            number: 1,
            object: "incident--1".to_string(),
            path: "$.description".to_string(),
            why: "a person's name <b>".to_string(),
            text: "mark".to_string(),
        },
        Doubt {
            number: 2,
            object: "incident--1".to_string(),
            path: "$.name".to_string(),
            why: "a host".to_string(),
            text: "class <i>".to_string(),
        },
    ];
    page(
        "review",
        crate::render_review(&ReviewPage {
            chrome: chrome(lang, Some(Section::Review)),
            id: "5f1c-../../x".to_string(),
            community: "電力".to_string(),
            rev: 3,
            objects: vec!["\"description\": \"mark and class <i> at [redacted]\"".to_string()],
            doubts,
            csrf_token: "csrf-review".to_string(),
            problem: Some("changed since <b>".to_string()),
        }),
        true,
    );
    for notice in [
        None,
        Some(ReviewNotice::Approved("s-1".to_string())),
        Some(ReviewNotice::Rejected("s-2".to_string())),
        Some(ReviewNotice::Edited("s-3".to_string())),
    ] {
        page(
            "review queue",
            crate::render_review_queue(&ReviewQueuePage {
                chrome: chrome(lang, Some(Section::Review)),
                items: vec![ReviewItem {
                    id: "s-1".to_string(),
                    community: "電力".to_string(),
                    objects: 3,
                    doubts: 2,
                    href: "/console/review/s-1".to_string(),
                }],
                notice,
            }),
            true,
        );
    }
    let status = ReceiptStatus {
        receipt: "kyoyur_abc<".to_string(),
        community: "電力".to_string(),
        state: SubmissionState::Released,
        released: Some(at("2026-11-20T03:00:00Z")),
        objects: vec![(
            "indicator--1".to_string(),
            "/console/intelligence/indicator--1".to_string(),
        )],
        note: Some("thanks <b>".to_string()),
        sightings: 2,
        feedback: vec!["note: seen too <i>".to_string()],
    };
    for (status, problem, withdrawn) in [
        (None, None, false),
        (Some(status.clone()), None, false),
        (None, Some("no such receipt <b>".to_string()), true),
    ] {
        page(
            "receipts",
            crate::render_receipts(&ReceiptsPage {
                chrome: chrome(lang, Some(Section::Receipts)),
                kept: dashboard(lang).submissions,
                status,
                csrf_token: "csrf-receipts".to_string(),
                problem,
                withdrawn,
            }),
            true,
        );
    }
    for (tokens, new_secret, problem) in [
        (0, None, None),
        (
            2,
            Some("kyoyu_secret".to_string()),
            Some("too many <b>".to_string()),
        ),
    ] {
        page(
            "account",
            crate::render_account(&AccountPage {
                chrome: chrome(lang, None),
                role: "member".to_string(),
                second_factor: tokens > 0,
                time_zone: (tokens > 0).then(|| "Europe/Paris".to_string()),
                zones: vec!["UTC".to_string(), "Europe/Paris".to_string()],
                tokens: (0..tokens)
                    .map(|i| TokenRow {
                        id: format!("t{i}"),
                        name: "personal:sato".to_string(),
                        org: "tokai-power".to_string(),
                        role: "member".to_string(),
                        read_only: i == 1,
                        created: "2026-11-01T00:00:00Z".to_string(),
                        expires: Some("2027-02-01T00:00:00Z".to_string()),
                        revoked: false,
                    })
                    .collect(),
                new_secret,
                csrf_token: "csrf-account".to_string(),
                problem,
            }),
            true,
        );
    }
    for tab in AdminTab::ALL {
        for checked in [None, Some(None), Some(Some((7, "edited <b>".to_string())))] {
            let admin = AdminPage {
                chrome: chrome(lang, Some(Section::Admin)),
                tabs: AdminTab::ALL.to_vec(),
                tab,
                orgs: vec![(
                    "tokai-power".to_string(),
                    "東海電力 <x>".to_string(),
                    "operator".to_string(),
                    "electricity".to_string(),
                )],
                communities: vec![(
                    "national".to_string(),
                    "全体".to_string(),
                    12,
                    "TLP:GREEN".to_string(),
                )],
                users: vec![UserRow {
                    login: "sato-k".to_string(),
                    name: "佐藤 <b>".to_string(),
                    org: "tokai-power".to_string(),
                    role: "member".to_string(),
                    second_factor: false,
                    disabled: true,
                }],
                user_orgs: vec![("tokai-power".to_string(), "東海電力".to_string())],
                roles: vec!["member".to_string(), "analyst".to_string()],
                tokens: Vec::new(),
                audit: vec![AuditRow {
                    seq: 3,
                    at: at("2026-11-28T09:05:00Z"),
                    actor_org: "hub".to_string(),
                    actor: "user:h.suzuki".to_string(),
                    action: "user.create".to_string(),
                    target: "sato-k <i>".to_string(),
                }],
                audit_check: checked.map(|broken| AuditCheckView {
                    entries: 12,
                    withheld: 1,
                    head: "12:ab12".to_string(),
                    broken,
                }),
                temporary_password: Some(("sato-k".to_string(), "abcd efgh".to_string())),
                members: (tab == AdminTab::Communities).then(|| Members {
                    id: "sector-gas".to_string(),
                    name: "ガス <b>".to_string(),
                    members: vec![(
                        "sakura-gas".to_string(),
                        "さくらガス".to_string(),
                        "member".to_string(),
                    )],
                    candidates: vec![("aoba-bank".to_string(), "あおば銀行".to_string())],
                    roles: vec!["member".to_string(), "observer".to_string()],
                }),
                suppliers: (tab == AdminTab::Orgs).then(|| Members {
                    id: "minato-power".to_string(),
                    name: "みなと電力".to_string(),
                    members: Vec::new(),
                    candidates: vec![("netguard".to_string(), "NetGuard".to_string())],
                    roles: Vec::new(),
                }),
                org_kinds: vec!["operator".to_string(), "supplier".to_string()],
                sectors: vec![("gas".to_string(), "ガス".to_string())],
                csrf_token: "csrf-admin".to_string(),
                problem: None,
            };
            page(&format!("admin {tab:?}"), crate::render_admin(&admin), true);
        }
    }
    page("dashboard", crate::render_dashboard(&dashboard(lang)), true);
    let mut empty = dashboard(lang);
    empty.since = None;
    empty.new_by_tlp.clear();
    empty.new_by_type.clear();
    empty.submissions.clear();
    empty.review_queue = None;
    empty.recent = table(0);
    empty.chrome.demo = true;
    page(
        "dashboard empty demo",
        crate::render_dashboard(&empty),
        true,
    );
    for status in KNOWN_STATUSES.into_iter().chain([418]) {
        page(
            &format!("error {status}"),
            crate::render_error(&error(lang, status)),
            true,
        );
    }
    let mut signed_out_error = error(lang, 404);
    signed_out_error.chrome = Chrome::signed_out(lang, "kyoyu", "/console/nowhere");
    page(
        "error signed out",
        crate::render_error(&signed_out_error),
        true,
    );
    page(
        "object table fragment",
        crate::render_object_table(lang, Some("UTC"), &table(3)),
        false,
    );
    out
}

fn every_page() -> Vec<(String, String, bool)> {
    LANGS.into_iter().flat_map(all_pages).collect()
}

/// The start tags of a document: (name, attributes).
fn tags(html: &str) -> Vec<(String, HashMap<String, String>)> {
    let tag = Regex::new(r"<([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/]+(?:=\x22[^\x22]*\x22)?)*)\s*/?>")
        .unwrap();
    let attr = Regex::new(r#"([^\s=>/]+)(?:="([^"]*)")?"#).unwrap();
    tag.captures_iter(html)
        .map(|c| {
            let attrs = attr
                .captures_iter(&c[2])
                .map(|a| {
                    (
                        a[1].to_ascii_lowercase(),
                        a.get(2).map_or(String::new(), |v| v.as_str().to_string()),
                    )
                })
                .collect();
            (c[1].to_ascii_lowercase(), attrs)
        })
        .collect()
}

#[test]
fn every_page_renders_in_both_languages() {
    let key_like = Regex::new(r">\s*[a-z_]+\.[a-z_]+\s*<").unwrap();
    let code = Regex::new(r"<code[^>]*>[^<]*</code>").unwrap();
    for lang in LANGS {
        for (name, html, whole) in all_pages(lang) {
            if whole {
                assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
                assert!(
                    html.contains(&format!("<html lang=\"{}\">", lang.code())),
                    "{name}: lang attribute"
                );
                assert!(html.trim_end().ends_with("</html>"), "{name}");
            }
            // No key left untranslated, no argument left unfilled.
            assert!(
                !html.contains('{') && !html.contains('}'),
                "{name}: braces left"
            );
            // (The concealment's own placeholder host, and identifiers in
            // <code> such as logins and audit actions, look like keys.)
            let shown = code
                .replace_all(&html, "")
                .replace(">redacted.invalid<", "><");
            assert!(
                !key_like.is_match(&shown),
                "{name}: a raw catalogue key is shown"
            );
        }
    }
}

#[test]
fn pages_obey_the_content_security_policy() {
    let handler = Regex::new(r#"(?i)\son[a-z]+\s*="#).unwrap();
    for (name, html, _) in every_page() {
        assert!(!html.contains("style="), "{name}: style attribute");
        assert!(
            !html.to_ascii_lowercase().contains("<style"),
            "{name}: style element"
        );
        assert!(!handler.is_match(&html), "{name}: event handler attribute");
        assert!(!html.contains("javascript:"), "{name}: javascript: URL");
        for (tag, attrs) in tags(&html) {
            if tag == "script" {
                let src = attrs
                    .get("src")
                    .unwrap_or_else(|| panic!("{name}: inline script"));
                assert_eq!(src, &assets::js().url(), "{name}");
            }
            if tag == "link" {
                let own = [assets::css().url(), assets::favicon().url()];
                assert!(own.contains(&attrs["href"]), "{name}: {}", attrs["href"]);
            }
            for url_attr in ["href", "src", "action"] {
                if let Some(url) = attrs.get(url_attr) {
                    assert!(
                        url.starts_with('/') && !url.starts_with("//") || url.starts_with('#'),
                        "{name}: {tag} {url_attr}={url} leaves the hub"
                    );
                }
            }
        }
        // Every script element has content only from its src.
        for chunk in html.split("<script").skip(1) {
            assert!(chunk.contains("></script>"), "{name}: script with a body");
        }
    }
}

#[test]
fn markup_is_accessible() {
    let summary_id = Regex::new(r#"class="error-summary" id="([a-z-]+)""#).unwrap();
    for (name, html, whole) in every_page() {
        let tags = tags(&html);
        let ids: Vec<&str> = tags
            .iter()
            .filter_map(|(_, a)| a.get("id").map(String::as_str))
            .collect();
        let unique: BTreeSet<_> = ids.iter().collect();
        assert_eq!(unique.len(), ids.len(), "{name}: duplicate ids");
        let labels: BTreeSet<&String> = tags
            .iter()
            .filter(|(t, _)| t == "label")
            .filter_map(|(_, a)| a.get("for"))
            .collect();
        for (tag, attrs) in &tags {
            let hidden = attrs.get("type").is_some_and(|t| t == "hidden");
            if matches!(tag.as_str(), "input" | "select" | "textarea") && !hidden {
                let id = attrs
                    .get("id")
                    .unwrap_or_else(|| panic!("{name}: {tag} without id"));
                assert!(labels.contains(id), "{name}: no <label for={id}>");
            }
            if let Some(refs) = attrs.get("aria-describedby") {
                for r in refs.split_whitespace() {
                    assert!(ids.contains(&r), "{name}: describedby {r} missing");
                }
            }
            if let Some(r) = attrs.get("aria-labelledby") {
                assert!(ids.contains(&r.as_str()), "{name}: labelledby {r} missing");
            }
            if tag == "th" {
                let scope = attrs.get("scope").map(String::as_str);
                assert!(
                    matches!(scope, Some("col" | "row")),
                    "{name}: <th> without scope"
                );
            }
            if tag == "img" {
                assert!(attrs.contains_key("alt"), "{name}: <img> without alt");
            }
            if tag == "a" {
                assert!(attrs.contains_key("href"), "{name}: <a> without href");
            }
        }
        // An error shown is announced; the fields it is about (those that
        // point to it with aria-describedby) are marked invalid.
        if html.contains("class=\"error-summary\"") {
            assert!(html.contains("role=\"alert\""), "{name}");
            for c in summary_id.captures_iter(&html) {
                let id = &c[1];
                let field = Regex::new(&format!(
                    r#"<[^>]*aria-describedby="[^"]*\b{id}\b[^"]*"[^>]*>"#
                ))
                .unwrap();
                for f in field.find_iter(&html) {
                    assert!(
                        f.as_str().contains("aria-invalid=\"true\""),
                        "{name}: {}",
                        f.as_str()
                    );
                }
            }
        }
        if whole {
            for landmark in ["<header", "<nav", "<main id=\"main\"", "<footer"] {
                assert!(html.contains(landmark), "{name}: no {landmark}");
            }
            assert!(
                html.contains("class=\"skip-link\" href=\"#main\""),
                "{name}"
            );
            // Headings in order: one h1 first, never a level skipped.
            let levels: Vec<u8> = tags
                .iter()
                .filter_map(|(t, _)| {
                    let level = t.strip_prefix('h')?.parse::<u8>().ok()?;
                    (1..=6).contains(&level).then_some(level)
                })
                .collect();
            assert_eq!(levels.first(), Some(&1), "{name}: first heading is not h1");
            assert_eq!(
                levels.iter().filter(|l| **l == 1).count(),
                1,
                "{name}: h1 count"
            );
            for pair in levels.windows(2) {
                assert!(pair[1] <= pair[0] + 1, "{name}: heading levels {levels:?}");
            }
            // The language switch, on every page: each link names its language in itself.
            for lang in LANGS {
                let link = format!("hreflang=\"{code}\" lang=\"{code}\"", code = lang.code());
                assert!(html.contains(&link), "{name}: no switch to {}", lang.code());
                assert!(html.contains(&format!("lang={}\"", lang.code())), "{name}");
            }
        }
    }
}

#[test]
fn hostile_text_is_escaped() {
    for lang in LANGS {
        let mut c = chrome(lang, Some(Section::Dashboard));
        c.hub_name = HOSTILE.to_string();
        c.user = Some(SignedIn {
            name: HOSTILE.to_string(),
            login: HOSTILE.to_string(),
            organization: HOSTILE.to_string(),
            csrf_token: HOSTILE.to_string(),
        });
        c.path = format!("/console?q={HOSTILE}");
        c.time_zone = Some(HOSTILE.to_string());
        let mut objects = table(2);
        objects.caption = HOSTILE.to_string();
        objects.id = HOSTILE.to_string();
        objects.rows[0].name = HOSTILE.to_string();
        objects.rows[0].id = HOSTILE.to_string();
        objects.rows[0].stix_type = HOSTILE.to_string();
        objects.rows[1].href = format!("javascript:{HOSTILE}");
        objects.next_href = Some(HOSTILE.to_string());
        let mut d = dashboard(lang);
        d.chrome = c.clone();
        d.recent = objects.clone();
        d.new_by_type[0].stix_type = HOSTILE.to_string();
        d.submissions[0].receipt = HOSTILE.to_string();
        d.submissions[0].summary = HOSTILE.to_string();
        d.submissions[0].href = Some(HOSTILE.to_string());
        let mut s = sign_in(lang, Some(SignInProblem::Invalid));
        s.chrome.hub_name = HOSTILE.to_string();
        s.login = HOSTILE.to_string();
        s.csrf_token = Some(HOSTILE.to_string());
        let mut e = error(lang, 422);
        e.chrome = c.clone();
        e.message = HOSTILE.to_string();
        e.back_href = format!("javascript:{HOSTILE}");
        let mut tp = totp(lang, None);
        tp.chrome = c.clone();
        tp.secret_base32 = HOSTILE.to_string();
        tp.otpauth_uri = HOSTILE.to_string();
        tp.csrf_token = HOSTILE.to_string();
        let list = IntelligencePage {
            chrome: c.clone(),
            communities: vec![(HOSTILE.to_string(), HOSTILE.to_string())],
            community: HOSTILE.to_string(),
            stix_type: HOSTILE.to_string(),
            tlp: None,
            since: HOSTILE.to_string(),
            table: objects.clone(),
        };
        let pages = [
            crate::render_dashboard(&d).unwrap(),
            crate::render_sign_in(&s).unwrap(),
            crate::render_error(&e).unwrap(),
            crate::render_totp_enrol(&tp).unwrap(),
            crate::render_intelligence(&list).unwrap(),
        ];
        for html in pages {
            assert!(!html.contains("<script>alert"), "{html}");
            assert!(!html.contains("<img"), "{html}");
            // The text survives only as text: no attribute is broken out of.
            for (tag, attrs) in tags(&html) {
                assert!(
                    !attrs.keys().any(|a| a.starts_with("on")),
                    "{tag} {attrs:?}"
                );
                assert!(
                    !attrs.contains_key("src") || tag == "script",
                    "{tag} {attrs:?}"
                );
            }
            assert!(!html.contains("\"'>"), "{html}");
            assert!(!html.contains("javascript:"), "{html}");
            assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        }
    }
}

#[test]
fn navigation_shows_only_what_the_person_may_use() {
    let mut c = chrome(Lang::En, Some(Section::Search));
    c.may = Permissions {
        dashboard: true,
        search: true,
        ..Permissions::default()
    };
    let html = crate::render_error(&ErrorPage {
        chrome: c,
        status: 404,
        message: String::new(),
        back_href: "/console".to_string(),
    })
    .unwrap();
    assert!(html.contains("<a href=\"/console\">Dashboard</a>"));
    assert!(html.contains("<a href=\"/console/search\" aria-current=\"page\">Search</a>"));
    for hidden in [
        "Intelligence",
        "Submit",
        "Review",
        "Receipts",
        "Administration",
    ] {
        assert!(!html.contains(&format!(">{hidden}</a>")), "{hidden} shown");
    }
    // An empty message shows no details section.
    assert!(!html.contains("details-heading"));

    // Every section, in order, when all are allowed.
    let html = crate::render_dashboard(&dashboard(Lang::Ja)).unwrap();
    let mut last = 0;
    for section in Section::ALL {
        let link = format!("<a href=\"{}\"", section.href());
        let pos = html[last..].find(&link).map(|p| p + last);
        let pos = pos.unwrap_or_else(|| panic!("{section:?} missing"));
        last = pos;
        assert!(html.contains(t(Lang::Ja, section.key())));
    }
    assert!(html.contains("aria-current=\"page\">ダッシュボード</a>"));
}

#[test]
fn the_signed_in_person_and_sign_out() {
    let html = crate::render_dashboard(&dashboard(Lang::En)).unwrap();
    assert!(html.contains("Signed in as 佐藤 花子 (東京電力網株式会社)"));
    assert!(html.contains(
        "<form method=\"post\" action=\"/console/sign-out\">\n<input type=\"hidden\" name=\"csrf\" value=\"csrf-token-123\">"
    ));
    assert_eq!(paths::SIGN_OUT, "/console/sign-out");
    assert_eq!(paths::CSRF_FIELD, "csrf");
    let html = crate::render_dashboard(&dashboard(Lang::Ja)).unwrap();
    assert!(html.contains("東京電力網株式会社 佐藤 花子 さんがサインイン中"));
    assert!(html.contains(">サインアウト</button>"));

    // Signed out: no navigation, no account, no sign-out form; the switch is still there.
    let html = crate::render_sign_in(&sign_in(Lang::Ja, None)).unwrap();
    assert!(!html.contains("main-nav"));
    assert!(!html.contains("sign-out"));
    assert!(
        html.contains(
            "<a href=\"/console/sign-in?lang=en\" hreflang=\"en\" lang=\"en\">English</a>"
        )
    );
    assert!(html.contains(
        "<a href=\"/console/sign-in?lang=ja\" hreflang=\"ja\" lang=\"ja\" aria-current=\"true\">日本語</a>"
    ));
}

#[test]
fn demo_banner_only_on_demo_hubs() {
    let mut d = dashboard(Lang::Ja);
    let html = crate::render_dashboard(&d).unwrap();
    assert!(!html.contains("demo-banner"));
    d.chrome.demo = true;
    let html = crate::render_dashboard(&d).unwrap();
    assert!(html.contains("<div class=\"demo-banner\" role=\"note\"><strong>デモ環境</strong>"));
    let mut s = sign_in(Lang::En, None);
    s.chrome.demo = true;
    let html = crate::render_sign_in(&s).unwrap();
    assert!(html.contains("<strong>DEMO</strong> This hub runs with demonstration data."));
}

#[test]
fn sign_in_form() {
    let html = crate::render_sign_in(&sign_in(Lang::En, None)).unwrap();
    assert!(html.contains("<title>Sign in | 共有ハブ kyoyu</title>"));
    assert!(html.contains("<form class=\"form\" method=\"post\" action=\"/console/sign-in\">"));
    for field in [paths::LOGIN_FIELD, paths::PASSWORD_FIELD, paths::CODE_FIELD] {
        assert!(html.contains(&format!("name=\"{field}\"")), "{field}");
    }
    assert!(html.contains("name=\"csrf\" value=\"pre-session\""));
    assert!(html.contains("value=\"sato\""));
    assert!(html.contains("autocomplete=\"current-password\""));
    assert!(html.contains("autocomplete=\"one-time-code\""));
    assert!(html.contains("role=\"status\">You have signed out.</p>"));
    assert!(!html.contains("aria-invalid"));
    let html = crate::render_sign_in(&sign_in(Lang::Ja, Some(SignInProblem::Invalid))).unwrap();
    assert!(html.contains("ログインID、パスワードまたは確認コードが正しくありません。"));
    assert!(html.contains("aria-describedby=\"code-hint sign-in-error\""));
    assert_eq!(html.matches("aria-invalid=\"true\"").count(), 3);
    // The password is never put back.
    assert!(!html.contains("type=\"password\" id=\"password\" name=\"password\" value"));
}

#[test]
fn totp_enrolment() {
    let html = crate::render_totp_enrol(&totp(Lang::Ja, None)).unwrap();
    assert!(html.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"qr\""));
    assert!(html.contains("<title id=\"qr-title\">認証アプリ用のQRコード</title>"));
    assert!(html.contains("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP"));
    assert!(
        html.contains("<form class=\"form\" method=\"post\" action=\"/console/account/totp\">")
    );
    assert!(html.contains("name=\"csrf\" value=\"csrf-token-123\""));
    assert!(!html.contains("<img"));
    let mut too_long = totp(Lang::En, Some(TotpProblem::WrongCode));
    too_long.otpauth_uri = "x".repeat(5000);
    let html = crate::render_totp_enrol(&too_long).unwrap();
    assert!(!html.contains("<svg"));
    assert!(html.contains("The QR code cannot be shown."));
    assert!(html.contains("aria-describedby=\"code-hint totp-error\" aria-invalid=\"true\""));
}

#[test]
fn dashboard_content() {
    let html = crate::render_dashboard(&dashboard(Lang::Ja)).unwrap();
    // The last visit in Tokyo time.
    assert!(html.contains("前回のアクセス（2026-11-27 09:30 JST）以降に共有された情報です。"));
    for tlp in Tlp::ALL {
        assert!(html.contains(&format!(
            "<span class=\"{}\">{}</span>",
            tlp.class(),
            tlp.label()
        )));
    }
    assert!(html.contains("<span class=\"tlp tlp-amber-strict\">TLP:AMBER+STRICT</span></th><td class=\"number\">2</td>"));
    assert!(
        html.contains(
            "<span class=\"tlp-none\">TLP指定なし</span></th><td class=\"number\">6</td>"
        )
    );
    assert!(html.contains("<th scope=\"row\">合計</th><td class=\"number\">21</td>"));
    assert!(html.contains("<th scope=\"row\">攻撃指標（IoC）</th><td class=\"number\">15</td>"));
    assert!(html.contains("<th scope=\"row\">x-acme-widget</th>"));
    assert!(html.contains("審査待ちの報告：7 件"));
    assert!(html.contains("<a href=\"/console/review\">審査画面を開く</a>"));
    for state in SubmissionState::ALL {
        assert!(html.contains(&format!(
            "<span class=\"{}\">{}</span>",
            state.class(),
            t(Lang::Ja, state.key())
        )));
    }
    assert!(
        html.contains("<time datetime=\"2026-11-20T12:00:00+09:00\">2026-11-20 12:00 JST</time>")
    );
    assert!(html.contains("<a href=\"/console/receipts/r0\">r0-9f86d081884c7d65</a>"));
    assert!(html.contains("<code>r1-9f86d081884c7d65</code>"));

    let mut first = dashboard(Lang::En);
    first.since = None;
    first.new_by_tlp.clear();
    first.new_by_type.clear();
    first.review_queue = None;
    first.chrome.may.review = false;
    let html = crate::render_dashboard(&first).unwrap();
    assert!(html.contains("Shared with you so far."));
    assert!(html.contains("<p>Nothing new.</p>"));
    assert!(!html.contains("review-heading"));
    // A reviewer without the review section sees the count but no link.
    let mut no_link = dashboard(Lang::En);
    no_link.chrome.may.review = false;
    let html = crate::render_dashboard(&no_link).unwrap();
    assert!(html.contains("Submissions waiting for review: 7"));
    assert!(!html.contains("Open the review queue"));
}

#[test]
fn object_table_and_fragment() {
    let html = crate::render_object_table(Lang::En, None, &table(6)).unwrap();
    assert!(html.starts_with("<div id=\"objects\" class=\"object-table\">"));
    assert!(!html.contains("<html"));
    assert!(html.contains("<caption>Recent</caption>"));
    assert!(html.contains("<span class=\"tlp tlp-red\">TLP:RED</span>"));
    assert!(html.contains("<span class=\"tlp-none\">No marking</span>"));
    assert!(html.contains("<td>Indicator</td>"));
    assert!(html.contains("<td>x-acme-widget</td>"));
    assert!(html.contains("2026-11-28 18:05 JST"));
    assert!(html.contains(
        "<a href=\"/console/intelligence?after=abc\" data-partial=\"objects\">Next page</a>"
    ));
    let html = crate::render_object_table(Lang::En, Some("UTC"), &table(1)).unwrap();
    assert!(
        html.contains("<time datetime=\"2026-11-28T09:05:00+00:00\">2026-11-28 09:05 UTC</time>")
    );
    let mut empty = table(0);
    empty.next_href = None;
    let html = crate::render_object_table(Lang::Ja, None, &empty).unwrap();
    assert!(html.contains("表示できる情報はありません。"));
    assert!(!html.contains("<table"));
    assert!(!html.contains("data-partial"));
    // A row without a name shows its id.
    let mut nameless = table(1);
    nameless.rows[0].name = " ".to_string();
    let html = crate::render_object_table(Lang::Ja, None, &nameless).unwrap();
    assert!(html.contains(">indicator--00000000-0000-4000-8000-000000000000</a>"));
}

#[test]
fn error_pages() {
    let html = crate::render_error(&error(Lang::Ja, 404)).unwrap();
    assert!(html.contains("<h1>エラー 404：ページが見つかりません</h1>"));
    assert!(html.contains("<title>ページが見つかりません | 共有ハブ kyoyu</title>"));
    assert!(html.contains("<p>The object was withdrawn by its sender.</p>"));
    assert!(html.contains("<a href=\"/console/intelligence\">前のページへ戻る</a>"));
    let html = crate::render_error(&error(Lang::En, 418)).unwrap();
    assert!(html.contains("<h1>Error 418: Error</h1>"));
    let mut offsite = error(Lang::En, 403);
    offsite.back_href = "https://evil.example/".to_string();
    let html = crate::render_error(&offsite).unwrap();
    assert!(html.contains("<a href=\"/console\">Go back</a>"));
    // Every status of the error table has its own title.
    let titles: BTreeSet<&str> = KNOWN_STATUSES
        .iter()
        .map(|s| t(Lang::En, status_key(*s)))
        .collect();
    assert_eq!(titles.len(), KNOWN_STATUSES.len());
}

/// Every key a template or the Rust code names, and every key an enum maps to, is in both
/// catalogues.
#[test]
fn every_key_used_exists() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
    let template_call = Regex::new(r#"\bl\.t\("([^"]+)"\)"#).unwrap();
    let rust_call = Regex::new(r#"\bt[f]?\(\s*[a-z_.]+,\s*"([^"]+)""#).unwrap();
    let mut used = BTreeSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for c in template_call.captures_iter(&text) {
            used.insert(c[1].to_string());
        }
    }
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        if path.file_name().unwrap() == "tests.rs" {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // Only the library code, not its tests.
        let code = text.split("#[cfg(test)]").next().unwrap();
        for c in rust_call.captures_iter(code) {
            used.insert(c[1].to_string());
        }
    }
    assert!(
        used.len() > 60,
        "the key scan found only {} keys",
        used.len()
    );
    for s in Section::ALL {
        used.insert(s.key().to_string());
    }
    for s in SubmissionState::ALL {
        used.insert(s.key().to_string());
    }
    for p in SignInProblem::ALL {
        used.insert(p.key().to_string());
    }
    for n in SignInNotice::ALL {
        used.insert(n.key().to_string());
    }
    for p in TotpProblem::ALL {
        used.insert(p.key().to_string());
    }
    for s in KNOWN_STATUSES.into_iter().chain([999]) {
        used.insert(status_key(s).to_string());
    }
    for c in CATEGORIES {
        used.insert(format!("category.{c}"));
    }
    for tab in AdminTab::ALL {
        used.insert(tab.key().to_string());
    }
    for kind in pages::NAMED_REDACTIONS {
        used.insert(format!("redaction.{kind}"));
    }
    for ty in NAMED_STIX_TYPES {
        used.insert(format!("stix.{ty}"));
    }
    for kind in pages::DOUBT_KINDS {
        used.insert(format!("doubt.{kind}"));
    }
    for r in crate::reporting::REGIMES {
        used.insert(format!("regime.{r}"));
    }
    for s in crate::reporting::INCIDENT_STATES {
        used.insert(format!("incident_state.{s}"));
    }
    for s in crate::reporting::HOTLINE_STATES {
        used.insert(format!("hotline_state.{s}"));
    }
    for e in crate::reporting::TIMELINE_EVENTS {
        used.insert(format!("timeline.{e}"));
    }
    // Incident categories and deadline kinds are worded from the
    // reporting engine's own lists.
    for c in kyoyu_report::CATEGORIES {
        used.insert(format!("incident_category.{c}"));
    }
    for k in kyoyu_report::DeadlineKind::ALL {
        used.insert(format!("reporting.kind_{}", k.as_str()));
    }
    used.insert("meta.autonym".to_string());
    let catalogues: Vec<_> = i18n::sources()
        .into_iter()
        .map(|(lang, source)| (lang, i18n::load(source).unwrap()))
        .collect();
    for (lang, catalogue) in &catalogues {
        let missing: Vec<_> = used
            .iter()
            .filter(|k| !catalogue.contains_key(*k))
            .collect();
        assert!(missing.is_empty(), "{}: missing {missing:?}", lang.code());
        // And nothing in the catalogue is unused.
        // (The core's messages are checked against the core's catalogue by
        // the console-http tests.)
        let unused: Vec<_> = catalogue
            .keys()
            .filter(|k| !used.contains(*k) && !k.starts_with(i18n::CORE_PREFIX))
            .collect();
        assert!(unused.is_empty(), "{}: unused {unused:?}", lang.code());
    }
}

/// WCAG 2 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let hex = hex.trim_start_matches('#');
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

fn css_colours() -> HashMap<String, String> {
    let css = std::str::from_utf8(assets::css().bytes).unwrap();
    let var = Regex::new(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6});").unwrap();
    var.captures_iter(css)
        .map(|c| (c[1].to_string(), c[2].to_ascii_lowercase()))
        .collect()
}

#[test]
fn tlp_badges_in_first_colours_with_enough_contrast() {
    let colours = css_colours();
    assert_eq!(colours["tlp-bg"], "#000000");
    for (var, tlp) in [
        ("tlp-red", Tlp::Red),
        ("tlp-amber", Tlp::Amber),
        ("tlp-amber", Tlp::AmberStrict),
        ("tlp-green", Tlp::Green),
        ("tlp-clear", Tlp::Clear),
    ] {
        assert_eq!(colours[var], tlp.colour().to_ascii_lowercase(), "{var}");
        let ratio = contrast(&colours[var], &colours["tlp-bg"]);
        assert!(ratio >= 4.5, "{var} on black: {ratio:.2}");
        let class = tlp.class().trim_start_matches("tlp ");
        let css = std::str::from_utf8(assets::css().bytes).unwrap();
        assert!(css.contains(&format!(".{class}")), "no rule for .{class}");
    }
    // TLP:RED, the darkest, is about 5.6:1 on black.
    assert!((contrast("#ff2b2b", "#000000") - 5.6).abs() < 0.1);
    assert!((contrast("#ffffff", "#000000") - 21.0).abs() < 0.01);
}

#[test]
fn stylesheet_colour_pairs_have_enough_contrast() {
    let colours = css_colours();
    let pairs = [
        ("ink", "paper"),
        ("ink", "panel"),
        ("ink", "nav-bg"),
        ("muted", "paper"),
        ("muted", "panel"),
        ("link", "paper"),
        ("link", "panel"),
        ("header-ink", "header-bg"),
        ("nav-current-ink", "nav-current"),
        ("button-ink", "button-bg"),
        ("error-ink", "error-bg"),
        ("error-ink", "paper"),
        ("notice-ink", "notice-bg"),
        ("warning-ink", "warning-bg"),
        ("demo-ink", "demo-bg"),
        ("state-waiting-ink", "state-waiting-bg"),
        ("state-done-ink", "state-done-bg"),
        ("state-ended-ink", "state-ended-bg"),
    ];
    for (fg, bg) in pairs {
        let ratio = contrast(&colours[fg], &colours[bg]);
        assert!(ratio >= 4.5, "--{fg} on --{bg}: {ratio:.2}");
    }
    // The focus ring stands out (3:1, WCAG 1.4.11) against its dark edge and the header.
    assert!(contrast(&colours["focus"], &colours["focus-ring"]) >= 3.0);
    assert!(contrast(&colours["focus"], &colours["header-bg"]) >= 3.0);
    let css = std::str::from_utf8(assets::css().bytes).unwrap();
    assert!(css.contains(":focus-visible"));
    assert!(css.contains("@media (max-width: 48rem)"));
}

/// With `KYOYU_CONSOLE_PREVIEW=DIR`, writes every page and the assets under `DIR` as a static
/// site (`DIR/console/…`), to look at in a browser: `python3 -m http.server -d DIR`.
#[test]
fn preview_site() {
    let Some(dir) = std::env::var_os("KYOYU_CONSOLE_PREVIEW") else {
        return;
    };
    let root = std::path::Path::new(&dir);
    let assets_dir = root.join("console/assets");
    std::fs::create_dir_all(&assets_dir).unwrap();
    for asset in [assets::css(), assets::js(), assets::favicon()] {
        std::fs::write(assets_dir.join(&asset.file_name), asset.bytes).unwrap();
    }
    for (name, html, _) in every_page() {
        let file: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        std::fs::write(root.join(format!("{file}.html")), html).unwrap();
    }
    let mut demo = dashboard(Lang::Ja);
    demo.chrome.demo = true;
    std::fs::write(
        root.join("dashboard-demo-ja.html"),
        crate::render_dashboard(&demo).unwrap(),
    )
    .unwrap();
}

#[test]
fn doubts_and_redactions_are_marked_without_breaking_markup() {
    let doubts = [
        Doubt {
            number: 1,
            object: String::new(),
            path: String::new(),
            why: String::new(),
            text: "mark".to_string(),
        },
        Doubt {
            number: 2,
            object: String::new(),
            path: String::new(),
            why: String::new(),
            text: "<b>Tanaka</b>".to_string(),
        },
    ];
    let html = crate::mark_doubts("mark: <b>Tanaka</b> at [redacted], mark", &doubts);
    assert_eq!(
        html,
        "<mark class=\"doubt\">mark</mark>: <mark class=\"doubt\">&lt;b&gt;Tanaka&lt;/b&gt;</mark> at <mark class=\"redaction\">[redacted]</mark>, <mark class=\"doubt\">mark</mark>"
    );
    assert_eq!(
        crate::mark_redactions("<i>[redacted]</i>@redacted.invalid"),
        "&lt;i&gt;<mark class=\"redaction\">[redacted]</mark>&lt;/i&gt;@<mark class=\"redaction\">redacted.invalid</mark>"
    );
}

/// The `<form>` elements of a page, each with its start tag's attributes and its content.
fn forms(html: &str) -> Vec<(HashMap<String, String>, String)> {
    html.split("<form")
        .skip(1)
        .map(|chunk| {
            let (start, rest) = chunk.split_once('>').unwrap();
            let (_, attrs) = tags(&format!("<form{start}>")).remove(0);
            let body = rest.split("</form>").next().unwrap().to_string();
            (attrs, body)
        })
        .collect()
}

#[test]
fn every_post_form_carries_the_csrf_field_and_goes_to_a_console_path() {
    let csrf = Regex::new(r#"<input type="hidden" name="csrf" value="([^"]+)">"#).unwrap();
    let known = [
        paths::SIGN_IN,
        paths::SIGN_OUT,
        paths::TOTP_ENROL,
        paths::SEARCH,
        paths::INTELLIGENCE,
        paths::SUBMIT,
        paths::RECEIPTS,
        paths::PASSWORD,
        paths::ACCOUNT_TOKENS,
        paths::ACCOUNT_TOKEN_REVOKE,
        paths::ADMIN_USERS,
        paths::ADMIN_USER_STATE,
        paths::ADMIN_USER_RESET,
        paths::ADMIN_TOKEN_REVOKE,
        paths::ADMIN_ORGS,
        paths::ACCOUNT_TIME_ZONE,
        paths::ADMIN_MEMBERS,
        paths::ADMIN_MEMBER_REMOVE,
        paths::ADMIN_SUPPLIERS,
        paths::ADMIN_SUPPLIER_REMOVE,
    ];
    let mut posts = 0;
    for (name, html, _) in every_page() {
        for (attrs, body) in forms(&html) {
            let action = attrs.get("action").map(String::as_str).unwrap_or_default();
            let review_one = action
                .strip_prefix(paths::REVIEW)
                .and_then(|rest| rest.strip_prefix('/'))
                .is_some_and(|id| {
                    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                });
            assert!(
                known.contains(&action) || review_one,
                "{name}: form action {action}"
            );
            let method = attrs.get("method").map(String::as_str);
            if method == Some("post") {
                posts += 1;
                // The sign-in form's token is optional (a pre-session token).
                if action != paths::SIGN_IN {
                    let token = csrf.captures(&body);
                    assert!(token.is_some(), "{name}: {action} posts without csrf");
                }
            } else {
                assert_eq!(method, Some("get"), "{name}: {action}");
                assert!(!body.contains("name=\"csrf\""), "{name}: csrf in a URL");
            }
            // Every button says what it does.
            for button in body.split("<button").skip(1) {
                let text = button.split_once('>').unwrap().1;
                let text = text.split("</button>").next().unwrap();
                assert!(!text.trim().is_empty(), "{name}: empty button");
            }
        }
    }
    assert!(posts > 50, "only {posts} post forms seen");
}

#[test]
fn search_page_content() {
    let mut p = SearchPage {
        chrome: chrome(Lang::Ja, Some(Section::Search)),
        q: "ランサムウェア　ＡＢＣ <b>".to_string(),
        value: "198.51.100.7".to_string(),
        results: Some(table(3)),
        problem: None,
    };
    let html = crate::render_search(&p).unwrap();
    assert!(html.contains(
        "<form class=\"form search-form\" method=\"get\" action=\"/console/search\" role=\"search\">"
    ));
    assert!(html.contains(&format!("name=\"{}\"", paths::QUERY_FIELD)));
    assert!(html.contains(&format!("name=\"{}\"", paths::VALUE_FIELD)));
    // Japanese and full-width text is put back as typed, escaped.
    assert!(html.contains("value=\"ランサムウェア　ＡＢＣ &#60;b&#62;\""));
    assert!(html.contains("<p class=\"count-line\" role=\"status\">該当件数: 3件以上"));
    assert!(html.contains("<caption>Recent</caption>"));
    assert!(!html.contains("error-summary"));
    p.results.as_mut().unwrap().next_href = None;
    let html = crate::render_search(&p).unwrap();
    assert!(html.contains("role=\"status\">該当件数: 3</p>"));

    p.chrome.lang = Lang::En;
    p.results = None;
    p.problem = Some(SearchProblem::NothingEntered);
    let html = crate::render_search(&p).unwrap();
    assert!(html.contains("<h2>The search was not made</h2>"));
    assert!(html.contains("<p>Enter words, an observable value, or both.</p>"));
    assert!(html.contains("aria-describedby=\"q-hint search-error\" aria-invalid=\"true\""));
    assert!(!html.contains("count-line"));
    p.problem = Some(SearchProblem::Refused(
        "the words are too long <i>".to_string(),
    ));
    let html = crate::render_search(&p).unwrap();
    assert!(html.contains("<p>the words are too long &#60;i&#62;</p>"));
}

#[test]
fn browse_page_content() {
    let mut browse = IntelligencePage {
        chrome: chrome(Lang::Ja, Some(Section::Intelligence)),
        communities: vec![
            ("sector-electricity".to_string(), "電力分野".to_string()),
            ("national".to_string(), "全体 <b>".to_string()),
        ],
        community: "national".to_string(),
        stix_type: "malware".to_string(),
        tlp: Some(Tlp::AmberStrict),
        since: "2026-11-01".to_string(),
        table: table(4),
    };
    let html = crate::render_intelligence(&browse).unwrap();
    assert!(html.contains("method=\"get\" action=\"/console/intelligence\""));
    assert!(html.contains("<option value=\"\">すべて</option>"));
    assert!(html.contains("<option value=\"national\" selected>全体 &#60;b&#62;</option>"));
    assert!(html.contains("<option value=\"malware\" selected>マルウェア</option>"));
    assert!(html.contains("<option value=\"amber+strict\" selected>TLP:AMBER+STRICT</option>"));
    assert!(
        html.contains("<input type=\"date\" id=\"since\" name=\"since\" value=\"2026-11-01\">")
    );
    assert!(html.contains("4件を表示しています。続きは「次のページ」から表示できます。"));
    assert!(html.contains("data-partial=\"objects\">次のページ</a>"));
    browse.chrome.lang = Lang::En;
    browse.table.next_href = None;
    browse.community = String::new();
    let html = crate::render_intelligence(&browse).unwrap();
    assert!(html.contains("<option value=\"\" selected>All</option>"));
    assert!(html.contains("role=\"status\">Showing 4 objects.</p>"));
}

#[test]
fn object_page_content() {
    let html = crate::render_object(&object(Lang::Ja, 3)).unwrap();
    assert!(html.contains("<h1>Emotet &#60;loader&#62; &#38; &#34;friends&#34;</h1>"));
    assert!(
        html.contains("<span class=\"tlp tlp-amber\">TLP:AMBER</span> <span>マルウェア</span>")
    );
    assert!(html.contains("malware--00000000-0000-4000-8000-000000000001"));
    assert!(html.contains("<dd>sector-electricity</dd>"));
    assert!(
        html.contains("<time datetime=\"2026-11-01T09:00:00+09:00\">2026-11-01 09:00 JST</time>")
    );
    // Revoked: said first, plainly.
    assert!(
        html.contains("<strong>取り消し済み:</strong> この情報は作成者により取り消されています。")
    );
    assert!(html.contains("href=\"/console/intelligence/malware--1/stix\" download"));
    // The relationships as a table that links, and as a picture that does not.
    assert!(html.contains("<td><a href=\"/console/intelligence/relationship--0\">uses</a></td><td>この情報から</td><th scope=\"row\"><a href=\"/console/intelligence/indicator--0\">Other &#60;0&#62;</a></th><td>攻撃指標（IoC）</td>"));
    assert!(html.contains("<td>この情報へ</td>"));
    let svg = html
        .split("<svg")
        .nth(1)
        .unwrap()
        .split("</svg>")
        .next()
        .unwrap();
    assert!(svg.contains("role=\"img\""));
    assert!(svg.contains("<title>この情報の関連図</title>"));
    assert!(!svg.contains("<a"));
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;/text&gt;&lt;script&gt;"));
    assert_eq!(svg.matches("class=\"graph-node\"").count(), 3);
    assert_eq!(svg.matches("class=\"graph-edge\"").count(), 3);
    // Sightings added up.
    assert!(html.contains("<dt>観測回数</dt><dd>5回</dd>"));
    assert!(html.contains("<time datetime=\"2026-11-03T09:00:00+09:00\">"));
    assert!(
        html.contains("<time datetime=\"2026-11-04T21:30:00+09:00\">2026-11-04 21:30 JST</time>")
    );
    assert!(html.contains("<li>電力 &#60;sector&#62;</li>"));
    // Versions in the person's zone, each a link.
    assert!(html.contains(
        "<a href=\"/console/intelligence/malware--1?version=x\">2026-11-02 09:00 JST</a>"
    ));
    // Nested values as preformatted text, escaped.
    assert!(html.contains("<pre>[\n  &#34;&#60;x&#62;&#34;\n]</pre>"));

    let html = crate::render_object(&object(Lang::En, 0)).unwrap();
    assert!(!html.contains("<svg"));
    assert!(!html.contains("Revoked:"));
    assert!(html.contains("No sighting of this object that you may see has been reported."));
    // At most 24 neighbours are drawn; the table lists them all.
    let html = crate::render_object(&object(Lang::En, 30)).unwrap();
    assert_eq!(html.matches("class=\"graph-node\"").count(), 24);
    assert_eq!(
        html.matches("/console/intelligence/relationship--").count(),
        30
    );
    let mut offsite = object(Lang::En, 1);
    offsite.download_href = "https://evil.example/x".to_string();
    let html = crate::render_object(&offsite).unwrap();
    assert!(html.contains("<a class=\"button\" href=\"/console\" download"));
}

#[test]
fn placeholders_of_any_kind_are_marked() {
    let marked = crate::mark_redactions(
        "[organization] at [address] <b>[x]</b> [0] [] [ a] [domain-name:value = 'x'] [受付] [a",
    );
    assert_eq!(
        marked,
        "<mark class=\"redaction\">[organization]</mark> at <mark class=\"redaction\">[address]</mark> &lt;b&gt;<mark class=\"redaction\">[x]</mark>&lt;/b&gt; [0] [] [ a] [domain-name:value = &#39;x&#39;] <mark class=\"redaction\">[受付]</mark> [a"
    );
    // Text that looks like a marker stays text.
    assert_eq!(
        crate::mark_redactions("<mark class=\"redaction\">[redacted]</mark>"),
        "&lt;mark class=&quot;redaction&quot;&gt;<mark class=\"redaction\">[redacted]</mark>&lt;/mark&gt;"
    );
    let long = format!("[{}]", "a".repeat(60));
    assert_eq!(crate::mark_redactions(&long), long);
    // A doubt that overlaps a placeholder never breaks the markup.
    let doubt = Doubt {
        number: 1,
        object: String::new(),
        path: String::new(),
        why: String::new(),
        text: "Tanaka [redac".to_string(),
    };
    let html = crate::mark_doubts("Tanaka [redacted] and [phone]", &[doubt]);
    assert_eq!(
        html,
        "<mark class=\"doubt\">Tanaka [redac</mark>ted] and <mark class=\"redaction\">[phone]</mark>"
    );
}

fn submit_page(lang: Lang) -> SubmitPage {
    SubmitPage {
        chrome: chrome(lang, Some(Section::Submit)),
        communities: vec![
            ("sector-electricity".to_string(), "電力分野".to_string()),
            ("national".to_string(), "全体".to_string()),
        ],
        form: SubmitForm {
            community: "national".to_string(),
            tlp: "amber+strict".to_string(),
            conceal: true,
            title: "停電 <script>".to_string(),
            description: "変電所で </textarea><script>".to_string(),
            category: "phishing".to_string(),
            indicators: "203.0.113.7\nevil.example".to_string(),
            stix: String::new(),
        },
        csrf_token: "csrf-submit".to_string(),
        problem: None,
        preview: None,
        submitted: None,
    }
}

#[test]
fn submit_form_content() {
    let html = crate::render_submit(&submit_page(Lang::Ja)).unwrap();
    let (attrs, body) = forms(&html)
        .into_iter()
        .find(|(a, _)| a.get("action").map(String::as_str) == Some(paths::SUBMIT))
        .unwrap();
    assert_eq!(attrs["method"], "post");
    assert_eq!(attrs["enctype"], "multipart/form-data");
    assert!(body.contains("name=\"csrf\" value=\"csrf-submit\""));
    assert!(body.contains("<option value=\"national\" selected>全体</option>"));
    for (value, label) in [
        ("clear", "TLP:CLEAR"),
        ("green", "TLP:GREEN"),
        ("amber", "TLP:AMBER"),
    ] {
        assert!(body.contains(&format!("<option value=\"{value}\">{label}</option>")));
    }
    assert!(body.contains("<option value=\"amber+strict\" selected>TLP:AMBER+STRICT</option>"));
    assert!(!body.contains("TLP:RED"));
    assert!(body.contains("id=\"conceal\" name=\"conceal\" value=\"on\" checked"));
    assert!(body.contains("id=\"conceal-hint\">組織名・ドメイン"));
    for c in [
        "ransomware",
        "phishing",
        "ddos",
        "intrusion",
        "malware",
        "other",
    ] {
        assert!(body.contains(&format!("<option value=\"{c}\"")), "{c}");
    }
    assert!(body.contains("<option value=\"phishing\" selected>フィッシング</option>"));
    assert!(body.contains("value=\"停電 &#60;script&#62;\""));
    assert!(body.contains(">変電所で &#60;/textarea&#62;&#60;script&#62;</textarea>"));
    assert!(body.contains(">203.0.113.7\nevil.example</textarea>"));
    assert!(body.contains(&format!(
        "type=\"file\" id=\"file\" name=\"{}\"",
        paths::FILE_FIELD
    )));
    assert!(body.contains(&format!("id=\"stix\" name=\"{}\"", paths::STIX_FIELD)));
    assert!(body.contains("name=\"action\" value=\"preview\">プレビュー</button>"));
    assert!(body.contains("name=\"action\" value=\"submit\" class=\"primary\">提出</button>"));
    assert!(!html.contains("id=\"preview\""));
}

#[test]
fn submit_preview_shows_exactly_what_is_released() {
    let mut p = submit_page(Lang::En);
    p.preview = Some(Preview {
        objects: vec![
            "{\n  \"description\": \"[organization] saw <b>Tanaka</b> at [address] on redacted.invalid\"\n}"
                .to_string(),
        ],
        doubts: vec![Doubt {
            number: 1,
            object: "incident--1".to_string(),
            path: "$.description".to_string(),
            why: "a person's name <b>".to_string(),
            text: "Tanaka".to_string(),
        }],
        redactions: vec![
            ("name".to_string(), 2),
            ("own-address".to_string(), 1),
            ("x-new-kind".to_string(), 4),
        ],
        dropped: 1,
    });
    let html = crate::render_submit(&p).unwrap();
    let preview = html.split("id=\"preview\"").nth(1).unwrap();
    assert!(preview.contains("<h2 id=\"preview-heading\">What others will receive</h2>"));
    assert!(preview.contains("<pre class=\"stix-json\">{\n  &#34;description&#34;: &#34;<mark class=\"redaction\">[organization]</mark> saw &lt;b&gt;Tanaka&lt;/b&gt; at <mark class=\"redaction\">[address]</mark> on <mark class=\"redaction\">redacted.invalid</mark>&#34;\n}</pre>")
        || preview.contains("<pre class=\"stix-json\">{\n  &quot;description&quot;: &quot;<mark class=\"redaction\">[organization]</mark> saw &lt;b&gt;Tanaka&lt;/b&gt; at <mark class=\"redaction\">[address]</mark> on <mark class=\"redaction\">redacted.invalid</mark>&quot;\n}</pre>"),
        "{preview}");
    assert!(!preview.contains("<b>Tanaka"));
    assert!(preview.contains("<tr><th scope=\"row\">Names (organization, brands, staff)</th><td class=\"number\">2</td></tr>"));
    assert!(preview.contains("<tr><th scope=\"row\">Addresses in the organization&#39;s ranges</th><td class=\"number\">1</td></tr>"));
    assert!(
        preview.contains("<tr><th scope=\"row\">x-new-kind</th><td class=\"number\">4</td></tr>")
    );
    assert!(preview.contains("Objects left out whole (identities, marking definitions): 1"));
    assert!(preview.contains("<li><mark class=\"doubt\">Tanaka</mark>"));
    assert!(preview.contains("<dd>a person&#39;s name &#60;b&#62;</dd>"));
    assert!(preview.contains("<code>incident--1</code> <code>$.description</code>"));
    let ja = {
        p.chrome.lang = Lang::Ja;
        crate::render_submit(&p).unwrap()
    };
    assert!(ja.contains("<th scope=\"row\">組織のIPアドレス</th>"));
    assert!(ja.contains("ほかの参加者が受け取る内容"));
}

#[test]
fn submit_receipt_is_shown_with_its_warning() {
    let mut p = submit_page(Lang::Ja);
    p.submitted = Some(Submitted::Concealed {
        receipt: "kyoyur_9f86d081884c7d65 <x>".to_string(),
        state: SubmissionState::Review,
        doubts: 2,
    });
    let html = crate::render_submit(&p).unwrap();
    assert!(html.contains(
        "<code class=\"secret receipt receipt-big\">kyoyur_9f86d081884c7d65 &#60;x&#62;</code>"
    ));
    assert!(html.contains(
        "<strong>重要:</strong> この受領証を保管してください。ハブは提出者を記録しないため"
    ));
    assert!(
        html.contains("<span class=\"state state-waiting\">審査中</span>")
            || html.contains("state state-waiting")
    );
    assert!(html.contains("審査待ちの確認事項: 2件"));
    p.chrome.lang = Lang::En;
    p.problem = Some("the bundle is not JSON <b>".to_string());
    p.submitted = None;
    let html = crate::render_submit(&p).unwrap();
    assert!(
        html.contains("<h2>Nothing was submitted</h2>\n<p>the bundle is not JSON &#60;b&#62;</p>")
    );
}

fn review_page(lang: Lang) -> ReviewPage {
    ReviewPage {
        chrome: chrome(lang, Some(Section::Review)),
        id: "5f1c2a90-0000-4000-8000-000000000001".to_string(),
        community: "電力分野".to_string(),
        rev: 7,
        objects: vec!["\"description\": \"Tanaka called from [phone] at <i>\"".to_string()],
        doubts: vec![
            Doubt {
                number: 1,
                object: "incident--1".to_string(),
                path: "$.description".to_string(),
                why: "a person's name".to_string(),
                text: "Tanaka".to_string(),
            },
            Doubt {
                number: 2,
                object: "incident--1".to_string(),
                path: "$.name".to_string(),
                why: "a host".to_string(),
                text: "at <i>".to_string(),
            },
        ],
        csrf_token: "csrf-review".to_string(),
        problem: None,
    }
}

#[test]
fn review_page_content() {
    let html = crate::render_review(&review_page(Lang::Ja)).unwrap();
    let action = "/console/review/5f1c2a90-0000-4000-8000-000000000001";
    let forms = forms(&html);
    let decisions: Vec<_> = forms
        .iter()
        .filter(|(a, _)| a.get("action").map(String::as_str) == Some(action))
        .collect();
    assert_eq!(decisions.len(), 3, "approve, edit, reject");
    let (_, approve) = decisions[0];
    assert!(approve.contains("<input type=\"hidden\" name=\"rev\" value=\"7\">"));
    assert!(approve.contains("<input type=\"hidden\" name=\"action\" value=\"approve\">"));
    assert!(approve.contains("name=\"csrf\" value=\"csrf-review\""));
    for n in [1, 2] {
        assert!(approve.contains(&format!(
            "<input type=\"checkbox\" id=\"keep-{n}\" name=\"keep\" value=\"{n}\""
        )));
    }
    // Unticked by default: a doubt is withheld unless a reviewer keeps it.
    assert!(!approve.contains("checked"));
    assert!(approve.contains("<mark class=\"doubt\">at &#60;i&#62;</mark>"));
    assert!(approve.contains(">公開を承認</button>"));
    let (_, edit) = decisions[1];
    assert!(edit.contains("<input type=\"hidden\" name=\"action\" value=\"edit\">"));
    assert!(edit.contains("<input type=\"hidden\" name=\"rev\" value=\"7\">"));
    assert!(
        edit.contains("name=\"objects\""),
        "the objects, to redact by hand"
    );
    let (_, reject) = decisions[2];
    assert!(reject.contains("<input type=\"hidden\" name=\"action\" value=\"reject\">"));
    assert!(reject.contains("<input type=\"hidden\" name=\"rev\" value=\"7\">"));
    assert!(
        reject.contains("<textarea id=\"reason\" name=\"reason\" rows=\"3\" required></textarea>")
    );
    assert!(html.contains("チェックのない箇所はすべて [redacted] に置き換えられます。"));
    // The content: doubts and placeholders marked differently.
    assert!(html.contains("<pre class=\"stix-json\">&quot;description&quot;: &quot;<mark class=\"doubt\">Tanaka</mark> called from <mark class=\"redaction\">[phone]</mark> <mark class=\"doubt\">at &lt;i&gt;</mark>&quot;</pre>"));
    // The content comes before the decision.
    assert!(html.find("content-heading").unwrap() < html.find("decide-heading").unwrap());
    let mut no_doubts = review_page(Lang::En);
    no_doubts.doubts.clear();
    let html = crate::render_review(&no_doubts).unwrap();
    assert!(html.contains("The hub found nothing it could not decide on."));
    assert!(!html.contains("type=\"checkbox\""));
}

#[test]
fn review_queue_links_each_submission() {
    let mut q = ReviewQueuePage {
        chrome: chrome(Lang::En, Some(Section::Review)),
        items: vec![
            ReviewItem {
                id: "s-1".to_string(),
                community: "電力 <b>".to_string(),
                objects: 3,
                doubts: 2,
                href: "/console/review/s-1".to_string(),
            },
            ReviewItem {
                id: "s-2".to_string(),
                community: "x".to_string(),
                objects: 1,
                doubts: 0,
                href: "//evil.example/".to_string(),
            },
        ],
        notice: Some(ReviewNotice::Approved("s-0".to_string())),
    };
    let html = crate::render_review_queue(&q).unwrap();
    assert!(html.contains("<tr><th scope=\"row\"><code>s-1</code></th><td>電力 &#60;b&#62;</td><td class=\"number\">3</td><td class=\"number\">2</td><td><a href=\"/console/review/s-1\" aria-label=\"Review s-1\">Review</a></td></tr>"));
    assert!(html.contains("<a href=\"/console\" aria-label=\"Review s-2\">"));
    assert!(html.contains("role=\"status\">Submission s-0 was approved for release.</p>"));
    q.items.clear();
    q.notice = None;
    q.chrome.lang = Lang::Ja;
    let html = crate::render_review_queue(&q).unwrap();
    assert!(html.contains("審査待ちの報告はありません。"));
}

#[test]
fn receipts_page_content() {
    let status = ReceiptStatus {
        receipt: "kyoyur_abc".to_string(),
        community: "電力分野".to_string(),
        state: SubmissionState::Released,
        released: Some(at("2026-11-20T03:00:00Z")),
        objects: vec![
            (
                "indicator--1".to_string(),
                "/console/intelligence/indicator--1".to_string(),
            ),
            (
                "indicator--2".to_string(),
                "javascript:alert(1)".to_string(),
            ),
        ],
        note: None,
        sightings: 4,
        feedback: vec!["opinion: agree <i>".to_string()],
    };
    let mut page = ReceiptsPage {
        chrome: chrome(Lang::Ja, Some(Section::Receipts)),
        kept: dashboard(Lang::Ja).submissions,
        status: Some(status),
        csrf_token: "csrf-receipts".to_string(),
        problem: None,
        withdrawn: false,
    };
    let html = crate::render_receipts(&page).unwrap();
    // Looking up is posted: a receipt never goes in a URL.
    assert!(!html.contains("receipt="));
    assert!(html.contains("<input type=\"text\" id=\"receipt\" name=\"receipt\""));
    // A kept receipt without a page of its own is looked up by a posted button.
    assert!(html.contains("<input type=\"hidden\" name=\"action\" value=\"status\"><input type=\"hidden\" name=\"receipt\" value=\"r1-9f86d081884c7d65\"><button type=\"submit\" class=\"secondary\" aria-label=\"確認 r1-9f86d081884c7d65\">確認</button>"));
    assert!(html.contains("<a href=\"/console/receipts/r0\">確認</a>"));
    assert!(html.contains("<dt>公開日時</dt><dd><time datetime=\"2026-11-20T12:00:00+09:00\">"));
    assert!(html.contains("<dd>4</dd>"));
    assert!(html.contains(
        "<li><a href=\"/console/intelligence/indicator--1\"><code>indicator--1</code></a></li>"
    ));
    assert!(html.contains("<li><a href=\"/console\"><code>indicator--2</code></a></li>"));
    assert!(html.contains("<li>opinion: agree &#60;i&#62;</li>"));
    let withdraw = forms(&html)
        .into_iter()
        .find(|(_, body)| body.contains("value=\"withdraw\""))
        .unwrap()
        .1;
    assert!(withdraw.contains("name=\"csrf\" value=\"csrf-receipts\""));
    assert!(withdraw.contains("<input type=\"hidden\" name=\"receipt\" value=\"kyoyur_abc\">"));
    assert!(withdraw.contains(
        "<input type=\"checkbox\" id=\"confirm\" name=\"confirm\" value=\"yes\" required>"
    ));
    assert!(withdraw.contains(">取り下げ</button>"));
    page.status = None;
    page.kept.clear();
    page.withdrawn = true;
    page.chrome.lang = Lang::En;
    let html = crate::render_receipts(&page).unwrap();
    assert!(html.contains("role=\"status\">The submission was withdrawn.</p>"));
    assert!(html.contains("This browser keeps no receipt."));
    assert!(!html.contains("value=\"withdraw\""));
}

fn token(i: usize) -> TokenRow {
    TokenRow {
        id: format!("t{i}"),
        name: "personal:sato".to_string(),
        org: "tokai-power".to_string(),
        role: "member".to_string(),
        read_only: i == 1,
        created: "2026-11-01T00:00:00Z".to_string(),
        expires: (i != 2).then(|| "2027-02-01T00:00:00Z".to_string()),
        revoked: i == 3,
    }
}

#[test]
fn account_page_content() {
    let mut page = AccountPage {
        chrome: chrome(Lang::Ja, None),
        role: "member".to_string(),
        second_factor: false,
        time_zone: None,
        zones: vec!["UTC".to_string()],
        tokens: (0..3).map(token).collect(),
        new_secret: Some("kyoyu_t0.s3cr3t".to_string()),
        csrf_token: "csrf-account".to_string(),
        problem: None,
    };
    let html = crate::render_account(&page).unwrap();
    let password = forms(&html)
        .into_iter()
        .find(|(a, _)| a["action"] == paths::PASSWORD)
        .unwrap()
        .1;
    for (field, autocomplete) in [
        ("current", "current-password"),
        ("new", "new-password"),
        ("repeat", "new-password"),
    ] {
        assert!(password.contains(&format!(
            "type=\"password\" id=\"{field}\" name=\"{field}\" autocomplete=\"{autocomplete}\""
        )));
    }
    assert!(html.contains("<input type=\"hidden\" name=\"everywhere\" value=\"yes\">"));
    assert!(html.contains("すべての端末からサインアウト</button>"));
    assert!(
        html.contains("<a class=\"button\" href=\"/console/account/totp\">2段階認証を設定する</a>")
    );
    assert!(html.contains("<code class=\"secret receipt\">kyoyu_t0.s3cr3t</code>"));
    assert!(html.contains("再表示されないため"));
    // Times in the person's zone; no expiry said as such.
    assert!(html.contains("<td>2026-11-01 09:00 JST</td><td>2027-02-01 09:00 JST</td>"));
    assert!(html.contains("<td>なし</td>"));
    assert!(html.contains("<td>member (読み取り専用)</td>"));
    assert!(html.contains("<input type=\"hidden\" name=\"id\" value=\"t2\"><button type=\"submit\" class=\"danger\" aria-label=\"失効 t2\">失効</button>"));
    let create = forms(&html)
        .into_iter()
        .find(|(a, _)| a["action"] == paths::ACCOUNT_TOKENS)
        .unwrap()
        .1;
    for days in ["30", "90", "365"] {
        assert!(create.contains(&format!("<option value=\"{days}\"")));
    }
    assert!(
        create.contains(
            "<input type=\"checkbox\" id=\"read_only\" name=\"read_only\" value=\"yes\">"
        )
    );
    page.tokens.clear();
    page.new_secret = None;
    page.second_factor = true;
    page.chrome.lang = Lang::En;
    let html = crate::render_account(&page).unwrap();
    assert!(html.contains("You have no valid token."));
    assert!(html.contains("Set up two-step verification again (a new key)"));
    assert!(!html.contains("class=\"secret"));
}

fn admin_page(lang: Lang, tab: AdminTab) -> AdminPage {
    AdminPage {
        chrome: chrome(lang, Some(Section::Admin)),
        tabs: AdminTab::ALL.to_vec(),
        tab,
        orgs: vec![(
            "tokai-power".to_string(),
            "東海電力 <x>".to_string(),
            "operator".to_string(),
            "electricity, gas".to_string(),
        )],
        communities: vec![(
            "national".to_string(),
            "全体".to_string(),
            12,
            "TLP:GREEN".to_string(),
        )],
        users: vec![
            UserRow {
                login: "sato-k".to_string(),
                name: "佐藤 <b>".to_string(),
                org: "tokai-power".to_string(),
                role: "member".to_string(),
                second_factor: false,
                disabled: true,
            },
            UserRow {
                login: "suzuki".to_string(),
                name: "鈴木".to_string(),
                org: "tokai-power".to_string(),
                role: "analyst".to_string(),
                second_factor: true,
                disabled: false,
            },
        ],
        user_orgs: vec![("tokai-power".to_string(), "東海電力".to_string())],
        roles: vec!["member".to_string(), "analyst".to_string()],
        tokens: (0..4).map(token).collect(),
        audit: vec![AuditRow {
            seq: 3,
            at: at("2026-11-28T09:05:00Z"),
            actor_org: "hub".to_string(),
            actor: "user:h.suzuki".to_string(),
            action: "user.create".to_string(),
            target: "sato-k <i>".to_string(),
        }],
        audit_check: None,
        temporary_password: None,
        members: None,
        suppliers: None,
        org_kinds: Vec::new(),
        sectors: Vec::new(),
        csrf_token: "csrf-admin".to_string(),
        problem: None,
    }
}

#[test]
fn admin_tabs_and_tables() {
    let html = crate::render_admin(&admin_page(Lang::Ja, AdminTab::Orgs)).unwrap();
    assert!(html.contains("<a href=\"/console/admin?tab=orgs\" aria-current=\"page\">組織</a>"));
    for tab in ["communities", "users", "tokens", "audit"] {
        assert!(html.contains(&format!("<a href=\"/console/admin?tab={tab}\">")));
    }
    assert!(html.contains("<tr><th scope=\"row\"><a href=\"/console/admin?tab=orgs&amp;org=tokai-power\"><code>tokai-power</code></a></th><td>東海電力 &#60;x&#62;</td><td>operator</td><td>electricity, gas</td></tr>"));
    let html = crate::render_admin(&admin_page(Lang::Ja, AdminTab::Communities)).unwrap();
    assert!(html.contains("<td>全体</td><td>12</td><td>TLP:GREEN</td>"));

    let mut users = admin_page(Lang::Ja, AdminTab::Users);
    users.temporary_password = Some(("sato-k".to_string(), "tmp-PASS <1>".to_string()));
    let html = crate::render_admin(&users).unwrap();
    assert!(html.contains("<code class=\"secret receipt\">tmp-PASS &#60;1&#62;</code>"));
    assert!(html.contains("sato-k さんの仮パスワード"));
    assert!(html.contains("<span class=\"state state-ended\">無効</span>"));
    assert!(html.contains("<span class=\"state state-done\">有効</span>"));
    assert!(html.contains("<input type=\"hidden\" name=\"login\" value=\"sato-k\"><input type=\"hidden\" name=\"disabled\" value=\"no\"><button type=\"submit\" class=\"secondary\" aria-label=\"有効にする sato-k\">有効にする</button>"));
    assert!(html.contains("<input type=\"hidden\" name=\"disabled\" value=\"yes\"><button type=\"submit\" class=\"secondary\" aria-label=\"無効にする suzuki\">"));
    assert!(html.contains("aria-label=\"リセット suzuki\">リセット</button>"));
    let create = forms(&html)
        .into_iter()
        .find(|(a, _)| a["action"] == paths::ADMIN_USERS)
        .unwrap()
        .1;
    for field in ["login", "name", "org", "role", "email"] {
        assert!(create.contains(&format!("name=\"{field}\"")), "{field}");
    }
    assert!(create.contains("<option value=\"analyst\">analyst</option>"));
    assert!(create.contains("<input type=\"email\" id=\"new-email\" name=\"email\""));
    assert!(!create.contains("name=\"email\" required"));

    let html = crate::render_admin(&admin_page(Lang::En, AdminTab::Tokens)).unwrap();
    assert!(html.contains("<td>2026-11-01 09:00 JST</td><td>2027-02-01 09:00 JST</td>"));
    assert!(html.contains("<td>Never</td>"));
    assert!(html.contains("<span class=\"state state-ended\">revoked</span>"));
    assert_eq!(
        html.matches("action=\"/console/admin/tokens/revoke\"")
            .count(),
        3
    );
}

#[test]
fn audit_trail_and_its_verification() {
    let mut page = admin_page(Lang::Ja, AdminTab::Audit);
    let html = crate::render_admin(&page).unwrap();
    assert!(html.contains(
        "<a class=\"button\" href=\"/console/admin?tab=audit&amp;verify=1\">監査証跡全体を検証</a>"
    ));
    assert!(html.contains("<td>hub</td><td><code>user:h.suzuki</code></td><td><code>user.create</code></td><td><code>sato-k &#60;i&#62;</code></td>"));
    assert!(
        html.contains("<time datetime=\"2026-11-28T18:05:00+09:00\">2026-11-28 18:05 JST</time>")
    );
    page.audit_check = Some(AuditCheckView {
        entries: 1200,
        withheld: 3,
        head: "1200:ab12".to_string(),
        broken: None,
    });
    let html = crate::render_admin(&page).unwrap();
    assert!(
        html.contains(
            "<p class=\"notice verified\" role=\"status\">改ざんなし: 1200件を検証しました"
        )
    );
    page.audit_check = Some(AuditCheckView {
        entries: 1200,
        withheld: 0,
        head: "1200:ab12".to_string(),
        broken: Some((417, "hash mismatch <b>".to_string())),
    });
    page.chrome.lang = Lang::En;
    let html = crate::render_admin(&page).unwrap();
    assert!(html.contains("<div class=\"error-summary\" role=\"alert\"><h2>The audit trail is broken</h2><p>The chain breaks at entry 417.</p><p>hash mismatch &#60;b&#62;</p></div>"));
    assert!(!html.contains("notice verified"));
}

#[test]
fn hostile_text_is_escaped_on_the_working_pages() {
    let mut search = SearchPage {
        chrome: chrome(Lang::En, Some(Section::Search)),
        q: HOSTILE.to_string(),
        value: HOSTILE.to_string(),
        results: Some(table(1)),
        problem: Some(SearchProblem::Refused(HOSTILE.to_string())),
    };
    search.results.as_mut().unwrap().rows[0].name = HOSTILE.to_string();
    let mut obj = object(Lang::En, 2);
    obj.name = HOSTILE.to_string();
    obj.community = HOSTILE.to_string();
    obj.properties
        .push((HOSTILE.to_string(), HOSTILE.to_string()));
    obj.relations[0].other_name = HOSTILE.to_string();
    obj.relations[0].kind = HOSTILE.to_string();
    obj.relations[0].other_href = HOSTILE.to_string();
    obj.sightings.places.push(HOSTILE.to_string());
    obj.versions.push((
        HOSTILE.to_string(),
        at("2026-11-02T00:00:00Z"),
        HOSTILE.to_string(),
    ));
    let mut submit = submit_page(Lang::En);
    submit.form.stix = HOSTILE.to_string();
    submit.problem = Some(HOSTILE.to_string());
    submit.preview = Some(Preview {
        objects: vec![HOSTILE.to_string()],
        doubts: vec![Doubt {
            number: 1,
            object: HOSTILE.to_string(),
            path: HOSTILE.to_string(),
            why: HOSTILE.to_string(),
            text: HOSTILE.to_string(),
        }],
        redactions: vec![(HOSTILE.to_string(), 1)],
        dropped: 0,
    });
    let mut review = review_page(Lang::En);
    review.objects.push(HOSTILE.to_string());
    review.doubts[0].text = HOSTILE.to_string();
    review.doubts[1].why = HOSTILE.to_string();
    review.id = HOSTILE.to_string();
    review.problem = Some(HOSTILE.to_string());
    let mut account = AccountPage {
        chrome: chrome(Lang::En, None),
        role: HOSTILE.to_string(),
        second_factor: false,
        time_zone: Some(HOSTILE.to_string()),
        zones: vec![HOSTILE.to_string()],
        tokens: vec![token(0)],
        new_secret: Some(HOSTILE.to_string()),
        csrf_token: HOSTILE.to_string(),
        problem: Some(HOSTILE.to_string()),
    };
    account.tokens[0].id = HOSTILE.to_string();
    account.tokens[0].created = HOSTILE.to_string();
    let mut admin = admin_page(Lang::En, AdminTab::Users);
    admin.users[0].login = HOSTILE.to_string();
    admin.temporary_password = Some((HOSTILE.to_string(), HOSTILE.to_string()));
    admin.problem = Some(HOSTILE.to_string());
    let pages = [
        crate::render_search(&search).unwrap(),
        crate::render_object(&obj).unwrap(),
        crate::render_submit(&submit).unwrap(),
        crate::render_review(&review).unwrap(),
        crate::render_account(&account).unwrap(),
        crate::render_admin(&admin).unwrap(),
    ];
    for html in pages {
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        for (tag, attrs) in tags(&html) {
            assert!(
                !attrs.keys().any(|a| a.starts_with("on")),
                "{tag} {attrs:?}"
            );
        }
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        );
    }
}
