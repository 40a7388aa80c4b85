//! One request to the console: its language, its cookies, its session, and
//! the answers every handler gives the same way (pages, redirects, error
//! pages, the anti-forgery check).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kyoyu_console::Refusal;
use kyoyu_console::i18n::say_core;
use kyoyu_console::{
    Chrome, ErrorPage, HTML_CONTENT_TYPE, LANG_COOKIE, LANG_QUERY, Lang, Permissions, RenderError,
    Section, SignedIn, render_error,
};
use kyoyu_core::users::{CHANGE_PASSWORD, ENROL, SIGNED_IN, Session};
use kyoyu_core::{Backend, Error, ErrorKind, Hub};
use kyoyu_trust::policy;
use std::net::IpAddr;
use std::sync::Arc;

/// The session cookie: the secret whose keyed hash names the stored session.
pub(crate) const SESSION_COOKIE: &str = "kyoyu_session";
/// The sign-in form's own anti-forgery cookie (there is no session yet).
pub(crate) const PRESESSION_COOKIE: &str = "kyoyu_signin";
/// The receipts of this browser's concealed submissions: kept by the
/// sender's browser, never by the hub (the hub must not link a
/// submission to the person or organization that sent it).
pub(crate) const RECEIPTS_COOKIE: &str = "kyoyu_receipts";

/// What one console request brings.
pub(crate) struct Visit<S> {
    pub(crate) hub: Arc<Hub<S>>,
    pub(crate) lang: Lang,
    /// A language chosen by `?lang=` on this request (the cookie is set).
    chosen: Option<Lang>,
    /// Path and query, for the language switch and `next`.
    pub(crate) path: String,
    cookies: Vec<(String, String)>,
    pub(crate) ip: Option<IpAddr>,
    /// The request comes from the console's own pages (for POSTs).
    same_origin: bool,
    /// The valid session, if the cookie names one.
    pub(crate) session: Option<Session>,
    /// A session cookie was sent but its session has ended.
    pub(crate) expired: bool,
}

impl<S: Backend> FromRequestParts<Arc<Hub<S>>> for Visit<S> {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        hub: &Arc<Hub<S>>,
    ) -> Result<Self, Self::Rejection> {
        let cookies = cookies(&parts.headers);
        let query = parts.uri.query().unwrap_or_default();
        let chosen = query_value(query, LANG_QUERY).and_then(|v| Lang::parse(&v));
        let accept = parts
            .headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok());
        let cookie_lang = cookie_in(&cookies, LANG_COOKIE);
        let lang = Lang::negotiate(accept, cookie_lang, chosen.map(Lang::code));
        let path = parts
            .uri
            .path_and_query()
            .map_or_else(|| parts.uri.path().to_owned(), |p| p.as_str().to_owned());
        let ip = kyoyu_http::client_address(parts, &hub.config().trusted_proxies);
        let mut session = None;
        let mut expired = false;
        if let Some(secret) = cookie_in(&cookies, SESSION_COOKIE) {
            match hub.session(secret).await {
                Ok(s) => session = Some(s),
                Err(e) if e.kind == ErrorKind::Unauthorized => expired = true,
                Err(e) => return Err(error_page(hub, lang, &path, None, &e)),
            }
        }
        Ok(Visit {
            hub: hub.clone(),
            lang,
            chosen,
            path,
            ip,
            same_origin: same_origin(&parts.headers),
            cookies,
            session,
            expired,
        })
    }
}

impl<S: Backend> Visit<S> {
    /// A cookie's value.
    pub(crate) fn cookie(&self, name: &str) -> Option<&str> {
        cookie_in(&self.cookies, name)
    }

    /// The signed-in session, or the answer that leads there: the sign-in
    /// page (with where to come back), or the step the session must take
    /// first (set up a second factor, change the password).
    pub(crate) fn signed_in(&self) -> Result<&Session, Response> {
        let Some(s) = &self.session else {
            let next = encode(kyoyu_console::paths::local_or_root(&self.path));
            let expired = if self.expired { "&expired=1" } else { "" };
            return Err(self.redirect(&format!("/console/sign-in?next={next}{expired}")));
        };
        match s.record.stage.as_str() {
            SIGNED_IN => Ok(s),
            ENROL => Err(self.redirect("/console/account/totp")),
            CHANGE_PASSWORD => Err(self.redirect("/console/account/password")),
            _ => Err(self.redirect("/console/sign-in")),
        }
    }

    /// The session, at whatever stage (the set-up pages), or the sign-in page.
    pub(crate) fn any_session(&self) -> Result<&Session, Response> {
        match &self.session {
            Some(s) => Ok(s),
            None => Err(self.redirect("/console/sign-in")),
        }
    }

    /// A POST may act: it comes from the console's own pages and carries
    /// this session's anti-forgery token. Anything else is refused with a
    /// page saying so; nothing is done.
    pub(crate) fn check_form(&self, s: &Session, token: &str) -> Result<(), Response> {
        if self.same_origin && s.csrf_ok(token) {
            return Ok(());
        }
        Err(self.error(&refusal(
            self.lang,
            ErrorKind::Forbidden,
            Refusal::FormExpired,
        )))
    }

    /// Whether a POST comes from the console's own pages.
    pub(crate) fn same_origin(&self) -> bool {
        self.same_origin
    }

    /// An organization's name in the page's language (its id if unknown).
    pub(crate) fn org_name(&self, id: &str) -> String {
        let Some(s) = &self.session else {
            return id.to_owned();
        };
        s.caller.directory().org(id).map_or_else(
            || id.to_owned(),
            |o| match (self.lang, &o.name_ja) {
                (Lang::Ja, Some(ja)) if !ja.is_empty() => ja.clone(),
                _ => o.name.clone(),
            },
        )
    }

    /// A sector's name in the page's language (its id if unknown).
    pub(crate) fn sector_name(&self, id: &str) -> String {
        self.hub.seeds().sector(id).map_or_else(
            || id.to_owned(),
            |s| match self.lang {
                Lang::Ja => s.name_ja.clone(),
                Lang::En => s.name.clone(),
            },
        )
    }

    /// The layout of a page in `section`.
    pub(crate) fn chrome(&self, section: Option<Section>) -> Chrome {
        let mut chrome = Chrome::signed_out(self.lang, &self.hub.config().title, &self.path);
        chrome.demo = self.hub.config().demo;
        chrome.current = section;
        if let Some(s) = &self.session {
            chrome.user = Some(SignedIn {
                name: if s.user.name.is_empty() {
                    s.user.login.clone()
                } else {
                    s.user.name.clone()
                },
                login: s.user.login.clone(),
                organization: self.org_name(&s.user.org),
                csrf_token: s.record.csrf.clone(),
            });
            // The person's own time zone when they have one (Asia/Tokyo otherwise).
            chrome.time_zone = s.user.time_zone.clone();
            if s.record.stage == SIGNED_IN {
                chrome.may = permissions(&self.hub, s);
            }
        }
        chrome
    }

    /// A rendered page (200), setting the language cookie when the person
    /// just chose one.
    pub(crate) fn page(&self, html: Result<String, RenderError>) -> Response {
        self.page_with(StatusCode::OK, html)
    }

    /// A rendered page with `status`.
    pub(crate) fn page_with(
        &self,
        status: StatusCode,
        html: Result<String, RenderError>,
    ) -> Response {
        let html = match html {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "a console page could not be rendered");
                return (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the page could not be drawn",
                )
                    .into_response();
            }
        };
        let mut r = (status, html).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(HTML_CONTENT_TYPE),
        );
        self.remember_lang(r.headers_mut());
        r
    }

    /// What the core said, in the visit's language.
    pub(crate) fn explain(&self, e: &Error) -> String {
        say_core(self.lang, &e.said, &e.description)
    }

    /// A page saying what went wrong, with the status of the core's error.
    pub(crate) fn error(&self, e: &Error) -> Response {
        let mut r = error_page(&self.hub, self.lang, &self.path, Some(self), e);
        self.remember_lang(r.headers_mut());
        r
    }

    /// 303 to `to` (a local path).
    pub(crate) fn redirect(&self, to: &str) -> Response {
        let to = kyoyu_console::paths::local_or_root(to);
        let mut r = StatusCode::SEE_OTHER.into_response();
        if let Ok(v) = HeaderValue::from_str(to) {
            r.headers_mut().insert(header::LOCATION, v);
        }
        self.remember_lang(r.headers_mut());
        r
    }

    fn remember_lang(&self, headers: &mut HeaderMap) {
        if let Some(lang) = self.chosen {
            set_cookie(
                headers,
                LANG_COOKIE,
                lang.code(),
                "/",
                Some(365 * 24 * 3600),
            );
        }
    }
}

/// Which sections a person's navigation shows: the same policy functions
/// the services apply (the services still decide every request).
fn permissions<S: Backend>(hub: &Hub<S>, s: &Session) -> Permissions {
    let who = &s.caller;
    let p = &who.principal;
    let dir = who.directory();
    let catalog = hub.catalog();
    let writes = catalog
        .collections
        .iter()
        .any(|c| who.view_of(c).can_write());
    let reviews = dir.communities().any(|c| policy::may_review(dir, p, &c.id));
    let admin = policy::may_administer_hub(p)
        || policy::may_read_audit(p)
        || policy::may_issue_token(p, &p.org, kyoyu_trust::Role::Member);
    Permissions {
        dashboard: true,
        intelligence: true,
        search: true,
        submit: writes && !p.read_only,
        review: reviews,
        receipts: writes,
        admin,
        // Operators' people file; the competent ministries and the
        // national centre receive (what each sees is the core's policy).
        incidents: dir
            .org(&p.org)
            .is_some_and(|o| o.kind == kyoyu_trust::OrgKind::Operator)
            || matches!(
                p.role,
                kyoyu_trust::Role::MinistryLiaison | kyoyu_trust::Role::NationalCentreOfficer
            ),
        hotline: p.role == kyoyu_trust::Role::NationalCentreOfficer
            || (!p.read_only
                && dir.org(&p.org).is_some_and(|o| {
                    !matches!(
                        o.kind,
                        kyoyu_trust::OrgKind::NationalCentre | kyoyu_trust::OrgKind::Hub
                    )
                })),
    }
}

/// The status a page answers a refusal of the core with.
pub(crate) fn status_of(e: &Error) -> StatusCode {
    StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::BAD_REQUEST)
}

/// An error of `kind` the console gives itself, worded in `lang`.
pub(crate) fn refusal(lang: Lang, kind: ErrorKind, r: Refusal) -> Error {
    Error::new(kind, r.text(lang))
}

/// The error page for `e` (signed in or not).
fn error_page<S: Backend>(
    hub: &Hub<S>,
    lang: Lang,
    path: &str,
    visit: Option<&Visit<S>>,
    e: &Error,
) -> Response {
    let chrome = match visit {
        Some(v) => v.chrome(None),
        None => {
            let mut c = Chrome::signed_out(lang, &hub.config().title, path);
            c.demo = hub.config().demo;
            c
        }
    };
    let status = e.kind.status();
    let page = ErrorPage {
        chrome,
        status,
        message: say_core(lang, &e.said, &e.description),
        back_href: kyoyu_console::paths::ROOT.into(),
    };
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = match render_error(&page) {
        Ok(html) => (code, html).into_response(),
        Err(_) => (code, e.description.clone()).into_response(),
    };
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(HTML_CONTENT_TYPE),
    );
    if let Some(s) = e.retry_after
        && let Ok(v) = HeaderValue::from_str(&s.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

/// The cookies of a request.
fn cookies(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| {
            let (k, v) = c.split_once('=')?;
            Some((k.trim().to_owned(), v.trim().to_owned()))
        })
        .collect()
}

fn cookie_in<'a>(cookies: &'a [(String, String)], name: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// Adds `Set-Cookie`: Secure, HttpOnly, SameSite=Strict always; a session
/// cookie when `max_age` is `None`; `Some(0)` removes it.
pub(crate) fn set_cookie(
    headers: &mut HeaderMap,
    name: &str,
    value: &str,
    path: &str,
    max_age: Option<u64>,
) {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    let text = format!("{name}={value}; Path={path}; Secure; HttpOnly; SameSite=Strict{age}");
    if let Ok(v) = HeaderValue::from_str(&text) {
        headers.append(header::SET_COOKIE, v);
    }
}

/// Whether a request comes from the hub's own pages: a browser says where
/// a POST comes from in `Sec-Fetch-Site` (which pages cannot set), else in
/// `Origin`; another site's page is refused. (Under the console's
/// `no-referrer` policy Chromium sends `Origin: null` for its own forms,
/// so `Sec-Fetch-Site` decides when present.) Neither header (a
/// non-browser client) leaves the decision to the anti-forgery token.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let origin_host = origin
                .split_once("://")
                .map_or("", |(_, rest)| rest.trim_end_matches('/'));
            !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
    }
}

/// The decoded value of `name` in a query string.
pub(crate) fn query_value(query: &str, name: &str) -> Option<String> {
    form_pairs(query)
        .into_iter()
        .find_map(|(k, v)| (k == name).then_some(v))
}

/// The decoded pairs of a query string or an
/// `application/x-www-form-urlencoded` body, in order, repeated names kept.
pub(crate) fn form_pairs(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space).
pub(crate) fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// What [`encode`] escapes: everything but letters, digits, `-_.~/`.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a value for a query string.
pub(crate) fn encode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_decoded() {
        assert_eq!(
            query_value("q=%E9%9B%BB%E5%8A%9B&lang=en", "q").as_deref(),
            Some("電力")
        );
        assert_eq!(query_value("q=a+b", "q").as_deref(), Some("a b"));
        assert_eq!(query_value("q=100%", "q").as_deref(), Some("100%"));
        assert_eq!(query_value("q=%zz", "q").as_deref(), Some("%zz"));
        assert_eq!(query_value("lang=en", "q"), None);
        assert_eq!(
            decode(&encode("/console/search?q=電力&x=1")),
            "/console/search?q=電力&x=1"
        );
    }

    #[test]
    fn other_sites_are_not_the_same_origin() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h), "no browser headers: the token decides");
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8470"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8470"),
        );
        assert!(same_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&h));
        h.remove(header::ORIGIN);
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(!same_origin(&h));
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&h), "Chromium's own form under no-referrer");
        h.insert("sec-fetch-site", HeaderValue::from_static("same-site"));
        assert!(!same_origin(&h));
    }

    #[test]
    fn cookies_are_read() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; kyoyu_session=s3cret ;b="),
        );
        let c = cookies(&h);
        assert_eq!(cookie_in(&c, SESSION_COOKIE), Some("s3cret"));
        assert_eq!(cookie_in(&c, "b"), None);
        let mut out = HeaderMap::new();
        set_cookie(&mut out, "x", "y", "/console", None);
        assert_eq!(
            out[header::SET_COOKIE],
            "x=y; Path=/console; Secure; HttpOnly; SameSite=Strict"
        );
    }
}
