//! Keyed hashes: API tokens are stored only as HMAC-SHA256 of the secret
//! (tokens are 256-bit random, so a fast keyed hash is enough: no password
//! hashing cost on every request), and `next` cursors are signed so that
//! clients cannot forge positions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// A secret key for keyed hashing; wiped from memory when dropped.
#[derive(Clone)]
pub struct Key(Vec<u8>);

impl Drop for Key {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

impl Key {
    /// A fresh random key, as text for storage.
    pub fn generate_text() -> String {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// The key from its stored text.
    pub fn from_text(text: &str) -> Self {
        Self(
            URL_SAFE_NO_PAD
                .decode(text)
                .unwrap_or_else(|_| text.as_bytes().to_vec()),
        )
    }

    fn mac(&self, data: &[u8]) -> Vec<u8> {
        match <HmacSha256 as Mac>::new_from_slice(&self.0) {
            Ok(mut mac) => {
                mac.update(data);
                mac.finalize().into_bytes().to_vec()
            }
            // Cannot happen (HMAC takes keys of any length); an empty tag verifies nothing.
            Err(_) => Vec::new(),
        }
    }

    /// Hex of HMAC-SHA256(key, secret).
    pub fn hash_hex(&self, secret: &str) -> String {
        self.mac(secret.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Signs a payload: `base64(payload).base64(tag)`.
    pub fn sign(&self, payload: &str) -> String {
        let tag = self.mac(payload.as_bytes());
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(tag.get(..16).unwrap_or_default())
        )
    }

    /// Verifies a signed payload, in constant time; returns the payload.
    pub fn verify(&self, signed: &str) -> Option<String> {
        let (payload, tag) = signed.split_once('.')?;
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
        let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
        let want = self.mac(payload.as_bytes());
        let want = want.get(..16)?;
        (tag.len() == want.len()
            && tag.iter().zip(want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0)
            .then_some(payload)
    }
}

/// A new public token id: 64 random bits in hex, unrelated to the secret.
pub fn new_token_id() -> String {
    let mut bytes = [0u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The key the hub keeps outside its database (in the data folder, the
/// same file on every node): contributor tags, the seals on held
/// submissions' tags and sender, and the MAC on sealed provenance. A stolen
/// or rewritten database cannot test tags, open seals or forge provenance
/// without it. Each use has its own derived key.
#[derive(Clone, Debug)]
pub struct LocalKey {
    tag: Key,
    seal: Key,
    mac: Key,
    check: String,
}

/// Associated data of sealed submission fields: what the seal is bound to.
const SEAL_NONCE: usize = 12;

impl LocalKey {
    /// The key from its bytes.
    pub fn new(bytes: &[u8]) -> Self {
        let root = Key(bytes.to_vec());
        let derive = |label: &str| Key(root.mac(label.as_bytes()));
        Self {
            tag: derive("kyoyu contributor tag"),
            seal: derive("kyoyu seal"),
            mac: derive("kyoyu provenance mac"),
            check: derive("kyoyu local key check").hash_hex("check"),
        }
    }

    /// A value the database may hold to tell whether a process has the same
    /// key as the others (it reveals nothing about the key).
    pub fn check_value(&self) -> &str {
        &self.check
    }

    /// The contributor tag of an organization for one statistic: the same
    /// for all its submissions and every value of that statistic, so
    /// statistics count organizations, not buckets.
    pub fn tag(&self, org: &str, statistic: &str) -> String {
        self.tag.hash_hex(&format!("{org}\u{1f}{statistic}"))
    }

    /// A MAC over the parts, in hex.
    pub fn mac(&self, parts: &[&str]) -> String {
        self.mac.hash_hex(&parts.join("\u{1f}"))
    }

    /// Encrypts `plain` for the record `bound_to` (ChaCha20-Poly1305, fresh
    /// nonce): equal plaintexts give unrelated ciphertexts.
    pub fn seal(&self, plain: &[u8], bound_to: &str) -> Option<String> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let cipher =
            chacha20poly1305::ChaCha20Poly1305::new_from_slice(self.seal.0.get(..32)?).ok()?;
        let mut nonce = [0u8; SEAL_NONCE];
        rand::rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(
                chacha20poly1305::Nonce::from_slice(&nonce),
                Payload {
                    msg: plain,
                    aad: bound_to.as_bytes(),
                },
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend(ct);
        Some(URL_SAFE_NO_PAD.encode(out))
    }

    /// Opens what [`LocalKey::seal`] made for `bound_to`.
    pub fn open(&self, sealed: &str, bound_to: &str) -> Option<Vec<u8>> {
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let bytes = URL_SAFE_NO_PAD.decode(sealed).ok()?;
        let (nonce, ct) = bytes.split_at_checked(SEAL_NONCE)?;
        let cipher =
            chacha20poly1305::ChaCha20Poly1305::new_from_slice(self.seal.0.get(..32)?).ok()?;
        cipher
            .decrypt(
                chacha20poly1305::Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: bound_to.as_bytes(),
                },
            )
            .ok()
    }
}

/// A new API token secret: `kyoyu_` and 43 URL-safe characters (256 bits).
pub fn new_token_secret() -> String {
    new_secret("kyoyu_")
}

/// Constant-time equality of two secrets or their hashes (tokens,
/// sessions, anti-forgery tokens): the time taken does not tell how much
/// of a guess was right.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A random 256-bit secret in URL-safe base64 after `prefix` (tokens,
/// session cookies, anti-forgery tokens).
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_verify() {
        let key = Key::from_text(&Key::generate_text());
        let signed = key.sign("col:42");
        assert_eq!(key.verify(&signed).as_deref(), Some("col:42"));
        let mut forged = signed.clone();
        forged.replace_range(0..2, "xx");
        assert_eq!(key.verify(&forged), None);
        let other = Key::from_text(&Key::generate_text());
        assert_eq!(other.verify(&signed), None);
        assert_eq!(key.verify("garbage"), None);
        assert_ne!(key.hash_hex("a"), key.hash_hex("b"));
        assert!(new_token_secret().starts_with("kyoyu_"));
        assert_eq!(new_token_id().len(), 16);
        assert_ne!(new_token_id(), new_token_id());
    }

    #[test]
    fn local_key_seals_unlinkably_and_binds() {
        let k = LocalKey::new(b"0123456789abcdef0123456789abcdef");
        let a = k.seal(b"org-a", "sub-1").unwrap();
        let b = k.seal(b"org-a", "sub-1").unwrap();
        assert_ne!(a, b, "equal plaintexts must not give equal seals");
        assert_eq!(k.open(&a, "sub-1").unwrap(), b"org-a");
        assert_eq!(k.open(&a, "sub-2"), None, "bound to its record");
        let other = LocalKey::new(b"another key, another key, another");
        assert_eq!(other.open(&a, "sub-1"), None);
        assert_ne!(k.check_value(), other.check_value());
        assert_eq!(k.tag("a", "week"), k.tag("a", "week"));
        assert_ne!(k.tag("a", "week"), k.tag("a", "sector"));
        assert_ne!(k.tag("a", "week"), k.tag("b", "week"));
        assert_ne!(k.mac(&["x", "y"]), k.mac(&["xy"]));
    }
}
