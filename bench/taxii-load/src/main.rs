//! TAXII 2.1 load driver: the same workload against any TAXII 2.1 server.
//!
//! Usage: taxii-load COLLECTION_URL USER PASSWORD OBJECTS [--envelope N] [--page N] [--lookups N]
//!        [--concurrency N] [--type-pages N] [--skip-ingest]
//!
//! Prints one line per measurement: `name value unit`.

use base64::Engine;
use std::time::Instant;

struct Client {
    agent: ureq::Agent,
    auth: String,
    base: String,
}

const TAXII: &str = "application/taxii+json;version=2.1";

impl Client {
    fn get(&self, path_and_query: &str) -> (u16, String) {
        let url = format!("{}{path_and_query}", self.base);
        match self.agent.get(&url).header("Authorization", &self.auth).header("Accept", TAXII).call() {
            Ok(mut r) => {
                let status = r.status().as_u16();
                (status, r.body_mut().with_config().limit(1 << 31).read_to_string().unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        }
    }

    fn post(&self, body: &str) -> (u16, String) {
        let url = format!("{}objects/", self.base);
        match self
            .agent
            .post(&url)
            .header("Authorization", &self.auth)
            .header("Accept", TAXII)
            .header("Content-Type", TAXII)
            .send(body)
        {
            Ok(mut r) => {
                let status = r.status().as_u16();
                (status, r.body_mut().read_to_string().unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        }
    }
}

fn indicator(n: usize) -> String {
    format!(
        concat!(
            r#"{{"type":"indicator","spec_version":"2.1","id":"indicator--{:08x}-{:04x}-4000-8000-{:012x}","#,
            r#""created":"2024-01-01T00:00:00.000Z","modified":"2024-01-01T00:00:00.000Z","name":"Indicator {}","#,
            r#""description":"bench","indicator_types":["malicious-activity"],"pattern_type":"stix","#,
            r#""pattern":"[ipv4-addr:value = '10.{}.{}.{}']","valid_from":"2024-01-01T00:00:00Z"}}"#
        ),
        n,
        n % 65536,
        n,
        n,
        (n >> 16) & 255,
        (n >> 8) & 255,
        n & 255
    )
}

/// TLP 2.0 CLEAR, GREEN, AMBER, AMBER+STRICT, RED.
const TLP: [&str; 5] = [
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
];

/// The indicator with a TLP level by `n % 5`; every other RED one names `recipient`.
fn marked(n: usize, recipient: &str) -> String {
    let plain = indicator(n);
    let level = n % 5;
    let mut extra = format!(r#","object_marking_refs":["{}"]"#, TLP[level]);
    if level == 4 && n % 10 == 4 {
        extra.push_str(&format!(r#","x_kyoyu_recipients":["{recipient}"]"#));
    }
    format!("{}{extra}}}", &plain[..plain.len() - 1])
}

fn id_of(n: usize) -> String {
    format!("indicator--{:08x}-{:04x}-4000-8000-{:012x}", n, n % 65536, n)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: taxii-load COLLECTION_URL USER PASSWORD OBJECTS [--envelope N] [--page N] [--lookups N] [--skip-ingest] [--mixed-markings ORG]");
        std::process::exit(2);
    }
    let opt = |name: &str, default: usize| -> usize {
        args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
    };
    let total: usize = args[4].parse().expect("OBJECTS must be a number");
    let envelope = opt("--envelope", 500);
    let page = opt("--page", 1000);
    let lookups = opt("--lookups", 200);
    let skip_ingest = args.iter().any(|a| a == "--skip-ingest");
    let concurrency = opt("--concurrency", 2).max(1);
    let type_pages = opt("--type-pages", 5).max(1);
    // `--mixed-markings ORG`: TLP levels in turn, half the RED ones naming ORG.
    let recipient = args.iter().position(|a| a == "--mixed-markings").and_then(|i| args.get(i + 1)).cloned();
    let auth = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", args[2], args[3]))
    );
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let client = Client { agent, auth, base: args[1].trim_end_matches('/').to_owned() + "/" };

    if !skip_ingest {
        // Envelopes are built before the clock starts; `concurrency` clients post them.
        let envelopes: Vec<String> = (0..total)
            .step_by(envelope.max(1))
            .map(|n| {
                let end = (n + envelope).min(total);
                let objects: Vec<String> = match &recipient {
                    Some(r) => (n..end).map(|i| marked(i, r)).collect(),
                    None => (n..end).map(indicator).collect(),
                };
                format!("{{\"objects\":[{}]}}", objects.join(","))
            })
            .collect();
        let started = Instant::now();
        std::thread::scope(|scope| {
            for worker in 0..concurrency {
                let (client, envelopes) = (&client, &envelopes);
                scope.spawn(move || {
                    for body in envelopes.iter().skip(worker).step_by(concurrency) {
                        let (status, answer) = client.post(body);
                        assert!(status == 200 || status == 202, "POST answered {status}: {answer}");
                    }
                });
            }
        });
        let secs = started.elapsed().as_secs_f64();
        println!("ingest {:.0} objects/s", total as f64 / secs);
    }

    // Full paged read with `next`.
    let started = Instant::now();
    let mut read = 0usize;
    let mut next: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &next {
            Some(n) => format!("objects/?limit={page}&next={n}"),
            None => format!("objects/?limit={page}"),
        };
        let (status, body) = client.get(&q);
        assert_eq!(status, 200, "GET objects answered {status}: {}", &body[..body.len().min(300)]);
        let v: serde_json::Value = serde_json::from_str(&body).expect("envelope JSON");
        read += v["objects"].as_array().map_or(0, Vec::len);
        pages += 1;
        match (v["more"].as_bool(), v["next"].as_str()) {
            (Some(true), Some(n)) => next = Some(n.to_owned()),
            _ => break,
        }
        if pages > total / page.max(1) + 10 {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!("read_objects {read} objects");
    println!("read {:.0} objects/s", read as f64 / secs);

    // match[id] lookups.
    let mut times = Vec::with_capacity(lookups);
    for i in 0..lookups {
        let n = (i * 7919) % total.max(1);
        let started = Instant::now();
        let (status, body) = client.get(&format!("objects/?match[id]={}", id_of(n)));
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200, "match[id] answered {status}: {body}");
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!("match_id_p50 {:.2} ms", percentile(&times, 0.5));
    println!("match_id_p99 {:.2} ms", percentile(&times, 0.99));

    // First page of match[type].
    let mut times = Vec::new();
    for _ in 0..type_pages {
        let started = Instant::now();
        let (status, _) = client.get(&format!("objects/?match[type]=indicator&limit={page}"));
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    println!("match_type_first_page {:.2} ms", percentile(&times, 0.5));
}
