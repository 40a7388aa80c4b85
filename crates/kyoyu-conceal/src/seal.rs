//! Stage 6, sealed provenance: the link submission → organization is
//! encrypted to an escrow public key whose private key lives off the hub
//! (X25519, HKDF-SHA256, ChaCha20-Poly1305), and the private key can be
//! split among officers, m of n (Shamir's scheme over GF(2^8)).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use hkdf::Hkdf;
use rand::RngCore;
use sha2::Sha256;
use x25519_dalek::{PublicKey, StaticSecret};

const PUBLIC_PREFIX: &str = "kyoyu-escrow-public:";
const SECRET_PREFIX: &str = "kyoyu-escrow-secret:";
const SHARE_PREFIX: &str = "kyoyu-escrow-share:";
const INFO: &[u8] = b"kyoyu sealed provenance v1";

/// The escrow public key the hub seals to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscrowPublic([u8; 32]);

/// The escrow private key (never on the hub); wiped when dropped.
#[derive(Clone)]
pub struct EscrowSecret([u8; 32]);

impl Drop for EscrowSecret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl std::fmt::Debug for EscrowSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EscrowSecret(…)")
    }
}

fn decode32(text: &str, prefix: &str) -> Option<[u8; 32]> {
    B64.decode(text.trim().strip_prefix(prefix)?)
        .ok()?
        .try_into()
        .ok()
}

impl EscrowPublic {
    /// `kyoyu-escrow-public:<base64>`.
    pub fn to_text(self) -> String {
        format!("{PUBLIC_PREFIX}{}", B64.encode(self.0))
    }

    /// Reads [`EscrowPublic::to_text`]. A low-order point (all of whose
    /// key exchanges give the same, publicly known, secret) is refused.
    pub fn from_text(text: &str) -> Option<Self> {
        let key = decode32(text, PUBLIC_PREFIX).map(Self)?;
        let probe = StaticSecret::from([7u8; 32]);
        probe
            .diffie_hellman(&PublicKey::from(key.0))
            .was_contributory()
            .then_some(key)
    }
}

impl EscrowSecret {
    /// A new key pair.
    pub fn generate() -> (Self, EscrowPublic) {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let secret = Self(bytes);
        let public = secret.public();
        (secret, public)
    }

    /// Its public key.
    pub fn public(&self) -> EscrowPublic {
        EscrowPublic(PublicKey::from(&StaticSecret::from(self.0)).to_bytes())
    }

    /// `kyoyu-escrow-secret:<base64>`.
    pub fn to_text(&self) -> String {
        format!("{SECRET_PREFIX}{}", B64.encode(self.0))
    }

    /// Reads [`EscrowSecret::to_text`].
    pub fn from_text(text: &str) -> Option<Self> {
        decode32(text, SECRET_PREFIX).map(Self)
    }
}

fn cipher(shared: &[u8], eph: &[u8; 32], to: &[u8; 32]) -> Option<ChaCha20Poly1305> {
    let mut salt = Vec::with_capacity(64);
    salt.extend_from_slice(eph);
    salt.extend_from_slice(to);
    let mut key = [0u8; 32];
    Hkdf::<Sha256>::new(Some(&salt), shared)
        .expand(INFO, &mut key)
        .ok()?;
    Some(ChaCha20Poly1305::new(Key::from_slice(&key)))
}

/// Seals `plaintext` to `to`, bound to `context` (the submission id: a
/// sealed blob moved to another submission does not open): ephemeral public
/// key, nonce, ciphertext (base64 text).
pub fn seal(to: EscrowPublic, context: &str, plaintext: &[u8]) -> Option<String> {
    let mut eph_bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut eph_bytes);
    let eph = StaticSecret::from(eph_bytes);
    let eph_pub = PublicKey::from(&eph).to_bytes();
    let shared = eph.diffie_hellman(&PublicKey::from(to.0));
    // A non-contributory exchange (a low-order key) would seal to a secret
    // everyone can compute.
    if !shared.was_contributory() {
        return None;
    }
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let ct = cipher(shared.as_bytes(), &eph_pub, &to.0)?
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: context.as_bytes(),
            },
        )
        .ok()?;
    let mut out = Vec::with_capacity(44 + ct.len());
    out.extend_from_slice(&eph_pub);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Some(B64.encode(out))
}

/// Opens what [`seal`] made for `context`, with the escrow private key.
pub fn open(key: &EscrowSecret, context: &str, sealed: &str) -> Option<Vec<u8>> {
    let bytes = B64.decode(sealed.trim()).ok()?;
    let eph: [u8; 32] = bytes.get(..32)?.try_into().ok()?;
    let nonce = bytes.get(32..44)?;
    let ct = bytes.get(44..)?;
    let secret = StaticSecret::from(key.0);
    let shared = secret.diffie_hellman(&PublicKey::from(eph));
    if !shared.was_contributory() {
        return None;
    }
    let own = key.public().0;
    cipher(shared.as_bytes(), &eph, &own)?
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ct,
                aad: context.as_bytes(),
            },
        )
        .ok()
}

// GF(2^8) with the AES polynomial x^8 + x^4 + x^3 + x + 1.
fn gf_mul(mut a: u8, mut b: u8) -> u8 {
    let mut p = 0u8;
    while b != 0 {
        if b & 1 != 0 {
            p ^= a;
        }
        let carry = a & 0x80 != 0;
        a <<= 1;
        if carry {
            a ^= 0x1b;
        }
        b >>= 1;
    }
    p
}

fn gf_inv(a: u8) -> u8 {
    // a^254 = a^-1 for a != 0.
    let mut result = 1u8;
    let mut base = a;
    let mut e = 254u8;
    while e != 0 {
        if e & 1 != 0 {
            result = gf_mul(result, base);
        }
        base = gf_mul(base, base);
        e >>= 1;
    }
    result
}

/// One officer's share of the escrow private key; wiped when dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// x coordinate, 1..=255.
    pub x: u8,
    /// How many shares recover the key.
    pub threshold: u8,
    /// The public key it belongs to (to catch shares of another key).
    pub of: EscrowPublic,
    /// y for each of the 32 key bytes.
    pub y: [u8; 32],
}

impl Drop for Share {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.y);
    }
}

impl Share {
    /// `kyoyu-escrow-share:<threshold>:<x>:<public key base64>:<y base64>`.
    pub fn to_text(&self) -> String {
        format!(
            "{SHARE_PREFIX}{}:{}:{}:{}",
            self.threshold,
            self.x,
            B64.encode(self.of.0),
            B64.encode(self.y)
        )
    }

    /// Reads [`Share::to_text`].
    pub fn from_text(text: &str) -> Option<Self> {
        let rest = text.trim().strip_prefix(SHARE_PREFIX)?;
        let mut parts = rest.split(':');
        let threshold = parts.next()?.parse().ok()?;
        let x = parts.next()?.parse().ok().filter(|x| *x != 0)?;
        let of = EscrowPublic(B64.decode(parts.next()?).ok()?.try_into().ok()?);
        let y = B64.decode(parts.next()?).ok()?.try_into().ok()?;
        Some(Self {
            x,
            threshold,
            of,
            y,
        })
    }
}

/// Splits the key into `n` shares, any `m` of which recover it.
pub fn split(key: &EscrowSecret, m: u8, n: u8) -> Result<Vec<Share>, String> {
    if m == 0 || m > n {
        return Err(format!("need 1 <= m <= n (got {m} of {n})"));
    }
    let of = key.public();
    let mut coefficients = vec![[0u8; 32]; usize::from(m) - 1];
    for c in &mut coefficients {
        rand::rng().fill_bytes(c);
    }
    Ok((1..=n)
        .map(|x| {
            let mut y = [0u8; 32];
            for (i, yi) in y.iter_mut().enumerate() {
                // Horner: secret + c1 x + c2 x^2 + …
                let mut acc = 0u8;
                for c in coefficients.iter().rev() {
                    acc = gf_mul(acc, x) ^ c.get(i).copied().unwrap_or(0);
                }
                *yi = gf_mul(acc, x) ^ key.0.get(i).copied().unwrap_or(0);
            }
            Share {
                x,
                threshold: m,
                of,
                y,
            }
        })
        .collect())
}

/// Recovers the key from at least `threshold` distinct shares of one key.
pub fn combine(shares: &[Share]) -> Result<EscrowSecret, String> {
    let first = shares.first().ok_or("no shares given")?;
    if shares.iter().any(|s| s.of != first.of) {
        return Err("the shares belong to different escrow keys".into());
    }
    let mut xs: Vec<u8> = shares.iter().map(|s| s.x).collect();
    xs.sort_unstable();
    xs.dedup();
    if xs.len() < usize::from(first.threshold) {
        return Err(format!(
            "{} distinct shares given; this key needs {}",
            xs.len(),
            first.threshold
        ));
    }
    let used: Vec<&Share> = xs
        .iter()
        .filter_map(|x| shares.iter().find(|s| s.x == *x))
        .take(usize::from(first.threshold))
        .collect();
    let mut secret = [0u8; 32];
    for (i, byte) in secret.iter_mut().enumerate() {
        let mut acc = 0u8;
        for (j, sj) in used.iter().enumerate() {
            // Lagrange basis at 0: prod x_m / (x_m - x_j), minus is xor.
            let mut num = 1u8;
            let mut den = 1u8;
            for (k, sk) in used.iter().enumerate() {
                if k != j {
                    num = gf_mul(num, sk.x);
                    den = gf_mul(den, sk.x ^ sj.x);
                }
            }
            acc ^= gf_mul(sj.y.get(i).copied().unwrap_or(0), gf_mul(num, gf_inv(den)));
        }
        *byte = acc;
    }
    let key = EscrowSecret(secret);
    if key.public() != first.of {
        return Err("the shares do not recover the escrow key (a share is damaged)".into());
    }
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let (sk, pk) = EscrowSecret::generate();
        let sealed = seal(pk, "sub-1", b"org=example-power").unwrap();
        assert_eq!(open(&sk, "sub-1", &sealed).unwrap(), b"org=example-power");
        assert!(
            open(&sk, "sub-2", &sealed).is_none(),
            "bound to its submission"
        );
        let (other, _) = EscrowSecret::generate();
        assert!(open(&other, "sub-1", &sealed).is_none());
        assert_ne!(
            seal(pk, "c", b"x").unwrap(),
            seal(pk, "c", b"x").unwrap(),
            "randomized"
        );
        assert_eq!(EscrowPublic::from_text(&pk.to_text()), Some(pk));
        assert_eq!(EscrowSecret::from_text(&sk.to_text()).unwrap().public(), pk);
    }

    #[test]
    fn low_order_keys_are_refused() {
        // The identity and a point of order 8: every exchange with them
        // gives a secret anyone can compute.
        let order8: [u8; 32] = [
            0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
            0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
            0x5f, 0x49, 0xb8, 0x00,
        ];
        let mut one = [0u8; 32];
        one[0] = 1;
        for bad in [[0u8; 32], one, order8] {
            let text = format!("{PUBLIC_PREFIX}{}", B64.encode(bad));
            assert_eq!(EscrowPublic::from_text(&text), None, "{bad:?}");
            assert_eq!(seal(EscrowPublic(bad), "c", b"x"), None);
        }
    }

    #[test]
    fn m_of_n() {
        let (sk, pk) = EscrowSecret::generate();
        let shares = split(&sk, 3, 5).unwrap();
        let texts: Vec<String> = shares.iter().map(Share::to_text).collect();
        let back: Vec<Share> = texts.iter().map(|t| Share::from_text(t).unwrap()).collect();
        for pick in [[0, 1, 2], [0, 2, 4], [4, 3, 1]] {
            let chosen: Vec<Share> = pick.iter().map(|i| back[*i].clone()).collect();
            assert_eq!(combine(&chosen).unwrap().public(), pk);
        }
        assert!(combine(&back[..2]).unwrap_err().contains("needs 3"));
        let mut damaged = back[..3].to_vec();
        damaged[0].y[7] ^= 1;
        assert!(combine(&damaged).is_err());
        let (other, _) = EscrowSecret::generate();
        let mixed = vec![
            back[0].clone(),
            back[1].clone(),
            split(&other, 3, 5).unwrap()[2].clone(),
        ];
        assert!(combine(&mixed).unwrap_err().contains("different"));
        assert!(split(&sk, 4, 3).is_err());
    }
}
