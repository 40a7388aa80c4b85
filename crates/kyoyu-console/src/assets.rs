//! The console's own stylesheet and script, embedded in the binary (closed networks: no CDN, no
//! external fonts) and served under names that carry a hash of their content
//! (`/console/assets/console.<hash>.css`), so they can be cached for a year and a new build is
//! never served an old file.

use crate::paths;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The `Cache-Control` of an asset: its name changes whenever its content does.
pub const ASSET_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// One embedded file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The name it is served under: `console.<hash>.css`.
    pub file_name: String,
    /// The content.
    pub bytes: &'static [u8],
    /// The `Content-Type` to send.
    pub content_type: &'static str,
    /// The first 16 hex digits of the content's SHA-256.
    pub hash: String,
}

impl Asset {
    fn new(stem: &str, extension: &str, bytes: &'static [u8], content_type: &'static str) -> Asset {
        let digest = Sha256::digest(bytes);
        let hash: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Asset {
            file_name: format!("{stem}.{hash}.{extension}"),
            bytes,
            content_type,
            hash,
        }
    }

    /// The path to link to: `/console/assets/console.<hash>.css`.
    pub fn url(&self) -> String {
        format!("{}{}", paths::ASSETS, self.file_name)
    }
}

fn all() -> &'static [Asset; 3] {
    static ASSETS: OnceLock<[Asset; 3]> = OnceLock::new();
    ASSETS.get_or_init(|| {
        [
            Asset::new(
                "console",
                "css",
                include_bytes!("../assets/console.css"),
                "text/css; charset=utf-8",
            ),
            Asset::new(
                "console",
                "js",
                include_bytes!("../assets/console.js"),
                "text/javascript; charset=utf-8",
            ),
            Asset::new(
                "favicon",
                "svg",
                include_bytes!("../assets/favicon.svg"),
                "image/svg+xml",
            ),
        ]
    })
}

/// The stylesheet.
pub fn css() -> &'static Asset {
    let [css, ..] = all();
    css
}

/// The script.
pub fn js() -> &'static Asset {
    let [_, js, _] = all();
    js
}

/// The icon (also answered at `/favicon.ico`).
pub fn favicon() -> &'static Asset {
    let [.., icon] = all();
    icon
}

/// The asset served as `file_name` (the part after [`paths::ASSETS`]); `None` for any other
/// name, an outdated hash included (answer 404).
pub fn asset(file_name: &str) -> Option<&'static Asset> {
    all().iter().find(|a| a.file_name == file_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_content_hash() {
        for a in all() {
            assert_eq!(a.hash.len(), 16);
            assert!(a.hash.bytes().all(|b| b.is_ascii_hexdigit()));
            // The same bytes give the same name, every time.
            let again = Asset::new("console", "x", a.bytes, "x");
            assert_eq!(again.hash, a.hash);
            assert_eq!(asset(&a.file_name), Some(a));
            assert!(a.url().starts_with("/console/assets/"));
            assert!(a.url().ends_with(&a.file_name));
        }
        assert!(css().file_name.ends_with(".css"));
        assert!(js().file_name.ends_with(".js"));
        assert_ne!(css().hash, js().hash);
        assert_eq!(css().content_type, "text/css; charset=utf-8");
        assert_eq!(js().content_type, "text/javascript; charset=utf-8");
    }

    #[test]
    fn known_hash_of_known_bytes() {
        // SHA-256("") = e3b0c44298fc1c14…
        let empty = Asset::new("a", "css", b"", "text/css");
        assert_eq!(empty.hash, "e3b0c44298fc1c14");
        assert_eq!(empty.file_name, "a.e3b0c44298fc1c14.css");
    }

    #[test]
    fn other_names_are_not_assets() {
        for name in [
            "console.css",
            "console.0000000000000000.css",
            "../Cargo.toml",
            "",
        ] {
            assert_eq!(asset(name), None, "{name}");
        }
    }

    #[test]
    fn script_is_small_and_self_contained() {
        let js = std::str::from_utf8(js().bytes).unwrap();
        // Partial updates and the live region, nothing more.
        assert!(js.lines().count() <= 170, "console.js grew past its budget");
        for banned in [
            "eval(",
            "new Function",
            "innerHTML",
            "document.write",
            "http://",
            "https://",
        ] {
            assert!(!js.contains(banned), "console.js uses {banned}");
        }
        let css = std::str::from_utf8(css().bytes).unwrap();
        for banned in ["@import", "url(http", "url(//", "@font-face"] {
            assert!(!css.contains(banned), "console.css uses {banned}");
        }
    }
}
