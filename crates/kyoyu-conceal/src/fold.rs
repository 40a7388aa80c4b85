//! Folding: the form in which a submission's text is compared with what an
//! organization registered, whatever way a person or a tool wrote it.
//!
//! A folded text is the original with
//! - every character in Unicode NFKC (full-width `ｅｘ．ｃｏ．ｊｐ` is
//!   `ex.co.jp`, `㈱` is `(株)`) and lower case;
//! - percent-escapes decoded (`t.yamada%40example.jp`), as UTF-8 runs;
//! - defanged forms re-fanged: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`,
//!   `[@]`, `[at]`, `(at)`, `[:]`, `hxxp`;
//! - regular-expression escapes of punctuation read as the punctuation
//!   (`example\.co\.jp`).
//!
//! Every folded byte remembers the span of the original it came from, so a
//! match in the folded text is replaced in the original, at its place,
//! and everything around it stays as it was written.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One folded character and the original byte span it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Piece {
    c: char,
    start: usize,
    end: usize,
}

/// A text in folded form, mapped back to its original.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// For each byte of `text`, the original span of its character.
    spans: Vec<(usize, usize)>,
}

/// Defanged spellings (folded, so lower case) and what they stand for.
const DEFANGED: [(&str, &str); 16] = [
    ("[.]", "."),
    ("(.)", "."),
    ("{.}", "."),
    ("[dot]", "."),
    ("(dot)", "."),
    ("{dot}", "."),
    ("[@]", "@"),
    ("(@)", "@"),
    ("[at]", "@"),
    ("(at)", "@"),
    ("{at}", "@"),
    ("[:]", ":"),
    ("[://]", "://"),
    ("hxxps", "https"),
    ("hxxp", "http"),
    ("fxp", "ftp"),
];

impl Folded {
    /// Folds `original`.
    pub fn of(original: &str) -> Self {
        // Most strings are plain ASCII with nothing to decode or re-fang:
        // lower case keeps every byte where it was.
        if original.is_ascii() && !original.bytes().any(needs_pass) {
            return Self {
                text: original.to_ascii_lowercase(),
                spans: Vec::new(),
            };
        }
        // NFKC and lower case, a character with the combining marks after
        // it at a time (half-width `ﾀﾞ` is `ダ`, `e` and U+0301 are `é`);
        // what a cluster becomes keeps the cluster's original span.
        let mut pieces: Vec<Piece> = Vec::with_capacity(original.len());
        let mut chars = original.char_indices().peekable();
        let mut cluster = String::new();
        while let Some((start, ch)) = chars.next() {
            let mut end = start + ch.len_utf8();
            cluster.clear();
            cluster.push(ch);
            while let Some(&(i, next)) = chars.peek() {
                if next.is_ascii()
                    || !std::iter::once(next)
                        .nfkc()
                        .next()
                        .is_some_and(is_combining_mark)
                {
                    break;
                }
                cluster.push(next);
                end = i + next.len_utf8();
                chars.next();
            }
            if ch.is_ascii() && cluster.len() == 1 {
                pieces.push(Piece {
                    c: ch.to_ascii_lowercase(),
                    start,
                    end,
                });
                continue;
            }
            for n in cluster.nfkc() {
                for c in n.to_lowercase() {
                    pieces.push(Piece {
                        c: unify(c),
                        start,
                        end,
                    });
                }
            }
        }
        let pieces = refang(&percent_decode(&pieces));
        let mut text = String::with_capacity(pieces.len());
        let mut spans = Vec::with_capacity(pieces.len());
        for p in pieces {
            text.push(p.c);
            spans.extend(std::iter::repeat_n((p.start, p.end), p.c.len_utf8()));
        }
        Self { text, spans }
    }

    /// The original byte range behind the folded byte range `a..b`.
    pub fn original(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        if a >= b {
            return None;
        }
        if self.spans.is_empty() {
            // The ASCII fast path: folded and original bytes line up.
            return (b <= self.text.len()).then_some((a, b));
        }
        let first = self.spans.get(a)?;
        let last = self.spans.get(b - 1)?;
        Some((first.0, last.1))
    }
}

/// Characters that stand for another: hiragana is its katakana (a name
/// registered as `レイジ` is also written `れいじ`), and the yen sign is the
/// backslash Japanese Windows shows it as (`TOKAI¥alice`, `C:¥Users¥…`).
fn unify(c: char) -> char {
    match c {
        '\u{3041}'..='\u{3096}' => char::from_u32(u32::from(c) + 0x60).unwrap_or(c),
        '¥' => '\\',
        _ => c,
    }
}

/// Whether an ASCII byte may belong to something the slow passes rewrite:
/// a percent-escape, a bracketed defanged form, an escape, or `hxxp`/`fxp`
/// (their `x`).
fn needs_pass(b: u8) -> bool {
    matches!(b, b'%' | b'[' | b'(' | b'{' | b'\\' | b'x' | b'X')
}

/// `%XX` runs decoded as UTF-8 (an invalid run stays as written).
fn percent_decode(pieces: &[Piece]) -> Vec<Piece> {
    let hex = |p: Option<&Piece>| p.and_then(|p| p.c.to_digit(16));
    let mut out = Vec::with_capacity(pieces.len());
    let mut i = 0;
    while i < pieces.len() {
        let mut bytes = Vec::new();
        let mut j = i;
        while pieces.get(j).is_some_and(|p| p.c == '%')
            && let (Some(h), Some(l)) = (hex(pieces.get(j + 1)), hex(pieces.get(j + 2)))
        {
            bytes.push(u8::try_from(h * 16 + l).unwrap_or(0));
            j += 3;
        }
        if bytes.is_empty() {
            out.extend(pieces.get(i).copied());
            i += 1;
            continue;
        }
        // The valid UTF-8 prefix is decoded (lower case, like the rest);
        // what follows stays as written. Each run is read once: linear.
        let valid = match std::str::from_utf8(&bytes) {
            Ok(s) => s,
            Err(e) => std::str::from_utf8(bytes.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        };
        let used = i + 3 * valid.len();
        let last = used.checked_sub(1).and_then(|l| pieces.get(l));
        if let (Some(first), Some(last)) = (pieces.get(i), last) {
            out.extend(valid.chars().flat_map(char::to_lowercase).map(|c| Piece {
                c,
                start: first.start,
                end: last.end,
            }));
        }
        out.extend(
            pieces
                .get(used.min(j)..j)
                .unwrap_or_default()
                .iter()
                .copied(),
        );
        i = j;
    }
    out
}

/// Defanged forms and escaped punctuation replaced by what they stand for.
fn refang(pieces: &[Piece]) -> Vec<Piece> {
    let mut out = Vec::with_capacity(pieces.len());
    let mut i = 0;
    'outer: while let Some(p) = pieces.get(i) {
        // Every defanged form starts with one of these (and is ASCII, so
        // its length in bytes is its length in characters).
        let starts = matches!(p.c, '[' | '(' | '{' | 'h' | 'f');
        for (from, to) in DEFANGED.iter().filter(|_| starts) {
            if !from.starts_with(p.c) {
                continue;
            }
            let n = from.len();
            let Some(window) = pieces.get(i..i + n) else {
                continue;
            };
            if window
                .iter()
                .zip(from.bytes())
                .all(|(p, b)| p.c == char::from(b))
            {
                let (start, end) = (p.start, window.last().map_or(p.end, |l| l.end));
                out.extend(to.chars().map(|c| Piece { c, start, end }));
                i += n;
                continue 'outer;
            }
        }
        // `\.` `\-` `\@` (a regular expression's literal punctuation).
        if p.c == '\\'
            && let Some(next) = pieces.get(i + 1)
            && next.c.is_ascii_punctuation()
            && next.c != '\\'
        {
            out.push(Piece {
                c: next.c,
                start: p.start,
                end: next.end,
            });
            i += 2;
            continue;
        }
        out.push(*p);
        i += 1;
    }
    out
}

/// Characters ignored where names are compared: spacing and the joiners
/// names are written with (`Example-Power`, `EXAMPLE_POWER`, `山田・太郎`,
/// `Yamada, Taro`, `例示電力(株)`); other punctuation ends a name.
pub fn is_separator(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '-' | '\u{2010}'
                | '\u{2011}'
                | '\u{2012}'
                | '\u{2013}'
                | '\u{2014}'
                | '\u{00ad}'
                | '\u{200b}'
                | '\u{200c}'
                | '\u{200d}'
                | '\u{2060}'
                | '\u{feff}'
                | '.'
                | '_'
                | '+'
                | '・'
                | '·'
                | ','
                | '\''
                | '\u{2019}'
                | '('
                | ')'
                | '&'
        )
}

/// A registered name as compared: folded, letters and digits only.
pub fn squash(s: &str) -> String {
    Folded::of(s)
        .text
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A folded text with the separators left out, mapped to folded bytes.
#[derive(Debug, Clone, Default)]
pub struct Squashed {
    /// Letters and digits of the folded text.
    pub text: String,
    /// For each byte of `text`, the folded byte range of its character.
    at: Vec<(usize, usize)>,
}

impl Squashed {
    /// The squashed form of a folded text.
    pub fn of(folded: &Folded) -> Self {
        let mut text = String::with_capacity(folded.text.len());
        let mut at = Vec::with_capacity(folded.text.len());
        for (i, c) in folded.text.char_indices() {
            if !is_separator(c) {
                text.push(c);
                at.extend(std::iter::repeat_n((i, i + c.len_utf8()), c.len_utf8()));
            }
        }
        Self { text, at }
    }

    /// The folded byte range behind the squashed byte range `a..b`.
    pub fn folded(&self, a: usize, b: usize) -> Option<(usize, usize)> {
        if a >= b {
            return None;
        }
        Some((self.at.get(a)?.0, self.at.get(b - 1)?.1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn back(original: &str, needle: &str) -> String {
        let f = Folded::of(original);
        let i = f.text.find(needle).unwrap();
        let (a, b) = f.original(i, i + needle.len()).unwrap();
        original[a..b].to_owned()
    }

    #[test]
    fn spellings_fold_to_one_form() {
        for (written, folded) in [
            ("ｅｘａｍｐｌｅ．ｃｏ．ｊｐ", "example.co.jp"),
            ("EXAMPLE[.]co[.]JP", "example.co.jp"),
            ("hxxps://example(.)co(dot)jp", "https://example.co.jp"),
            ("t.yamada%40example.jp", "t.yamada@example.jp"),
            ("^.*@example-power\\.co\\.jp$", "^.*@example-power.co.jp$"),
            ("%E4%BE%8B示", "例示"),
            ("100%", "100%"),
            ("%zz%4", "%zz%4"),
            ("㈱例示", "(株)例示"),
            ("ﾚｲｼﾞﾃﾞﾝﾘｮｸ", "レイジデンリョク"),
            ("Cafe\u{301}", "café"),
            ("れいじ", "レイジ"),
            ("TOKAI¥alice ￥", "tokai\\alice \\"),
            ("C:\\Users\\tyamada", "c:\\users\\tyamada"),
        ] {
            assert_eq!(Folded::of(written).text, folded, "{written}");
        }
    }

    #[test]
    fn matches_map_back_to_what_was_written() {
        assert_eq!(
            back("see ＥＸＡＭＰＬＥ．ｊｐ now", "example.jp"),
            "ＥＸＡＭＰＬＥ．ｊｐ"
        );
        assert_eq!(back("u=t.yamada%40ex.jp&x", "yamada@ex"), "yamada%40ex");
        assert_eq!(back("host ex[.]jp", "ex.jp"), "ex[.]jp");
    }

    #[test]
    fn percent_runs_decode_in_linear_time_and_fold() {
        assert_eq!(Folded::of("%45xample%50ower").text, "examplepower");
        assert_eq!(Folded::of("%65%78%ff!").text, "ex%ff!");
        let long = "%41".repeat(200_000) + "%ff";
        let started = std::time::Instant::now();
        assert_eq!(Folded::of(&long).text.len(), 200_000 + 3);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    #[test]
    fn squashing_ignores_separators() {
        assert_eq!(squash("Example-Power Co., Ltd."), "examplepowercoltd");
        assert_eq!(squash("山田・太郎"), "山田太郎");
        let f = Folded::of("EXAMPLE_POWER agent");
        let s = Squashed::of(&f);
        let i = s.text.find("examplepower").unwrap();
        let (a, b) = s.folded(i, i + "examplepower".len()).unwrap();
        assert_eq!(f.original(a, b), Some((0, 13)));
    }
}
