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

/// In Chromium: the sign-in page has no serious accessibility problem,
/// signing in stores the session cookie (Secure cookies on loopback).
#[test]
fn chromium_signs_in() {
    use crate::browser::Browser;
    let hub = TestHub::start(crate::testkit::Backend::Sqlite);
    hub.org("tokai-power", "operator", &["electricity"]);
    let password = user(&hub, "k.sato", "tokai-power", "member");
    let b = Browser::start("ja");
    b.open(&format!("{}/console/sign-in", hub.base));
    assert!(
        b.title().contains("ログイン") || b.title().contains("サインイン"),
        "{}",
        b.title()
    );
    let found = b.axe_violations();
    assert!(found.is_empty(), "{found:#?}");
    b.screenshot(&crate::browser::screenshot_dir().join("sign-in.ja.png"));
    b.fill("#login", "k.sato");
    b.fill("#password", &password);
    b.click("main button[type=submit]");
    let cookies = b.cookies();
    assert!(
        cookies
            .as_array()
            .into_iter()
            .flatten()
            .any(|c| c["name"] == "kyoyu_session"),
        "{cookies}"
    );
    assert!(
        b.url().ends_with("/console/account/password"),
        "{}",
        b.url()
    );
}
