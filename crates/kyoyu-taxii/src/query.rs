//! TAXII 2.1 URL filters (section 3.4): parsed and checked, each error a 400
//! that names the parameter and the accepted forms.

use kyoyu_core::reader::Selection;
use kyoyu_core::time::micros;
use kyoyu_core::{Error, Micros, VersionSelect};
use kyoyu_stix::Timestamp;
use percent_encoding::percent_decode_str;

fn bad(description: String) -> Error {
    Error::bad(description)
}

fn timestamp(name: &str, value: &str) -> Result<Micros, Error> {
    Timestamp::parse(value).map(|t| micros(&t)).map_err(|e| {
        // One example: some reasons already carry one.
        let why = e.to_string();
        let example = if why.contains("for example") {
            ""
        } else {
            " (for example 2024-04-01T09:30:00.000Z)"
        };
        bad(format!("{name}={value} is not a timestamp: {why}{example}"))
    })
}

/// Which filters an endpoint accepts.
#[derive(Debug, Clone, Copy)]
pub struct Accepts {
    /// `match[type]` (not on the object-by-id endpoints).
    pub types: bool,
    /// `match[id]`.
    pub ids: bool,
    /// `match[version]`.
    pub version: bool,
}

/// Parses the raw query string of a request.
pub fn parse(raw: Option<&str>, accepts: Accepts) -> Result<Selection, Error> {
    let mut f = Selection::default();
    for pair in raw.unwrap_or_default().split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let key = percent_decode_str(&k.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        let value = percent_decode_str(&v.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned();
        let list = || {
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        match key.as_str() {
            "added_after" => f.added_after = Some(timestamp("added_after", &value)?),
            "limit" => {
                let n: usize =
                    value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                        bad(format!("limit={value} is not a positive whole number"))
                    })?;
                f.limit = Some(n);
            }
            "next" => f.next = Some(value),
            "match[id]" if accepts.ids => f.ids.extend(list()),
            "match[type]" if accepts.types => f.types.extend(list()),
            "match[spec_version]" => {
                for v in list() {
                    if v != "2.0" && v != "2.1" {
                        return Err(bad(format!("match[spec_version]={v}: use 2.1 (or 2.0)")));
                    }
                    f.spec_versions.push(v);
                }
            }
            "match[version]" if accepts.version => {
                if list().next().is_none() {
                    return Err(bad(
                        "match[version] needs a value: first, last, all or a timestamp".into(),
                    ));
                }
                let sel = f.versions.get_or_insert_with(VersionSelect::default);
                for v in list() {
                    match v.as_str() {
                        "first" => sel.first = true,
                        "last" => sel.last = true,
                        "all" => sel.all = true,
                        t => sel.at.push(timestamp("match[version]", t).map_err(|_| {
                            bad(format!(
                                "match[version]={t}: use first, last, all or a timestamp"
                            ))
                        })?),
                    }
                }
            }
            k if k.starts_with("match[") => {
                return Err(bad(format!(
                    "{k} is not a filter of this endpoint; use match[id], match[type], match[version] or match[spec_version] where allowed"
                )));
            }
            // Unknown parameters are ignored, as HTTP servers do.
            _ => {}
        }
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kyoyu_core::ErrorKind;
    use kyoyu_core::time::format_micros;

    const ALL: Accepts = Accepts {
        types: true,
        ids: true,
        version: true,
    };

    #[test]
    fn filters() {
        let f = parse(
            Some("added_after=2024-01-01T00:00:00Z&limit=5&match%5Btype%5D=indicator,malware&match[version]=first,2024-01-02T00:00:00.5Z"),
            ALL,
        )
        .unwrap();
        assert_eq!(f.limit, Some(5));
        assert_eq!(f.types, vec!["indicator", "malware"]);
        let v = f.versions.unwrap();
        assert!(v.first && !v.last && v.at.len() == 1);
        assert_eq!(
            format_micros(f.added_after.unwrap()),
            "2024-01-01T00:00:00.000000Z"
        );
        for bad in [
            "limit=0",
            "limit=x",
            "added_after=yesterday",
            "match[version]=newest",
            "match[colour]=red",
            "match[spec_version]=3",
        ] {
            let e = parse(Some(bad), ALL).unwrap_err();
            assert_eq!(e.kind, ErrorKind::BadRequest, "{bad}");
        }
        assert!(
            parse(
                Some("match[type]=x"),
                Accepts {
                    types: false,
                    ids: true,
                    version: true
                }
            )
            .is_err()
        );
    }
}
