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

/// A secret key for keyed hashing.
#[derive(Clone)]
pub struct Key(Vec<u8>);

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

/// A new API token secret: `kyoyu_` and 43 URL-safe characters (256 bits).
pub fn new_token_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("kyoyu_{}", URL_SAFE_NO_PAD.encode(bytes))
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
    }
}
