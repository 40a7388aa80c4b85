//! Stage 7, the submitter's receipt: a capability. Whoever holds it may
//! update or withdraw the submission and see what came of it; the hub
//! keeps only a keyed hash of it, never linked to an organization.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use rand::RngCore;

/// The prefix of every receipt.
pub const PREFIX: &str = "kyoyu_receipt_";

/// A new receipt (256 random bits).
pub fn new_receipt() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{PREFIX}{}", B64.encode(bytes))
}

/// Whether `text` has the shape of a receipt (before any lookup).
pub fn looks_like_receipt(text: &str) -> bool {
    text.strip_prefix(PREFIX)
        .is_some_and(|r| r.len() == 43 && B64.decode(r).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receipts() {
        let r = new_receipt();
        assert!(looks_like_receipt(&r));
        assert_ne!(r, new_receipt());
        assert!(!looks_like_receipt("kyoyu_receipt_short"));
    }
}
