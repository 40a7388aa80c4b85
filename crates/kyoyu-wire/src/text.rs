//! Message templates with named arguments: `{name}` in a template stands for
//! the value given for `name`. The core's error texts and the console's
//! catalogues are both written this way, so a message keyed in one layer can
//! be worded in another language by the next.

use std::collections::BTreeSet;

/// A message said by key: the key of a catalogue entry and its named
/// arguments. The layer that knows the reader's language words it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    /// The message key, such as `user.login_shape`.
    pub key: &'static str,
    /// The named arguments the message fills in.
    pub args: Vec<(&'static str, String)>,
}

impl Said {
    /// The message `key` with `args`.
    pub fn new(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Self {
        Self {
            key,
            args: args.iter().map(|(n, v)| (*n, v.to_string())).collect(),
        }
    }

    /// The value of argument `name`, if given.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The message worded by `template` (the catalogue's text for the key).
    pub fn fill(&self, template: &str) -> String {
        let args: Vec<(&str, &str)> = self.args.iter().map(|(n, v)| (*n, v.as_str())).collect();
        fill(template, &args)
    }
}

/// `message` with its named arguments filled. A `{name}` with no value given,
/// and a brace that opens nothing (`{"objects": …}`), stay as written; a value
/// is inserted as it is, never filled again.
pub fn fill(message: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(message.len() + 16);
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        let (before, from_open) = rest.split_at(open);
        out.push_str(before);
        let after_open = from_open.get(1..).unwrap_or_default();
        let value = after_open.find('}').and_then(|end| {
            let name = after_open.get(..end)?;
            args.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v, end))
        });
        match value {
            Some((value, end)) => {
                out.push_str(value);
                rest = after_open.get(end + 1..).unwrap_or_default();
            }
            None => {
                out.push('{');
                rest = after_open;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The argument names a template uses: every `{name}` whose name is a plain
/// identifier (a lower-case letter, then lower-case letters, digits, `_`).
pub fn placeholders(message: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut rest = message;
    while let Some(open) = rest.find('{') {
        rest = rest.get(open + 1..).unwrap_or_default();
        if let Some(end) = rest.find('}') {
            let name = rest.get(..end).unwrap_or_default();
            if name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                names.insert(name.to_owned());
                rest = rest.get(end + 1..).unwrap_or_default();
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_identifiers_only() {
        assert_eq!(
            placeholders("send {\"objects\": [...]} to {root} ({n} max)"),
            ["n", "root"].into_iter().map(String::from).collect()
        );
        assert!(placeholders("no { braces } here {A} \\d{2}").is_empty());
    }

    #[test]
    fn braces_that_open_nothing_stay() {
        assert_eq!(
            fill("send {\"objects\": []} to {root}", &[("root", "api")]),
            "send {\"objects\": []} to api"
        );
    }
}
