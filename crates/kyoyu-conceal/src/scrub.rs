//! Stage 2, content scrubbing: every string of a submission is searched
//! for what identifies the submitting organization, and for what looks
//! like anyone's internal detail.
//!
//! What is certain is replaced: the organization's names, aliases, brands
//! and staff; host names and e-mail addresses under its domains; its own
//! address ranges and ASNs; private and internal addresses and host names;
//! user folders in paths; telephone numbers. What may or may
//! not identify it (another company's name, an e-mail address in free text
//! that is not under its domains) is left in place and reported as a
//! doubt, for a reviewer to decide.
//!
//! The organization's data decides what is identity: an address in its
//! ranges is redacted, the same kind of address elsewhere (the attacker's)
//! is intelligence and stays.

//!
//! Every detector reads the text in folded form ([`crate::fold`]): other
//! case, full-width, defanged, percent-encoded or regex-escaped spellings
//! are the same spelling, and names are compared without separators. What
//! matches is replaced in the original text, at its place. The
//! organization's registered data is expanded into the forms people and
//! tools derive from it ([`Profile::of`]): names without legal forms, both
//! name orders, account names, the id, domain labels, punycode.

use crate::fold::{Folded, Squashed, is_separator, squash};
use kyoyu_trust::Org;
use kyoyu_trust::net::Cidr;
use regex::Regex;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

/// A name to find, squashed (folded, letters and digits only).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Term {
    squashed: String,
    /// Found only standing alone (short romaji: `Ito` must not eat `Itochu`);
    /// otherwise also inside longer tokens (`ExPowerAgent`).
    whole: bool,
}

/// What identifies one organization.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Names, aliases, the id, brands, staff and the names derived from them.
    terms: Vec<Term>,
    /// Its domains, in ASCII (punycode) lower case.
    domains: Vec<String>,
    /// Its internationalized domains as Unicode, folded (`例示電力.jp`).
    unicode_domains: Vec<String>,
    /// Its address ranges.
    ranges: Vec<Cidr>,
    /// Its autonomous systems.
    asns: Vec<u32>,
    /// Its host-naming schemes.
    hosts: Vec<Regex>,
    /// Objects on the hub it published under its own name.
    own_objects: std::collections::HashSet<String>,
    /// All terms at once (`terms[i]` is pattern `i`).
    finder: Option<aho_corasick::AhoCorasick>,
}

/// Legal forms, squashed, that people leave out or write differently
/// (`Example Power Co., Ltd.` is also `Example Power`, `(株)例示` is `例示`).
const LEGAL_FORMS: [&str; 20] = [
    "coltd",
    "colimited",
    "limited",
    "ltd",
    "incorporated",
    "inc",
    "kk",
    "corporation",
    "corp",
    "holdings",
    "hd",
    "llc",
    "gk",
    "co",
    "株式会社",
    "有限会社",
    "合同会社",
    "ホールディングス",
    "株",
    "有",
];

/// Words too common to redact when a name part is found alone.
const COMMON: [&str; 40] = [
    "power", "energy", "electric", "denki", "gas", "water", "bank", "japan", "nihon", "nippon",
    "tokyo", "osaka", "data", "system", "systems", "network", "security", "service", "services",
    "group", "east", "west", "north", "south", "central", "new", "general", "national", "city",
    "user", "admin", "test", "server", "mail", "host", "office", "center", "centre", "info",
    "support",
];

/// Honorifics and titles that follow a surname.
/// (`shi` is not joined to a romaji surname: `Sato` + `shi` is `Satoshi`;
/// `Sato-shi` is found by the surname standing alone.)
const HONORIFICS: [&str; 6] = ["san", "sama", "kun", "さん", "様", "氏"];

fn is_cjk(s: &str) -> bool {
    !s.is_ascii()
}

/// Adds a name as a term (squashed): from two characters; short ASCII
/// ones only standing alone. A bare common word (`Power`) is no term.
fn add_term(terms: &mut Vec<Term>, name: &str, alone_below: usize) {
    let squashed = squash(name);
    if COMMON.contains(&squashed.as_str()) {
        return;
    }
    add_registered(terms, name, alone_below);
}

/// Adds a name as registered, even a common word (an alias `Central` is
/// what the organization asked to be withheld), standing alone then.
fn add_registered(terms: &mut Vec<Term>, name: &str, alone_below: usize) {
    let squashed = squash(name);
    let n = squashed.chars().count();
    let cjk = is_cjk(&squashed);
    if n < 2 {
        return;
    }
    if COMMON.contains(&squashed.as_str()) {
        terms.push(Term {
            whole: true,
            squashed,
        });
        return;
    }
    terms.push(Term {
        whole: !cjk && n < alone_below,
        squashed,
    });
}

/// A name with its bracketed parts (`(…)`, `（…）`, `[…]`) taken out.
fn without_brackets(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut depth = 0usize;
    for c in name.chars() {
        match c {
            '(' | '（' | '[' | '［' => depth += 1,
            ')' | '）' | ']' | '］' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A registered name and the stems left when legal forms are taken off
/// either end (repeatedly: `Example Power Holdings Co., Ltd.`). Romaji
/// forms come off as whole words only (`Cosmo Oil` keeps its `Co`);
/// Japanese ones, written without spaces, also as part of a word.
fn stems(name: &str) -> Vec<String> {
    let words: Vec<String> = Folded::of(name)
        .text
        .split(is_separator)
        .map(squash)
        .filter(|w| !w.is_empty())
        .collect();
    // Initials written with dots are one word (`K.K.`, `G.K.`, `L.L.C.`).
    let mut merged: Vec<String> = Vec::new();
    for w in words {
        let single = |s: &String| s.len() == 1 && s.is_ascii();
        match merged.last_mut() {
            Some(last)
                if single(&w)
                    && last.chars().all(|c| c.is_ascii_alphabetic())
                    && last.len() < 4
                    && (last.len() == 1
                        || LEGAL_FORMS.iter().any(|f| f.starts_with(last.as_str()))) =>
            {
                last.push_str(&w);
            }
            _ => merged.push(w),
        }
    }
    let words = merged;
    let mut out: Vec<Vec<String>> = vec![words];
    let mut i = 0;
    while let Some(ws) = out.get(i).cloned() {
        let mut next: Vec<Vec<String>> = Vec::new();
        let (first, last) = (ws.first(), ws.last());
        for form in LEGAL_FORMS {
            if ws.len() > 1 {
                if first.is_some_and(|w| w == form) {
                    next.push(ws.get(1..).unwrap_or_default().to_vec());
                }
                if last.is_some_and(|w| w == form) {
                    next.push(ws.get(..ws.len() - 1).unwrap_or_default().to_vec());
                }
            }
            if !form.is_ascii() {
                let mut edge = |w: Option<&String>, at: usize, front: bool| {
                    let cut = w.and_then(|w| {
                        if front {
                            w.strip_prefix(form)
                        } else {
                            w.strip_suffix(form)
                        }
                    });
                    if let Some(rest) = cut.filter(|r| !r.is_empty()) {
                        let mut v = ws.clone();
                        if let Some(slot) = v.get_mut(at) {
                            *slot = rest.to_owned();
                        }
                        next.push(v);
                    }
                };
                edge(first, 0, true);
                edge(last, ws.len().saturating_sub(1), false);
            }
        }
        for v in next {
            if !v.is_empty() && !out.contains(&v) {
                out.push(v);
            }
        }
        i += 1;
    }
    out.into_iter().map(|ws| ws.concat()).collect()
}

/// The forms a person's registered name takes: both orders, the surname
/// alone (unless it is a common word), honorifics and account names.
fn person_terms(terms: &mut Vec<Term>, name: &str) {
    let parts: Vec<String> = name
        .split(|c: char| c.is_whitespace() || c == '・' || c == '·' || c == ',')
        .map(squash)
        .filter(|p| !p.is_empty())
        .collect();
    add_term(terms, name, 5);
    let cjk = is_cjk(name);
    // Which part is the family name: the one written in capitals
    // (`YAMADA Taro`), else either (both orders are common).
    let family: Vec<&String> = match parts.as_slice() {
        [a, b] if cjk => vec![a, b].into_iter().take(1).collect(),
        [a, b] => {
            let caps: Vec<&String> = name
                .split_whitespace()
                .zip([a, b])
                .filter(|(w, _)| w.chars().all(|c| !c.is_lowercase()) && w.chars().count() > 1)
                .map(|(_, p)| p)
                .collect();
            if caps.len() == 1 { caps } else { vec![a, b] }
        }
        _ => Vec::new(),
    };
    if let [a, b] = parts.as_slice() {
        add_term(terms, &format!("{b}{a}"), 5);
        for (given, fam) in [(a, b), (b, a)] {
            if !family.contains(&fam) || cjk {
                continue;
            }
            // Account names: tyamada, yamadat, taro.yamada (squashed as tarоyamada).
            let initial: String = given.chars().take(1).collect();
            add_term(terms, &format!("{initial}{fam}"), 6);
            add_term(terms, &format!("{fam}{initial}"), 6);
        }
    }
    // A four-character kanji name written without a space: 2 + 2.
    let whole = squash(name);
    if cjk && parts.len() == 1 && whole.chars().count() == 4 {
        add_term(terms, &whole.chars().take(2).collect::<String>(), 5);
    }
    for fam in family {
        if COMMON.contains(&fam.as_str()) {
            continue;
        }
        add_term(terms, fam, 5);
        for h in HONORIFICS {
            add_term(terms, &format!("{fam}{h}"), 5);
        }
    }
}

/// A domain in ASCII lower case (punycode for IDNs), without a trailing dot.
fn ascii_domain(d: &str) -> String {
    let d = d.trim().trim_end_matches('.');
    if d.is_ascii() {
        return d.to_ascii_lowercase();
    }
    idna::domain_to_ascii(d).unwrap_or_else(|_| d.to_lowercase())
}

impl Profile {
    /// The profile of an organization's record.
    pub fn of(org: &Org) -> Self {
        let mut terms = Vec::new();
        let names = std::iter::once(org.name.as_str())
            .chain(org.name_ja.as_deref())
            .chain(org.aliases.iter().map(String::as_str))
            .chain(std::iter::once(org.id.as_str()));
        for name in names {
            // `Example Power (Japan)`, `みなと電力（架空）`: people write the
            // name without what a registry put in brackets.
            let bare = without_brackets(name);
            for stem in stems(name).into_iter().chain(if bare == name {
                Vec::new()
            } else {
                stems(&bare)
            }) {
                add_term(&mut terms, &stem, 5);
            }
        }
        for alias in &org.aliases {
            add_registered(&mut terms, alias, 5);
        }
        for person in org.staff.iter().chain(org.contacts.iter().map(|c| &c.name)) {
            person_terms(&mut terms, person);
        }
        let domains: Vec<String> = org.domains.iter().map(|d| ascii_domain(d)).collect();
        let unicode_domains: Vec<String> = domains
            .iter()
            .map(|d| Folded::of(&idna::domain_to_unicode(d).0).text)
            .filter(|u| !u.is_ascii())
            .collect();
        // The first label of each domain (`example-power` of
        // `example-power.co.jp`) names the organization too: Windows
        // domains, mailbox names and tags are made from it.
        for d in &org.domains {
            let unicode = idna::domain_to_unicode(d.trim()).0;
            if let Some(label) = unicode.split('.').next() {
                add_term(&mut terms, label, 5);
            }
        }
        terms.sort_by(|a, b| b.squashed.len().cmp(&a.squashed.len()).then(a.cmp(b)));
        terms.dedup_by(|a, b| a.squashed == b.squashed);
        let finder = aho_corasick::AhoCorasick::new(terms.iter().map(|t| t.squashed.as_str())).ok();
        Self {
            finder,
            terms,
            domains,
            unicode_domains,
            ranges: org
                .ip_ranges
                .iter()
                .filter_map(|r| r.parse().ok())
                .collect(),
            asns: org.asns.clone(),
            hosts: org
                .host_patterns
                .iter()
                .filter_map(|p| Regex::new(&format!(r"(?i)\b(?:{p})\b")).ok())
                .collect(),
            own_objects: std::collections::HashSet::new(),
        }
    }

    /// The same, knowing which objects on the hub the organization
    /// published under its name (references to them would point back).
    pub fn with_own_objects(mut self, ids: impl IntoIterator<Item = String>) -> Self {
        self.own_objects.extend(ids);
        self
    }

    /// Whether the organization published this object under its name.
    pub fn owns_object(&self, id: &str) -> bool {
        self.own_objects.contains(id)
    }

    /// Whether a host name is the organization's (one of its domains or
    /// under one), in any case, with a trailing dot, as Unicode or punycode.
    pub fn owns_host(&self, host: &str) -> bool {
        let host = ascii_domain(host);
        self.domains.iter().any(|d| {
            host == *d
                || host
                    .strip_suffix(d.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }

    /// Whether an address is in the organization's ranges (IPv4-mapped and
    /// -compatible IPv6 addresses are their IPv4 address).
    pub fn owns_address(&self, ip: IpAddr) -> bool {
        let v4 = match ip {
            IpAddr::V6(v6) if !v6.is_loopback() && !v6.is_unspecified() => {
                let s = v6.segments();
                let [.., a, b, c, d] = v6.octets();
                match s {
                    // NAT64 (64:ff9b::/96) carries the address in its last 32 bits.
                    [0x64, 0xff9b, 0, 0, 0, 0, ..] => Some(Ipv4Addr::new(a, b, c, d)),
                    // 6to4 (2002::/16) in bits 16-47.
                    [0x2002, hi, lo, ..] => {
                        let [p, q] = hi.to_be_bytes();
                        let [r, t] = lo.to_be_bytes();
                        Some(Ipv4Addr::new(p, q, r, t))
                    }
                    _ => v6.to_ipv4(),
                }
                .map(IpAddr::V4)
            }
            _ => None,
        };
        self.ranges
            .iter()
            .any(|r| r.contains(ip) || v4.is_some_and(|v| r.contains(v)))
    }

    /// Whether an autonomous system is the organization's.
    pub fn owns_asn(&self, n: u32) -> bool {
        self.asns.contains(&n)
    }

    /// Whether a range written in text overlaps the organization's ranges.
    fn overlaps(&self, net: &Cidr) -> bool {
        self.ranges.iter().any(|r| r.within(net) || net.within(r))
    }

    /// Whether a property name mentions the organization (`x_examplepower_ticket`,
    /// `X-ExPower-Scanned`, `EXPOWER_HOME`).
    pub fn key_mentions(&self, key: &str) -> bool {
        !self.scrub(key, Field::Value).redactions.is_empty()
    }
}

/// How a string is used, which decides what counts as certain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// Prose written by people: names, descriptions, notes.
    Text,
    /// Machine values: observables, patterns, paths, URLs.
    Value,
}

/// What was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The organization's name, alias, brand or a staff name.
    Name,
    /// A host name or domain of the organization.
    Host,
    /// An e-mail address under the organization's domains.
    Email,
    /// An address in the organization's ranges.
    OwnAddress,
    /// A private, loopback or link-local address.
    PrivateAddress,
    /// A host name under an internal suffix (.local, .internal, .corp, …).
    InternalHost,
    /// A user name in a home-folder path.
    UserFolder,
    /// A telephone number.
    Phone,
    /// The organization's autonomous system number.
    Asn,
    /// A Windows (NetBIOS) domain in a logon name (`TOKAI\user`).
    LogonDomain,
    /// An identifier of the submission's own objects quoted in text.
    OriginalId,
}

/// The replacement for a redacted name, phone or ASN in text.
pub const REDACTED: &str = "[redacted]";
/// The replacement host (RFC 2606 reserves `.invalid`).
pub const REDACTED_HOST: &str = "redacted.invalid";

/// A string after scrubbing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scrubbed {
    /// The text to release.
    pub text: String,
    /// What was replaced, in order.
    pub redactions: Vec<Kind>,
    /// What a person should look at (never the organization's own data):
    /// what kind of text, and the text in question.
    pub doubts: Vec<(crate::DoubtKind, String)>,
}

fn re(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

// The detectors read folded (lower-case, NFKC) text, in ASCII: a domain
// written in Unicode is found by its labels, which are names of the
// organization (and its punycode form is ASCII). ASCII word boundaries keep
// the fast matchers usable on text that is not ASCII.
static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(r"[a-z0-9._%+-]+@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62})\.?")
});
static HOST: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?:[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}\.?"));
/// A run of four or more numbers joined by dots (or dashes, as reverse
/// DNS names write addresses: `p192-0-2-10.isp.ne.jp`), wherever it stands:
/// letters or `_` next to it do not hide it (`capture_192.0.2.10.pcap`).
/// Every four numbers in a row are read as an address.
static IPV4: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(r"(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){3,}(?:/(\d{1,2}))?|\d+(?:[-_]\d+){3,}")
});
/// A network written with three octets: `192.0.2.*`, `192.0.2.x`, `192.0.2/24`.
static IPV4_NETWORK: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?:\.[*x]|/(\d{1,2}))"));
/// A whole number (no digit next to it) or a hex number.
static IPV4_NUMBER: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"0x[0-9a-f]+|\d+"));
static IPV6: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(r"(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]{0,4})(?:/(\d{1,3})(?-u:\b))?")
});
static WINDOWS_HOME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(r#"(?-u:\b)([a-z]:(?:\\+|/)(?:users|documents and settings)(?:\\+|/))([^\\/\s"'<>|:*?]+)"#)
});
static UNIX_HOME: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r#"(/home/|/users/)([^/\s"'<>|:*?]+)"#));
/// Telephone numbers: international, and domestic ones of 10 or 11 digits
/// (checked after matching, so a date `05-12-2024` is not one).
static PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"(?:\+\d{1,3}[\s-]?\(?\d{1,4}\)?[\s-]\d{1,4}[\s-]\d{3,4}|(?-u:\b)0\d{1,4}-\d{1,4}-\d{4}(?-u:\b)|\(0\d{1,4}\)\s?\d{1,4}-\d{4})",
    )
});
/// `AS64500`, `ASN 64500`, `peer_as64500`: `as` not inside a word of
/// letters, the digits whole.
static ASN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r#"(?:^|[^a-z])(as[\s_:#=-]{0,3}(\d+))|((?:asn|as[_-]?num(?:ber)?|bgp)[\s_:#="'-]{0,4}(\d+))"#,
    )
});
/// A down-level logon name, `DOMAIN\user` (also `DOMAIN%5Cuser`), read in
/// the folded text; the domain must be written in capitals, as Windows
/// writes it, and the user have no further backslash (so `C:\Users\…` and
/// `system32\…` paths are not logons).
static LOGON: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r#"(?:^|[\s"'=,;(\[])([a-z0-9][a-z0-9-]{0,14})\\{1,2}([^\\\s"',;)\]]+)"#));
/// The name Windows gives a machine nobody named (`WIN-QWERTY12345`): as
/// likely the attacker's as the victim's, so a person decides.
static DEFAULT_MACHINE: LazyLock<Option<Regex>> = LazyLock::new(|| re(r"^win-[a-z0-9]{4,}$"));
static UUID: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
static UUID_ANY_CASE: LazyLock<Option<Regex>> =
    LazyLock::new(|| re(r"(?i)[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"));
/// An e-mail address as released (for doubts), in either case.
static EMAIL_AS_WRITTEN: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(r"(?i)[a-z0-9._%+-]+@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62})")
});
static COMPANY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    re(
        r"[^\s、。,.()（）「」]{1,20}(?:株式会社|有限会社)[^\s、。,.()（）「」]{0,20}|(?:株式会社|有限会社)[^\s、。,.()（）「」]{1,20}|\b[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,4},?\s+(?:Co\.,?\s*Ltd\.?|Inc\.|Corporation|Corp\.|K\.K\.|LLC|GmbH)",
    )
});

/// Windows domains that name no organization.
const BUILTIN_DOMAINS: [&str; 6] = [
    "NT AUTHORITY",
    "BUILTIN",
    "WORKGROUP",
    "NT SERVICE",
    "HKLM",
    "HKCU",
];

/// Internal-only suffixes: host names under them name someone's network.
const INTERNAL_SUFFIXES: [&str; 8] = [
    ".local",
    ".internal",
    ".intranet",
    ".corp",
    ".lan",
    ".localdomain",
    ".home.arpa",
    ".private",
];

/// Folder names that name nobody.
const SHARED_FOLDERS: [&str; 6] = [
    "public",
    "default",
    "all users",
    "user",
    "default user",
    "shared",
];

fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || (o[0] == 100 && (64..128).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments()[0];
            v6.is_loopback()
                || (s & 0xfe00) == 0xfc00
                || (s & 0xffc0) == 0xfe80
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| is_private(IpAddr::V4(v4)))
        }
    }
}

/// The readings of a dotted address with octets in any notation: decimal,
/// and where an octet has a leading zero, octal too (as `inet_aton` reads
/// `010` as 8). Both count: whichever a tool meant, it is withheld.
fn dotted_readings(text: &str) -> Vec<Ipv4Addr> {
    let octets: Vec<&str> = text.split('.').collect();
    let read = |octal: bool| -> Option<Ipv4Addr> {
        let mut out = [0u8; 4];
        for (slot, o) in out.iter_mut().zip(&octets) {
            let v = if let Some(h) = o.strip_prefix("0x") {
                u32::from_str_radix(h, 16).ok()?
            } else if octal && o.len() > 1 && o.starts_with('0') {
                u32::from_str_radix(o, 8).ok()?
            } else {
                o.parse::<u32>().ok()?
            };
            *slot = u8::try_from(v).ok()?;
        }
        Some(Ipv4Addr::from(out))
    };
    let mut readings: Vec<Ipv4Addr> = [read(false), read(true)].into_iter().flatten().collect();
    readings.dedup();
    readings
}

/// A replacement decided on the folded text, as an original byte range.
struct Cut {
    start: usize,
    end: usize,
    with: String,
    kind: Kind,
}

/// Collects the replacements of one string.
struct Cuts<'a> {
    folded: &'a Folded,
    cuts: Vec<Cut>,
}

impl Cuts<'_> {
    /// Replaces the folded range `a..b`.
    fn folded(&mut self, a: usize, b: usize, with: &str, kind: Kind) {
        if let Some((start, end)) = self.folded.original(a, b) {
            self.cuts.push(Cut {
                start,
                end,
                with: with.to_owned(),
                kind,
            });
        }
    }

    /// The original with every replacement made; overlapping ones merge
    /// into the first (the outermost) of them.
    fn apply(mut self, original: &str) -> (String, Vec<Kind>) {
        self.cuts
            .sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        let mut out = String::with_capacity(original.len());
        let mut kinds = Vec::new();
        let mut at = 0;
        for c in self.cuts {
            if c.start < at {
                // Inside (or overlapping) one already made: widen it.
                if c.end > at {
                    at = c.end;
                }
                kinds.push(c.kind);
                continue;
            }
            out.push_str(original.get(at..c.start).unwrap_or_default());
            out.push_str(&c.with);
            kinds.push(c.kind);
            at = c.end;
        }
        out.push_str(original.get(at..).unwrap_or_default());
        (out, kinds)
    }
}

impl Profile {
    /// Scrubs one string.
    pub fn scrub(&self, text: &str, field: Field) -> Scrubbed {
        let folded = Folded::of(text);
        let f = folded.text.as_str();
        let mut doubts = Vec::new();
        let mut cuts = Cuts {
            folded: &folded,
            cuts: Vec::new(),
        };
        let found = |r: &LazyLock<Option<Regex>>| -> Vec<regex::Captures<'_>> {
            // The fast matcher first: most strings hold none of these.
            r.as_ref()
                .filter(|r| r.is_match(f))
                .map(|r| r.captures_iter(f).collect())
                .unwrap_or_default()
        };

        let has = |c: char| f.contains(c);
        let digits = f.bytes().any(|b| b.is_ascii_digit());
        for c in if has('@') { found(&EMAIL) } else { Vec::new() } {
            let (Some(m), Some(host)) = (c.get(0), c.get(1)) else {
                continue;
            };
            if self.owns_host(host.as_str()) {
                cuts.folded(
                    m.start(),
                    m.end(),
                    &format!("redacted@{REDACTED_HOST}"),
                    Kind::Email,
                );
            }
        }
        for c in if has('.') { found(&HOST) } else { Vec::new() } {
            let Some(m) = c.get(0) else { continue };
            let host = m.as_str().trim_end_matches('.');
            if host == REDACTED_HOST {
                continue;
            }
            let kind = if self.owns_host(host) {
                Kind::Host
            } else if INTERNAL_SUFFIXES.iter().any(|x| host.ends_with(x)) {
                Kind::InternalHost
            } else {
                continue;
            };
            cuts.folded(m.start(), m.end(), REDACTED_HOST, kind);
        }
        if !f.is_ascii() {
            self.unicode_hosts(f, &mut cuts);
        }
        for re in &self.hosts {
            for m in re.find_iter(f) {
                cuts.folded(m.start(), m.end(), REDACTED_HOST, Kind::Host);
            }
        }
        for c in if digits && (has('.') || has('-') || has('_')) {
            found(&IPV4)
        } else {
            Vec::new()
        } {
            let Some(m) = c.get(0) else { continue };
            let run = m.as_str().split('/').next().unwrap_or_default();
            let dashed = !run.contains('.');
            let parts: Vec<&str> = run
                .split(|c| {
                    if dashed {
                        c == '-' || c == '_'
                    } else {
                        c == '.'
                    }
                })
                .collect();
            // Dashes and underscores join dates and times too
            // (`2024-10-05-13-45`): there a private reading counts only for
            // exactly four numbers written without leading zeros.
            let plain = !dashed
                || (parts.len() == 4 && parts.iter().all(|p| p.len() == 1 || !p.starts_with('0')));
            // A reverse-DNS name writes the octets the other way round.
            let arpa = f
                .get(m.end()..)
                .is_some_and(|r| r.starts_with(".in-addr.arpa"));
            let (mut own, mut private) = (false, false);
            for w in parts.windows(4) {
                let forward = dotted_readings(&w.join("."));
                let backward =
                    dotted_readings(&w.iter().rev().copied().collect::<Vec<_>>().join("."));
                let v4 = |r: &Ipv4Addr| IpAddr::V4(*r);
                // Read backwards only where a reverse-DNS name says so.
                let backward: &[Ipv4Addr] = if arpa { &backward } else { &[] };
                own |= forward
                    .iter()
                    .chain(backward)
                    .any(|r| self.owns_address(v4(r)));
                private |= plain && forward.iter().chain(backward).any(|r| is_private(v4(r)));
                own |= c.get(1).is_some_and(|p| {
                    parts.len() == 4
                        && forward
                            .iter()
                            .filter_map(|r| format!("{r}/{}", p.as_str()).parse::<Cidr>().ok())
                            .any(|net| self.overlaps(&net))
                });
            }
            let with = if dashed { "0-0-0-0" } else { "0.0.0.0" };
            if own {
                cuts.folded(m.start(), m.end(), with, Kind::OwnAddress);
            } else if private {
                cuts.folded(m.start(), m.end(), with, Kind::PrivateAddress);
            }
        }
        if digits && !self.ranges.is_empty() && (has('*') || has('/') || has('x')) {
            for c in found(&IPV4_NETWORK) {
                let Some(m) = c.get(0) else { continue };
                let octet = |i: usize| c.get(i).and_then(|g| g.as_str().parse::<u8>().ok());
                let (Some(a), Some(b), Some(d)) = (octet(1), octet(2), octet(3)) else {
                    continue;
                };
                let prefix = c.get(4).map_or("24", |p| p.as_str());
                let net = format!("{a}.{b}.{d}.0/{prefix}").parse::<Cidr>();
                if net.is_ok_and(|n| self.overlaps(&n)) {
                    cuts.folded(m.start(), m.end(), "0.0.0.0/0", Kind::OwnAddress);
                }
            }
        }
        // Integer and hex forms (`3221226058`, `0xc000020a`): only the
        // organization's own ranges, since any large number is some address.
        if !self.ranges.is_empty() && digits {
            let alnum_at = |i: Option<usize>| {
                i.and_then(|i| f.as_bytes().get(i))
                    .is_some_and(u8::is_ascii_alphanumeric)
            };
            for m in found(&IPV4_NUMBER)
                .iter()
                .filter_map(|c| c.get(0))
                // Not a run of digits inside a hash or a word.
                .filter(|m| !alnum_at(m.start().checked_sub(1)) && !alnum_at(Some(m.end())))
            {
                let n = match m.as_str().strip_prefix("0x") {
                    Some(h) if h.len() <= 8 => u32::from_str_radix(h, 16).ok(),
                    None if (8..=10).contains(&m.as_str().len()) => m.as_str().parse::<u32>().ok(),
                    _ => None,
                };
                if let Some(n) = n.filter(|n| *n >= 1 << 24)
                    && self.owns_address(IpAddr::V4(Ipv4Addr::from(n)))
                {
                    cuts.folded(m.start(), m.end(), "0", Kind::OwnAddress);
                }
            }
        }
        if f.contains(':') {
            for c in found(&IPV6) {
                let Some(m) = c.get(0) else { continue };
                let addr = m.as_str().split('/').next().unwrap_or_default();
                let Ok(ip) = addr.parse::<Ipv6Addr>() else {
                    continue;
                };
                let own_net = c
                    .get(1)
                    .and_then(|p| {
                        m.as_str()
                            .parse::<Cidr>()
                            .ok()
                            .filter(|_| !p.as_str().is_empty())
                    })
                    .is_some_and(|net| self.overlaps(&net));
                if own_net || self.owns_address(IpAddr::V6(ip)) {
                    cuts.folded(m.start(), m.end(), "::", Kind::OwnAddress);
                } else if is_private(IpAddr::V6(ip)) {
                    cuts.folded(m.start(), m.end(), "::", Kind::PrivateAddress);
                }
            }
        }
        for r in [&WINDOWS_HOME, &UNIX_HOME] {
            if !has('/') && !has('\\') {
                break;
            }
            for c in found(r) {
                let Some(name) = c.get(2) else { continue };
                if !SHARED_FOLDERS.contains(&name.as_str()) {
                    cuts.folded(name.start(), name.end(), "user", Kind::UserFolder);
                }
            }
        }
        for c in if digits && (f.contains("as") || f.contains("bgp")) {
            found(&ASN)
        } else {
            Vec::new()
        } {
            let (Some(m), Some(n)) = (c.get(1).or(c.get(3)), c.get(2).or(c.get(4))) else {
                continue;
            };
            if n.as_str()
                .parse::<u32>()
                .is_ok_and(|n| self.asns.contains(&n))
            {
                cuts.folded(m.start(), m.end(), REDACTED, Kind::Asn);
            }
        }
        // Logons are read in the folded text (`%5C`, `¥`, full width) and in
        // the original too (folding reads `\_` as a regex escape).
        // (Lower-cased only when it may hold a logon: this runs on every string.)
        let lower_text = if text.contains('\\') {
            text.to_ascii_lowercase()
        } else {
            String::new()
        };
        let sources: [(&str, bool); 2] = [(f, true), (lower_text.as_str(), false)];
        for (hay, is_folded) in sources {
            let Some(re) = LOGON.as_ref().filter(|_| hay.contains('\\')) else {
                continue;
            };
            for c in re.captures_iter(hay) {
                let (Some(d), Some(m)) = (c.get(1), c.get(0)) else {
                    continue;
                };
                // The user part ends the token: a further backslash makes it
                // a path (`SYSTEM32\drivers\x.sys`). The delimiter after it
                // is not consumed, so `A\x B\y` is two logons.
                let path = hay
                    .get(m.end()..)
                    .is_some_and(|rest| rest.starts_with('\\'));
                let span = if is_folded {
                    folded.original(d.start(), d.end())
                } else {
                    Some((d.start(), d.end()))
                };
                let Some((a, b)) = span else { continue };
                let written = text.get(a..b).unwrap_or_default();
                let upper = d.as_str().to_ascii_uppercase();
                // `NT AUTHORITY\SYSTEM`, `NT SERVICE\x`: the domain has a space.
                let nt = hay.get(..d.start()).is_some_and(|b| b.ends_with("nt "));
                if path
                    || nt
                    || written.chars().any(char::is_lowercase)
                    || BUILTIN_DOMAINS.contains(&upper.as_str())
                    || upper.starts_with("HKEY")
                {
                    continue;
                }
                // A default machine name is a person's call, unless it
                // holds one of the organization's names.
                let default_name = DEFAULT_MACHINE
                    .as_ref()
                    .is_some_and(|r| r.is_match(d.as_str()));
                if default_name && self.scrub(written, Field::Value).redactions.is_empty() {
                    if !doubts.iter().any(|(_, t)| t == written) {
                        doubts.push((crate::DoubtKind::DefaultMachineName, written.to_owned()));
                    }
                    continue;
                }
                cuts.cuts.push(Cut {
                    start: a,
                    end: b,
                    with: REDACTED.to_owned(),
                    kind: Kind::LogonDomain,
                });
            }
        }
        self.names(&folded, &mut cuts);
        // Telephone numbers in any field: a number in a mail header or a
        // display name identifies as well as one in prose.
        // A UUID's groups (`…-0001-4000-8000-…`) are not a telephone number.
        let uuids: Vec<(usize, usize)> = UUID
            .as_ref()
            .filter(|_| digits && f.contains('-'))
            .map(|r| r.find_iter(f).map(|m| (m.start(), m.end())).collect())
            .unwrap_or_default();
        for m in if digits { found(&PHONE) } else { Vec::new() }
            .iter()
            .filter_map(|c| c.get(0))
        {
            let n = m.as_str().bytes().filter(u8::is_ascii_digit).count();
            let domestic = m.as_str().trim_start_matches('(').starts_with('0');
            if !uuids.iter().any(|&(a, b)| m.start() < b && a < m.end())
                && (!domestic || (10..=11).contains(&n))
            {
                cuts.folded(m.start(), m.end(), REDACTED, Kind::Phone);
            }
        }
        let (s, redactions) = cuts.apply(text);
        // Doubts name the text as released (after the certain redactions),
        // so withholding them finds it.
        if field == Field::Text
            && let Some(re) = EMAIL_AS_WRITTEN.as_ref()
        {
            for c in re.captures_iter(&s) {
                let (Some(m), Some(host)) = (c.get(0), c.get(1)) else {
                    continue;
                };
                if !host.as_str().eq_ignore_ascii_case(REDACTED_HOST)
                    && !self.owns_host(host.as_str())
                {
                    doubts.push((crate::DoubtKind::EmailInText, m.as_str().to_owned()));
                }
            }
        }
        if field == Field::Text
            && let Some(re) = COMPANY.as_ref()
        {
            for m in re.find_iter(&s) {
                if !m.as_str().contains(REDACTED) {
                    doubts.push((crate::DoubtKind::CompanyName, m.as_str().to_owned()));
                }
            }
        }
        Scrubbed {
            text: s,
            redactions,
            doubts,
        }
    }

    /// The organization's internationalized domains written in Unicode
    /// (`vpn.例示電力.jp`, `k.watanabe@例示電力.jp`): the ASCII detectors do
    /// not see them, and a one-character label is no name to find.
    fn unicode_hosts(&self, f: &str, cuts: &mut Cuts<'_>) {
        let byte = |i: usize| f.as_bytes().get(i).copied();
        let label = |b: u8| b.is_ascii_alphanumeric() || b == b'-';
        for d in &self.unicode_domains {
            for (i, _) in f.match_indices(d.as_str()) {
                let end = i + d.len();
                if byte(end).is_some_and(label) {
                    continue; // a longer name (`例示電力.jpn`)
                }
                // Inside a longer Unicode label (`発電.jp` for `電.jp`):
                // withheld only where the first label is one character (a
                // longer one is a name term, found wherever it stands).
                let first_label = d.split('.').next().unwrap_or_default().chars().count();
                let inside = f
                    .get(..i)
                    .and_then(|b| b.chars().next_back())
                    .is_some_and(char::is_alphanumeric);
                if inside && first_label > 1 {
                    continue;
                }
                // ASCII labels in front (`vpn.`), then a mailbox (`k.watanabe@`).
                let mut start = i;
                while let Some(dot) = start.checked_sub(1).filter(|d| byte(*d) == Some(b'.')) {
                    let mut j = dot;
                    while j > 0 && byte(j - 1).is_some_and(label) {
                        j -= 1;
                    }
                    if j == dot {
                        break;
                    }
                    start = j;
                }
                let mailbox = |b: u8| label(b) || b"._%+".contains(&b);
                if let Some(at) = start.checked_sub(1).filter(|a| byte(*a) == Some(b'@')) {
                    let mut j = at;
                    while j > 0 && byte(j - 1).is_some_and(mailbox) {
                        j -= 1;
                    }
                    if j < at {
                        cuts.folded(j, end, &format!("redacted@{REDACTED_HOST}"), Kind::Email);
                        continue;
                    }
                }
                cuts.folded(start, end, REDACTED_HOST, Kind::Host);
            }
        }
    }

    /// The organization's names, wherever they stand, separators ignored.
    fn names(&self, folded: &Folded, cuts: &mut Cuts<'_>) {
        if self.terms.is_empty() {
            return;
        }
        let squashed = Squashed::of(folded);
        let s = squashed.text.as_str();
        // A romaji name stands alone next to Japanese (`EP社`, `JERAの`):
        // only ASCII letters and digits continue it.
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        // Every occurrence of every term, overlapping ones included, in one
        // pass; should the automaton not build, term by term (slower, never
        // fewer finds).
        let found: Vec<(usize, usize, usize)> = match self.finder.as_ref() {
            Some(finder) => finder
                .find_overlapping_iter(s)
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .collect(),
            None => self
                .terms
                .iter()
                .enumerate()
                .flat_map(|(i, t)| {
                    (0..s.len())
                        .filter(|at| s.is_char_boundary(*at))
                        .filter(move |at| s.get(*at..).is_some_and(|r| r.starts_with(&t.squashed)))
                        .map(move |at| (i, at, at + t.squashed.len()))
                })
                .collect(),
        };
        for (pattern, a, b) in found {
            let Some(term) = self.terms.get(pattern) else {
                continue;
            };
            {
                let Some((fa, fb)) = squashed.folded(a, b) else {
                    continue;
                };
                if term.whole {
                    let t = folded.text.as_str();
                    let before = t.get(..fa).and_then(|x| x.chars().next_back());
                    let after = t.get(fb..).and_then(|x| x.chars().next());
                    if word(before) || word(after) {
                        continue;
                    }
                }
                cuts.folded(fa, fb, REDACTED, Kind::Name);
            }
        }
    }

    /// Replaces identifiers of the submission's own objects quoted in text
    /// (`uuids`: original UUID, lower case → the released one, or `None`
    /// where the object is not released).
    pub fn replace_ids(
        text: &str,
        uuids: &std::collections::HashMap<String, Option<String>>,
    ) -> Option<String> {
        if !UUID_ANY_CASE.as_ref()?.is_match(text) && !text.contains('%') {
            return None;
        }
        let folded = Folded::of(text);
        let mut cuts = Cuts {
            folded: &folded,
            cuts: Vec::new(),
        };
        for m in UUID.as_ref()?.find_iter(&folded.text) {
            if let Some(to) = uuids.get(m.as_str()) {
                cuts.folded(
                    m.start(),
                    m.end(),
                    to.as_deref().unwrap_or(REDACTED),
                    Kind::OriginalId,
                );
            }
        }
        if cuts.cuts.is_empty() {
            return None;
        }
        Some(cuts.apply(text).0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Org {
        serde_json::from_value(serde_json::json!({
            "id": "example-power", "kind": "operator", "name": "Example Power Co., Ltd.",
            "name_ja": "例示電力株式会社", "sectors": ["electricity"],
            "domains": ["example-power.co.jp"], "ip_ranges": ["192.0.2.0/24", "2001:db8:1::/48"],
            "aliases": ["ExPower"], "asns": [64500], "staff": ["Taro Yamada", "山田太郎"],
            "host_patterns": ["ep-[a-z]+-\\d{2}"]
        }))
        .unwrap()
    }

    #[test]
    fn the_organizations_data_goes() {
        let p = Profile::of(&org());
        let s = p.scrub(
            "ep-scada-01 beaconed; Example Power (例示電力) saw ExPower's portal vpn.example-power.co.jp at 192.0.2.10 and 2001:db8:1::5 \
             via AS64500; Taro Yamada (t.yamada@example-power.co.jp, 03-1234-5678) found C:\\Users\\tyamada\\evil.exe",
            Field::Text,
        );
        for leak in [
            "Example Power",
            "例示電力",
            "ExPower",
            "example-power",
            "192.0.2.10",
            "2001:db8:1::5",
            "64500",
            "Yamada",
            "yamada",
            "03-1234-5678",
            "tyamada",
        ] {
            assert!(!s.text.contains(leak), "{leak} left in: {}", s.text);
        }
        assert!(s.text.contains("C:\\Users\\user\\evil.exe"), "{}", s.text);
        assert!(s.doubts.is_empty(), "{:?}", s.doubts);
    }

    /// What the review after the first version found still released.
    #[test]
    fn the_spellings_the_review_found() {
        let mut o = org();
        o.name_ja = Some("レイジデンリョク株式会社".into());
        o.domains.push("例示電力.jp".into());
        o.domains.push("電.jp".into());
        o.aliases.push("EP".into());
        let p = Profile::of(&o);
        for (written, leak) in [
            ("ﾚｲｼﾞﾃﾞﾝﾘｮｸ の報告", "ﾚｲｼﾞ"),
            ("capture_192.0.2.10.pcap", "192.0.2.10"),
            ("ip192.0.2.10 beaconed", "192.0.2.10"),
            ("host p192-0-2-10.isp.ne.jp", "192-0-2-10"),
            ("10.2.0.192.in-addr.arpa PTR", "10.2.0.192"),
            ("oid 1.2.3.192.0.2.10", "192.0.2.10"),
            ("連絡先 k.watanabe@例示電力.jp まで", "watanabe"),
            ("VPN vpn.例示電力.jp", "vpn.例示"),
            ("portal 電.jp", "電.jp"),
            ("logon TOKAI%5Calice", "TOKAI"),
            ("peer_AS64500_up", "64500"),
            ("EP notified", "EP"),
        ] {
            let out = p.scrub(written, Field::Value);
            assert!(!out.text.contains(leak), "{written} -> {}", out.text);
        }
        // And what it over-took stays.
        for kept in [
            "due 05-12-2024",
            "Satoshi Nakamoto",
            "power outage",
            "EPA and step",
            "version 10.0.19041.1",
        ] {
            let out = p.scrub(kept, Field::Text);
            assert_eq!(out.text, kept, "{:?}", out.redactions);
        }
        // Romaji legal forms come off as words only.
        let mut cosmo = org();
        cosmo.name = "Cosmo Oil Co., Ltd.".into();
        let c = Profile::of(&cosmo);
        assert_eq!(c.scrub("smooil", Field::Text).text, "smooil");
        assert_eq!(
            c.scrub("COSMO-OIL refinery", Field::Text).text,
            "[redacted] refinery"
        );
        // A default machine name is a person's call, not a redaction.
        let out = p.scrub("logon WIN-QWERTY123\\admin", Field::Value);
        assert_eq!(out.text, "logon WIN-QWERTY123\\admin");
        assert_eq!(out.doubts.len(), 1, "{:?}", out.doubts);
        assert_eq!(out.doubts[0].1, "WIN-QWERTY123");
        // Without the automaton, names are still found.
        let mut slow = Profile::of(&o);
        slow.finder = None;
        for text in ["ExPowerAgent", "例示電力の件", "EXAMPLE_POWER"] {
            assert_eq!(
                slow.scrub(text, Field::Text),
                p.scrub(text, Field::Text),
                "{text}"
            );
            assert!(
                !slow.scrub(text, Field::Text).redactions.is_empty(),
                "{text}"
            );
        }
    }

    /// The second review: what it still found released, and what it found
    /// taken from the attacker.
    #[test]
    fn the_second_review() {
        let mut o = org();
        o.aliases.push("EP".into());
        o.aliases.push("Central".into());
        o.domains.push("電.jp".into());
        o.name_ja = Some("レイジデンリョク".into());
        let p = Profile::of(&o);
        for (written, leak) in [
            ("logon TOKAI\\_svcbackup", "TOKAI"),
            ("logon TOKAI¥alice", "TOKAI"),
            ("path C:¥Users¥ksato¥x", "ksato"),
            ("json TOKAI\\\\alice", "TOKAI"),
            ("EP社の制御系", "EP"),
            ("peerASN: 64500", "64500"),
            ("asNumber: 64500", "64500"),
            ("router bgp 64500", "64500"),
            ("scan_192_0_2_10.pcap", "192_0_2_10"),
            ("range 192.0.2.* and 192.0.2/24", "192.0.2"),
            ("nat64 64:ff9b::c000:20a", "c000:20a"),
            ("れいじでんりょく", "れいじ"),
            ("Central notified", "Central"),
        ] {
            let out = p.scrub(written, Field::Value);
            assert!(!out.text.contains(leak), "{written} -> {}", out.text);
        }
        let mut kk = org();
        kk.name = "Tohoku Example K.K.".into();
        kk.id = "tek".into();
        kk.aliases.clear();
        kk.domains.clear();
        assert_eq!(
            Profile::of(&kk)
                .scrub("Tohoku Example was hit", Field::Text)
                .text,
            "[redacted] was hit"
        );
        for kept in [
            "report-2024-10-05-13-45.pdf",
            "attacker at 45.2.0.192",
            "sha256 5f3221226058ab",
            "NT AUTHORITY\\SYSTEM",
        ] {
            assert_eq!(p.scrub(kept, Field::Value).text, kept);
        }
        // A one-character Unicode label is withheld inside a longer one too
        // (`発電.jp` for `電.jp`): the organization's own domain comes first.
        assert_eq!(p.scrub("発電.jp", Field::Value).text, "発redacted.invalid");
        // A default machine name holding the organization's name is no
        // doubt: it goes, and no doubt shows what was redacted.
        let out = p.scrub("logon WIN-EXPOWER01\\admin", Field::Value);
        assert!(!out.text.contains("EXPOWER"), "{}", out.text);
        assert!(
            out.doubts
                .iter()
                .all(|(kind, t)| !kind.english(t).contains("EXPOWER") && !t.contains("EXPOWER")),
            "{:?}",
            out.doubts
        );
    }

    #[test]
    fn the_attackers_data_stays() {
        let p = Profile::of(&org());
        let text = "[ipv4-addr:value = '203.0.113.66'] OR [domain-name:value = 'evil-update.example.net'] \
                    OR [email-addr:value = 'billing@phish.example.org']";
        let s = p.scrub(text, Field::Value);
        assert_eq!(s.text, text);
        assert!(s.redactions.is_empty() && s.doubts.is_empty());
    }

    #[test]
    fn private_and_internal_details_go() {
        let p = Profile::default();
        let s = p.scrub(
            "beacon from 10.1.2.3 and fe80::1 to dc01.corp.local, home /home/hanako/.ssh",
            Field::Value,
        );
        assert_eq!(
            s.text,
            "beacon from 0.0.0.0 and :: to redacted.invalid, home /home/user/.ssh"
        );
    }

    #[test]
    fn unsure_text_is_a_doubt_not_a_redaction() {
        let p = Profile::of(&org());
        let s = p.scrub(
            "Contact ops@partner-soc.example.com; the contractor Acme Systems Co., Ltd. and 株式会社ほげ were hit too",
            Field::Text,
        );
        assert_eq!(s.doubts.len(), 3, "{:?}", s.doubts);
        assert!(s.redactions.is_empty());
    }

    #[test]
    fn names_joined_to_other_words_go_short_ones_only_alone() {
        let p = Profile::of(&org());
        // Withheld when in doubt: a registered name inside a longer token goes.
        let s = p.scrub("ExPowerAgent, AS-EXAMPLEPOWER; EXPOWER staff", Field::Text);
        assert_eq!(s.text, "[redacted]Agent, AS-[redacted]; [redacted] staff");
        // A short name part is found only standing alone.
        let mut o = org();
        o.staff = vec!["Ken Ito".into()];
        let p = Profile::of(&o);
        let s = p.scrub(
            "Itochu and Kenzo met ITO Ken; ito-san; k.ito logged in",
            Field::Text,
        );
        assert_eq!(
            s.text,
            "Itochu and Kenzo met [redacted]; [redacted]; [redacted] logged in"
        );
    }

    #[test]
    fn the_ways_people_and_tools_write_it() {
        let mut o = org();
        o.ip_ranges.push("198.18.5.0/24".into());
        o.domains.push("例示電力.jp".into());
        o.contacts =
            vec![serde_json::from_value(serde_json::json!({"name": "Hanako Suzuki"})).unwrap()];
        let p = Profile::of(&o);
        for (written, leak) in [
            ("EXAMPLE POWER CO., LTD.", "EXAMPLE"),
            ("Example-Power", "Example"),
            ("ExamplePower", "Example"),
            ("example_power_corp", "example"),
            ("例示電力(株)", "例示電力"),
            ("㈱例示電力", "例示電力"),
            ("例示電力 株式会社", "例示電力"),
            ("YAMADA Taro", "YAMADA"),
            ("Yamada Taro", "Yamada"),
            ("Yamada-san", "Yamada"),
            ("山田 太郎", "山田"),
            ("山田さん", "山田"),
            ("tyamada", "yamada"),
            ("taro.yamada", "yamada"),
            ("yamada_t", "yamada"),
            ("SUZUKI Hanako", "SUZUKI"),
            ("hxxps://vpn.example-power[.]co[.]jp/login", "example-power"),
            (
                "ｖｐｎ．ｅｘａｍｐｌｅ－ｐｏｗｅｒ．ｃｏ．ｊｐ",
                "ｅｘａｍｐｌｅ",
            ),
            ("VPN.EXAMPLE-POWER.CO.JP.", "EXAMPLE-POWER"),
            (
                "https://x.example/?u=t.yamada%40example-power.co.jp",
                "%40example",
            ),
            (
                "[email-addr:value MATCHES '^.*@example-power\\.co\\.jp$']",
                "example-power",
            ),
            ("mail.xn--fsq97ep55cs4y.jp", "xn--fsq97ep55cs4y"),
            ("portal.例示電力.jp", "例示電力"),
            ("198.018.005.007", "198.018.005.007"),
            ("3221226058", "3221226058"),
            ("0xC000020A", "0xC000020A"),
            ("0xc0.0x00.0x02.0x0a", "0xc0"),
            ("::ffff:192.0.2.10", "192.0.2.10"),
            ("::ffff:c000:20a", "c000:20a"),
            ("192.0.0.0/16", "192.0.0.0"),
            ("AS 64500", "64500"),
            ("ASN 64500", "64500"),
            ("as64500", "64500"),
            ("０３－１２３４－５６７８", "１２３４"),
            ("EXPOWER\\tyamada", "EXPOWER"),
            ("TOKAI\\svc-backup", "TOKAI"),
            ("TOKAI\\alice TOKAI\\bob", "TOKAI"),
        ] {
            let s = p.scrub(&format!("seen: {written} here"), Field::Value);
            assert!(!s.text.contains(leak), "{written} -> {}", s.text);
            assert!(
                s.text.starts_with("seen: ") && s.text.ends_with(" here"),
                "{}",
                s.text
            );
        }
    }

    #[test]
    fn a_quoted_identifier_is_not_a_telephone_number() {
        let p = Profile::of(&org());
        let text = "see report--0000f00d-0001-4000-8000-000000000000 and call 03-1234-5678";
        let s = p.scrub(text, Field::Text);
        assert_eq!(
            s.text,
            "see report--0000f00d-0001-4000-8000-000000000000 and call [redacted]"
        );
    }

    #[test]
    fn attacker_data_in_other_notations_stays() {
        let p = Profile::of(&org());
        for written in [
            "hxxp://evil-update[.]example[.]net/x",
            "203.000.113.066",
            "3405803842",
            "C:\\Users\\Public\\evil.exe",
            "system32\\drivers\\evil.sys",
            "SYSTEM32\\drivers\\evil.sys",
            "Program Files\\Vendor\\app.exe",
            "AS 64501",
            "Powerful example of exploitation",
        ] {
            let s = p.scrub(written, Field::Value);
            assert_eq!(s.text, written);
            assert!(s.redactions.is_empty(), "{written}: {:?}", s.redactions);
        }
    }
}

#[cfg(test)]
mod short_japanese_names {
    use super::*;

    /// A short Japanese name made of a place word and the sector's word
    /// (みなと電力: "harbour" + "electric power"), registered with a note in
    /// brackets, as people write it (without the note).
    /// The same with an English name and ASCII brackets, written in other
    /// case and spacing.
    #[test]
    fn a_name_without_its_bracketed_note_goes() {
        let o: Org = serde_json::from_value(serde_json::json!({
            "id": "example-grid", "kind": "operator", "name": "Northwind Grid (Japan)",
            "sectors": ["electricity"]
        }))
        .unwrap();
        let p = Profile::of(&o);
        for text in [
            "Northwind Grid saw beacons",
            "NORTHWIND  grid saw beacons",
            "ｎｏｒｔｈｗｉｎｄ ｇｒｉｄ saw beacons",
        ] {
            let out = p.scrub(text, Field::Text);
            assert!(
                !out.text.to_lowercase().contains("northwind")
                    && !out.text.contains("ｎｏｒｔｈｗｉｎｄ"),
                "{text} -> {}",
                out.text
            );
        }
    }

    #[test]
    fn a_short_japanese_name_goes() {
        let o: Org = serde_json::from_value(serde_json::json!({
            "id": "minato-power", "kind": "operator", "name": "Minato Power",
            "name_ja": "みなと電力（架空）", "sectors": ["electricity"],
            "domains": ["minato-power.example"]
        }))
        .unwrap();
        let p = Profile::of(&o);
        for text in [
            "みなと電力の変電所で不審な通信",
            "Observed in: みなと電力の変電所",
            "ミナト電力の担当者",
            "ﾐﾅﾄ電力の担当者",
            "みなと 電力の担当者",
            "みなと電力株式会社",
        ] {
            let out = p.scrub(text, Field::Text);
            assert!(
                !out.text.contains("みなと") && !out.text.contains("ミナト"),
                "{text} -> {}",
                out.text
            );
        }
    }
}
#[cfg(test)]
mod company_doubts {
    use super::*;

    /// `委託先の株式会社ミライ保守`: the name after the legal form is in the
    /// doubt too (it used to stop at 株式会社 and leave the name out).
    #[test]
    fn a_company_name_on_either_side_of_its_legal_form_is_doubted_whole() {
        let o: Org = serde_json::from_value(serde_json::json!({
            "id": "minato-power", "kind": "operator", "name": "Minato Power",
            "name_ja": "みなと電力", "sectors": ["electricity"], "domains": ["minato-power.example"]
        }))
        .unwrap();
        let p = Profile::of(&o);
        for (text, name) in [
            ("委託先の株式会社ミライ保守が対応", "ミライ保守"),
            ("委託先のミライ保守株式会社が対応", "ミライ保守"),
            ("株式会社ミライ保守", "ミライ保守"),
        ] {
            let out = p.scrub(text, Field::Text);
            assert!(
                out.doubts.iter().any(|(_, t)| t.contains(name)),
                "{text}: {:?}",
                out.doubts
            );
        }
    }
}
