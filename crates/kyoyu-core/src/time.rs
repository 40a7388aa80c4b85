//! Times as the hub keeps them: microseconds since the Unix epoch.

use kyoyu_stix::Timestamp;
use kyoyu_store::Micros;

/// Now, in microseconds since the epoch.
pub fn now_micros() -> Micros {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Microseconds since the epoch of a STIX timestamp.
pub fn micros(t: &Timestamp) -> Micros {
    t.unix_seconds()
        .saturating_mul(1_000_000)
        .saturating_add(i64::from(t.subsec_nanos() / 1000))
}

/// A `date_added` value as TAXII writes it (microseconds, `Z`).
pub fn format_micros(m: Micros) -> String {
    let secs = m.div_euclid(1_000_000);
    let nanos = u32::try_from(m.rem_euclid(1_000_000) * 1000).unwrap_or(0);
    Timestamp::from_unix(secs, nanos, 6).to_string()
}
