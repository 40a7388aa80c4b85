//! JSON paths built only when a finding needs one.

use std::fmt;

/// A position in a JSON document, as a chain of steps back to the root.
#[derive(Debug, Clone, Copy)]
pub(crate) enum JsonPath<'a> {
    /// The document root, written as given (`$`, `$.objects[3]`).
    Root(&'a str),
    /// `parent.key`.
    Key(&'a JsonPath<'a>, &'a str),
    /// `parent[i]`.
    Index(&'a JsonPath<'a>, usize),
}

impl<'a> JsonPath<'a> {
    pub(crate) fn key(&'a self, k: &'a str) -> JsonPath<'a> {
        JsonPath::Key(self, k)
    }

    pub(crate) fn index(&'a self, i: usize) -> JsonPath<'a> {
        JsonPath::Index(self, i)
    }
}

fn plain(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl fmt::Display for JsonPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JsonPath::Root(s) => f.write_str(s),
            JsonPath::Key(p, k) if plain(k) => write!(f, "{p}.{k}"),
            JsonPath::Key(p, k) => write!(f, "{p}[{}]", serde_json::Value::from(*k)),
            JsonPath::Index(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}
