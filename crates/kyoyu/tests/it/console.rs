//! The web console over real HTTP, as a browser uses it: cookies, forms,
//! redirects; then in a real headless Chromium (`browser.rs`).

use crate::testkit::{Answer, TestHub, on_both_stores};
use serde_json::json;
use std::cell::RefCell;
use std::collections::BTreeMap;

/// A person at a browser, without the browser: a cookie jar and forms,
/// redirects not followed (the tests look at them).
pub(crate) struct Person<'h> {
    hub: &'h TestHub,
    jar: RefCell<BTreeMap<String, String>>,
    agent: ureq::Agent,
    /// `Accept-Language`.
    lang: String,
}

impl<'h> Person<'h> {
    pub(crate) fn new(hub: &'h TestHub, lang: &str) -> Person<'h> {
        Person {
            hub,
            jar: RefCell::new(BTreeMap::new()),
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .build()
                .new_agent(),
            lang: lang.to_owned(),
        }
    }

    fn cookie_header(&self) -> String {
        self.jar
            .borrow()
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep_cookies(&self, a: &Answer) {
        for (k, v) in &a.headers {
            if k.eq_ignore_ascii_case("set-cookie") {
                let first = v.split(';').next().unwrap_or_default();
                if let Some((name, value)) = first.split_once('=') {
                    let removed = v.contains("Max-Age=0") || value.is_empty();
                    let mut jar = self.jar.borrow_mut();
                    if removed {
                        jar.remove(name);
                    } else {
                        jar.insert(name.to_owned(), value.to_owned());
                    }
                }
            }
        }
    }

    fn answer(&self, r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
        let mut r = r.expect("request");
        let headers: Vec<(String, String)> = r
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let content_type = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let a = Answer {
            status: r.status().as_u16(),
            content_type,
            headers,
            body: r.body_mut().read_to_string().unwrap_or_default(),
        };
        self.keep_cookies(&a);
        a
    }

    /// GET `path`.
    pub(crate) fn get(&self, path: &str) -> Answer {
        let r = self
            .agent
            .get(format!("{}{path}", self.hub.base))
            .header("Cookie", self.cookie_header())
            .header("Accept-Language", &self.lang)
            .call();
        self.answer(r)
    }

    /// POSTs a form from the console's own pages (`Origin`: the hub).
    pub(crate) fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.post_from(path, form, &self.hub.base.clone())
    }

    /// POSTs a form as a page of `origin` would.
    pub(crate) fn post_from(&self, path: &str, form: &[(&str, &str)], origin: &str) -> Answer {
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        let r = self
            .agent
            .post(format!("{}{path}", self.hub.base))
            .header("Cookie", self.cookie_header())
            .header("Accept-Language", &self.lang)
            .header("Origin", origin)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(body);
        self.answer(r)
    }

    /// The cookie `name`, if the browser holds it.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.jar.borrow().get(name).cloned()
    }

    /// Signs in through the form; the answer to the POST.
    pub(crate) fn sign_in(&self, login: &str, password: &str, code: &str) -> Answer {
        let page = self.get("/console/sign-in");
        assert_eq!(page.status, 200, "{}", page.body);
        let csrf = csrf_of(&page.body);
        self.post(
            "/console/sign-in",
            &[
                ("csrf", &csrf),
                ("login", login),
                ("password", password),
                ("code", code),
            ],
        )
    }
}

/// Percent-encoding for a form body.
fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The anti-forgery token of the first form of a page.
pub(crate) fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf\" value=\"")
        .expect("a form with a csrf field");
    let rest = &html[at + "name=\"csrf\" value=\"".len()..];
    rest[..rest.find('"').expect("end of value")].to_owned()
}

/// Creates a console user through the REST API; the temporary password.
pub(crate) fn user(hub: &TestHub, login: &str, org: &str, role: &str) -> String {
    let a = hub.rest(
        "POST",
        "/api/users",
        None,
        &json!({"login": login, "org": org, "role": role, "name": login}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    a.json()["password"].as_str().expect("password").to_owned()
}

on_both_stores!(signing_in_sets_a_strict_session_cookie, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    let password = user(&hub, "k.sato", "tokai-power", "member");
    let p = Person::new(&hub, "ja");

    // The front door leads to the console, which asks to sign in first.
    let a = p.get("/");
    assert_eq!((a.status, a.header("location")), (303, Some("/console")));
    let a = p.get("/console/search?q=%E9%9B%BB%E5%8A%9B");
    assert_eq!(a.status, 303);
    assert_eq!(
        a.header("location"),
        Some("/console/sign-in?next=/console/search%3Fq%3D%25E9%259B%25BB%25E5%258A%259B")
    );

    // The sign-in page: Japanese by default, strict headers, its own form token.
    let page = p.get("/console/sign-in");
    assert_eq!(page.status, 200);
    assert!(
        page.content_type.starts_with("text/html"),
        "{}",
        page.content_type
    );
    assert!(page.body.contains("<html lang=\"ja\">"), "{}", page.body);
    let csp = page.header("content-security-policy").expect("CSP");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert!(p.cookie("kyoyu_signin").is_some());

    // A wrong password: the same answer as an unknown login, no session.
    let a = p.sign_in("k.sato", "not the password", "");
    assert_eq!(a.status, 401, "{}", a.body);
    assert!(a.body.contains("role=\"alert\""), "{}", a.body);
    let unknown = p.sign_in("nobody.here", "not the password", "");
    assert_eq!(unknown.status, 401);
    assert!(p.cookie("kyoyu_session").is_none());

    // A form posted from another site, or without its token: refused.
    let page = p.get("/console/sign-in");
    let csrf = csrf_of(&page.body);
    let form = [
        ("csrf", csrf.as_str()),
        ("login", "k.sato"),
        ("password", password.as_str()),
    ];
    let a = p.post_from("/console/sign-in", &form, "https://evil.example");
    assert_eq!(a.status, 403, "{}", a.body);
    let a = p.post(
        "/console/sign-in",
        &[
            ("csrf", "forged"),
            ("login", "k.sato"),
            ("password", &password),
        ],
    );
    assert_eq!(a.status, 403);
    assert!(p.cookie("kyoyu_session").is_none());

    // The right password: a session cookie, Secure, HttpOnly, SameSite=Strict,
    // and first the temporary password must be changed.
    let a = p.sign_in("k.sato", &password, "");
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.header("location"), Some("/console/account/password"));
    let set = a
        .headers
        .iter()
        .find(|(k, v)| k == "set-cookie" && v.starts_with("kyoyu_session="))
        .map(|(_, v)| v.clone())
        .expect("session cookie");
    for attribute in ["Path=/console", "Secure", "HttpOnly", "SameSite=Strict"] {
        assert!(set.contains(attribute), "{set}");
    }
    // Until then, the other pages lead there.
    let a = p.get("/console");
    assert_eq!(a.header("location"), Some("/console/account/password"));
});

on_both_stores!(the_console_speaks_english_when_asked, |backend| {
    let hub = TestHub::start(backend);
    let p = Person::new(&hub, "en-GB,en;q=0.9,ja;q=0.5");
    let page = p.get("/console/sign-in");
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Sign in"));
    // The switch sets a cookie that wins over the browser's preference.
    let page = p.get("/console/sign-in?lang=ja");
    assert!(page.body.contains("<html lang=\"ja\">"));
    assert_eq!(p.cookie("kyoyu_lang").as_deref(), Some("ja"));
    let page = p.get("/console/sign-in");
    assert!(page.body.contains("<html lang=\"ja\">"));
});

/// Checks the page open in `b` with axe-core (no serious or critical
/// violation) and keeps its screenshot as `<name>.<lang>.png`.
pub(crate) fn inspect(b: &crate::browser::Browser, name: &str, lang: &str) {
    let found = b.axe_violations();
    assert!(
        found.is_empty(),
        "{name} [{lang}] at {}: {found:#?}",
        b.url()
    );
    b.screenshot(&crate::browser::screenshot_dir().join(format!("{name}.{lang}.png")));
}

/// In Chromium: signing in (Secure cookies on loopback), the temporary
/// password replaced, the pages in both languages, the switch changing
/// every navigation label, axe-core on every page, screenshots kept.
#[test]
fn chromium_tour_in_both_languages() {
    use crate::browser::Browser;
    let hub = TestHub::start(crate::testkit::Backend::Sqlite);
    hub.org("tokai-power", "operator", &["electricity"]);
    let password = user(&hub, "k.sato", "tokai-power", "member");
    let b = Browser::start("ja");
    b.open(&format!("{}/console/sign-in", hub.base));
    assert!(b.title().contains("サインイン"), "{}", b.title());
    inspect(&b, "sign-in", "ja");
    b.fill("#login", "k.sato");
    b.fill("#password", &password);
    b.click("main button[type=submit]");
    assert!(
        b.url().ends_with("/console/account/password"),
        "{}",
        b.url()
    );
    let cookies = b.cookies();
    let session = cookies
        .as_array()
        .into_iter()
        .flatten()
        .find(|c| c["name"] == "kyoyu_session")
        .unwrap_or_else(|| panic!("{cookies}"));
    assert_eq!(
        (session["httpOnly"].as_bool(), session["secure"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(session["sameSite"], "Strict");
    inspect(&b, "password", "ja");
    b.fill("#current", &password);
    b.fill("#new", "correct horse battery staple");
    b.fill("#repeat", "correct horse battery staple");
    b.click("main button[type=submit]");
    assert!(b.url().ends_with("/console"), "{}", b.url());
    let pages = [
        ("dashboard", "/console"),
        ("intelligence", "/console/intelligence"),
        ("search", "/console/search?q=%E9%9B%BB%E5%8A%9B"),
        (
            "not-found",
            "/console/intelligence/indicator--00000000-0000-4000-8000-000000000000",
        ),
    ];
    for (lang, nav) in [("ja", "ダッシュボード"), ("en", "Dashboard")] {
        // The switch on the page, then every page in that language.
        b.click(&format!(".lang-switch a[hreflang={lang}]"));
        assert_eq!(b.text(".main-nav li:first-child a"), nav);
        let labels = b.text(".main-nav");
        let other = if lang == "ja" { "Search" } else { "検索" };
        assert!(!labels.contains(other), "{lang}: {labels}");
        for (name, path) in pages {
            b.open(&format!("{}{path}", hub.base));
            assert!(b.text("html").len() > 10);
            inspect(&b, name, lang);
        }
    }
}

/// Base32 (RFC 4648) decoding of a TOTP key as the set-up page shows it.
fn base32(text: &str) -> Vec<u8> {
    let mut bits = 0u64;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.chars().filter(|c| c.is_ascii_alphanumeric()) {
        let v = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
            .find(c.to_ascii_uppercase())
            .expect("base32") as u64;
        bits = (bits << 5) | v;
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

/// The code an authenticator app shows `steps` periods from now.
fn totp_code(secret: &[u8], steps: i64) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let step = kyoyu_core::totp::step_of(now) + steps;
    format!(
        "{:06}",
        kyoyu_core::totp::hotp(secret, step as u64).unwrap()
    )
}

/// The text between `start` and the next `end` in `html`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let at = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"))
        + start.len();
    let rest = &html[at..];
    &rest[..rest.find(end).expect("end")]
}

/// Signs a new user in and replaces the temporary password; their person
/// and new password.
pub(crate) fn member<'h>(
    hub: &'h TestHub,
    login: &str,
    org: &str,
    lang: &str,
) -> (Person<'h>, String) {
    let temporary = user(hub, login, org, "member");
    let p = Person::new(hub, lang);
    let a = p.sign_in(login, &temporary, "");
    assert_eq!(
        a.header("location"),
        Some("/console/account/password"),
        "{}",
        a.body
    );
    let page = p.get("/console/account/password");
    let csrf = csrf_of(&page.body);
    let new = "correct horse battery staple".to_owned();
    let a = p.post(
        "/console/account/password",
        &[
            ("csrf", &csrf),
            ("current", &temporary),
            ("new", &new),
            ("repeat", &new),
        ],
    );
    assert_eq!(
        (a.status, a.header("location")),
        (303, Some("/console")),
        "{}",
        a.body
    );
    (p, new)
}

on_both_stores!(
    a_member_changes_the_temporary_password_and_signs_out,
    |backend| {
        let hub = TestHub::start(backend);
        hub.org("tokai-power", "operator", &["electricity"]);
        let temporary = user(&hub, "k.sato", "tokai-power", "member");
        let p = Person::new(&hub, "en");
        p.sign_in("k.sato", &temporary, "");
        let page = p.get("/console/account/password");
        assert_eq!(page.status, 200);
        assert!(page.body.contains("temporary password"), "{}", page.body);
        let csrf = csrf_of(&page.body);
        // Mismatch, too short, wrong current password: the page says why; nothing changes.
        for (current, new, repeat, status, says) in [
            (
                temporary.as_str(),
                "a long passphrase one",
                "a long passphrase two",
                422,
                "not the same",
            ),
            (temporary.as_str(), "short", "short", 400, "12"),
            (
                "wrong current password",
                "a long passphrase one",
                "a long passphrase one",
                403,
                "current password",
            ),
        ] {
            let a = p.post(
                "/console/account/password",
                &[
                    ("csrf", &csrf),
                    ("current", current),
                    ("new", new),
                    ("repeat", repeat),
                ],
            );
            assert_eq!(a.status, status, "{}", a.body);
            assert!(a.body.contains(says), "{says}: {}", a.body);
        }
        // Without the form's token: refused, whatever the rest says.
        let a = p.post(
            "/console/account/password",
            &[
                ("current", &temporary),
                ("new", "a long passphrase one"),
                ("repeat", "a long passphrase one"),
            ],
        );
        assert_eq!(a.status, 403);
        let a = p.post(
            "/console/account/password",
            &[
                ("csrf", &csrf),
                ("current", &temporary),
                ("new", "a long passphrase one"),
                ("repeat", "a long passphrase one"),
            ],
        );
        assert_eq!(a.header("location"), Some("/console"));
        let dash = p.get("/console");
        assert_eq!(dash.status, 200, "{}", dash.body);
        assert!(dash.body.contains("Dashboard"), "{}", dash.body);
        // A form of this session, replayed from another person's session: refused.
        let (other, _) = member(&hub, "m.ito", "tokai-power", "en");
        let a = other.post("/console/sign-out", &[("csrf", &csrf_of(&dash.body))]);
        assert_eq!(a.status, 403, "{}", a.body);
        assert_eq!(other.get("/console").status, 200, "still signed in");
        // Signing out ends the session: the old cookie is worth nothing.
        let session = p.cookie("kyoyu_session").unwrap();
        let a = p.post("/console/sign-out", &[("csrf", &csrf_of(&dash.body))]);
        assert_eq!(a.header("location"), Some("/console/sign-in?signed_out=1"));
        assert!(p.cookie("kyoyu_session").is_none());
        p.jar.borrow_mut().insert("kyoyu_session".into(), session);
        let a = p.get("/console");
        assert_eq!(a.status, 303);
        assert!(
            a.header("location").unwrap().contains("expired=1"),
            "{:?}",
            a.header("location")
        );
    }
);

on_both_stores!(admins_sign_in_with_a_second_factor, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    let temporary = user(&hub, "k.sato", "tokai-power", "community-admin");
    let p = Person::new(&hub, "ja");
    p.sign_in("k.sato", &temporary, "");
    let page = p.get("/console/account/password");
    let new = "correct horse battery staple";
    let a = p.post(
        "/console/account/password",
        &[
            ("csrf", &csrf_of(&page.body)),
            ("current", &temporary),
            ("new", new),
            ("repeat", new),
        ],
    );
    // A community admin must set up the second factor before anything else.
    assert_eq!(a.header("location"), Some("/console"));
    let a = p.get("/console");
    assert_eq!(a.header("location"), Some("/console/account/totp"));
    let page = p.get("/console/account/totp");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg"), "a QR code");
    let secret = base32(between(&page.body, "<code class=\"secret\">", "</code>"));
    assert_eq!(secret.len(), 20);
    let csrf = csrf_of(&page.body);
    let a = p.post(
        "/console/account/totp",
        &[("csrf", &csrf), ("code", "000000")],
    );
    assert_eq!(a.status, 422, "{}", a.body);
    // The same key is shown again after a wrong code.
    assert_eq!(
        base32(between(&a.body, "<code class=\"secret\">", "</code>")),
        secret
    );
    let a = p.post(
        "/console/account/totp",
        &[("csrf", &csrf), ("code", &totp_code(&secret, 0))],
    );
    assert_eq!(a.header("location"), Some("/console"), "{}", a.body);
    assert_eq!(p.get("/console").status, 200);
    // From now on the code is asked for, and each code works once.
    let q = Person::new(&hub, "ja");
    assert_eq!(q.sign_in("k.sato", new, "").status, 401);
    let code = totp_code(&secret, 1);
    let a = q.sign_in("k.sato", new, &code);
    assert_eq!(a.header("location"), Some("/console"), "{}", a.body);
    assert_eq!(
        Person::new(&hub, "ja").sign_in("k.sato", new, &code).status,
        401
    );
});

on_both_stores!(sessions_end_when_idle_or_too_old, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    let db = crate::admin::Db::of(&hub);
    let set = |field: &str| {
        let sql = if db.is_sqlite() {
            format!("UPDATE sessions SET doc = json_set(doc, '$.{field}', 1)")
        } else {
            format!("UPDATE sessions SET doc = jsonb_set(doc::jsonb, '{{{field}}}', '1')::text")
        };
        db.exec(&sql).unwrap();
    };
    for field in ["last_seen", "created"] {
        let (p, _) = member(
            &hub,
            &format!("u.{}", field.replace('_', "")),
            "tokai-power",
            "en",
        );
        assert_eq!(p.get("/console").status, 200);
        set(field);
        let a = p.get("/console");
        assert_eq!(a.status, 303, "{field}");
        let to = a.header("location").unwrap().to_owned();
        assert!(to.contains("expired=1"), "{to}");
        let page = p.get(&to);
        assert!(page.body.contains("session has ended"), "{}", page.body);
    }
});

on_both_stores!(a_member_sees_only_what_the_policy_allows, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    hub.org("kansai-gas", "operator", &["gas"]);
    let gas = hub.token_for("kansai-gas", "member", false);
    let secret = json!({
        "type": "indicator", "spec_version": "2.1",
        "id": "indicator--0a11ce00-0000-4000-8000-000000000001",
        "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
        "name": "ガス供給網のカナリア canary-gas-only", "pattern_type": "stix",
        "valid_from": "2026-11-01T00:00:00Z",
        "pattern": "[ipv4-addr:value = '198.51.100.77']",
    });
    let body = json!({"objects": [secret]}).to_string();
    let a = hub.request(
        "POST",
        "/hub/collections/sector-gas/objects/",
        Some(&gas),
        &[
            ("Content-Type", crate::testkit::TAXII),
            ("Accept", crate::testkit::TAXII),
        ],
        Some(&body),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    let (gas_person, _) = member(&hub, "g.tanaka", "kansai-gas", "ja");
    crate::testkit::eventually("indexing", || {
        gas_person
            .get("/console/search?value=198.51.100.77")
            .body
            .contains("canary-gas-only")
    });
    let (elec_person, _) = member(&hub, "k.sato", "tokai-power", "ja");
    let id = "indicator--0a11ce00-0000-4000-8000-000000000001";
    // The gas member finds it by Japanese text, by value, by browsing, and opens it.
    let found = gas_person.get("/console/search?q=%E4%BE%9B%E7%B5%A6%E7%B6%B2");
    assert!(found.body.contains("canary-gas-only"), "{}", found.body);
    let found = gas_person.get("/console/search?value=198.51.100.77");
    assert!(found.body.contains("canary-gas-only"), "{}", found.body);
    let found = gas_person.get("/console/intelligence?community=sector-gas");
    assert!(found.body.contains("canary-gas-only"), "{}", found.body);
    assert_eq!(
        gas_person
            .get(&format!("/console/intelligence/{id}"))
            .status,
        200
    );
    let stix = gas_person.get(&format!("/console/intelligence/{id}/stix"));
    assert_eq!(stix.status, 200);
    assert_eq!(stix.json()["objects"][0]["id"], id);
    // The electricity member: nowhere, also typing the URLs.
    for path in [
        "/console/search?q=%E4%BE%9B%E7%B5%A6%E7%B6%B2".to_owned(),
        "/console/search?value=198.51.100.77".to_owned(),
        "/console/search?q=canary".to_owned(),
        "/console/intelligence".to_owned(),
        "/console".to_owned(),
        format!("/console/intelligence/{id}"),
        format!("/console/intelligence/{id}/stix"),
        "/console/intelligence?community=sector-gas".to_owned(),
    ] {
        let a = elec_person.get(&path);
        // (What was typed is echoed in the page's links and messages; the
        // object never is.)
        assert!(
            !a.body.contains("canary-gas-only")
                && (path.contains("0a11ce00") || !a.body.contains("0a11ce00")),
            "{path}: {}",
            a.body
        );
        assert!(a.status == 200 || a.status == 404, "{path}: {}", a.status);
    }
    assert_eq!(
        elec_person
            .get(&format!("/console/intelligence/{id}"))
            .status,
        404
    );
});

/// Signs `login` in through the browser's forms, replacing the temporary
/// password and, when `second_factor`, setting up TOTP; the key.
pub(crate) fn browser_sign_in(
    b: &crate::browser::Browser,
    hub: &TestHub,
    login: &str,
    temporary: &str,
    second_factor: bool,
) -> Option<Vec<u8>> {
    b.open(&format!("{}/console/sign-in", hub.base));
    b.fill("#login", login);
    b.fill("#password", temporary);
    b.click("main button[type=submit]");
    // A click returns before the next page has loaded: wait for it.
    let arrives = |path: &str| {
        crate::testkit::eventually(path, || b.url().ends_with(path));
    };
    arrives("/console/account/password");
    b.fill("#current", temporary);
    b.fill("#new", "correct horse battery staple");
    b.fill("#repeat", "correct horse battery staple");
    b.click("main button[type=submit]");
    if !second_factor {
        arrives("/console");
        return None;
    }
    arrives("/console/account/totp");
    let key = base32(&b.text("code.secret"));
    b.fill("#code", &totp_code(&key, 0));
    b.click("main button[type=submit]");
    arrives("/console");
    Some(key)
}

// In Chromium, on both stores: an administrator signs in with TOTP,
// searches in Japanese and by observable, never reaches another sector's
// object by typing its URL, cannot use another session's form, and is
// signed out when the session ends.
on_both_stores!(chromium_totp_search_and_bounds, |backend| {
    use crate::browser::Browser;
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    hub.org("kansai-gas", "operator", &["gas"]);
    let post = |org: &str, community: &str, n: u32, name: &str, ip: &str| {
        let token = hub.token_for(org, "member", false);
        let body = json!({"objects": [{
            "type": "indicator", "spec_version": "2.1",
            "id": format!("indicator--{n:08x}-0000-4000-8000-000000000000"),
            "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
            "name": name, "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z",
            "pattern": format!("[ipv4-addr:value = '{ip}']"),
        }]});
        let a = hub.request(
            "POST",
            &format!("/hub/collections/{community}/objects/"),
            Some(&token),
            &[
                ("Content-Type", crate::testkit::TAXII),
                ("Accept", crate::testkit::TAXII),
            ],
            Some(&body.to_string()),
        );
        assert_eq!(a.status, 202, "{}", a.body);
    };
    post(
        "tokai-power",
        "sector-electricity",
        1,
        "東海地区の停電を狙うボット",
        "203.0.113.9",
    );
    post(
        "kansai-gas",
        "sector-gas",
        2,
        "ガス制御系の偵察 canary-gas",
        "198.51.100.77",
    );
    crate::testkit::eventually("indexing", || {
        let a = hub.get("/api/search?value=198.51.100.77", None);
        a.body.contains("canary-gas")
    });
    let admin_password = user(&hub, "k.sato", "tokai-power", "community-admin");
    let b = Browser::start("ja");
    browser_sign_in(&b, &hub, "k.sato", &admin_password, true).expect("a key");
    inspect(&b, "dashboard-admin", "ja");

    // Search in Japanese (another spelling: half-width katakana) and by value.
    b.open(&format!(
        "{}/console/search?q=%EF%BE%8E%EF%BE%9E%EF%BD%AF%EF%BE%84",
        hub.base
    ));
    assert!(
        b.text("main").contains("停電を狙うボット"),
        "{}",
        b.text("main")
    );
    b.open(&format!("{}/console/search?value=203.0.113.9", hub.base));
    assert!(b.text("main").contains("停電を狙うボット"));
    b.click("main table a");
    assert!(
        b.url()
            .contains("/console/intelligence/indicator--00000001"),
        "{}",
        b.url()
    );
    // Another sector's object: not by search, not by its URL.
    b.open(&format!("{}/console/search?q=canary-gas", hub.base));
    assert!(!b.text("main").contains("canary-gas"), "{}", b.text("main"));
    b.open(&format!(
        "{}/console/intelligence/indicator--00000002-0000-4000-8000-000000000000",
        hub.base
    ));
    assert!(
        b.title().contains("404") || b.text("h1").contains("404"),
        "{}",
        b.title()
    );
    assert!(!b.text("main").contains("偵察"));

    // Another person's session cannot use this session's form token.
    b.open(&format!("{}/console", hub.base));
    let token = b.run(
        "return document.querySelector('input[name=csrf]').value;",
        json!([]),
    );
    let member_password = user(&hub, "m.ito", "tokai-power", "member");
    let other = Browser::start("ja");
    browser_sign_in(&other, &hub, "m.ito", &member_password, false);
    other.run(
        "const f = document.querySelector('form[action=\"/console/sign-out\"]');\
         f.querySelector('input[name=csrf]').value = arguments[0]; f.submit();",
        json!([token]),
    );
    assert!(other.text("main").contains("403"), "{}", other.text("main"));
    other.open(&format!("{}/console", hub.base));
    assert!(
        other.url().ends_with("/console"),
        "still signed in: {}",
        other.url()
    );

    // The session's absolute limit: the next page is the sign-in page.
    let db = crate::admin::Db::of(&hub);
    let sql = if db.is_sqlite() {
        "UPDATE sessions SET doc = json_set(doc, '$.created', 1) WHERE login = 'k.sato'"
    } else {
        "UPDATE sessions SET doc = jsonb_set(doc::jsonb, '{created}', '1')::text WHERE login = 'k.sato'"
    };
    db.exec(sql).unwrap();
    b.open(&format!("{}/console/intelligence", hub.base));
    assert!(b.url().contains("/console/sign-in"), "{}", b.url());
    assert!(b.text("main").contains("セッション"), "{}", b.text("main"));
});

/// A person whose role needs a second factor, signed in with it.
fn officer<'h>(hub: &'h TestHub, login: &str, org: &str, role: &str) -> Person<'h> {
    let temporary = user(hub, login, org, role);
    let p = Person::new(hub, "en");
    p.sign_in(login, &temporary, "");
    let page = p.get("/console/account/password");
    let new = "correct horse battery staple";
    p.post(
        "/console/account/password",
        &[
            ("csrf", &csrf_of(&page.body)),
            ("current", &temporary),
            ("new", new),
            ("repeat", new),
        ],
    );
    let page = p.get("/console/account/totp");
    let key = base32(between(&page.body, "<code class=\"secret\">", "</code>"));
    let a = p.post(
        "/console/account/totp",
        &[
            ("csrf", &csrf_of(&page.body)),
            ("code", &totp_code(&key, 0)),
        ],
    );
    assert_eq!(a.header("location"), Some("/console"), "{}", a.body);
    p
}

on_both_stores!(
    a_concealed_report_is_previewed_reviewed_and_read_as_previewed,
    |backend| {
        let hub = TestHub::start_with(backend, &["--release-window", "1", "--release-k", "1"]);
        let a = hub.rest(
            "POST",
            "/api/orgs",
            None,
            &json!({"id": "tokai-power", "kind": "operator", "name": "Tokai Power",
                "name_ja": "東海電力", "sectors": ["electricity"],
                "domains": ["tokai-power.example"], "staff": ["Kenji Sato"]}),
        );
        assert_eq!(a.status, 201, "{}", a.body);
        hub.org("chubu-power", "operator", &["electricity"]);
        let (sender, _) = member(&hub, "k.sato", "tokai-power", "en");
        let (reader, _) = member(&hub, "m.ito", "chubu-power", "en");
        let reviewer = officer(&hub, "h.suzuki", "hub", "hub-admin");

        let page = sender.get("/console/submit");
        assert_eq!(page.status, 200, "{}", page.body);
        assert!(page.body.contains("checked"), "conceal is the default");
        let csrf = csrf_of(&page.body);
        let form = |action: &'static str| {
            vec![
            ("csrf", csrf.clone()),
            ("community", "sector-electricity".to_owned()),
            ("tlp", "amber".to_owned()),
            ("conceal", "on".to_owned()),
            ("title", "Tokai Power: ransomware at the Nagoya substation".to_owned()),
            (
                "description",
                "Kenji Sato (mail: soc@tokai-power.example) saw beacons to 203.0.113.9 from host WIN-7Q2K.".to_owned(),
            ),
            ("category", "ransomware".to_owned()),
            ("indicators", "203.0.113.9".to_owned()),
            ("action", action.to_owned()),
        ]
        };
        let as_refs = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
        let post = |who: &Person, f: Vec<(&'static str, String)>| {
            let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            who.post("/console/submit", &pairs)
        };
        // The preview: the organization is gone, the observable is there.
        let preview = post(&sender, as_refs(&form("preview")));
        assert_eq!(preview.status, 200, "{}", preview.body);
        let shown = between(&preview.body, "id=\"preview\"", "</section>").to_owned();
        for gone in ["Tokai Power", "tokai-power.example", "Kenji Sato"] {
            assert!(!shown.contains(gone), "{gone} in the preview: {shown}");
        }
        assert!(shown.contains("203.0.113.9"), "{shown}");
        assert!(shown.contains("class=\"redaction\""), "{shown}");
        assert!(
            sender.cookie("kyoyu_receipts").is_none(),
            "a preview keeps nothing"
        );
        // Without the form's token nothing is submitted.
        let mut forged = form("submit");
        forged[0].1 = "forged".into();
        assert_eq!(post(&sender, forged).status, 403);
        // Submitted: a receipt, kept in this browser only.
        let done = post(&sender, form("submit"));
        assert_eq!(done.status, 200, "{}", done.body);
        let receipt = between(
            &done.body,
            "<code class=\"secret receipt receipt-big\">",
            "</code>",
        )
        .to_owned();
        assert!(sender.cookie("kyoyu_receipts").unwrap().contains(&receipt));
        let dash = sender.get("/console");
        assert!(dash.body.contains(&receipt), "the dashboard lists it");

        // The reviewer sees it in the queue, concealed, and keeps no doubt.
        let queue = reviewer.get("/console/review");
        assert_eq!(queue.status, 200, "{}", queue.body);
        let href = between(&queue.body, "<a href=\"/console/review/", "\"").to_owned();
        let review = reviewer.get(&format!("/console/review/{href}"));
        assert_eq!(review.status, 200, "{}", review.body);
        assert!(
            !review.body.contains("tokai-power.example"),
            "{}",
            review.body
        );
        // The member may not review, not even by URL.
        assert_eq!(reader.get(&format!("/console/review/{href}")).status, 404);
        assert_eq!(sender.get("/console/review").status, 200);
        let rev = between(&review.body, "name=\"rev\" value=\"", "\"").to_owned();
        let stale = reviewer.post(
            &format!("/console/review/{href}"),
            &[
                ("csrf", &csrf_of(&review.body)),
                ("rev", "999"),
                ("action", "approve"),
                ("keep", "1"),
            ],
        );
        assert_eq!(
            stale.status, 409,
            "a decision on another version: {}",
            stale.body
        );
        let approved = reviewer.post(
            &format!("/console/review/{href}"),
            &[
                ("csrf", &csrf_of(&review.body)),
                ("rev", &rev),
                ("action", "approve"),
            ],
        );
        assert_eq!(approved.status, 200, "{}", approved.body);
        assert!(approved.body.contains("approved"), "{}", approved.body);

        // Another member reads what the preview showed: the same words, no source.
        let mut incident = String::new();
        crate::testkit::eventually("release and indexing", || {
            let found = reader.get("/console/search?q=Nagoya+substation");
            if let Some(at) = found.body.find("/console/intelligence/incident--") {
                incident = found.body[at..].split('"').next().unwrap().to_owned();
                true
            } else {
                false
            }
        });
        let read = reader.get(&incident);
        assert_eq!(read.status, 200, "{}", read.body);
        for gone in [
            "Tokai Power",
            "tokai-power.example",
            "Kenji Sato",
            "東海電力",
        ] {
            assert!(
                !read.body.contains(gone),
                "{gone} reached another member: {}",
                read.body
            );
        }
        assert!(
            read.body.contains("ransomware at the Nagoya substation"),
            "{}",
            read.body
        );
        let stix = reader.get(&format!("{incident}/stix"));
        let object = &stix.json()["objects"][0];
        let previewed = plain(&shown);
        for field in ["name", "description"] {
            let released = object[field].as_str().unwrap();
            assert!(
                previewed.contains(&serde_json::to_string(released).unwrap()),
                "the released {field} is the previewed one: {released} / {previewed}"
            );
        }

        // The sender follows it by receipt, then withdraws it.
        let receipts = sender.get("/console/receipts");
        assert!(receipts.body.contains(&receipt), "{}", receipts.body);
        let csrf = csrf_of(&receipts.body);
        let status = sender.post(
            "/console/receipts",
            &[("csrf", &csrf), ("action", "status"), ("receipt", &receipt)],
        );
        assert_eq!(status.status, 200, "{}", status.body);
        assert!(
            status
                .body
                .contains(incident.trim_start_matches("/console/intelligence/"))
        );
        let unconfirmed = sender.post(
            "/console/receipts",
            &[
                ("csrf", &csrf),
                ("action", "withdraw"),
                ("receipt", &receipt),
            ],
        );
        assert_eq!(unconfirmed.status, 400, "{}", unconfirmed.body);
        assert_eq!(reader.get(&incident).status, 200, "still there");
        // A receipt is the sender's: another member holding none gets nothing.
        let other_csrf = csrf_of(&reader.get("/console/receipts").body);
        let other = reader.post(
            "/console/receipts",
            &[
                ("csrf", &other_csrf),
                ("action", "status"),
                ("receipt", "kyoyur_not-a-receipt"),
            ],
        );
        assert!(
            other.status >= 400 && other.status < 500,
            "{}",
            other.status
        );
        let withdrawn = sender.post(
            "/console/receipts",
            &[
                ("csrf", &csrf),
                ("action", "withdraw"),
                ("receipt", &receipt),
                ("confirm", "yes"),
            ],
        );
        assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
        assert!(withdrawn.body.contains("withdrawn"), "{}", withdrawn.body);
        assert_eq!(
            reader.get(&incident).status,
            404,
            "withdrawn objects leave the community"
        );
    }
);

/// The text of a page's HTML: marks taken out, entities read.
fn plain(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

on_both_stores!(people_make_and_revoke_their_own_api_tokens, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    let (p, _) = member(&hub, "k.sato", "tokai-power", "en");
    let page = p.get("/console/account");
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = csrf_of(&page.body);
    let made = p.post(
        "/console/account/tokens",
        &[("csrf", &csrf), ("days", "30")],
    );
    assert_eq!(made.status, 201, "{}", made.body);
    let secret = between(&made.body, "<code class=\"secret receipt\">", "</code>").to_owned();
    // The token acts as the person's organization and role.
    let who = hub.get("/api/whoami", Some(&secret));
    assert_eq!(who.status, 200, "{}", who.body);
    assert_eq!(who.json()["org"], "tokai-power");
    assert_eq!(who.json()["role"], "member");
    for days in ["0", "400", "many"] {
        let a = p.post(
            "/console/account/tokens",
            &[("csrf", &csrf), ("days", days)],
        );
        assert_eq!(a.status, 400, "{days}: {}", a.body);
    }
    // The hub's refusal in the reader's language, with its figures.
    let a = p.post(
        "/console/account/tokens",
        &[("csrf", &csrf), ("days", "400")],
    );
    assert!(
        plain(&a.body).contains("a token lives from 1 to 365 days; 400 is outside"),
        "{}",
        a.body
    );
    let (ja, _) = member(&hub, "k.kato", "tokai-power", "ja");
    let ja_csrf = csrf_of(&ja.get("/console/account").body);
    let a = ja.post(
        "/console/account/tokens",
        &[("csrf", &ja_csrf), ("days", "400")],
    );
    assert_eq!(a.status, 400, "{}", a.body);
    let text = plain(&a.body);
    assert!(
        text.contains("トークンの有効期間は1〜365日です。400 日は範囲外です。")
            && !text.contains("a token lives"),
        "{text}"
    );
    // The console's own refusals too: a form replayed without its token.
    let a = ja.post(
        "/console/account/tokens",
        &[("csrf", "forged"), ("days", "30")],
    );
    assert_eq!(a.status, 403, "{}", a.body);
    assert!(
        plain(&a.body).contains("このフォームは期限切れか"),
        "{}",
        a.body
    );
    // Another person cannot revoke it; its holder can.
    let (q, _) = member(&hub, "m.ito", "tokai-power", "en");
    let id = between(&made.body, "name=\"id\" value=\"", "\"").to_owned();
    let q_csrf = csrf_of(&q.get("/console/account").body);
    let a = q.post(
        "/console/account/tokens/revoke",
        &[("csrf", &q_csrf), ("id", &id)],
    );
    assert_eq!(a.status, 404, "{}", a.body);
    assert_eq!(hub.get("/api/whoami", Some(&secret)).status, 200);
    let a = p.post(
        "/console/account/tokens/revoke",
        &[("csrf", &csrf), ("id", &id)],
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(hub.get("/api/whoami", Some(&secret)).status, 401);
});

on_both_stores!(
    administrators_manage_people_and_verify_the_trail,
    |backend| {
        let hub = TestHub::start(backend);
        hub.org("tokai-power", "operator", &["electricity"]);
        let admin = officer(&hub, "h.suzuki", "hub", "hub-admin");
        for tab in ["orgs", "communities", "users", "tokens", "audit"] {
            let a = admin.get(&format!("/console/admin?tab={tab}"));
            assert_eq!(a.status, 200, "{tab}: {}", a.body);
        }
        let page = admin.get("/console/admin?tab=users");
        let csrf = csrf_of(&page.body);
        let made = admin.post(
            "/console/admin/users",
            &[
                ("csrf", &csrf),
                ("login", "y.tanaka"),
                ("name", "田中 優"),
                ("org", "tokai-power"),
                ("role", "member"),
            ],
        );
        assert_eq!(made.status, 201, "{}", made.body);
        let temporary =
            between(&made.body, "<code class=\"secret receipt\">", "</code>").to_owned();
        let refused = admin.post(
            "/console/admin/users",
            &[
                ("csrf", &csrf),
                ("login", "Y Tanaka"),
                ("org", "tokai-power"),
                ("role", "member"),
            ],
        );
        assert_eq!(refused.status, 400, "{}", refused.body);
        // The new person signs in with the password shown once.
        let p = Person::new(&hub, "en");
        assert_eq!(p.sign_in("y.tanaka", &temporary, "").status, 303);
        // Disabled: the session ends at once.
        let a = admin.post(
            "/console/admin/users/state",
            &[("csrf", &csrf), ("login", "y.tanaka"), ("disabled", "yes")],
        );
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(p.get("/console/account/password").status, 303);
        // Organizations, memberships and supplier circles.
        let a = admin.post(
            "/console/admin/orgs",
            &[
                ("csrf", &csrf),
                ("id", "izumi-water"),
                ("kind", "operator"),
                ("name", "Izumi Water"),
                ("name_ja", "いずみ水道"),
                ("sector", "water"),
                ("domain", "izumi-water.example"),
            ],
        );
        assert_eq!(
            a.header("location"),
            Some("/console/admin?tab=orgs"),
            "{}",
            a.body
        );
        let orgs = admin.get("/console/admin?tab=orgs");
        assert!(orgs.body.contains("izumi-water"), "{}", orgs.body);
        let a = admin.post(
            "/console/admin/members",
            &[
                ("csrf", &csrf),
                ("community", "sector-gas"),
                ("org", "izumi-water"),
                ("role", "observer"),
            ],
        );
        assert_eq!(a.status, 303, "{}", a.body);
        let gas = admin.get("/console/admin?tab=communities&community=sector-gas");
        assert!(
            gas.body.contains("<code>izumi-water</code> (observer)"),
            "{}",
            gas.body
        );
        let a = admin.post(
            "/console/admin/members/remove",
            &[
                ("csrf", &csrf),
                ("community", "sector-gas"),
                ("org", "izumi-water"),
            ],
        );
        assert_eq!(a.status, 303, "{}", a.body);
        let gas = admin.get("/console/admin?tab=communities&community=sector-gas");
        assert!(
            !gas.body.contains("<code>izumi-water</code> (observer)"),
            "removed: {}",
            gas.body
        );
        hub.org("vendor-z", "supplier", &[]);
        let a = admin.post(
            "/console/admin/suppliers",
            &[
                ("csrf", &csrf),
                ("operator", "izumi-water"),
                ("supplier", "vendor-z"),
            ],
        );
        assert_eq!(a.status, 303, "{}", a.body);
        let circle = admin.get("/console/admin?tab=orgs&org=izumi-water");
        assert!(
            circle.body.contains("<code>vendor-z</code>"),
            "{}",
            circle.body
        );
        let a = admin.post(
            "/console/admin/suppliers",
            &[
                ("csrf", &csrf),
                ("operator", "izumi-water"),
                ("supplier", "tokai-power"),
            ],
        );
        assert!(
            a.status >= 400 && a.status < 500,
            "an operator is no supplier: {}",
            a.status
        );
        let (intruder, _) = member(&hub, "e.vil", "tokai-power", "en");
        let a = intruder.post(
            "/console/admin/orgs",
            &[
                ("csrf", &csrf_of(&intruder.get("/console").body)),
                ("id", "evil-co"),
                ("kind", "operator"),
                ("name", "Evil"),
            ],
        );
        assert_eq!(a.status, 403, "{}", a.body);
        // A member may open none of it, and cannot post to it.
        let (m, _) = member(&hub, "m.ito", "tokai-power", "en");
        assert_eq!(m.get("/console/admin?tab=users").status, 403);
        assert_eq!(m.get("/console/admin?tab=audit").status, 403);
        let a = m.post(
            "/console/admin/users",
            &[
                ("csrf", &csrf_of(&m.get("/console").body)),
                ("login", "z.x"),
                ("org", "tokai-power"),
                ("role", "hub-admin"),
            ],
        );
        assert_eq!(a.status, 403, "{}", a.body);
        // The trail names the person, and verifies.
        let audit = admin.get("/console/admin?tab=audit&verify=1");
        assert!(audit.body.contains("user:h.suzuki"), "{}", audit.body);
        assert!(audit.body.contains("Intact"), "{}", audit.body);
        // Broken by hand: the page says where.
        let db = crate::admin::Db::of(&hub);
        if db.is_sqlite() {
            db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete")
                .unwrap();
        } else {
            db.exec("ALTER TABLE audit DISABLE TRIGGER USER").unwrap();
        }
        db.exec("UPDATE audit SET target = 'someone-else' WHERE action = 'user.create'")
            .unwrap();
        let audit = admin.get("/console/admin?tab=audit&verify=1");
        assert!(audit.body.contains("broken"), "{}", audit.body);
    }
);

/// Signs a demo person in through the browser (TOTP set up when asked).
fn demo_sign_in(b: &crate::browser::Browser, hub: &TestHub, login: &str, password: &str) {
    b.open(&format!("{}/console/sign-in", hub.base));
    b.fill("#login", login);
    b.fill("#password", password);
    b.click("main button[type=submit]");
    if b.url().ends_with("/console/account/totp") {
        inspect(b, "totp", "ja");
        let key = base32(&b.text("code.secret"));
        b.fill("#code", &totp_code(&key, 0));
        b.click("main button[type=submit]");
    }
    assert!(b.url().ends_with("/console"), "{login}: {}", b.url());
}

/// In Chromium, on the demo world: every page of a member and of an
/// administrator, in Japanese and in English, checked by axe-core and kept
/// as screenshots; a report submitted with concealment, its preview
/// compared with what the reviewer sees, a doubt kept, the submission
/// approved.
#[test]
fn chromium_demo_tour() {
    use crate::browser::Browser;
    let hub = TestHub::start_with(crate::testkit::Backend::Sqlite, &["--demo"]);
    let table = std::fs::read_to_string(hub.dir.path().join("demo-users.txt")).unwrap();
    let password = |login: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{login} ")))
            .and_then(|l| l.split_whitespace().nth(3))
            .unwrap()
            .to_owned()
    };
    crate::testkit::eventually("indexing", || {
        hub.get("/api/search?q=KuroLock", None).body.contains("C2")
    });
    let b = Browser::start("ja");
    b.open(&format!("{}/console/sign-in", hub.base));
    inspect(&b, "demo-sign-in", "ja");
    // The keyboard: the first Tab reaches the skip link, then the page in order.
    assert!(b.tab(1).contains("skip-link"), "the skip link comes first");
    assert!(
        b.tab(1).contains("href=\"/console\""),
        "then the hub's name"
    );
    demo_sign_in(&b, &hub, "sato", &password("sato"));
    // An object's page: from the intelligence list.
    b.open(&format!("{}/console/search?q=KuroLock", hub.base));
    b.click("main table a");
    let object = b.url();
    assert!(b.has_svg_graph(), "the relationships are drawn");
    let member_pages = [
        ("dashboard", format!("{}/console", hub.base)),
        ("intelligence", format!("{}/console/intelligence", hub.base)),
        (
            "intelligence-electricity",
            format!(
                "{}/console/intelligence?community=sector-electricity",
                hub.base
            ),
        ),
        ("object", object),
        (
            "search",
            format!(
                "{}/console/search?q=%E3%83%A9%E3%83%B3%E3%82%B5%E3%83%A0",
                hub.base
            ),
        ),
        (
            "search-value",
            format!("{}/console/search?value=203.0.113.45", hub.base),
        ),
        ("submit", format!("{}/console/submit", hub.base)),
        ("receipts", format!("{}/console/receipts", hub.base)),
        ("account", format!("{}/console/account", hub.base)),
    ];
    for lang in ["ja", "en"] {
        b.open(&format!("{}/console?lang={lang}", hub.base));
        for (name, url) in &member_pages {
            b.open(url);
            inspect(&b, name, lang);
        }
    }
    b.open(&format!("{}/console?lang=ja", hub.base));
    // On a tablet held upright: every page fits its width (wide tables
    // scroll inside their own box, the page never sideways), stays
    // accessible, and is kept as a screenshot.
    b.resize(768, 1024);
    let width = b.run("return window.innerWidth;", json!([]));
    assert!(
        width.as_u64().is_some_and(|w| (700..=800).contains(&w)),
        "viewport {width}"
    );
    for (name, url) in &member_pages {
        b.open(url);
        let overflow = b.run(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            json!([]),
        );
        assert!(
            overflow.as_i64().is_some_and(|o| o <= 0),
            "{name} is {overflow} px wider than a tablet"
        );
        assert!(b.has("nav a"), "{name}: the navigation is reachable");
        inspect(&b, &format!("tablet-{name}"), "ja");
    }
    b.resize(1280, 900);

    // Submit with concealment: the preview, then the receipt.
    b.open(&format!("{}/console/submit", hub.base));
    b.fill("#title", "みなと電力の変電所で不審な通信");
    b.fill(
        "#description",
        "minato-power.example の監視端末から 203.0.113.99 へ通信。委託先の株式会社ミライ保守の回線経由。",
    );
    b.fill("#indicators", "203.0.113.99");
    b.click("button[value=preview]");
    b.run(
        "document.getElementById('preview').scrollIntoView();",
        json!([]),
    );
    let preview = b.text("#preview");
    assert!(!preview.contains("minato-power.example"), "{preview}");
    assert!(preview.contains("203.0.113.99"), "{preview}");
    inspect(&b, "submit-preview", "ja");
    b.click("button[value=submit]");
    let receipt = b.text("code.receipt");
    assert!(receipt.starts_with("kyoyu"), "{receipt}");
    inspect(&b, "submit-receipt", "ja");
    b.open(&format!("{}/console/receipts", hub.base));
    assert!(b.text("main").contains(&receipt));
    b.fill("#receipt", &receipt);
    b.click("main form button[type=submit]");
    assert!(b.text("main").contains("審査待ち"), "{}", b.text("main"));
    inspect(&b, "receipt-status", "ja");

    // The reviewer (an administrator, with TOTP): the pages, then the decision.
    let admin = Browser::start("en");
    demo_sign_in(&admin, &hub, "admin", &password("admin"));
    let admin_pages = [
        ("review-queue", format!("{}/console/review", hub.base)),
        ("admin-orgs", format!("{}/console/admin?tab=orgs", hub.base)),
        (
            "admin-communities",
            format!("{}/console/admin?tab=communities", hub.base),
        ),
        (
            "admin-users",
            format!("{}/console/admin?tab=users", hub.base),
        ),
        (
            "admin-tokens",
            format!("{}/console/admin?tab=tokens", hub.base),
        ),
        (
            "admin-audit",
            format!("{}/console/admin?tab=audit&verify=1", hub.base),
        ),
    ];
    for lang in ["en", "ja"] {
        admin.open(&format!("{}/console?lang={lang}", hub.base));
        inspect(&admin, "dashboard-admin", lang);
        for (name, url) in &admin_pages {
            admin.open(url);
            inspect(&admin, name, lang);
        }
    }
    admin.open(&format!("{}/console/admin?tab=audit&verify=1", hub.base));
    assert!(
        admin.text("main").contains("改ざんなし"),
        "{}",
        admin.text("main")
    );
    // The newest submission in the queue is ours: what the reviewer reads
    // is what the sender previewed.
    admin.open(&format!("{}/console/review", hub.base));
    let links = admin.run(
        "return Array.from(document.querySelectorAll('main table a')).map(a => a.href);",
        json!([]),
    );
    let mut reviewed = false;
    for link in links.as_array().into_iter().flatten() {
        admin.open(link.as_str().unwrap());
        let content = admin.text("main");
        if !content.contains("203.0.113.99") {
            continue;
        }
        for gone in ["minato-power.example", "みなと電力"] {
            assert!(!content.contains(gone), "{gone}: {content}");
        }
        inspect(&admin, "review", "ja");
        // A host the hub could not decide on: the reviewer keeps it.
        assert!(
            admin.has("input[name=keep]"),
            "a doubt to decide on: {content}"
        );
        // Its reason in the page's language, not the concealment's English.
        assert!(
            content.contains("会社名（")
                && content.contains("株式会社ミライ保守の回線経由）: 残すと判断しない限り伏せます")
                && !content.contains("a company name"),
            "{content}"
        );
        admin.click("input[name=keep]");
        admin.click("main form button.primary");
        assert!(
            admin.text("main").contains("承認しました"),
            "{}",
            admin.text("main")
        );
        reviewed = true;
        break;
    }
    assert!(reviewed, "the submission was in the queue");
}

on_both_stores!(
    no_console_page_shows_what_the_person_may_not_read,
    |backend| {
        // Canaries: an AMBER object in the gas sector, a RED one in electricity
        // for the ministry only; people of other organizations open every
        // console page of the route table with every canary id, as typed URLs.
        let hub = TestHub::start(backend);
        hub.org("tokai-power", "operator", &["electricity"]);
        hub.org("kansai-gas", "operator", &["gas"]);
        hub.org("vendor-x", "supplier", &[]);
        let post =
            |org: &str, community: &str, n: u32, name: &str, marking: &str, recipients: &[&str]| {
                let token = hub.token_for(org, "member", false);
                let mut o = json!({
                    "type": "indicator", "spec_version": "2.1",
                    "id": format!("indicator--{n:08x}-cafe-4000-8000-000000000000"),
                    "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
                    "name": name, "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z",
                    "pattern": format!("[ipv4-addr:value = '198.51.100.{n}']"),
                    "object_marking_refs": [marking],
                });
                if !recipients.is_empty() {
                    o["x_kyoyu_recipients"] = json!(recipients);
                }
                let a = hub.request(
                    "POST",
                    &format!("/hub/collections/{community}/objects/"),
                    Some(&token),
                    &[
                        ("Content-Type", crate::testkit::TAXII),
                        ("Accept", crate::testkit::TAXII),
                    ],
                    Some(&json!({"objects": [o]}).to_string()),
                );
                assert_eq!(a.status, 202, "{}", a.body);
            };
        let amber = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
        let red = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
        post(
            "kansai-gas",
            "sector-gas",
            1,
            "canary-gas-amber",
            amber,
            &[],
        );
        post(
            "tokai-power",
            "sector-electricity",
            2,
            "canary-elec-red-meti",
            red,
            &["meti"],
        );
        crate::testkit::eventually("indexing", || {
            hub.get("/api/search?q=canary-elec", None)
                .body
                .contains("canary-elec-red")
        });
        let ids = [
            "indicator--00000001-cafe-4000-8000-000000000000",
            "indicator--00000002-cafe-4000-8000-000000000000",
        ];
        // Who must see neither: a member of the other sector for each, the supplier.
        let people = [
            (
                member(&hub, "g.member", "kansai-gas", "en").0,
                "canary-elec-red-meti",
            ),
            (
                member(&hub, "e.member", "tokai-power", "en").0,
                "canary-gas-amber",
            ),
            (member(&hub, "v.member", "vendor-x", "en").0, "canary-"),
        ];
        let mut pages = 0;
        for (method, template, _) in kyoyu_console_http::ROUTES {
            // A live stream never ends: it is filtered by the same feed as
            // the API's, which `hotline::…` tests for who hears what.
            if *method != "get" || template.contains("{file}") || template.ends_with("/stream") {
                continue;
            }
            let paths: Vec<String> = if template.contains("{id}") {
                ids.iter().map(|id| template.replace("{id}", id)).collect()
            } else {
                vec![
                    (*template).to_owned(),
                    format!(
                        "{template}?q=canary&value=198.51.100.1&community=sector-gas&tab=audit"
                    ),
                    format!("{template}?q=canary&value=198.51.100.2&community=sector-electricity"),
                ]
            };
            for path in paths {
                for (p, secret) in &people {
                    let a = p.get(&path);
                    pages += 1;
                    assert!(a.status < 500, "{path}: {}", a.status);
                    let shown = a.body.replace(&path, "");
                    assert!(
                        !shown.contains(secret),
                        "{path} showed {secret}: {}",
                        a.body
                    );
                }
            }
        }
        assert!(pages > 60, "{pages} pages opened");
    }
);

on_both_stores!(a_reviewer_redacts_by_hand, |backend| {
    let hub = TestHub::start_with(backend, &["--release-window", "3600", "--release-k", "5"]);
    hub.org("tokai-power", "operator", &["electricity"]);
    let (sender, _) = member(&hub, "k.sato", "tokai-power", "en");
    let reviewer = officer(&hub, "h.suzuki", "hub", "hub-admin");
    let page = sender.get("/console/submit");
    let a = sender.post(
        "/console/submit",
        &[
            ("csrf", &csrf_of(&page.body)),
            ("community", "sector-electricity"),
            ("conceal", "on"),
            ("title", "Beacons from the substation HMI"),
            (
                "description",
                "The night shift saw beacons to 203.0.113.5 via the Hamamatsu relay.",
            ),
            ("category", "intrusion"),
            ("action", "submit"),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let queue = reviewer.get("/console/review");
    let id = between(&queue.body, "<a href=\"/console/review/", "\"").to_owned();
    let review = reviewer.get(&format!("/console/review/{id}"));
    let csrf = csrf_of(&review.body);
    let rev = between(&review.body, "name=\"rev\" value=\"", "\"").to_owned();
    let text = plain(between(&review.body, "name=\"objects\"", "</textarea>"));
    let text = text
        .split_once('>')
        .map_or(text.as_str(), |(_, t)| t)
        .to_owned();
    let path = format!("/console/review/{id}");
    // Not JSON, or more than a redaction: refused, saying why; nothing changes.
    let a = reviewer.post(
        &path,
        &[
            ("csrf", &csrf),
            ("rev", &rev),
            ("action", "edit"),
            ("objects", "[{"),
        ],
    );
    assert_eq!(a.status, 400, "{}", a.body);
    let rewritten = text.replace("night shift", "day shift");
    let a = reviewer.post(
        &path,
        &[
            ("csrf", &csrf),
            ("rev", &rev),
            ("action", "edit"),
            ("objects", &rewritten),
        ],
    );
    assert_eq!(a.status, 422, "{}", a.body);
    // A redaction by hand: saved, and the submission leaves the queue.
    let redacted = text.replace("Hamamatsu relay", "[redacted]");
    assert_ne!(redacted, text);
    let a = reviewer.post(
        &path,
        &[
            ("csrf", &csrf),
            ("rev", &rev),
            ("action", "edit"),
            ("objects", &redacted),
        ],
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(a.body.contains("redacted version"), "{}", a.body);
    assert_eq!(
        reviewer.get(&path).status,
        404,
        "no longer waiting for review"
    );
});

on_both_stores!(people_choose_their_time_zone, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    let (p, _) = member(&hub, "k.sato", "tokai-power", "en");
    assert!(
        p.get("/console")
            .body
            .contains("Times are shown in Asia/Tokyo.")
    );
    let csrf = csrf_of(&p.get("/console/account").body);
    let a = p.post(
        "/console/account/time-zone",
        &[("csrf", &csrf), ("zone", "Mars/Olympus")],
    );
    assert_eq!(a.status, 400, "{}", a.body);
    let a = p.post(
        "/console/account/time-zone",
        &[("csrf", &csrf), ("zone", "Europe/Paris")],
    );
    assert_eq!(a.header("location"), Some("/console/account"), "{}", a.body);
    assert!(
        p.get("/console")
            .body
            .contains("Times are shown in Europe/Paris.")
    );
    p.post(
        "/console/account/time-zone",
        &[("csrf", &csrf), ("zone", "")],
    );
    assert!(
        p.get("/console")
            .body
            .contains("Times are shown in Asia/Tokyo.")
    );
});
