//! Concealed sharing from the command line: `kyoyu submit`, `review`,
//! `receipt`, and the escrow officers' `escrow init` / `provenance reveal`
//! (which run offline with the shares; the hub never sees them).

// `Value[key]` answers Null for a missing key or a non-object: it cannot panic.
#![allow(clippy::indexing_slicing)]

use crate::admin_cmd::Remote;
use kyoyu_conceal::seal::{EscrowSecret, Share, combine, open, split};
use serde_json::{Value, json};

/// `kyoyu submit FILE --conceal --to COMMUNITY`.
#[derive(Debug, clap::Args)]
pub(crate) struct SubmitArgs {
    #[command(flatten)]
    remote: Remote,
    /// A bundle, an array or an envelope of STIX objects; or an incident form
    /// (`{"title", "description", "category", "indicators": [...]}`); `-` for standard input.
    file: String,
    /// Conceal the source (the only way submissions are made today; required so that scripts say so).
    #[arg(long)]
    conceal: bool,
    /// The community to share with, e.g. sector-electricity.
    #[arg(long)]
    to: String,
    /// clear, green, amber or amber+strict.
    #[arg(long)]
    tlp: Option<String>,
    /// Release at once, without waiting for a batch (an urgent warning).
    #[arg(long)]
    urgent: bool,
    /// With consent: this organization also receives the attributed original (repeat).
    #[arg(long = "attribute-to")]
    attribute_to: Vec<String>,
    /// Show what would be released (the objects as other members would
    /// read them if the reviewer keeps no doubt, the doubts, the
    /// redactions) without submitting anything.
    #[arg(long)]
    preview: bool,
    /// Print the hub's whole answer as JSON.
    #[arg(long)]
    json: bool,
}

pub(crate) fn submit(args: &SubmitArgs) -> u8 {
    if !args.conceal {
        eprintln!(
            "kyoyu: add --conceal: submissions through `kyoyu submit` are concealed (post attributed content over TAXII)"
        );
        return crate::EXIT_USAGE;
    }
    let text = match crate::read_input(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("kyoyu: {e}");
            return crate::EXIT_USAGE;
        }
    };
    let doc = match crate::parse_json(&args.file, &text) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("kyoyu: {e}");
            return crate::EXIT_USAGE;
        }
    };
    let mut req = kyoyu_wire::submission::SubmitRequest {
        community: args.to.clone(),
        urgent: args.urgent,
        attribute_to: args.attribute_to.clone(),
        tlp: args.tlp.clone(),
        ..Default::default()
    };
    if doc.get("title").is_some() && doc.get("type").is_none() {
        match serde_json::from_value(doc) {
            Ok(form) => req.form = Some(form),
            Err(e) => {
                eprintln!(
                    "kyoyu: {}: not an incident form ({e}): use {{\"title\", \"description\", \"category\", \"indicators\": [...]}}",
                    args.file
                );
                return crate::EXIT_USAGE;
            }
        }
    } else {
        req.objects = match doc {
            Value::Array(a) => a,
            Value::Object(mut o) if o.contains_key("objects") => match o.remove("objects") {
                Some(Value::Array(a)) => a,
                other => vec![other.unwrap_or_default()],
            },
            other => vec![other],
        };
    }
    if args.preview {
        req.preview = true;
        return match args
            .remote
            .call("POST", "/api/submissions", Some(&serde_json::json!(req)))
        {
            Ok(answer) => {
                out!(
                    "{}",
                    serde_json::to_string_pretty(&answer).unwrap_or_default()
                );
                0
            }
            Err(f) => f.report(),
        };
    }
    let sent = args
        .remote
        .client()
        .and_then(|c| c.submit(&req).map_err(Into::into));
    match sent.map(|s| serde_json::to_value(s).unwrap_or_default()) {
        Ok(answer) => {
            if args.json {
                out!("{answer}");
            } else {
                out!("{}", answer["receipt"].as_str().unwrap_or_default());
                let state = answer["state"].as_str().unwrap_or_default();
                eprintln!(
                    "kyoyu: submission {} is {} (keep the receipt: it is the only link to it)",
                    answer["submission"].as_str().unwrap_or_default(),
                    state_phrase(state)
                );
            }
            0
        }
        Err(f) => f.report(),
    }
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum ReviewCommand {
    /// Submissions waiting for a reviewer (scrubbed versions only).
    List {
        /// Only this community's.
        #[arg(long)]
        community: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Approve a submission for release. Every doubt not kept is withheld
    /// (its text becomes [redacted]).
    Approve {
        /// Submission id.
        submission: String,
        /// A doubt to release as written: its number as `review list` shows it (repeat).
        #[arg(long = "keep")]
        keep: Vec<usize>,
        /// The version you read (`review list` shows it); needed with --keep.
        #[arg(long)]
        rev: Option<i64>,
    },
    /// Replace a submission with an edited version (scrubbed again, then held for release).
    Edit {
        /// Submission id.
        submission: String,
        /// The edited objects (a bundle, an array or an envelope; `-` for standard input).
        file: String,
    },
    /// Reject a submission.
    Reject {
        /// Submission id.
        submission: String,
        /// Why (the submitter sees it through its receipt).
        #[arg(long)]
        reason: String,
    },
}

pub(crate) fn review(remote: &Remote, cmd: &ReviewCommand) -> u8 {
    let result = match cmd {
        ReviewCommand::List { community, json } => {
            let path = match community {
                Some(c) => format!("/api/reviews?community={c}"),
                None => "/api/reviews".into(),
            };
            remote.call("GET", &path, None).map(|v| {
                if *json {
                    out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                    return;
                }
                for r in v["reviews"].as_array().into_iter().flatten() {
                    out!(
                        "{} {} rev {}",
                        r["submission"].as_str().unwrap_or_default(),
                        r["community"].as_str().unwrap_or_default(),
                        r["rev"]
                    );
                    for (n, d) in r["doubts"].as_array().into_iter().flatten().enumerate() {
                        out!(
                            "  [{}] {} {}: {}",
                            n + 1,
                            d["object"].as_str().unwrap_or_default(),
                            d["path"].as_str().unwrap_or_default(),
                            d["why"].as_str().unwrap_or_default()
                        );
                    }
                }
            })
        }
        ReviewCommand::Approve {
            submission,
            keep,
            rev,
        } => approve(remote, submission, keep, *rev),
        ReviewCommand::Edit { submission, file } => match objects_of(file) {
            Ok(objects) => remote
                .call(
                    "POST",
                    &format!("/api/reviews/{submission}/edit"),
                    Some(&json!({"objects": objects})),
                )
                .map(|_| ()),
            Err(e) => {
                eprintln!("kyoyu: {e}");
                return crate::EXIT_USAGE;
            }
        },
        ReviewCommand::Reject { submission, reason } => remote
            .call(
                "POST",
                &format!("/api/reviews/{submission}/reject"),
                Some(&json!({"reason": reason})),
            )
            .map(|_| ()),
    };
    match result {
        Ok(()) => 0,
        Err(f) => f.report(),
    }
}

/// Approves a submission. Keeping doubts needs the version they were read
/// in (`--rev`, as `review list` shows it): the numbers name that version's
/// doubts, and the hub refuses if the submission changed since.
fn approve(
    remote: &Remote,
    submission: &str,
    keep: &[usize],
    rev: Option<i64>,
) -> Result<(), crate::admin_cmd::Failure> {
    if !keep.is_empty() && rev.is_none() {
        return Err(crate::admin_cmd::Failure::usage(
            "--keep names doubts as one version lists them: add --rev with the version `kyoyu review list` showed",
        ));
    }
    remote
        .call(
            "POST",
            &format!("/api/reviews/{submission}/approve"),
            Some(&json!({ "keep": keep, "rev": rev })),
        )
        .map(|_| ())
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum ReceiptCommand {
    /// The submission's state, released ids, sightings and feedback.
    Status {
        /// The receipt `kyoyu submit` printed.
        receipt: String,
    },
    /// Withdraw the submission: its released objects leave every collection.
    Withdraw {
        /// The receipt.
        receipt: String,
    },
    /// Send a new version: objects sent before become new versions of what was released.
    Update {
        /// The receipt.
        receipt: String,
        /// A bundle, an array or an envelope of STIX objects (`-` for standard input).
        file: String,
    },
}

/// The objects of a file holding a bundle, an envelope, an array or one object.
fn objects_of(path: &str) -> Result<Value, String> {
    let text = crate::read_input(path)?;
    let doc = crate::parse_json(path, &text)?;
    Ok(match doc {
        Value::Array(a) => json!(a),
        Value::Object(ref o) if o.contains_key("objects") => o["objects"].clone(),
        other => json!([other]),
    })
}

pub(crate) fn receipt(remote: &Remote, cmd: &ReceiptCommand) -> u8 {
    let (path, body) = match cmd {
        ReceiptCommand::Status { receipt } => ("/api/receipts/status", json!({"receipt": receipt})),
        ReceiptCommand::Withdraw { receipt } => {
            ("/api/receipts/withdraw", json!({"receipt": receipt}))
        }
        ReceiptCommand::Update { receipt, file } => match objects_of(file) {
            Ok(objects) => (
                "/api/receipts/update",
                json!({"receipt": receipt, "objects": objects}),
            ),
            Err(e) => {
                eprintln!("kyoyu: {e}");
                return crate::EXIT_USAGE;
            }
        },
    };
    match remote.call("POST", path, Some(&body)) {
        Ok(v) => {
            out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
            0
        }
        Err(f) => f.report(),
    }
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum EscrowCommand {
    /// Make an escrow key pair offline and split the private key among
    /// officers; prints the public key to give the hub (`--escrow-key`).
    Init {
        /// Shares needed to reveal a source (at least 2).
        #[arg(long, default_value_t = 3)]
        threshold: u8,
        /// Shares to make (one per officer).
        #[arg(long, default_value_t = 5)]
        shares: u8,
        /// Directory to write `share-N.txt` files into (created; must not hold shares already).
        #[arg(long)]
        out: std::path::PathBuf,
    },
}

pub(crate) fn escrow(cmd: &EscrowCommand) -> u8 {
    let EscrowCommand::Init {
        threshold,
        shares,
        out,
    } = cmd;
    // No single officer may reveal a source: that is the point of escrow.
    if *threshold < 2 {
        eprintln!(
            "kyoyu: --threshold must be at least 2 (got {threshold}): with one share, a single person could reveal a source"
        );
        return crate::EXIT_USAGE;
    }
    if shares < threshold {
        eprintln!(
            "kyoyu: --shares must be at least --threshold (got {shares} shares for a threshold of {threshold}): otherwise no source could ever be revealed"
        );
        return crate::EXIT_USAGE;
    }
    let (secret, public) = EscrowSecret::generate();
    let parts = match split(&secret, *threshold, *shares) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kyoyu: {e}");
            return crate::EXIT_USAGE;
        }
    };
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("kyoyu: {}: {e}", out.display());
        return crate::EXIT_USAGE;
    }
    for s in &parts {
        let path = out.join(format!("share-{}.txt", s.x));
        if let Err(e) = crate::serve_cmd::write_secret(&path, &s.to_text()) {
            eprintln!("kyoyu: {}: {e}", path.display());
            return 1;
        }
    }
    out!("{}", public.to_text());
    eprintln!(
        "kyoyu: wrote {shares} shares to {} (any {threshold} of them reveal a source); give one to each officer and delete the rest from this machine. Start the hub with --escrow-key and the line above.",
        out.display()
    );
    0
}

#[derive(Debug, clap::Subcommand)]
pub(crate) enum ProvenanceCommand {
    /// Reveal who sent a concealed submission: fetches its sealed provenance
    /// (the hub audits this) and opens it here with the officers' shares.
    Reveal {
        /// Submission id.
        submission: String,
        /// A share file (repeat; at least the threshold).
        #[arg(long = "share", required = true)]
        shares: Vec<std::path::PathBuf>,
    },
}

pub(crate) fn provenance(remote: &Remote, cmd: &ProvenanceCommand) -> u8 {
    let ProvenanceCommand::Reveal { submission, shares } = cmd;
    let mut parsed = Vec::new();
    for path in shares {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("kyoyu: {}: {e}", path.display());
                return crate::EXIT_USAGE;
            }
        };
        match Share::from_text(&text) {
            Some(s) => parsed.push(s),
            None => {
                eprintln!("kyoyu: {} is not an escrow share", path.display());
                return crate::EXIT_USAGE;
            }
        }
    }
    let key = match combine(&parsed) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("kyoyu: {e}");
            return 1;
        }
    };
    let answer = match remote.call(
        "GET",
        &format!("/api/submissions/{submission}/sealed"),
        None,
    ) {
        Ok(a) => a,
        Err(f) => return f.report(),
    };
    match open(
        &key,
        submission,
        answer["sealed"].as_str().unwrap_or_default(),
    ) {
        Some(plain) => {
            // The blob is bound to its submission; check the content says so too.
            let mut said: Value = serde_json::from_slice(&plain).unwrap_or_default();
            if said["submission"] != submission.as_str() {
                eprintln!("kyoyu: the sealed provenance is not this submission's");
                return 1;
            }
            // The hub seals the arrival time in microseconds; people read RFC 3339.
            if let Some(m) = said["received"].as_i64() {
                said["received"] = Value::String(kyoyu_core::time::format_micros(m));
            }
            out!("{said}");
            0
        }
        None => {
            eprintln!(
                "kyoyu: the shares do not open this submission's provenance (sealed to another escrow key?)"
            );
            1
        }
    }
}

/// A submission state as a phrase ("is waiting for review", not "is review").
fn state_phrase(state: &str) -> String {
    match state {
        "review" => "waiting for review".into(),
        "held" => "held for its release batch".into(),
        "released" => "released".into(),
        "withdrawn" => "withdrawn".into(),
        "rejected" => "rejected".into(),
        other => format!("in state '{other}'"),
    }
}
