//! The render functions: a view-model in, a complete HTML document (or a fragment) out.
//!
//! Each page is an askama template under `templates/` extending `base.html`, the layout every
//! page shares. A template reads messages as `l.t("key")`; everything else it shows comes from
//! the view-model and is escaped by askama.

use crate::assets;
use crate::i18n::{LANG_QUERY, LANGS, Lang, t, tf};
use crate::model::{
    Chrome, DashboardPage, ErrorPage, NAMED_STIX_TYPES, ObjectListPage, ObjectTable, PasswordPage,
    PasswordProblem, Section, SignInPage, Tlp, TotpEnrolPage,
};
use crate::paths::{self, local_or_root};
use crate::qr::qr_svg;
use crate::time::{When, Zone};
use askama::Template;
use std::fmt;

/// A page could not be rendered (a template failed to write; answer 500).
#[derive(Debug)]
pub struct RenderError(askama::Error);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rendering a console page failed: {}", self.0)
    }
}

impl std::error::Error for RenderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<askama::Error> for RenderError {
    fn from(error: askama::Error) -> RenderError {
        RenderError(error)
    }
}

/// The sign-in page.
pub fn render_sign_in(page: &SignInPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let view = SignInView {
        l,
        layout: Layout::new(&page.chrome, t(l, "sign_in.title")),
        page,
    };
    Ok(view.render()?)
}

/// The TOTP enrolment page, with the QR code of `otpauth_uri` drawn inline.
pub fn render_totp_enrol(page: &TotpEnrolPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let view = TotpView {
        l,
        layout: Layout::new(&page.chrome, t(l, "totp.title")),
        qr: qr_svg(&page.otpauth_uri, t(l, "totp.qr_title")),
        secret_groups: group_by_four(&page.secret_base32),
        page,
    };
    Ok(view.render()?)
}

/// The change-password page.
pub fn render_password(page: &PasswordPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let problem = page.problem.as_ref().map(|p| match p {
        PasswordProblem::Mismatch => t(l, "password.mismatch").to_string(),
        PasswordProblem::Refused(why) => why.clone(),
    });
    let view = PasswordView {
        l,
        layout: Layout::new(&page.chrome, t(l, "password.title")),
        page,
        problem,
    };
    Ok(view.render()?)
}

/// The dashboard.
pub fn render_dashboard(page: &DashboardPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "dashboard.title"));
    let since_text = match page.since {
        Some(since) => tf(
            l,
            "dashboard.new_since",
            &[("time", &layout.zone.when(since).shown)],
        ),
        None => t(l, "dashboard.new_first").to_string(),
    };
    let tlp_total: u64 = page.new_by_tlp.iter().map(|c| c.count).sum();
    let type_total: u64 = page.new_by_type.iter().map(|c| c.count).sum();
    let types = page
        .new_by_type
        .iter()
        .map(|c| TypeCountView {
            name: type_name(l, &c.stix_type),
            count: c.count,
        })
        .collect();
    let submissions = page
        .submissions
        .iter()
        .map(|s| SubmissionView {
            receipt: &s.receipt,
            summary: &s.summary,
            when: layout.zone.when(s.submitted),
            state_label: t(l, s.state.key()),
            state_class: s.state.class(),
            href: s.href.as_deref().map(local_or_root),
        })
        .collect();
    let review_text = page.review_queue.map(|count| {
        tf(
            l,
            "dashboard.review_waiting",
            &[("count", &count.to_string())],
        )
    });
    let view = DashboardView {
        l,
        recent: TableView::new(l, &layout.zone, &page.recent),
        since_text,
        tlp_total,
        type_total,
        types,
        submissions,
        review_text,
        review_href: page.chrome.may.review.then_some(paths::REVIEW),
        layout,
        page,
    };
    Ok(view.render()?)
}

/// A page that says what went wrong.
pub fn render_error(page: &ErrorPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let title = t(l, status_key(page.status));
    let heading = tf(
        l,
        "error.heading",
        &[("status", &page.status.to_string()), ("title", title)],
    );
    let view = ErrorView {
        l,
        layout: Layout::new(&page.chrome, title),
        heading,
        back: local_or_root(&page.back_href),
        page,
    };
    Ok(view.render()?)
}

/// A list of objects under a heading.
pub fn render_object_list(page: &ObjectListPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, &page.heading);
    let view = ObjectListView {
        l,
        table: TableView::new(l, &layout.zone, &page.table),
        layout,
        page,
    };
    Ok(view.render()?)
}

/// The object table alone: the fragment a partial update replaces (see
/// [`paths::PARTIAL_HEADER`]).
pub fn render_object_table(
    lang: Lang,
    time_zone: Option<&str>,
    table: &ObjectTable,
) -> Result<String, RenderError> {
    let zone = Zone::named(time_zone);
    Ok(TableView::new(lang, &zone, table).render()?)
}

/// The catalogue key of the title of an HTTP status (the rows of `kyoyu_wire::ErrorKind`).
pub fn status_key(status: u16) -> &'static str {
    match status {
        400 => "error.status_400",
        401 => "error.status_401",
        403 => "error.status_403",
        404 => "error.status_404",
        405 => "error.status_405",
        406 => "error.status_406",
        409 => "error.status_409",
        413 => "error.status_413",
        415 => "error.status_415",
        422 => "error.status_422",
        429 => "error.status_429",
        500 => "error.status_500",
        503 => "error.status_503",
        _ => "error.status_other",
    }
}

/// The statuses with a title of their own.
pub const KNOWN_STATUSES: [u16; 13] = [
    400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429, 500, 503,
];

/// The name of a STIX type in `lang` (the type itself for types the catalogue does not name).
pub fn type_name(lang: Lang, stix_type: &str) -> String {
    if NAMED_STIX_TYPES.contains(&stix_type) {
        t(lang, &format!("stix.{stix_type}")).to_string()
    } else {
        stix_type.to_string()
    }
}

/// `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`, easier to copy by hand.
fn group_by_four(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The language switch link to `lang` from the page at `path`: the same page, other query
/// parameters kept, `lang` set.
pub fn switch_href(path: &str, lang: Lang) -> String {
    let path = local_or_root(path);
    let path = path.split_once('#').map_or(path, |(before, _)| before);
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(LANG_QUERY))
        .collect();
    let own = format!("{LANG_QUERY}={}", lang.code());
    params.push(&own);
    format!("{base}?{}", params.join("&"))
}

/// A link of the main navigation.
struct NavLink {
    href: &'static str,
    label: &'static str,
    current: bool,
}

/// A link of the language switch.
struct SwitchLink {
    href: String,
    name: &'static str,
    code: &'static str,
    current: bool,
}

/// What `base.html` reads.
struct Layout<'a> {
    chrome: &'a Chrome,
    title: String,
    css: String,
    js: String,
    nav: Vec<NavLink>,
    switch: Vec<SwitchLink>,
    signed_in: Option<String>,
    zone: Zone,
    zone_note: String,
    root: &'static str,
}

impl<'a> Layout<'a> {
    fn new(chrome: &'a Chrome, page_title: &str) -> Layout<'a> {
        let l = chrome.lang;
        let nav = if chrome.user.is_some() {
            Section::ALL
                .into_iter()
                .filter(|s| chrome.may.allows(*s))
                .map(|s| NavLink {
                    href: s.href(),
                    label: t(l, s.key()),
                    current: chrome.current == Some(s),
                })
                .collect()
        } else {
            Vec::new()
        };
        let switch = LANGS
            .into_iter()
            .map(|lang| SwitchLink {
                href: switch_href(&chrome.path, lang),
                name: lang.autonym(),
                code: lang.code(),
                current: lang == l,
            })
            .collect();
        let signed_in = chrome.user.as_ref().map(|u| {
            tf(
                l,
                "layout.signed_in_as",
                &[("name", &u.name), ("organization", &u.organization)],
            )
        });
        let zone = Zone::named(chrome.time_zone.as_deref());
        let zone_note = tf(l, "layout.time_zone_note", &[("zone", zone.name())]);
        Layout {
            chrome,
            title: tf(
                l,
                "layout.title",
                &[("page", page_title), ("hub", &chrome.hub_name)],
            ),
            css: assets::css().url(),
            js: assets::js().url(),
            nav,
            switch,
            signed_in,
            zone,
            zone_note,
            root: paths::ROOT,
        }
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a SignInPage,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a TotpEnrolPage,
    qr: Option<String>,
    secret_groups: String,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a PasswordPage,
    problem: Option<String>,
}

struct TypeCountView {
    name: String,
    count: u64,
}

struct SubmissionView<'a> {
    receipt: &'a str,
    summary: &'a str,
    when: When,
    state_label: &'static str,
    state_class: &'static str,
    href: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a DashboardPage,
    since_text: String,
    tlp_total: u64,
    type_total: u64,
    types: Vec<TypeCountView>,
    submissions: Vec<SubmissionView<'a>>,
    review_text: Option<String>,
    review_href: Option<&'static str>,
    recent: TableView<'a>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a ErrorPage,
    heading: String,
    back: &'a str,
}

#[derive(Template)]
#[template(path = "object_list.html")]
struct ObjectListView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a ObjectListPage,
    table: TableView<'a>,
}

struct RowView<'a> {
    href: &'a str,
    name: &'a str,
    id: &'a str,
    type_name: String,
    tlp: Option<Tlp>,
    when: When,
}

#[derive(Template)]
#[template(path = "object_table.html")]
struct TableView<'a> {
    l: Lang,
    table: &'a ObjectTable,
    rows: Vec<RowView<'a>>,
    region_label: String,
    next: Option<&'a str>,
}

impl<'a> TableView<'a> {
    fn new(l: Lang, zone: &Zone, table: &'a ObjectTable) -> TableView<'a> {
        let rows = table
            .rows
            .iter()
            .map(|row| RowView {
                href: local_or_root(&row.href),
                name: if row.name.trim().is_empty() {
                    &row.id
                } else {
                    &row.name
                },
                id: &row.id,
                type_name: type_name(l, &row.stix_type),
                tlp: row.tlp,
                when: zone.when(row.modified),
            })
            .collect();
        TableView {
            l,
            table,
            rows,
            region_label: tf(l, "table.region", &[("caption", &table.caption)]),
            next: table.next_href.as_deref().map(local_or_root),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_links_keep_the_page() {
        assert_eq!(switch_href("/console", Lang::En), "/console?lang=en");
        assert_eq!(
            switch_href("/console/search?q=emotet&lang=ja&page=2", Lang::En),
            "/console/search?q=emotet&page=2&lang=en"
        );
        assert_eq!(
            switch_href("/console/x?#frag", Lang::Ja),
            "/console/x?lang=ja"
        );
        assert_eq!(
            switch_href("https://evil.example/", Lang::Ja),
            "/console?lang=ja"
        );
        assert_eq!(switch_href("//evil.example/", Lang::En), "/console?lang=en");
    }

    #[test]
    fn secrets_in_groups_of_four() {
        assert_eq!(group_by_four("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(group_by_four("ABCDE"), "ABCD E");
        assert_eq!(group_by_four(""), "");
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name(Lang::Ja, "malware"), "マルウェア");
        assert_eq!(type_name(Lang::En, "malware"), "Malware");
        assert_eq!(type_name(Lang::En, "x-acme-widget"), "x-acme-widget");
    }
}
