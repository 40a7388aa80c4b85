//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): HMAC-SHA1,
//! six digits, 30-second steps, what every authenticator app reads from an
//! `otpauth://` URI. Pure functions; the caller keeps the secret sealed and
//! remembers the last step accepted, so a code is good once.

use hmac::{Hmac, Mac};

/// Seconds per step.
pub const STEP: i64 = 30;
/// Digits per code.
pub const DIGITS: u32 = 6;
/// Steps either side of now that are accepted (clock drift).
pub const WINDOW: i64 = 1;

/// The HOTP value of `secret` at `counter` (RFC 4226 section 5.3).
pub fn hotp(secret: &[u8], counter: u64) -> Option<u32> {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(secret).ok()?;
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest.get(19)? & 0x0f);
    let bytes: [u8; 4] = digest.get(offset..offset + 4)?.try_into().ok()?;
    let value = u32::from_be_bytes(bytes) & 0x7fff_ffff;
    Some(value % 10u32.pow(DIGITS))
}

/// The step a Unix time (seconds) falls in.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP)
}

/// Checks a code typed by a person (spaces allowed) at `unix_seconds`:
/// the step it matches, if it is within the window and after `last_step`
/// (a code already used does not work twice).
pub fn verify(secret: &[u8], code: &str, unix_seconds: i64, last_step: i64) -> Option<i64> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() != DIGITS as usize || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let typed: u32 = digits.parse().ok()?;
    let now = step_of(unix_seconds);
    (now - WINDOW..=now + WINDOW)
        .filter(|s| *s > last_step)
        .find(|s| u64::try_from(*s).ok().and_then(|c| hotp(secret, c)) == Some(typed))
}

/// RFC 4648 base32 without padding, as authenticator apps take secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for b in bytes {
        buffer = (buffer << 8) | u32::from(*b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            let i = usize::try_from((buffer >> bits) & 31).unwrap_or(0);
            out.extend(ALPHABET.get(i).map(|c| char::from(*c)));
        }
    }
    if bits > 0 {
        let i = usize::try_from((buffer << (5 - bits)) & 31).unwrap_or(0);
        out.extend(ALPHABET.get(i).map(|c| char::from(*c)));
    }
    out
}

/// The `otpauth://` URI an authenticator app scans: issuer and account
/// percent-encoded.
pub fn uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP}",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B, SHA-1 rows (eight digits there; the last six here).
    #[test]
    fn rfc_6238_vectors() {
        let secret = b"12345678901234567890";
        for (time, code) in [
            (59, 94_287_082u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            let got = hotp(secret, u64::try_from(step_of(time)).unwrap()).unwrap();
            assert_eq!(got, code % 1_000_000, "at {time}");
        }
    }

    #[test]
    fn a_code_works_once_and_only_near_its_time() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let code = format!(
            "{:06}",
            hotp(secret, u64::try_from(step_of(t)).unwrap()).unwrap()
        );
        let step = verify(secret, &code, t, 0).unwrap();
        assert_eq!(
            verify(secret, &code, t + 30, 0),
            Some(step),
            "one step late"
        );
        assert_eq!(verify(secret, &code, t, step), None, "replayed");
        assert_eq!(verify(secret, &code, t + 120, 0), None, "too late");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(secret, &spaced, t, 0), Some(step));
        assert_eq!(verify(secret, "12345", t, 0), None);
        assert_eq!(verify(secret, "abcdef", t, 0), None);
    }

    #[test]
    fn base32_and_uri() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            base32(b"12345678901234567890"),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        let u = uri("kyoyu (例示)", "t.yamada", b"12345678901234567890");
        assert!(
            u.starts_with("otpauth://totp/kyoyu%20%28%E4%BE%8B%E7%A4%BA%29:t.yamada?secret=GEZD")
        );
        assert!(u.contains("&digits=6&period=30"));
    }
}
