//! The pattern parser and matcher: any text, parsed, printed back and matched.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = kyoyu_pattern::parse(&text);
    if let Ok(pattern) = kyoyu_pattern::parse_grammar(&text, kyoyu_pattern::Limits::default()) {
        let printed = pattern.to_string();
        assert!(kyoyu_pattern::parse_grammar(&printed, kyoyu_pattern::Limits::default()).is_ok(), "{printed}");
        let _ = kyoyu_pattern::equalities(&pattern);
        let _ = kyoyu_pattern::matches(&pattern, &kyoyu_pattern::Observations::default());
    }
});
