//! Standalone evaluation of the `rstix` crate (0.23.x) against the OASIS oracle dumps.
//!
//! Inputs:
//!   /tmp/oracle-dump/validate.jsonl  {"id","doc","default","strict"}
//!   /tmp/oracle-dump/patterns.jsonl  {"id","pattern","valid"}
//!
//! Nothing here is hard-coded: every verdict is computed by rstix at run time.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

use rstix::core::StixId;
use rstix::model::deserialize_stix_object_from_value;
use rstix::pattern::parse_ast;
use rstix::{Bundle, Leniency, Pattern, Validator};
use serde_json::{Value, json};

const VALIDATE_PATH: &str = "/tmp/oracle-dump/validate.jsonl";
const PATTERNS_PATH: &str = "/tmp/oracle-dump/patterns.jsonl";
/// Fixed id for the synthetic one-object bundle wrapper.
const WRAP_BUNDLE_ID: &str = "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d";

thread_local! {
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = if let Some(s) = info.payload().downcast_ref::<&str>() {
            (*s).to_string()
        } else if let Some(s) = info.payload().downcast_ref::<String>() {
            s.clone()
        } else {
            "<non-string panic payload>".to_string()
        };
        let loc = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(format!("{msg} @ {loc}")));
    }));
}

fn take_panic_msg() -> String {
    LAST_PANIC
        .with(|p| p.borrow_mut().take())
        .unwrap_or_else(|| "<unknown>".into())
}

/// Outcome of one rstix verdict computation.
#[derive(Clone, Debug)]
enum Outcome {
    Valid,
    Invalid(String),
    Panic(String),
}

impl Outcome {
    fn is_valid(&self) -> bool {
        matches!(self, Outcome::Valid)
    }
}

fn first_error(report: &rstix::PipelineValidationReport) -> String {
    let lenient_fail = report
        .diagnostics()
        .find(|d| report.leniency().fails_validation(d.severity));
    match lenient_fail {
        Some(d) => format!(
            "{} [{}] path={:?} obj={:?}: {}",
            d.code,
            format!("{:?}", d.severity),
            d.property_path,
            d.object_id.as_ref().map(|i| i.as_str().to_string()),
            d.message
        ),
        None => "<no failing diagnostic>".into(),
    }
}

/// Strategy A ("ingest recipe", primary): rstix's own per-object recipe from its TAXII ingest
/// (`taxii/ingest.rs`): typed parse (T0 MUST rules) of the single object, then
/// `validator.validate_bundle(&Bundle::from_objects(id, vec![obj]))`. Bundles go through
/// `validator.validate_json_value` (raw JSON entry point; closed-world bundle parse).
fn verdict_object_a(v: &Value, validator: &Validator, wrap_id: &StixId) -> Result<(), String> {
    let Some(map) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    if map.get("type").and_then(Value::as_str) == Some("bundle") {
        let report = validator.validate_json_value(v);
        return if report.is_valid() { Ok(()) } else { Err(first_error(&report)) };
    }
    let (obj, _extras) = deserialize_stix_object_from_value(v.clone(), validator.parse_options())
        .map_err(|e| format!("parse: {e}"))?;
    let bundle = Bundle::from_objects(wrap_id.clone(), vec![obj]);
    let report = validator.validate_bundle(&bundle);
    if report.is_valid() { Ok(()) } else { Err(first_error(&report)) }
}

/// Strategy B ("raw wrap"): wrap the raw JSON object in a synthetic bundle and use the
/// documented untrusted-input entry point `validate_json_value`. rstix's bundle parse is
/// closed-world (every `_ref` must resolve inside the bundle), so this is stricter.
fn verdict_object_b(v: &Value, validator: &Validator) -> Result<(), String> {
    let Some(map) = v.as_object() else {
        return Err("not a JSON object".into());
    };
    let report = if map.get("type").and_then(Value::as_str) == Some("bundle") {
        validator.validate_json_value(v)
    } else {
        let wrapped = json!({"type": "bundle", "id": WRAP_BUNDLE_ID, "objects": [v]});
        validator.validate_json_value(&wrapped)
    };
    if report.is_valid() { Ok(()) } else { Err(first_error(&report)) }
}

/// Document verdict: arrays -> every element; everything else -> the value itself.
fn verdict_doc<F: Fn(&Value) -> Result<(), String>>(doc: &Value, f: F) -> Outcome {
    let r = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
        match doc {
            Value::Array(items) => {
                for (i, it) in items.iter().enumerate() {
                    f(it).map_err(|e| format!("[{i}] {e}"))?;
                }
                Ok(())
            }
            other => f(other),
        }
    }));
    match r {
        Ok(Ok(())) => Outcome::Valid,
        Ok(Err(e)) => Outcome::Invalid(e),
        Err(_) => Outcome::Panic(take_panic_msg()),
    }
}

struct Case {
    id: String,
    doc: Value,
    default: bool,
    strict: bool,
}

#[derive(Default)]
struct Tally {
    n: usize,
    agree_default: usize,
    agree_strict: usize,
    panics: usize,
    rstix_valid: usize,
    // disagreement breakdown vs default oracle, keyed by case variant (id suffix)
    false_reject: BTreeMap<String, usize>, // oracle valid, rstix invalid
    false_accept: BTreeMap<String, usize>, // oracle invalid, rstix valid
    panic_ids: Vec<(String, String)>,
    reject_examples: BTreeMap<String, (String, String)>,
}

fn variant_of(id: &str) -> String {
    let suffix = id.rsplit_once('/').map(|(_, s)| s).unwrap_or(id);
    // collapse numbered pattern variants
    if let Some(p) = suffix.strip_prefix("bad-pattern-") {
        if p.chars().all(|c| c.is_ascii_digit()) {
            return "bad-pattern-N".into();
        }
    }
    if let Some(p) = suffix.strip_prefix("good-pattern-") {
        if p.chars().all(|c| c.is_ascii_digit()) {
            return "good-pattern-N".into();
        }
    }
    suffix.to_string()
}

impl Tally {
    fn add(&mut self, case: &Case, out: &Outcome, compare_default: bool) {
        self.n += 1;
        let v = out.is_valid();
        if v {
            self.rstix_valid += 1;
        }
        if v == case.default {
            self.agree_default += 1;
        }
        if v == case.strict {
            self.agree_strict += 1;
        }
        if let Outcome::Panic(m) = out {
            self.panics += 1;
            self.panic_ids.push((case.id.clone(), m.clone()));
        }
        let oracle = if compare_default { case.default } else { case.strict };
        if v != oracle {
            let key = variant_of(&case.id);
            if oracle {
                *self.false_reject.entry(key.clone()).or_default() += 1;
                if let Outcome::Invalid(e) | Outcome::Panic(e) = out {
                    self.reject_examples
                        .entry(key)
                        .or_insert_with(|| (case.id.clone(), e.clone()));
                }
            } else {
                *self.false_accept.entry(key).or_default() += 1;
            }
        }
    }
}

fn pct(a: usize, n: usize) -> String {
    if n == 0 {
        return "n/a".into();
    }
    format!("{:.2}%", 100.0 * a as f64 / n as f64)
}

fn print_breakdown(title: &str, m: &BTreeMap<String, usize>, limit: usize) {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let total: usize = m.values().sum();
    println!("    {title}: {total} cases in {} variants", m.len());
    for (k, c) in v.iter().take(limit) {
        println!("      {c:>4}  {k}");
    }
    if v.len() > limit {
        let rest: usize = v.iter().skip(limit).map(|(_, c)| **c).sum();
        println!("      {rest:>4}  ({} more variants)", v.len() - limit);
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    xs[xs.len() / 2]
}

/// Runs `iters` iterations of `f` 5 times; returns (median ops/s, all runs).
fn bench<F: FnMut() -> bool>(iters: usize, mut f: F) -> (f64, Vec<f64>, usize) {
    // warm-up
    let mut ok = 0usize;
    for _ in 0..(iters / 20).max(1) {
        if f() {
            ok += 1;
        }
    }
    let _ = ok;
    let mut rates = Vec::new();
    let mut ok_total = 0usize;
    for _ in 0..5 {
        let t = Instant::now();
        let mut ok = 0usize;
        for _ in 0..iters {
            if black_box(f()) {
                ok += 1;
            }
        }
        let dt = t.elapsed().as_secs_f64();
        rates.push(iters as f64 / dt);
        ok_total += ok;
    }
    (median(rates.clone()), rates, ok_total)
}

fn fmt_rate(r: f64) -> String {
    format!("{:.0}/s ({:.2} us/op)", r, 1e6 / r)
}

fn read_jsonl(path: &str) -> Vec<Value> {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {path}: {e}"));
    BufReader::new(f)
        .lines()
        .map(|l| l.expect("read line"))
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(&l).expect("jsonl line"))
        .collect()
}

/// Round-trip check for a parsed single object: typed -> JSON + peeled extras == input?
fn roundtrip_object(v: &Value, opts: &rstix::ParseOptions) -> Option<bool> {
    let (obj, extras) = deserialize_stix_object_from_value(v.clone(), opts).ok()?;
    let mut out = serde_json::to_value(&obj).ok()?;
    if let Some(m) = out.as_object_mut() {
        for (k, val) in extras {
            m.insert(k, val);
        }
    }
    Some(&out == v)
}

fn main() {
    install_quiet_panic_hook();
    let bench_only = std::env::args().any(|a| a == "--bench-only");
    let skip_bench = std::env::args().any(|a| a == "--no-bench");

    println!("== rstix evaluation ==");
    println!("rstix crate version (from Cargo.lock pin): {}", env!("RSTIX_VERSION"));
    println!(
        "serde_json features: arbitrary_precision={} preserve_order={}",
        cfg!(feature = "kyoyu-json"),
        cfg!(feature = "kyoyu-json")
    );

    let wrap_id = StixId::parse(WRAP_BUNDLE_ID).expect("wrap id");
    let std_validator = Validator::producer_strict();
    let zero_validator = {
        let mut b = Validator::builder().with_leniency(Leniency::Zero);
        for p in std_validator.phases() {
            b = b.with_phase(*p);
        }
        b.build()
    };
    println!(
        "validator profile: producer_strict ({} phases: {}); strict variant = same phases + Leniency::Zero (warnings fail)",
        std_validator.phases().len(),
        std_validator
            .phases()
            .iter()
            .map(|p| p.label())
            .collect::<Vec<_>>()
            .join(", ")
    );

    // ---------------------------------------------------------------- validate.jsonl
    let raw_cases = read_jsonl(VALIDATE_PATH);
    let cases: Vec<Case> = raw_cases
        .into_iter()
        .map(|v| Case {
            id: v["id"].as_str().expect("id").to_string(),
            doc: v["doc"].clone(),
            default: v["default"].as_bool().expect("default"),
            strict: v["strict"].as_bool().expect("strict"),
        })
        .collect();

    if !bench_only {
        let n = cases.len();
        let n_def = cases.iter().filter(|c| c.default).count();
        let n_str = cases.iter().filter(|c| c.strict).count();
        println!();
        println!("-- (a) validation agreement: {n} cases (oracle default-valid {n_def}, strict-valid {n_str})");

        type Strat<'a> = (&'a str, Box<dyn Fn(&Value) -> Result<(), String> + 'a>, bool);
        let strategies: Vec<Strat> = vec![
            (
                "A  ingest-recipe, Standard leniency  [PRIMARY]",
                Box::new(|v: &Value| verdict_object_a(v, &std_validator, &wrap_id)),
                true,
            ),
            (
                "A' ingest-recipe, Zero leniency",
                Box::new(|v: &Value| verdict_object_a(v, &zero_validator, &wrap_id)),
                false,
            ),
            (
                "B  raw-wrap validate_json_value, Standard",
                Box::new(|v: &Value| verdict_object_b(v, &std_validator)),
                true,
            ),
            (
                "B' raw-wrap validate_json_value, Zero",
                Box::new(|v: &Value| verdict_object_b(v, &zero_validator)),
                false,
            ),
            (
                "P  typed parse only (T0 MUST rules)",
                Box::new(|v: &Value| {
                    let Some(map) = v.as_object() else {
                        return Err("not a JSON object".into());
                    };
                    if map.get("type").and_then(Value::as_str) == Some("bundle") {
                        let s = serde_json::to_string(v).map_err(|e| e.to_string())?;
                        Bundle::parse(&s).map(|_| ()).map_err(|e| e.to_string())
                    } else {
                        deserialize_stix_object_from_value(v.clone(), std_validator.parse_options())
                            .map(|_| ())
                            .map_err(|e| e.to_string())
                    }
                }),
                true,
            ),
        ];

        let mut primary_tally = None;
        for (name, f, cmp_default) in &strategies {
            let t0 = Instant::now();
            let mut t = Tally::default();
            for c in &cases {
                let out = verdict_doc(&c.doc, |v| f(v));
                t.add(c, &out, *cmp_default);
            }
            let dt = t0.elapsed();
            println!(
                "  {name}: rstix-valid {}/{n} | agree default {}/{n} ({}) | agree strict {}/{n} ({}) | panics {} | corpus time {:.1} ms",
                t.rstix_valid,
                t.agree_default,
                pct(t.agree_default, n),
                t.agree_strict,
                pct(t.agree_strict, n),
                t.panics,
                dt.as_secs_f64() * 1e3
            );
            for (id, m) in t.panic_ids.iter().take(10) {
                println!("      PANIC {id}: {m}");
            }
            if primary_tally.is_none() {
                primary_tally = Some(t);
            } else if name.starts_with("A'") {
                println!("    disagreements of A' vs STRICT oracle:");
                print_breakdown("oracle-strict valid, rstix invalid", &t.false_reject, 12);
                print_breakdown("oracle-strict invalid, rstix valid", &t.false_accept, 12);
            }
        }
        if let Some(t) = primary_tally {
            println!("  disagreements of PRIMARY (A) vs DEFAULT oracle, by case variant:");
            print_breakdown("oracle valid, rstix invalid (false rejects)", &t.false_reject, 25);
            print_breakdown("oracle invalid, rstix valid (false accepts)", &t.false_accept, 40);
            println!("  first rstix error per false-reject variant (A):");
            let mut ex: Vec<_> = t.reject_examples.iter().collect();
            ex.sort_by_key(|(k, _)| std::cmp::Reverse(t.false_reject.get(*k).copied().unwrap_or(0)));
            for (k, (id, e)) in ex.iter().take(15) {
                let e: String = e.chars().take(220).collect();
                println!("    {k} ({id}): {e}");
            }
        }

        // ------------------------------------------------------ round-trip / API probes
        println!();
        println!("-- API probes");
        let opts = std_validator.parse_options();
        let (mut rt_n, mut rt_eq, mut rt_parse_fail) = (0, 0, 0);
        let mut rt_eq_custom = (0, 0);
        let mut rt_diffs: BTreeMap<String, (usize, String, String)> = BTreeMap::new();
        for c in cases.iter().filter(|c| c.default) {
            let Some(m) = c.doc.as_object() else { continue };
            if m.get("type").and_then(Value::as_str) == Some("bundle") {
                continue;
            }
            let r = catch_unwind(AssertUnwindSafe(|| roundtrip_object(&c.doc, opts)));
            match r {
                Ok(Some(eq)) => {
                    rt_n += 1;
                    if eq {
                        rt_eq += 1;
                    } else {
                        let d = diff_summary(&c.doc, opts);
                        let key: String = d.split(':').next().unwrap_or("").to_string();
                        rt_diffs.entry(key).or_insert_with(|| (0, c.id.clone(), d)).0 += 1;
                    }
                    if c.id.ends_with("/custom-x-prop") || c.id.ends_with("/custom-no-prefix") {
                        rt_eq_custom.0 += 1;
                        if eq {
                            rt_eq_custom.1 += 1;
                        }
                    }
                }
                _ => rt_parse_fail += 1,
            }
        }
        println!(
            "  lossless round trip (typed object -> JSON + peeled x_ extras == input Value), oracle-default-valid single objects that rstix parses: {rt_eq}/{rt_n} (parse failed/panicked: {rt_parse_fail}); of which custom-x-prop/custom-no-prefix: {}/{}",
            rt_eq_custom.1, rt_eq_custom.0
        );
        for (n, id, d) in rt_diffs.values() {
            let d: String = d.chars().take(200).collect();
            println!("    {n:>3} x like {id}: {d}");
        }
        // bundle round trip
        let (mut b_n, mut b_eq) = (0, 0);
        for c in cases.iter().filter(|c| c.doc.get("type").and_then(Value::as_str) == Some("bundle")) {
            let s = serde_json::to_string(&c.doc).unwrap_or_default();
            let parsed = catch_unwind(AssertUnwindSafe(|| Bundle::parse(&s)));
            if let Ok(Err(e)) = &parsed {
                println!("    Bundle::parse rejects {} (oracle default={}): {}", c.id, c.default, e);
            }
            if let Ok(Ok(b)) = parsed {
                b_n += 1;
                let out = serde_json::to_value(&b).unwrap_or(Value::Null);
                if out == c.doc {
                    b_eq += 1;
                } else {
                    let a = c.doc.as_object().cloned().unwrap_or_default();
                    let o = out.as_object().cloned().unwrap_or_default();
                    let mut d = Vec::new();
                    for (k, v) in &a { if o.get(k) != Some(v) { d.push(format!("`{k}` differs/dropped")); } }
                    for k in o.keys() { if !a.contains_key(k) { d.push(format!("added `{k}`")); } }
                    if let (Some(ia), Some(io)) = (a.get("objects").and_then(Value::as_array), o.get("objects").and_then(Value::as_array)) {
                        for (i, (x, y)) in ia.iter().zip(io.iter()).enumerate() {
                            if x != y {
                                let xo = x.as_object().cloned().unwrap_or_default();
                                let yo = y.as_object().cloned().unwrap_or_default();
                                let ks: Vec<String> = xo.keys().filter(|k| yo.get(*k) != xo.get(*k)).cloned()
                                    .chain(yo.keys().filter(|k| !xo.contains_key(*k)).map(|k| format!("+{k}"))).collect();
                                d.push(format!("objects[{i}] keys {ks:?}"));
                            }
                        }
                    }
                    println!("    bundle {} not identical: {}", c.id, d.join("; "));
                }
            }
        }
        println!("  bundle round trip (Bundle::parse -> to_value == input): {b_eq}/{b_n} parsed bundles");

        // error-location probes
        for suffix in ["/wrong-json-type-created", "/ts-no-z", "/selector-index"] {
            if let Some(c) = cases.iter().find(|c| c.id.ends_with(suffix)) {
                let text = serde_json::to_string_pretty(&c.doc).unwrap_or_default();
                let pe = rstix::parse_object_with_extras(&text).err().map(|e| e.to_string());
                let wrapped = json!({"type":"bundle","id":WRAP_BUNDLE_ID,"objects":[c.doc.clone()]});
                let wtext = serde_json::to_string_pretty(&wrapped).unwrap_or_default();
                let rep = std_validator.validate_json_str(&wtext);
                let d = rep
                    .diagnostics()
                    .find(|d| rep.leniency().fails_validation(d.severity))
                    .map(|d| {
                        format!(
                            "code={} path={:?} object_id={:?} span={:?} msg={}",
                            d.code,
                            d.property_path,
                            d.object_id.as_ref().map(|i| i.as_str().to_string()),
                            d.span,
                            d.message
                        )
                    });
                println!("  error probe {}:", c.id);
                println!("    parse_object_with_extras(text) -> {pe:?}");
                println!("    validate_json_str(wrapped text) first error -> {d:?}");
            }
        }

        // ---------------------------------------------------------------- patterns
        println!();
        let pcases = read_jsonl(PATTERNS_PATH);
        let pn = pcases.len();
        let pvalid = pcases.iter().filter(|p| p["valid"].as_bool() == Some(true)).count();
        println!("-- (b) pattern agreement: {pn} patterns (oracle-valid {pvalid})");
        for (name, full) in [("Pattern::parse (parse + SCO type-check)  [PRIMARY]", true), ("pattern::parse_ast (grammar only)", false)] {
            let (mut agree, mut panics, mut rvalid) = (0, 0, 0);
            let mut dis = Vec::new();
            for p in &pcases {
                let src = p["pattern"].as_str().unwrap_or_default();
                let oracle = p["valid"].as_bool().expect("valid");
                let r = catch_unwind(AssertUnwindSafe(|| {
                    if full {
                        Pattern::parse(src).map(|_| ()).map_err(|e| e.to_string())
                    } else {
                        parse_ast(src).map(|_| ()).map_err(|e| e.to_string())
                    }
                }));
                let (ok, err) = match r {
                    Ok(Ok(())) => (true, None),
                    Ok(Err(e)) => (false, Some(e)),
                    Err(_) => {
                        panics += 1;
                        (false, Some(format!("PANIC {}", take_panic_msg())))
                    }
                };
                if ok {
                    rvalid += 1;
                }
                if ok == oracle {
                    agree += 1;
                } else {
                    dis.push((p["id"].as_str().unwrap_or("").to_string(), src.to_string(), oracle, err));
                }
            }
            println!(
                "  {name}: rstix-valid {rvalid}/{pn} | agree {agree}/{pn} ({}) | panics {panics}",
                pct(agree, pn)
            );
            for (id, src, oracle, err) in dis.iter().take(40) {
                let src: String = src.chars().take(110).collect();
                let err: String = err.clone().unwrap_or_default().chars().take(110).collect();
                println!("    oracle={oracle:<5} {id}: {src}  => {err}");
            }
        }
    }

    if skip_bench {
        return;
    }

    // ---------------------------------------------------------------- (c) speed
    println!();
    println!("-- (c) speed (single thread; median of 5 runs)");
    let ind = cases
        .iter()
        .find(|c| c.id.ends_with("/valid") && c.doc.get("type").and_then(Value::as_str) == Some("indicator"))
        .expect("a valid indicator case");
    let ind_val = ind.doc.clone();
    let ind_text = serde_json::to_string(&ind_val).expect("ser");
    println!("  indicator case: {} ({} bytes JSON), pattern={}", ind.id, ind_text.len(), ind_val["pattern"]);
    let opts = std_validator.parse_options().clone();
    // sanity: must be valid under primary strategy
    let sanity = verdict_object_a(&ind_val, &std_validator, &wrap_id);
    println!("  primary verdict on it: {:?}", sanity.as_ref().map(|_| "valid"));

    const N_OBJ: usize = 200_000;
    let (r, runs, ok) = bench(N_OBJ, || {
        match deserialize_stix_object_from_value(ind_val.clone(), &opts) {
            Ok((obj, _)) => std_validator
                .validate_bundle(&Bundle::from_objects(wrap_id.clone(), vec![obj]))
                .is_valid(),
            Err(_) => false,
        }
    });
    println!(
        "  (i)  validate from serde_json::Value (clone + typed parse + Validator::validate_bundle): {}  runs={:?} ok={}/{}",
        fmt_rate(r), runs.iter().map(|x| x.round()).collect::<Vec<_>>(), ok, 5 * N_OBJ
    );
    let (r, runs, ok) = bench(N_OBJ, || {
        match rstix::parse_object_with_extras_and_options(&ind_text, &opts) {
            Ok((obj, _)) => std_validator
                .validate_bundle(&Bundle::from_objects(wrap_id.clone(), vec![obj]))
                .is_valid(),
            Err(_) => false,
        }
    });
    println!(
        "  (i)  validate from JSON text (parse_object_with_extras + Validator::validate_bundle):     {}  runs={:?} ok={}/{}",
        fmt_rate(r), runs.iter().map(|x| x.round()).collect::<Vec<_>>(), ok, 5 * N_OBJ
    );
    let (r, runs, ok) = bench(N_OBJ, || deserialize_stix_object_from_value(ind_val.clone(), &opts).is_ok());
    println!(
        "  (i') typed parse only from Value (clone + T0 MUST checks incl. pattern parse):            {}  runs={:?} ok={}/{}",
        fmt_rate(r), runs.iter().map(|x| x.round()).collect::<Vec<_>>(), ok, 5 * N_OBJ
    );
    let (r, runs, ok) = bench(N_OBJ, || rstix::parse_object_with_extras_and_options(&ind_text, &opts).is_ok());
    println!(
        "  (i') typed parse only from text:                                                          {}  runs={:?} ok={}/{}",
        fmt_rate(r), runs.iter().map(|x| x.round()).collect::<Vec<_>>(), ok, 5 * N_OBJ
    );
    let (r, _, _) = bench(N_OBJ, || black_box(ind_val.clone()).is_object());
    println!("       (baseline: serde_json::Value clone alone: {})", fmt_rate(r));

    let ind_pat = ind_val["pattern"].as_str().unwrap_or_default().to_string();
    let (r, runs, ok) = bench(N_OBJ / 2, || Pattern::parse(black_box(&ind_pat)).is_ok());
    println!(
        "  (i'') Pattern::parse of that indicator's own pattern ({} iters):                           {}  runs={:?} ok={}/{}",
        N_OBJ / 2, fmt_rate(r), runs.iter().map(|x| x.round()).collect::<Vec<_>>(), ok, 5 * (N_OBJ / 2)
    );

    const N_PAT: usize = 1_000_000;
    let pat = "[ipv4-addr:value = '198.51.100.1']";
    let (r, runs, ok) = bench(N_PAT, || Pattern::parse(black_box(pat)).is_ok());
    println!(
        "  (ii) Pattern::parse(\"{pat}\") (parse + type-check): {}  runs={:?} ok={}/{}",
        fmt_rate(r), runs.iter().map(|x| x.round()).collect::<Vec<_>>(), ok, 5 * N_PAT
    );
    let (r, runs, ok) = bench(N_PAT, || parse_ast(black_box(pat)).is_ok());
    println!(
        "  (ii') pattern::parse_ast (grammar only): {}  runs={:?} ok={}/{}",
        fmt_rate(r), runs.iter().map(|x| x.round()).collect::<Vec<_>>(), ok, 5 * N_PAT
    );
}

/// Short description of the first difference between input and round-tripped output.
fn diff_summary(v: &Value, opts: &rstix::ParseOptions) -> String {
    let Ok((obj, extras)) = deserialize_stix_object_from_value(v.clone(), opts) else {
        return "parse failed".into();
    };
    let mut out = serde_json::to_value(&obj).unwrap_or(Value::Null);
    if let Some(m) = out.as_object_mut() {
        for (k, val) in extras {
            m.insert(k, val);
        }
    }
    let (Some(a), Some(b)) = (v.as_object(), out.as_object()) else {
        return "non-object".into();
    };
    let mut diffs = Vec::new();
    for (k, av) in a {
        match b.get(k) {
            None => diffs.push(format!("dropped `{k}`")),
            Some(bv) if bv != av => {
                let s = |x: &Value| x.to_string().chars().take(60).collect::<String>();
                diffs.push(format!("changed `{k}`: {} -> {}", s(av), s(bv)))
            }
            _ => {}
        }
    }
    for k in b.keys() {
        if !a.contains_key(k) {
            diffs.push(format!("added `{k}`"));
        }
    }
    diffs.join("; ")
}
