//! Language tags (RFC 5646), as used by `lang` and language-content keys.

fn alpha(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_alphabetic())
}

fn alnum(s: &str) -> bool {
    s.bytes().all(|c| c.is_ascii_alphanumeric())
}

/// Whether `tag` is a well-formed RFC 5646 language tag whose primary
/// language is an ISO 639 code (2 or 3 letters), such as `ja`, `en-US`,
/// `zh-Hant-TW`. Private-use and grandfathered tags are not accepted.
pub fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-').peekable();
    let Some(primary) = parts.next() else {
        return false;
    };
    if !(2..=3).contains(&primary.len()) || !alpha(primary) {
        return false;
    }
    // extlang: up to three 3-letter subtags
    let mut ext = 0;
    while let Some(p) = parts.peek() {
        if p.len() == 3 && alpha(p) && ext < 3 {
            ext += 1;
            parts.next();
        } else {
            break;
        }
    }
    let mut stage = 0; // 0 script, 1 region, 2 variants, 3 extensions
    while let Some(p) = parts.next() {
        match p.len() {
            4 if stage == 0 && alpha(p) => stage = 1,
            2 if stage <= 1 && alpha(p) => stage = 2,
            3 if stage <= 1 && p.bytes().all(|c| c.is_ascii_digit()) => stage = 2,
            5..=8 if stage <= 2 && alnum(p) => stage = 2,
            4 if stage <= 2 && p.as_bytes().first().is_some_and(u8::is_ascii_digit) && alnum(p) => {
                stage = 2
            }
            1 if alnum(p) && !p.eq_ignore_ascii_case("x") => {
                // extension: singleton followed by 2–8 alphanumerics, at least one
                let mut any = false;
                while parts
                    .peek()
                    .is_some_and(|q| (2..=8).contains(&q.len()) && alnum(q))
                {
                    parts.next();
                    any = true;
                }
                if !any {
                    return false;
                }
                stage = 3;
            }
            1 if p.eq_ignore_ascii_case("x") => {
                let rest: Vec<&str> = parts.by_ref().collect();
                return !rest.is_empty()
                    && rest.iter().all(|q| (1..=8).contains(&q.len()) && alnum(q));
            }
            _ => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::is_language_tag;

    #[test]
    fn tags() {
        for ok in [
            "ja",
            "en",
            "en-US",
            "zh-Hant-TW",
            "ja-JP",
            "sr-Cyrl-BA",
            "es-419",
            "de-CH-1901",
            "en-US-x-twain",
        ] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in [
            "", "japanese", "j", "en_US", "en-", "-en", "en-US-", "12", "en-x",
        ] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
