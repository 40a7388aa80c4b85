//! Hash values in patterns must fit their algorithm (`file:hashes.MD5 = '…'`),
//! as the OASIS pattern validator checks.

use crate::ast::{ObjectPath, PathStep};

fn hex_len(s: &str, lens: &[usize]) -> bool {
    s.bytes().all(|c| c.is_ascii_hexdigit()) && lens.contains(&s.len())
}

/// The OASIS validator matches with Python's `re.match(r"^…$")`, whose `$`
/// also matches before one final newline.
fn strip_final_newline(s: &str) -> &str {
    s.strip_suffix('\n').unwrap_or(s)
}

/// Whether a path goes through a `hashes` dictionary.
pub(crate) fn goes_through_hashes(path: &ObjectPath) -> bool {
    path.steps
        .iter()
        .any(|s| matches!(s, PathStep::Key(k) if k == "hashes"))
}

/// Checks `value` (the operand's text without quotes) against the algorithm
/// named by the path's last key, when the path goes through `hashes`.
/// Returns what is wrong, or `None` when it fits or is not checked.
pub(crate) fn check_pattern_hash(path: &ObjectPath, value: &str) -> Option<String> {
    if !goes_through_hashes(path) {
        return None;
    }
    let Some(PathStep::Key(selector)) = path.steps.last() else {
        return None;
    };
    let algorithm: String = selector
        .to_uppercase()
        .chars()
        .filter(|&c| c != '-' && c != '\'')
        .collect();
    let v = strip_final_newline(value);
    let ok = match algorithm.as_str() {
        "MD5" => hex_len(v, &[32]),
        // The OASIS expression for MD6 accepts any value that starts with 32 hex digits.
        "MD6" => value.len() >= 32 && value.bytes().take(32).all(|c| c.is_ascii_hexdigit()),
        "RIPEMD160" => hex_len(v, &[40]),
        "SHA1" => hex_len(v, &[40]),
        "SHA224" | "SHA3224" => hex_len(v, &[56]),
        "SHA256" | "SHA3256" => hex_len(v, &[64]),
        "SHA384" | "SHA3384" => hex_len(v, &[96]),
        "SHA512" | "SHA3512" | "WHIRLPOOL" => hex_len(v, &[128]),
        "SSDEEP" => {
            (1..=128).contains(&v.chars().count())
                && v.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b"/+:.".contains(&c))
        }
        _ => return None,
    };
    (!ok).then(|| {
        format!(
            "'{value}' is not a valid {selector} hash: check its length and that it is hexadecimal"
        )
    })
}
