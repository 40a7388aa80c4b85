//! Dates and times as people read them: in their own time zone (by default Asia/Tokyo), as
//! `2026-11-28 18:05 JST`.
//!
//! The time zone database is the one bundled with `jiff` (`tzdb-bundle-always`), so a hub on a
//! closed network shows the same times whatever its machine's `/usr/share/zoneinfo` holds.

use jiff::Timestamp;
use jiff::tz::{Offset, TimeZone};

/// The time zone of a person who has not chosen one.
pub const DEFAULT_TIME_ZONE: &str = "Asia/Tokyo";

/// A resolved time zone and its name.
#[derive(Debug, Clone)]
pub(crate) struct Zone {
    tz: TimeZone,
    name: String,
}

/// One instant, ready for a `<time>` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct When {
    /// For the `datetime` attribute: RFC 3339 with the zone's offset.
    pub(crate) iso: String,
    /// For people: `2026-11-28 18:05 JST`.
    pub(crate) shown: String,
}

impl Zone {
    /// The zone called `name`, or Asia/Tokyo when there is no name or it is unknown.
    pub(crate) fn named(name: Option<&str>) -> Zone {
        if let Some(name) = name
            && let Ok(tz) = TimeZone::get(name)
        {
            return Zone {
                tz,
                name: name.to_string(),
            };
        }
        let tz = TimeZone::get(DEFAULT_TIME_ZONE)
            // Japan has kept +09:00 all year since 1951.
            .unwrap_or_else(|_| TimeZone::fixed(Offset::constant(9)));
        Zone {
            tz,
            name: DEFAULT_TIME_ZONE.to_string(),
        }
    }

    /// The zone's IANA name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// `at` in this zone.
    pub(crate) fn when(&self, at: Timestamp) -> When {
        let zoned = at.to_zoned(self.tz.clone());
        When {
            iso: zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            shown: zoned.strftime("%Y-%m-%d %H:%M %Z").to_string(),
        }
    }
}

/// `at` as shown on the console's pages, in the zone called `time_zone` (default Asia/Tokyo).
pub fn format_time(at: Timestamp, time_zone: Option<&str>) -> String {
    Zone::named(time_zone).when(at).shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    #[test]
    fn tokyo_by_default() {
        assert_eq!(
            format_time(at("2026-11-28T09:05:00Z"), None),
            "2026-11-28 18:05 JST"
        );
        assert_eq!(
            format_time(at("2026-11-28T09:05:59.999Z"), Some("No/Such_Zone")),
            "2026-11-28 18:05 JST"
        );
        let when = Zone::named(None).when(at("2026-12-31T15:00:00Z"));
        assert_eq!(when.iso, "2027-01-01T00:00:00+09:00");
        assert_eq!(when.shown, "2027-01-01 00:00 JST");
    }

    #[test]
    fn other_zones_with_their_abbreviations() {
        assert_eq!(
            format_time(at("2026-07-01T12:00:00Z"), Some("UTC")),
            "2026-07-01 12:00 UTC"
        );
        assert_eq!(
            format_time(at("2026-07-01T12:00:00Z"), Some("Europe/Berlin")),
            "2026-07-01 14:00 CEST"
        );
        assert_eq!(
            format_time(at("2026-01-01T12:00:00Z"), Some("Europe/Berlin")),
            "2026-01-01 13:00 CET"
        );
        assert_eq!(Zone::named(Some("UTC")).name(), "UTC");
        assert_eq!(Zone::named(Some("bogus")).name(), "Asia/Tokyo");
    }
}
