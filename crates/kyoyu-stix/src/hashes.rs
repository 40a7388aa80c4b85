//! Hash values of the hash-algorithm vocabulary (spec 10.7) must fit their
//! algorithm: MD5 is 32 hex digits, SHA-256 64, and so on.

/// Checks a hash value for a known algorithm name. `None` when it fits or
/// the algorithm is not one the spec defines a form for.
pub fn check(algorithm: &str, value: &str) -> Option<String> {
    let hex = |n: usize| value.len() == n && value.bytes().all(|c| c.is_ascii_hexdigit());
    let ok = match algorithm {
        "MD5" => hex(32),
        "SHA-1" => hex(40),
        "SHA-256" | "SHA3-256" => hex(64),
        "SHA-512" | "SHA3-512" => hex(128),
        "SSDEEP" => {
            (1..=128).contains(&value.len())
                && value
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"/+:.".contains(&c))
        }
        "TLSH" => value.len() == 70 && value.bytes().all(|c| c.is_ascii_alphanumeric()),
        _ => return None,
    };
    (!ok).then(|| {
        let form = match algorithm {
            "MD5" => "32 hexadecimal digits",
            "SHA-1" => "40 hexadecimal digits",
            "SHA-256" | "SHA3-256" => "64 hexadecimal digits",
            "SHA-512" | "SHA3-512" => "128 hexadecimal digits",
            "SSDEEP" => "1-128 characters of A-Z a-z 0-9 / + : .",
            _ => "70 letters and digits",
        };
        format!("'{value}' is not a valid {algorithm} hash: it must be {form}")
    })
}
