//! The generated variants corpus (issue 11): random organizations with
//! random registered data; each identifier rendered in the ways people and
//! tools write it and placed in a string field (or a dictionary key, or a
//! number) of an object of every type. After concealment, folding the
//! released text finds none of them, and the attacker data placed in the
//! same field of a twin object arrives unchanged.
//!
//! Seeded (`KYOYU_VARIANTS_SEED`, `KYOYU_VARIANTS_CASES` to vary it); the
//! recall and over-redaction figures are printed and recorded in
//! docs/concealment.md.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kyoyu_conceal::fold::{Folded, Squashed, squash};
use kyoyu_conceal::scrub::Profile;
use kyoyu_conceal::{Stages, conceal};
use serde_json::{Value, json};
use std::net::Ipv4Addr;

const HUB: &str = "identity--00000000-0000-4000-8000-00000000cafe";

/// splitmix64: a small seeded generator, so every run sees the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// Organizations are made of these syllables; attacker data of others, so
// the two never meet by chance.
const SYLLABLES: [&str; 24] = [
    "ka", "ne", "mu", "ra", "to", "shi", "ho", "mi", "sa", "ki", "no", "ya", "ma", "ta", "ri",
    "na", "ko", "su", "ha", "ro", "fu", "yo", "me", "chi",
];
const KANJI: [char; 20] = [
    '東', '西', '北', '星', '峰', '川', '森', '海', '光', '明', '瑞', '穂', '昭', '和', '豊', '栄',
    '照', '桜', '松', '竹',
];
const LEGAL: [&str; 6] = [
    " Co., Ltd.",
    " Corporation",
    " Inc.",
    " K.K.",
    " Holdings",
    "",
];
const INDUSTRY: [&str; 5] = ["Denki", "Gas", "Railway", "Suido", "Tsushin"];

fn word(rng: &mut Rng, syllables: usize) -> String {
    let w: String = (0..syllables).map(|_| *rng.pick(&SYLLABLES)).collect();
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn kanji(rng: &mut Rng, n: usize) -> String {
    (0..n).map(|_| *rng.pick(&KANJI)).collect()
}

/// Katakana syllables as registered (full width) and as old systems and
/// forms write them (half width, the voicing mark a character of its own).
const KANA: [(&str, &str); 16] = [
    ("ガ", "ｶﾞ"),
    ("デ", "ﾃﾞ"),
    ("ン", "ﾝ"),
    ("リ", "ﾘ"),
    ("ョ", "ｮ"),
    ("ク", "ｸ"),
    ("ジ", "ｼﾞ"),
    ("レ", "ﾚ"),
    ("イ", "ｲ"),
    ("ト", "ﾄ"),
    ("ボ", "ﾎﾞ"),
    ("パ", "ﾊﾟ"),
    ("キ", "ｷ"),
    ("サ", "ｻ"),
    ("マ", "ﾏ"),
    ("ゾ", "ｿﾞ"),
];

/// A random organization's registered data.
struct Made {
    org: kyoyu_trust::Org,
    /// Its name in katakana, full and half width.
    kana: (String, String),
    base: String,
    stem_ja: String,
    people: Vec<(String, String, String)>,
    domain: String,
    net: Ipv4Addr,
    asn: u32,
}

fn make_org(rng: &mut Rng, n: usize) -> Made {
    let base = format!("{}{}", word(rng, 3), rng.pick(&["", "a", "o"]));
    let industry = *rng.pick(&INDUSTRY);
    let name = format!("{base} {industry}{}", rng.pick(&LEGAL));
    let stem_ja = format!("{}{}", kanji(rng, 2), kanji(rng, 2));
    let name_ja = if rng.below(2) == 0 {
        format!("{stem_ja}株式会社")
    } else {
        format!("株式会社{stem_ja}")
    };
    let id = format!("{}-{}", base.to_lowercase(), industry.to_lowercase());
    let domain = if rng.below(5) == 0 {
        format!("{stem_ja}.jp")
    } else {
        format!("{id}.co.jp")
    };
    // Public-looking /24s away from the attacker's 203.0.113.0/24 and 185/8.
    let net = Ipv4Addr::new(
        [23, 45, 61, 77, 101, 133, 150, 160][rng.below(8)],
        rng.below(250) as u8,
        rng.below(250) as u8,
        0,
    );
    let asn = 64512 + (n as u32 * 7) % 1000;
    let people: Vec<(String, String, String)> = (0..2)
        .map(|_| (word(rng, 2), word(rng, 3), kanji(rng, 2)))
        .collect();
    let mut staff: Vec<String> = people
        .iter()
        .map(|(given, family, _)| format!("{given} {family}"))
        .collect();
    // Kanji names as registered: family and given name, no space.
    for (_, _, k) in &people {
        staff.push(format!("{k}{}", kanji(rng, 2)));
    }
    let alias = format!("{}{}", base.to_uppercase(), "X");
    let syllables: Vec<(&str, &str)> = (0..4).map(|_| *rng.pick(&KANA)).collect();
    let kana: (String, String) = (
        syllables.iter().map(|k| k.0).collect(),
        syllables.iter().map(|k| k.1).collect(),
    );
    let org = serde_json::from_value(json!({
        "id": id, "kind": "operator", "name": name, "name_ja": name_ja,
        "sectors": ["electricity"], "domains": [domain], "ip_ranges": [format!("{net}/24")],
        "aliases": [alias, kana.0], "asns": [asn], "staff": staff,
    }))
    .unwrap();
    Made {
        org,
        kana,
        base,
        stem_ja,
        people,
        domain,
        net,
        asn,
    }
}

fn fullwidth(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 - 0x21 + 0xFF01).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Every rendering of every identifier of `m`, with a short label.
fn renderings(m: &Made, rng: &mut Rng) -> Vec<(&'static str, String)> {
    let o = &m.org;
    let ascii_domain = idna::domain_to_ascii(&m.domain).unwrap();
    let unicode_domain = idna::domain_to_unicode(&m.domain).0;
    let host = format!("vpn.{ascii_domain}");
    let (given, family, kanji_family) = &m.people[rng.below(2)];
    let ip = Ipv4Addr::from(u32::from(m.net) + 1 + rng.below(250) as u32);
    let [a, b, c, d] = ip.octets();
    let netbios: String = squash(o.id.split('-').next().unwrap_or_default())
        .to_uppercase()
        .chars()
        .take(15)
        .collect();
    let name_no_legal = o.name.split(" Co.,").next().unwrap().to_owned();
    vec![
        ("name as registered", o.name.clone()),
        ("name upper case", o.name.to_uppercase()),
        ("name hyphenated", name_no_legal.replace(' ', "-")),
        ("name joined", name_no_legal.replace(' ', "")),
        (
            "name with underscores",
            name_no_legal.to_lowercase().replace(' ', "_"),
        ),
        ("name without legal form", name_no_legal.clone()),
        ("name full-width", fullwidth(&name_no_legal)),
        (
            "name in a longer token",
            format!("{}Agent", name_no_legal.replace(' ', "")),
        ),
        ("the organization id", o.id.clone()),
        ("alias", o.aliases[0].clone()),
        ("alias joined to a word", format!("AS-{}", o.aliases[0])),
        ("japanese name", o.name_ja.clone().unwrap()),
        ("japanese name (株)", format!("{}(株)", m.stem_ja)),
        ("japanese name ㈱", format!("㈱{}", m.stem_ja)),
        ("japanese stem", m.stem_ja.clone()),
        ("katakana half-width", m.kana.1.clone()),
        ("person given family", format!("{given} {family}")),
        (
            "person FAMILY Given",
            format!("{} {given}", family.to_uppercase()),
        ),
        ("person Family Given", format!("{family} {given}")),
        ("person surname -san", format!("{family}-san")),
        ("person surname sama", format!("{family} sama")),
        ("person surname alone", family.clone()),
        ("person kanji surname さん", format!("{kanji_family}さん")),
        (
            "account initial+surname",
            format!("{}{}", &given[..1].to_lowercase(), family.to_lowercase()),
        ),
        (
            "account given.surname",
            format!("{}.{}", given.to_lowercase(), family.to_lowercase()),
        ),
        (
            "account surname_initial",
            format!("{}_{}", family.to_lowercase(), &given[..1].to_lowercase()),
        ),
        ("domain", ascii_domain.clone()),
        ("domain upper case", host.to_uppercase()),
        ("domain trailing dot", format!("{host}.")),
        ("domain defanged", host.replace('.', "[.]")),
        ("domain full-width", fullwidth(&host)),
        ("domain unicode", format!("www.{unicode_domain}")),
        (
            "url defanged",
            format!("hxxps://{}/login", host.replace('.', "(.)")),
        ),
        ("e-mail", format!("{}@{ascii_domain}", given.to_lowercase())),
        (
            "e-mail under the domain as written",
            format!("{}.{}@{unicode_domain}", &given[..1].to_lowercase(), "soc"),
        ),
        (
            "e-mail percent-encoded",
            format!(
                "https://x.example/?u={}%40{ascii_domain}",
                family.to_lowercase()
            ),
        ),
        (
            "domain in a regex",
            format!("^.*@{}$", ascii_domain.replace('.', "\\.")),
        ),
        (
            "windows logon",
            format!("{netbios}\\{}", given.to_lowercase()),
        ),
        (
            "windows logon percent-encoded",
            format!("{netbios}%5C{}", given.to_lowercase()),
        ),
        ("address", ip.to_string()),
        (
            "address zero-padded",
            format!("{a:03}.{b:03}.{c:03}.{d:03}"),
        ),
        ("address integer", u32::from(ip).to_string()),
        ("address hex", format!("0x{:08X}", u32::from(ip))),
        ("address mapped ipv6", format!("::ffff:{ip}")),
        ("address cidr", format!("{}/24", m.net)),
        ("address in a file name", format!("capture_{ip}.pcap")),
        ("address after letters", format!("src{ip}")),
        (
            "address in a reverse DNS name",
            format!("p{a}-{b}-{c}-{d}.isp.example.ne.jp"),
        ),
        (
            "address in-addr.arpa",
            format!("{d}.{c}.{b}.{a}.in-addr.arpa"),
        ),
        ("address in a longer run", format!("1.3.6.{ip}")),
        ("asn", format!("AS{}", m.asn)),
        ("asn spaced", format!("AS {}", m.asn)),
        ("asn word", format!("ASN {}", m.asn)),
        ("asn in a name", format!("peer_as{}_up", m.asn)),
    ]
}

/// What must not be found in the released text for a rendering: the
/// rendering itself, folded, and the canonical form it stands for.
fn needles(m: &Made, label: &str, rendered: &str) -> (Vec<String>, Vec<String>) {
    let mut folded = vec![Folded::of(rendered).text];
    let mut squashed = Vec::new();
    if label.starts_with("name") || label == "the organization id" {
        squashed.push(squash(&m.base));
    }
    if label.starts_with("japanese") {
        squashed.push(squash(&m.stem_ja));
    }
    if label.starts_with("katakana") {
        squashed.push(squash(&m.kana.0));
    }
    if label.starts_with("e-mail under") {
        // The mailbox goes with the domain.
        let mailbox = rendered.split('@').next().unwrap_or_default();
        folded.push(format!("{mailbox}@"));
    }
    if label.starts_with("person") || label.starts_with("account") {
        for (_, family, _) in &m.people {
            if rendered.to_lowercase().contains(&family.to_lowercase()) {
                squashed.push(squash(family));
            }
        }
    }
    (folded, squashed)
}

/// A string leaf of an object where text can be placed (not ids, types,
/// references, or what concealment drops by rule).
fn leaves(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        // Timestamps hold no text in real data.
        Value::String(s) if kyoyu_stix::Timestamp::parse(s).is_err() => out.push(path.to_owned()),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                leaves(item, &format!("{path}/{i}"), out);
            }
        }
        Value::Object(map) => {
            for (k, child) in map {
                if matches!(
                    k.as_str(),
                    "id" | "type"
                        | "spec_version"
                        | "external_references"
                        | "lang"
                        | "granular_markings"
                ) || k.ends_with("_ref")
                    || k.ends_with("_refs")
                    || k.ends_with("_hex")
                    || k == "hashes"
                {
                    continue;
                }
                let key = k.replace('~', "~0").replace('/', "~1");
                leaves(child, &format!("{path}/{key}"), out);
            }
        }
        _ => {}
    }
}

fn base_objects() -> Vec<Value> {
    let corpus: Value =
        serde_json::from_str(include_str!("../../../tests/corpus/base-objects.json")).unwrap();
    corpus
        .as_array()
        .or_else(|| corpus["objects"].as_array())
        .unwrap()
        .iter()
        // Concealment drops these whole (identities, markings, extension
        // definitions), and keeps only country and region of a location.
        .filter(|o| {
            !matches!(
                o["type"].as_str().unwrap_or_default(),
                "bundle" | "identity" | "marking-definition" | "extension-definition" | "location"
            )
        })
        .cloned()
        .collect()
}

fn new_id(id: &str, n: usize) -> String {
    let (ty, _) = id.rsplit_once("--").unwrap();
    format!("{ty}--00000000-0000-4000-8000-{n:012}")
}

#[test]
fn no_rendering_survives_and_attacker_data_does() {
    let seed: u64 = std::env::var("KYOYU_VARIANTS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_261_128);
    let cases: usize = std::env::var("KYOYU_VARIANTS_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_400);
    let mut rng = Rng(seed);
    let objects = base_objects();
    let corpus_text = Squashed::of(&Folded::of(&serde_json::to_string(&objects).unwrap())).text;
    let placements: Vec<(usize, String)> = objects
        .iter()
        .enumerate()
        .flat_map(|(i, o)| {
            let mut out = Vec::new();
            leaves(o, "", &mut out);
            out.into_iter().map(move |p| (i, p))
        })
        .collect();
    let mut orgs = Vec::new();
    while orgs.len() < 60 {
        let m = make_org(&mut rng, orgs.len());
        // A name the base corpus already uses would be found there too.
        if !corpus_text.contains(&squash(&m.base)) {
            orgs.push(m);
        }
    }
    let stages = Stages::default();
    let (mut leaks, mut lost, mut attacker_total) = (Vec::new(), Vec::new(), 0usize);
    let mut by_rule = 0usize;
    let mut labels = std::collections::BTreeSet::new();
    let mut types = std::collections::BTreeSet::new();
    for case in 0..cases {
        let m = &orgs[case % orgs.len()];
        let profile = Profile::of(&m.org);
        let all = renderings(m, &mut rng);
        let (label, rendered) = all[case % all.len()].clone();
        labels.insert(label);
        let (index, path) = &placements[rng.below(placements.len())];
        let mut with_id = objects[*index].clone();
        types.insert(with_id["type"].as_str().unwrap_or_default().to_owned());
        let attacker = match rng.below(4) {
            0 => format!("203.0.113.{}", 1 + rng.below(250)),
            1 => format!("zqx{}-cdn.example.net", rng.below(100_000)),
            2 => format!("hxxp://vx{}[.]example[.]org/gate.php", rng.below(1000)),
            _ => format!(
                "{:064x}",
                u128::from(rng.next()) << 64 | u128::from(rng.next())
            ),
        };
        let mut twin = with_id.clone();
        twin["id"] = json!(new_id(with_id["id"].as_str().unwrap(), case));
        let place = |o: &mut Value, text: String| {
            *o.pointer_mut(path).unwrap() = Value::String(text);
        };
        // Most cases put the rendering in a string; some in a dictionary
        // key or a number.
        let mode = case % 20;
        if mode == 0 {
            with_id["x_notes"] = json!({ rendered.clone(): "seen" });
        } else {
            place(&mut with_id, format!("note: {rendered} (seen)"));
        }
        if mode == 1 && label.starts_with("address") {
            with_id["x_addr"] = json!(u32::from(m.net) + 7);
        }
        place(&mut twin, format!("note: {attacker} (seen)"));
        let out = conceal(&[with_id], &profile, HUB, &stages);
        let text = serde_json::to_string(&out.objects).unwrap();
        // The twin is its own submission: an observable and its twin can
        // share a deterministic id, and one submission keeps one of them.
        let twin_out = conceal(&[twin], &profile, HUB, &stages);
        let twin_text = serde_json::to_string(&twin_out.objects).unwrap();
        let folded = Folded::of(&text);
        let squashed = Squashed::of(&folded).text;
        let (f_needles, s_needles) = needles(m, label, &rendered);
        let leaked = f_needles.iter().any(|n| folded.text.contains(n.as_str()))
            || s_needles.iter().any(|n| squashed.contains(n.as_str()))
            || (mode == 1
                && label.starts_with("address")
                && text.contains("\"x_addr\":")
                && !text.contains("\"x_addr\":0"));
        if leaked {
            leaks.push(format!("{label}: {rendered} at {path} -> {text}"));
        }
        // An object stage 1 drops whole (a relationship to someone's
        // identity), or a field withheld by rule (a user-account of the
        // victim's Windows domain), carries nothing either way.
        let baseline = conceal(&objects[*index..=*index], &profile, HUB, &stages);
        let withheld = baseline.objects.first().is_none_or(|o| {
            o.pointer(path).and_then(Value::as_str) == Some(kyoyu_conceal::scrub::REDACTED)
        });
        if twin_out.objects.is_empty() || withheld {
            by_rule += 1;
            continue;
        }
        attacker_total += 1;
        if !twin_text.contains(&attacker) {
            lost.push(format!("{attacker} at {path} ({label}) -> {twin_text}"));
        }
    }
    let recall = 1.0 - leaks.len() as f64 / cases as f64;
    let over = lost.len() as f64 / attacker_total as f64;
    eprintln!(
        "variants corpus: {cases} cases, {} renderings, {} object types, {} organizations; \
         recall {:.4} ({} leaks); attacker data lost {:.4} ({} of {attacker_total}; \
         {by_rule} placed where concealment withholds by rule)",
        labels.len(),
        types.len(),
        orgs.len(),
        recall,
        leaks.len(),
        over,
        lost.len()
    );
    assert!(cases < 2000 || labels.len() >= 40, "{labels:?}");
    assert!(
        leaks.is_empty(),
        "{} leaks, first: {}",
        leaks.len(),
        leaks
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    assert!(
        lost.is_empty(),
        "{} attacker data lost, first: {}",
        lost.len(),
        lost.iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}
