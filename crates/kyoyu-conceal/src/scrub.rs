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

use kyoyu_trust::Org;
use kyoyu_trust::net::Cidr;
use regex::Regex;
use std::net::IpAddr;
use std::sync::LazyLock;

/// What identifies one organization.
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Names, aliases, brands and staff names (at least 3 characters; ASCII
    /// ones match as whole words, case-insensitively).
    terms: Vec<String>,
    /// Its domains, lower-case.
    domains: Vec<String>,
    /// Its address ranges.
    ranges: Vec<Cidr>,
    /// Its autonomous systems.
    asns: Vec<u32>,
    /// Its host-naming schemes.
    hosts: Vec<Regex>,
    /// Objects on the hub it published under its own name.
    own_objects: std::collections::HashSet<String>,
}

impl Profile {
    /// The profile of an organization's record.
    pub fn of(org: &Org) -> Self {
        let mut terms: Vec<String> = std::iter::once(org.name.clone())
            .chain(org.name_ja.clone())
            .chain(org.aliases.iter().cloned())
            .chain(org.staff.iter().cloned())
            .map(|t| t.trim().to_owned())
            .filter(|t| t.chars().count() >= 2 && (t.chars().count() >= 3 || !t.is_ascii()))
            .collect();
        // Company-form variants: "Example Power Co., Ltd." also as "Example Power".
        let mut extra = Vec::new();
        for t in &terms {
            for suffix in [
                " Co., Ltd.",
                " Co.,Ltd.",
                " Co. Ltd.",
                " Inc.",
                " Corporation",
                " Corp.",
                " K.K.",
                " Ltd.",
                "株式会社",
            ] {
                if let Some(stem) = t.strip_suffix(suffix).filter(|s| s.chars().count() >= 3) {
                    extra.push(stem.trim().to_owned());
                }
            }
            if let Some(stem) = t
                .strip_prefix("株式会社")
                .filter(|s| s.chars().count() >= 2)
            {
                extra.push(stem.to_owned());
            }
        }
        terms.extend(extra);
        // Longest first, so "Example Power Co., Ltd." goes before "Example Power".
        terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
        terms.dedup();
        Self {
            terms,
            domains: org
                .domains
                .iter()
                .map(|d| d.trim().trim_end_matches('.').to_ascii_lowercase())
                .collect(),
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

    /// Whether a host name is the organization's (one of its domains or under one).
    pub fn owns_host(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.domains
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")))
    }

    /// Whether an address is in the organization's ranges.
    pub fn owns_address(&self, ip: IpAddr) -> bool {
        self.ranges.iter().any(|r| r.contains(ip))
    }

    /// Whether a property name mentions the organization (`x_examplepower_ticket`):
    /// letters and digits only, ignoring case, for terms of five or more.
    pub fn key_mentions(&self, key: &str) -> bool {
        let squash = |s: &str| -> String {
            s.chars()
                .filter(|c| c.is_alphanumeric())
                .flat_map(char::to_lowercase)
                .collect()
        };
        let key = squash(key);
        self.terms
            .iter()
            .map(|t| squash(t.as_str()))
            .chain(
                self.domains
                    .iter()
                    .filter_map(|d| d.split('.').next())
                    .map(squash),
            )
            .any(|t| t.chars().count() >= 5 && key.contains(&t))
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
    /// What a person should look at (never the organization's own data).
    pub doubts: Vec<String>,
}

static EMAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b[a-z0-9._%+-]+@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})\b")
        .ok()
});
static HOST: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}\b").ok()
});
static IPV4: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"\b(?:\d{1,3}\.){3}\d{1,3}\b").ok());
static IPV6: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"(?i)(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}").ok());
static WINDOWS_HOME: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b([a-z]:(?:\\+|/)(?:users|documents and settings)(?:\\+|/))([^\\/\s"'<>|:*?]+)"#,
    )
    .ok()
});
static UNIX_HOME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r#"(/home/|/Users/)([^/\s"'<>|:*?]+)"#).ok());
static PHONE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:\+\d{1,3}[\s-]?\(?\d{1,4}\)?[\s-]\d{1,4}[\s-]\d{3,4}|\b0\d{1,4}-\d{1,4}-\d{4}\b|\(0\d{1,4}\)\s?\d{1,4}-\d{4})").ok()
});
static ASN: LazyLock<Option<Regex>> = LazyLock::new(|| Regex::new(r"(?i)\bAS\s?(\d{1,10})\b").ok());
static COMPANY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:株式会社|有限会社)[^\s、。,.()（）「」]{1,20}|[^\s、。,.()（）「」]{1,20}(?:株式会社|有限会社)|\b[A-Z][\w&'-]*(?:\s+[A-Z][\w&'-]*){0,4},?\s+(?:Co\.,?\s*Ltd\.?|Inc\.|Corporation|Corp\.|K\.K\.|LLC|GmbH)").ok()
});

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

/// Where `term` occurs in `text`: ASCII terms as whole words, ignoring
/// case; others as they are.
fn find_term(text: &str, term: &str) -> Option<(usize, usize)> {
    if term.is_ascii() {
        let lower = text.to_ascii_lowercase();
        let t = term.to_ascii_lowercase();
        let mut from = 0;
        while let Some(i) = lower.get(from..).and_then(|s| s.find(&t)) {
            let start = from + i;
            let end = start + t.len();
            let before = lower.get(..start).and_then(|s| s.chars().next_back());
            let after = lower.get(end..).and_then(|s| s.chars().next());
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            if !word(before) && !word(after) {
                return Some((start, end));
            }
            from = end;
        }
        None
    } else {
        text.find(term).map(|i| (i, i + term.len()))
    }
}

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
            v6.is_loopback() || (s & 0xfe00) == 0xfc00 || (s & 0xffc0) == 0xfe80
        }
    }
}

/// Replaces every match of `re` for which `decide` returns a replacement.
fn replace_all(
    text: &str,
    re: &Regex,
    mut decide: impl FnMut(&regex::Captures<'_>) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for caps in re.captures_iter(text) {
        let Some(m) = caps.get(0) else { continue };
        if let Some(rep) = decide(&caps) {
            out.push_str(text.get(last..m.start()).unwrap_or_default());
            out.push_str(&rep);
            last = m.end();
        }
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

impl Profile {
    /// Scrubs one string.
    pub fn scrub(&self, text: &str, field: Field) -> Scrubbed {
        let mut redactions = Vec::new();
        let mut doubts = Vec::new();
        let mut s = text.to_owned();

        if let Some(re) = EMAIL.as_ref() {
            s = replace_all(&s, re, |c| {
                let host = c.get(1).map_or("", |m| m.as_str());
                if self.owns_host(host) {
                    redactions.push(Kind::Email);
                    Some(format!("redacted@{REDACTED_HOST}"))
                } else {
                    if field == Field::Text {
                        doubts.push(format!(
                            "an e-mail address in free text ({}): remove it if it is not the attacker's",
                            c.get(0).map_or("", |m| m.as_str())
                        ));
                    }
                    None
                }
            });
        }
        if let Some(re) = HOST.as_ref() {
            s = replace_all(&s, re, |c| {
                let host = c.get(0).map_or("", |m| m.as_str());
                if host == REDACTED_HOST || host.ends_with(&format!("@{REDACTED_HOST}")) {
                    return None;
                }
                let lower = host.to_ascii_lowercase();
                if self.owns_host(host) {
                    redactions.push(Kind::Host);
                    Some(REDACTED_HOST.to_owned())
                } else if INTERNAL_SUFFIXES.iter().any(|x| lower.ends_with(x)) {
                    redactions.push(Kind::InternalHost);
                    Some(REDACTED_HOST.to_owned())
                } else {
                    None
                }
            });
        }
        for re in &self.hosts {
            s = replace_all(&s, re, |c| {
                (c.get(0)?.as_str() != REDACTED_HOST).then(|| {
                    redactions.push(Kind::Host);
                    REDACTED_HOST.to_owned()
                })
            });
        }
        if let Some(re) = IPV4.as_ref() {
            s = replace_all(&s, re, |c| {
                let ip: IpAddr = c.get(0)?.as_str().parse().ok()?;
                self.address(ip, &mut redactions)
                    .map(|_| "0.0.0.0".to_owned())
            });
        }
        if s.contains(':')
            && let Some(re) = IPV6.as_ref()
        {
            s = replace_all(&s, re, |c| {
                let ip: IpAddr = c.get(0)?.as_str().parse().ok()?;
                self.address(ip, &mut redactions).map(|_| "::".to_owned())
            });
        }
        for re in [WINDOWS_HOME.as_ref(), UNIX_HOME.as_ref()]
            .into_iter()
            .flatten()
        {
            s = replace_all(&s, re, |c| {
                let name = c.get(2)?.as_str();
                if SHARED_FOLDERS.contains(&name.to_ascii_lowercase().as_str()) {
                    return None;
                }
                redactions.push(Kind::UserFolder);
                Some(format!("{}user", c.get(1)?.as_str()))
            });
        }
        if let Some(re) = ASN.as_ref() {
            s = replace_all(&s, re, |c| {
                let n: u32 = c.get(1)?.as_str().parse().ok()?;
                self.asns.contains(&n).then(|| {
                    redactions.push(Kind::Asn);
                    REDACTED.to_owned()
                })
            });
        }
        for term in &self.terms {
            while let Some((a, b)) = find_term(&s, term) {
                s.replace_range(a..b, REDACTED);
                redactions.push(Kind::Name);
            }
        }
        // Telephone numbers in any field: a number in a mail header or a
        // display name identifies as well as one in prose.
        if let Some(re) = PHONE.as_ref() {
            s = replace_all(&s, re, |_| {
                redactions.push(Kind::Phone);
                Some(REDACTED.to_owned())
            });
        }
        if field == Field::Text
            && let Some(re) = COMPANY.as_ref()
        {
            for m in re.find_iter(&s) {
                if !m.as_str().contains(REDACTED) {
                    doubts.push(format!(
                            "a company name ({}): remove it if it names the reporter, a customer or a partner",
                            m.as_str()
                        ));
                }
            }
        }
        Scrubbed {
            text: s,
            redactions,
            doubts,
        }
    }

    /// The redaction an address calls for, if any.
    fn address(&self, ip: IpAddr, redactions: &mut Vec<Kind>) -> Option<Kind> {
        let kind = if self.owns_address(ip) {
            Kind::OwnAddress
        } else if is_private(ip) {
            Kind::PrivateAddress
        } else {
            return None;
        };
        redactions.push(kind);
        Some(kind)
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
    fn words_match_whole() {
        let p = Profile::of(&org());
        // "ExPower" must not eat "ExPowerful"; case does not matter.
        let s = p.scrub("ExPowerful tools; EXPOWER staff", Field::Text);
        assert_eq!(s.text, "ExPowerful tools; [redacted] staff");
    }
}
