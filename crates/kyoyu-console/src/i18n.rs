//! The message catalogues and the choice of language.
//!
//! One TOML catalogue per language (`locales/en.toml`, `locales/ja.toml`), embedded in the
//! binary. Sections are flattened into dotted keys: `[nav] dashboard = "…"` is `nav.dashboard`.
//! A value may name arguments in braces (`{count}`), filled by [`tf`]; both catalogues name the
//! same arguments for a key (checked by the tests).
//!
//! # Which language a page is in
//! [`Lang::negotiate`] decides, in this order:
//! 1. an explicit choice in the query (`?lang=en`: the language switch links on every page);
//! 2. the language cookie ([`LANG_COOKIE`], which the handler sets when it sees the query);
//! 3. the browser's `Accept-Language`, by q-value (ties: the first listed; `q=0` refuses);
//! 4. Japanese. The hub is Japanese-first: a browser that asks only for languages the console
//!    does not have (or `*`) gets Japanese.
//!
//! A value that names no known language is ignored at its step, so a stale cookie never wins over
//! the browser's preference.

use std::collections::HashMap;
use std::sync::OnceLock;

#[cfg(test)]
use kyoyu_wire::text::{fill, placeholders};

/// The name of the cookie that keeps a chosen language (`ja` or `en`).
pub const LANG_COOKIE: &str = "kyoyu_lang";
/// The query parameter the language switch links carry (`?lang=en`).
pub const LANG_QUERY: &str = "lang";

/// A language the console is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// 日本語 (the default).
    #[default]
    Ja,
    /// English.
    En,
}

/// Every language, in the order the language switch shows them.
pub const LANGS: [Lang; 2] = [Lang::Ja, Lang::En];

impl Lang {
    /// The BCP 47 tag of the language (`ja`, `en`): the `lang` attribute and the cookie value.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }

    /// Reads a language tag (`ja`, `ja-JP`, `EN-us`…) by its primary subtag.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("ja") {
            Some(Lang::Ja)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// Chooses the language of a response (see the module documentation for the order).
    ///
    /// `query` is the value of the [`LANG_QUERY`] parameter, `cookie` the value of the
    /// [`LANG_COOKIE`] cookie, `accept_language` the request header.
    pub fn negotiate(
        accept_language: Option<&str>,
        cookie: Option<&str>,
        query: Option<&str>,
    ) -> Lang {
        query
            .and_then(Lang::parse)
            .or_else(|| cookie.and_then(Lang::parse))
            .or_else(|| accept_language.and_then(from_accept_language))
            .unwrap_or_default()
    }

    /// The message for `key` in this language (see [`t`]).
    pub fn t(self, key: &str) -> &str {
        t(self, key)
    }

    /// The language's own name (日本語, English), for the language switch.
    pub fn autonym(self) -> &'static str {
        t(self, "meta.autonym")
    }
}

/// The best language of an `Accept-Language` header, if it names one the console has.
/// `*` stands for the default (Japanese).
fn from_accept_language(header: &str) -> Option<Lang> {
    let mut best: Option<(u16, Lang)> = None;
    for item in header.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim();
        let mut q = 1000;
        for param in parts {
            if let Some((name, value)) = param.split_once('=')
                && name.trim().eq_ignore_ascii_case("q")
            {
                q = qvalue(value.trim()).unwrap_or(0);
            }
        }
        let lang = if tag == "*" {
            Some(Lang::default())
        } else {
            Lang::parse(tag)
        };
        if let Some(lang) = lang
            && q > 0
            && best.is_none_or(|(best_q, _)| q > best_q)
        {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// An RFC 9110 qvalue (`0`, `0.5`, `1.000`) in thousandths.
fn qvalue(text: &str) -> Option<u16> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: u16 = match whole {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, digit) in fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(3)
        .enumerate()
    {
        let weight = [100, 10, 1].get(i).copied().unwrap_or(0);
        thousandths += u16::from(digit - b'0') * weight;
    }
    let q = whole * 1000 + thousandths;
    (q <= 1000).then_some(q)
}

/// A flattened catalogue: dotted key → message.
type Catalogue = HashMap<String, String>;

/// The embedded catalogues, in the order of `catalogue`'s destructuring.
const SOURCES: [(Lang, &str); 2] = [
    (Lang::Ja, include_str!("../locales/ja.toml")),
    (Lang::En, include_str!("../locales/en.toml")),
];

/// Parses one embedded catalogue. Only strings and tables may appear.
pub(crate) fn load(source: &str) -> Result<Catalogue, String> {
    let table: toml::Table = toml::from_str(source).map_err(|e| e.to_string())?;
    let mut out = Catalogue::new();
    flatten("", &table, &mut out)?;
    Ok(out)
}

fn flatten(prefix: &str, table: &toml::Table, out: &mut Catalogue) -> Result<(), String> {
    for (name, value) in table {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        match value {
            toml::Value::String(text) => {
                out.insert(key, text.clone());
            }
            toml::Value::Table(inner) => flatten(&key, inner, out)?,
            _ => return Err(format!("{key}: a message must be a string")),
        }
    }
    Ok(())
}

fn catalogue(lang: Lang) -> &'static Catalogue {
    static CATALOGUES: OnceLock<[Catalogue; 2]> = OnceLock::new();
    let [ja, en] =
        CATALOGUES.get_or_init(|| SOURCES.map(|(_, source)| load(source).unwrap_or_default()));
    match lang {
        Lang::Ja => ja,
        Lang::En => en,
    }
}

/// The message for `key` in `lang`. A key missing from the catalogue (which the tests rule out
/// for every key the console uses) shows as itself, never as an empty string.
pub fn t(lang: Lang, key: &str) -> &str {
    match catalogue(lang).get(key) {
        Some(message) => message.as_str(),
        None => key,
    }
}

/// The message for `key` in `lang` with its named arguments filled: `{name}` in the message
/// becomes the value given for `name`. A name with no value given stays as written.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    kyoyu_wire::text::fill(t(lang, key), args)
}

/// The prefix of the core's messages in the Japanese catalogue.
pub const CORE_PREFIX: &str = "core.";

/// What the hub's core said (an error's keyed messages and its English
/// description), in `lang`: English pages show the core's own text; Japanese
/// pages word each keyed message from the catalogue's `[core]` section. A
/// text the core said without a key (a storage failure) stays English.
pub fn say_core(lang: Lang, said: &[kyoyu_wire::text::Said], english: &str) -> String {
    if lang == Lang::En || said.is_empty() {
        return english.to_owned();
    }
    let mut out = String::new();
    for s in said {
        match catalogue(lang).get(&format!("{CORE_PREFIX}{}", s.key)) {
            Some(template) => out.push_str(&s.fill(template)),
            None => return english.to_owned(),
        }
    }
    out
}

/// Every key of `lang`'s catalogue.
pub fn keys(lang: Lang) -> impl Iterator<Item = &'static str> {
    catalogue(lang).keys().map(String::as_str)
}

/// The embedded catalogue sources, for the tests.
#[cfg(test)]
pub(crate) fn sources() -> [(Lang, &'static str); 2] {
    SOURCES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(accept: Option<&str>, cookie: Option<&str>, query: Option<&str>, expected: Lang) {
        assert_eq!(
            Lang::negotiate(accept, cookie, query),
            expected,
            "accept={accept:?} cookie={cookie:?} query={query:?}"
        );
    }

    #[test]
    fn negotiation_order_and_q_values() {
        // Nothing at all: Japanese.
        check(None, None, None, Lang::Ja);
        // The browser alone.
        check(Some("en-US,en;q=0.9"), None, None, Lang::En);
        check(Some("ja,en-US;q=0.8"), None, None, Lang::Ja);
        check(Some("en;q=0.5, ja;q=0.8"), None, None, Lang::Ja);
        check(Some("ja;q=0.5, EN-gb;q=0.8"), None, None, Lang::En);
        check(Some("fr-FR, en;q=0.3"), None, None, Lang::En);
        // Ties go to the first listed.
        check(Some("en;q=0.7, ja;q=0.7"), None, None, Lang::En);
        // Only unknown languages, a wildcard, q=0, or garbage: Japanese.
        check(Some("fr, de;q=0.9"), None, None, Lang::Ja);
        check(Some("*"), None, None, Lang::Ja);
        check(Some("en;q=0"), None, None, Lang::Ja);
        check(Some("en;q=2"), None, None, Lang::Ja);
        check(Some("en;q=0.0001"), None, None, Lang::Ja);
        check(Some(";;,,=="), None, None, Lang::Ja);
        check(Some(""), None, None, Lang::Ja);
        // The wildcard weighs like any other entry.
        check(Some("en;q=0.2, *;q=0.5"), None, None, Lang::Ja);
        // A cookie beats the browser; the query beats both.
        check(Some("en"), Some("ja"), None, Lang::Ja);
        check(Some("ja"), Some("en"), None, Lang::En);
        check(Some("ja"), Some("en"), Some("ja"), Lang::Ja);
        check(None, None, Some("en"), Lang::En);
        // An unknown explicit value is skipped, not taken as Japanese.
        check(Some("en"), Some("xx"), None, Lang::En);
        check(Some("ja"), Some("en"), Some("klingon"), Lang::En);
    }

    #[test]
    fn qvalues() {
        assert_eq!(qvalue("1"), Some(1000));
        assert_eq!(qvalue("1.000"), Some(1000));
        assert_eq!(qvalue("1.001"), None);
        assert_eq!(qvalue("0.8"), Some(800));
        assert_eq!(qvalue("0.85"), Some(850));
        assert_eq!(qvalue("0.001"), Some(1));
        assert_eq!(qvalue("0."), Some(0));
        assert_eq!(qvalue("x"), None);
        assert_eq!(qvalue("0.x"), None);
    }

    #[test]
    fn fill_named_arguments() {
        assert_eq!(fill("{a} and {b}", &[("b", "2"), ("a", "1")]), "1 and 2");
        assert_eq!(fill("no args", &[("a", "1")]), "no args");
        assert_eq!(fill("{missing} {a}", &[("a", "1")]), "{missing} 1");
        assert_eq!(fill("open { only", &[]), "open { only");
        assert_eq!(fill("{a}{a}", &[("a", "x")]), "xx");
        // A value is never read again as a message.
        assert_eq!(fill("{a}", &[("a", "{a}")]), "{a}");
        assert_eq!(fill("審査待ち {n} 件", &[("n", "3")]), "審査待ち 3 件");
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        let [(_, ja), (_, en)] = sources().map(|(l, s)| (l, load(s).unwrap()));
        let mut ja_keys: Vec<_> = ja.keys().collect();
        let mut en_keys: Vec<_> = en.keys().collect();
        ja_keys.sort();
        en_keys.sort();
        // The core's messages are worded in Japanese only (English pages show
        // the core's own text); the console-http tests check them against
        // the core's catalogue.
        let only_ja: Vec<_> = ja_keys
            .iter()
            .filter(|k| !en.contains_key(**k) && !k.starts_with(CORE_PREFIX))
            .collect();
        let only_en: Vec<_> = en_keys.iter().filter(|k| !ja.contains_key(**k)).collect();
        assert!(only_ja.is_empty(), "keys only in ja.toml: {only_ja:?}");
        assert!(only_en.is_empty(), "keys only in en.toml: {only_en:?}");
        for (lang, cat) in [("ja", &ja), ("en", &en)] {
            for (key, value) in cat.iter() {
                assert!(!value.trim().is_empty(), "{lang}: {key} is empty");
            }
        }
        assert!(ja.len() > 50, "the catalogue is suspiciously small");
    }

    #[test]
    fn arguments_match_between_languages() {
        let [(_, ja), (_, en)] = sources().map(|(l, s)| (l, load(s).unwrap()));
        for (key, ja_value) in &ja {
            let Some(en_value) = en.get(key) else {
                continue;
            };
            assert_eq!(
                placeholders(ja_value),
                placeholders(en_value),
                "{key}: the languages name different arguments"
            );
            for name in placeholders(ja_value) {
                assert!(
                    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
                    "{key}: argument {{{name}}} is not a lower-case name"
                );
            }
        }
    }

    #[test]
    fn japanese_text_is_japanese() {
        // A copied English value in ja.toml would pass every other test.
        let [(_, ja), (_, en)] = sources().map(|(l, s)| (l, load(s).unwrap()));
        let exempt = [
            "table.tlp",
            "dashboard.tlp",
            "layout.standards",
            "layout.title",
            "stix.url",
        ];
        for (key, ja_value) in &ja {
            if exempt.contains(&key.as_str()) || key.starts_with("meta.") {
                continue;
            }
            let has_japanese = ja_value.chars().any(|c| {
                ('\u{3040}'..='\u{30ff}').contains(&c) || ('\u{4e00}'..='\u{9fff}').contains(&c)
            });
            assert!(
                has_japanese || Some(ja_value) != en.get(key),
                "{key}: ja.toml repeats the English text"
            );
        }
    }

    #[test]
    fn unknown_key_shows_itself() {
        assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
        assert_eq!(t(Lang::En, "nav.dashboard"), "Dashboard");
        assert_eq!(t(Lang::Ja, "nav.dashboard"), "ダッシュボード");
        assert_eq!(Lang::Ja.autonym(), "日本語");
        assert_eq!(Lang::En.autonym(), "English");
    }
}
