//! Incident reporting (`kyoyu report …`): `assess` answers offline from the
//! regime profiles built into the binary; the others are calls to the
//! running hub's REST API.

// `Value[key]` answers Null for a missing key or a non-object: it cannot panic.
#![allow(clippy::indexing_slicing)]

use crate::admin_cmd::{Failure, Remote};
use serde_json::{Value, json};

/// What `kyoyu report` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum ReportCommand {
    /// Must this incident be reported, to whom, by when? Prints the decision
    /// as JSON (reportable, recipients, fired_rules, stages). Offline.
    Assess {
        /// The facts (JSON, see docs/reporting.md; `-` for standard input).
        facts: String,
    },
    /// File an incident with its facts and first report (to the competent ministry).
    File {
        /// The facts (JSON file; `-` for standard input).
        #[arg(long)]
        facts: String,
        /// A short title.
        #[arg(long)]
        title: String,
        /// The first report's text.
        #[arg(long, default_value = "")]
        text: String,
        /// An observable of the first report (address, domain, URL, e-mail
        /// address, SHA-256 hash); repeat for several.
        #[arg(long = "indicator")]
        indicators: Vec<String>,
        /// Keep it as a draft: nothing is sent yet.
        #[arg(long)]
        draft: bool,
    },
    /// The incidents you may see, newest first.
    List {
        /// Only those past a deadline.
        #[arg(long)]
        overdue: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One incident (JSON), or every version of it.
    Show {
        /// Incident id.
        incident: String,
        /// Every version, oldest first.
        #[arg(long)]
        versions: bool,
    },
    /// File a further report on an incident (a stage of its decision, or `update`).
    Update {
        /// Incident id.
        incident: String,
        /// The stage it fulfils.
        #[arg(long)]
        stage: String,
        /// The report.
        #[arg(long)]
        text: String,
        /// An observable it reports; repeat for several.
        #[arg(long = "indicator")]
        indicators: Vec<String>,
    },
    /// The incident as a STIX 2.1 bundle (incident, report, identity,
    /// indicators, observed data), as you may see it.
    Stix {
        /// Incident id.
        incident: String,
    },
    /// Share a filed incident onward as an anonymised case through the
    /// concealment pipeline (the filer); prints the receipt, or with
    /// --preview what would be released.
    Share {
        /// Incident id.
        incident: String,
        /// The community it is for.
        #[arg(long)]
        community: String,
        /// `clear`, `green`, `amber` or `amber+strict`.
        #[arg(long)]
        tlp: Option<String>,
        /// Only show what would be released.
        #[arg(long)]
        preview: bool,
    },
    /// Acknowledge an incident's reports (the competent ministry).
    Ack {
        /// Incident id.
        incident: String,
    },
    /// Ask the filer for more (the competent ministry).
    Ask {
        /// Incident id.
        incident: String,
        /// The question.
        #[arg(long)]
        text: String,
    },
    /// Forward an incident to the national centre (the competent ministry).
    Forward {
        /// Incident id.
        incident: String,
        /// Let the national centre see who filed it.
        #[arg(long)]
        attributed: bool,
    },
}

/// Runs `kyoyu report …`; returns the exit status.
pub(crate) fn report(remote: &Remote, cmd: &ReportCommand) -> u8 {
    let printed = |v: Value| out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    let result = match cmd {
        ReportCommand::Assess { facts } => return assess(facts),
        ReportCommand::File {
            facts,
            title,
            text,
            draft,
            indicators,
        } => match read_facts(facts) {
            Ok(facts) => remote
                .call(
                    "POST",
                    "/api/incidents",
                    Some(
                        &json!({"facts": facts, "title": title, "text": text, "draft": draft, "indicators": indicators}),
                    ),
                )
                .map(printed),
            Err(f) => Err(f),
        },
        ReportCommand::List { overdue, json } => {
            let path = if *overdue {
                "/api/incidents?overdue=true"
            } else {
                "/api/incidents"
            };
            remote.call("GET", path, None).map(|v| {
                if *json {
                    return printed(v);
                }
                for i in v["incidents"].as_array().into_iter().flatten() {
                    let next = i["stages"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .find(|s| s["report"].is_null())
                        .map(|s| {
                            format!(
                                "{} due {}",
                                s["stage"].as_str().unwrap_or_default(),
                                s["due"].as_str().unwrap_or("-")
                            )
                        })
                        .unwrap_or_default();
                    out!(
                        "{} {} {} {} {}",
                        i["id"].as_str().unwrap_or_default(),
                        i["state"].as_str().unwrap_or_default(),
                        i["regime"].as_str().unwrap_or_default(),
                        next,
                        i["title"].as_str().unwrap_or_default()
                    );
                }
            })
        }
        ReportCommand::Show { incident, versions } => {
            let path = if *versions {
                format!("/api/incidents/{incident}/versions")
            } else {
                format!("/api/incidents/{incident}")
            };
            remote.call("GET", &path, None).map(printed)
        }
        ReportCommand::Update {
            incident,
            stage,
            text,
            indicators,
        } => remote
            .call(
                "POST",
                &format!("/api/incidents/{incident}/reports"),
                Some(&json!({"stage": stage, "text": text, "indicators": indicators})),
            )
            .map(printed),
        ReportCommand::Stix { incident } => remote
            .call("GET", &format!("/api/incidents/{incident}/stix"), None)
            .map(printed),
        ReportCommand::Share {
            incident,
            community,
            tlp,
            preview,
        } => {
            let mut body = json!({"community": community, "preview": preview});
            if let Some(t) = tlp {
                body["tlp"] = json!(t);
            }
            remote
                .call("POST", &format!("/api/incidents/{incident}/share"), Some(&body))
                .map(printed)
        }
        ReportCommand::Ack { incident } => remote
            .call(
                "POST",
                &format!("/api/incidents/{incident}/acknowledge"),
                None,
            )
            .map(printed),
        ReportCommand::Ask { incident, text } => remote
            .call(
                "POST",
                &format!("/api/incidents/{incident}/ask"),
                Some(&json!({ "text": text })),
            )
            .map(printed),
        ReportCommand::Forward {
            incident,
            attributed,
        } => remote
            .call(
                "POST",
                &format!("/api/incidents/{incident}/forward"),
                Some(&json!({ "attributed": attributed })),
            )
            .map(printed),
    };
    match result {
        Ok(()) => 0,
        Err(f) => f.report(),
    }
}

/// The facts of a file, as JSON.
fn read_facts(path: &str) -> Result<Value, Failure> {
    let text = crate::read_input(path).map_err(|e| Failure::usage(&e))?;
    crate::parse_json(path, &text).map_err(|e| Failure::usage(&e))
}

/// `kyoyu report assess`: the decision on standard output, or the problem
/// (naming the field) and exit status 2.
fn assess(path: &str) -> u8 {
    let text = match crate::read_input(path) {
        Ok(t) => t,
        Err(e) => return Failure::usage(&e).report(),
    };
    match kyoyu_report::assess_json(&text) {
        Ok(decision) => {
            out!(
                "{}",
                serde_json::to_string_pretty(&decision).unwrap_or_default()
            );
            0
        }
        Err(e) => Failure::usage(&format!("{path}: {e}")).report(),
    }
}
