//! The view-models: plain data that a handler fills from the core's answers, one struct per
//! page, plus what every page shares ([`Chrome`]). Nothing here reaches the core; the render
//! functions of [`crate::pages`] turn these into HTML.
//!
//! Every string is text, never markup: the templates escape all of it.

use crate::i18n::Lang;
use crate::paths;
use jiff::Timestamp;

/// What the base layout of every page needs: language, the hub, the person, the navigation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chrome {
    /// The language of the page (from [`Lang::negotiate`]).
    pub lang: Lang,
    /// The hub's name, shown in the header and the title (an operator's setting).
    pub hub_name: String,
    /// The hub runs as a demonstration: every page shows a banner saying so.
    pub demo: bool,
    /// The signed-in person; `None` on the sign-in page (then no navigation is shown).
    pub user: Option<SignedIn>,
    /// Which sections of the main navigation this person may use.
    pub may: Permissions,
    /// The section this page belongs to (marked `aria-current="page"`).
    pub current: Option<Section>,
    /// This page's path and query (`/console/search?q=x`), for the language switch links.
    /// Anything that is not a local path (`//host`, `https://…`) is replaced by the console's
    /// root.
    pub path: String,
    /// The person's IANA time zone (`Asia/Tokyo`); `None` or an unknown name means
    /// [`crate::time::DEFAULT_TIME_ZONE`].
    pub time_zone: Option<String>,
}

impl Chrome {
    /// The chrome of a page seen before signing in: no person, no navigation.
    pub fn signed_out(lang: Lang, hub_name: &str, path: &str) -> Chrome {
        Chrome {
            lang,
            hub_name: hub_name.to_string(),
            demo: false,
            user: None,
            may: Permissions::default(),
            current: None,
            path: path.to_string(),
            time_zone: None,
        }
    }
}

/// The signed-in person, as the header shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The person's display name.
    pub name: String,
    /// Their login.
    pub login: String,
    /// The name of their organization.
    pub organization: String,
    /// The session's CSRF token, put in every form that posts (field [`paths::CSRF_FIELD`]).
    pub csrf_token: String,
}

/// The sections of the main navigation a person may use. A section left `false` is not shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Permissions {
    /// The dashboard.
    pub dashboard: bool,
    /// Browsing intelligence.
    pub intelligence: bool,
    /// Search.
    pub search: bool,
    /// Submitting reports.
    pub submit: bool,
    /// The review queue (reviewers).
    pub review: bool,
    /// The sender's receipts.
    pub receipts: bool,
    /// Administration.
    pub admin: bool,
    /// Incident reports (operators' people, ministry liaisons, national-centre officers).
    pub incidents: bool,
    /// The hotline (callers and duty officers).
    pub hotline: bool,
}

impl Permissions {
    /// Every section (a hub administrator who is also a member, say).
    pub fn all() -> Permissions {
        Permissions {
            dashboard: true,
            intelligence: true,
            search: true,
            submit: true,
            review: true,
            receipts: true,
            admin: true,
            incidents: true,
            hotline: true,
        }
    }

    /// Whether `section` is shown.
    pub fn allows(self, section: Section) -> bool {
        match section {
            Section::Dashboard => self.dashboard,
            Section::Intelligence => self.intelligence,
            Section::Search => self.search,
            Section::Submit => self.submit,
            Section::Review => self.review,
            Section::Receipts => self.receipts,
            Section::Admin => self.admin,
            Section::Incidents => self.incidents,
            Section::Hotline => self.hotline,
        }
    }
}

/// A section of the main navigation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// ダッシュボード.
    Dashboard,
    /// 脅威情報.
    Intelligence,
    /// 検索.
    Search,
    /// 報告.
    Submit,
    /// 審査.
    Review,
    /// 受領証.
    Receipts,
    /// 管理.
    Admin,
    /// インシデント報告.
    Incidents,
    /// ホットライン.
    Hotline,
}

impl Section {
    /// Every section, in navigation order.
    pub const ALL: [Section; 9] = [
        Section::Dashboard,
        Section::Intelligence,
        Section::Search,
        Section::Submit,
        Section::Review,
        Section::Receipts,
        Section::Incidents,
        Section::Hotline,
        Section::Admin,
    ];

    /// The catalogue key of the section's name.
    pub fn key(self) -> &'static str {
        match self {
            Section::Dashboard => "nav.dashboard",
            Section::Intelligence => "nav.intelligence",
            Section::Search => "nav.search",
            Section::Submit => "nav.submit",
            Section::Review => "nav.review",
            Section::Receipts => "nav.receipts",
            Section::Admin => "nav.admin",
            Section::Incidents => "nav.incidents",
            Section::Hotline => "nav.hotline",
        }
    }

    /// The section's path.
    pub fn href(self) -> &'static str {
        match self {
            Section::Dashboard => paths::DASHBOARD,
            Section::Intelligence => paths::INTELLIGENCE,
            Section::Search => paths::SEARCH,
            Section::Submit => paths::SUBMIT,
            Section::Review => paths::REVIEW,
            Section::Receipts => paths::RECEIPTS,
            Section::Admin => paths::ADMIN,
            Section::Incidents => paths::INCIDENTS,
            Section::Hotline => paths::HOTLINE,
        }
    }
}

/// A Traffic Light Protocol 2.0 level (TLP 1.0 WHITE is shown as CLEAR). The same levels as
/// `kyoyu_stix::tlp::Tlp`; the handler maps one to the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Tlp {
    /// TLP:CLEAR.
    Clear,
    /// TLP:GREEN.
    Green,
    /// TLP:AMBER.
    Amber,
    /// TLP:AMBER+STRICT.
    AmberStrict,
    /// TLP:RED.
    Red,
}

impl Tlp {
    /// Every level, least to most restricted.
    pub const ALL: [Tlp; 5] = [
        Tlp::Clear,
        Tlp::Green,
        Tlp::Amber,
        Tlp::AmberStrict,
        Tlp::Red,
    ];

    /// The label, as FIRST's TLP 2.0 standard writes it (never translated).
    pub fn label(self) -> &'static str {
        match self {
            Tlp::Clear => "TLP:CLEAR",
            Tlp::Green => "TLP:GREEN",
            Tlp::Amber => "TLP:AMBER",
            Tlp::AmberStrict => "TLP:AMBER+STRICT",
            Tlp::Red => "TLP:RED",
        }
    }

    /// The CSS class of the badge (`console.css` gives each its FIRST colour).
    pub fn class(self) -> &'static str {
        match self {
            Tlp::Clear => "tlp tlp-clear",
            Tlp::Green => "tlp tlp-green",
            Tlp::Amber => "tlp tlp-amber",
            Tlp::AmberStrict => "tlp tlp-amber-strict",
            Tlp::Red => "tlp tlp-red",
        }
    }

    /// The label's colour in FIRST's TLP 2.0 standard (on black, `#000000`).
    pub fn colour(self) -> &'static str {
        match self {
            Tlp::Clear => "#FFFFFF",
            Tlp::Green => "#33FF00",
            Tlp::Amber | Tlp::AmberStrict => "#FFC000",
            Tlp::Red => "#FF2B2B",
        }
    }
}

/// Where a concealed submission is (the states of `kyoyu_conceal::workflow::State`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubmissionState {
    /// Waiting for a reviewer.
    Review,
    /// Waiting for its release batch.
    Held,
    /// Being released.
    Releasing,
    /// Published in its community.
    Released,
    /// Refused by a reviewer.
    Rejected,
    /// Taken back by its sender.
    Withdrawn,
}

impl SubmissionState {
    /// Every state.
    pub const ALL: [SubmissionState; 6] = [
        SubmissionState::Review,
        SubmissionState::Held,
        SubmissionState::Releasing,
        SubmissionState::Released,
        SubmissionState::Rejected,
        SubmissionState::Withdrawn,
    ];

    /// The catalogue key of the state's name.
    pub fn key(self) -> &'static str {
        match self {
            SubmissionState::Review => "state.review",
            SubmissionState::Held => "state.held",
            SubmissionState::Releasing => "state.releasing",
            SubmissionState::Released => "state.released",
            SubmissionState::Rejected => "state.rejected",
            SubmissionState::Withdrawn => "state.withdrawn",
        }
    }

    /// The CSS class of the state's tag.
    pub fn class(self) -> &'static str {
        match self {
            SubmissionState::Review | SubmissionState::Held | SubmissionState::Releasing => {
                "state state-waiting"
            }
            SubmissionState::Released => "state state-done",
            SubmissionState::Rejected | SubmissionState::Withdrawn => "state state-ended",
        }
    }
}

/// The sign-in page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignInPage {
    /// The layout (`user: None`).
    pub chrome: Chrome,
    /// The login typed before, kept after a failed attempt (never the password or code).
    pub login: String,
    /// Why the last attempt failed, if it did.
    pub problem: Option<SignInProblem>,
    /// A notice that is not a failure (signed out).
    pub notice: Option<SignInNotice>,
    /// A pre-session CSRF token for the form, if the handler uses one.
    pub csrf_token: Option<String>,
}

/// Why signing in failed. One answer for an unknown login, a wrong password and a wrong code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInProblem {
    /// The login, password or code is not correct.
    Invalid,
    /// The session ended (idle or absolute limit).
    Expired,
    /// The form's CSRF token was missing or stale.
    FormExpired,
    /// Too many attempts.
    TooMany,
    /// The account is disabled.
    Disabled,
}

impl SignInProblem {
    /// Every problem.
    pub const ALL: [SignInProblem; 5] = [
        SignInProblem::Invalid,
        SignInProblem::Expired,
        SignInProblem::FormExpired,
        SignInProblem::TooMany,
        SignInProblem::Disabled,
    ];

    /// The catalogue key of the message.
    pub fn key(self) -> &'static str {
        match self {
            SignInProblem::Invalid => "sign_in.problem_invalid",
            SignInProblem::Expired => "sign_in.problem_expired",
            SignInProblem::FormExpired => "sign_in.problem_form_expired",
            SignInProblem::TooMany => "sign_in.problem_too_many",
            SignInProblem::Disabled => "sign_in.problem_disabled",
        }
    }
}

/// A notice on the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInNotice {
    /// The person has just signed out.
    SignedOut,
}

impl SignInNotice {
    /// Every notice.
    pub const ALL: [SignInNotice; 1] = [SignInNotice::SignedOut];

    /// The catalogue key of the message.
    pub fn key(self) -> &'static str {
        match self {
            SignInNotice::SignedOut => "sign_in.notice_signed_out",
        }
    }
}

/// The TOTP enrolment page: the new secret, to scan or type, and the code that confirms it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TotpEnrolPage {
    /// The layout.
    pub chrome: Chrome,
    /// The secret in base32 (RFC 4648, no padding), shown in groups of four.
    pub secret_base32: String,
    /// The `otpauth://totp/…` URI the QR code carries.
    pub otpauth_uri: String,
    /// The CSRF token of the confirming form.
    pub csrf_token: String,
    /// Why the last confirmation failed, if it did.
    pub problem: Option<TotpProblem>,
}

/// Why confirming a TOTP enrolment failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TotpProblem {
    /// The code does not match the new secret.
    WrongCode,
    /// The form's CSRF token was missing or stale.
    FormExpired,
}

impl TotpProblem {
    /// Every problem.
    pub const ALL: [TotpProblem; 2] = [TotpProblem::WrongCode, TotpProblem::FormExpired];

    /// The catalogue key of the message.
    pub fn key(self) -> &'static str {
        match self {
            TotpProblem::WrongCode => "totp.problem_wrong_code",
            TotpProblem::FormExpired => "totp.problem_form_expired",
        }
    }
}

/// The dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DashboardPage {
    /// The layout.
    pub chrome: Chrome,
    /// The person's previous visit; `None` on the first.
    pub since: Option<Timestamp>,
    /// New objects by TLP (`tlp: None`: unmarked), in the order to show.
    pub new_by_tlp: Vec<TlpCount>,
    /// New objects by STIX type, in the order to show.
    pub new_by_type: Vec<TypeCount>,
    /// The person's (organization's) submissions and where each is.
    pub submissions: Vec<SubmissionRow>,
    /// Submissions waiting for review; `None` when the person does not review.
    pub review_queue: Option<u64>,
    /// The most recent objects.
    pub recent: ObjectTable,
    /// The organization's incidents with a reporting deadline within a day
    /// or past, soonest first.
    pub deadlines: Vec<crate::reporting::IncidentRow>,
}

/// A count of new objects at one TLP level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TlpCount {
    /// The level; `None` for objects with no TLP marking.
    pub tlp: Option<Tlp>,
    /// How many.
    pub count: u64,
}

/// A count of new objects of one STIX type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypeCount {
    /// The STIX type (`indicator`); known types are shown by their translated name.
    pub stix_type: String,
    /// How many.
    pub count: u64,
}

/// One of the person's submissions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionRow {
    /// The receipt (what the sender keeps to follow it up).
    pub receipt: String,
    /// A one-line summary.
    pub summary: String,
    /// When it was submitted.
    pub submitted: Timestamp,
    /// Where it is.
    pub state: SubmissionState,
    /// A link to its receipt page, if there is one.
    pub href: Option<String>,
}

/// A page that says something went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPage {
    /// The layout (with or without a person).
    pub chrome: Chrome,
    /// The HTTP status (a row of `kyoyu_wire::ErrorKind`); its title comes from the catalogue.
    pub status: u16,
    /// What to fix, from the core's error description.
    pub message: String,
    /// Where the "go back" link leads (a local path; anything else becomes the console root).
    pub back_href: String,
}

/// A list of objects, with TLP badges: a component of several pages, and a fragment of its own
/// for partial updates (its `id` is the target of `data-partial`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectTable {
    /// The element id of the table's wrapper (letters, digits and `-`).
    pub id: String,
    /// The table's caption.
    pub caption: String,
    /// The rows.
    pub rows: Vec<ObjectRow>,
    /// The next page's link, if there is one.
    pub next_href: Option<String>,
}

/// One object in an [`ObjectTable`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRow {
    /// The STIX id.
    pub id: String,
    /// Its name (or another title the handler picked).
    pub name: String,
    /// Its STIX type.
    pub stix_type: String,
    /// Its strictest TLP; `None` when it carries none.
    pub tlp: Option<Tlp>,
    /// When it was last modified.
    pub modified: Timestamp,
    /// The link to the object.
    pub href: String,
}

/// The search page: full text in any script, and exact observable values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchPage {
    /// The layout.
    pub chrome: Chrome,
    /// The words searched for, as typed.
    pub q: String,
    /// The observable value searched for, as typed.
    pub value: String,
    /// The results; `None` before anything is asked.
    pub results: Option<ObjectTable>,
    /// Why the search was not made, if it was not.
    pub problem: Option<SearchProblem>,
}

/// Why the console itself refused a request (before the core was asked):
/// worded by the catalogues' `[refusal]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// An administration tab the person may not use.
    AdminTab,
    /// A membership standing the hub does not know.
    NotAStanding(String),
    /// An organization kind the hub does not know.
    NotAKind(String),
    /// A date filter that is not `YYYY-MM-DD`.
    NotADate(String),
    /// No object with this id that the person may read.
    NoObject(String),
    /// The form's body could not be read (the parser's words).
    FormUnreadable(String),
    /// One field could not be read: (name, the parser's words).
    FieldUnreadable(String, String),
    /// STIX content that is not JSON (the parser's words).
    StixNotJson(String),
    /// JSON that is not a bundle, a list or an object.
    StixShape,
    /// A preview asked for without concealment.
    PreviewNeedsConceal,
    /// No submission with this id waiting for this reviewer.
    NoReview(String),
    /// A reviewer's edit that is not a JSON list (the parser's words).
    EditNotJson(String),
    /// A review decision the console does not know.
    NotADecision(String),
    /// A withdrawal without its confirmation ticked.
    ConfirmWithdrawal,
    /// A form from another site, another session or an old page.
    FormExpired,
}

impl Refusal {
    /// The refusal in `lang`: what went wrong and what to do.
    pub fn text(&self, lang: crate::Lang) -> String {
        use crate::i18n::{t, tf};
        match self {
            Self::AdminTab => t(lang, "refusal.admin_tab").to_owned(),
            Self::NotAStanding(v) => tf(lang, "refusal.not_a_standing", &[("value", v)]),
            Self::NotAKind(v) => tf(lang, "refusal.not_a_kind", &[("value", v)]),
            Self::NotADate(v) => tf(lang, "refusal.not_a_date", &[("value", v)]),
            Self::NoObject(id) => tf(lang, "refusal.no_object", &[("id", id)]),
            Self::FormUnreadable(d) => tf(lang, "refusal.form_unreadable", &[("detail", d)]),
            Self::FieldUnreadable(n, d) => tf(
                lang,
                "refusal.field_unreadable",
                &[("name", n), ("detail", d)],
            ),
            Self::StixNotJson(d) => tf(lang, "refusal.stix_not_json", &[("detail", d)]),
            Self::StixShape => t(lang, "refusal.stix_shape").to_owned(),
            Self::PreviewNeedsConceal => t(lang, "refusal.preview_needs_conceal").to_owned(),
            Self::NoReview(id) => tf(lang, "refusal.no_review", &[("id", id)]),
            Self::EditNotJson(d) => tf(lang, "refusal.edit_not_json", &[("detail", d)]),
            Self::NotADecision(v) => tf(lang, "refusal.not_a_decision", &[("value", v)]),
            Self::ConfirmWithdrawal => t(lang, "refusal.confirm_withdrawal").to_owned(),
            Self::FormExpired => t(lang, "refusal.form_expired").to_owned(),
        }
    }
}

/// Why a search was not made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchProblem {
    /// The form was sent with both fields empty.
    NothingEntered,
    /// The hub refused the search, saying why (the core's words).
    Refused(String),
}

/// Browsing intelligence: filters and one page of objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntelligencePage {
    /// The layout.
    pub chrome: Chrome,
    /// The communities the person reads: (id, name).
    pub communities: Vec<(String, String)>,
    /// The community chosen (`""`: all).
    pub community: String,
    /// The STIX type chosen (`""`: all).
    pub stix_type: String,
    /// The TLP chosen.
    pub tlp: Option<Tlp>,
    /// Added since this date (`YYYY-MM-DD`, as typed; `""`: any time).
    pub since: String,
    /// The objects.
    pub table: ObjectTable,
}

/// One object, with where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectDetailPage {
    /// The layout.
    pub chrome: Chrome,
    /// Its name (or another title).
    pub name: String,
    /// Its STIX id.
    pub id: String,
    /// Its STIX type.
    pub stix_type: String,
    /// Its TLP as its community counts it.
    pub tlp: Option<Tlp>,
    /// The community it was read from.
    pub community: String,
    /// `created`, `modified` (STIX) and when the hub added this version.
    pub created: Option<Timestamp>,
    /// See `created`.
    pub modified: Option<Timestamp>,
    /// See `created`.
    pub added: Timestamp,
    /// The version shown is revoked by its producer.
    pub revoked: bool,
    /// Its properties: (name, text; nested values as indented JSON).
    pub properties: Vec<(String, String)>,
    /// Its relationships and sightings that the person may read.
    pub relations: Vec<Relation>,
    /// What the sightings of it that the person may read add up to
    /// (`Sightings::default()`: none).
    pub sightings: Sightings,
    /// Its versions the person may read, newest first: (modified, added, link).
    pub versions: Vec<(String, Timestamp, String)>,
    /// The link that downloads it as a STIX bundle.
    pub download_href: String,
}

/// The sightings of an object, added up.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sightings {
    /// How many times it was seen: the sum of the sightings' `count` (1 for a sighting without
    /// one).
    pub count: u64,
    /// The earliest `first_seen` among them.
    pub first_seen: Option<Timestamp>,
    /// The latest `last_seen` among them.
    pub last_seen: Option<Timestamp>,
    /// Where it was seen: the names of their `where_sighted_refs` that the person may read
    /// (a sector, a region; never a concealed sender), each once.
    pub places: Vec<String>,
}

/// A relationship (or sighting) between the object shown and another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The relationship type (`indicates`, `uses`, `sighting-of`…).
    pub kind: String,
    /// The object shown is the source (`true`) or the target.
    pub outgoing: bool,
    /// The other object's name (or id).
    pub other_name: String,
    /// The other object's STIX type.
    pub other_type: String,
    /// The link to the other object.
    pub other_href: String,
    /// The relationship object's own link.
    pub href: String,
}

/// The categories of the incident form (the core's list).
pub const CATEGORIES: [&str; 10] = [
    "ransomware",
    "phishing",
    "ddos",
    "intrusion",
    "malware",
    "data-leak",
    "supply-chain",
    "vulnerability",
    "fraud",
    "other",
];

/// What the submit form holds (kept after a preview or an error).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubmitForm {
    /// The community (id).
    pub community: String,
    /// `clear`, `green`, `amber`, `amber+strict` (`""`: the community's default).
    pub tlp: String,
    /// Conceal the organization (the default).
    pub conceal: bool,
    /// The incident's title.
    pub title: String,
    /// Its description.
    pub description: String,
    /// Its category (one of [`CATEGORIES`]).
    pub category: String,
    /// Observed values, one per line.
    pub indicators: String,
    /// STIX JSON pasted (a bundle or objects), instead of the form.
    pub stix: String,
}

/// The submit page: the form, and after "preview" exactly what the others
/// will receive, after "submit" the receipt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmitPage {
    /// The layout.
    pub chrome: Chrome,
    /// The communities the person may write to: (id, name).
    pub communities: Vec<(String, String)>,
    /// The form as filled.
    pub form: SubmitForm,
    /// The CSRF token.
    pub csrf_token: String,
    /// Why the last attempt failed (the hub's words), if it did.
    pub problem: Option<String>,
    /// What the others will receive, after "preview".
    pub preview: Option<Preview>,
    /// The outcome, after "submit".
    pub submitted: Option<Submitted>,
}

/// What a concealed submission releases, before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// Each object as the others will read it (indented JSON).
    pub objects: Vec<String>,
    /// What a reviewer will decide on.
    pub doubts: Vec<Doubt>,
    /// How many of each redaction: (kind, count).
    pub redactions: Vec<(String, u64)>,
    /// Objects dropped whole (identities, markings).
    pub dropped: u64,
}

/// A passage the concealment could not decide on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doubt {
    /// Its number (from 1), as a reviewer keeps it.
    pub number: usize,
    /// The object it is in.
    pub object: String,
    /// Where (a JSON path).
    pub path: String,
    /// Why it is in doubt.
    pub why: String,
    /// The text in question.
    pub text: String,
}

/// What submitting gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Submitted {
    /// A concealed submission: its receipt (the only way to follow it) and state.
    Concealed {
        /// The receipt.
        receipt: String,
        /// Where it is.
        state: SubmissionState,
        /// Doubts waiting for a reviewer.
        doubts: u64,
    },
    /// Shared under the organization's name: how many objects were stored.
    Attributed {
        /// Objects stored.
        stored: u64,
        /// Objects refused, with why.
        refused: Vec<String>,
    },
}

/// The review queue: concealed submissions waiting for this reviewer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewQueuePage {
    /// The layout.
    pub chrome: Chrome,
    /// What waits.
    pub items: Vec<ReviewItem>,
    /// What was just done, if anything.
    pub notice: Option<ReviewNotice>,
}

/// What a reviewer just did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewNotice {
    /// Approved this submission (its id).
    Approved(String),
    /// Rejected this submission (its id).
    Rejected(String),
    /// Saved a redacted version of this submission (its id), held for release.
    Edited(String),
}

/// A submission waiting for review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewItem {
    /// Its id.
    pub id: String,
    /// Its community (name).
    pub community: String,
    /// How many objects.
    pub objects: u64,
    /// How many doubts.
    pub doubts: u64,
    /// The link to review it.
    pub href: String,
}

/// One submission under review: the concealed version with its redactions
/// and doubts marked; keep or withhold each doubt; approve or reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewPage {
    /// The layout.
    pub chrome: Chrome,
    /// The submission's id.
    pub id: String,
    /// Its community (name).
    pub community: String,
    /// The version read (sent back with the decision).
    pub rev: i64,
    /// The objects as they stand (indented JSON).
    pub objects: Vec<String>,
    /// The doubts, numbered from 1.
    pub doubts: Vec<Doubt>,
    /// The CSRF token.
    pub csrf_token: String,
    /// Why the last decision failed, if it did.
    pub problem: Option<String>,
}

/// The receipts page: the receipts this browser keeps, a look-up by
/// receipt, and what a receipt lets its holder do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptsPage {
    /// The layout.
    pub chrome: Chrome,
    /// The receipts this browser keeps, newest first.
    pub kept: Vec<SubmissionRow>,
    /// The submission of the receipt looked up, if one was.
    pub status: Option<ReceiptStatus>,
    /// The CSRF token (look-ups are posted: a receipt is a secret and
    /// never goes in a URL).
    pub csrf_token: String,
    /// Why the last request failed, if it did.
    pub problem: Option<String>,
    /// The submission was just withdrawn.
    pub withdrawn: bool,
}

/// What a receipt shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptStatus {
    /// The receipt.
    pub receipt: String,
    /// The community (name).
    pub community: String,
    /// Where the submission is.
    pub state: SubmissionState,
    /// When it was released.
    pub released: Option<Timestamp>,
    /// The released objects: (id, link).
    pub objects: Vec<(String, String)>,
    /// A reviewer's note (a rejection's reason).
    pub note: Option<String>,
    /// Sightings of the released objects that the holder may read.
    pub sightings: u64,
    /// Notes and opinions on them: one line each.
    pub feedback: Vec<String>,
}

/// The person's account: password, second factor, sessions, own API tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountPage {
    /// The layout.
    pub chrome: Chrome,
    /// The person's role (its wire name, `member`).
    pub role: String,
    /// Whether a second factor is set up.
    pub second_factor: bool,
    /// The person's time zone (`None`: the default, Asia/Tokyo).
    pub time_zone: Option<String>,
    /// The time zones offered.
    pub zones: Vec<String>,
    /// The person's own tokens still valid.
    pub tokens: Vec<TokenRow>,
    /// A token's secret, shown once just after it was made.
    pub new_secret: Option<String>,
    /// The CSRF token.
    pub csrf_token: String,
    /// Why the last request failed, if it did.
    pub problem: Option<String>,
}

/// An API token as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRow {
    /// Its public id.
    pub id: String,
    /// Its label.
    pub name: String,
    /// The organization it acts for.
    pub org: String,
    /// Its role.
    pub role: String,
    /// It never writes.
    pub read_only: bool,
    /// When it was made.
    pub created: String,
    /// When it expires, if it does.
    pub expires: Option<String>,
    /// Revoked.
    pub revoked: bool,
}

/// A tab of the administration page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AdminTab {
    /// Organizations.
    Orgs,
    /// Communities.
    Communities,
    /// Console users.
    Users,
    /// API tokens.
    Tokens,
    /// The audit trail.
    Audit,
}

impl AdminTab {
    /// Every tab, in order.
    pub const ALL: [AdminTab; 5] = [
        AdminTab::Orgs,
        AdminTab::Communities,
        AdminTab::Users,
        AdminTab::Tokens,
        AdminTab::Audit,
    ];

    /// The value in the URL (`?tab=users`).
    pub fn code(self) -> &'static str {
        match self {
            AdminTab::Orgs => "orgs",
            AdminTab::Communities => "communities",
            AdminTab::Users => "users",
            AdminTab::Tokens => "tokens",
            AdminTab::Audit => "audit",
        }
    }

    /// The catalogue key of its name.
    pub fn key(self) -> &'static str {
        match self {
            AdminTab::Orgs => "admin.tab_orgs",
            AdminTab::Communities => "admin.tab_communities",
            AdminTab::Users => "admin.tab_users",
            AdminTab::Tokens => "admin.tab_tokens",
            AdminTab::Audit => "admin.tab_audit",
        }
    }
}

/// The administration page: one tab at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminPage {
    /// The layout.
    pub chrome: Chrome,
    /// The tabs this person may open, and the one shown.
    pub tabs: Vec<AdminTab>,
    /// The tab shown.
    pub tab: AdminTab,
    /// Organizations: (id, name, kind, sectors).
    pub orgs: Vec<(String, String, String, String)>,
    /// Communities: (id, name, members, default TLP).
    pub communities: Vec<(String, String, u64, String)>,
    /// Console users.
    pub users: Vec<UserRow>,
    /// The organizations the person may create users in: (id, name).
    pub user_orgs: Vec<(String, String)>,
    /// The roles the person may give.
    pub roles: Vec<String>,
    /// API tokens.
    pub tokens: Vec<TokenRow>,
    /// The latest audit entries, newest first.
    pub audit: Vec<AuditRow>,
    /// The result of checking the whole trail, when asked.
    pub audit_check: Option<AuditCheckView>,
    /// A temporary password shown once, just after a user was added or
    /// reset: (login, password).
    pub temporary_password: Option<(String, String)>,
    /// The members of the community chosen (`?community=`), to manage.
    pub members: Option<Members>,
    /// The suppliers of the operator chosen (`?org=`), to manage.
    pub suppliers: Option<Members>,
    /// Organization kinds and sectors (id, name) for the new-organization
    /// form; empty when the person may not create organizations.
    pub org_kinds: Vec<String>,
    /// See `org_kinds`.
    pub sectors: Vec<(String, String)>,
    /// The CSRF token.
    pub csrf_token: String,
    /// Why the last request failed, if it did.
    pub problem: Option<String>,
}

/// The members of a community, or the suppliers of an operator, with
/// what may be added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Members {
    /// The community or operator: its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The members: (organization id, name, standing).
    pub members: Vec<(String, String, String)>,
    /// Organizations that may be added: (id, name).
    pub candidates: Vec<(String, String)>,
    /// The standings a member may be given (empty for supplier circles).
    pub roles: Vec<String>,
}

/// A console user as the administration page lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    /// Login.
    pub login: String,
    /// Name.
    pub name: String,
    /// Organization.
    pub org: String,
    /// Role.
    pub role: String,
    /// A second factor is set up.
    pub second_factor: bool,
    /// Disabled.
    pub disabled: bool,
}

/// An audit entry as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    /// Its position.
    pub seq: i64,
    /// When.
    pub at: Timestamp,
    /// The organization that acted.
    pub actor_org: String,
    /// The token or person (`user:<login>`).
    pub actor: String,
    /// What was done.
    pub action: String,
    /// On what.
    pub target: String,
}

/// What checking the audit trail found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckView {
    /// Entries checked.
    pub entries: u64,
    /// Entries whose content was withheld from this reader.
    pub withheld: u64,
    /// The head: `seq:hash`.
    pub head: String,
    /// Where it breaks and why, if it does.
    pub broken: Option<(i64, String)>,
}

/// The change-password page (required after an administrator's reset).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordPage {
    /// The layout.
    pub chrome: Chrome,
    /// The person must change a temporary password before going on.
    pub required: bool,
    /// The CSRF token of the form.
    pub csrf_token: String,
    /// Why the last attempt failed, if it did.
    pub problem: Option<PasswordProblem>,
}

/// Why changing the password failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordProblem {
    /// The new password and its repetition differ.
    Mismatch,
    /// The hub refused it, saying why (wrong current password, too short…).
    Refused(String),
}

/// The STIX types the catalogues name (others are shown as their type string).
pub const NAMED_STIX_TYPES: [&str; 27] = [
    "attack-pattern",
    "campaign",
    "course-of-action",
    "grouping",
    "identity",
    "incident",
    "indicator",
    "infrastructure",
    "intrusion-set",
    "location",
    "malware",
    "malware-analysis",
    "note",
    "observed-data",
    "opinion",
    "report",
    "threat-actor",
    "tool",
    "vulnerability",
    "relationship",
    "sighting",
    "domain-name",
    "email-addr",
    "file",
    "ipv4-addr",
    "ipv6-addr",
    "url",
];
