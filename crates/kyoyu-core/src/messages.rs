//! The core's message catalogue (`messages.toml`, English): every text a
//! service answers a person with, by key. The error carries the key and the
//! arguments ([`crate::error::Said`]), so a transport that speaks another
//! language words it from its own catalogue (the console's `[core]` section
//! in Japanese, checked against this file by the console's tests).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use crate::error::Said;

static SOURCE: &str = include_str!("../messages.toml");

static CATALOGUE: LazyLock<BTreeMap<String, String>> =
    LazyLock::new(|| flatten(SOURCE).unwrap_or_default());

/// `[section] name = "…"` as `section.name`.
fn flatten(source: &str) -> Result<BTreeMap<String, String>, toml::de::Error> {
    let table: toml::Table = toml::from_str(source)?;
    let mut out = BTreeMap::new();
    for (section, entries) in table {
        if let toml::Value::Table(entries) = entries {
            for (name, value) in entries {
                if let toml::Value::String(text) = value {
                    out.insert(format!("{section}.{name}"), text);
                }
            }
        }
    }
    Ok(out)
}

/// The message in English; a key the catalogue lacks (which the tests rule
/// out) shows as itself.
pub fn english(said: &Said) -> String {
    match CATALOGUE.get(said.key) {
        Some(template) => said.fill(template),
        None => said.key.to_owned(),
    }
}

/// Every key with its English template.
pub fn catalogue() -> &'static BTreeMap<String, String> {
    &CATALOGUE
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the core's source names exists, and every key of the file is
    /// named somewhere: a message cannot be misspelt or left behind.
    #[test]
    fn every_key_is_defined_and_used() {
        let defined = flatten(SOURCE).expect("messages.toml parses");
        assert!(!defined.is_empty());
        let key = regex::Regex::new(r#"\b(?:said|Said::new|Problem::new|invalid|forbidden|not_found|bad)\(\s*(?:\w+(?:::\w+)?,\s*)?"([a-z_]+\.[a-z_0-9]+)""#)
            .expect("pattern");
        let crate_dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = std::collections::BTreeSet::new();
        // The trust model's problems are worded here too.
        let files = ["src", "../kyoyu-trust/src"]
            .iter()
            .flat_map(|d| std::fs::read_dir(crate_dir.join(d)).expect("source folder"));
        for entry in files {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                for c in key.captures_iter(&text) {
                    used.insert(c[1].to_owned());
                }
            }
        }
        for k in &used {
            assert!(
                defined.contains_key(k),
                "{k} is used but not in messages.toml"
            );
        }
        for k in defined.keys() {
            assert!(
                used.contains(k),
                "{k} is in messages.toml but no code says it"
            );
        }
    }
}
