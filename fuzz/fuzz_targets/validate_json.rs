//! The JSON entry point: any bytes, parsed and validated in both modes.
#![no_main]

use kyoyu_validate::{Options, validate_document};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) {
        for strict in [false, true] {
            let _ = validate_document(&value, &Options { strict, ..Options::default() });
        }
    }
});
