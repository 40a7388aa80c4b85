//! The hotline (`kyoyu hotline …`): raise an urgent report to the national
//! centre, acknowledge it, and watch the live stream — calls to the running
//! hub's REST API.

// `Value[key]` answers Null for a missing key or a non-object: it cannot panic.
#![allow(clippy::indexing_slicing)]

use crate::admin_cmd::{Failure, Remote};
use serde_json::{Value, json};
use std::time::Duration;

/// What `kyoyu hotline` does.
#[derive(Debug, clap::Subcommand)]
pub(crate) enum HotlineCommand {
    /// Raise an urgent report straight to the national centre's duty officers.
    Raise {
        /// A short title.
        #[arg(long)]
        title: String,
        /// What is happening, what is affected, how to reach you.
        #[arg(long)]
        text: String,
        /// The incident it concerns, if filed.
        #[arg(long)]
        incident: Option<String>,
    },
    /// Acknowledge a call (a national-centre officer): its escalation stops.
    Ack {
        /// Call id (`hotline-…`).
        call: String,
    },
    /// The calls you may see, newest first.
    List {
        /// Only those not yet acknowledged.
        #[arg(long)]
        open: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// One call with its timeline (JSON).
    Show {
        /// Call id.
        call: String,
    },
    /// Print the live stream: one JSON line per event you may see
    /// (`{"id", "what", "hotline"}`). Reconnects by itself and resumes
    /// after the last event printed, so nothing is missed.
    Watch {
        /// Start after this event number instead of from now.
        #[arg(long)]
        after: Option<i64>,
        /// Stop after this many events.
        #[arg(long)]
        count: Option<u64>,
    },
    /// The duty roster (national-centre officers), or set it.
    Roster {
        /// Set it: officers' console logins, first on duty first.
        #[arg(long, value_delimiter = ',')]
        set: Option<Vec<String>>,
    },
}

/// Runs `kyoyu hotline …`; returns the exit status.
pub(crate) fn hotline(remote: &Remote, cmd: &HotlineCommand) -> u8 {
    let printed = |v: Value| out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    let result = match cmd {
        HotlineCommand::Raise {
            title,
            text,
            incident,
        } => {
            let mut body = json!({"title": title, "text": text});
            if let Some(i) = incident {
                body["incident"] = json!(i);
            }
            remote
                .call("POST", "/api/hotline", Some(&body))
                .map(printed)
        }
        HotlineCommand::Ack { call } => remote
            .call("POST", &format!("/api/hotline/{call}/acknowledge"), None)
            .map(printed),
        HotlineCommand::List { open, json } => {
            let path = if *open {
                "/api/hotline?open=true"
            } else {
                "/api/hotline"
            };
            remote.call("GET", path, None).map(|v| {
                if *json {
                    return printed(v);
                }
                for c in v["calls"].as_array().into_iter().flatten() {
                    out!(
                        "{} {} {} {} {}",
                        c["id"].as_str().unwrap_or_default(),
                        c["state"].as_str().unwrap_or_default(),
                        c["raised"].as_str().unwrap_or_default(),
                        c["assigned"].as_str().unwrap_or("-"),
                        c["title"].as_str().unwrap_or_default()
                    );
                }
            })
        }
        HotlineCommand::Show { call } => remote
            .call("GET", &format!("/api/hotline/{call}"), None)
            .map(printed),
        HotlineCommand::Watch { after, count } => watch(remote, *after, *count),
        HotlineCommand::Roster { set } => match set {
            Some(officers) => remote
                .call(
                    "PUT",
                    "/api/hotline/roster",
                    Some(&json!({ "officers": officers })),
                )
                .map(printed),
            None => remote.call("GET", "/api/hotline/roster", None).map(printed),
        },
    };
    match result {
        Ok(()) => 0,
        Err(f) => f.report(),
    }
}

/// Pauses before reconnecting after the stream broke: growing, capped.
const RECONNECT: [Duration; 4] = [
    Duration::from_secs(1),
    Duration::from_secs(2),
    Duration::from_secs(5),
    Duration::from_secs(10),
];

/// `kyoyu hotline watch`: prints events until `count` or until stopped; a
/// broken connection is reopened after the last event printed. A refusal
/// (bad token, no right to the stream) ends it.
fn watch(remote: &Remote, mut after: Option<i64>, count: Option<u64>) -> Result<(), Failure> {
    let client = remote.client()?;
    let mut printed = 0u64;
    let mut failures = 0usize;
    loop {
        if count.is_some_and(|c| printed >= c) {
            return Ok(());
        }
        let answer = client.stream("/api/hotline/stream", after, |e| {
            let body: Value = serde_json::from_str(&e.data).unwrap_or(Value::Null);
            out!(
                "{}",
                json!({"id": e.id, "what": body["what"], "hotline": body["hotline"]})
            );
            if e.id.is_some() {
                after = e.id;
            }
            printed += 1;
            count.is_none_or(|c| printed < c)
        });
        match answer {
            Ok(true) => return Ok(()),
            Ok(false) => failures = 0,
            Err(e @ kyoyu_client::ClientError::Refused { .. }) => return Err(e.into()),
            Err(e) => {
                let pause = RECONNECT
                    .get(failures)
                    .or(RECONNECT.last())
                    .copied()
                    .unwrap_or_default();
                eprintln!(
                    "kyoyu: {e}; reconnecting in {} s after event {}",
                    pause.as_secs(),
                    after.map_or_else(|| "-".to_owned(), |a| a.to_string())
                );
                failures += 1;
                std::thread::sleep(pause);
            }
        }
    }
}
