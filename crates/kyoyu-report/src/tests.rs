//! The engine, scenario by scenario: every expected deadline below was
//! worked out by hand from the regime's rule, not by running the engine.
//! Hours are absolute durations. Japan's day periods end at 23:59:59 local
//! time of their last day (Asia/Tokyo is +09:00 all year, so that is
//! 14:59:59Z); with the first day excluded (民法第140条) day 1 is the day
//! after the one counted from, unless that moment is 00:00; with it
//! included (起算して) day 1 is that day. NIS2's month keeps the clock time.

use super::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn seeds() -> Seeds {
    Seeds::builtin().unwrap()
}

fn decide(facts: &Value) -> Result<Value, FactsError> {
    assess_json_with(&facts.to_string(), Profiles::shipped(), &seeds())
}

struct Case {
    name: &'static str,
    facts: Value,
    reportable: bool,
    recipients: &'static [&'static str],
    /// (stage, due in UTC), in deadline order.
    stages: &'static [(&'static str, &'static str)],
}

fn check(c: &Case) {
    let d = decide(&c.facts).unwrap_or_else(|e| panic!("{}: {e}", c.name));
    assert_eq!(d["reportable"], c.reportable, "{}: {d:#}", c.name);
    let got: BTreeSet<&str> = d["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let want: BTreeSet<&str> = c.recipients.iter().copied().collect();
    assert_eq!(got, want, "{}: recipients", c.name);
    let stages: Vec<(&str, &str)> = d["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["stage"].as_str().unwrap(), s["due"].as_str().unwrap()))
        .collect();
    assert_eq!(stages, c.stages, "{}", c.name);
    // Every stage names the rule it comes from, in both languages.
    for s in d["stages"].as_array().unwrap() {
        assert!(
            s["basis_en"].as_str().is_some_and(|b| !b.is_empty()),
            "{}",
            c.name
        );
        assert!(
            s["basis_ja"].as_str().is_some_and(|b| !b.is_empty()),
            "{}",
            c.name
        );
    }
    if c.reportable {
        assert!(
            !d["fired_rules"].as_array().unwrap().is_empty(),
            "{}",
            c.name
        );
    }
}

#[test]
fn japan() {
    let cases = [
        Case {
            name: "J1 an attack on electric power: first and final report to METI",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-03-27T10:00:00+09:00", "malicious": true}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 10:00 JST = 01:00Z, + 24 h. Final: day 1 = 28 Mar; 28-31 Mar
            // are days 1-4, 26 Apr is day 30: 23:59:59 JST = 14:59:59Z.
            stages: &[
                ("initial", "2026-03-28T01:00:00Z"),
                ("final", "2026-04-26T14:59:59Z"),
            ],
        },
        Case {
            name: "J2 an outage in electric power late at night: the statutory reports too, across midnight",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-03-27T23:30:00+09:00", "outage_minutes": 90}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 23:30 JST = 14:30Z; + 24 h for both the first report and the
            // quick accident report (in file order). The detailed report
            // counts 27 Mar as day 1 (起算して): 27-31 Mar are days 1-5, 25 Apr
            // is day 30. The final report starts on 28 Mar: 26 Apr is day 30.
            stages: &[
                ("initial", "2026-03-28T14:30:00Z"),
                ("electricity-prompt", "2026-03-28T14:30:00Z"),
                ("electricity-detailed", "2026-04-25T14:59:59Z"),
                ("final", "2026-04-26T14:59:59Z"),
            ],
        },
        Case {
            name: "J3 nothing happened to speak of: not reportable",
            facts: json!({"regime": "jp-ci", "sector": "gas", "aware_at": "2026-03-27T10:00:00+09:00"}),
            reportable: false,
            recipients: &[],
            stages: &[],
        },
        Case {
            name: "J4 a serious attack on finance on New Year's Eve: the hotline as well",
            facts: json!({"regime": "jp-ci", "sector": "finance", "aware_at": "2026-12-31T23:30:00+09:00", "malicious": true, "severity": 3}),
            reportable: true,
            recipients: &["ministry:fsa", "national-centre"],
            stages: &[
                // 23:30 JST = 14:30Z; + 1 h; + 24 h. Final: day 1 = 1 Jan,
                // day 30 = 30 Jan 2027.
                ("hotline", "2026-12-31T15:30:00Z"),
                ("initial", "2027-01-01T14:30:00Z"),
                ("final", "2027-01-30T14:59:59Z"),
            ],
        },
        Case {
            name: "J5 patients' medical data (要配慮個人情報) leaked by mistake at a hospital: the PPC within 3 and 30 days",
            facts: json!({"regime": "jp-ci", "sector": "medical", "aware_at": "2026-06-01T09:00:00+09:00", "records_leaked": 500, "sensitive_data": true}),
            reportable: true,
            recipients: &["ministry:mhlw", "ppc"],
            // 09:00 JST = 00:00Z, + 24 h. Day 1 = 2 Jun: 3 days end on
            // 4 Jun; 2-30 Jun are days 1-29, so day 30 is 1 Jul (both the
            // final report and the PPC's, in file order).
            stages: &[
                ("initial", "2026-06-02T00:00:00Z"),
                ("ppc-prompt", "2026-06-04T14:59:59Z"),
                ("final", "2026-07-01T14:59:59Z"),
                ("ppc-final", "2026-07-01T14:59:59Z"),
            ],
        },
        Case {
            name: "J6 the same leak by an attacker: the confirmed report within 60 days",
            facts: json!({"regime": "jp-ci", "sector": "medical", "aware_at": "2026-06-01T09:00:00+09:00", "records_leaked": 500, "sensitive_data": true, "malicious": true}),
            reportable: true,
            recipients: &["ministry:mhlw", "ppc"],
            // As J5; 60 days: 2-30 Jun are days 1-29, 1-31 Jul days 30-60.
            stages: &[
                ("initial", "2026-06-02T00:00:00Z"),
                ("ppc-prompt", "2026-06-04T14:59:59Z"),
                ("final", "2026-07-01T14:59:59Z"),
                ("ppc-final", "2026-07-31T14:59:59Z"),
            ],
        },
        Case {
            name: "J7 a telecom operator says it is significant and a serious accident (重大な事故): the statutory 30-day report, across February's end",
            facts: json!({"regime": "jp-ci", "sector": "information-communication", "aware_at": "2026-02-28T12:00:00+09:00", "significant": true, "statutory_accident": true}),
            reportable: true,
            recipients: &["ministry:mic", "national-centre"],
            stages: &[
                // 12:00 JST = 03:00Z; + 1 h; + 24 h (the first report, then
                // the prompt accident report, in file order). Day 1 = 1 Mar
                // (February 2026 has 28 days), day 30 = 30 Mar; without
                // occurred_at the accident's 30 days count from awareness.
                ("hotline", "2026-02-28T04:00:00Z"),
                ("initial", "2026-03-01T03:00:00Z"),
                ("telecom-prompt", "2026-03-01T03:00:00Z"),
                ("final", "2026-03-30T14:59:59Z"),
                ("telecom-detailed", "2026-03-30T14:59:59Z"),
            ],
        },
        Case {
            name: "J8 a precursor (予兆) in electric power, before 09:00 JST (the day before in UTC)",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-05-10T08:00:00+09:00", "category": "precursor"}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 08:00 JST on 10 May = 9 May 23:00Z; + 24 h. Days on Tokyo's
            // calendar: day 1 = 11 May (not 10 May, the UTC date's next
            // day); 11-31 May are days 1-21, 9 Jun is day 30.
            stages: &[
                ("initial", "2026-05-10T23:00:00Z"),
                ("final", "2026-06-09T14:59:59Z"),
            ],
        },
        Case {
            name: "J9 a near miss (ヒヤリハット) on the railways",
            facts: json!({"regime": "jp-ci", "sector": "railways", "aware_at": "2026-05-10T12:00:00+09:00", "category": "near-miss"}),
            reportable: true,
            recipients: &["ministry:mlit"],
            // 12:00 JST = 03:00Z; + 24 h. Day 1 = 11 May, day 30 = 9 Jun.
            stages: &[
                ("initial", "2026-05-11T03:00:00Z"),
                ("final", "2026-06-09T14:59:59Z"),
            ],
        },
        Case {
            name: "J10 an attack stated as not significant: reported, no hotline",
            facts: json!({"regime": "jp-ci", "sector": "water", "aware_at": "2026-08-01T00:00:00+09:00", "malicious": true, "significant": false}),
            reportable: true,
            recipients: &["ministry:mlit"],
            // 00:00 JST on 1 Aug = 31 Jul 15:00Z; + 24 h. The period starts
            // at midnight, so 1 Aug is day 1 (民法第140条ただし書) and day 30 is
            // 30 Aug, ending 23:59:59 JST: one second before the 30 x 24 h
            // the hub counted before.
            stages: &[
                ("initial", "2026-08-01T15:00:00Z"),
                ("final", "2026-08-30T14:59:59Z"),
            ],
        },
        Case {
            name: "J11 severity level 0 and nothing else: not reportable",
            facts: json!({"regime": "jp-ci", "sector": "gas", "aware_at": "2026-08-01T00:00:00+09:00", "severity": 0}),
            reportable: false,
            recipients: &[],
            stages: &[],
        },
        Case {
            name: "J12 people's safety at risk in electric power: hotline within the hour",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-07-07T07:07:00+09:00", "safety_impact": true, "outage_minutes": 10}),
            reportable: true,
            recipients: &["ministry:meti", "national-centre"],
            // 07:07 JST = 6 Jul 22:07Z; + 1 h, + 24 h (twice). Detailed:
            // day 1 = 7 Jul (7-31 Jul are days 1-25), day 30 = 5 Aug. Final:
            // day 1 = 8 Jul (8-31 Jul are days 1-24), day 30 = 6 Aug.
            stages: &[
                ("hotline", "2026-07-06T23:07:00Z"),
                ("initial", "2026-07-07T22:07:00Z"),
                ("electricity-prompt", "2026-07-07T22:07:00Z"),
                ("electricity-detailed", "2026-08-05T14:59:59Z"),
                ("final", "2026-08-06T14:59:59Z"),
            ],
        },
        Case {
            name: "J13 the time given in UTC: days still counted on Tokyo's calendar",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-03-27T20:00:00Z", "malicious": true}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 20:00Z on 27 Mar is 05:00 JST on 28 Mar; + 24 h. Day 1 is
            // 29 Mar on Tokyo's calendar (29-31 Mar are days 1-3), day 30 is
            // 27 Apr; in UTC days it would have been 26 Apr.
            stages: &[
                ("initial", "2026-03-28T20:00:00Z"),
                ("final", "2026-04-27T14:59:59Z"),
            ],
        },
        Case {
            name: "J14 another time zone asked for: 30 days from 31 January is 2 March",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-01-31T10:00:00Z", "malicious": true, "time_zone": "UTC"}),
            reportable: true,
            recipients: &["ministry:meti"],
            // + 24 h. UTC days: day 1 = 1 Feb, day 28 = 28 Feb, day 30 =
            // 2 Mar, ending 23:59:59 UTC.
            stages: &[
                ("initial", "2026-02-01T10:00:00Z"),
                ("final", "2026-03-02T23:59:59Z"),
            ],
        },
        Case {
            name: "J15 a ransom paid: Japan's plan has no ransom stage of its own",
            facts: json!({"regime": "jp-ci", "sector": "chemical", "aware_at": "2026-09-01T10:00:00+09:00", "malicious": true, "category": "ransomware", "ransom_paid_at": "2026-09-02T10:00:00+09:00"}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 10:00 JST = 01:00Z; + 24 h. Day 1 = 2 Sep (2-30 Sep are days
            // 1-29), day 30 = 1 Oct.
            stages: &[
                ("initial", "2026-09-02T01:00:00Z"),
                ("final", "2026-10-01T14:59:59Z"),
            ],
        },
        Case {
            name: "J16 one second after midnight: the day of awareness is no longer day 1 of the final report, still day 1 of the detailed one",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-09-01T00:00:01+09:00", "outage_minutes": 30}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 00:00:01 JST = 31 Aug 15:00:01Z; + 24 h (twice). Detailed
            // (起算して): day 1 = 1 Sep, day 30 = 30 Sep. Final: day 1 = 2 Sep
            // (2-30 Sep are days 1-29), day 30 = 1 Oct.
            stages: &[
                ("initial", "2026-09-01T15:00:01Z"),
                ("electricity-prompt", "2026-09-01T15:00:01Z"),
                ("electricity-detailed", "2026-09-30T14:59:59Z"),
                ("final", "2026-10-01T14:59:59Z"),
            ],
        },
        Case {
            name: "J17 exactly at midnight: both periods start that day (民法第140条ただし書)",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-09-01T00:00:00+09:00", "outage_minutes": 30}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 31 Aug 15:00Z; + 24 h (twice). Day 1 = 1 Sep for both: day 30
            // = 30 Sep (the final report first, in file order).
            stages: &[
                ("initial", "2026-09-01T15:00:00Z"),
                ("electricity-prompt", "2026-09-01T15:00:00Z"),
                ("final", "2026-09-30T14:59:59Z"),
                ("electricity-detailed", "2026-09-30T14:59:59Z"),
            ],
        },
        Case {
            name: "J18 a day period ending on a national holiday (こどもの日) is not moved",
            facts: json!({"regime": "jp-ci", "sector": "railways", "aware_at": "2026-04-05T10:00:00+09:00", "malicious": true}),
            reportable: true,
            recipients: &["ministry:mlit"],
            // 01:00Z + 24 h. Day 1 = 6 Apr (6-30 Apr are days 1-25), 1-5 May
            // are days 26-30: Tuesday 5 May, a holiday, stays the last day.
            stages: &[
                ("initial", "2026-04-06T01:00:00Z"),
                ("final", "2026-05-05T14:59:59Z"),
            ],
        },
        Case {
            name: "J19 a telecom outage stated significant but under the serious-accident thresholds: no statutory report",
            facts: json!({"regime": "jp-ci", "sector": "information-communication", "aware_at": "2026-07-20T08:20:00+09:00", "outage_minutes": 100, "customers_affected": 50_000, "significant": true}),
            reportable: true,
            recipients: &["ministry:mic", "national-centre"],
            // 08:20 JST = 19 Jul 23:20Z; + 1 h; + 24 h. Final: day 1 = 21 Jul
            // (21-31 Jul are days 1-11), day 30 = 19 Aug.
            stages: &[
                ("hotline", "2026-07-20T00:20:00Z"),
                ("initial", "2026-07-20T23:20:00Z"),
                ("final", "2026-08-19T14:59:59Z"),
            ],
        },
        Case {
            name: "J20 a serious telecom accident by its thresholds (50,000 users, 150 minutes), the detailed report counted from the day it occurred",
            facts: json!({"regime": "jp-ci", "sector": "information-communication", "occurred_at": "2026-07-19T23:00:00+09:00", "aware_at": "2026-07-20T08:20:00+09:00", "outage_minutes": 150, "customers_affected": 50_000, "severity": 2}),
            reportable: true,
            recipients: &["ministry:mic"],
            // 19 Jul 23:20Z + 24 h, twice. Detailed: occurred on 19 Jul
            // (Tokyo), day 1 = 20 Jul (20-31 Jul are days 1-12), day 30 =
            // 18 Aug. Final: from awareness on 20 Jul, day 30 = 19 Aug.
            stages: &[
                ("initial", "2026-07-20T23:20:00Z"),
                ("telecom-prompt", "2026-07-20T23:20:00Z"),
                ("telecom-detailed", "2026-08-18T14:59:59Z"),
                ("final", "2026-08-19T14:59:59Z"),
            ],
        },
        Case {
            name: "J21 exactly 2 hours for exactly 30,000 users: a serious telecom accident",
            facts: json!({"regime": "jp-ci", "sector": "information-communication", "aware_at": "2026-10-10T12:00:00+09:00", "outage_minutes": 120, "customers_affected": 30_000}),
            reportable: true,
            recipients: &["ministry:mic"],
            // 03:00Z + 24 h, twice. Day 1 = 11 Oct (11-31 Oct are days
            // 1-21), day 30 = 9 Nov, for both (final first in file order).
            stages: &[
                ("initial", "2026-10-11T03:00:00Z"),
                ("telecom-prompt", "2026-10-11T03:00:00Z"),
                ("final", "2026-11-09T14:59:59Z"),
                ("telecom-detailed", "2026-11-09T14:59:59Z"),
            ],
        },
        Case {
            name: "J22 one minute short of 2 hours: not a serious telecom accident",
            facts: json!({"regime": "jp-ci", "sector": "information-communication", "aware_at": "2026-10-10T12:00:00+09:00", "outage_minutes": 119, "customers_affected": 30_000}),
            reportable: true,
            recipients: &["ministry:mic"],
            // As J21 without the accident's stages.
            stages: &[
                ("initial", "2026-10-11T03:00:00Z"),
                ("final", "2026-11-09T14:59:59Z"),
            ],
        },
        Case {
            name: "J23 500 customers' ordinary records sent out by mistake: the ministry, not the PPC",
            facts: json!({"regime": "jp-ci", "sector": "finance", "aware_at": "2026-11-02T09:00:00+09:00", "records_leaked": 500, "category": "data-leak"}),
            reportable: true,
            recipients: &["ministry:fsa"],
            // 00:00Z + 24 h. Day 1 = 3 Nov (3-30 Nov are days 1-28), day 30
            // = 2 Dec.
            stages: &[
                ("initial", "2026-11-03T00:00:00Z"),
                ("final", "2026-12-02T14:59:59Z"),
            ],
        },
        Case {
            name: "J24 exactly 1,000 people is not more than 1,000: still not the PPC",
            facts: json!({"regime": "jp-ci", "sector": "finance", "aware_at": "2026-11-02T09:00:00+09:00", "records_leaked": 1000, "category": "data-leak"}),
            reportable: true,
            recipients: &["ministry:fsa"],
            stages: &[
                ("initial", "2026-11-03T00:00:00Z"),
                ("final", "2026-12-02T14:59:59Z"),
            ],
        },
        Case {
            name: "J25 1,001 people: the PPC's quick and confirmed reports",
            facts: json!({"regime": "jp-ci", "sector": "finance", "aware_at": "2026-11-02T09:00:00+09:00", "records_leaked": 1001, "category": "data-leak"}),
            reportable: true,
            recipients: &["ministry:fsa", "ppc"],
            // As J23; 3 days: 3-5 Nov; 30 days: 2 Dec (final first).
            stages: &[
                ("initial", "2026-11-03T00:00:00Z"),
                ("ppc-prompt", "2026-11-05T14:59:59Z"),
                ("final", "2026-12-02T14:59:59Z"),
                ("ppc-final", "2026-12-02T14:59:59Z"),
            ],
        },
        Case {
            name: "J26 twenty card numbers exposed by mistake: financial damage possible, the PPC even for a few people",
            facts: json!({"regime": "jp-ci", "sector": "credit", "aware_at": "2026-06-10T15:00:00+09:00", "records_leaked": 20, "financial_damage_risk": true}),
            reportable: true,
            recipients: &["ministry:meti", "ppc"],
            // 06:00Z + 24 h. Day 1 = 11 Jun: 3 days end 13 Jun; 11-30 Jun
            // are days 1-20, 10 Jul is day 30.
            stages: &[
                ("initial", "2026-06-11T06:00:00Z"),
                ("ppc-prompt", "2026-06-13T14:59:59Z"),
                ("final", "2026-07-10T14:59:59Z"),
                ("ppc-final", "2026-07-10T14:59:59Z"),
            ],
        },
        Case {
            name: "J27 an accident stated in the gas sector does not bring in electricity's reports",
            facts: json!({"regime": "jp-ci", "sector": "gas", "aware_at": "2026-01-15T09:00:00+09:00", "outage_minutes": 10, "statutory_accident": true}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 00:00Z + 24 h. Day 1 = 16 Jan (16-31 Jan are days 1-16), day
            // 30 = 14 Feb.
            stages: &[
                ("initial", "2026-01-16T00:00:00Z"),
                ("final", "2026-02-14T14:59:59Z"),
            ],
        },
        Case {
            name: "J28 an electricity accident without an outage (say, an electrical fire), stated by the operator: the statutory reports alone",
            facts: json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-05-01T10:00:00+09:00", "statutory_accident": true}),
            reportable: true,
            recipients: &["ministry:meti"],
            // 01:00Z + 24 h. Detailed: day 1 = 1 May (起算して), day 30 =
            // 30 May. Nothing the action plan asks for.
            stages: &[
                ("electricity-prompt", "2026-05-02T01:00:00Z"),
                ("electricity-detailed", "2026-05-30T14:59:59Z"),
            ],
        },
        Case {
            name: "J29 health data leaked, the time written in UTC on the day before Tokyo's: the PPC's days on Tokyo's calendar",
            facts: json!({"regime": "jp-ci", "sector": "medical", "aware_at": "2026-04-30T16:00:00Z", "category": "data-leak", "malicious": false, "records_leaked": 1500, "sensitive_data": true}),
            reportable: true,
            recipients: &["ministry:mhlw", "ppc"],
            // 16:00Z on 30 Apr is 01:00 JST on 1 May; + 24 h. Day 1 = 2 May:
            // 3 days end 4 May; 2-31 May are days 1-30, so 31 May (both
            // 30-day reports, the final report first in file order).
            stages: &[
                ("initial", "2026-05-01T16:00:00Z"),
                ("ppc-prompt", "2026-05-04T14:59:59Z"),
                ("final", "2026-05-31T14:59:59Z"),
                ("ppc-final", "2026-05-31T14:59:59Z"),
            ],
        },
        Case {
            name: "J30 the same instant counted in UTC days when the facts ask for it",
            facts: json!({"regime": "jp-ci", "sector": "medical", "aware_at": "2026-05-01T01:00:00+09:00", "time_zone": "UTC", "category": "data-leak", "malicious": false, "records_leaked": 2000}),
            reportable: true,
            recipients: &["ministry:mhlw", "ppc"],
            // 30 Apr 16:00Z; + 24 h. UTC day 1 = 1 May: 3 days end 3 May,
            // 30 days end 30 May, at 23:59:59Z.
            stages: &[
                ("initial", "2026-05-01T16:00:00Z"),
                ("ppc-prompt", "2026-05-03T23:59:59Z"),
                ("final", "2026-05-30T23:59:59Z"),
                ("ppc-final", "2026-05-30T23:59:59Z"),
            ],
        },
        Case {
            name: "J31 ransomware at an airport, severity level 4 (Crisis), malice not stated",
            facts: json!({"regime": "jp-ci", "sector": "airports", "aware_at": "2026-03-20T06:00:00+09:00", "category": "ransomware", "severity": 4, "outage_minutes": 600, "customers_affected": 20_000}),
            reportable: true,
            recipients: &["ministry:mlit", "national-centre"],
            // 06:00 JST = 19 Mar 21:00Z; + 1 h; + 24 h. Day 1 = 21 Mar
            // (21-31 Mar are days 1-11), day 30 = 19 Apr.
            stages: &[
                ("hotline", "2026-03-19T22:00:00Z"),
                ("initial", "2026-03-20T21:00:00Z"),
                ("final", "2026-04-19T14:59:59Z"),
            ],
        },
    ];
    for c in &cases {
        check(c);
    }
}

/// A regime of test stages, one per way of counting, all from `aware_at`.
const COUNTING: &str = r#"
id = "counting"
name_en = "Counting test"
name_ja = "期間計算の試験"
time_zone = "Asia/Tokyo"

[[recipient]]
id = "r"
name_en = "R"
name_ja = "R"

[[stage]]
id = "month-excluded"
name_en = "x"
name_ja = "x"
recipient = "r"
when = "always"
from = "aware_at"
months = 1
counting = "end-of-day"
first_day = "excluded"
deadline = "law"
basis_en = "x"
basis_ja = "x"

[[stage]]
id = "month-included"
name_en = "x"
name_ja = "x"
recipient = "r"
when = "always"
from = "aware_at"
months = 1
counting = "end-of-day"
first_day = "included"
deadline = "law"
basis_en = "x"
basis_ja = "x"

[[stage]]
id = "month-same-time"
name_en = "x"
name_ja = "x"
recipient = "r"
when = "always"
from = "aware_at"
months = 1
counting = "same-time"
deadline = "law"
basis_en = "x"
basis_ja = "x"

[[stage]]
id = "days-same-time"
name_en = "x"
name_ja = "x"
recipient = "r"
when = "always"
from = "aware_at"
days = 3
counting = "same-time"
deadline = "hub-default"
basis_en = "x"
basis_ja = "x"

[[stage]]
id = "one-day"
name_en = "x"
name_ja = "x"
recipient = "r"
when = "always"
from = "aware_at"
days = 1
counting = "end-of-day"
first_day = "excluded"
deadline = "guideline"
basis_en = "x"
basis_ja = "x"
"#;

#[test]
fn every_way_of_counting() {
    let profiles = Profiles::builtin().with("counting.toml", COUNTING).unwrap();
    let dues = |aware: &str| -> Vec<(String, String)> {
        let d = assess_json_with(
            &json!({"regime": "counting", "sector": "gas", "aware_at": aware}).to_string(),
            &profiles,
            &seeds(),
        )
        .unwrap();
        let mut v: Vec<(String, String)> = d["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["stage"].as_str().unwrap().to_owned(),
                    s["due"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let want = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = list
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect();
        v.sort();
        v
    };
    // 30 Jan 10:00 JST. Excluded: day 1 = 31 Jan, and February has no
    // 31st, so the month ends on its last day, 28 Feb (民法第143条第2項
    // ただし書). Included: day 1 = 30 Jan, no 30 Feb either: 28 Feb. Same
    // time: 28 Feb 10:00 (clamped). 3 days: 2 Feb 10:00. One day,
    // excluded: 31 Jan.
    assert_eq!(
        dues("2026-01-30T10:00:00+09:00"),
        want(&[
            ("month-excluded", "2026-02-28T14:59:59Z"),
            ("month-included", "2026-02-28T14:59:59Z"),
            ("month-same-time", "2026-02-28T01:00:00Z"),
            ("days-same-time", "2026-02-02T01:00:00Z"),
            ("one-day", "2026-01-31T14:59:59Z"),
        ])
    );
    // 28 Feb 10:00 JST. Excluded: day 1 = 1 Mar, the corresponding day is
    // 1 Apr, so the month ends the day before, 31 Mar. Included: day 1 =
    // 28 Feb, ends 27 Mar. Same time: 28 Mar 10:00. 3 days: 3 Mar 10:00.
    // One day: 1 Mar.
    assert_eq!(
        dues("2026-02-28T10:00:00+09:00"),
        want(&[
            ("month-excluded", "2026-03-31T14:59:59Z"),
            ("month-included", "2026-03-27T14:59:59Z"),
            ("month-same-time", "2026-03-28T01:00:00Z"),
            ("days-same-time", "2026-03-03T01:00:00Z"),
            ("one-day", "2026-03-01T14:59:59Z"),
        ])
    );
    // 15 Mar 00:00 JST (14 Mar 15:00Z): the day counts either way. A month
    // from 15 Mar ends on 14 Apr; one day is 15 Mar itself.
    assert_eq!(
        dues("2026-03-15T00:00:00+09:00"),
        want(&[
            ("month-excluded", "2026-04-14T14:59:59Z"),
            ("month-included", "2026-04-14T14:59:59Z"),
            ("month-same-time", "2026-04-14T15:00:00Z"),
            ("days-same-time", "2026-03-17T15:00:00Z"),
            ("one-day", "2026-03-15T14:59:59Z"),
        ])
    );
}

#[test]
fn each_stage_says_what_fixes_its_deadline_and_how_it_is_counted() {
    let d = decide(&json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-03-27T23:30:00+09:00", "outage_minutes": 90, "severity": 3})).unwrap();
    let get = |id: &str| {
        d["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == id)
            .unwrap_or_else(|| panic!("{id}: {d:#}"))
            .clone()
    };
    for (id, kind) in [
        ("hotline", "hub-default"),
        ("initial", "hub-default"),
        ("final", "hub-default"),
        ("electricity-prompt", "law"),
        ("electricity-detailed", "law"),
    ] {
        let s = get(id);
        assert_eq!(s["deadline_kind"], kind, "{s}");
        assert_eq!(s["counted_from"], "aware_at", "{s}");
        assert!(
            s["period_en"].as_str().is_some_and(|p| !p.is_empty()),
            "{s}"
        );
        assert!(
            s["period_ja"].as_str().is_some_and(|p| !p.is_empty()),
            "{s}"
        );
    }
    // The detailed report counts the day of awareness (27 Mar) as day 1:
    // day 30 is 25 Apr, at 23:59:59 Tokyo time.
    let detailed = get("electricity-detailed");
    assert_eq!(detailed["due_local"], "2026-04-25T23:59:59+09:00");
    assert!(
        detailed["period_ja"]
            .as_str()
            .unwrap()
            .contains("初日を算入"),
        "{detailed}"
    );
    assert!(
        get("final")["period_ja"]
            .as_str()
            .unwrap()
            .contains("初日不算入"),
        "{d}"
    );
    assert_eq!(get("initial")["due_local"], "2026-03-28T23:30:00+09:00");
    // NIS2's final report counts from the notification's deadline, shown in
    // the offset in force then (summer time from 29 March).
    let d = decide(&json!({"regime": "nis2", "sector": "gas", "aware_at": "2026-03-27T10:00:00+01:00", "significant": true})).unwrap();
    let last = &d["stages"][2];
    assert_eq!(last["stage"], "final");
    assert_eq!(last["counted_from"], "due of notification");
    assert_eq!(last["deadline_kind"], "law");
    assert_eq!(last["due_local"], "2026-04-30T11:00:00+02:00");
    assert_eq!(d["stages"][1]["due_local"], "2026-03-30T11:00:00+02:00");
    // Every shipped stage says it, in words too.
    for p in ["jp-ci", "nis2", "circia"] {
        let profile = Profiles::shipped().get(p).unwrap();
        for s in &profile.stages {
            let (en, ja) = s.period();
            assert!(!en.is_empty() && !ja.is_empty(), "{p} {}", s.id);
        }
    }
}

#[test]
fn statutory_criteria_are_named_among_the_rules_that_fired() {
    let fired = |facts: Value| -> Vec<String> {
        decide(&facts).unwrap()["fired_rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let telecom = fired(
        json!({"regime": "jp-ci", "sector": "information-communication", "occurred_at": "2026-07-19T23:00:00+09:00", "aware_at": "2026-07-20T08:20:00+09:00", "outage_minutes": 150, "customers_affected": 50_000}),
    );
    assert!(
        telecom.iter().any(|r| r == "jp-telecom-serious"),
        "{telecom:?}"
    );
    assert!(
        !telecom.iter().any(|r| r == "jp-statutory-accident"),
        "{telecom:?}"
    );
    // Named once, though two stages rest on it.
    assert_eq!(
        telecom
            .iter()
            .filter(|r| *r == "jp-telecom-serious")
            .count(),
        1
    );
    let ppc = fired(
        json!({"regime": "jp-ci", "sector": "credit", "aware_at": "2026-06-10T15:00:00+09:00", "records_leaked": 2000, "malicious": true, "financial_damage_risk": true}),
    );
    for id in ["jp-ppc-financial", "jp-ppc-wrongful", "jp-ppc-volume"] {
        assert!(ppc.iter().any(|r| r == id), "{id}: {ppc:?}");
    }
    assert!(!ppc.iter().any(|r| r == "jp-ppc-sensitive"), "{ppc:?}");
    // What the telecom accident's 30 days count from.
    let counted = |facts: Value| {
        decide(&facts).unwrap()["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == "telecom-detailed")
            .unwrap()["counted_from"]
            .clone()
    };
    assert_eq!(
        counted(
            json!({"regime": "jp-ci", "sector": "information-communication", "occurred_at": "2026-07-19T23:00:00+09:00", "aware_at": "2026-07-20T08:20:00+09:00", "statutory_accident": true})
        ),
        "occurred_at"
    );
    assert_eq!(
        counted(
            json!({"regime": "jp-ci", "sector": "information-communication", "aware_at": "2026-07-20T08:20:00+09:00", "statutory_accident": true})
        ),
        "aware_at (occurred_at not given)"
    );
}

#[test]
fn nis2() {
    let cases = [
        Case {
            name: "N1 significant two days before summer time: the final report a month after the notification, on CEST",
            facts: json!({"regime": "nis2", "sector": "electricity", "aware_at": "2026-03-27T10:00:00+01:00", "significant": true}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-03-28T09:00:00Z"),
                ("notification", "2026-03-30T09:00:00Z"),
                ("final", "2026-04-30T09:00:00Z"),
            ],
        },
        Case {
            name: "N2 an hour's outage just before winter time returns",
            facts: json!({"regime": "nis2", "sector": "finance", "aware_at": "2026-10-23T12:00:00+02:00", "outage_minutes": 60}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-10-24T10:00:00Z"),
                ("notification", "2026-10-26T10:00:00Z"),
                ("final", "2026-11-26T10:00:00Z"),
            ],
        },
        Case {
            name: "N3 just under both thresholds: not significant, not reportable",
            facts: json!({"regime": "nis2", "sector": "finance", "aware_at": "2026-10-23T12:00:00+02:00", "outage_minutes": 59, "customers_affected": 99_999}),
            reportable: false,
            recipients: &[],
            stages: &[],
        },
        Case {
            name: "N4 100,000 customers affected, late at night at the end of January",
            facts: json!({"regime": "nis2", "sector": "credit", "aware_at": "2026-01-31T23:30:00+01:00", "customers_affected": 100_000}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-02-01T22:30:00Z"),
                ("notification", "2026-02-03T22:30:00Z"),
                ("final", "2026-03-03T22:30:00Z"),
            ],
        },
        Case {
            name: "N5 stated not significant despite a long outage: not reportable",
            facts: json!({"regime": "nis2", "sector": "gas", "aware_at": "2026-05-05T05:00:00+02:00", "outage_minutes": 600, "significant": false}),
            reportable: false,
            recipients: &[],
            stages: &[],
        },
        Case {
            name: "N6 a leak on a Friday evening: the early warning falls on Saturday (no weekend grace)",
            facts: json!({"regime": "nis2", "sector": "medical", "aware_at": "2026-12-18T17:00:00+01:00", "records_leaked": 1}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-12-19T16:00:00Z"),
                ("notification", "2026-12-21T16:00:00Z"),
                ("final", "2027-01-21T16:00:00Z"),
            ],
        },
        Case {
            name: "N7 Helsinki's calendar asked for: the month crosses its summer-time change",
            facts: json!({"regime": "nis2", "sector": "water", "aware_at": "2026-03-01T12:00:00+02:00", "safety_impact": true, "time_zone": "Europe/Helsinki"}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-03-02T10:00:00Z"),
                ("notification", "2026-03-04T10:00:00Z"),
                ("final", "2026-04-04T09:00:00Z"),
            ],
        },
        Case {
            name: "N8 a notification due on 31 January: one month later is 28 February",
            facts: json!({"regime": "nis2", "sector": "railways", "aware_at": "2026-01-28T12:00:00+01:00", "significant": true}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-01-29T11:00:00Z"),
                ("notification", "2026-01-31T11:00:00Z"),
                ("final", "2026-02-28T11:00:00Z"),
            ],
        },
        Case {
            name: "N9 aware in the night the clocks go forward: 24 hours is 24 hours",
            facts: json!({"regime": "nis2", "sector": "aviation", "aware_at": "2026-03-28T02:30:00+01:00", "significant": true}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-03-29T01:30:00Z"),
                ("notification", "2026-03-31T01:30:00Z"),
                ("final", "2026-04-30T01:30:00Z"),
            ],
        },
        Case {
            name: "N10 the time written in Tokyo's offset: Brussels' calendar still counts",
            facts: json!({"regime": "nis2", "sector": "ports", "aware_at": "2026-06-15T09:00:00+09:00", "significant": true}),
            reportable: true,
            recipients: &["csirt"],
            stages: &[
                ("early-warning", "2026-06-16T00:00:00Z"),
                ("notification", "2026-06-18T00:00:00Z"),
                ("final", "2026-07-18T00:00:00Z"),
            ],
        },
        Case {
            name: "N12 the final report's clock time falls in the spring gap (02:30 on 28 March 2027)",
            facts: json!({"regime": "nis2", "sector": "aviation", "aware_at": "2027-02-25T02:30:00+01:00", "significant": true}),
            reportable: true,
            recipients: &["csirt"],
            // 01:30Z + 24 h, + 72 h: 28 Feb 02:30 CET. A month later is
            // 28 Mar 02:30, which Brussels skips that Sunday (02:00 CET ->
            // 03:00 CEST): it moves forward by the hour, 03:30 CEST = 01:30Z.
            stages: &[
                ("early-warning", "2027-02-26T01:30:00Z"),
                ("notification", "2027-02-28T01:30:00Z"),
                ("final", "2027-03-28T01:30:00Z"),
            ],
        },
        Case {
            name: "N13 effects abroad alone do not make an incident significant",
            facts: json!({"regime": "nis2", "sector": "ports", "aware_at": "2026-09-09T09:00:00+02:00", "cross_border": true, "severity": 2}),
            reportable: false,
            recipients: &[],
            stages: &[],
        },
        Case {
            name: "N14 Lisbon's calendar: the month ends on the next UTC day's wall clock",
            facts: json!({"regime": "nis2", "sector": "ports", "aware_at": "2026-03-28T23:30:00Z", "time_zone": "Europe/Lisbon", "safety_impact": true}),
            reportable: true,
            recipients: &["csirt"],
            // + 24 h; + 72 h = 31 Mar 23:30Z = 1 Apr 00:30 WEST (Lisbon on
            // summer time from 29 Mar). A month later: 1 May 00:30 WEST =
            // 30 Apr 23:30Z.
            stages: &[
                ("early-warning", "2026-03-29T23:30:00Z"),
                ("notification", "2026-03-31T23:30:00Z"),
                ("final", "2026-04-30T23:30:00Z"),
            ],
        },
        Case {
            name: "N11 the notification sent early: the final report counts from its submission",
            facts: json!({"regime": "nis2", "sector": "medical", "aware_at": "2026-06-01T09:00:00+02:00", "significant": true,
                "submitted": {"notification": "2026-06-02T15:30:00+02:00"}}),
            reportable: true,
            recipients: &["csirt"],
            // 07:00Z + 24 h, + 72 h (still shown). Final: a month after
            // 2 Jun 15:30 CEST is 2 Jul 15:30 CEST = 13:30Z, not 4 Jul.
            stages: &[
                ("early-warning", "2026-06-02T07:00:00Z"),
                ("notification", "2026-06-04T07:00:00Z"),
                ("final", "2026-07-02T13:30:00Z"),
            ],
        },
    ];
    for c in &cases {
        check(c);
    }
    let n11 = cases.iter().find(|c| c.name.starts_with("N11")).unwrap();
    let sent = decide(&n11.facts).unwrap();
    assert_eq!(
        sent["stages"][2]["counted_from"], "submitted.notification",
        "{sent}"
    );
    // The intermediate report is on request: listed, never given a deadline.
    let d = decide(&cases[0].facts).unwrap();
    assert_eq!(d["on_request"][0]["stage"], "intermediate");
    assert!(d["on_request"][0].get("due").is_none());
    assert!(
        decide(&cases[2].facts).unwrap()["on_request"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn circia() {
    let cases = [
        Case {
            name: "C1 a substantial attack the evening before US summer time: 72 hours",
            facts: json!({"regime": "circia", "sector": "electricity", "aware_at": "2026-03-06T20:00:00-05:00", "malicious": true, "significant": true}),
            reportable: true,
            recipients: &["cisa"],
            stages: &[("covered-incident", "2026-03-10T01:00:00Z")],
        },
        Case {
            name: "C2 a ransom paid, the incident itself not substantial: 24 hours from the payment",
            facts: json!({"regime": "circia", "sector": "medical", "aware_at": "2026-04-01T08:00:00-04:00", "malicious": true, "ransom_paid_at": "2026-04-01T23:00:00-04:00"}),
            reportable: true,
            recipients: &["cisa"],
            stages: &[("ransom-payment", "2026-04-03T03:00:00Z")],
        },
        Case {
            name: "C3 both: the ransom report falls due first",
            facts: json!({"regime": "circia", "sector": "water", "aware_at": "2026-05-01T09:00:00-04:00", "malicious": true, "outage_minutes": 120, "ransom_paid_at": "2026-05-02T09:00:00-04:00"}),
            reportable: true,
            recipients: &["cisa"],
            stages: &[
                ("ransom-payment", "2026-05-03T13:00:00Z"),
                ("covered-incident", "2026-05-04T13:00:00Z"),
            ],
        },
        Case {
            name: "C4 a long outage without an attacker: not a cyber incident to report",
            facts: json!({"regime": "circia", "sector": "gas", "aware_at": "2026-05-01T09:00:00-04:00", "outage_minutes": 600}),
            reportable: false,
            recipients: &[],
            stages: &[],
        },
        Case {
            name: "C5 an attack that was not substantial: not reportable",
            facts: json!({"regime": "circia", "sector": "gas", "aware_at": "2026-05-01T09:00:00-04:00", "malicious": true}),
            reportable: false,
            recipients: &[],
            stages: &[],
        },
        Case {
            name: "C6 aware just before US winter time: 72 hours across the change",
            facts: json!({"regime": "circia", "sector": "finance", "aware_at": "2026-10-30T22:00:00-04:00", "malicious": true, "significant": true}),
            reportable: true,
            recipients: &["cisa"],
            stages: &[("covered-incident", "2026-11-03T02:00:00Z")],
        },
        Case {
            name: "C7 personal data stolen: substantial",
            facts: json!({"regime": "circia", "sector": "credit", "aware_at": "2026-07-04T00:00:00Z", "malicious": true, "records_leaked": 10}),
            reportable: true,
            recipients: &["cisa"],
            stages: &[("covered-incident", "2026-07-07T00:00:00Z")],
        },
        Case {
            name: "C8 safety at risk from an attack on a plant",
            facts: json!({"regime": "circia", "sector": "chemical", "aware_at": "2026-12-31T23:00:00-05:00", "malicious": true, "safety_impact": true}),
            reportable: true,
            recipients: &["cisa"],
            stages: &[("covered-incident", "2027-01-04T04:00:00Z")],
        },
        Case {
            name: "C10 a ransom paid in the repeated hour of the November change, the incident stated not substantial",
            facts: json!({"regime": "circia", "sector": "water", "aware_at": "2026-11-01T00:30:00-04:00", "category": "ransomware", "significant": false, "ransom_paid_at": "2026-11-01T01:30:00-05:00"}),
            reportable: true,
            recipients: &["cisa"],
            // The second 01:30 that night (EST) is 06:30Z; + 24 h.
            stages: &[("ransom-payment", "2026-11-02T06:30:00Z")],
        },
        Case {
            name: "C11 a ransom paid the moment the attack was known",
            facts: json!({"regime": "circia", "sector": "petroleum", "aware_at": "2026-06-01T10:00:00-04:00", "category": "ransomware", "outage_minutes": 90, "ransom_paid_at": "2026-06-01T10:00:00-04:00"}),
            reportable: true,
            recipients: &["cisa"],
            // 14:00Z + 24 h; + 72 h.
            stages: &[
                ("ransom-payment", "2026-06-02T14:00:00Z"),
                ("covered-incident", "2026-06-04T14:00:00Z"),
            ],
        },
        Case {
            name: "C12 counted in Los Angeles the night the clocks go forward: hours are still hours",
            facts: json!({"regime": "circia", "sector": "medical", "aware_at": "2026-03-07T23:00:00-08:00", "time_zone": "America/Los_Angeles", "malicious": true, "significant": true}),
            reportable: true,
            recipients: &["cisa"],
            // 8 Mar 07:00Z + 72 h.
            stages: &[("covered-incident", "2026-03-11T07:00:00Z")],
        },
        Case {
            name: "C9 ransomware, malice not stated: an attack by its category",
            facts: json!({"regime": "circia", "sector": "water", "aware_at": "2026-05-01T09:00:00-04:00", "category": "ransomware", "outage_minutes": 120}),
            reportable: true,
            recipients: &["cisa"],
            // 13:00Z + 72 h.
            stages: &[("covered-incident", "2026-05-04T13:00:00Z")],
        },
    ];
    for c in &cases {
        check(c);
    }
    let d = decide(&cases[0].facts).unwrap();
    assert_eq!(d["on_request"][0]["stage"], "supplemental");
}

#[test]
fn bad_facts_name_the_field() {
    let ok = json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "2026-03-27T10:00:00+09:00"});
    let with = |k: &str, v: Value| {
        let mut f = ok.clone();
        f[k] = v;
        f
    };
    let without = |k: &str| {
        let mut f = ok.clone();
        f.as_object_mut().unwrap().remove(k);
        f
    };
    let cases = [
        ("E1 aware_at missing", without("aware_at"), "aware_at"),
        (
            "E2 aware_at not a time",
            with("aware_at", json!("yesterday")),
            "aware_at",
        ),
        (
            "E3 aware_at without its offset",
            with("aware_at", json!("2026-03-27T10:00:00")),
            "aware_at",
        ),
        (
            "E4 an unknown regime",
            with("regime", json!("gdpr")),
            "regime",
        ),
        (
            "E5 an unknown sector",
            with("sector", json!("steel")),
            "sector",
        ),
        ("E6 an unknown fact", with("colour", json!("red")), "colour"),
        (
            "E7 a negative count",
            with("outage_minutes", json!(-5)),
            "outage_minutes",
        ),
        (
            "E8 a severity off the scale",
            with("severity", json!(7)),
            "severity",
        ),
        (
            "E9 an unknown category",
            with("category", json!("earthquake")),
            "category",
        ),
        (
            "E10 an unknown time zone",
            with("time_zone", json!("Mars/Olympus")),
            "time_zone",
        ),
        (
            "E11 a ransom paid days before anyone knew",
            with("ransom_paid_at", json!("2026-03-20T10:00:00+09:00")),
            "ransom_paid_at",
        ),
        (
            "E12 a ransom time that is not a time",
            with("ransom_paid_at", json!("soon")),
            "ransom_paid_at",
        ),
        (
            "E13 a flag that is not true or false",
            with("malicious", json!("yes")),
            "malicious",
        ),
        ("E14 sector missing", without("sector"), "sector"),
        ("E15 regime missing", without("regime"), "regime"),
        (
            "E16 occurred after anyone could know of it",
            with("occurred_at", json!("2026-03-27T11:00:00+09:00")),
            "occurred_at",
        ),
        (
            "E17 occurred_at that is not a time",
            with("occurred_at", json!("last week")),
            "occurred_at",
        ),
        (
            "E18 a flag of the personal data that is not true or false",
            with("sensitive_data", json!(1)),
            "sensitive_data",
        ),
        (
            "E19 a submission of a stage the regime does not have",
            with("submitted", json!({"finale": "2026-03-28T10:00:00+09:00"})),
            "submitted.finale",
        ),
        (
            "E20 a submission before anyone knew",
            with("submitted", json!({"initial": "2026-03-26T10:00:00+09:00"})),
            "submitted.initial",
        ),
        (
            "E21 a submission time that is not text",
            with("submitted", json!({"initial": true})),
            "submitted.initial",
        ),
        (
            "E22 submissions that are not an object",
            with("submitted", json!(["initial"])),
            "submitted",
        ),
    ];
    for (name, facts, field) in cases {
        let e = decide(&facts).expect_err(name);
        assert_eq!(e.field, field, "{name}: {e}");
        assert!(e.to_string().starts_with(field), "{name}: {e}");
    }
    for text in ["[]", "not json", "42"] {
        assert_eq!(assess_json(text).unwrap_err().field, "facts", "{text}");
    }
}

#[test]
fn bad_facts_say_what_to_write() {
    let aware = "2026-05-01T10:00:00+09:00";
    let jp = |extra: Value| {
        let mut f = json!({"regime": "jp-ci", "sector": "electricity", "aware_at": aware});
        for (k, v) in extra.as_object().unwrap() {
            f[k] = v.clone();
        }
        f
    };
    // (name, facts, field, words the message must hold)
    let cases: Vec<(&str, Value, &str, Vec<&str>)> = vec![
        (
            "B1 no aware_at",
            json!({"regime": "jp-ci", "sector": "electricity"}),
            "aware_at",
            vec!["is required", "offset", "2026-03-27T10:00:00+09:00"],
        ),
        (
            "B2 a null regime is a missing one",
            json!({"regime": null, "sector": "electricity", "aware_at": aware}),
            "regime",
            vec!["is required", "jp-ci, nis2 or circia"],
        ),
        (
            "B3 no sector",
            json!({"regime": "jp-ci", "aware_at": aware}),
            "sector",
            vec!["is required", "electricity"],
        ),
        (
            "B4 a space for the T and no offset",
            jp(json!({"aware_at": "2026-05-01 10:00"})),
            "aware_at",
            vec!["'2026-05-01 10:00'", "offset", "2026-03-27T10:00:00+09:00"],
        ),
        (
            "B5 a day February does not have",
            jp(json!({"aware_at": "2026-02-30T10:00:00+09:00"})),
            "aware_at",
            vec!["2026-02-30", "RFC 3339"],
        ),
        (
            "B6 a date without a time",
            jp(json!({"aware_at": "2026-05-01"})),
            "aware_at",
            vec!["'2026-05-01'", "offset"],
        ),
        (
            "B7 seconds since the epoch",
            jp(json!({"aware_at": 1_777_597_200})),
            "aware_at",
            vec!["1777597200", "with its offset"],
        ),
        (
            "B8 a misspelt fact",
            jp(json!({"outage_minute": 5})),
            "outage_minute",
            vec!["did you mean outage_minutes?"],
        ),
        (
            "B9 a fact the hub does not know",
            jp(json!({"victims": 5})),
            "victims",
            vec!["the facts are", "customers_affected", "records_leaked"],
        ),
        (
            "B10 a fraction of a minute",
            jp(json!({"outage_minutes": 1.5})),
            "outage_minutes",
            vec!["whole number", "1.5"],
        ),
        (
            "B11 a severity in words",
            jp(json!({"severity": "high"})),
            "severity",
            vec!["whole number", "\"high\""],
        ),
        (
            "B12 a category the hub does not have",
            jp(json!({"category": "phishing"})),
            "category",
            vec!["'phishing'", "unauthorized-access", "near-miss"],
        ),
        (
            "B13 ransomware said not to be an attack",
            jp(json!({"category": "ransomware", "malicious": false})),
            "malicious",
            vec!["ransomware", "attack"],
        ),
        (
            "B14 an outage without malice said to be an attack",
            jp(json!({"category": "non-malicious-outage", "malicious": true})),
            "malicious",
            vec!["non-malicious-outage"],
        ),
        (
            "B15 a ransom paid for an outage without malice",
            json!({"regime": "circia", "sector": "water", "aware_at": "2026-05-01T10:00:00-04:00", "category": "non-malicious-outage", "ransom_paid_at": "2026-05-02T10:00:00-04:00"}),
            "ransom_paid_at",
            vec!["not an attack"],
        ),
        (
            "B16 a misspelt time zone",
            json!({"regime": "nis2", "sector": "water", "aware_at": "2026-05-01T10:00:00+02:00", "time_zone": "Europe/Brusels"}),
            "time_zone",
            vec!["'Europe/Brusels'", "IANA", "Europe/Brussels"],
        ),
        (
            "B17 past the end of the calendar",
            jp(json!({"aware_at": "9999-12-31T23:00:00-05:00"})),
            "aware_at",
            vec!["9999-12-31T23:00:00-05:00"],
        ),
        (
            "B18 a deadline past the end of the calendar names the time it counts from",
            json!({"regime": "nis2", "sector": "water", "aware_at": "9999-12-30T00:00:00Z", "significant": true}),
            "aware_at",
            vec!["stage early-warning", "9999-12-31"],
        ),
        (
            "B19 the same for a ransom payment",
            json!({"regime": "circia", "sector": "water", "aware_at": "9999-12-29T00:00:00Z", "malicious": true, "ransom_paid_at": "9999-12-30T12:00:00Z"}),
            "ransom_paid_at",
            vec!["ransom-payment", "9999-12-31"],
        ),
    ];
    let mut failures = Vec::new();
    for (name, facts, field, words) in cases {
        match decide(&facts) {
            Ok(d) => failures.push(format!("{name}: accepted: {d}")),
            Err(e) => {
                let text = e.to_string();
                let missing: Vec<&str> = words
                    .iter()
                    .copied()
                    .filter(|w| !text.contains(w))
                    .collect();
                if e.field != field
                    || !missing.is_empty()
                    || !text.starts_with(&format!("{field}: "))
                {
                    failures.push(format!(
                        "{name}: {text}\n    expected field {field}, with {missing:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn edit_distance_counts_single_character_edits() {
    assert_eq!(edit_distance("sector", "sector"), 0);
    assert_eq!(edit_distance("outage_minutes", "outage_minute"), 1);
    assert_eq!(edit_distance("sector", "sectro"), 2);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("abc", ""), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}

#[test]
fn every_fact_is_listed_once() {
    let all = Facts {
        regime: "x".into(),
        sector: "x".into(),
        aware_at: "x".into(),
        time_zone: Some("x".into()),
        occurred_at: Some("x".into()),
        significant: Some(true),
        malicious: true,
        ransom_paid_at: Some("x".into()),
        affected_service: Some("x".into()),
        outage_minutes: Some(1),
        customers_affected: Some(1),
        records_leaked: Some(1),
        sensitive_data: true,
        financial_damage_risk: true,
        statutory_accident: true,
        safety_impact: true,
        cross_border: true,
        category: Some("x".into()),
        severity: Some(1),
        submitted: [("x".to_owned(), "x".to_owned())].into(),
    };
    let keys: BTreeSet<String> = serde_json::to_value(&all)
        .unwrap()
        .as_object()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let listed: BTreeSet<String> = FACT_FIELDS.iter().map(|f| (*f).to_owned()).collect();
    assert_eq!(keys, listed);
    assert_eq!(listed.len(), FACT_FIELDS.len(), "a fact listed twice");
    for f in RULE_FACTS {
        assert!(FACT_FIELDS.contains(&f), "{f}");
    }
}

#[test]
fn the_shipped_profiles_load_and_name_every_ministry() {
    let shipped = Profiles::shipped();
    assert_eq!(shipped.ids(), ["jp-ci", "nis2", "circia"]);
    for (file, text) in BUILTIN {
        Profile::parse(file, text).unwrap_or_else(|e| panic!("{e}"));
    }
    // Every sector's competent ministry is named in both languages.
    let seeds = seeds();
    for s in &seeds.sectors {
        let d = decide(&json!({"regime": "jp-ci", "sector": s.id, "aware_at": "2026-03-27T10:00:00+09:00", "malicious": true})).unwrap();
        let r = &d["recipients"][0];
        assert_eq!(r["id"], format!("ministry:{}", s.ministry));
        assert!(
            r["name_ja"].as_str().is_some_and(|n| n != s.ministry),
            "{r}"
        );
    }
}

#[test]
fn the_national_severity_scale_is_data() {
    let jp = Profiles::shipped().get("jp-ci").unwrap();
    assert_eq!(jp.severity_levels, Some(5));
    let names: Vec<(&str, &str)> = jp
        .severity_scale
        .iter()
        .map(|l| (l.name_en.as_str(), l.name_ja.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("None", "なし"),
            ("Low", "低"),
            ("Medium", "中"),
            ("High", "高"),
            ("Crisis", "危機")
        ]
    );
    assert!(
        jp.severity_source
            .as_deref()
            .is_some_and(|s| s.contains("2018"))
    );
    for l in &jp.severity_scale {
        assert!(!l.text_en.is_empty() && !l.text_ja.is_empty(), "{l:?}");
    }
    // A level off the scale is refused, naming both ends of the scale.
    let e = decide(&json!({"regime": "jp-ci", "sector": "gas", "aware_at": "2026-03-27T10:00:00+09:00", "severity": 5})).unwrap_err();
    assert_eq!(e.field, "severity");
    assert!(
        e.message.contains("0 (None, なし)") && e.message.contains("4 (Crisis, 危機)"),
        "{e}"
    );
    // A broken scale is refused with its line.
    let base = BUILTIN[0].1;
    for (from, to, says) in [
        ("level = 2\n", "level = 7\n", "level 7 is out of place"),
        (
            "severity_levels = 5",
            "severity_levels = 4",
            "make them agree",
        ),
    ] {
        let text = base.replacen(from, to, 1);
        let e = Profile::parse("jp-ci.toml", &text).unwrap_err();
        assert!(e.message.contains(says), "{says}: {e}");
        let want = text
            .lines()
            .position(|l| l.starts_with(to.trim_end()))
            .unwrap()
            + 1;
        assert_eq!(e.line, Some(want), "{e}");
    }
    // A hub's regime may still give the number of levels alone.
    let three = BUILTIN[1]
        .1
        .replace("id = \"nis2\"", "id = \"nis2-3\"\nseverity_levels = 3");
    let more = Profiles::builtin().with("nis2-3.toml", &three).unwrap();
    let e = assess_json_with(
        &json!({"regime": "nis2-3", "sector": "gas", "aware_at": "2026-06-01T00:00:00Z", "severity": 3}).to_string(),
        &more,
        &seeds(),
    )
    .unwrap_err();
    assert!(e.message.contains("give 0 to 2"), "{e}");
}

#[test]
fn a_broken_profile_is_refused_with_its_line() {
    let base = BUILTIN[1].1;
    // A syntax error: the line it is on.
    let broken = base.replace("hours = 24\n", "hours = = 24\n");
    let e = Profile::parse("nis2.toml", &broken).unwrap_err();
    let want = broken.lines().position(|l| l.contains("= = 24")).unwrap() + 1;
    assert_eq!(e.line, Some(want), "{e}");
    assert!(
        e.to_string().starts_with(&format!("nis2.toml line {want}")),
        "{e}"
    );
    // Content errors name the field and, where they can, the line.
    for (from, to, says) in [
        (
            "when = \"significant\"\nfrom = \"aware_at\"\nhours = 24",
            "when = \"sometimes\"\nfrom = \"aware_at\"\nhours = 24",
            "when 'sometimes'",
        ),
        (
            "fact = \"outage_minutes\"",
            "fact = \"weather\"",
            "fact 'weather'",
        ),
        (
            "from = \"notification\"",
            "from = \"nowhere\"",
            "from 'nowhere'",
        ),
        (
            "hours = 72",
            "hours = 0",
            "exactly one of hours, days, months",
        ),
        (
            "recipient = \"csirt\"\nwhen = \"significant\"\nfrom = \"aware_at\"\nhours = 24",
            "recipient = \"police\"\nwhen = \"significant\"\nfrom = \"aware_at\"\nhours = 24",
            "recipient 'police'",
        ),
        (
            "time_zone = \"Europe/Brussels\"",
            "time_zone = \"Europe/Atlantis\"",
            "time_zone",
        ),
        (
            "hours = 72\ncounting = \"elapsed\"",
            "hours = 72\ncounting = \"end-of-day\"",
            "counting 'end-of-day' is not for hours",
        ),
        (
            "months = 1\ncounting = \"same-time\"",
            "months = 1\ncounting = \"elapsed\"",
            "counting 'elapsed' is only for hours",
        ),
        (
            "months = 1\ncounting = \"same-time\"",
            "months = 1\ncounting = \"end-of-day\"",
            "needs first_day",
        ),
        (
            "months = 1\ncounting = \"same-time\"",
            "months = 1\ncounting = \"same-time\"\nfirst_day = \"included\"",
            "first_day is only for counting = \"end-of-day\"",
        ),
        (
            "hours = 72\ncounting = \"elapsed\"",
            "hours = 72\ncounting = \"elapsed\"\nfirst_day = \"excluded\"",
            "first_day is only for",
        ),
        (
            "hours = 72\ncounting = \"elapsed\"",
            "hours = 72\ncounting = \"wall-clock\"",
            "wall-clock",
        ),
        (
            "hours = 72\ncounting = \"elapsed\"\ndeadline = \"law\"",
            "hours = 72\ncounting = \"elapsed\"\ndeadline = \"statute\"",
            "statute",
        ),
        (
            "hours = 72\ncounting = \"elapsed\"\ndeadline = \"law\"",
            "hours = 72\ncounting = \"elapsed\"",
            "deadline",
        ),
        (
            "from = \"notification\"",
            "from = \"notification\"\ncriteria = [\"nowhere\"]",
            "criteria names 'nowhere'",
        ),
        (
            "fact = \"safety_impact\"",
            "fact = \"safety_impact\"\nat_least = 2",
            "is true or false",
        ),
        ("at_least = 100000", "one_of = [\"many\"]", "is a number"),
        (
            "[[stage]]\nid = \"early-warning\"",
            "[[criterion]]\nid = \"c\"\nall = [{ fact = \"category\", at_least = 1 }]\nen = \"x\"\nja = \"x\"\n\n[[stage]]\nid = \"early-warning\"",
            "is a word",
        ),
        (
            "[[stage]]\nid = \"early-warning\"",
            "[[criterion]]\nid = \"c\"\nall = []\nen = \"x\"\nja = \"x\"\n\n[[stage]]\nid = \"early-warning\"",
            "all is empty",
        ),
        (
            "basis_ja = \"NIS2 第23条4項(a): 認知から24時間以内\"",
            "basis_ja = \"x\"\nsurprise = 1",
            "surprise",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let text = base.replacen(from, to, 1);
        let e = Profile::parse("nis2.toml", &text).unwrap_err();
        assert!(e.to_string().contains(says), "{says}: {e}");
        assert!(e.line.is_some(), "{says}: no line in {e}");
    }
    // A new regime is a new file.
    let extra = base
        .replace("id = \"nis2\"", "id = \"nis2-strict\"")
        .replace("hours = 24", "hours = 12");
    let more = Profiles::builtin()
        .with("nis2-strict.toml", &extra)
        .unwrap();
    let d = assess_json_with(
        &json!({"regime": "nis2-strict", "sector": "gas", "aware_at": "2026-06-01T00:00:00Z", "significant": true}).to_string(),
        &more,
        &seeds(),
    )
    .unwrap();
    assert_eq!(d["stages"][0]["due"], "2026-06-01T12:00:00Z");
}

proptest! {
    /// A period of days ending at 23:59:59 local time is never earlier than
    /// the same number of days at the same clock time, less one second (a
    /// period that starts at 00:00), and never a whole day later; the
    /// deadline is at 23:59:59 local time, on the calendar of the time zone.
    #[test]
    fn days_end_at_the_end_of_the_last_day(
        seconds in 1_700_000_000i64..1_900_000_000,
        zone in prop::sample::select(vec!["Asia/Tokyo", "Europe/Brussels", "America/New_York", "UTC", "Pacific/Auckland"]),
        midnight in any::<bool>(),
    ) {
        let tz = TimeZone::get(zone).unwrap();
        let mut aware = Timestamp::from_second(seconds).unwrap().to_zoned(tz.clone());
        if midnight {
            aware = aware.start_of_day().unwrap();
        }
        let facts = json!({"regime": "jp-ci", "sector": "gas", "malicious": true, "time_zone": zone,
            "aware_at": aware.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()});
        let d = decide(&facts).unwrap();
        let fin = d["stages"].as_array().unwrap().iter().find(|s| s["stage"] == "final").unwrap();
        let due: Timestamp = fin["due"].as_str().unwrap().parse().unwrap();
        let same_time = aware.checked_add(30.days()).unwrap().timestamp();
        prop_assert!(due >= same_time.checked_sub(1.second()).unwrap(), "{due} {same_time}");
        // 25 hours: a day the clocks go back is 25 hours long.
        prop_assert!(due < same_time.checked_add(25.hours()).unwrap(), "{due} {same_time}");
        let local = due.to_zoned(tz);
        prop_assert_eq!(local.time(), jiff::civil::time(23, 59, 59, 0));
        let first = if aware.time() == jiff::civil::Time::midnight() { aware.date() } else { aware.date().tomorrow().unwrap() };
        prop_assert_eq!(local.date(), first.checked_add(29.days()).unwrap());
    }

    /// Whatever the facts, every deadline is after the moment it counts
    /// from, the stages come in deadline order, and the answer is stable.
    #[test]
    fn deadlines_follow_awareness(
        regime in prop::sample::select(vec!["jp-ci", "nis2", "circia"]),
        sector in prop::sample::select(vec!["electricity", "finance", "medical", "information-communication", "water"]),
        seconds in 1_700_000_000i64..1_900_000_000,
        offset_hours in -11i64..=13,
        malicious in any::<bool>(),
        significant in prop::option::of(any::<bool>()),
        outage in prop::option::of(0u64..2_000),
        leaked in prop::option::of(0u64..10),
        ransom_after in prop::option::of(0i64..100_000),
        flags in any::<(bool, bool, bool)>(),
        customers in prop::option::of(0u64..100_000),
    ) {
        let at = |s: i64| {
            let ts = Timestamp::from_second(s).unwrap();
            let tz = TimeZone::fixed(jiff::tz::Offset::from_hours(offset_hours as i8).unwrap());
            ts.to_zoned(tz).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string()
        };
        let mut facts = json!({"regime": regime, "sector": sector, "aware_at": at(seconds), "malicious": malicious});
        if let Some(s) = significant { facts["significant"] = json!(s); }
        if let Some(o) = outage { facts["outage_minutes"] = json!(o); }
        if let Some(l) = leaked { facts["records_leaked"] = json!(l); }
        if let Some(r) = ransom_after { facts["ransom_paid_at"] = json!(at(seconds + r)); }
        if let Some(c) = customers { facts["customers_affected"] = json!(c); }
        facts["sensitive_data"] = json!(flags.0);
        facts["financial_damage_risk"] = json!(flags.1);
        facts["statutory_accident"] = json!(flags.2);
        let d = decide(&facts).unwrap();
        let aware = Timestamp::from_second(seconds).unwrap();
        let dues: Vec<Timestamp> = d["stages"].as_array().unwrap().iter()
            .map(|s| s["due"].as_str().unwrap().parse().unwrap()).collect();
        for due in &dues {
            prop_assert!(*due > aware);
        }
        prop_assert!(dues.windows(2).all(|w| w[0] <= w[1]));
        prop_assert_eq!(d["reportable"].as_bool().unwrap(), !dues.is_empty());
        prop_assert_eq!(decide(&facts).unwrap(), d);
    }
}
