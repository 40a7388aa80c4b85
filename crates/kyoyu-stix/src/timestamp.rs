//! STIX timestamps (spec 3.2): RFC 3339, always UTC with a `Z`, any number of
//! fractional digits. Compared numerically, printed back exactly as written.

use std::cmp::Ordering;
use std::fmt;

/// A parsed STIX timestamp.
///
/// Equality and ordering are numeric (`…00.1Z` == `…00.100Z`); the number of
/// fractional digits written is kept so that printing gives the input back.
#[derive(Debug, Clone, Copy)]
pub struct Timestamp {
    /// Seconds since 1970-01-01T00:00:00Z (leap second 60 folded into 59.999…).
    secs: i64,
    /// Nanoseconds within the second.
    nanos: u32,
    /// Fractional digits as written (0 = none). Digits past 9 are kept only as a count.
    digits: u8,
}

/// Why a string is not a STIX timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(pub &'static str);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for TimestampError {}

fn digits_at(b: &[u8], start: usize, len: usize) -> Option<u32> {
    let s = b.get(start..start + len)?;
    s.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap_year(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap_year(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Timestamp {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let b = s.as_bytes();
        let shape = b.len() >= 20
            && b.get(4) == Some(&b'-')
            && b.get(7) == Some(&b'-')
            && b.get(10) == Some(&b'T')
            && b.get(13) == Some(&b':')
            && b.get(16) == Some(&b':');
        if !shape {
            return Err(TimestampError(
                "it must look like YYYY-MM-DDTHH:MM:SS[.s+]Z, for example 2016-05-12T08:17:27.000Z",
            ));
        }
        let field = |start, len| {
            digits_at(b, start, len).ok_or(TimestampError("date and time fields must be digits"))
        };
        let year = i64::from(field(0, 4)?);
        let month = field(5, 2)?;
        let day = field(8, 2)?;
        let hour = field(11, 2)?;
        let minute = field(14, 2)?;
        let second = field(17, 2)?;
        if !(1..=12).contains(&month) {
            return Err(TimestampError("month must be 01 to 12"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(TimestampError("day is not a day of that month"));
        }
        if year == 0 {
            return Err(TimestampError("year 0000 does not exist"));
        }
        if hour > 23 || minute > 59 || second > 59 {
            return Err(TimestampError(
                "time must be within 00:00:00 and 23:59:59 (leap seconds are written as :59.999)",
            ));
        }
        let rest = b.get(19..).unwrap_or_default();
        let (frac, tail) = match rest.split_first() {
            Some((b'.', after)) => {
                let n = after.iter().take_while(|c| c.is_ascii_digit()).count();
                if n == 0 {
                    return Err(TimestampError(
                        "a '.' must be followed by fractional digits",
                    ));
                }
                after.split_at(n)
            }
            _ => (&[][..], rest),
        };
        match tail {
            b"Z" => {}
            [] => {
                return Err(TimestampError(
                    "it must end with 'Z' (STIX timestamps are UTC)",
                ));
            }
            _ if tail.first() == Some(&b'z') => {
                return Err(TimestampError(
                    "the time zone designator must be an upper-case 'Z'",
                ));
            }
            _ => {
                return Err(TimestampError(
                    "it must be in UTC and end with 'Z'; time zone offsets are not allowed",
                ));
            }
        }
        let mut nanos = 0u32;
        for i in 0..9 {
            let d = frac.get(i).map_or(0, |c| u32::from(c - b'0'));
            nanos = nanos * 10 + d;
        }
        let secs = days_from_civil(year, month, day) * 86_400
            + i64::from(hour * 3600 + minute * 60 + second);
        Ok(Self {
            secs,
            nanos,
            digits: u8::try_from(frac.len()).unwrap_or(u8::MAX),
        })
    }

    /// A timestamp from seconds and nanoseconds since the epoch, printed with `digits` fractional digits.
    pub fn from_unix(secs: i64, nanos: u32, digits: u8) -> Self {
        Self {
            secs,
            nanos: nanos.min(999_999_999),
            digits,
        }
    }

    /// Seconds since the Unix epoch.
    pub fn unix_seconds(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds within the second.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Seconds since the epoch as a float (for qualifier arithmetic).
    pub fn as_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// Fractional digits as written.
    pub fn precision(&self) -> u8 {
        self.digits
    }
}

impl PartialEq for Timestamp {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Timestamp {}
impl PartialOrd for Timestamp {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Timestamp {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.secs, self.nanos).cmp(&(other.secs, other.nanos))
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.secs.div_euclid(86_400);
        let tod = self.secs.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
            tod / 3600,
            tod / 60 % 60,
            tod % 60
        )?;
        if self.digits > 0 {
            let all = format!("{:09}", self.nanos);
            let shown = usize::from(self.digits.min(9));
            f.write_str(".")?;
            f.write_str(all.get(..shown).unwrap_or_default())?;
            for _ in 9..self.digits {
                f.write_str("0")?;
            }
        }
        f.write_str("Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, ok: bool) {
        let r = Timestamp::parse(input);
        assert_eq!(r.is_ok(), ok, "{input}: {r:?}");
        if let Ok(t) = r {
            assert_eq!(t.to_string(), input);
        }
    }

    #[test]
    fn parse_and_print() {
        check("2016-05-12T08:17:27Z", true);
        check("2016-05-12T08:17:27.000Z", true);
        check("2016-05-12T08:17:27.123456789Z", true);
        check("2016-02-29T00:00:00Z", true);
        check("1969-12-31T23:59:59.5Z", true);
        check("2016-12-31T23:59:60Z", false);
        check("0000-01-01T00:00:00Z", false);
        check("2015-02-29T00:00:00Z", false);
        check("2016-05-12T08:17:27", false);
        check("2016-05-12T08:17:27+09:00", false);
        check("2016-05-12 08:17:27Z", false);
        check("2016-13-12T08:17:27Z", false);
        check("2016-05-12T24:00:00Z", false);
        check("2016-05-12T08:17:27.Z", false);
    }

    #[test]
    fn numeric_comparison() {
        let a = Timestamp::parse("2016-05-12T08:17:27.1Z").unwrap();
        let b = Timestamp::parse("2016-05-12T08:17:27.100Z").unwrap();
        let c = Timestamp::parse("2016-05-12T08:17:27.099999Z").unwrap();
        assert_eq!(a, b);
        assert!(c < a);
        assert_eq!(
            Timestamp::parse("1970-01-01T00:00:01Z")
                .unwrap()
                .unix_seconds(),
            1
        );
    }
}
